import type { Context, Hono } from 'hono';
import { newGuid } from '../directory/ids.ts';
import type { Group } from '../directory/types.ts';
import { directoryItems, findGroup } from './directory-lookup.ts';
import { GROUP_SHAPE, SERVICE_PRINCIPAL_SHAPE, toItem, USER_SHAPE } from './entity-shapes.ts';
import type { GraphEnv, GraphRouteContext } from './graph-app.ts';
import { GraphError, resourceNotFound } from './graph-error.ts';
import { collectionResponse, entityBody } from './odata-response.ts';
import { canReadGroups, requireAllowed } from './permissions.ts';
import { readJsonObject, referencedId, unknownProperty } from './request-body.ts';
import { requireGroupCreate, requireGroupMemberWrite, requireGroupWrite } from './write-permissions.ts';
import { explain } from '../request-log/record-requests.ts';

const REQUIRED_ON_CREATE = ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled'] as const;
const MAIL_NICKNAME = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]{1,64}$/;
type Relation = 'members' | 'owners';

function invalid(property: string): GraphError {
  return new GraphError(400, 'Request_BadRequest', `Invalid value specified for property '${property}' of resource 'Group'.`, { details: [{ code: 'InvalidValue', target: property }] });
}

function alreadyThere(relation: Relation): GraphError {
  return new GraphError(400, 'Request_BadRequest', `One or more added object references already exist for the following modified properties: '${relation}'.`);
}

/** Applies a POST or PATCH body to a group (`members@odata.bind`/`owners@odata.bind` are returned apart). */
function applyGroupProperties(current: Group, body: Record<string, unknown>, creating: boolean): { group: Group; binds: Partial<Record<Relation, string[]>> } {
  const group: Group = { ...current };
  const binds: Partial<Record<Relation, string[]>> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'members@odata.bind' || key === 'owners@odata.bind') {
      if (!creating) throw unknownProperty(key);
      if (!Array.isArray(value) || value.length > 20) throw invalid(key.split('@')[0]!);
      binds[key.split('@')[0] as Relation] = value.map((ref) => referencedId({ '@odata.id': ref }));
    } else if (key.startsWith('@odata.')) {
      continue;
    } else if (key === 'displayName') {
      if (typeof value !== 'string' || !value.trim() || value.length > 256) throw invalid(key);
      group.displayName = value;
    } else if (key === 'description') {
      if (value !== null && (typeof value !== 'string' || value.length > 1024)) throw invalid(key);
      group.description = value as string | null;
    } else if (key === 'mailNickname') {
      if (typeof value !== 'string' || !MAIL_NICKNAME.test(value)) throw invalid(key);
      group.mailNickname = value;
    } else if (key === 'mailEnabled' || key === 'securityEnabled') {
      if (typeof value !== 'boolean') throw invalid(key);
      group[key] = value;
    } else if (key === 'groupTypes') {
      if (!creating) throw invalid(key);
      if (!Array.isArray(value) || !value.every((t) => t === 'Unified')) throw invalid(key);
      group.groupTypes = [...new Set(value as string[])];
    } else if (key === 'visibility') {
      if (value !== null && !['Public', 'Private', 'HiddenMembership'].includes(value as string)) throw invalid(key);
      group.visibility = value as string | null;
    } else {
      throw unknownProperty(key);
    }
  }
  if (creating) {
    for (const required of REQUIRED_ON_CREATE) if (body[required] === undefined || body[required] === null) throw invalid(required);
    // Only Microsoft 365 (Unified) groups are mail-enabled; Graph creates no distribution lists.
    const unified = group.groupTypes?.includes('Unified') ?? false;
    if (group.mailEnabled !== unified) throw new GraphError(400, 'Request_BadRequest', 'Cannot Create a mail-enabled security groups and or distribution list.');
  }
  return { group, binds };
}

/**
 * `POST /groups`, `PATCH`/`DELETE /groups/{id}`, `GET /groups/{id}/owners`, and adding and removing
 * members and owners through `$ref` (`POST .../members/$ref` with `@odata.id`, `DELETE
 * .../members/{id}/$ref`). Membership changes show at once in `memberOf`, `transitiveMemberOf`
 * and the `groups` claim of the next tokens.
 */
