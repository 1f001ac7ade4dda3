import { createLogger } from '../../src/log.js';

/** A logger for tests: silent unless TEST_LOG_LEVEL is set. */
export const testLog = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
