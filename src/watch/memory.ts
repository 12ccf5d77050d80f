/** watch's memory, between bursts of work (each apply, each scrape):
 * - V8 collects its old generation late, so a full collection runs once watch
 *   goes idle (src/util/gc.ts);
 * - glibc gives each thread that allocates its own malloc arena, and every
 *   native job runs on a thread of its own, so freed job memory would sit in up
 *   to 8 arenas per CPU: watch limits them to two (as the image's
 *   MALLOC_ARENA_MAX=2 does) and trims them after the collection. */
import { native } from '../native/addon.js';
import { collectGarbage } from '../util/gc.js';

/** Arenas for a watch process: its jobs are short and few at a time. */
const MALLOC_ARENAS = 2;

export class IdleCollector {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly delayMs = 1500) {
    native.limitMallocArenas(MALLOC_ARENAS);
  }

  /** Activity: collect `delayMs` after the last one. */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      collectGarbage();
      native.trimMalloc();
    }, this.delayMs).unref();
  }

  close(): void {
    clearTimeout(this.timer);
  }
}
