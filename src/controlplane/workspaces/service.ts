import { NotAuthorizedError, type Store } from '../dbauthz/store.js';
import { buildsOut, buildWorkspace } from '../builds/service.js';
import type { BuildParameter } from '../builds/types.js';
import type { ControlPlaneContext } from '../deps.js';
import { Fields } from '../httpapi/body.js';
import type { RequestContext } from '../httpapi/context.js';
import { badRequest, conflict, forbidden, resourceNotFound, validationFailed } from '../httpapi/errors.js';
import { uniqueNameWith } from '../names/index.js';
import type { Organization } from '../orgs/types.js';
import { workspaceAclActions, workspaceRoleActions, workspaceRoleOf, type WorkspaceAcl, type WorkspaceRole } from '../rbac/index.js';
import type { Template } from '../templates/types.js';
import { nameValid, type User } from '../users/types.js';
import { workspaceJson, type Workspace } from './types.js';

const NS_PER_MS = 1_000_000;

export async function resolveWorkspace(ctx: RequestContext, id: string): Promise<Workspace> {
  const w = await ctx.store.workspaces.getWorkspaceByID(id);
  if (!w) throw resourceNotFound();
  return w;
}

/** Workspaces as Coder's Workspace JSON, each with its latest build. */
export async function workspacesOut(s: Store, ws: Workspace[]) {
  const latest = await s.builds.getLatestWorkspaceBuildsByWorkspaceIDs(ws);
  const byWs = new Map(latest.map((b) => [b.workspace_id, b]));
  const out = [];
  for (const w of ws) {
    const b = byWs.get(w.id);
    const build = b ? (await buildsOut(s, w, [b]))[0] : undefined;
    out.push(workspaceJson(w, build, !!b && b.template_version_id !== w.template_active_version_id));
  }
  return out;
}

export function parseRichParameters(f: Fields, body: Record<string, unknown>): BuildParameter[] {
  const raw = body.rich_parameter_values;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((p) => typeof p?.name !== 'string' || typeof p?.value !== 'string')) {
    f.check('rich_parameter_values', false, 'Must be an array of {name, value} strings.');
    return [];
  }
  return raw.map((p: { name: string; value: string }) => ({ name: p.name, value: p.value }));
}

/**
 * POST /api/v2/organizations/{org}/members/{user}/workspaces (and /api/v2/users/{user}/workspaces):
 * the workspace and its first (start) build, in one transaction. A missing name is generated.
 */
export async function createWorkspace(cp: ControlPlaneContext, ctx: RequestContext, owner: User, org: Organization | undefined, body: Record<string, unknown>) {
  const f = new Fields(body);
  const templateId = f.uuid('template_id');
  const versionId = f.uuid('template_version_id');
  const name = f.string('name') || uniqueNameWith('-');
  const autostart = f.string('autostart_schedule') || null;
  const ttlMs = f.number('ttl_ms', { min: 0, integer: true });
  const params = parseRichParameters(f, body);
  f.check('template_id', !!templateId || !!versionId, 'Either template_id or template_version_id is required.');
  f.check('template_id', !(templateId && versionId), 'Only one of template_id and template_version_id may be given.');
  const bad = nameValid(name);
  if (bad) f.check('name', false, bad);
  f.done();

  // As in Coder, a template the caller may not read "doesn't exist" (400, not 404).
  const notFoundAsUndefined = <T>(p: Promise<T>) => p.catch((err) => (err instanceof NotAuthorizedError ? undefined : Promise.reject(err)));
  let template: Template | undefined;
  if (templateId) template = await notFoundAsUndefined(ctx.store.templates.getTemplateByID(templateId));
  else {
    const v = await notFoundAsUndefined(ctx.store.templates.getTemplateVersionByID(versionId!));
    if (v?.template_id) template = await notFoundAsUndefined(ctx.store.templates.getTemplateByID(v.template_id));
  }
  if (!template || template.deleted) throw validationFailed([{ field: 'template_id', detail: `Template "${templateId ?? versionId}" doesn't exist.` }]);
  if (org && template.organization_id !== org.id) throw badRequest('The template is in another organization.');
  if (!(await ctx.store.asSystem('systemRestricted').orgs.getOrganizationMember(template.organization_id, owner.id))) {
    throw badRequest(`User "${owner.username}" is not a member of the template's organization.`);
  }
  if (await ctx.store.asSystem('systemRestricted').workspaces.getWorkspaceByOwnerIDAndName(owner.id, name)) {
    throw conflict(`Workspace "${name}" already exists.`, undefined);
  }
  try {
    const w = await ctx.store.tx(async (s) => {
      const id = await s.workspaces.insertWorkspace({
        ownerId: owner.id,
        orgId: template.organization_id,
        templateId: template.id,
        name,
        autostartSchedule: autostart,
        ttlNs: ttlMs !== undefined ? ttlMs * NS_PER_MS : template.default_ttl,
      });
      const ws = (await s.asSystem('systemRestricted').workspaces.getWorkspaceByID(id))!;
      await buildWorkspace(s, ws, { transition: 'start', initiatorId: ctx.userId, templateVersionId: versionId, richParameterValues: params });
      return ws;
    });
    cp.jobQueued();
    return (await workspacesOut(ctx.store, [w]))[0];
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    if ((err as { code?: string }).code === '23505') throw conflict(`Workspace "${name}" already exists.`);
    throw err;
  }
}

