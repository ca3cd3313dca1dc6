import { X509Certificate } from 'node:crypto';
import type { AppRole, Application, KeyCredential, OptionalClaims, PermissionScope, RequiredResourceAccess } from '../directory/types.ts';
import { newGuid } from '../directory/ids.ts';
import { GUID } from 'entrakit/internal';
import { certificateThumbprint } from './application-shape.ts';
import { GraphError } from './graph-error.ts';
import { invalidValue, unknownProperty } from './request-body.ts';

/**
 * Reads the properties of a POST or PATCH on `/applications` into a copy of the stored
 * application, validating each as Graph does: unknown names and wrong types are 400, scopes and
 * roles must be disabled before they are removed or changed.
 */

const RESOURCE = 'Application';
const AUDIENCES = ['AzureADMyOrg', 'AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount'] as const;
const GROUP_CLAIMS = ['None', 'SecurityGroup', 'All', 'ApplicationGroup', 'DirectoryRole'];
/** Properties Graph computes; sending them is refused rather than silently ignored. */
const READ_ONLY = new Set(['id', 'appId', 'createdDateTime', 'deletedDateTime', 'publisherDomain', 'passwordCredentials']);

type Mutable = { -readonly [K in keyof Application]: Application[K] };

const fail = (property: string) => invalidValue(property, RESOURCE);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function string(v: unknown, property: string, max = 1024): string {
  if (typeof v !== 'string' || v.length > max) throw fail(property);
  return v;
}
function nullableString(v: unknown, property: string, max = 1024): string | null {
  return v === null ? null : string(v, property, max);
}
function bool(v: unknown, property: string): boolean {
  if (typeof v !== 'boolean') throw fail(property);
  return v;
}
function guid(v: unknown, property: string): string {
  if (typeof v !== 'string' || !GUID.test(v)) throw fail(property);
  return v.toLowerCase();
}
function list<T>(v: unknown, property: string, each: (item: unknown) => T, max = 256): T[] {
  if (!Array.isArray(v) || v.length > max) throw fail(property);
  return v.map(each);
}
function fields(v: unknown, property: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isObject(v)) throw fail(property);
  for (const key of Object.keys(v)) if (!allowed.includes(key) && !key.startsWith('@odata.')) throw unknownProperty(key);
  return v;
}

/** Absolute URIs without fragments; web and SPA URIs must be https or loopback http, as Entra requires. */
function redirectUri(property: string, httpsOnly: boolean) {
  return (v: unknown): string => {
    const value = string(v, property, 256);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw fail(property);
    }
    const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
    if (url.hash || (httpsOnly && url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))) throw fail(property);
    // Native clients may use custom schemes, never ones a browser would run or read locally.
    if (['javascript:', 'data:', 'vbscript:', 'file:', 'blob:'].includes(url.protocol)) throw fail(property);
    return value;
  };
}

