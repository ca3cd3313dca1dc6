/**
 * One manifest app against the tenant's current state: the steps that would make them equal
 * (create, update field by field, add), each with the Graph calls that perform it, and what is
 * already as declared. Computing a plan only reads; `apply` on each step writes.
 */
import { randomUUID } from 'node:crypto';
import { setEnvValue } from './env-file.ts';
import { provisionError } from './errors.ts';
import type { GraphClient } from './graph-client.ts';
import type { ManifestApp } from './manifest.ts';
import { permissionId, type Resource, type ResourceResolver } from './resources.ts';
import type { AppState } from './app-state.ts';
import { planConsent, planRoleAssignments, userId } from './access-plan.ts';
import { list, sorted, str, strings } from './json-read.ts';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** Ids learnt while applying: a created app's ids are needed by the steps after it. */
export interface AppContext {
  objectId: string | undefined;
  appId: string | undefined;
  spId: string | undefined;
}

export interface Step {
  action: 'create' | 'update' | 'add';
  what: string;
  changes?: FieldChange[];
  apply(ctx: AppContext): Promise<void>;
}

export interface AppPlan {
  name: string;
  steps: Step[];
  unchanged: string[];
  notes: string[];
  context: AppContext;
  /** This app as a resource for the apps after it (its permission ids, known or planned). */
  asResource: Resource;
}

export interface PlanDeps {
  graph: GraphClient;
  resolver: ResourceResolver;
  envFile: string;
  envValues: ReadonlyMap<string, string>;
  now: () => number;
}

type Json = Record<string, unknown>;

function scopeView(s: Json): Json {
  return {
    value: s['value'],
    type: s['type'],
    adminConsentDisplayName: s['adminConsentDisplayName'],
    adminConsentDescription: s['adminConsentDescription'],
    userConsentDisplayName: s['userConsentDisplayName'] ?? null,
    userConsentDescription: s['userConsentDescription'] ?? null,
    isEnabled: s['isEnabled'],
  };
}

function roleView(r: Json): Json {
  return { value: r['value'], displayName: r['displayName'], description: r['description'], allowedMemberTypes: sorted(strings(r['allowedMemberTypes'])), isEnabled: r['isEnabled'] };
}

const byValue = (a: Json, b: Json) => str(a['value']).localeCompare(str(b['value']));


