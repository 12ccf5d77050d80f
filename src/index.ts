/** clab-xconnect library API. */
export * from './errors.js';
export type * from './topology/model.js';
export type * from './plan/types.js';
