/**
 * A user's group memberships read from Graph with the app's own token, arranged as a tree: the
 * groups the user is a direct member of, and every inherited group with the chain of nested
 * groups that brings it. Graph gives `transitiveMemberOf` (all groups, flat) and `memberOf`
 * (direct); the nesting between groups comes from each group's group members.
 */
import type { AppGraph } from './app-graph.ts';

export interface GroupInfo {
  id: string;
  displayName: string;
  securityEnabled: boolean;
}

export interface Membership extends GroupInfo {
  /** The groups from a direct group up to this one's child: [] for a direct membership. */
  via: GroupInfo[];
}

/** One node of the tree: a group and the groups it is itself a member of. */
export interface GroupNode {
  group: GroupInfo;
  parents: GroupNode[];
}

export interface UserGroups {
  memberships: Membership[];
  /** Roots are the direct groups; each node's children are the groups it belongs to. */
  tree: GroupNode[];
  /** Graph pages read for transitiveMemberOf (more than one means nextLink was followed). */
  pages: number;
}

const GROUP_TYPE = '#microsoft.graph.group';
const SELECT = '$select=id,displayName,securityEnabled';
/** Page size asked for; Graph's default is 100 and its maximum 999 for these relations. */
const PAGE = 100;
/** Parallel Graph requests while resolving the nesting (Graph throttles bursts per app). */
const CONCURRENCY = 6;

function toGroup(item: Record<string, unknown>): GroupInfo | undefined {
  // Directory roles and administrative units also appear in memberOf: only groups are kept.
  if (item['@odata.type'] !== undefined && item['@odata.type'] !== GROUP_TYPE) return undefined;
  if (typeof item['id'] !== 'string') return undefined;
  return { id: item['id'], displayName: typeof item['displayName'] === 'string' ? item['displayName'] : item['id'], securityEnabled: item['securityEnabled'] === true };
}

async function inBatches<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += CONCURRENCY) results.push(...(await Promise.all(items.slice(i, i + CONCURRENCY).map(run))));
  return results;
}

export async function readUserGroups(graph: AppGraph, userId: string): Promise<UserGroups> {
  const user = encodeURIComponent(userId);
  const [transitive, direct] = await Promise.all([
    graph.getAll(`/users/${user}/transitiveMemberOf?${SELECT}&$top=${PAGE}`),
    graph.getAll(`/users/${user}/memberOf?${SELECT}&$top=${PAGE}`),
  ]);
  const groups = new Map<string, GroupInfo>();
  for (const item of transitive.items) {
    const group = toGroup(item);
    if (group) groups.set(group.id, group);
  }
  const directIds = direct.items.map(toGroup).filter((g): g is GroupInfo => g !== undefined && groups.has(g.id)).map((g) => g.id);

  // Nesting only matters when some group is inherited; a user in many groups, all direct, costs no more requests.
  const parents = new Map<string, string[]>();
  if (directIds.length < groups.size) {
    const children = await inBatches([...groups.keys()], async (id) => ({
      id,
      members: (await graph.getAll(`/groups/${encodeURIComponent(id)}/members/microsoft.graph.group?$select=id&$top=${PAGE}`)).items,
    }));
    for (const { id, members } of children) {
      for (const member of members) {
        const childId = typeof member['id'] === 'string' ? member['id'] : undefined;
        if (childId && groups.has(childId)) parents.set(childId, [...(parents.get(childId) ?? []), id]);
      }
    }
  }

  // Breadth first from the direct groups: each inherited group gets its shortest chain.
  const via = new Map<string, string[]>(directIds.map((id) => [id, []]));
  const queue = [...directIds];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const parent of parents.get(id) ?? []) {
      if (via.has(parent)) continue;
      via.set(parent, [...via.get(id)!, id]);
      queue.push(parent);
    }
  }
  const byName = (a: GroupInfo, b: GroupInfo) => a.displayName.localeCompare(b.displayName);
  const memberships = [...groups.values()]
    .map((group) => ({ ...group, via: (via.get(group.id) ?? []).map((id) => groups.get(id)!) }))
    .sort((a, b) => a.via.length - b.via.length || byName(a, b));

  // The tree repeats a group reached along two chains; a cycle (Entra forbids them) stops at the repeat.
  const node = (id: string, path: Set<string>): GroupNode => ({
    group: groups.get(id)!,
    parents: (parents.get(id) ?? []).filter((p) => !path.has(p)).map((p) => node(p, new Set([...path, p]))).sort((a, b) => byName(a.group, b.group)),
  });
  const tree = directIds.map((id) => node(id, new Set([id]))).sort((a, b) => byName(a.group, b.group));
  return { memberships, tree, pages: transitive.pages };
}

/** What the ID token says about groups: the ids, an overage pointer, or nothing (not configured). */
export type GroupsClaim = { kind: 'ids'; ids: string[] } | { kind: 'overage'; source: string | undefined } | { kind: 'absent' };

export function groupsClaim(claims: Readonly<Record<string, unknown>>): GroupsClaim {
  const names = claims['_claim_names'];
  if (names && typeof names === 'object' && typeof (names as Record<string, unknown>)['groups'] === 'string') {
    const sourceName = (names as Record<string, string>)['groups']!;
    const sources = claims['_claim_sources'] as Record<string, { endpoint?: unknown }> | undefined;
    const endpoint = sources?.[sourceName]?.endpoint;
    return { kind: 'overage', source: typeof endpoint === 'string' ? endpoint : undefined };
  }
  const groups = claims['groups'];
  if (Array.isArray(groups)) return { kind: 'ids', ids: groups.filter((g): g is string => typeof g === 'string') };
  return { kind: 'absent' };
}
