/** `/run/netns/<longname>` symlinks to a container's netns, as containerlab
 * makes them (utils.LinkContainerNS): an old link of that name is replaced. */
import { lstat, mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';

export const NETNS_DIR = '/run/netns';

/** `/proc/<pid>/ns/net`. */
export function pidNetns(pid: number): string {
  return `/proc/${pid}/ns/net`;
}

/** Points `/run/netns/<name>` at the netns of `pid`. */
export async function linkNetns(name: string, pid: number): Promise<void> {
  await mkdir(NETNS_DIR, { recursive: true });
  const path = join(NETNS_DIR, name);
  await unlinkNetns(name);
  await symlink(pidNetns(pid), path);
}

/** Removes `/run/netns/<name>` when it is a symlink into /proc (a bind-mounted
 * netns made by `ip netns add` under the same name is left alone). */
export async function unlinkNetns(name: string): Promise<void> {
  const path = join(NETNS_DIR, name);
  try {
    if (!(await lstat(path)).isSymbolicLink()) return;
    if (!/^\/proc\/\d+\/ns\/net$/.test(await readlink(path))) return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  await rm(path, { force: true });
}
