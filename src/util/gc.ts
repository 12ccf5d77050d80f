/** A full garbage collection on demand. V8 sizes its old generation from the
 * machine's memory and collects it late, so a burst of short-lived objects (a
 * big topology's YAML document, an apply in watch) stays in the process's RSS
 * until much later; a full collection compacts the old generation and gives
 * its free pages back. Node has no API for it: the collector is exposed by
 * flag and read from a fresh context. (Its options form,
 * `gc({ flavor: 'last-resort' })`, does not collect in Node 20.) */
import v8 from 'node:v8';
import vm from 'node:vm';

let collector: (() => void) | null | undefined;

/** Collects now; a no-op where the collector cannot be exposed. */
export function collectGarbage(): void {
  if (collector === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collector = vm.runInNewContext('gc') as () => void;
    } catch {
      collector = null; // not available: V8 collects on its own schedule
    }
  }
  collector?.();
}
