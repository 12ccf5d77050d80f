/** Notices edits of the topology file and of its template vars files. It watches the
 * directory, not the file: editors that save by writing a new file and renaming it
 * over the old one would otherwise leave the watch on a deleted inode. Bursts of
 * events (a save is often several writes) are debounced into one call. */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { VARS_SUFFIX } from '../topology/template/render.js';

export interface FileWatch {
  close(): void;
}

/** Whether `name` (in the topology's directory) is the topology or one of its vars files. */
export function isTopologyInput(topologyFile: string, name: string): boolean {
  const base = path.basename(topologyFile);
  const stem = base.slice(0, base.length - path.extname(base).length);
  return name === base || name.startsWith(`${stem}${VARS_SUFFIX}.`);
}

/** Calls `onChange` once `debounceMs` have passed without another change. */
export function watchTopology(file: string, debounceMs: number, onChange: () => void, onError: (e: Error) => void): FileWatch {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined = watch(path.dirname(path.resolve(file)), { persistent: true }, (_event, name) => {
    if (name !== null && !isTopologyInput(file, name.toString())) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  watcher.on('error', (e) => {
    watcher?.close();
    watcher = undefined;
    onError(e);
  });
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