export function groupWriteRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext): void {
  const { directory, responder, clock } = context;

  /** A member (user, group, service principal) or owner (user, service principal) of the caller's tenant. */
  function requireReferable(tenantId: string, relation: Relation, id: string, groupId: string): void {
    const object = directory.objects.getAny(id);
    const types = relation === 'members' ? ['user', 'group', 'servicePrincipal'] : ['user', 'servicePrincipal'];
    if (object?.tenantId !== tenantId || !types.includes(object.type)) throw resourceNotFound(id);
    if (id === groupId) throw new GraphError(400, 'Request_BadRequest', 'A group cannot be a member of itself.');
  }

  function add(relation: Relation, groupId: string, id: string): boolean {
    if (relation === 'owners') return directory.owners.add(groupId, id);
    if (directory.memberships.memberIds(groupId).includes(id)) return false;
    directory.memberships.add(groupId, id);
    return true;
  }

  graph.post('/groups', async (c) => {
    const caller = c.get('caller');
    requireGroupCreate(directory, caller);
    const blank: Group = { id: newGuid(), displayName: '', description: null, mailEnabled: false, securityEnabled: true };
    const { group, binds } = applyGroupProperties(blank, await readJsonObject(c), true);
    for (const relation of ['members', 'owners'] as const) for (const id of binds[relation] ?? []) requireReferable(caller.tenantId, relation, id, group.id);
    const created: Group = { ...group, createdDateTime: new Date(clock()).toISOString().replace(/\.\d+Z$/, 'Z') };
    directory.objects.insert('group', caller.tenantId, null, created);
    for (const relation of ['members', 'owners'] as const) for (const id of binds[relation] ?? []) add(relation, created.id, id);
    // A delegated creator becomes an owner unless the body named owners, as in Entra.
    if (caller.kind === 'delegated' && !binds.owners?.length) directory.owners.add(created.id, caller.objectId.toLowerCase());
    c.header('Location', `${responder.publicUrl}/v2/${caller.tenantId}/directoryObjects/${created.id}/Microsoft.DirectoryServices.Group`);
    return c.json(entityBody(new URL(c.req.url), toItem(GROUP_SHAPE, created, 'full'), responder), 201);
  });

  graph.patch('/groups/:id', async (c) => {
    const caller = c.get('caller');
    const current = findGroup(directory, caller.tenantId, c.req.param('id'));
    requireGroupWrite(directory, caller, current.id);
    const { group } = applyGroupProperties(current, await readJsonObject(c), false);
    directory.objects.update('group', null, group);
    return c.body(null, 204);
  });

  graph.delete('/groups/:id', (c) => {
    const caller = c.get('caller');
    const group = findGroup(directory, caller.tenantId, c.req.param('id'));
    requireGroupWrite(directory, caller, group.id);
    directory.deleteUserOrGroup('group', group.id);
    return c.body(null, 204);
  });

  graph.get('/groups/:id/owners', (c) => {
    const caller = c.get('caller');
    requireAllowed(canReadGroups(caller));
    const group = findGroup(directory, caller.tenantId, c.req.param('id'));
    const items = directoryItems(directory, caller, directory.owners.ownerIds(group.id));
    return collectionResponse(c, { items, shapes: [USER_SHAPE, SERVICE_PRINCIPAL_SHAPE], typeName: 'microsoft.graph.directoryObject', entitySet: 'directoryObjects', withType: true }, responder);
  });

  for (const relation of ['members', 'owners'] as const) {
    graph.post(`/groups/:id/${relation}/$ref`, async (c: Context<GraphEnv>) => {
      const caller = c.get('caller');
      const group = findGroup(directory, caller.tenantId, c.req.param('id') ?? '');
      requireGroupMemberWrite(directory, caller, group.id);
      const id = referencedId(await readJsonObject(c));
      requireReferable(caller.tenantId, relation, id, group.id);
      if (!add(relation, group.id, id)) throw alreadyThere(relation);
      if (relation === 'members') explain(c, `member added to ${group.displayName}: memberOf, transitiveMemberOf and the groups claim of new tokens include it`);
      return c.body(null, 204);
    });

    graph.delete(`/groups/:id/${relation}/:memberId/$ref`, (c: Context<GraphEnv>) => {
      const caller = c.get('caller');
      const group = findGroup(directory, caller.tenantId, c.req.param('id') ?? '');
      requireGroupMemberWrite(directory, caller, group.id);
      const id = (c.req.param('memberId') ?? '').toLowerCase();
      const removed = relation === 'members' ? directory.memberships.remove(group.id, id) : directory.owners.remove(group.id, id);
      if (!removed) throw resourceNotFound(id);
      if (relation === 'members') explain(c, `member removed from ${group.displayName}: new tokens' groups claim no longer lists the group`);
      return c.body(null, 204);
    });
  }
}
