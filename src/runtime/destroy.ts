/** destroy: remove every program, link, map and pin of one lab, nothing else. */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { native } from '../native/addon.js';
import { loadPlan } from './load-plan.js';
import { dropCached } from './plan-cache.js';
import { lockLab } from './lock.js';
import { labPinDir } from './paths.js';
import { requireRoot } from './privileges.js';

export interface DestroyReport {
  lab: string;
  pinDir: string;
  /** Ports whose XDP link was detached. */
  removedPorts: string[];
}

/** Detaches the lab's links and deletes its pin directory (maps go with their last pin). */
export async function destroyLab(lab: string): Promise<DestroyReport> {
  requireRoot('destroy');
  const pinDir = labPinDir(lab);
  const lock = await lockLab(lab);
  try {
    const ports = (await readdir(path.join(pinDir, 'links')).catch(() => [] as string[])).sort();
    await native.detachXdp(ports.map((p) => path.join(pinDir, 'links', p)));
    await rm(pinDir, { recursive: true, force: true });
    await lock.remove();
    return { lab, pinDir, removedPorts: ports };
  } catch (e) {
    await lock.release();
    throw e;
  }
}

export async function destroy(opts: { file: string; env?: Record<string, string | undefined> }): Promise<DestroyReport> {
  const { plan } = await loadPlan(opts.file, opts.env);
  const report = await destroyLab(plan.lab);
  await dropCached(opts.file);
  return report;
}
