/** Run-time state of a lab's links: what `link down` and `impair set` decided,
 * kept so that it outlives the command, survives a re-apply, and is repaired
 * by the next command after a crash (every command writes the state it wants
 * before it touches the kernel, and apply drives the kernel to it).
 *
 * One JSON file per lab in /run next to the lock; destroy removes it. */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Impairment } from '../dataplane/layout.js';
import { XconnectError } from '../errors.js';
import { labRuntimeFile } from './paths.js';

const impairmentFields = z
  .object({
    loss: z.number().min(0).max(1),
    corruption: z.number().min(0).max(1),
    duplicate: z.number().min(0).max(1),
    rateKbit: z.number().int().min(0),
    burst: z.number().int().min(0),
    delayUs: z.number().int().min(0),
    jitterUs: z.number().int().min(0),
  })
  .partial()
  .strict();

const schema = z
  .object({
    version: z.literal(1),
    /** Cut wires by id. `restoring`: `link up` started and apply finishes it. */
    cuts: z.record(
      z.string(),
      z.object({
        since: z.string(),
        phase: z.enum(['down', 'restoring']),
        /** The root-netns ports taken down (destroy brings them up again). */
        ports: z.array(z.string()),
      }).strict(),
    ),
    /** Impairment overrides by direction (`<wire id>#a|b`): the fields set at
     * run time, which replace the topology labels' until `impair reset`. */
    impair: z.record(z.string(), impairmentFields),
    /** Root-netns ports that carry an fq qdisc of ours (for a delay). */
    fq: z.array(z.string()).default([]),
  })
  .strict();

export type RuntimeState = z.infer<typeof schema>;
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
  if (Object.keys(s.cuts).length === 0 && Object.keys(s.impair).length === 0 && s.fq.length === 0) return rm(file, { force: true });
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}`;
  await writeFile(tmp, JSON.stringify(s, null, 1));
  await rename(tmp, file);
}

export async function dropRuntimeState(lab: string): Promise<void> {
  await rm(labRuntimeFile(lab), { force: true });
}

export type ImpairmentOverride = Partial<Impairment>;
