import type { Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { parseTokenForm } from '../grants/token-form.ts';
import { AadError } from '../protocol/aad-error.ts';
import { parseScopes } from '../protocol/scopes.ts';
import { resolveAuthority } from '../protocol/tenant.ts';
import { DEVICE_CODE_EXPIRES_IN_S, DEVICE_CODE_INTERVAL_S, startDeviceAuthorization } from '../sign-in/device-authorization.ts';

type DeviceCodeDeps = Pick<EmulatorDeps, 'directory' | 'state' | 'clock' | 'publicUrl'>;

/** Where users enter the code: Entra's is microsoft.com/devicelogin, the emulator's is on its own origin. */
export function verificationUri(publicUrl: string): string {
  return `${publicUrl}/common/oauth2/deviceauth`;
}

/**
 * `POST /{tenant}/oauth2/v2.0/devicecode` (client_id, scope): starts a device authorization and
 * answers Entra's fields `{user_code, device_code, verification_uri, expires_in, interval, message}`.
 */
export function deviceCodeEndpoint(app: Hono, deps: DeviceCodeDeps): void {
  app.post('/:tenant/oauth2/v2.0/devicecode', async (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('Pragma', 'no-cache');
    const authority = resolveAuthority(deps.directory, c.req.param('tenant'));
    const form = parseTokenForm(c.req.header('content-type'), await c.req.text());
    const clientId = form.require('client_id');
    const found = deps.directory.findApplicationByClientId(clientId);
    const tenantId = authority.kind === 'tenant' ? authority.tenant.id : null;
    if (!found || (tenantId !== null && tenantId !== found.tenantId && found.app.signInAudience === 'AzureADMyOrg')) {
      throw new AadError(700016, `Application with identifier '${clientId.slice(0, 64)}' was not found in the directory '${tenantId ?? authority.segment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    }
    if (tenantId === null && found.app.signInAudience === 'AzureADMyOrg') {
      throw new AadError(50194, `Application '${found.app.appId}'(${found.app.displayName.slice(0, 64)}) is not configured as a multi-tenant application. Usage of the /${authority.segment} endpoint is not supported for such applications. Use a tenant-specific endpoint or configure the application to be multi-tenant.`);
    }
    const scope = form.require('scope');
    parseScopes(deps.directory, tenantId ?? found.tenantId, scope);
    const { deviceCode, record } = await startDeviceAuthorization(deps, { clientId: found.app.appId, tenantId, scope });
    const uri = verificationUri(deps.publicUrl);
    return c.json({
      user_code: record.userCode,
      device_code: deviceCode,
      verification_uri: uri,
      expires_in: DEVICE_CODE_EXPIRES_IN_S,
      interval: DEVICE_CODE_INTERVAL_S,
      message: `To sign in, use a web browser to open the page ${uri} and enter the code ${record.userCode} to authenticate.`,
    });
  });
}
