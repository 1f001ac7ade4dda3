import type { Router } from '../../server/router.js';
import { sendJson } from '../../server/respond.js';
import type { ControlPlaneContext } from '../deps.js';
import { readObject } from '../httpapi/body.js';
import { resourceNotFound } from '../httpapi/errors.js';
import { resolveOrg } from '../orgs/service.js';
import { resourcesJson } from '../provisioner/types.js';
import {
  createTemplate,
  createTemplateVersion,
  deleteTemplate,
  patchTemplateAcl,
  resolveTemplate,
  resolveTemplateVersion,
  setActiveVersion,
  templateAclOut,
  updateTemplateMeta,
  versionOut,
} from './service.js';
import { templateJson, templateVersionParameterJson } from './types.js';

export function registerTemplateRoutes(router: Router, cp: ControlPlaneContext): void {
  const { route } = cp;

  router.post(
    '/api/v2/organizations/{organization}/templateversions',
    route.authed(async (ctx, req, res, p) => {
      const org = await resolveOrg(ctx, p.organization!);
      sendJson(res, 201, await createTemplateVersion(cp, ctx, org, await readObject(req)));
    }),
  );

  router.get(
    '/api/v2/templateversions/{templateversion}',
    route.authed(async (ctx, _req, res, p) => {
      sendJson(res, 200, await versionOut(ctx.store, await resolveTemplateVersion(ctx, p.templateversion!)));
    }),
  );

  router.get(
    '/api/v2/templateversions/{templateversion}/rich-parameters',
    route.authed(async (ctx, _req, res, p) => {
      const v = await resolveTemplateVersion(ctx, p.templateversion!);
      sendJson(res, 200, (await ctx.store.templates.getTemplateVersionParameters(v)).map(templateVersionParameterJson));
    }),
  );

  router.get(
    '/api/v2/templateversions/{templateversion}/resources',
    route.authed(async (ctx, _req, res, p) => {
      const v = await resolveTemplateVersion(ctx, p.templateversion!);
      const { resources, agents } = await ctx.store.jobs.getResourcesByJobIDs([v.job_id]);
      sendJson(res, 200, resourcesJson(resources, agents));
    }),
  );

  router.post(
    '/api/v2/organizations/{organization}/templates',
    route.authed(async (ctx, req, res, p) => {
      const org = await resolveOrg(ctx, p.organization!);
      sendJson(res, 201, templateJson(await createTemplate(ctx, org, await readObject(req))));
    }),
  );

  router.get(
    '/api/v2/organizations/{organization}/templates',
    route.authed(async (ctx, _req, res, p) => {
      const org = await resolveOrg(ctx, p.organization!);
      sendJson(res, 200, (await ctx.store.templates.getTemplates(org.id)).map((t) => templateJson(t)));
    }),
  );

  router.get(
    '/api/v2/organizations/{organization}/templates/{templatename}',
    route.authed(async (ctx, _req, res, p) => {
      const org = await resolveOrg(ctx, p.organization!);
      const t = await ctx.store.templates.getTemplateByOrganizationAndName(org.id, p.templatename!);
      if (!t) throw resourceNotFound();
      sendJson(res, 200, templateJson(t));
    }),
  );

  router.get(
    '/api/v2/templates',
    route.authed(async (ctx, _req, res) => {
      sendJson(res, 200, (await ctx.store.templates.getTemplates()).map((t) => templateJson(t)));
    }),
  );

  router.get(
    '/api/v2/templates/{template}',
    route.authed(async (ctx, _req, res, p) => {
      sendJson(res, 200, templateJson(await resolveTemplate(ctx, p.template!)));
    }),
  );

  router.patch(
    '/api/v2/templates/{template}',
    route.authed(async (ctx, req, res, p) => {
      const t = await resolveTemplate(ctx, p.template!);
      sendJson(res, 200, templateJson(await updateTemplateMeta(ctx, t, await readObject(req))));
    }),
  );

  router.delete(
    '/api/v2/templates/{template}',
    route.authed(async (ctx, _req, res, p) => {
      await deleteTemplate(ctx, await resolveTemplate(ctx, p.template!));
      sendJson(res, 200, { message: 'Template has been deleted!' });
    }),
  );

  router.get(
    '/api/v2/templates/{template}/versions',
    route.authed(async (ctx, _req, res, p) => {
      const t = await resolveTemplate(ctx, p.template!);
      const versions = await ctx.store.templates.getTemplateVersionsByTemplateID(t);
      sendJson(res, 200, await Promise.all(versions.map((v) => versionOut(ctx.store, v))));
    }),
  );

  router.patch(
    '/api/v2/templates/{template}/versions',
    route.authed(async (ctx, req, res, p) => {
      await setActiveVersion(ctx, await resolveTemplate(ctx, p.template!), await readObject(req));
      sendJson(res, 200, { message: 'Updated the active template version!' });
    }),
  );

  router.get(
    '/api/v2/templates/{template}/acl',
    route.authed(async (ctx, _req, res, p) => {
      sendJson(res, 200, await templateAclOut(cp, await resolveTemplate(ctx, p.template!)));
    }),
  );

  router.patch(
    '/api/v2/templates/{template}/acl',
    route.authed(async (ctx, req, res, p) => {
      await patchTemplateAcl(ctx, await resolveTemplate(ctx, p.template!), await readObject(req));
      sendJson(res, 200, { message: 'Successfully updated template ACL list.' });
    }),
  );
}
