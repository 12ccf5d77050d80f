/** The wire paths' wires, installed by the project's dataplane library
 * (src/dataplane) on the engine the path is named for, the way `apply` does:
 * the engine policy's node-side settings first, then installWire(). After the
 * install the ports are read back from the kernel: a row named for an engine
 * is measured on that engine or not at all. There is no stand-in: when the
 * library cannot load, the bench stops before measuring anything. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Dataplane, PortState } from '../dataplane/dataplane.js';
import type { Engine, EngineDecision } from '../dataplane/engine-policy.js';
import type { FeatureChange } from '../dataplane/peer-tuning.js';
import { XconnectError } from '../errors.js';
import { pidAlive, run, type Netns } from '../lab/index.js';

type Libs = {
  Dataplane: typeof import('../dataplane/dataplane.js').Dataplane;
  policy: typeof import('../dataplane/engine-policy.js');
  tunePeer: typeof import('../dataplane/peer-tuning.js').tunePeer;
  native: typeof import('../native/addon.js').native;
};
let libs: Libs | undefined;

/** Loads src/dataplane and its native addon; a clear error when they cannot
 * load (the wire rows cannot be measured then). */
export async function loadDataplane(): Promise<Libs> {
  if (libs) return libs;
  try {
    const [{ Dataplane }, policy, { tunePeer }, { native }] = await Promise.all([
      import('../dataplane/dataplane.js'),
      import('../dataplane/engine-policy.js'),
      import('../dataplane/peer-tuning.js'),
      import('../native/addon.js'),
    ]);
    await native.probeTcx(); // loads the addon (throws when it is not built)
    libs = { Dataplane, policy, tunePeer, native };
    return libs;
  } catch (e) {
    throw new XconnectError('RUNTIME', `the wire paths need src/dataplane and its native addon, which did not load: ${(e as Error).message.split('\n')[0]}`, {
      hint: 'build them (`npm run build`), or leave the wire paths out (--paths direct,tc,bridge)',
      cause: e,
    });
  }
}

/** What the engine policy chooses for a lab port like the bench's `pa` (a
 * veth whose node-side peer is reachable): the engine `apply` would use. */
export async function defaultLabEngine(): Promise<EngineDecision> {
  const { policy } = await loadDataplane();
  const veth = (ifname: string, peerNs: string) => ({ ifname, kind: 'veth', peer: { netns: peerNs, ifname: 'eth1' }, xdp: null });
  return policy.chooseEngine('auto', veth('pa', '/run/netns/snd'), veth('pb', '/run/netns/rcv'));
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
      return pid !== process.pid && !pidAlive(pid);
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

export interface InstalledWire {
  engine: Engine;
  /** How each port is attached, as the kernel reports it: tcx|legacy (tc), native|generic (XDP). */
  attach: { a: string; b: string };
  /** tc engine: whether unicast frames to the node interface take bpf_redirect_peer. */
  redirectPeer: boolean;
  /** What the engine policy changed inside the nodes (`iface feature from->to`). */
  nodeChanges: string[];
  /** The open dataplane and the wire's ports (the capture rows turn the
   * ports' capture flags on and read its perf buffer). */
  dp: Dataplane;
  ports: { netns: string; a: string; b: string };
  /** Checks again that both ports still run the engine (throws if not). */
  verify(): Promise<void>;
  remove(): Promise<void>;
}

export interface WireRequest {
  /** The namespace holding both ports (`pa`, `pb`): the lab host. */
  mid: Netns;
  /** The node interfaces behind pa and pb. */
  a: { netns: Netns; dev: string };
  b: { netns: Netns; dev: string };
  engine: Engine;
  tcAttach: 'auto' | 'tcx' | 'legacy';
  /** false: the wire without its impairment code (Dataplane.open). */
  impairments?: boolean;
}

/** Installs the wire pa <-> pb on `engine` and checks that both ports run it. */
export async function installWire(w: WireRequest): Promise<InstalledWire> {
  const { Dataplane: DP, policy, tunePeer, native } = await loadDataplane();
  // What apply does inside the nodes for this engine (nothing for tc).
  const want = policy.wireNodeSettings(w.engine);
  const nodeChanges: string[] = [];
  for (const [role, node] of [['sender', w.a], ['receiver', w.b]] as const) {
    const changes: FeatureChange[] = await tunePeer(node.netns.path, node.dev, want);
    nodeChanges.push(...changes.map((c) => `${role} ${c.ifname} ${c.feature} ${c.from ? 'on' : 'off'}->${c.to ? 'on' : 'off'}`));
  }

  const mac = async (n: { netns: Netns; dev: string }) => {
    const l = await native.getLink(n.netns.path, n.dev);
    if (!l?.mac) throw new XconnectError('RUNTIME', `no MAC address for ${n.dev} in ${n.netns.name}`);
    return l.mac;
  };
  const peerMac = w.engine === 'tc' ? { a: await mac(w.a), b: await mac(w.b) } : undefined;

  const dp: Dataplane = await DP.open(path.join(await privateBpffs(), w.mid.name), { tcAttach: w.tcAttach, impairments: w.impairments ?? true });
  const ports = { netns: w.mid.path, a: 'pa', b: 'pb' };
  /** Reads both ports back from the kernel; throws unless both run `engine`
   * (and, for tc, with the partner's node MAC for bpf_redirect_peer). */
  const verify = async (): Promise<PortState[]> => {
    const state = await dp.ports(ports.netns, [ports.a, ports.b]);
    for (const [k, s] of state.entries()) {
      const name = [ports.a, ports.b][k]!;
      if (s.engine !== w.engine)
        throw new XconnectError('RUNTIME', `port ${name} in ${w.mid.name} runs ${s.engine ?? 'no engine of ours'} (attach ${s.attach ?? 'none'}, XDP ${s.xdp.mode}), not engine ${w.engine}`, {
          netns: w.mid.path,
          endpoint: name,
          hint: 'the row would not measure the engine it is named for; see src/dataplane',
        });
      // Port a's frames go to the node behind b, and the other way round.
      const wantMac = peerMac ? (k === 0 ? peerMac.b : peerMac.a) : null;
      if (wantMac && s.config?.peerMac !== wantMac)
        throw new XconnectError('RUNTIME', `port ${name} in ${w.mid.name}: tc engine without bpf_redirect_peer (peer MAC ${s.config?.peerMac ?? 'unset'}, want ${wantMac})`, {
          netns: w.mid.path,
          endpoint: name,
        });
    }
    return state;
  };
  let state: PortState[];
  try {
    await dp.installWire(ports, { engine: w.engine, adminUp: true, ...(peerMac ? { peerMac } : {}) });
    state = await verify();
  } catch (e) {
    await dp.removeWire(ports).catch(() => undefined);
    dp.close();
    throw e;
  }
  return {
    engine: w.engine,
    attach: { a: state[0]!.attach ?? '?', b: state[1]!.attach ?? '?' },
    redirectPeer: !!peerMac,
    nodeChanges,
    dp,
    ports,
    verify: async () => void (await verify()),
    remove: async () => {
      try {
        await dp.removeWire(ports);
      } finally {
        dp.close();
      }
    },
  };
}
