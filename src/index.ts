/**
 * entrakit's library surface: Entra-aware token validation, discovery, errors and the protocol
 * trace. Apps and APIs also import `entrakit/bearer`, `entrakit/store`, `entrakit/web`,
 * `entrakit/api` and, for test suites, `entrakit/emulator`.
 */
export { EntrakitError, isEntrakitError } from './core/errors.ts';
export * from './core/tokens/index.ts';
export * from './core/discovery/index.ts';
export { trustCaCertificate } from './core/trust-ca.ts';
export { readDevJson, updateDevJson } from './core/dev-json.ts';
export type { DevJson } from './core/dev-json.ts';
