import type { Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import { resolveAuthority, v2Issuer } from '../protocol/tenant.ts';
import { allowAnyOrigin } from './cors.ts';

/** `/{tenant}/v2.0/.well-known/openid-configuration`, with Entra's field set (no grant_types_supported). */
export function discoveryEndpoint(app: Hono, deps: Pick<EmulatorDeps, 'directory' | 'publicUrl'>): void {
  app.get('/:tenant/v2.0/.well-known/openid-configuration', (c) => {
    const authority = resolveAuthority(deps.directory, c.req.param('tenant'));
    const base = `${deps.publicUrl}/${authority.segment}`;
    const tenantId = authority.kind === 'tenant' ? authority.tenant.id : '{tenantid}';
    c.header('Cache-Control', 'max-age=86400, private');
    allowAnyOrigin(c);
    return c.json({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: v2Issuer(deps.publicUrl, tenantId),
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${deps.publicUrl}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp',
        'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email',
      ],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: new URL(deps.publicUrl).host,
      cloud_graph_host_name: new URL(deps.publicUrl).host,
      msgraph_host: new URL(deps.publicUrl).host,
      rbac_url: deps.publicUrl,
    });
  });
}
