/** Where a lab's state lives: its pins in bpffs, its lock in /run. */
import path from 'node:path';

export const BPFFS_ROOT = process.env.CLAB_XCONNECT_BPFFS ?? '/sys/fs/bpf/clab-xconnect';
export const RUN_DIR = process.env.CLAB_XCONNECT_RUN ?? '/run/clab-xconnect';

/** Lab names are containerlab names; keep the path one component. */
function component(lab: string): string {
  const safe = lab.replace(/[^A-Za-z0-9_.-]/g, '_');
  return safe === '.' || safe === '..' ? safe.replace(/\./g, '_') : safe;
}

export function labPinDir(lab: string): string {
  return path.join(BPFFS_ROOT, component(lab));
}

export function labLockFile(lab: string): string {
  return path.join(RUN_DIR, `${component(lab)}.lock`);
}

/** The node settings apply changed, for destroy to put back (src/runtime/peer-state.ts). */
export function labPeersFile(lab: string): string {
  return path.join(RUN_DIR, `${component(lab)}.peers.json`);
}

/** Run-time link state: cut links and impairment overrides (src/runtime/runtime-state.ts). */
export function labRuntimeFile(lab: string): string {
  return path.join(RUN_DIR, `${component(lab)}.runtime.json`);
}

/** Held by a running capture (src/runtime/capture-lock.ts). */
export function labCaptureLockFile(lab: string): string {
  return path.join(RUN_DIR, `${component(lab)}.capture.lock`);
}

/** The last counter sample of `status --format prometheus` (src/metrics/sample-file.ts). */
export function labMetricsSampleFile(lab: string): string {
  return path.join(RUN_DIR, 'metrics', `${component(lab)}.json`);
}
