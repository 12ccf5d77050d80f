/** The wire test bed's ports as the Dataplane takes them (a netlink snapshot
 * of the wire namespace, through its handle), and small map helpers. */
import type { Dataplane, PortState } from '../../src/dataplane/dataplane.js';
import { tunePeers, type FeatureChange } from '../../src/dataplane/peer-tuning.js';
import { native, type FeatureState, type LinkInfo } from '../../src/native/addon.js';
import { Netns } from '../../src/native/netns.js';
import type { WireLab } from './wire-lab.js';

/** The interfaces `names` of `ns`, read now. */
export async function links(ns: Netns | null, names: string[]): Promise<LinkInfo[]> {
  const all = await native.listLinks(ns?.handle ?? null);
  return names.map((n) => {
    const l = all.find((x) => x.name === n);
    if (!l) throw new Error(`no interface ${n} in ${ns?.path ?? 'the host netns'}`);
    return l;
  });
}

/** The interface `name` of the namespace at `path` (null: the host's), read now. */
export async function linkAt(path: string | null, name: string): Promise<LinkInfo> {
  if (path === null) return (await links(null, [name]))[0]!;
  const ns = await Netns.open(path);
  try {
    return (await links(ns, [name]))[0]!;
  } finally {
    ns.close();
  }
}

/** The ethtool features of interface `name` in the namespace at `path`, read now. */
export async function featuresAt(path: string, name: string): Promise<Record<string, FeatureState>> {
  const ns = await Netns.open(path);
  try {
    const [l] = await links(ns, [name]);
    return (await native.getFeatures(ns.handle, [l!.ifindex]))[0]!;
  } finally {
    ns.close();
  }
}

/** The two ports of the test bed's wire, read now. */
export async function wirePorts(dp: Dataplane): Promise<[LinkInfo, LinkInfo]> {
  const [a, b] = await links(dp.netns, ['pa', 'pb']);
  return [a!, b!];
}

/** What the kernel and the maps say about one port, read now. */
export async function port(dp: Dataplane, name: string): Promise<PortState> {
  return (await dp.ports(await links(dp.netns, [name])))[0]!;
}

/** The MACs of the node interfaces behind pa and pb (the tc engine's
 * bpf_redirect_peer fast path needs them). */
export async function peerMacs(lab: WireLab): Promise<{ a: string; b: string }> {
  return { a: (await linkAt(lab.n1, 'e0')).mac, b: (await linkAt(lab.n2, 'e0')).mac };
}

/** Removes a port's config from the lab's pinned map, as a crash between two
 * steps could leave it: the program stays attached but does not know the port. */
export async function unconfigurePort(pinDir: string, ifindex: number): Promise<void> {
  const obj = await native.openPinned(pinDir, ['xc_ports']);
  try {
    if (!obj.maps['xc_ports']) throw new Error(`no xc_ports pinned in ${pinDir}`);
    const key = Buffer.alloc(4);
    key.writeUInt32LE(ifindex);
    await native.mapOps(obj.handle, null, [{ op: 'delete', map: 'xc_ports', key }]);
  } finally {
    native.closeHandle(obj.handle);
  }
}

/** Sets the node-side settings `want` on e0 of the node namespace at `path`;
 * returns what changed. */
export async function tuneNode(path: string, want: Record<string, boolean>): Promise<FeatureChange[]> {
  const ns = await Netns.open(path);
  try {
    const [e0] = await links(ns, ['e0']);
    return await tunePeers([{ netns: ns, ifindex: e0!.ifindex, ifname: 'e0', want }]);
  } finally {
    ns.close();
  }
}
