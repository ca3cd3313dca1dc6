import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startEmulator } from '../../src/server.ts';
import { trustCaCertificate } from '../../../entrakit/src/core/trust-ca.ts';

describe('login page account hints', () => {
  it("a configured tenant's login page suggests only that tenant's users, never the demo accounts", async () => {
    const emulator = await startEmulator({
      port: 0,
      writeDevJson: false,
      config: {
        tenants: [
          {
            domain: 'hints.test',
            users: [{ userPrincipalName: 'ann@hints.test', password: 'Ann-password-1', displayName: 'Ann' }],
            apps: [{ name: 'web', displayName: 'Web', signInAudience: 'AzureADMultipleOrgs', redirectUris: ['http://localhost:3000/callback'], secrets: [{}] }],
          },
          { domain: 'other.test', users: [{ userPrincipalName: 'eve@other.test', password: 'Eve-password-1', displayName: 'Eve' }] },
        ],
      },
    });
    try {
      trustCaCertificate(emulator.caPem);
      const app = emulator.devJson.apps['web']!;
      for (const authority of [app.tenantId, 'organizations']) {
        const url = new URL(`${emulator.url}/${authority}/oauth2/v2.0/authorize`);
        url.search = new URLSearchParams({ client_id: app.clientId, redirect_uri: app.redirectUri!, response_type: 'code', scope: 'openid', state: 's' }).toString();
        const page = await fetch(url, { redirect: 'manual' });
        assert.equal(page.status, 200, page.headers.get('location') ?? '');
        const html = await page.text();
        assert.match(html, /<code class="upn">ann@hints\.test<\/code>/, authority);
        assert.doesNotMatch(html, /entrakitdemo|adele@|eve@other\.test/, authority);
      }
    } finally {
      await emulator.close();
    }
  });
});
