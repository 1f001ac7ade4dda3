export { one, maybeOne, LockKeys, type Database, type Queryable } from './database.js';
export { openDatabase } from './open.js';
export { openPglite } from './pglite.js';
export { openPostgres } from './postgres.js';
export { migrateUp, migrateDown, migrationStatus, readMigrations, migrationsDir } from './migrate.js';
export { lintMigrations } from './lint.js';
export { routeContext, type RouteContext } from './context.js';
export {
  authenticateApiKey,
  cachedTokenCheck,
  hashSecret,
  insertApiKey,
  parseApiKey,
  scopeAllows,
  type NewApiKey,
  type Principal,
  type TokenCheck,
} from './queries/api-keys.js';
export { countUsers, ensureDefaultOrganization, getUserByUsernameOrId, hashPassword, insertUser, verifyPassword, type NewUser, type UserRow } from './queries/users.js';
export { isUuid } from './uuid.js';
