import { NotAuthorizedError } from '../dbauthz/store.js';
import { Fields } from '../httpapi/body.js';
import type { RequestContext } from '../httpapi/context.js';
import { conflict, forbidden, resourceNotFound, validationFailed } from '../httpapi/errors.js';
import { organizationObject, OrgRoles } from '../rbac/index.js';
import { nameValid, type User } from '../users/types.js';
import type { Organization } from './types.js';

/** The `{organization}` of a path: id, name or "default"; 404 when missing or unreadable. */
export async function resolveOrg(ctx: RequestContext, ref: string): Promise<Organization> {
  const o = await ctx.store.orgs.getOrganization(ref);
  if (!o) throw resourceNotFound();
  return o;
}

export async function createOrganization(ctx: RequestContext, body: Record<string, unknown>): Promise<Organization> {
  const f = new Fields(body);
  const name = f.string('name', { required: true });
  const displayName = f.string('display_name') ?? '';
  const description = f.string('description') ?? '';
  const icon = f.string('icon') ?? '';
  if (name !== undefined) {
    const bad = nameValid(name);
    if (bad) f.check('name', false, bad);
  }
  f.done();
  if (await ctx.store.asSystem('systemRestricted').orgs.getOrganizationUnchecked(name!)) {
    throw conflict('Organization already exists with that name.');
  }
  try {
    return await ctx.store.tx(async (s) => {
      const org = await s.orgs.insertOrganization({ name: name!, displayName: displayName || name!, description, icon });
      // The creator becomes its admin (as in Coder), through the system: they may not yet be a member.
      await s.asSystem('systemRestricted').orgs.insertOrganizationMember(org.id, ctx.userId, ['organization-admin']);
      return org;
    });
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    throw err;
  }
}

function orgRolesFrom(f: Fields): string[] {
  const roles = (f.stringArray('roles') ?? []).filter((r) => r !== 'organization-member');
  for (const r of roles) f.check('roles', (OrgRoles as readonly string[]).includes(r), `Unknown organization role "${r}".`);
  return [...new Set(roles)];
}

export async function addMember(ctx: RequestContext, org: Organization, user: User) {
  if (await ctx.store.asSystem('systemRestricted').orgs.getOrganizationMember(org.id, user.id)) {
    throw conflict('User is already an organization member.');
  }
  try {
    return await ctx.store.orgs.insertOrganizationMember(org.id, user.id, []);
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    throw err;
  }
}

export async function updateMemberRoles(ctx: RequestContext, org: Organization, user: User, body: Record<string, unknown>) {
  const f = new Fields(body);
  const roles = orgRolesFrom(f);
  f.done();
  const m = await ctx.store.orgs.getOrganizationMember(org.id, user.id);
  if (!m) throw resourceNotFound();
  if (user.id === ctx.userId) throw validationFailed([{ field: 'roles', detail: 'You cannot change your own organization roles.' }]);
  try {
    return await ctx.store.orgs.updateMemberRoles(org.id, user.id, m.roles, roles);
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    throw err;
  }
}

/**
 * The sharing switch (reference §2.8). Both verbs answer 403 — not 404 — to a caller without
 * organization read (GET) or update (PATCH).
 */
export async function getSharingSettings(ctx: RequestContext, ref: string): Promise<{ sharing_disabled: boolean }> {
  const org = await ctx.store.asSystem('systemRestricted').orgs.getOrganizationUnchecked(ref);
  if (!org) throw resourceNotFound();
  if (!ctx.store.can('read', organizationObject(org.id))) throw forbidden();
  return { sharing_disabled: org.workspace_sharing_disabled };
}

export async function patchSharingSettings(ctx: RequestContext, ref: string, body: Record<string, unknown>): Promise<{ sharing_disabled: boolean }> {
  const org = await ctx.store.asSystem('systemRestricted').orgs.getOrganizationUnchecked(ref);
  if (!org) throw resourceNotFound();
  if (!ctx.store.can('update', organizationObject(org.id))) throw forbidden();
  const f = new Fields(body);
  const disabled = f.boolean('sharing_disabled');
  f.check('sharing_disabled', disabled !== undefined, 'Validation failed for tag "required" with value: ""');
  f.done();
  const updated = await ctx.store.tx((s) => s.orgs.updateOrganizationWorkspaceSharingSettings(org.id, disabled!));
  return { sharing_disabled: updated.workspace_sharing_disabled };
}
