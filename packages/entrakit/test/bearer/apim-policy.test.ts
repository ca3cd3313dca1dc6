import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBearerAuthenticator, policyFromApimXml } from '../../src/bearer/index.ts';
import { isEntrakitError } from '../../src/core/errors.ts';
import { httpProblem } from '../../src/core/http-problem.ts';
import { startEmulatorTokens } from '../core/helpers/emulator-tokens.ts';
import type { EmulatorTokens } from '../core/helpers/emulator-tokens.ts';

/** The shape Microsoft's docs use for an Entra-protected API, with every setting entrakit reads. */
const docsPolicy = (o: { discoveryUrl: string; audience: string; issuer: string; extra?: string; claims?: string; attributes?: string }) => `<?xml version="1.0" encoding="utf-8"?>
<policies>
  <inbound>
    <base />
    <!-- Entra ID tokens only -->
    <validate-jwt header-name="Authorization" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized. Access token is missing or invalid." require-expiration-time="true" require-scheme="Bearer" require-signed-tokens="true" clock-skew="120"${o.attributes ?? ''}>
      <openid-config url="${o.discoveryUrl}" />
      <audiences>
        <audience>${o.audience}</audience>
      </audiences>
      <issuers>
        <issuer>${o.issuer}</issuer>
      </issuers>
      <required-claims>${o.claims ?? `
        <claim name="scp" match="any" separator=" ">
          <value>user_impersonation</value>
        </claim>`}
      </required-claims>${o.extra ?? ''}
    </validate-jwt>
  </inbound>
  <backend><base /></backend>
</policies>`;

const refuses = (xml: string, text: RegExp): void => {
  assert.throws(() => policyFromApimXml(xml), (error: unknown) => {
    assert.ok(error instanceof TypeError, String(error));
    assert.match(error.message, text);
    return true;
  });
};

describe('policyFromApimXml: reading <validate-jwt>', () => {
  const base = { discoveryUrl: 'https://login.microsoftonline.com/11111111-1111-4111-8111-111111111111/v2.0/.well-known/openid-configuration', audience: 'api://reports', issuer: 'https://login.microsoftonline.com/11111111-1111-4111-8111-111111111111/v2.0' };

  it('maps every supported attribute and element to the same check', () => {
    assert.deepEqual(policyFromApimXml(docsPolicy(base)), {
      clockSkewSec: 120,
      failedValidation: { status: 401, message: 'Unauthorized. Access token is missing or invalid.' },
      discoveryUrls: [base.discoveryUrl],
      audiences: ['api://reports'],
      requiredClaims: [
        { name: 'iss', match: 'any', values: [base.issuer] },
        { name: 'scp', match: 'any', values: ['user_impersonation'], separator: ' ' },
      ],
    });
  });

  it('defaults match to all, reads several audiences and claims, entities and CDATA', () => {
    const policy = policyFromApimXml(`<validate-jwt header-name="authorization" output-token-variable-name="jwt">
      <openid-config url='${base.discoveryUrl}'/>
      <audiences><audience>api://a</audience><audience>bbbbbbbb-0000-4000-8000-000000000002</audience></audiences>
      <required-claims>
        <claim name="roles"><value>Reports.Read</value><value>Reports&amp;Write</value></claim>
        <claim name="groups" match="any"><value><![CDATA[g<1>]]></value></claim>
      </required-claims>
    </validate-jwt>`);
    assert.deepEqual(policy.audiences, ['api://a', 'bbbbbbbb-0000-4000-8000-000000000002']);
    assert.deepEqual(policy.requiredClaims, [
      { name: 'roles', match: 'all', values: ['Reports.Read', 'Reports&Write'] },
      { name: 'groups', match: 'any', values: ['g<1>'] },
    ]);
    assert.equal(policy.failedValidation, undefined);
  });

  it('refuses, by name, what it cannot enforce', () => {
    refuses(docsPolicy({ ...base, attributes: ' query-parameter-name="t"' }), /attribute query-parameter-name \(entrakit reads the token from the Authorization header only\)/);
    refuses(docsPolicy(base).replace('header-name="Authorization"', 'header-name="X-Token"'), /header-name="X-Token"/);
    refuses(docsPolicy(base).replace('require-scheme="Bearer"', 'require-scheme="Basic"'), /require-scheme="Basic"/);
    refuses(docsPolicy(base).replace('require-expiration-time="true"', 'require-expiration-time="false"'), /require-expiration-time="false" \(entrakit always requires exp\)/);
    refuses(docsPolicy(base).replace('require-signed-tokens="true"', 'require-signed-tokens="false"'), /require-signed-tokens="false"/);
    refuses(docsPolicy(base).replace('failed-validation-httpcode="401"', 'failed-validation-httpcode="500"'), /failed-validation-httpcode="500" \(must be a 4xx status\)/);
    refuses(docsPolicy(base).replace('clock-skew="120"', 'clock-skew="2m"'), /clock-skew="2m"/);
    refuses(docsPolicy({ ...base, extra: '<issuer-signing-keys><key>abc</key></issuer-signing-keys>' }), /element <issuer-signing-keys> \(keys come from the openid-config discovery document\)/);
    refuses(docsPolicy({ ...base, extra: '<decryption-keys><key>abc</key></decryption-keys>' }), /element <decryption-keys> \(encrypted tokens are not supported\)/);
    refuses(docsPolicy({ ...base, audience: '{{api-audience}}' }), /policy expressions and named values are resolved by APIM only/);
    refuses(docsPolicy(base).replace('clock-skew="120"', `clock-skew='@(context.Variables["skew"])'`), /attribute clock-skew: policy expressions/);
    refuses(docsPolicy({ ...base, discoveryUrl: 'https://login.microsoftonline.com/{aad-tenant}/v2.0/.well-known/openid-configuration' }), /replace the placeholder/);
    refuses(docsPolicy({ ...base, claims: '<claim name="roles" />' }), /<claim name="roles"> has no <value>/);
    refuses(docsPolicy({ ...base, claims: '<claim name="roles" match="some"><value>x</value></claim>' }), /match="some"/);
    refuses(docsPolicy(base).replace(/<openid-config[^>]*>/, ''), /no <openid-config/);
    refuses(docsPolicy(base).replace(/<audiences>[\s\S]*?<\/audiences>/, ''), /no <audiences>/);
    // Several refusals are listed together.
    refuses(docsPolicy({ ...base, attributes: ' token-value="@(x)"' }), /attribute token-value[\s\S]*policy expressions/);
  });

  it('reads only well-formed XML of the policy subset', () => {
    refuses('<policies><validate-jwt></policies>', /<\/policies> closing <validate-jwt>/);
    refuses('<!DOCTYPE x [<!ENTITY e "x">]><validate-jwt/>', /DOCTYPE/);
    refuses(docsPolicy({ ...base, audience: 'a&b' }), /a bare "&"/);
    refuses(docsPolicy({ ...base, audience: '&ext;' }), /the entity &ext;/);
    refuses('<a><validate-jwt/><validate-jwt/></a>', /expected one <validate-jwt> element, found 2/);
    refuses('<validate-jwt a="1" a="2"/>', /the attribute a twice/);
    refuses('<validate-jwt/><x/>', /content after the root element/);
  });
});

