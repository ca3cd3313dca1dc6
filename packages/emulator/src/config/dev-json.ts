import type { ConfiguredDevJson, DevJsonApp } from '../dev-json.ts';
import type { AppliedTenant } from './apply-config.ts';

/** dev.json for configured tenants: every tenant, its users (with passwords) and apps (with secrets). */
export function configuredDevJson(emulator: ConfiguredDevJson['emulator'], tenants: AppliedTenant[]): ConfiguredDevJson {
  const url = emulator.url;
  const nameCount = new Map<string, number>();
  for (const t of tenants) for (const a of t.apps) nameCount.set(a.name, (nameCount.get(a.name) ?? 0) + 1);
  const allApps: Record<string, DevJsonApp> = {};
  const described = tenants.map((t) => {
    const apps: Record<string, DevJsonApp> = {};
    for (const a of t.apps) {
      const app: DevJsonApp = { tenantId: t.id, authority: `${url}/${t.id}`, clientId: a.clientId, displayName: a.displayName, clientSecrets: a.clientSecrets, redirectUris: a.redirectUris };
      if (a.clientSecrets[0] !== undefined) app.clientSecret = a.clientSecrets[0];
      if (a.redirectUris[0] !== undefined) app.redirectUri = a.redirectUris[0];
      if (a.identifierUris[0] !== undefined) app.scope = `${a.identifierUris[0]}/.default`;
      apps[a.name] = app;
      allApps[(nameCount.get(a.name) ?? 0) > 1 ? `${a.name}@${t.domain}` : a.name] = app;
    }
    return { id: t.id, domain: t.domain, displayName: t.displayName, authority: `${url}/${t.id}`, users: t.users, apps };
  });
  const first = tenants[0]!;
  return {
    emulator,
    tenantId: first.id,
    authority: `${url}/${first.id}`,
    graphBaseUrl: `${url}/v1.0`,
    tenants: described,
    apps: allApps,
    users: tenants.flatMap((t) => t.users),
  };
}
