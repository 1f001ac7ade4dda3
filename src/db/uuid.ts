const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value is a UUID in its text form (lookups by id skip the database otherwise). */
export const isUuid = (s: string): boolean => UUID_RE.test(s);
