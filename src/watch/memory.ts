/** A full garbage collection once watch goes idle. V8 sizes its old generation from
 * the machine's memory and collects it late, so a daemon that allocates in bursts
 * (each apply, each scrape) would hold tens of MB of garbage between collections; a
 * full collection compacts the old generation and gives its free pages back. Node has
 * no API for it: the collector is exposed by flag and read from a fresh context.
 * (Its options form, `gc({ flavor: 'last-resort' })`, does not collect in Node 20.) */
import v8 from 'node:v8';
import vm from 'node:vm';

type Collector = () => void;

let collector: Collector | null | undefined;

function gc(): Collector | null {
  if (collector === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collector = vm.runInNewContext('gc') as Collector;
    } catch {
      collector = null; // not available: V8 collects on its own schedule
    }
  }
  return collector;
}

export class IdleCollector {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly delayMs = 1500) {}

  /** Activity: collect `delayMs` after the last one. */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => gc()?.(), this.delayMs).unref();
  }

  close(): void {
    clearTimeout(this.timer);
  }
}