function identifierUri(v: unknown): string {
  const value = string(v, 'identifierUris', 256);
  if (!/^(api|https|urn|ms-appx):/i.test(value) || /[\s*#]/.test(value) || value.endsWith('/')) throw fail('identifierUris');
  return value;
}

function scope(v: unknown): PermissionScope {
  const s = fields(v, 'oauth2PermissionScopes', ['id', 'value', 'type', 'adminConsentDisplayName', 'adminConsentDescription', 'userConsentDisplayName', 'userConsentDescription', 'isEnabled', 'origin']);
  const value = string(s['value'], 'oauth2PermissionScopes', 120);
  if (!/^[^\s.][^\s]*$/.test(value)) throw fail('oauth2PermissionScopes');
  if (s['type'] !== 'User' && s['type'] !== 'Admin') throw fail('oauth2PermissionScopes');
  return {
    id: guid(s['id'], 'oauth2PermissionScopes'),
    value,
    type: s['type'],
    adminConsentDisplayName: string(s['adminConsentDisplayName'], 'oauth2PermissionScopes'),
    adminConsentDescription: string(s['adminConsentDescription'], 'oauth2PermissionScopes'),
    ...(s['userConsentDisplayName'] != null ? { userConsentDisplayName: string(s['userConsentDisplayName'], 'oauth2PermissionScopes') } : {}),
    ...(s['userConsentDescription'] != null ? { userConsentDescription: string(s['userConsentDescription'], 'oauth2PermissionScopes') } : {}),
    isEnabled: s['isEnabled'] === undefined ? true : bool(s['isEnabled'], 'oauth2PermissionScopes'),
  };
}

function appRole(v: unknown): AppRole {
  const r = fields(v, 'appRoles', ['id', 'value', 'displayName', 'description', 'allowedMemberTypes', 'isEnabled', 'origin']);
  const value = string(r['value'], 'appRoles', 120);
  if (/\s/.test(value) || value.startsWith('.')) throw fail('appRoles');
  const types = list(r['allowedMemberTypes'], 'appRoles', (t) => {
    if (t !== 'User' && t !== 'Application') throw fail('appRoles');
    return t;
  });
  if (types.length === 0) throw fail('appRoles');
  return {
    id: guid(r['id'], 'appRoles'),
    value,
    displayName: string(r['displayName'], 'appRoles'),
    description: string(r['description'], 'appRoles'),
    allowedMemberTypes: [...new Set(types)],
    isEnabled: r['isEnabled'] === undefined ? true : bool(r['isEnabled'], 'appRoles'),
  };
}

/**
 * Entra refuses to delete or change an enabled scope or role in one step ("disable first"), so
 * tokens already holding it never point at something that vanished.
 */
function guardEnabled<T extends { id: string; isEnabled: boolean }>(before: readonly T[], after: readonly T[]): void {
  const withoutFlag = (item: object) => JSON.stringify(Object.entries(item).filter(([key]) => key !== 'isEnabled').sort(([a], [b]) => (a < b ? -1 : 1)));
  for (const old of before) {
    if (!old.isEnabled) continue;
    const next = after.find((item) => item.id === old.id);
    if (!next || (next.isEnabled && withoutFlag(old) !== withoutFlag(next))) {
      throw new GraphError(400, 'CannotDeleteOrUpdateEnabledEntitlement', 'Permission (scope or role) cannot be deleted or updated unless disabled first.');
    }
  }
  const ids = after.map((item) => item.id);
  if (new Set(ids).size !== ids.length) throw new GraphError(400, 'Request_BadRequest', 'Duplicate ids in the scope or role list.');
}

function requiredResourceAccess(v: unknown): RequiredResourceAccess {
  const r = fields(v, 'requiredResourceAccess', ['resourceAppId', 'resourceAccess']);
  return {
    resourceAppId: guid(r['resourceAppId'], 'requiredResourceAccess'),
    resourceAccess: list(r['resourceAccess'], 'requiredResourceAccess', (a) => {
      const access = fields(a, 'requiredResourceAccess', ['id', 'type']);
      if (access['type'] !== 'Scope' && access['type'] !== 'Role') throw fail('requiredResourceAccess');
      return { id: guid(access['id'], 'requiredResourceAccess'), type: access['type'] };
    }),
  };
}

function optionalClaims(v: unknown): OptionalClaims | null {
  if (v === null) return null;
  const o = fields(v, 'optionalClaims', ['idToken', 'accessToken', 'saml2Token']);
  const claims = (key: string) =>
    o[key] == null
      ? []
      : list(o[key], 'optionalClaims', (c) => {
          const claim = fields(c, 'optionalClaims', ['name', 'source', 'essential', 'additionalProperties']);
          return {
            name: string(claim['name'], 'optionalClaims', 120),
            source: claim['source'] == null ? null : string(claim['source'], 'optionalClaims', 120),
            essential: claim['essential'] == null ? false : bool(claim['essential'], 'optionalClaims'),
            additionalProperties: claim['additionalProperties'] == null ? [] : list(claim['additionalProperties'], 'optionalClaims', (p) => string(p, 'optionalClaims', 120)),
          };
        });
  return { idToken: claims('idToken'), accessToken: claims('accessToken'), saml2Token: claims('saml2Token') };
}

/** Certificates uploaded through `keyCredentials`; an entry naming an existing keyId may omit `key`. */
function keyCredentials(v: unknown, existing: readonly KeyCredential[]): KeyCredential[] {
  return list(v, 'keyCredentials', (k) => {
    const key = fields(k, 'keyCredentials', ['customKeyIdentifier', 'displayName', 'endDateTime', 'key', 'keyId', 'startDateTime', 'type', 'usage']);
    const keyId = key['keyId'] == null ? newGuid() : guid(key['keyId'], 'keyCredentials');
    const kept = existing.find((e) => e.keyId === keyId);
    if (key['key'] == null) {
      if (!kept) throw fail('keyCredentials');
      return kept;
    }
    if (key['type'] !== 'AsymmetricX509Cert' || key['usage'] !== 'Verify') throw fail('keyCredentials');
    const der = Buffer.from(string(key['key'], 'keyCredentials', 16_384), 'base64');
    try {
      new X509Certificate(der);
    } catch {
      throw new GraphError(400, 'Request_BadRequest', "Key credential 'key' is not a valid base64 X.509 certificate.");
    }
    return {
      keyId,
      type: 'AsymmetricX509Cert',
      usage: 'Verify',
      key: der.toString('base64'),
      customKeyIdentifier: certificateThumbprint(der),
      displayName: key['displayName'] == null ? null : string(key['displayName'], 'keyCredentials', 256),
    };
  });
}

function redirectUris(v: unknown, property: string, httpsOnly: boolean): string[] {
  return [...new Set(list(v, property, redirectUri(property, httpsOnly)))];
}

/** Applies one write's properties to a copy of `current`; returns the new application. */
export function applyApplicationProperties(current: Application, body: Record<string, unknown>): Application {
  const app = structuredClone(current) as Mutable;
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('@odata.')) continue;
    if (READ_ONLY.has(name)) throw new GraphError(400, 'Request_BadRequest', `Property '${name}' is read-only and cannot be set.`);
    switch (name) {
      case 'displayName':
        app.displayName = string(value, name, 256).trim();
        if (!app.displayName) throw fail(name);
        break;
      case 'description':
        app.description = nullableString(value, name, 1024);
        break;
      case 'notes':
        app.notes = nullableString(value, name, 1024);
        break;
      case 'serviceManagementReference':
        app.serviceManagementReference = nullableString(value, name, 128);
        break;
      case 'isFallbackPublicClient':
        app.isFallbackPublicClient = value === null ? false : bool(value, name);
        break;
      case 'signInAudience':
        if (!AUDIENCES.includes(value as (typeof AUDIENCES)[number])) throw fail(name);
        app.signInAudience = value as Application['signInAudience'];
        break;
      case 'groupMembershipClaims':
        if (value !== null && !GROUP_CLAIMS.includes(value as string)) throw fail(name);
        app.groupMembershipClaims = value as Application['groupMembershipClaims'];
        break;
      case 'identifierUris':
        app.identifierUris = [...new Set(list(value, name, identifierUri, 50))];
        break;
      case 'tags':
        app.tags = list(value, name, (t) => string(t, name, 256));
        break;
      case 'requiredResourceAccess':
        app.requiredResourceAccess = list(value, name, requiredResourceAccess, 50);
        break;
      case 'appRoles': {
        const roles = list(value, name, appRole);
        guardEnabled(current.appRoles, roles);
        app.appRoles = roles;
        break;
      }
      case 'optionalClaims':
        app.optionalClaims = optionalClaims(value);
        break;
      case 'keyCredentials':
        app.keyCredentials = keyCredentials(value, current.keyCredentials);
        break;
      case 'api': {
        const api = fields(value, name, ['acceptMappedClaims', 'knownClientApplications', 'oauth2PermissionScopes', 'preAuthorizedApplications', 'requestedAccessTokenVersion']);
        if ('requestedAccessTokenVersion' in api) {
          const version = api['requestedAccessTokenVersion'];
          if (version !== null && version !== 1 && version !== 2) throw fail('requestedAccessTokenVersion');
          app.api.requestedAccessTokenVersion = version;
        }
        if ('oauth2PermissionScopes' in api) {
          const scopes = list(api['oauth2PermissionScopes'], 'oauth2PermissionScopes', scope);
          guardEnabled(current.api.oauth2PermissionScopes, scopes);
          app.api.oauth2PermissionScopes = scopes;
        }
        if ('knownClientApplications' in api) app.api.knownClientApplications = list(api['knownClientApplications'], 'knownClientApplications', (id) => guid(id, 'knownClientApplications'));
        if ('preAuthorizedApplications' in api) {
          (app.api as Record<string, unknown>)['preAuthorizedApplications'] = list(api['preAuthorizedApplications'], 'preAuthorizedApplications', (p) => {
            const pre = fields(p, 'preAuthorizedApplications', ['appId', 'delegatedPermissionIds']);
            return { appId: guid(pre['appId'], 'preAuthorizedApplications'), delegatedPermissionIds: list(pre['delegatedPermissionIds'], 'preAuthorizedApplications', (id) => guid(id, 'preAuthorizedApplications')) };
          });
        }
        if ('acceptMappedClaims' in api && api['acceptMappedClaims'] !== null) bool(api['acceptMappedClaims'], 'acceptMappedClaims');
        break;
      }
      case 'web': {
        const web = fields(value, name, ['redirectUris', 'logoutUrl', 'homePageUrl', 'implicitGrantSettings', 'redirectUriSettings']);
        const target = app.web as Record<string, unknown> & Application['web'];
        if ('redirectUris' in web) {
          target.redirectUris = redirectUris(web['redirectUris'], 'redirectUris', true);
          delete target['redirectUriSettings'];
        }
        if ('logoutUrl' in web) target.logoutUrl = web['logoutUrl'] === null ? null : redirectUri('logoutUrl', true)(web['logoutUrl']);
        if ('homePageUrl' in web) target['homePageUrl'] = web['homePageUrl'] === null ? null : redirectUri('homePageUrl', false)(web['homePageUrl']);
        if ('implicitGrantSettings' in web) {
          const implicit = fields(web['implicitGrantSettings'], 'implicitGrantSettings', ['enableIdTokenIssuance', 'enableAccessTokenIssuance']);
          const previous = (target['implicitGrantSettings'] ?? {}) as Record<string, boolean>;
          target['implicitGrantSettings'] = {
            enableIdTokenIssuance: 'enableIdTokenIssuance' in implicit ? bool(implicit['enableIdTokenIssuance'], 'enableIdTokenIssuance') : (previous['enableIdTokenIssuance'] ?? false),
            enableAccessTokenIssuance: 'enableAccessTokenIssuance' in implicit ? bool(implicit['enableAccessTokenIssuance'], 'enableAccessTokenIssuance') : (previous['enableAccessTokenIssuance'] ?? false),
          };
        }
        if ('redirectUriSettings' in web && !('redirectUris' in web)) list(web['redirectUriSettings'], 'redirectUriSettings', (s) => fields(s, 'redirectUriSettings', ['uri', 'index']));
        break;
      }
      case 'spa': {
        const spa = fields(value, name, ['redirectUris']);
        if ('redirectUris' in spa) app.spa = { ...app.spa, redirectUris: redirectUris(spa['redirectUris'], 'redirectUris', true) };
        break;
      }
      case 'publicClient': {
        const client = fields(value, name, ['redirectUris']);
        if ('redirectUris' in client) app.publicClient = { ...app.publicClient, redirectUris: redirectUris(client['redirectUris'], 'redirectUris', false) };
        break;
      }
      default:
        throw unknownProperty(name);
    }
  }
  return app;
}