describe('an imported APIM policy, enforced against emulator tokens', () => {
  let env: EmulatorTokens;
  before(async () => {
    env = await startEmulatorTokens();
  });
  after(() => env.close());

  it('accepts what APIM would accept and answers every refusal with its failed-validation status and message', async () => {
    const xml = docsPolicy({ discoveryUrl: env.discoveryUrl, audience: env.apiClientId, issuer: env.issuer }).replace('failed-validation-httpcode="401"', 'failed-validation-httpcode="403"');
    const auth = createBearerAuthenticator(policyFromApimXml(xml));
    const { accessToken } = await env.signIn('alex');
    const principal = await auth.fromAuthorizationHeader(`Bearer ${accessToken}`);
    assert.equal(principal.objectId, env.oid('alex'));

    const refusal = async (authorization: string | null) => {
      try {
        await auth.fromAuthorizationHeader(authorization);
      } catch (error) {
        assert.ok(isEntrakitError(error));
        return { code: error.code, ...httpProblem(error, { realm: auth.realm }) };
      }
      throw new Error('accepted');
    };
    const description = 'Unauthorized. Access token is missing or invalid.';
    // The app token has no scp: the separator rule refuses it.
    for (const [authorization, code] of [
      [null, 'BEARER_TOKEN_MISSING'],
      [`Bearer ${await env.appToken()}`, 'BEARER_CLAIM_REQUIRED'],
      [`Bearer ${await env.resign(accessToken, { scp: 'openid profile' })}`, 'BEARER_CLAIM_REQUIRED'],
      [`Bearer ${await env.resign(accessToken, { aud: 'api://other' })}`, 'TOKEN_AUDIENCE_INVALID'],
      [`Bearer ${await env.resign(accessToken, { iss: env.v1Issuer })}`, 'BEARER_CLAIM_REQUIRED'],
      [`Bearer ${await env.resign(accessToken, { exp: Math.floor(Date.now() / 1000) - 600 })}`, 'TOKEN_EXPIRED'],
    ] as const) {
      const answer = await refusal(authorization);
      assert.equal(answer.code, code, String(authorization).slice(0, 20));
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error_description, description);
    }
    // A token with scp "openid user_impersonation" passes the split rule.
    assert.equal((await auth.fromAuthorizationHeader(`Bearer ${await env.resign(accessToken, { scp: 'openid user_impersonation' })}`)).kind, 'user');
  });
});
