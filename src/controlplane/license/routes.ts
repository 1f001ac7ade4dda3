import { randomUUID } from 'node:crypto';
import type { Router } from '../../server/router.js';
import { sendJson } from '../../server/respond.js';
import { NotAuthorizedError } from '../dbauthz/store.js';
import type { ControlPlaneContext } from '../deps.js';
import { Fields, readObject } from '../httpapi/body.js';
import { badRequest, forbidden, resourceNotFound } from '../httpapi/errors.js';
import { licenseObject } from '../rbac/index.js';
import { isUuid } from '../ids.js';
import { parseLicense, type LicenseService } from './service.js';

export function registerLicenseRoutes(router: Router, cp: ControlPlaneContext, licenses: LicenseService): void {
  const { route } = cp;

  router.get(
    '/api/v2/entitlements',
    route.authed(async (_ctx, _req, res) => {
      sendJson(res, 200, await licenses.changed());
    }),
  );

  router.post(
    '/api/v2/licenses',
    route.authed(async (ctx, req, res) => {
      if (!ctx.store.can('create', licenseObject())) throw forbidden();
      const f = new Fields(await readObject(req));
      const jwt = f.string('license', { required: true });
      f.done();
      const parsed = await parseLicense(jwt!.trim(), licenses.keys);
      if (!parsed.claims) throw badRequest('Invalid license', parsed.error);
      const exp = parsed.claims.exp ?? parsed.claims.license_expires;
      if (!exp || exp * 1000 <= Date.now()) throw badRequest('License has expired.');
      try {
        const row = await ctx.store.licenses.insertLicense({ jwt: jwt!.trim(), exp: new Date(exp * 1000), uuid: isUuid(parsed.id) ? parsed.id : randomUUID() });
        await licenses.changed();
        sendJson(res, 201, { id: row.id, uuid: row.uuid, uploaded_at: row.uploaded_at.toISOString(), claims: parsed.claims });
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw badRequest('License already uploaded.');
        throw err;
      }
    }),
  );

  router.get(
    '/api/v2/licenses',
    route.authed(async (ctx, _req, res) => {
      const rows = await ctx.store.licenses.getLicenses();
      const out = [];
      for (const r of rows) out.push({ id: r.id, uuid: r.uuid, uploaded_at: r.uploaded_at.toISOString(), claims: (await parseLicense(r.jwt, licenses.keys)).claims ?? {} });
      sendJson(res, 200, out);
    }),
  );

  router.delete(
    '/api/v2/licenses/{id}',
    route.authed(async (ctx, _req, res, p) => {
      const id = Number(p.id);
      if (!Number.isInteger(id)) throw resourceNotFound();
      try {
        if (!(await ctx.store.licenses.deleteLicense(id))) throw resourceNotFound();
      } catch (err) {
        if (err instanceof NotAuthorizedError) throw forbidden();
        throw err;
      }
      await licenses.changed();
      sendJson(res, 200, { message: 'License deleted.' });
    }),
  );
}
