/** The Entra ID emulator, to run in-process (e.g. inside a test suite) or as a server. */
export { startEmulator } from './server.ts';
export type { EmulatorOptions, RunningEmulator } from './server.ts';
export { createEmulatorApp } from './app.ts';
export type { DecisionLog, EmulatorDeps, ProtocolNote } from './deps.ts';
export { resolveSwitches } from './protocol/switches.ts';
export type { EmulatorSwitches } from './protocol/switches.ts';
export type { FaultRule } from './faults.ts';
export { newApplication } from './directory/new-application.ts';
export { addClientSecret, addWebRedirectUris, registerApplication } from './directory/registration.ts';
export { DEMO_TENANT, API_APP_ID, WEB_APP_ID } from './seed/demo-tenant.ts';
export type { Application, AppRole, Group, PermissionScope, ServicePrincipal, Tenant, User } from './directory/types.ts';
export { createDirectory } from './directory/directory.ts';
export { createKeyRing } from './keys/signing-keys.ts';
export { ensureLocalTls } from './tls/local-ca.ts';
export { devJsonPath, readDevJson, updateDevJson } from './dev-json.ts';
export type { DevJson } from './dev-json.ts';
