/** Moved to src/util/pool.ts (the dataplane uses it too); kept for the runtime's imports. */
export { mapLimit } from '../util/pool.js';
