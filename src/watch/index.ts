/** watch: keep a lab wired while it lives (see watcher.ts). */
export { watch, type WatchOptions, type WatchResult } from './watcher.js';
export { Logger, LOG_FORMATS, type LogFormat } from './log.js';
