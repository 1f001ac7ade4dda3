import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintMigrations, migrateDown, migrateUp, migrationStatus, migrationsDir, readMigrations } from '../../src/db/index.js';
import { engines } from '../helpers/db.js';

async function tables(db: Awaited<ReturnType<ReturnType<typeof engines>[number]['open']>>): Promise<string[]> {
  const rows = await db.query<{ t: string }>(
    'ListTables',
    `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY 1`,
  );
  return rows.map((r) => r.t);
}

describe.each(engines())('migrations on $name', (engine) => {
  it('goes up, down to zero and up again', async () => {
    const db = await engine.open({ migrate: false });
    try {
      const all = readMigrations().map((m) => m.version);
      expect(await migrateUp(db)).toEqual(all);
      const afterUp = await tables(db);
      expect(afterUp).toContain('users');
      expect(await migrateUp(db)).toEqual([]);
      expect(await migrateDown(db, Infinity)).toEqual([...all].reverse());
      expect(await tables(db)).toEqual([]);
      expect((await migrationStatus(db)).every((m) => !m.applied)).toBe(true);
      expect(await migrateUp(db)).toEqual(all);
      expect(await tables(db)).toEqual(afterUp);
    } finally {
      await db.close();
    }
  });

  it('lets two migrators run at once without colliding', async () => {
    const db = await engine.open({ migrate: false });
    try {
      const [a, b] = await Promise.all([migrateUp(db), migrateUp(db)]);
      expect([...a, ...b].sort((x, y) => x - y)).toEqual(readMigrations().map((m) => m.version));
    } finally {
      await db.close();
    }
  });
});

describe('lint-migrations', () => {
  it('passes on the shipped migrations', () => {
    expect(lintMigrations()).toEqual([]);
  });

  it('fails on a planted public. qualifier, naming the file and line, and ignores comments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mig-'));
    cpSync(migrationsDir, dir, { recursive: true });
    writeFileSync(
      join(dir, '999999_planted.up.sql'),
      "-- public.users in a comment is fine\nSELECT 'public.x';\nALTER TABLE public.users ADD COLUMN x int;\n",
    );
    writeFileSync(join(dir, '999999_planted.down.sql'), 'ALTER TABLE users DROP COLUMN x;\n');
    const problems = lintMigrations(dir);
    expect(problems).toEqual([{ file: join(dir, '999999_planted.up.sql'), line: 3, text: 'ALTER TABLE public.users ADD COLUMN x int;' }]);
    writeFileSync(join(dir, '999999_planted.up.sql'), 'ALTER TABLE users ADD COLUMN x int;\n');
    expect(lintMigrations(dir)).toEqual([]);
  });
});

describe.each(engines())('timestamps on $name', (engine) => {
  it("reads Coder's zero time and microseconds back as written", async () => {
    const db = await engine.open({ migrate: false });
    try {
      const [row] = await db.query<{ zero: Date; micro: Date; plain: Date }>(
        'Timestamps',
        "SELECT '0001-01-01 00:00:00+00'::timestamptz AS zero, '2026-11-24 10:11:12.345678+00'::timestamptz AS micro, '2026-11-24 10:11:12'::timestamp AS plain",
      );
      expect(row.zero.toISOString()).toBe('0001-01-01T00:00:00.000Z');
      expect(row.micro.toISOString()).toBe('2026-11-24T10:11:12.345Z');
      expect(row.plain).toBeInstanceOf(Date);
    } finally {
      await db.close();
    }
  });
});
