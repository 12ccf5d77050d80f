/** One run at a time per lab: flock(2) on /run/clab-xconnect/<lab>.lock. The
 * kernel releases the lock when its holder exits or crashes, so no stale
 * lock can block the next run.
 *
 * The labs' pin directories share one bpffs root, which destroy removes after
 * the last lab. A run holding its lab's lock may be about to create its pin
 * directory under that root, and removing the root at that moment would make
 * its mkdir fail. So the root is removed only under a root lock, and only
 * while no lab lock is held (removeBpffsRootIfUnused, below); and
 * lockLab, once it holds the lab's lock, takes and drops the root lock, so
 * that a removal which did not see the new lab lock is over before the run
 * goes on (and then creates the root afresh). */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, stat, statfs, unlink } from 'node:fs/promises';
import path from 'node:path';
import { XconnectError } from '../errors.js';
import { native, type LockHandle } from '../native/addon.js';
import { BPFFS_ROOT, RUN_DIR, labLockFile, labPeersFile, labPinDir } from './paths.js';
import { readOriginals } from './peer-state.js';

export interface LabLock {
  release(): Promise<void>;
  /** Removes the lock file, then releases (for destroy: nothing of the lab stays). */
  remove(): Promise<void>;
}

/** Not a lab name's file (lab names map to [A-Za-z0-9_.-]+, see paths.ts). */
const ROOT_LOCK = '@bpffs-root.lock';
const LAB_LOCK = /^[A-Za-z0-9_.-]+\.lock$/;

const RUN_HINT = `clab-xconnect keeps its locks and run state in ${RUN_DIR} (set by CLAB_XCONNECT_RUN): it must be a writable directory`;

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code ?? (e as XconnectError)?.context?.errnoName;
}

async function ensureRunDir(): Promise<void> {
  try {
    await mkdir(RUN_DIR, { recursive: true });
  } catch (e) {
    const code = errnoOf(e);
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way' : describe(e);
    throw new XconnectError(code === 'EACCES' || code === 'EPERM' ? 'PERMISSION' : 'RUNTIME', `cannot create the run directory: ${why}`, {
      file: RUN_DIR,
      errnoName: code,
      hint: RUN_HINT,
      cause: e,
    });
  }
}

/** The errno text of a failure, without the path Node or the addon put in it. */
function describe(e: unknown): string {
  const m = (e as Error).message ?? String(e);
  const errno = /^[A-Z]+: ([^,]+),/.exec(m)?.[1];
  return errno ?? m.slice(m.lastIndexOf(': ') + 2);
}

const BPF_FS_MAGIC = 0xcafe4a11;

/** Checks that the labs' pins can live under BPFFS_ROOT: the root (or, while it
 * does not exist, the directory it will be made in) is on a bpffs mount.
 * Without it libbpf fails late, with a multi-line log; and a bpffs that is not
 * mounted in this mount namespace hides the lab's pins, so that the lab's own
 * programs would look foreign. */
async function checkBpffs(): Promise<void> {
  for (let dir = BPFFS_ROOT; ; dir = path.dirname(dir)) {
    const st = await stat(dir).catch(() => undefined);
    // The root can go between the two calls (another lab's destroy removes it
    // when it empties, and this run holds no lock yet): then ask its parent.
    const fsType = st?.isDirectory() ? (await statfs(dir).catch(() => undefined))?.type : undefined;
    if (st && !(st.isDirectory() && fsType === undefined)) {
      const fail = (why: string) =>
        new XconnectError('RUNTIME', `${why}, and the labs' BPF pins go under ${BPFFS_ROOT}`, {
          file: dir,
          hint: 'mount the BPF filesystem there (mount -t bpf bpf /sys/fs/bpf) or set CLAB_XCONNECT_BPFFS to a directory on one',
        });
      if (!st.isDirectory()) throw fail('not a directory');
      if (fsType !== BPF_FS_MAGIC) throw fail('not on a BPF filesystem (bpffs)');
      return;
    }
    if (path.dirname(dir) === dir) return;
  }
}

