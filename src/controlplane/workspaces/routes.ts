import { HttpError } from '../../errors.js';
import type { Router } from '../../server/router.js';
import { readBody, sendJson } from '../../server/respond.js';
import { buildsOut, buildWorkspace } from '../builds/service.js';
import { ClientBuildReasons, Transitions, type WorkspaceBuild } from '../builds/types.js';
import { NotAuthorizedError } from '../dbauthz/store.js';
import type { ControlPlaneContext } from '../deps.js';
import { Fields, readObject } from '../httpapi/body.js';
import type { RequestContext } from '../httpapi/context.js';
import { badRequest, conflict, forbidden, resourceNotFound } from '../httpapi/errors.js';
import { sendNoContent } from '../httpapi/route.js';
import { resolveOrg } from '../orgs/service.js';
import { resolveUser } from '../users/service.js';
import {
  createWorkspace,
  deleteWorkspaceAcl,
  parseRichParameters,
  patchWorkspaceAcl,
  resolveWorkspace,
  workspaceAclOut,
  workspacesOut,
} from './service.js';
import type { Workspace } from './types.js';

/** Largest provisioner state accepted by PUT …/state (Terraform states run 1–5 MB). */
const MaxStateBytes = 64 * 1024 * 1024;

async function resolveBuild(ctx: RequestContext, id: string): Promise<{ build: WorkspaceBuild; workspace: Workspace }> {
  const build = await ctx.store.builds.getWorkspaceBuildByID(id);
  if (!build) throw resourceNotFound();
  const workspace = await ctx.store.workspaces.getWorkspaceByID(build.workspace_id);
  if (!workspace) throw resourceNotFound();
  return { build, workspace };
}

