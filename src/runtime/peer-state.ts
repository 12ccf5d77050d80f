/** What apply changed on node-side interfaces, kept so destroy can put it
 * back: nothing clab-xconnect sets in a node outlives the lab's wires.
 *
 * One JSON file per lab in /run (tmpfs: labs do not survive a reboot either),
 * keyed by endpoint (`node:iface`), not by netns path: a node's pid, and so its
 * netns path, changes when containerlab restarts it. Only the first value seen
 * for a feature is kept, which is the node's own. */
import { readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { labPeersFile } from './paths.js';

/** endpoint -> feature -> the value before clab-xconnect changed it */
export type Originals = Record<string, Record<string, boolean>>;

export async function readOriginals(lab: string): Promise<Originals> {
  try {
    return JSON.parse(await readFile(labPeersFile(lab), 'utf8')) as Originals;
  } catch {
    return {};
  }
}

/** Adds the `from` values of `changes` that are not known yet. */
export async function recordOriginals(lab: string, changes: { endpoint: string; feature: string; from: boolean }[]): Promise<void> {
  if (changes.length === 0) return;
  const o = await readOriginals(lab);
  for (const c of changes) {
    const e = (o[c.endpoint] ??= {});
    if (!(c.feature in e)) e[c.feature] = c.from;
  }
  const target = labPeersFile(lab);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(`${target}.${process.pid}`, JSON.stringify(o, null, 1));
  await rename(`${target}.${process.pid}`, target);
}

export async function dropOriginals(lab: string): Promise<void> {
  await rm(labPeersFile(lab), { force: true });
}
