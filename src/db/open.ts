import { join } from 'node:path';
import { effectiveMaxIdle, type Config } from '../config/index.js';
import type { Database } from './database.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

/** Opens PostgreSQL when a connection URL is configured, else the embedded PGlite in the data dir. */
export async function openDatabase(config: Config): Promise<Database> {
  if (config.pg.connectionUrl) {
    return openPostgres({
      url: config.pg.connectionUrl,
      maxOpen: config.pg.connMaxOpen,
      maxIdle: effectiveMaxIdle(config.pg),
    });
  }
  return openPglite(join(config.dataDir, 'db'));
}
