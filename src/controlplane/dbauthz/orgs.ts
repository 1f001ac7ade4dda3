import * as q from '../orgs/queries.js';
import type { Group, Organization, OrganizationMember, OrganizationMemberWithUser } from '../orgs/types.js';
import { canAssignRole, groupObject, organizationMemberObject, organizationObject, orgMemberPermissions, type OrgPermissions } from '../rbac/index.js';
import * as wq from '../workspaces/queries.js';
import { NotAuthorizedError } from './errors.js';
import type { Store } from './store.js';

export class OrgsAuthz {
  constructor(private readonly s: Store) {}

  async getOrganizations(): Promise<Organization[]> {
    return this.s.filter(await q.getOrganizations(this.s.q), 'read', (o) => organizationObject(o.id));
  }

  /** By id, or by name ("default" names the default organization, as Coder's middleware allows). */
  async getOrganization(ref: string): Promise<Organization | undefined> {
    const row =
      ref === 'default'
        ? await q.getDefaultOrganization(this.s.q)
        : ((await q.getOrganizationByID(this.s.q, ref)) ?? (await q.getOrganizationByName(this.s.q, ref)));
    return this.s.check(row, 'read', (o) => organizationObject(o.id));
  }

  /** Loads an organization for the sharing endpoints without demanding read (they answer 403, not 404). */
  async getOrganizationUnchecked(ref: string): Promise<Organization | undefined> {
    return ref === 'default'
      ? q.getDefaultOrganization(this.s.q)
      : ((await q.getOrganizationByID(this.s.q, ref)) ?? (await q.getOrganizationByName(this.s.q, ref)));
  }

  async getDefaultOrganization(): Promise<Organization | undefined> {
    return this.s.check(await q.getDefaultOrganization(this.s.q), 'read', (o) => organizationObject(o.id));
  }

  /** Creates an organization, its Everyone group and its organization-member system role. */
  async insertOrganization(o: Parameters<typeof q.insertOrganization>[1]): Promise<Organization> {
    this.s.authorize('create', { type: 'organization' });
    const org = await q.insertOrganization(this.s.q, o);
    await q.insertGroup(this.s.q, { id: org.id, name: 'Everyone', orgId: org.id, displayName: '', avatarUrl: '', quotaAllowance: 0 });
    await q.upsertOrgMemberSystemRole(this.s.q, org.id, orgMemberPermissions(false));
    return org;
  }

  /**
   * Switches workspace sharing for one organization, in the caller's transaction: the flag, the
   * organization-member system role, and (when disabling) every workspace ACL of that org.
   */
  async updateOrganizationWorkspaceSharingSettings(orgId: string, disabled: boolean): Promise<Organization> {
    this.s.authorize('update', organizationObject(orgId));
    const org = await q.updateOrganizationWorkspaceSharingSettings(this.s.q, orgId, disabled);
    await q.upsertOrgMemberSystemRole(this.s.q, orgId, orgMemberPermissions(disabled));
    if (disabled) await wq.deleteWorkspaceACLsByOrganization(this.s.q, orgId);
    return org;
  }

  /** Writes the organization-member system role (startup reconciliation; system subjects). */
  async upsertOrgMemberSystemRole(orgId: string, perms: OrgPermissions): Promise<void> {
    this.s.authorize('update', { type: 'assign_org_role', orgId });
    await q.upsertOrgMemberSystemRole(this.s.q, orgId, perms);
  }

  async getOrgMemberSystemRole(orgId: string): Promise<OrgPermissions | undefined> {
    this.s.authorize('read', { type: 'assign_org_role', orgId });
    return q.getOrgMemberSystemRole(this.s.q, orgId);
  }

  // Members.

  async getOrganizationMember(orgId: string, userId: string): Promise<OrganizationMember | undefined> {
    return this.s.check(await q.getOrganizationMember(this.s.q, orgId, userId), 'read', (m) => organizationMemberObject(m.organization_id, m.user_id));
  }

  async getOrganizationMembers(orgId: string): Promise<OrganizationMemberWithUser[]> {
    return this.s.filter(await q.getOrganizationMembers(this.s.q, orgId), 'read', (m) => organizationMemberObject(m.organization_id, m.user_id));
  }

  async insertOrganizationMember(orgId: string, userId: string, roles: string[]): Promise<OrganizationMember> {
    this.s.authorize('create', organizationMemberObject(orgId, userId));
    for (const r of roles) this.authorizeOrgAssign(orgId, r, 'assign');
    return q.insertOrganizationMember(this.s.q, orgId, userId, roles);
  }

  async updateMemberRoles(orgId: string, userId: string, before: string[], after: string[]): Promise<OrganizationMember> {
    this.s.authorize('update', organizationMemberObject(orgId, userId));
    for (const r of after.filter((x) => !before.includes(x))) this.authorizeOrgAssign(orgId, r, 'assign');
    for (const r of before.filter((x) => !after.includes(x))) this.authorizeOrgAssign(orgId, r, 'unassign');
    return q.updateMemberRoles(this.s.q, orgId, userId, after);
  }

  async deleteOrganizationMember(orgId: string, userId: string): Promise<void> {
    this.s.authorize('delete', organizationMemberObject(orgId, userId));
    await q.deleteOrganizationMember(this.s.q, orgId, userId);
  }

  private authorizeOrgAssign(orgId: string, role: string, action: 'assign' | 'unassign'): void {
    this.s.authorize(action, { type: 'assign_org_role', orgId });
    if (this.s.subject.type === 'system') return;
    if (!canAssignRole(this.s.subject.roles, role, orgId)) throw new NotAuthorizedError(this.s.subject.friendlyName, action, `role ${role}`);
  }

  // Groups: members may read the groups they are in.

  private async groupObj(g: Group) {
    const members = await q.getGroupMembers(this.s.q, [g.id]);
    return groupObject(g.id, g.organization_id, members.map((m) => m.id));
  }

  async getGroupByID(id: string): Promise<Group | undefined> {
    const g = await q.getGroupByID(this.s.q, id);
    if (!g) return undefined;
    this.s.authorize('read', await this.groupObj(g));
    return g;
  }

  async getGroupsByOrganizationID(orgId: string): Promise<Group[]> {
    const out: Group[] = [];
    for (const g of await q.getGroupsByOrganizationID(this.s.q, orgId)) if (this.s.can('read', await this.groupObj(g))) out.push(g);
    return out;
  }

  async getGroupsByIDs(ids: string[]): Promise<Group[]> {
    const out: Group[] = [];
    for (const g of await q.getGroupsByIDs(this.s.q, ids)) if (this.s.can('read', await this.groupObj(g))) out.push(g);
    return out;
  }

  async getGroupMembers(groupId: string, orgId: string): Promise<q.GroupMemberRow[]> {
    this.s.authorize('read', { type: 'group_member', orgId });
    return q.getGroupMembers(this.s.q, [groupId]);
  }

  async insertGroup(g: Parameters<typeof q.insertGroup>[1]): Promise<Group> {
    this.s.authorize('create', groupObject('', g.orgId));
    return q.insertGroup(this.s.q, g);
  }

  async updateGroupMembers(group: Group, add: string[], remove: string[]): Promise<void> {
    this.s.authorize('update', groupObject(group.id, group.organization_id));
    for (const u of add) await q.insertGroupMember(this.s.q, group.id, u);
    for (const u of remove) await q.deleteGroupMemberFromGroup(this.s.q, group.id, u);
  }

  async deleteGroupByID(group: Group): Promise<void> {
    this.s.authorize('delete', groupObject(group.id, group.organization_id));
    await q.deleteGroupByID(this.s.q, group.id);
  }
}