export function registerWorkspaceRoutes(router: Router, cp: ControlPlaneContext): void {
  const { route } = cp;

  router.post(
    '/api/v2/organizations/{organization}/members/{user}/workspaces',
    route.authed(async (ctx, req, res, p) => {
      const org = await resolveOrg(ctx, p.organization!);
      const owner = await resolveUser(ctx, p.user!);
      sendJson(res, 201, await createWorkspace(cp, ctx, owner, org, await readObject(req)));
    }),
  );

  router.post(
    '/api/v2/users/{user}/workspaces',
    route.authed(async (ctx, req, res, p) => {
      const owner = await resolveUser(ctx, p.user!);
      sendJson(res, 201, await createWorkspace(cp, ctx, owner, undefined, await readObject(req)));
    }),
  );

  router.get(
    '/api/v2/workspaces',
    route.authed(async (ctx, _req, res, _p, url) => {
      const q = url.searchParams.get('q') ?? '';
      const terms = Object.fromEntries([...q.matchAll(/(\w+):(\S+)/g)].map((m) => [m[1], m[2]]));
      let ownerId: string | undefined;
      if (terms.owner) {
        const owner = terms.owner === 'me' ? ctx.userId : (await ctx.store.asSystem('systemRestricted').users.getUserByEmailOrUsername(terms.owner))?.id;
        if (!owner) return sendJson(res, 200, { workspaces: [], count: 0 });
        ownerId = owner;
      }
      const free = q.replace(/(\w+):(\S+)/g, '').trim();
      const ws = await ctx.store.workspaces.getWorkspaces({
        ownerId,
        name: terms.name ?? free,
        limit: Number(url.searchParams.get('limit') ?? 0) || undefined,
        offset: Number(url.searchParams.get('offset') ?? 0) || undefined,
      });
      const filtered = terms.template ? ws.filter((w) => w.template_name === terms.template) : ws;
      sendJson(res, 200, { workspaces: await workspacesOut(ctx.store, filtered), count: filtered.length });
    }),
  );

  router.get(
    '/api/v2/workspaces/{workspace}',
    route.authed(async (ctx, _req, res, p, url) => {
      const w = await resolveWorkspace(ctx, p.workspace!);
      if (w.deleted && url.searchParams.get('include_deleted') !== 'true') {
        throw new HttpError(410, `Workspace "${w.id}" was deleted, you can view this workspace by specifying '?include_deleted=true' and trying again.`);
      }
      sendJson(res, 200, (await workspacesOut(ctx.store, [w]))[0]);
    }),
  );

  router.get(
    '/api/v2/users/{user}/workspace/{workspacename}',
    route.authed(async (ctx, _req, res, p, url) => {
      const owner = await resolveUser(ctx, p.user!);
      const w = await ctx.store.workspaces.getWorkspaceByOwnerIDAndName(owner.id, p.workspacename!, url.searchParams.get('include_deleted') === 'true');
      if (!w) throw resourceNotFound();
      sendJson(res, 200, (await workspacesOut(ctx.store, [w]))[0]);
    }),
  );

  router.get(
    '/api/v2/workspaces/{workspace}/builds',
    route.authed(async (ctx, _req, res, p) => {
      const w = await resolveWorkspace(ctx, p.workspace!);
      sendJson(res, 200, await buildsOut(ctx.store, w, await ctx.store.builds.getWorkspaceBuildsByWorkspaceID(w)));
    }),
  );

  router.post(
    '/api/v2/workspaces/{workspace}/builds',
    route.authed(async (ctx, req, res, p) => {
      const w = await resolveWorkspace(ctx, p.workspace!);
      const body = await readObject(req, MaxStateBytes * 2);
      const f = new Fields(body);
      const transition = f.oneOf('transition', Transitions, { required: true });
      const versionId = f.uuid('template_version_id');
      const reason = f.oneOf('reason', ClientBuildReasons);
      const stateB64 = f.string('state');
      const params = parseRichParameters(f, body);
      f.check('dry_run', body.dry_run !== true, 'Dry runs are not supported.');
      f.done();
      const state = stateB64 ? Buffer.from(stateB64, 'base64') : undefined;
      const build = await ctx.store
        .tx((s) => buildWorkspace(s, w, { transition: transition!, initiatorId: ctx.userId, templateVersionId: versionId, reason, state, richParameterValues: params }))
        .catch((err) => {
          // Two builds raced for the same build number: the loser sees the winner's build as active.
          if ((err as { code?: string }).code === '23505') throw conflict('A workspace build is already active.');
          throw err;
        });
      cp.jobQueued();
      sendJson(res, 201, (await buildsOut(ctx.store, w, [build]))[0]);
    }),
  );

  router.get(
    '/api/v2/workspacebuilds/{workspacebuild}',
    route.authed(async (ctx, _req, res, p) => {
      const { build, workspace } = await resolveBuild(ctx, p.workspacebuild!);
      sendJson(res, 200, (await buildsOut(ctx.store, workspace, [build]))[0]);
    }),
  );

  router.get(
    '/api/v2/users/{user}/workspace/{workspacename}/builds/{buildnumber}',
    route.authed(async (ctx, _req, res, p) => {
      const owner = await resolveUser(ctx, p.user!);
      const w = await ctx.store.workspaces.getWorkspaceByOwnerIDAndName(owner.id, p.workspacename!, true);
      const n = Number(p.buildnumber);
      if (!w || !Number.isInteger(n)) throw resourceNotFound();
      const b = await ctx.store.builds.getWorkspaceBuildByWorkspaceIDAndBuildNumber(w, n);
      if (!b) throw resourceNotFound();
      sendJson(res, 200, (await buildsOut(ctx.store, w, [b]))[0]);
    }),
  );

  router.get(
    '/api/v2/workspacebuilds/{workspacebuild}/parameters',
    route.authed(async (ctx, _req, res, p) => {
      const { build } = await resolveBuild(ctx, p.workspacebuild!);
      sendJson(res, 200, await ctx.store.builds.getWorkspaceBuildParameters(build));
    }),
  );

  // Provisioner state: template:update, else 404 (reference §2.1). GET returns the raw bytes;
  // PUT replaces them on that build without a new build or job (coder/coder PR #21374).
  router.get(
    '/api/v2/workspacebuilds/{workspacebuild}/state',
    route.authed(async (ctx, _req, res, p) => {
      const { build } = await resolveBuild(ctx, p.workspacebuild!);
      const row = await ctx.store.builds.getWorkspaceBuildProvisionerStateByID(build.id);
      if (!row) throw resourceNotFound();
      const data = row.provisioner_state ?? Buffer.alloc(0);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': data.length });
      res.end(data);
    }),
  );

  router.put(
    '/api/v2/workspacebuilds/{workspacebuild}/state',
    route.authed(async (ctx, req, res, p) => {
      const { build } = await resolveBuild(ctx, p.workspacebuild!);
      const data = await readBody(req, MaxStateBytes);
      if (!(await ctx.store.builds.updateWorkspaceBuildProvisionerStateByID(build.id, data))) throw resourceNotFound();
      sendNoContent(res);
    }),
  );

  router.get(
    '/api/v2/workspaces/{workspace}/acl',
    route.authed(async (ctx, _req, res, p) => {
      const w = await resolveWorkspace(ctx, p.workspace!);
      sendJson(res, 200, await workspaceAclOut(cp, w));
    }),
  );

  router.patch(
    '/api/v2/workspaces/{workspace}/acl',
    route.authed(async (ctx, req, res, p) => {
      const w = await resolveWorkspace(ctx, p.workspace!);
      await patchWorkspaceAcl(cp, ctx, w, await readObject(req));
      sendNoContent(res);
    }),
  );

  router.delete(
    '/api/v2/workspaces/{workspace}/acl',
    route.authed(async (ctx, _req, res, p) => {
      const w = await resolveWorkspace(ctx, p.workspace!);
      await deleteWorkspaceAcl(cp, ctx, w);
      sendNoContent(res);
    }),
  );

  router.patch(
    '/api/v2/workspacebuilds/{workspacebuild}/cancel',
    route.authed(async (ctx, _req, res, p) => {
      const { build, workspace } = await resolveBuild(ctx, p.workspacebuild!);
      const job = (await ctx.store.jobs.getProvisionerJobsByIDs([build.job_id])).get(build.job_id);
      if (!job || !['pending', 'running'].includes(job.job_status)) throw badRequest('Job has already completed!');
      const action = workspace.template_allow_user_cancel_workspace_jobs ? build.transition : 'update';
      try {
        await ctx.store.jobs.updateProvisionerJobWithCancelByID(job, { action, object: ctx.store.workspaceObject(workspace) });
      } catch (err) {
        if (err instanceof NotAuthorizedError) throw forbidden();
        throw err;
      }
      sendJson(res, 200, { message: 'Job has been marked as canceled...' });
    }),
  );
}
