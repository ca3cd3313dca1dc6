import type { Hono } from 'hono';
import { newGuid } from '../directory/ids.ts';
import type { User } from '../directory/types.ts';
import { findUser } from './directory-lookup.ts';
import { toItem, USER_SHAPE } from './entity-shapes.ts';
import type { GraphEnv, GraphRouteContext } from './graph-app.ts';
import { GraphError } from './graph-error.ts';
import { entityBody } from './odata-response.ts';
import { readJsonObject } from './request-body.ts';
import { applyUserProperties } from './user-input.ts';
import { requireUserWrite } from './write-permissions.ts';
import { explain } from '../request-log/record-requests.ts';

function duplicateUserPrincipalName(): GraphError {
  return new GraphError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.', {
    details: [{ code: 'ObjectConflict', target: 'userPrincipalName' }],
  });
}

/**
 * `POST /users`, `PATCH /users/{id | userPrincipalName}` and `DELETE /users/{id}`: Graph's user
 * writes. A new password changes the user's credential stamp (their refresh tokens then get
 * AADSTS50173); disabling the account is a revocation event, so refresh tokens get AADSTS50057,
 * SSO sessions end and Graph answers CAE tokens with a claims challenge, as after
 * revokeSignInSessions.
 */
export function userWriteRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext): void {
  const { directory, responder, clock } = context;
  const domainsOf = (tenantId: string) => [directory.findTenant(tenantId)?.domain.toLowerCase() ?? ''];

  graph.post('/users', async (c) => {
    const caller = c.get('caller');
    requireUserWrite(directory, caller);
    const body = await readJsonObject(c);
    const blank: User = { id: newGuid(), displayName: '', userPrincipalName: '', mail: null, givenName: null, surname: null, jobTitle: null, accountEnabled: true, userType: 'Member' };
    const { user, password } = applyUserProperties(blank, body, { creating: true, domains: domainsOf(caller.tenantId) });
    if (directory.userPrincipalNameTaken(caller.tenantId, user.userPrincipalName)) throw duplicateUserPrincipalName();
    const created: User = { ...user, createdDateTime: new Date(clock()).toISOString().replace(/\.\d+Z$/, 'Z') };
    directory.objects.insert('user', caller.tenantId, created.userPrincipalName, created);
    await directory.credentials.setPassword(created.id, password!);
    explain(c, `user ${created.userPrincipalName} created${created.accountEnabled ? '' : ' disabled: its sign-ins answer AADSTS50057'}`);
    c.header('Location', `${responder.publicUrl}/v2/${caller.tenantId}/directoryObjects/${created.id}/Microsoft.DirectoryServices.User`);
    return c.json(entityBody(new URL(c.req.url), toItem(USER_SHAPE, created, 'full'), responder), 201);
  });

  graph.patch('/users/:id', async (c) => {
    const caller = c.get('caller');
    // Refused before the body is read when no permission could allow any change.
    requireUserWrite(directory, caller, { accountEnabledOnly: true });
    const body = await readJsonObject(c);
    const accountEnabledOnly = Object.keys(body).every((k) => k === 'accountEnabled' || k.startsWith('@odata.'));
    requireUserWrite(directory, caller, { accountEnabledOnly });
    const current = findUser(directory, caller.tenantId, c.req.param('id'));
    const { user, password } = applyUserProperties(current, body, { creating: false, domains: domainsOf(caller.tenantId) });
    if (user.userPrincipalName !== current.userPrincipalName && directory.userPrincipalNameTaken(caller.tenantId, user.userPrincipalName, user.id)) throw duplicateUserPrincipalName();
    directory.objects.update('user', user.userPrincipalName, user);
    if (password !== undefined) {
      await directory.credentials.setPassword(user.id, password);
      explain(c, 'password changed: refresh tokens issued before it answer AADSTS50173');
    }
    if (current.accountEnabled && !user.accountEnabled) {
      directory.revokeSignInSessions(user.id, clock());
      explain(c, 'account disabled: sign-in and refresh answer AADSTS50057, SSO sessions end, CP1 Graph tokens get a claims challenge');
    }
    if (!current.accountEnabled && user.accountEnabled) explain(c, 'account enabled again: the user may sign in (earlier sessions stay revoked)');
    return c.body(null, 204);
  });

  graph.delete('/users/:id', (c) => {
    const caller = c.get('caller');
    requireUserWrite(directory, caller);
    const user = findUser(directory, caller.tenantId, c.req.param('id'));
    directory.deleteUserOrGroup('user', user.id);
    directory.revokeSignInSessions(user.id, clock());
    explain(c, `user ${user.userPrincipalName} deleted with its memberships, ownerships and roles; its sessions are revoked`);
    return c.body(null, 204);
  });
}