/** flock()s `file`, waiting up to `waitMs`; errors name the file and what to do. */
async function acquire(file: string, waitMs: number, holder: string): Promise<LockHandle> {
  try {
    return await native.lockFile(file, waitMs);
  } catch (e) {
    const err = e as XconnectError;
    if (err.context?.errnoName === 'EBUSY') {
      const pid = /\(pid ([^)]*)\)/.exec(err.message)?.[1] ?? 'unknown';
      const waited = waitMs < 1000 ? `${waitMs} ms` : `${Math.round(waitMs / 1000)} s`;
      throw new XconnectError('BUSY', `${holder} is locked by another clab-xconnect run (pid ${pid}), for more than ${waited}`, {
        file,
        errno: err.context.errno,
        errnoName: 'EBUSY',
        hint: 'wait for that run to finish; the lock goes away with its process',
        cause: e,
      });
    }
    const code = errnoOf(e);
    throw new XconnectError(code === 'EACCES' || code === 'EPERM' ? 'PERMISSION' : 'RUNTIME', `cannot lock ${holder}: ${describe(e)}`, {
      file,
      errno: err.context?.errno,
      errnoName: code,
      hint: RUN_HINT,
      cause: e,
    });
  }
}

/** Takes the lab's lock, waiting up to `waitMs` for another run to finish.
 * Every run that changes a lab takes it first, so it also checks what the
 * run will need of the lab's state, before anything changes rather than
 * halfway through: a writable run directory, a bpffs for the pins, and a
 * readable record of node settings (src/runtime/peer-state.ts). */
export async function lockLab(lab: string, waitMs = 30_000): Promise<LabLock> {
  const file = labLockFile(lab);
  await checkBpffs();
  await ensureRunDir();
  const fd = await acquire(file, waitMs, `lab ${lab}`);
  let ok = false;
  try {
    native.closeHandle(await acquire(path.join(RUN_DIR, ROOT_LOCK), waitMs, 'the bpffs root'));
    await readOriginals(lab);
    ok = true;
  } finally {
    if (!ok) native.closeHandle(fd);
  }
  // Waiters notice the file is gone once they get the lock, and retry on a new one.
  const remove = async () => {
    try {
      await unlink(file).catch((e: unknown) => {
        if (errnoOf(e) !== 'ENOENT') throw e;
      });
    } finally {
      native.closeHandle(fd);
    }
  };
  return {
    // A lab with nothing installed keeps no lock file either (a failed first
    // apply, a dry run, a run naming a lab that does not exist).
    release: async () => (existsSync(labPinDir(lab)) || existsSync(labPeersFile(lab)) ? native.closeHandle(fd) : remove()),
    remove,
  };
}

/** `major:minor:inode` as /proc/locks prints a lock's file (numbers in decimal). */
function fileId(dev: bigint, ino: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major}:${minor}:${ino}`;
}

/** Lab lock files in RUN_DIR that some process holds (flock) right now, read
 * from /proc/locks (which lists the locks of the processes this pid namespace
 * can see: runs in another pid namespace sharing /run are not seen). */
export async function heldLabLocks(): Promise<string[]> {
  const held = new Set<string>();
  for (const line of (await readFile('/proc/locks', 'utf8')).split('\n')) {
    const m = /\bFLOCK\s+\S+\s+\S+\s+\S+\s+([0-9a-f]+):([0-9a-f]+):(\d+)/.exec(line);
    if (m) held.add(`${parseInt(m[1]!, 16)}:${parseInt(m[2]!, 16)}:${m[3]}`);
  }
  const out: string[] = [];
  for (const name of await readdir(RUN_DIR)) {
    if (!LAB_LOCK.test(name)) continue;
    const st = await stat(path.join(RUN_DIR, name), { bigint: true }).catch(() => undefined);
    if (st && held.has(fileId(st.dev, st.ino))) out.push(name);
  }
  return out;
}

/** Runs `fn` holding the root lock: the lock that orders what runs of
 * different labs do to shared things (the bpffs root, host-wide settings). */
export async function withRootLock<T>(fn: () => Promise<T>): Promise<T> {
  await ensureRunDir();
  const fd = await acquire(path.join(RUN_DIR, ROOT_LOCK), 30_000, 'the bpffs root');
  try {
    return await fn();
  } finally {
    native.closeHandle(fd);
  }
}

/** Removes the shared bpffs root when it is empty and no run of any lab is in
 * flight (a run holding its lock may be about to create its pin directory
 * there). Returns whether it was removed. */
export async function removeBpffsRootIfUnused(): Promise<boolean> {
  return withRootLock(async () => {
    try {
      // A run in flight: the root is left to the destroy that comes after it.
      if ((await heldLabLocks()).length > 0) return false;
      await rmdir(BPFFS_ROOT);
      return true;
    } catch (e) {
      // Other labs' pin directories are in it, or it is gone already.
      if (['ENOTEMPTY', 'EEXIST', 'ENOENT', 'EBUSY'].includes(errnoOf(e) ?? '')) return false;
      throw e;
    }
  });
}
