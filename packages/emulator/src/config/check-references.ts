import { GRAPH_APP_ID, microsoftServicePrincipals, STORAGE_APP_ID } from '../protocol/microsoft-resources.ts';
import { appIdOf, appNameOf, GRAPH_NAMES, STORAGE_NAMES, tenantIdOf } from './config-names.ts';
import type { LoadedConfig } from './load-config.ts';
import type { ConfigApp } from './schema.ts';

/** Cross-references (members, resources, scopes) checked before anything is written. */
export function checkReferences(config: LoadedConfig['config']): string[] {
  const problems: string[] = [];
  const seenTenants = new Map<string, string>();
  config.tenants.forEach((t, ti) => {
    const at = `tenants[${ti}]`;
    const id = tenantIdOf(t);
    for (const [key, label] of [[id, 'id'], [t.domain.toLowerCase(), 'domain']] as const) {
      if (seenTenants.has(key)) problems.push(`${at}.${label}: same ${label} as ${seenTenants.get(key)}`);
      seenTenants.set(key, at);
    }
    const upns = new Set<string>();
    t.users.forEach((u, ui) => {
      const upn = u.userPrincipalName.toLowerCase();
      if (upns.has(upn)) problems.push(`${at}.users[${ui}].userPrincipalName: "${u.userPrincipalName}" is listed twice`);
      upns.add(upn);
      if (upn.split('@')[1] !== t.domain.toLowerCase()) problems.push(`${at}.users[${ui}].userPrincipalName: must end with @${t.domain} (users sign in to the tenant their domain names)`);
    });
    const groupNames = new Set(t.groups.map((g) => g.displayName.toLowerCase()));
    t.groups.forEach((g, gi) =>
      g.members.forEach((m, mi) => {
        if (!upns.has(m.toLowerCase()) && !groupNames.has(m.toLowerCase())) problems.push(`${at}.groups[${gi}].members[${mi}]: no user or group "${m}" in this tenant`);
        if (m.toLowerCase() === g.displayName.toLowerCase()) problems.push(`${at}.groups[${gi}].members[${mi}]: a group cannot contain itself`);
      }),
    );
    const names = new Map<string, number>();
    t.apps.forEach((a, ai) => {
      const name = appNameOf(a);
      if (names.has(name)) problems.push(`${at}.apps[${ai}].name: "${name}" is used by apps[${names.get(name)}] too (set "name")`);
      names.set(name, ai);
    });
    const appNames = (a: ConfigApp) => [appNameOf(a), a.displayName.toLowerCase(), appIdOf(id, a), ...a.identifierUris.map((u) => u.toLowerCase())];
    const findApp = (ref: string) => t.apps.find((a) => appNames(a).includes(ref.toLowerCase()) || (a.identifierUris.length === 0 && `api://${appIdOf(id, a)}` === ref.toLowerCase()));
    t.apps.forEach((a, ai) => {
      a.appRoles.forEach((r, ri) =>
        r.members.forEach((m, mi) => {
          if (!upns.has(m.toLowerCase()) && !groupNames.has(m.toLowerCase()) && !findApp(m)) problems.push(`${at}.apps[${ai}].appRoles[${ri}].members[${mi}]: no user, group or app "${m}" in this tenant`);
        }),
      );
      a.requiredPermissions.forEach((p, pi) => {
        const where = `${at}.apps[${ai}].requiredPermissions[${pi}]`;
        const lower = p.resource.toLowerCase();
        if (GRAPH_NAMES.has(lower) || STORAGE_NAMES.has(lower)) {
          const sp = microsoftServicePrincipals(id).find((s) => s.appId === (GRAPH_NAMES.has(lower) ? GRAPH_APP_ID : STORAGE_APP_ID))!;
          p.scopes.forEach((s, si) => sp.oauth2PermissionScopes.some((x) => x.value === s) || problems.push(`${where}.scopes[${si}]: "${s}" is not a delegated permission of ${sp.displayName} in the emulator`));
          p.roles.forEach((r, ri) => sp.appRoles.some((x) => x.value === r) || problems.push(`${where}.roles[${ri}]: "${r}" is not an application permission of ${sp.displayName} in the emulator`));
          return;
        }
        const target = findApp(p.resource);
        if (!target) return void problems.push(`${where}.resource: no app "${p.resource}" in this tenant (nor Microsoft Graph or Azure Storage)`);
        p.scopes.forEach((s, si) => target.scopes.some((x) => x.value === s) || problems.push(`${where}.scopes[${si}]: "${s}" is not a scope exposed by ${target.displayName}`));
        p.roles.forEach((r, ri) => target.appRoles.some((x) => x.value === r && x.allowedMemberTypes.includes('Application')) || problems.push(`${where}.roles[${ri}]: "${r}" is not an application role of ${target.displayName}`));
      });
    });
    const identityNames = new Set<string>();
    t.managedIdentities.forEach((m, mi) => {
      const where = `${at}.managedIdentities[${mi}]`;
      if (identityNames.has(m.name.toLowerCase())) problems.push(`${where}.name: "${m.name}" is listed twice`);
      identityNames.add(m.name.toLowerCase());
      m.roles.forEach((g, gi) => {
        const lower = g.resource.toLowerCase();
        const ms = GRAPH_NAMES.has(lower) || STORAGE_NAMES.has(lower) ? microsoftServicePrincipals(id).find((s) => s.appId === (GRAPH_NAMES.has(lower) ? GRAPH_APP_ID : STORAGE_APP_ID)) : undefined;
        const target = ms ? { displayName: ms.displayName, roles: ms.appRoles } : findApp(g.resource) ? { displayName: findApp(g.resource)!.displayName, roles: findApp(g.resource)!.appRoles.filter((r) => r.allowedMemberTypes.includes('Application')) } : undefined;
        if (!target) return void problems.push(`${where}.roles[${gi}].resource: no app "${g.resource}" in this tenant (nor Microsoft Graph or Azure Storage)`);
        g.roles.forEach((r, ri) => target.roles.some((x) => x.value === r) || problems.push(`${where}.roles[${gi}].roles[${ri}]: "${r}" is not an application permission of ${target.displayName}`));
      });
    });
  });
  // One host: at most one system-assigned identity answers when a request names no identity.
  const systemAssigned = config.tenants.flatMap((t, ti) => t.managedIdentities.map((m, mi) => ({ m, at: `tenants[${ti}].managedIdentities[${mi}]` }))).filter(({ m }) => m.type === 'SystemAssigned');
  for (const extra of systemAssigned.slice(1)) problems.push(`${extra.at}.type: only one system-assigned identity may be declared (the emulator is one host; ${systemAssigned[0]!.at} is it)`);
  return problems;
}

