/** Network namespaces of the test bed: named ones (`ip netns add`) that the
 * test beds and the bench create, each tracked so a failed or interrupted run
 * removes exactly what it made; and the `/run/netns/<longname>` symlinks to a
 * container's netns that containerlab makes (utils.LinkContainerNS). */
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pidAlive, run } from './exec.js';

export const NETNS_DIR = '/run/netns';

/** A named network namespace. */
export interface Netns {
  name: string;
  /** `/run/netns/<name>`: what setns()/nsenter take. */
  path: string;
}

/** `/run/netns/<name>`. */
export function netnsPath(name: string): string {
  return join(NETNS_DIR, name);
}

/** `/proc/<pid>/ns/net`. */
export function pidNetns(pid: number): string {
  return `/proc/${pid}/ns/net`;
}

const live = new Set<string>();
let seq = 0;

export interface AddNetnsOptions {
  /** Bring `lo` up. Default false. */
  lo?: boolean;
  /** Leave IPv6 on. Default false: its autoconfiguration traffic would add frames to every count. */
  ipv6?: boolean;
}

/** Creates a named namespace (tracked until delNetns). */
export async function addNetns(name: string, opts: AddNetnsOptions = {}): Promise<Netns> {
  await run('ip', ['netns', 'add', name]);
  live.add(name);
  const ns = { name, path: netnsPath(name) };
  if (opts.lo) await run('ip', ['link', 'set', 'lo', 'up'], { netns: ns.path });
  if (!opts.ipv6) await run('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'], { netns: ns.path });
  return ns;
}

/** Deletes a namespace (its veths go with it); one already gone is not an error. */
export async function delNetns(ns: Netns | string): Promise<void> {
  const name = typeof ns === 'string' ? ns : ns.name;
  live.delete(name);
  await run('ip', ['netns', 'del', name], { allowFail: true });
}

/** A name owned by this process: `<prefix>-<pid>-<n>-<tag>` (see reapStaleNetns). */
export function ownedNetnsName(prefix: string, tag: string): string {
  return `${prefix}-${process.pid}-${seq++}-${tag}`;
}

/** Synchronous cleanup for exit and signal handlers: deletes every tracked
 * namespace and those named `<prefix>-<our pid>-` that a command still in
 * flight may have created untracked. */
export function deleteOwnedNetnsSync(prefix: string): void {
  for (const name of listNetnsSync()) if (name.startsWith(`${prefix}-${process.pid}-`)) live.add(name);
  for (const name of live) {
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

function listNetnsSync(): string[] {
  try {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** Removes `<prefix>-<pid>-` namespaces left by runs that died (their pid is gone). */
export async function reapStaleNetns(prefix: string): Promise<string[]> {
  const re = new RegExp(`^${prefix}-(\\d+)-\\d+-`);
  const stale = listNetnsSync().filter((n) => {
    const pid = Number(re.exec(n)?.[1] ?? NaN);
    return Number.isInteger(pid) && pid !== process.pid && !pidAlive(pid);
  });
  for (const n of stale) await delNetns(n);
  return stale;
}

/** Points `/run/netns/<name>` at the netns of `pid` (an old link of that name is replaced). */
export async function linkNetns(name: string, pid: number): Promise<void> {
  await mkdir(NETNS_DIR, { recursive: true });
  await unlinkNetns(name);
  await symlink(pidNetns(pid), netnsPath(name));
}

/** Removes `/run/netns/<name>` when it is a symlink into /proc (a bind-mounted
 * netns made by `ip netns add` under the same name is left alone). */
export async function unlinkNetns(name: string): Promise<void> {
  const path = netnsPath(name);
  try {
    if (!(await lstat(path)).isSymbolicLink()) return;
    if (!/^\/proc\/\d+\/ns\/net$/.test(await readlink(path))) return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  await rm(path, { force: true });
}
