import { roleDisplayName } from '../rbac/index.js';

export interface Organization {
  id: string;
  name: string;
  display_name: string;
  description: string;
  icon: string;
  created_at: Date;
  updated_at: Date;
  is_default: boolean;
  deleted: boolean;
  workspace_sharing_disabled: boolean;
}

export interface OrganizationMember {
  user_id: string;
  organization_id: string;
  created_at: Date;
  updated_at: Date;
  roles: string[];
}

export interface OrganizationMemberWithUser extends OrganizationMember {
  username: string;
  name: string;
  email: string;
  avatar_url: string;
  global_roles: string[];
}

export interface Group {
  id: string;
  name: string;
  organization_id: string;
  avatar_url: string;
  quota_allowance: number;
  display_name: string;
}

export function organizationJson(o: Organization) {
  return {
    id: o.id,
    name: o.name,
    display_name: o.display_name,
    description: o.description,
    icon: o.icon,
    created_at: o.created_at.toISOString(),
    updated_at: o.updated_at.toISOString(),
    is_default: o.is_default,
  };
}

export function memberJson(m: OrganizationMemberWithUser) {
  return {
    user_id: m.user_id,
    organization_id: m.organization_id,
    created_at: m.created_at.toISOString(),
    updated_at: m.updated_at.toISOString(),
    username: m.username,
    name: m.name,
    email: m.email,
    avatar_url: m.avatar_url,
    roles: m.roles.map((name) => ({ name, display_name: roleDisplayName(name), organization_id: m.organization_id })),
    global_roles: m.global_roles.map((name) => ({ name, display_name: roleDisplayName(name) })),
  };
}

export function groupJson(g: Group, members: { id: string; username: string; email: string; name: string; avatar_url: string }[]) {
  return {
    id: g.id,
    name: g.name,
    display_name: g.display_name,
    organization_id: g.organization_id,
    avatar_url: g.avatar_url,
    quota_allowance: g.quota_allowance,
    members,
    total_member_count: members.length,
    source: 'user',
  };
}