/** Sharing is off deployment-wide or in the workspace's organization: the ACL endpoints answer 403. */
async function assertSharingEnabled(cp: ControlPlaneContext, w: Workspace): Promise<void> {
  if (cp.config.disableWorkspaceSharing) throw forbidden('Workspace sharing is disabled for this deployment.');
  const org = await cp.system.orgs.getOrganizationUnchecked(w.organization_id);
  if (org?.workspace_sharing_disabled) throw forbidden('Workspace sharing is disabled for this organization.');
}

/** PATCH /api/v2/workspaces/{id}/acl `{user_roles: {id: role}, group_roles: {id: role}}`; '' removes. */
export async function patchWorkspaceAcl(cp: ControlPlaneContext, ctx: RequestContext, w: Workspace, body: Record<string, unknown>): Promise<void> {
  await assertSharingEnabled(cp, w);
  if (!ctx.store.workspaces.can('share', w)) throw forbidden();
  const f = new Fields(body);
  const users = f.stringMap('user_roles') ?? {};
  const groups = f.stringMap('group_roles') ?? {};
  f.done();
  const problems: { field: string; detail: string }[] = [];
  const userAcl: WorkspaceAcl = { ...w.user_acl };
  const groupAcl: WorkspaceAcl = { ...w.group_acl };
  for (const [id, role] of Object.entries(users)) {
    if (!['admin', 'use', ''].includes(role)) problems.push({ field: `user_roles.${id}`, detail: `Invalid role "${role}".` });
    else if (id === w.owner_id) problems.push({ field: `user_roles.${id}`, detail: 'The owner cannot be given a role.' });
    else if (!(await cp.system.orgs.getOrganizationMember(w.organization_id, id).catch(() => undefined))) {
      problems.push({ field: `user_roles.${id}`, detail: 'Not a member of the workspace organization.' });
    } else if (role === '') delete userAcl[id];
    else userAcl[id] = { permissions: workspaceRoleActions(role as WorkspaceRole) };
  }
  for (const [id, role] of Object.entries(groups)) {
    const g = id === w.organization_id ? { organization_id: id } : await cp.system.orgs.getGroupByID(id).catch(() => undefined);
    if (!['admin', 'use', ''].includes(role)) problems.push({ field: `group_roles.${id}`, detail: `Invalid role "${role}".` });
    else if (!g || g.organization_id !== w.organization_id) problems.push({ field: `group_roles.${id}`, detail: 'No such group in the workspace organization.' });
    else if (role === '') delete groupAcl[id];
    else groupAcl[id] = { permissions: workspaceRoleActions(role as WorkspaceRole) };
  }
  if (problems.length) throw validationFailed(problems);
  try {
    await ctx.store.workspaces.updateWorkspaceACLByID(w, userAcl, groupAcl);
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    throw err;
  }
}

export async function deleteWorkspaceAcl(cp: ControlPlaneContext, ctx: RequestContext, w: Workspace): Promise<void> {
  await assertSharingEnabled(cp, w);
  try {
    await ctx.store.workspaces.deleteWorkspaceACLByID(w);
  } catch (err) {
    if (err instanceof NotAuthorizedError) throw forbidden();
    throw err;
  }
}

export async function workspaceAclOut(cp: ControlPlaneContext, w: Workspace) {
  const users = [];
  for (const [id, actions] of Object.entries(workspaceAclActions(w.user_acl))) {
    const u = await cp.system.users.getUserByID(id);
    if (u) users.push({ id: u.id, username: u.username, name: u.name, avatar_url: u.avatar_url, role: workspaceRoleOf(actions) });
  }
  const group = [];
  for (const [id, actions] of Object.entries(workspaceAclActions(w.group_acl))) {
    const g = await cp.system.orgs.getGroupByID(id).catch(() => undefined);
    if (g) group.push({ id: g.id, name: g.name, display_name: g.display_name, organization_id: g.organization_id, role: workspaceRoleOf(actions) });
  }
  return { users, group };
}
