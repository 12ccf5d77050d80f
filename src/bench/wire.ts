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
import type { Dataplane, PortLink, PortState } from '../dataplane/dataplane.js';
import type { Engine, EngineDecision } from '../dataplane/engine-policy.js';
import type { FeatureChange } from '../dataplane/peer-tuning.js';
import { XconnectError } from '../errors.js';
import { pidAlive, run, type Netns } from '../lab/index.js';
import type { LinkInfo } from '../native/addon.js';
import type { Netns as NetnsHandle } from '../native/netns.js';

type Libs = {
  Dataplane: typeof import('../dataplane/dataplane.js').Dataplane;
  policy: typeof import('../dataplane/engine-policy.js');
  tunePeers: typeof import('../dataplane/peer-tuning.js').tunePeers;
  native: typeof import('../native/addon.js').native;
  Netns: typeof import('../native/netns.js').Netns;
};
let libs: Libs | undefined;

/** Loads src/dataplane and its native addon; a clear error when they cannot
 * load (the wire rows cannot be measured then). */
export async function loadDataplane(): Promise<Libs> {
  if (libs) return libs;
  try {
    const [{ Dataplane }, policy, { tunePeers }, { native }, { Netns }] = await Promise.all([
      import('../dataplane/dataplane.js'),
      import('../dataplane/engine-policy.js'),
      import('../dataplane/peer-tuning.js'),
      import('../native/addon.js'),
      import('../native/netns.js'),
    ]);
    await native.probeTcx(); // loads the addon (throws when it is not built)
    libs = { Dataplane, policy, tunePeers, native, Netns };
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
  const { policy, Netns } = await loadDataplane();
  // The policy asks only whether the node side is reachable; any open netns says yes.
  const ns = await Netns.open('/proc/self/ns/net');
  try {
    const veth = (ifname: string) => ({ ifname, kind: 'veth', peer: { netns: ns, ifindex: 0, ifname: 'eth1' }, xdp: null });
    return policy.chooseEngine('auto', veth('pa'), veth('pb'));
  } finally {
    ns.close();
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
  /** The two ports (pa, pb) as the lab host's netlink saw them at install. */
  ports: [PortLink, PortLink];
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

/** The interfaces `names` of `ns`, read now. */
async function linksOf(ns: NetnsHandle, names: string[]): Promise<LinkInfo[]> {
  const { native } = await loadDataplane();
  const all = await native.listLinks(ns.handle);
  return names.map((n) => {
    const l = all.find((x) => x.name === n);
    if (!l) throw new XconnectError('RUNTIME', `no interface ${n} in ${ns.path}`, { netns: ns.path, endpoint: n });
    return l;
  });
}

/** Installs the wire pa <-> pb on `engine` and checks that both ports run it. */
export async function installWire(w: WireRequest): Promise<InstalledWire> {
  const { Dataplane: DP, policy, tunePeers, Netns } = await loadDataplane();
  const opened: NetnsHandle[] = [];
  const open = async (path: string) => {
    const ns = await Netns.open(path);
    opened.push(ns);
    return ns;
  };
  const closeAll = () => opened.forEach((ns) => ns.close());
  let dp: Dataplane | undefined;
  try {
    const mid = await open(w.mid.path);
    const nodes = [
      { role: 'sender', ns: await open(w.a.netns.path), dev: w.a.dev },
      { role: 'receiver', ns: await open(w.b.netns.path), dev: w.b.dev },
    ];
    const nodeLinks = await Promise.all(nodes.map(async (n) => (await linksOf(n.ns, [n.dev]))[0]!));
    // What apply does inside the nodes for this engine (nothing for tc).
    const want = policy.wireNodeSettings(w.engine);
    const changes: FeatureChange[] = await tunePeers(nodes.map((n, k) => ({ netns: n.ns, ifindex: nodeLinks[k]!.ifindex, ifname: n.dev, want })));
    const nodeChanges = changes.map((c) => `${nodes.find((n) => n.ns === c.netns)!.role} ${c.ifname} ${c.feature} ${c.from ? 'on' : 'off'}->${c.to ? 'on' : 'off'}`);

    const mac = (k: number) => {
      const m = nodeLinks[k]!.mac;
      if (!m) throw new XconnectError('RUNTIME', `no MAC address for ${nodes[k]!.dev} in ${nodes[k]!.ns.path}`);
      return m;
    };
    const peerMac = w.engine === 'tc' ? { a: mac(0), b: mac(1) } : undefined;

    dp = await DP.open(path.join(await privateBpffs(), w.mid.name), { netns: mid, tcAttach: w.tcAttach, impairments: w.impairments ?? true });
    const wireDp = dp;
    const [pa, pb] = (await linksOf(mid, ['pa', 'pb'])) as [LinkInfo, LinkInfo];
    /** Reads both ports back from the kernel; throws unless both run `engine`
     * (and, for tc, with the partner's node MAC for bpf_redirect_peer). */
    const verify = async (): Promise<PortState[]> => {
      const state = await wireDp.ports(await linksOf(mid, ['pa', 'pb']));
      for (const [k, s] of state.entries()) {
        if (s.engine !== w.engine)
          throw new XconnectError('RUNTIME', `port ${s.ifname} in ${w.mid.name} runs ${s.engine ?? 'no engine of ours'} (attach ${s.attach ?? 'none'}, XDP ${s.xdp.mode}), not engine ${w.engine}`, {
            netns: w.mid.path,
            endpoint: s.ifname,
            hint: 'the row would not measure the engine it is named for; see src/dataplane',
          });
        // Port a's frames go to the node behind b, and the other way round.
        const wantMac = peerMac ? (k === 0 ? peerMac.b : peerMac.a) : null;
        if (wantMac && s.config?.peerMac !== wantMac)
          throw new XconnectError('RUNTIME', `port ${s.ifname} in ${w.mid.name}: tc engine without bpf_redirect_peer (peer MAC ${s.config?.peerMac ?? 'unset'}, want ${wantMac})`, {
            netns: w.mid.path,
            endpoint: s.ifname,
          });
      }
      return state;
    };
    const removeWire = () => wireDp.removePorts([pa, pb].map((p) => ({ name: p.name, ifindex: p.ifindex })));
    let state: PortState[];
    try {
      await dp.installWire(pa, pb, { engine: w.engine, adminUp: true, ...(peerMac ? { peerMac } : {}) });
      state = await verify();
    } catch (e) {
      await removeWire().catch(() => undefined);
      throw e;
    }
    return {
      engine: w.engine,
      attach: { a: state[0]!.attach ?? '?', b: state[1]!.attach ?? '?' },
      redirectPeer: !!peerMac,
      nodeChanges,
      dp,
      ports: [pa, pb],
      verify: async () => void (await verify()),
      remove: async () => {
        try {
          await removeWire();
        } finally {
          wireDp.close();
          closeAll();
        }
      },
    };
  } catch (e) {
    dp?.close();
    closeAll();
    throw e;
  }
}
