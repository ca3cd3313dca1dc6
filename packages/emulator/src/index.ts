/** The Entra ID emulator, to run in-process (e.g. inside a test suite) or as a server. */
export { startEmulator } from './server.ts';
export type { EmulatorOptions, RunningEmulator } from './server.ts';
export { createEmulatorApp } from './app.ts';
export type { EmulatorDeps } from './deps.ts';
export type { FaultRule } from './faults.ts';
export { newApplication } from './directory/new-application.ts';
export { addClientSecret, registerApplication } from './directory/registration.ts';
export { DEMO_TENANT, API_APP_ID, WEB_APP_ID } from './seed/demo-tenant.ts';
export type { Application, AppRole, Group, PermissionScope, ServicePrincipal, Tenant, User } from './directory/types.ts';
export { createDirectory } from './directory/directory.ts';
export { createKeyRing } from './keys/signing-keys.ts';
export { createTenantKeyRings } from './keys/tenant-key-rings.ts';
export { ensureLocalTls } from './tls/local-ca.ts';
export { devJsonPath, readDevJson, updateDevJson } from './dev-json.ts';
export type { ConfiguredDevJson, DevJson, DevJsonApp } from './dev-json.ts';
export { EmulatorConfigError, loadEmulatorConfigFile, parseEmulatorConfig } from './config/load-config.ts';
export type { EmulatorConfig, EmulatorConfigInput } from './config/schema.ts';
export type { RequestLogEntry, RequestOutcome, LoggedEndpoint } from './request-log/request-log.ts';
