/** A three-namespace test bed: node1 (e0) -- [pa  wire ns  pb] -- node2 (e0).
 * The wire namespace holds the two ports a wire joins, like containerlab's
 * root-netns stitch ends. Everything is named uniquely and removed by name. */
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { native } from '../../src/native/addon.js';
import { nsExec, nsPath, sh, uniq } from './sys.js';

export interface WireLab {
  node1: string;
  node2: string;
  wire: string;
  /** netns paths */
  n1: string;
  n2: string;
  w: string;
  pinDir: string;
  ip1: string;
  ip2: string;
  destroy(): Promise<void>;
}

export const TEST_BPFFS = '/sys/fs/bpf/clab-xconnect-test';

export async function createWireLab(opts: { mtu: number; txChecksumOff?: boolean }): Promise<WireLab> {
  const id = uniq('');
  const node1 = `xt1-${id}`, node2 = `xt2-${id}`, wire = `xtw-${id}`;
  const lab: WireLab = {
    node1, node2, wire,
    n1: nsPath(node1), n2: nsPath(node2), w: nsPath(wire),
    pinDir: path.join(TEST_BPFFS, id),
    ip1: '198.18.7.1', ip2: '198.18.7.2',
    async destroy() {
      for (const ns of [node1, node2, wire]) await sh('ip', ['netns', 'del', ns], { reject: false });
      await rm(lab.pinDir, { recursive: true, force: true });
      await rmdir(TEST_BPFFS).catch(() => undefined); // only when no other test bed uses it
    },
  };
  try {
    for (const ns of [node1, node2, wire]) {
      await sh('ip', ['netns', 'add', ns]);
      // No IPv6: its autoconfiguration traffic would pollute the counters.
      await nsExec(ns, ['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    }
    await sh('ip', ['link', 'add', 'e0', 'netns', node1, 'mtu', String(opts.mtu), 'type', 'veth', 'peer', 'name', 'pa', 'netns', wire, 'mtu', String(opts.mtu)]);
    await sh('ip', ['link', 'add', 'e0', 'netns', node2, 'mtu', String(opts.mtu), 'type', 'veth', 'peer', 'name', 'pb', 'netns', wire, 'mtu', String(opts.mtu)]);
    await nsExec(node1, ['ip', 'addr', 'add', `${lab.ip1}/24`, 'dev', 'e0']);
    await nsExec(node2, ['ip', 'addr', 'add', `${lab.ip2}/24`, 'dev', 'e0']);
    for (const [ns, dev] of [[node1, 'e0'], [node2, 'e0'], [wire, 'pa'], [wire, 'pb']] as const) {
      await nsExec(ns, ['ip', 'link', 'set', dev, 'up']);
    }
    // containerlab turns tx checksum offload off on node interfaces.
    if (opts.txChecksumOff ?? true)
      for (const ns of [node1, node2]) await nsExec(ns, ['ethtool', '-K', 'e0', 'tx', 'off']);
  } catch (e) {
    await lab.destroy();
    throw e;
  }
  return lab;
}

/** containerlab's stitch: ingress u32 match-all + mirred redirect, both ways.
 * The filter goes into whatever ingress-side qdisc the port has (an `ingress`
 * one, as containerlab makes, is added when there is none). */
export async function addTcStitch(ns: string, a: string, b: string): Promise<void> {
  for (const [from, to] of [[a, b], [b, a]] as const) {
    await nsExec(ns, ['tc', 'qdisc', 'add', 'dev', from, 'ingress'], { reject: false });
    await nsExec(ns, ['tc', 'filter', 'add', 'dev', from, 'parent', 'ffff:fff2', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', to]);
  }
}

/** Removes the stitch from both ports: its u32 filters, and its `ingress`
 * qdisc (a clsact one, which the legacy tc engine may have added, stays). */
export async function removeTcStitch(ns: string, a: string, b: string): Promise<void> {
  for (const dev of [a, b]) {
    const r = await nsExec(ns, ['tc', 'filter', 'show', 'dev', dev, 'ingress']);
    for (const pref of new Set([...r.stdout.matchAll(/pref (\d+) u32/g)].map((m) => m[1]!)))
      await nsExec(ns, ['tc', 'filter', 'del', 'dev', dev, 'ingress', 'protocol', 'all', 'pref', pref, 'u32']);
    await nsExec(ns, ['tc', 'qdisc', 'del', 'dev', dev, 'ingress'], { reject: false });
  }
}

/** The MACs of the node interfaces behind pa and pb (the tc engine's
 * bpf_redirect_peer fast path needs them). */
export async function peerMacs(lab: WireLab): Promise<{ a: string; b: string }> {
  const [a, b] = await Promise.all([native.getLink(lab.n1, 'e0'), native.getLink(lab.n2, 'e0')]);
  return { a: a!.mac, b: b!.mac };
}

/** Removes a port's config from the lab's pinned map, as a crash between two
 * steps could leave it: the program stays attached but does not know the port. */
export async function unconfigurePort(pinDir: string, ifindex: number): Promise<void> {
  const m = await native.openPinnedMap(path.join(pinDir, 'xc_ports'));
  if (!m) throw new Error(`no xc_ports pinned in ${pinDir}`);
  try {
    const key = Buffer.alloc(4);
    key.writeUInt32LE(ifindex);
    await native.mapOps(null, [{ op: 'delete', fd: m.fd, key }]);
  } finally {
    native.closeFd(m.fd);
  }
}
