/** What apply changed on node-side interfaces, kept so destroy can put it
 * back: nothing clab-xconnect sets in a node outlives the lab's wires.
 *
 * One JSON file per lab in /run (tmpfs: labs do not survive a reboot either),
 * keyed by endpoint (`node:iface`), not by netns path: a node's pid, and so its
 * netns path, changes when containerlab restarts it. Only the first value seen
 * for a feature is kept, which is the node's own. apply writes it BEFORE it
 * changes a setting, so a crash in between leaves a record, never a loss. */
import { readFile } from 'node:fs/promises';
import { XconnectError } from '../errors.js';
import { removeRecord, writeAtomic } from './atomic-file.js';
import { labPeersFile } from './paths.js';

/** endpoint -> feature -> the value before clab-xconnect changed it */
export type Originals = Record<string, Record<string, boolean>>;

function isOriginals(v: unknown): v is Originals {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  return Object.values(v).every(
    (f) => f && typeof f === 'object' && !Array.isArray(f) && Object.values(f).every((b) => typeof b === 'boolean'),
  );
}

/** The lab's record; {} when there is none. A damaged record is an error:
 * reading it as empty would lose the node settings it holds. */
export async function readOriginals(lab: string): Promise<Originals> {
  const file = labPeersFile(lab);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new XconnectError('RUNTIME', `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  if (!isOriginals(v))
    throw new XconnectError('RUNTIME', `${file} is damaged: it should hold the node settings clab-xconnect changed, as JSON`, {
      file,
      hint: `fix or remove it by hand (removing it means destroy cannot put those settings back)`,
    });
  return v;
}

async function write(lab: string, o: Originals): Promise<void> {
  const target = labPeersFile(lab);
  if (Object.keys(o).length === 0) return removeRecord(target);
  await writeAtomic(target, JSON.stringify(o, null, 1));
}

/** Adds the `from` values of `changes` that are not known yet. */
export async function recordOriginals(lab: string, changes: { endpoint: string; feature: string; from: boolean }[]): Promise<void> {
  if (changes.length === 0) return;
  const o = await readOriginals(lab);
  for (const c of changes) {
    const e = (o[c.endpoint] ??= {});
    if (!(c.feature in e)) e[c.feature] = c.from;
  }
  await write(lab, o);
}

/** Forgets the given features of one endpoint (they were put back). */
export async function dropOriginalsOf(lab: string, endpoint: string, features: string[]): Promise<void> {
  const o = await readOriginals(lab);
  const e = o[endpoint];
  if (!e) return;
  for (const f of features) delete e[f];
  if (Object.keys(e).length === 0) delete o[endpoint];
  await write(lab, o);
}

export async function dropOriginals(lab: string): Promise<void> {
  await removeRecord(labPeersFile(lab));
}
