/** The bench's network namespaces: unique names carrying our PID, every one
 * tracked so a failed or interrupted run removes exactly what it made. */
import { execFileSync } from 'node:child_process';
import { run } from './sh.js';

export interface Netns {
  name: string;
  /** What setns()/nsenter take. */
  path: string;
}

const PREFIX = 'xcb';
const live = new Set<string>();
let seq = 0;

/** Creates `xcb-<pid>-<n>-<tag>` with lo up. */
export async function createNetns(tag: string): Promise<Netns> {
  const name = `${PREFIX}-${process.pid}-${seq++}-${tag}`;
  await run('ip', ['netns', 'add', name]);
  live.add(name);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return { name, path: `/run/netns/${name}` };
}

/** Deletes a namespace (its veths go with it). */
export async function deleteNetns(ns: Netns): Promise<void> {
  if (!live.has(ns.name)) return;
  live.delete(ns.name);
  await run('ip', ['netns', 'del', ns.name], { allowFail: true });
}

/** Synchronous variant for exit and signal handlers. Also sweeps names with
 * our PID that a command still in flight may have created untracked. */
export function deleteAllNetnsSync(): void {
  try {
    const listed = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const l of listed.split('\n')) {
      const name = l.split(' ')[0] ?? '';
      if (name.startsWith(`${PREFIX}-${process.pid}-`)) live.add(name);
    }
  } catch {
    // Keep to the tracked names.
  }
  for (const name of live) {
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes namespaces left by earlier bench runs that died (their PID is gone). */
export async function reapStaleNetns(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  const stale = stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => {
      const m = /^xcb-(\d+)-\d+-/.exec(n);
      return m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
    });
  for (const n of stale) await run('ip', ['netns', 'del', n], { allowFail: true });
  return stale;
}
