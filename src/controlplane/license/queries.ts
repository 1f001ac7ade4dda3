import type { Queryable } from '../../db/index.js';

export interface LicenseRow {
  id: number;
  uploaded_at: Date;
  jwt: string;
  exp: Date;
  uuid: string;
}

export async function insertLicense(q: Queryable, l: { jwt: string; exp: Date; uuid: string }): Promise<LicenseRow> {
  const rows = await q.query<LicenseRow>(
    'InsertLicense',
    'INSERT INTO licenses (uploaded_at, jwt, exp, uuid) VALUES (now(), $1, $2, $3) RETURNING id, uploaded_at, jwt, exp, uuid',
    [l.jwt, l.exp, l.uuid],
  );
  return rows[0];
}

export async function getLicenses(q: Queryable): Promise<LicenseRow[]> {
  return q.query<LicenseRow>('GetLicenses', 'SELECT id, uploaded_at, jwt, exp, uuid FROM licenses ORDER BY id');
}

export async function getUnexpiredLicenses(q: Queryable): Promise<LicenseRow[]> {
  return q.query<LicenseRow>('GetUnexpiredLicenses', 'SELECT id, uploaded_at, jwt, exp, uuid FROM licenses WHERE exp > now() ORDER BY id');
}

export async function deleteLicense(q: Queryable, id: number): Promise<boolean> {
  const rows = await q.query<{ id: number }>('DeleteLicense', 'DELETE FROM licenses WHERE id = $1 RETURNING id', [id]);
  return rows.length > 0;
}
