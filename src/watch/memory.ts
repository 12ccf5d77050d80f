/** A full garbage collection once watch goes idle: a daemon that allocates in
 * bursts (each apply, each scrape) would otherwise hold tens of MB of garbage
 * between V8's own collections (src/util/gc.ts). */
import { collectGarbage } from '../util/gc.js';

export class IdleCollector {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly delayMs = 1500) {}

  /** Activity: collect `delayMs` after the last one. */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(collectGarbage, this.delayMs).unref();
  }

  close(): void {
    clearTimeout(this.timer);
  }
}
