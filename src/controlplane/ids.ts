export { isUuid } from '../db/index.js';
