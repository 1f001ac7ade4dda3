/**
 * RBAC vocabulary, after coder/coder's `coderd/rbac`: a subject (who acts) holds roles; a role
 * grants permissions at four levels (site, organization, owner-of-the-object, and owner within
 * an organization); an object names its type, owner, organization and ACLs.
 */

/** One grant or denial (`negate`) of an action on a resource type; `*` matches any. */
export interface Permission {
  negate: boolean;
  resource_type: string;
  action: string;
}

export interface OrgPermissions {
  /** Apply to every object of the organization. */
  org: Permission[];
  /** Apply to objects of the organization that the subject owns. */
  member: Permission[];
}

export interface Role {
  /** `owner`, or `organization-admin` with its organization in `orgId`. */
  name: string;
  orgId?: string;
  displayName: string;
  site: Permission[];
  /** Apply to objects the subject owns, in any organization. */
  user: Permission[];
  byOrg: Record<string, OrgPermissions>;
}

export interface Subject {
  /** The user id, or a fixed id for system subjects. */
  id: string;
  friendlyName: string;
  type: 'user' | 'system';
  roles: Role[];
  /** Group ids the user belongs to (the implicit "Everyone" group is not listed). */
  groups: string[];
  /** Organizations the subject is a member of. */
  orgIds: string[];
  /**
   * API key scopes: `all` (or `coder:all`) allows everything the roles allow; otherwise
   * `resource:action` entries (`*` for either part) limit the key.
   */
  scopes: string[];
}

/** What an action is checked against. ACL maps are id → allowed actions. */
export interface RbacObject {
  type: string;
  id?: string;
  owner?: string;
  orgId?: string;
  aclUsers?: Record<string, string[]>;
  aclGroups?: Record<string, string[]>;
}
