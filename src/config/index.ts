export { settings, envNames, effectiveMaxIdle, type Config, type Setting } from './schema.js';
export { loadConfig, describeConfig, describeSource, redactValue, testConfig, type LoadedConfig, type Source } from './load.js';
export { parseDuration, formatDuration } from './duration.js';
