/** One run at a time per lab: an O_EXCL lock file holding the owner's pid.
 * A lock whose owner died (crash, kill -9) is taken over, so a crash never
 * blocks the next run. */
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { XconnectError } from '../errors.js';
import { labLockFile } from './paths.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LabLock {
  release(): Promise<void>;
}

/** Takes the lab's lock, waiting up to `waitMs` for another run to finish. */
export async function lockLab(lab: string, waitMs = 30_000): Promise<LabLock> {
  const file = labLockFile(lab);
  await mkdir(path.dirname(file), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return { release: () => unlink(file).catch(() => undefined) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (!owner || !alive(owner)) {
      // Stale: its owner is gone. Remove and retry (O_EXCL decides any race).
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline)
      throw new XconnectError('BUSY', `lab ${lab} is locked by another clab-xconnect run (pid ${owner})`, {
        hint: `wait for it to finish, or remove ${file} if that process is not clab-xconnect`,
      });
    await new Promise((r) => setTimeout(r, 100));
  }
}
