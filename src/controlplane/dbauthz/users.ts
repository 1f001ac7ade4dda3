import { insertApiKey, type NewApiKey } from '../../db/queries/api-keys.js';
import * as keys from '../api-keys/queries.js';
import type { ApiKey } from '../api-keys/types.js';
import * as orgq from '../orgs/queries.js';
import { apiKeyObject, canAssignRole, systemObject, userObject } from '../rbac/index.js';
import * as q from '../users/queries.js';
import type { AuthorizationUserRoles, User, UserStatus, UserWithPassword } from '../users/types.js';
import { NotAuthorizedError } from './errors.js';
import type { Store } from './store.js';

export class UsersAuthz {
  constructor(private readonly s: Store) {}

  async getUserByID(id: string): Promise<User | undefined> {
    return this.s.check(await q.getUserByID(this.s.q, id), 'read', (u) => userObject(u.id));
  }

  /** Includes the password hash: for login, under a system subject. */
  async getUserByEmailOrUsername(ref: string): Promise<UserWithPassword | undefined> {
    return this.s.check(await q.getUserByEmailOrUsername(this.s.q, ref), 'read', (u) => userObject(u.id));
  }

  async getUsers(f: Parameters<typeof q.getUsers>[1]): Promise<User[]> {
    return this.s.filter(await q.getUsers(this.s.q, f), 'read', (u) => userObject(u.id));
  }

  async getAuthorizationUserRoles(id: string): Promise<AuthorizationUserRoles | undefined> {
    this.s.authorize('read', systemObject());
    return q.getAuthorizationUserRoles(this.s.q, id);
  }

  async getActiveUserCount(): Promise<number> {
    this.s.authorize('read', systemObject());
    return q.getActiveUserCount(this.s.q);
  }

  async getOrganizationIDsByMemberIDs(ids: string[]): Promise<Map<string, string[]>> {
    for (const id of ids) this.s.authorize('read', userObject(id));
    return q.getOrganizationIDsByMemberIDs(this.s.q, ids);
  }

  /** Creates a user and its memberships; site roles need assign rights for each role given. */
  async insertUser(p: q.InsertUserParams, orgIds: string[]): Promise<User> {
    this.s.authorize('create', { type: 'user' });
    for (const role of p.rbacRoles) this.authorizeAssign(role, 'assign');
    for (const orgId of orgIds) this.s.authorize('create', { type: 'organization_member', orgId });
    const user = await q.insertUser(this.s.q, p);
    for (const orgId of orgIds) await orgq.insertOrganizationMember(this.s.q, orgId, user.id, []);
    return user;
  }

  async updateUserStatus(id: string, status: UserStatus): Promise<User> {
    this.s.authorize('update', userObject(id));
    return q.updateUserStatus(this.s.q, id, status);
  }

  /** Replaces the site roles; each role added needs `assign`, each removed `unassign`. */
  async updateUserRoles(id: string, before: string[], after: string[]): Promise<User> {
    for (const r of after.filter((x) => !before.includes(x))) this.authorizeAssign(r, 'assign');
    for (const r of before.filter((x) => !after.includes(x))) this.authorizeAssign(r, 'unassign');
    return q.updateUserRoles(this.s.q, id, after);
  }

  async updateUserHashedPassword(id: string, hashed: Buffer): Promise<void> {
    this.s.authorize('update_personal', userObject(id));
    await q.updateUserHashedPassword(this.s.q, id, hashed);
  }

  async updateUserLastSeenAt(id: string, at: Date): Promise<void> {
    this.s.authorize('update', userObject(id));
    await q.updateUserLastSeenAt(this.s.q, id, at);
  }

  private authorizeAssign(role: string, action: 'assign' | 'unassign'): void {
    this.s.authorize(action, { type: 'assign_role' });
    if (this.s.subject.type === 'system') return;
    if (!canAssignRole(this.s.subject.roles, role)) throw new NotAuthorizedError(this.s.subject.friendlyName, action, `role ${role}`);
  }

  // API keys: owned by their user.

  async insertAPIKey(k: NewApiKey): Promise<{ id: string; token: string; expiresAt: Date }> {
    this.s.authorize('create', apiKeyObject('', k.userId));
    return insertApiKey(this.s.q, k);
  }

  async getAPIKeyByID(id: string): Promise<ApiKey | undefined> {
    return this.s.check(await keys.getAPIKeyByID(this.s.q, id), 'read', (k) => apiKeyObject(k.id, k.user_id));
  }

  async getAPIKeyByName(userId: string, name: string): Promise<ApiKey | undefined> {
    return this.s.check(await keys.getAPIKeyByName(this.s.q, userId, name), 'read', (k) => apiKeyObject(k.id, k.user_id));
  }

  async getAPIKeysByUserID(userId: string, loginType: string): Promise<ApiKey[]> {
    return this.s.filter(await keys.getAPIKeysByUserID(this.s.q, userId, loginType), 'read', (k) => apiKeyObject(k.id, k.user_id));
  }

  async deleteAPIKeyByID(id: string): Promise<boolean> {
    const k = await keys.getAPIKeyByID(this.s.q, id);
    if (!k) return false;
    this.s.authorize('delete', apiKeyObject(k.id, k.user_id));
    await keys.deleteAPIKeyByID(this.s.q, id);
    return true;
  }

  async deleteAPIKeysByUserID(userId: string): Promise<void> {
    this.s.authorize('delete', apiKeyObject('', userId));
    await keys.deleteAPIKeysByUserID(this.s.q, userId);
  }
}
