const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a path or body value is a UUID (lookups by id skip the database otherwise). */
export const isUuid = (s: string): boolean => UUID_RE.test(s);
