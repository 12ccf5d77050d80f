/** Files in /run (a lab's run-time state and node settings, cached plans):
 * written whole or not at all. The text goes to `<file>.<pid>` first and a rename puts
 * it in place, so a reader never sees half a record; a run killed between the
 * two leaves that copy behind, and removing the record takes such copies too
 * (destroy leaves nothing of a lab behind). */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeAtomic(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Removes `file` and the copies killed writers left beside it. */
export async function removeRecord(file: string): Promise<void> {
  await rm(file, { force: true });
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  for (const n of await readdir(dir).catch(() => [] as string[]))
    if (n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length))) await rm(path.join(dir, n), { force: true });
}
