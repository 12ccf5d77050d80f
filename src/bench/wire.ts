/** Where the wire paths (d: native, e: generic) get their wire. This file is
 * the one switch point between the project's dataplane library
 * (src/dataplane, `--wire-impl dataplane`) and the bench's stand-in
 * (bench/bpf/wire.bpf.c attached by netlink like `ip link set dev X
 * xdpdrv|xdpgeneric obj ...`, `--wire-impl bench`). Both redirect through a
 * DEVMAP_HASH keyed by the ingress ifindex; the library adds per-port config,
 * stats and pinned bpf_links. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Dataplane } from '../dataplane/dataplane.js';
import type { Netns } from './netns.js';
import { run } from './sh.js';
import { benchWire, detachProgram, type XdpMode } from './tools.js';

export type WireImpl = 'dataplane' | 'bench';

export interface InstalledWire {
  impl: WireImpl;
  remove(): Promise<void>;
}

/** Resolves `auto`: the library when its native addon loads, else the stand-in. */
export async function chooseWireImpl(want: WireImpl | 'auto'): Promise<{ impl: WireImpl; why: string }> {
  if (want === 'bench') return { impl: 'bench', why: 'asked for' };
  try {
    await import('../dataplane/dataplane.js');
    const { native } = await import('../native/addon.js');
    void native.getLink; // loads the addon (throws when it is not built)
    return { impl: 'dataplane', why: want === 'dataplane' ? 'asked for' : 'src/dataplane and its addon load' };
  } catch (e) {
    if (want === 'dataplane') throw e;
    return { impl: 'bench', why: `src/dataplane unusable: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** A private bpffs instance for the library's pins: nothing lands in the
 * host's /sys/fs/bpf, and unmounting drops every pin the bench made. */
let bpffs: string | undefined;

async function privateBpffs(): Promise<string> {
  if (bpffs) return bpffs;
  const dir = mkdtempSync(path.join(os.tmpdir(), `xcbench-bpffs-${process.pid}-`));
  await run('mount', ['-t', 'bpf', 'bpf', dir]);
  bpffs = dir;
  return dir;
}

/** Unmounts the private bpffs (sync: also used by the exit handler). */
export function releaseWireState(): void {
  if (!bpffs) return;
  try {
    execFileSync('umount', [bpffs], { stdio: 'ignore' });
    rmSync(bpffs, { recursive: true, force: true });
  } catch {
    // Already unmounted.
  }
  bpffs = undefined;
}

/** Unmounts private bpffs instances of bench runs that died (SIGKILL). */
export function reapStaleBpffs(): string[] {
  const stale = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter(([, dir, type]) => type === 'bpf' && /\/xcbench-bpffs-(\d+)-[^/]+$/.test(dir ?? ''))
    .map(([, dir]) => dir!)
    .filter((dir) => {
      const pid = Number(/xcbench-bpffs-(\d+)-/.exec(dir)![1]);
      try {
        process.kill(pid, 0);
        return false;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code !== 'EPERM' && pid !== process.pid;
      }
    });
  for (const dir of stale) {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Someone else got there first.
    }
  }
  return stale;
}

/** Installs a wire between ports `a` and `b` of `netns` and returns its remover. */
export async function installWire(impl: WireImpl, netns: Netns, a: string, b: string, mode: XdpMode): Promise<InstalledWire> {
  if (impl === 'bench') {
    await benchWire(netns, a, b, mode);
    return {
      impl,
      remove: async () => {
        await detachProgram(netns, a, mode);
        await detachProgram(netns, b, mode);
      },
    };
  }
  const { Dataplane: DP } = await import('../dataplane/dataplane.js');
  const dp: Dataplane = await DP.open(path.join(await privateBpffs(), netns.name));
  const ports = { netns: netns.path, a, b };
  try {
    await dp.installWire(ports, { mode, adminUp: true, loss: 0 });
  } catch (e) {
    dp.close();
    throw e;
  }
  return {
    impl,
    remove: async () => {
      try {
        await dp.removeWire(ports);
      } finally {
        dp.close();
      }
    },
  };
}
