/** One run at a time per lab: flock(2) on /run/clab-xconnect/<lab>.lock. The
 * kernel releases the lock when its holder exits or crashes, so no stale
 * lock can block the next run. */
import { mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { XconnectError } from '../errors.js';
import { native } from '../native/addon.js';
import { labLockFile } from './paths.js';

export interface LabLock {
  release(): Promise<void>;
  /** Removes the lock file, then releases (for destroy: nothing of the lab stays). */
  remove(): Promise<void>;
}

/** Takes the lab's lock, waiting up to `waitMs` for another run to finish. */
export async function lockLab(lab: string, waitMs = 30_000): Promise<LabLock> {
  const file = labLockFile(lab);
  await mkdir(path.dirname(file), { recursive: true });
  let fd: number;
  try {
    fd = await native.lockFile(file, waitMs);
  } catch (e) {
    const err = e as XconnectError;
    if (err.context?.errnoName !== 'EBUSY') throw e;
    throw new XconnectError('BUSY', `lab ${lab} is ${err.message.replace(/^locked/, 'locked')}`, {
      hint: 'wait for it to finish; the lock goes away with its process',
    });
  }
  return {
    release: async () => native.unlockFile(fd),
    // Waiters notice the file is gone once they get the lock, and retry on a new one.
    remove: async () => {
      await unlink(file).catch(() => undefined);
      native.unlockFile(fd);
    },
  };
}
