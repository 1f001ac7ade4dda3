import { roleDisplayName } from '../rbac/index.js';

export type UserStatus = 'active' | 'suspended' | 'dormant';
export type LoginType = 'password' | 'github' | 'oidc' | 'token' | 'none' | 'oauth2_provider_app';

export interface User {
  id: string;
  email: string;
  username: string;
  name: string;
  status: UserStatus;
  rbac_roles: string[];
  login_type: LoginType;
  avatar_url: string;
  created_at: Date;
  updated_at: Date;
  last_seen_at: Date;
  deleted: boolean;
  is_system: boolean;
  is_service_account: boolean;
}

export interface UserWithPassword extends User {
  hashed_password: Buffer;
}

/** What a request's subject is built from (GetAuthorizationUserRoles). */
export interface AuthorizationUserRoles {
  id: string;
  username: string;
  status: UserStatus;
  roles: string[];
  memberships: {
    org_id: string;
    roles: string[];
    sharing_disabled: boolean;
    member_role: { org: unknown; member: unknown } | null;
  }[];
  groups: string[];
}

/** Coder's codersdk.User. */
export interface UserJson {
  id: string;
  username: string;
  name: string;
  email: string;
  created_at: string;
  updated_at: string;
  last_seen_at: string;
  status: UserStatus;
  login_type: LoginType;
  theme_preference: string;
  organization_ids: string[];
  roles: { name: string; display_name: string }[];
  avatar_url: string;
}

export function userJson(u: User, organizationIds: string[]): UserJson {
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    email: u.email,
    created_at: u.created_at.toISOString(),
    updated_at: u.updated_at.toISOString(),
    last_seen_at: u.last_seen_at.toISOString(),
    status: u.status,
    login_type: u.login_type,
    theme_preference: '',
    organization_ids: organizationIds,
    roles: u.rbac_roles.map((name) => ({ name, display_name: roleDisplayName(name) })),
    avatar_url: u.avatar_url,
  };
}

/** Coder's name rule for usernames, workspace and template names: `^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$`, 1–32. */
export function nameValid(name: string): string | undefined {
  if (name.length === 0) return 'Must be at least 1 character.';
  if (name.length > 32) return 'Must be 32 characters or fewer.';
  if (!/^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$/.test(name)) return 'Must be alphanumeric with hyphens.';
  return undefined;
}

export function emailValid(email: string): boolean {
  return /^[^\s@]+@[^\s@]+$/.test(email);
}
