/** One capture at a time per lab: the capture perf buffer has one reader per
 * CPU, and a second reader would take the first one's frames. A flock that the
 * kernel drops with its holder also tells every other command whether a
 * capture flag it finds belongs to a live capture or to one that was killed. */
import { access, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { XconnectError } from '../errors.js';
import { native, type LockHandle } from '../native/addon.js';
import { labCaptureLockFile } from './paths.js';

export interface CaptureLock {
  release(): Promise<void>;
}

/** Takes the lab's capture lock, or fails at once naming the capture that holds it. */
export async function takeCaptureLock(lab: string): Promise<CaptureLock> {
  const file = labCaptureLockFile(lab);
  await mkdir(path.dirname(file), { recursive: true });
  let fd: LockHandle;
  try {
    fd = await native.lockFile(file, 0);
  } catch (e) {
    const err = e as XconnectError;
    if (err.context?.errnoName !== 'EBUSY') throw e;
    const pid = /pid (\d+)/.exec(err.message)?.[1];
    throw new XconnectError('BUSY', `lab ${lab} is being captured already${pid ? ` (pid ${pid})` : ''}`, {
      hint: 'stop that capture first (Ctrl-C), or capture every wire you need in one command: it takes several',
    });
  }
  return {
    release: async () => {
      await rm(file, { force: true });
      native.closeHandle(fd);
    },
  };
}

/** Whether a capture of the lab is running now (its lock is held). */
export async function captureRunning(lab: string): Promise<boolean> {
  const file = labCaptureLockFile(lab);
  // No file, no capture: nothing to create just to find that out.
  if (!(await access(file).then(() => true, () => false))) return false;
  try {
    const fd = await native.lockFile(file, 0);
    native.closeHandle(fd);
    await rm(file, { force: true });
    return false;
  } catch (e) {
    if ((e as XconnectError).context?.errnoName === 'EBUSY') return true;
    if ((e as XconnectError).context?.errnoName === 'ENOENT') return false;
    throw e;
  }
}
