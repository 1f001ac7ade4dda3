import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/index.js';
import { isUuid } from '../ids.js';
import type { FileRow } from './types.js';

export async function getFileByID(q: Queryable, id: string): Promise<FileRow | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await q.query<FileRow>('GetFileByID', 'SELECT id, hash, created_at, created_by, mimetype, data FROM files WHERE id = $1', [id]);
  return rows[0];
}

export async function getFileByHashAndCreator(q: Queryable, hash: string, createdBy: string): Promise<Omit<FileRow, 'data'> | undefined> {
  const rows = await q.query<Omit<FileRow, 'data'>>(
    'GetFileByHashAndCreator',
    'SELECT id, hash, created_at, created_by, mimetype FROM files WHERE hash = $1 AND created_by = $2',
    [hash, createdBy],
  );
  return rows[0];
}

export async function insertFile(q: Queryable, f: { hash: string; createdBy: string; mimetype: string; data: Buffer }): Promise<Omit<FileRow, 'data'>> {
  const rows = await q.query<Omit<FileRow, 'data'>>(
    'InsertFile',
    `INSERT INTO files (id, hash, created_at, created_by, mimetype, data) VALUES ($1, $2, now(), $3, $4, $5)
     RETURNING id, hash, created_at, created_by, mimetype`,
    [randomUUID(), f.hash, f.createdBy, f.mimetype, f.data],
  );
  return rows[0];
}

/** Templates whose versions were imported from this file: reading them lets one read the file. */
export async function getFileTemplates(q: Queryable, fileId: string): Promise<{ template_id: string; organization_id: string; user_acl: Record<string, string[]>; group_acl: Record<string, string[]> }[]> {
  return q.query(
    'GetFileTemplates',
    `SELECT DISTINCT t.id AS template_id, t.organization_id, t.user_acl, t.group_acl
       FROM templates t
       JOIN template_versions tv ON tv.template_id = t.id
       JOIN provisioner_jobs pj ON pj.id = tv.job_id
      WHERE pj.storage_method = 'file' AND pj.type = 'template_version_import' AND pj.file_id = $1 AND t.deleted = false`,
    [fileId],
  );
}
