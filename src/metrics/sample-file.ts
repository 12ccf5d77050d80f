/** The last counter sample of `status --format prometheus`, kept on tmpfs beside the
 * lab's other run-time files, so that a periodic run (a node-exporter textfile
 * collector) can print rates. Best effort: a missing or stale sample means no rates. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { labMetricsSampleFile } from '../runtime/paths.js';
import type { RateState } from './rates.js';

/** Older samples are not used: a rate over hours says little. */
const MAX_AGE_MS = 10 * 60_000;

/** `/run/clab-xconnect/metrics/<lab>.json` (destroy removes it with the lab's other files). */
export const sampleFile = labMetricsSampleFile;

export async function readSample(lab: string, nowMs: number): Promise<RateState | undefined> {
  try {
    const s = JSON.parse(await readFile(sampleFile(lab), 'utf8')) as RateState;
    return typeof s.t === 'number' && nowMs - s.t < MAX_AGE_MS && nowMs >= s.t ? s : undefined;
  } catch {
    return undefined;
  }
}

export async function writeSample(lab: string, state: RateState): Promise<void> {
  const file = sampleFile(lab);
  const tmp = `${file}.${process.pid}`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(tmp, JSON.stringify(state));
    await rename(tmp, file);
  } catch {
    // Best effort: the next run prints no rates.
  }
}
