/** watch's memory, between pieces of work (a run of jobs, a metrics scrape):
 * - A scrape or an apply keeps most of what it allocates alive until it ends,
 *   so the scavenges that run meanwhile promote it, and V8 lets its old
 *   generation grow ~8 MB past the live data before it collects it: a 100-wire
 *   lab's watch went from 57 to 67 MB in ten scrapes. So a piece of work that
 *   leaves the heap GROWTH_BYTES bigger than the last collection did is
 *   followed by a full collection (src/util/gc.ts; ~8 ms in lite mode); other
 *   garbage goes once watch has been idle `delayMs`.
 * - glibc gives each thread that allocates its own malloc arena, and every
 *   native job runs on a thread of its own, so freed job memory would sit in up
 *   to 8 arenas per CPU: watch limits them to two (as the image's
 *   MALLOC_ARENA_MAX=2 does) and trims them after each collection. */
import v8 from 'node:v8';
import { native } from '../native/addon.js';
import { collectGarbage } from '../util/gc.js';

/** Arenas for a watch process: its jobs are short and few at a time. */
const MALLOC_ARENAS = 2;

/** Heap growth (bytes) a piece of work may leave before it is collected at once. */
const GROWTH_BYTES = 2 * 1024 * 1024;

function heapUsed(): number {
  return v8.getHeapStatistics().used_heap_size;
}

export class IdleCollector {
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Immediate | undefined;
  private afterLast = heapUsed();

  constructor(private readonly delayMs = 1500) {
    native.limitMallocArenas(MALLOC_ARENAS);
  }

  /** A run of jobs ended (its log lines are out): collect now if it grew the
   * heap, before a scrape that waited for it starts, else `delayMs` after
   * the last activity. */
  jobsDone(): void {
    if (this.grew()) this.collect();
    else this.later();
  }

  /** A scrape's reply is on its way: collect right after it if it grew the
   * heap, else `delayMs` after the last activity. */
  scrapeDone(): void {
    if (this.grew()) this.soon ??= setImmediate(() => this.collect()).unref();
    else this.later();
  }

  private grew(): boolean {
    return heapUsed() > this.afterLast + GROWTH_BYTES;
  }

  private later(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.collect(), this.delayMs).unref();
  }

  private collect(): void {
    clearTimeout(this.timer);
    if (this.soon) clearImmediate(this.soon);
    this.soon = undefined;
    collectGarbage();
    native.trimMalloc();
    this.afterLast = heapUsed();
  }

  close(): void {
    clearTimeout(this.timer);
    if (this.soon) clearImmediate(this.soon);
  }
}
