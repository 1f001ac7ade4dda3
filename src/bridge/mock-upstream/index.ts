export { startMockUpstream, type MockUpstream, type MockUpstreamOptions } from './server.js';
export type { RecordedRequest } from './request-log.js';
export { parseKnobs, DEFAULT_CHUNKS, type Knobs } from './knobs.js';
export { DEFAULT_TOOL_NAME } from './reply.js';
