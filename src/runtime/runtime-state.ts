/** Run-time state of a lab's links: what `link down` and `impair set` decided,
 * kept so that it outlives the command, survives a re-apply, and is repaired
 * by the next command after a crash (every command writes the state it wants
 * before it touches the kernel, and apply drives the kernel to it).
 *
 * One JSON file per lab in /run next to the lock; destroy removes it. */
import { readFile } from 'node:fs/promises';
import type { Impairment } from '../dataplane/layout.js';
import { XconnectError } from '../errors.js';
import { removeRecord, writeAtomic } from './atomic-file.js';
import { labRuntimeFile } from './paths.js';
import type { RuntimeState } from './runtime-state-schema.js';

export type { RuntimeState } from './runtime-state-schema.js';

export type Cut = RuntimeState['cuts'][string];

export function emptyState(): RuntimeState {
  return { version: 1, cuts: {}, impair: {}, fq: [] };
}

/** The key of one direction of a wire: the frames entering port a or b. */
export function directionKey(wireId: string, side: 'a' | 'b'): string {
  return `${wireId}#${side}`;
}

/** The lab's run-time state ({} parts when none). A damaged file is an
 * error, not an empty state: reading it as empty would silently undo cuts. */
export async function readRuntimeState(lab: string): Promise<RuntimeState> {
  const file = labRuntimeFile(lab);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new XconnectError('RUNTIME', `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const { schema } = await import('./runtime-state-schema.js');
  const r = schema.safeParse(json);
  if (!r.success)
    throw new XconnectError('RUNTIME', `${file} is damaged: it should hold the lab's cut links and impairments, as JSON`, {
      file,
      hint: "fix it, or remove it to forget the run-time changes (the next apply then follows the topology file alone)",
    });
  return r.data;
}

/** Writes the state atomically; an empty state removes the file. */
export async function writeRuntimeState(lab: string, s: RuntimeState): Promise<void> {
  const file = labRuntimeFile(lab);
  if (Object.keys(s.cuts).length === 0 && Object.keys(s.impair).length === 0 && s.fq.length === 0) return removeRecord(file);
  await writeAtomic(file, JSON.stringify(s, null, 1));
}

export async function dropRuntimeState(lab: string): Promise<void> {
  await removeRecord(labRuntimeFile(lab));
}

export type ImpairmentOverride = Partial<Impairment>;
