import type { Router } from '../../server/router.js';
import { sendJson } from '../../server/respond.js';
import type { ControlPlaneContext } from '../deps.js';
import { Fields, readObject } from '../httpapi/body.js';
import { badRequest, conflict, forbidden, resourceNotFound } from '../httpapi/errors.js';
import { sendNoContent } from '../httpapi/route.js';
import { NotAuthorizedError } from '../dbauthz/store.js';
import { resolveUser } from '../users/service.js';
import { nameValid } from '../users/types.js';
import { addMember, createOrganization, getSharingSettings, patchSharingSettings, resolveOrg, updateMemberRoles } from './service.js';
import { groupJson, memberJson, organizationJson } from './types.js';

export function registerOrgRoutes(router: Router, cp: ControlPlaneContext): void {
  const { route } = cp;

  router.get(
    '/api/v2/organizations',
    route.authed(async (ctx, _req, res) => {
      sendJson(res, 200, (await ctx.store.orgs.getOrganizations()).map(organizationJson));
    }),
  );

  router.post(
    '/api/v2/organizations',
    route.authed(async (ctx, req, res) => {
      sendJson(res, 201, organizationJson(await createOrganization(ctx, await readObject(req))));
    }),
  );

  router.get(
    '/api/v2/organizations/{organization}',
    route.authed(async (ctx, _req, res, p) => {
      sendJson(res, 200, organizationJson(await resolveOrg(ctx, p.organization!)));
    }),
  );

  router.get(
    '/api/v2/organizations/{organization}/members',
    route.authed(async (ctx, _req, res, p) => {
      const org = await resolveOrg(ctx, p.organization!);
      sendJson(res, 200, (await ctx.store.orgs.getOrganizationMembers(org.id)).map(memberJson));
    }),
  );

  const memberOut = async (cp2: ControlPlaneContext, orgId: string, userId: string) => {
    const all = await cp2.system.orgs.getOrganizationMembers(orgId);
    const m = all.find((x) => x.user_id === userId);
    if (!m) throw resourceNotFound();
    return memberJson(m);
  };

  router.post(
    '/api/v2/organizations/{organization}/members/{user}',
    route.authed(async (ctx, _req, res, p) => {
      const org = await resolveOrg(ctx, p.organization!);
      const user = await resolveUser(ctx, p.user!);
      await addMember(ctx, org, user);
      sendJson(res, 201, await memberOut(cp, org.id, user.id));
    }),
  );

  router.put(
    '/api/v2/organizations/{organization}/members/{user}/roles',
    route.authed(async (ctx, req, res, p) => {
      const org = await resolveOrg(ctx, p.organization!);
      const user = await resolveUser(ctx, p.user!);
      await updateMemberRoles(ctx, org, user, await readObject(req));
      sendJson(res, 200, await memberOut(cp, org.id, user.id));
    }),
  );

  router.delete(
    '/api/v2/organizations/{organization}/members/{user}',
    route.authed(async (ctx, _req, res, p) => {
      const org = await resolveOrg(ctx, p.organization!);
      const user = await resolveUser(ctx, p.user!);
      if (!(await ctx.store.orgs.getOrganizationMember(org.id, user.id))) throw resourceNotFound();
      try {
        await ctx.store.orgs.deleteOrganizationMember(org.id, user.id);
      } catch (err) {
        if (err instanceof NotAuthorizedError) throw forbidden();
        throw err;
      }
      sendNoContent(res);
    }),
  );

  router.get(
    '/api/v2/organizations/{organization}/settings/workspace-sharing',
    route.authed(async (ctx, _req, res, p) => {
      sendJson(res, 200, await getSharingSettings(ctx, p.organization!));
    }),
  );

  router.patch(
    '/api/v2/organizations/{organization}/settings/workspace-sharing',
    route.authed(async (ctx, req, res, p) => {
      sendJson(res, 200, await patchSharingSettings(ctx, p.organization!, await readObject(req)));
    }),
  );

  // Groups.

  const groupOut = async (g: { id: string; organization_id: string } & Parameters<typeof groupJson>[0]) => {
    const members = await cp.system.orgs.getGroupMembers(g.id, g.organization_id);
    return groupJson(
      g,
      members.map(({ id, username, email, name, avatar_url }) => ({ id, username, email, name, avatar_url })),
    );
  };

  router.get(
    '/api/v2/organizations/{organization}/groups',
    route.authed(async (ctx, _req, res, p) => {
      const org = await resolveOrg(ctx, p.organization!);
      const groups = await ctx.store.orgs.getGroupsByOrganizationID(org.id);
      sendJson(res, 200, await Promise.all(groups.map(groupOut)));
    }),
  );

  router.post(
    '/api/v2/organizations/{organization}/groups',
    route.authed(async (ctx, req, res, p) => {
      const org = await resolveOrg(ctx, p.organization!);
      const f = new Fields(await readObject(req));
      const name = f.string('name', { required: true });
      const displayName = f.string('display_name') ?? '';
      const avatarUrl = f.string('avatar_url') ?? '';
      const quota = f.number('quota_allowance', { min: 0, integer: true }) ?? 0;
      if (name !== undefined) {
        const bad = nameValid(name);
        if (bad) f.check('name', false, bad);
        f.check('name', name.toLowerCase() !== 'everyone', 'The name "Everyone" is reserved.');
      }
      f.done();
      try {
        const g = await ctx.store.orgs.insertGroup({ name: name!, orgId: org.id, displayName, avatarUrl, quotaAllowance: quota });
        sendJson(res, 201, await groupOut(g));
      } catch (err) {
        if (err instanceof NotAuthorizedError) throw forbidden();
        if ((err as { code?: string }).code === '23505') throw conflict(`A group named "${name}" already exists.`);
        throw err;
      }
    }),
  );

  router.get(
    '/api/v2/groups/{group}',
    route.authed(async (ctx, _req, res, p) => {
      const g = await ctx.store.orgs.getGroupByID(p.group!);
      if (!g) throw resourceNotFound();
      sendJson(res, 200, await groupOut(g));
    }),
  );

  router.patch(
    '/api/v2/groups/{group}',
    route.authed(async (ctx, req, res, p) => {
      const g = await ctx.store.orgs.getGroupByID(p.group!);
      if (!g) throw resourceNotFound();
      const f = new Fields(await readObject(req));
      const add = f.stringArray('add_users') ?? [];
      const remove = f.stringArray('remove_users') ?? [];
      f.check('add_users', g.id !== g.organization_id || (add.length === 0 && remove.length === 0), 'Cannot change the members of the Everyone group.');
      f.done();
      for (const u of add) {
        if (!(await cp.system.orgs.getOrganizationMember(g.organization_id, u))) {
          throw badRequest(`User "${u}" is not a member of the group's organization.`);
        }
      }
      try {
        await ctx.store.orgs.updateGroupMembers(g, add, remove);
      } catch (err) {
        if (err instanceof NotAuthorizedError) throw forbidden();
        throw err;
      }
      sendJson(res, 200, await groupOut(g));
    }),
  );

  router.delete(
    '/api/v2/groups/{group}',
    route.authed(async (ctx, _req, res, p) => {
      const g = await ctx.store.orgs.getGroupByID(p.group!);
      if (!g) throw resourceNotFound();
      if (g.id === g.organization_id) throw badRequest('The Everyone group cannot be deleted.');
      try {
        await ctx.store.orgs.deleteGroupByID(g);
      } catch (err) {
        if (err instanceof NotAuthorizedError) throw forbidden();
        throw err;
      }
      sendJson(res, 200, { message: 'Group deleted.' });
    }),
  );
}
