import type { Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { explain } from '../request-log/record-requests.ts';

/** `/common/UserRealm/{upn}`: MSAL Python and Go ask it before the password grant. */
export function userRealmEndpoint(app: Hono, deps: Pick<EmulatorDeps, 'directory' | 'publicUrl'>): void {
  app.get('/:tenant/:realm{[Uu][Ss][Ee][Rr][Rr][Ee][Aa][Ll][Mm]}/:upn', (c) => {
    const upn = c.req.param('upn');
    const domain = upn.split('@')[1] ?? '';
    const tenant = deps.directory.findTenant(domain);
    // The domain only, never the whole user name.
    explain(c, `realm discovery (MSAL asks before a password grant): ${domain.slice(0, 100) || '(no domain)'} is ${tenant ? 'a managed domain of this emulator' : 'unknown here'}`);
    return c.json({
      ver: '1.0',
      account_type: tenant ? 'Managed' : 'Unknown',
      domain_name: tenant?.domain ?? domain,
      cloud_instance_name: new URL(deps.publicUrl).host,
      cloud_audience_urn: 'urn:federation:MicrosoftOnline',
    });
  });
}