export async function planApp(app: ManifestApp, state: AppState, deps: PlanDeps): Promise<AppPlan> {
  const { graph, resolver } = deps;
  const current = state.application;
  const context: AppContext = { objectId: current ? str(current['id']) : undefined, appId: current ? str(current['appId']) : undefined, spId: state.servicePrincipal ? str(state.servicePrincipal['id']) : undefined };
  const steps: Step[] = [];
  const unchanged: string[] = [];
  const notes: string[] = [];
  const users = new Map<string, string>();

  // Scope and role ids: kept for values that exist, new GUIDs (chosen here, as the portal does) for new ones.
  const currentScopes = list((current?.['api'] as Json | undefined)?.['oauth2PermissionScopes']);
  const currentRoles = list(current?.['appRoles']);
  const scopes = (app.api?.scopes ?? []).map((s) => ({
    id: str(currentScopes.find((c) => c['value'] === s.value)?.['id']) || randomUUID(),
    value: s.value,
    type: s.type,
    adminConsentDisplayName: s.adminConsentDisplayName,
    adminConsentDescription: s.adminConsentDescription,
    userConsentDisplayName: s.userConsentDisplayName ?? null,
    userConsentDescription: s.userConsentDescription ?? null,
    isEnabled: true,
  }));
  const roles = app.appRoles.map((r) => ({
    id: str(currentRoles.find((c) => c['value'] === r.value)?.['id']) || randomUUID(),
    value: r.value,
    displayName: r.displayName,
    description: r.description,
    allowedMemberTypes: r.allowedMemberTypes,
    isEnabled: true,
  }));

  // Permissions by name, resolved to ids through each resource (pending ids only in a dry run).
  const required: Array<{ resource: Resource; adminConsent: boolean; scopes: Array<{ name: string; id: string | undefined }>; roles: Array<{ name: string; id: string | undefined }> }> = [];
  for (const r of app.requiredResourceAccess) {
    const resource = await resolver.resolve(r.resource);
    required.push({
      resource,
      adminConsent: r.adminConsent,
      scopes: r.scopes.map((name) => ({ name, id: permissionId(resource, name, 'Scope') })),
      roles: r.roles.map((name) => ({ name, id: permissionId(resource, name, 'Role') })),
    });
  }
  // One entry per resource, even when the manifest lists a resource twice (e.g. consented roles, user-consented scopes).
  const requiredBody: Array<{ resourceAppId: string; resourceAccess: Array<{ id: string; type: 'Scope' | 'Role' }> }> = [];
  for (const r of required) {
    const resourceAppId = r.resource.appId ?? `(${r.resource.displayName}, not created yet)`;
    let entry = requiredBody.find((e) => e.resourceAppId === resourceAppId);
    if (!entry) requiredBody.push((entry = { resourceAppId, resourceAccess: [] }));
    for (const [kind, items] of [['Scope', r.scopes], ['Role', r.roles]] as const) {
      for (const item of items) if (!entry.resourceAccess.some((a) => a.id === item.id && a.type === kind)) entry.resourceAccess.push({ id: item.id ?? '', type: kind });
    }
  }
  const requiredView = async (value: unknown): Promise<string[]> => {
    const names: string[] = [];
    for (const entry of list(value)) {
      const resource = (await resolver.find(str(entry['resourceAppId']))) ?? undefined;
      for (const access of list(entry['resourceAccess'])) {
        const kind = access['type'] === 'Role' ? 'application' : 'delegated';
        const pool = access['type'] === 'Role' ? resource?.roles : resource?.scopes;
        const name = pool?.find((p) => p.id === access['id'])?.value ?? str(access['id']);
        names.push(`${resource?.displayName ?? str(entry['resourceAppId'])}: ${name} (${kind})`);
      }
    }
    return sorted(names);
  };
  const desiredRequiredView = sorted([...new Set(required.flatMap((r) => [...r.scopes.map((s) => `${r.resource.displayName}: ${s.name} (delegated)`), ...r.roles.map((s) => `${r.resource.displayName}: ${s.name} (application)`)]))]);

  const identifierUris = (appId: string | undefined) => (app.identifierUri === undefined ? undefined : [appId ? app.identifierUri.replace('{appId}', appId) : app.identifierUri]);

  // The fields the manifest manages, each as [name, current view, desired view, patch builder].
  const currentWeb = (current?.['web'] as Json | undefined) ?? {};
  const currentApi = (current?.['api'] as Json | undefined) ?? {};
  const fields: Array<{ field: string; from: unknown; to: unknown; patch: (body: Json) => void }> = [
    { field: 'signInAudience', from: current?.['signInAudience'], to: app.signInAudience, patch: (b) => (b['signInAudience'] = app.signInAudience) },
  ];
  const web = app.web;
  if (web) {
    const patchWeb = (b: Json) => {
      const keep = Object.fromEntries(['homePageUrl', 'implicitGrantSettings'].filter((k) => currentWeb[k] !== undefined).map((k) => [k, currentWeb[k]]));
      b['web'] = { ...keep, redirectUris: web.redirectUris, logoutUrl: web.logoutUrl };
    };
    fields.push({ field: 'web.redirectUris', from: sorted(strings(currentWeb['redirectUris'])), to: sorted(web.redirectUris), patch: patchWeb });
    fields.push({ field: 'web.logoutUrl', from: currentWeb['logoutUrl'] ?? null, to: web.logoutUrl, patch: patchWeb });
  }
  for (const key of ['spa', 'publicClient'] as const) {
    const declared = app[key];
    if (!declared) continue;
    fields.push({
      field: `${key}.redirectUris`,
      from: sorted(strings((current?.[key] as Json | undefined)?.['redirectUris'])),
      to: sorted(declared.redirectUris),
      patch: (b) => (b[key] = { redirectUris: declared.redirectUris }),
    });
  }
  if (app.identifierUri !== undefined) {
    fields.push({ field: 'identifierUris', from: strings(current?.['identifierUris']), to: identifierUris(context.appId), patch: (b) => (b['identifierUris'] = identifierUris(context.appId)) });
  }
  const api = app.api;
  if (api) {
    const patchApi = (b: Json) => {
      const keep = Object.fromEntries(['acceptMappedClaims', 'knownClientApplications', 'preAuthorizedApplications'].filter((k) => currentApi[k] !== undefined).map((k) => [k, currentApi[k]]));
      b['api'] = { ...keep, requestedAccessTokenVersion: api.requestedAccessTokenVersion, oauth2PermissionScopes: scopes };
    };
    fields.push({ field: 'api.requestedAccessTokenVersion', from: currentApi['requestedAccessTokenVersion'] ?? null, to: api.requestedAccessTokenVersion, patch: patchApi });
    fields.push({ field: 'api.oauth2PermissionScopes', from: currentScopes.map(scopeView).sort(byValue), to: scopes.map(scopeView).sort(byValue), patch: patchApi });
  }
  const groupClaims = app.groupMembershipClaims;
  if (groupClaims !== undefined) {
    fields.push({ field: 'groupMembershipClaims', from: current?.['groupMembershipClaims'] ?? null, to: groupClaims, patch: (b) => (b['groupMembershipClaims'] = groupClaims) });
  }
  fields.push({ field: 'appRoles', from: currentRoles.map(roleView).sort(byValue), to: roles.map(roleView).sort(byValue), patch: (b) => (b['appRoles'] = roles) });
  fields.push({ field: 'requiredResourceAccess', from: await requiredView(current?.['requiredResourceAccess']), to: desiredRequiredView, patch: (b) => (b['requiredResourceAccess'] = requiredBody) });

  if (!current) {
    steps.push({
      action: 'create',
      what: 'application',
      changes: fields.map((f) => ({ field: f.field, from: undefined, to: f.to })),
      async apply(ctx) {
        const body: Json = { displayName: app.name };
        for (const f of fields) if (f.field !== 'identifierUris') f.patch(body);
        const created = (await graph.post('/applications', body)) ?? {};
        ctx.objectId = str(created['id']);
        ctx.appId = str(created['appId']);
        if (!ctx.objectId || !ctx.appId) throw provisionError('PROVISION_GRAPH_FAILED', 'POST /applications answered without id and appId');
        // api://{appId} can only be set once the appId exists.
        if (app.identifierUri !== undefined) await graph.patch(`/applications/${ctx.objectId}`, { identifierUris: identifierUris(ctx.appId) });
      },
    });
  } else {
    const changed = fields.filter((f) => JSON.stringify(f.from) !== JSON.stringify(f.to));
    if (changed.length === 0) unchanged.push('application');
    else {
      steps.push({
        action: 'update',
        what: 'application',
        changes: changed.map((f) => ({ field: f.field, from: f.from, to: f.to })),
        async apply(ctx) {
          // Graph refuses to remove an enabled scope or role: disable those first, then remove.
          const removedScopes = currentScopes.filter((s) => s['isEnabled'] === true && !scopes.some((d) => d.id === s['id']));
          const removedRoles = currentRoles.filter((r) => r['isEnabled'] === true && !roles.some((d) => d.id === r['id']));
          if (removedScopes.length > 0 || removedRoles.length > 0) {
            const disable: Json = {};
            if (removedScopes.length > 0) disable['api'] = { ...currentApi, oauth2PermissionScopes: currentScopes.map((s) => (removedScopes.includes(s) ? { ...s, isEnabled: false } : s)) };
            if (removedRoles.length > 0) disable['appRoles'] = currentRoles.map((r) => (removedRoles.includes(r) ? { ...r, isEnabled: false } : r));
            await graph.patch(`/applications/${ctx.objectId}`, disable);
          }
          const body: Json = {};
          for (const f of changed) f.patch(body);
          await graph.patch(`/applications/${ctx.objectId}`, body);
        },
      });
    }
  }

  // Owners (added; an owner not in the manifest is left alone, so nobody loses access by accident).
  const missingOwners = app.owners.filter((upn) => !state.owners.has(upn.toLowerCase()));
  for (const upn of missingOwners) {
    const id = await userId(graph, upn, users);
    steps.push({
      action: 'add',
      what: `owner ${upn}`,
      apply: async (ctx) => void (await graph.post(`/applications/${ctx.objectId}/owners/$ref`, { '@odata.id': `${graph.baseUrl}/directoryObjects/${id}` })),
    });
  }
  if (app.owners.length > 0 && missingOwners.length === 0) unchanged.push(`owners (${app.owners.join(', ')})`);
  const extraOwners = [...state.owners].filter((upn) => !app.owners.some((o) => o.toLowerCase() === upn));
  if (extraOwners.length > 0) notes.push(`owners not in the manifest are kept: ${extraOwners.join(', ')}`);

  // Client secret: one with this display name that has not expired is enough.
  const secret = app.secret;
  if (secret) {
    const valid = list(current?.['passwordCredentials']).find((c) => c['displayName'] === secret.displayName && Date.parse(str(c['endDateTime'])) > deps.now());
    if (valid) {
      unchanged.push(`secret "${secret.displayName}" (expires ${str(valid['endDateTime']).slice(0, 10)})`);
      if (!deps.envValues.has(secret.envVar)) notes.push(`${secret.envVar} is not in ${deps.envFile}: a secret is only shown once; remove the "${secret.displayName}" credential to get a new one`);
    } else {
      const endDateTime = new Date(deps.now() + secret.expiresInDays * 86_400_000).toISOString();
      steps.push({
        action: 'add',
        what: `secret "${secret.displayName}" (expires ${endDateTime.slice(0, 10)}) → ${secret.envVar} in ${deps.envFile}`,
        async apply(ctx) {
          const added = (await graph.post(`/applications/${ctx.objectId}/addPassword`, { passwordCredential: { displayName: secret.displayName, endDateTime } })) ?? {};
          const value = added['secretText'];
          if (typeof value !== 'string' || value === '') throw provisionError('PROVISION_GRAPH_FAILED', 'addPassword answered without secretText');
          // Written once, owner-only; never printed.
          await setEnvValue(deps.envFile, secret.envVar, value);
        },
      });
    }
  }
  const clientIdVar = app.clientIdEnvVar;
  if (clientIdVar) {
    if (context.appId && deps.envValues.get(clientIdVar) === context.appId) unchanged.push(`${clientIdVar} in ${deps.envFile}`);
    else steps.push({ action: 'update', what: `${clientIdVar} in ${deps.envFile}`, apply: async (ctx) => setEnvValue(deps.envFile, clientIdVar, ctx.appId ?? '') });
  }

  // Service principal, then what is granted to it and through it.
  if (app.servicePrincipal) {
    if (state.servicePrincipal) unchanged.push('service principal');
    else {
      steps.push({
        action: 'create',
        what: 'service principal',
        async apply(ctx) {
          const created = (await graph.post('/servicePrincipals', { appId: ctx.appId })) ?? {};
          ctx.spId = str(created['id']);
          if (!ctx.spId) throw provisionError('PROVISION_GRAPH_FAILED', 'POST /servicePrincipals answered without id');
        },
      });
    }
    await planConsent(required.filter((r) => r.adminConsent), state, context, deps, steps, unchanged);
    await planRoleAssignments(app, roles, context, deps, users, steps, unchanged);
  }

  return {
    name: app.name,
    steps,
    unchanged,
    notes,
    context,
    asResource: {
      displayName: app.name,
      appId: context.appId,
      spId: context.spId,
      // Removed scopes and roles stay nameable, so a dry run can say what the apps after this one lose.
      scopes: [...scopes, ...currentScopes.filter((c) => !scopes.some((s) => s.id === c['id']))].map((s) => ({ id: str(s['id']), value: str(s['value']) })),
      roles: [...roles, ...currentRoles.filter((c) => !roles.some((r) => r.id === c['id']))].map((r) => ({ id: str(r['id']), value: str(r['value']), allowedMemberTypes: strings(r['allowedMemberTypes']) })),
    },
  };
}
