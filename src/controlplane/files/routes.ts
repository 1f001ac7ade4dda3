import { createHash } from 'node:crypto';
import type { Router } from '../../server/router.js';
import { readBody, sendJson } from '../../server/respond.js';
import { NotAuthorizedError } from '../dbauthz/store.js';
import type { ControlPlaneContext } from '../deps.js';
import { badRequest, forbidden, resourceNotFound } from '../httpapi/errors.js';
import { AllowedFileTypes, MaxFileBytes } from './types.js';

/**
 * Files hold template source. An upload answers `{"hash": <file id>}` (Coder's field name);
 * the same bytes uploaded again by the same user reuse the row (UNIQUE (hash, created_by)).
 */
export function registerFileRoutes(router: Router, cp: ControlPlaneContext): void {
  const { route } = cp;

  router.post(
    '/api/v2/files',
    route.authed(async (ctx, req, res) => {
      const mimetype = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (!AllowedFileTypes.includes(mimetype)) {
        throw badRequest(`Unsupported content type header "${mimetype}".`, `Accepted: ${AllowedFileTypes.join(', ')}.`);
      }
      const data = await readBody(req, MaxFileBytes);
      const hash = createHash('sha256').update(data).digest('hex');
      try {
        const existing = await ctx.store.files.getFileByHashAndCreator(hash, ctx.userId);
        if (existing) return sendJson(res, 200, { hash: existing.id });
        const f = await ctx.store.files.insertFile({ hash, createdBy: ctx.userId, mimetype, data });
        sendJson(res, 201, { hash: f.id });
      } catch (err) {
        if (err instanceof NotAuthorizedError) throw forbidden();
        if ((err as { code?: string }).code === '23505') {
          const again = await ctx.store.files.getFileByHashAndCreator(hash, ctx.userId);
          if (again) return sendJson(res, 200, { hash: again.id });
        }
        throw err;
      }
    }),
  );

  router.get(
    '/api/v2/files/{fileID}',
    route.authed(async (ctx, _req, res, p) => {
      const f = await ctx.store.files.getFileByID(p.fileID!);
      if (!f) throw resourceNotFound();
      res.writeHead(200, { 'content-type': f.mimetype, 'content-length': f.data.length });
      res.end(f.data);
    }),
  );
}
