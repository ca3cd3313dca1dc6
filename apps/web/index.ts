/** The sign-in web app: factory (no listener), server, configuration. */
export { createWebApp } from './app.ts';
export type { CreateWebAppOptions } from './app.ts';
export { startWeb } from './server.ts';
export type { RunningWeb, StartWebOptions } from './server.ts';
export { loadWebConfig } from './config.ts';
export type { WebConfig } from './config.ts';
