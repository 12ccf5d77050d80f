/** The three-namespace test bed the kernel tests and the bench build a wire on:
 *
 *     node1 (ifname) -- [port a   wire netns   port b] -- node2 (ifname)
 *
 * The wire namespace plays the lab host: it holds the two ports a wire joins,
 * like containerlab's root-netns stitch ends. The node namespaces play lab
 * nodes: one interface each, at the link MTU, with an address and, as
 * containerlab leaves them, tx checksum offload off. Without a wire namespace
 * the two node interfaces are one veth pair (a direct link). Namespaces are
 * named by the caller and removed by name. */
import { run } from './exec.js';
import { addVethPair, txChecksumOff } from './iface.js';
import { addNetns, delNetns, type AddNetnsOptions, type Netns } from './netns.js';

export interface WireBedOptions {
  /** Namespace names: the two nodes and, unless the link is direct, the wire's. */
  names: { node1: string; node2: string; wire?: string | undefined };
  /** The node interface's name, in both nodes. */
  ifname: string;
  /** The two ports in the wire namespace. Default `pa`, `pb`. */
  ports?: [string, string];
  mtu: number;
  /** IPv4 address (/24) of each node interface. */
  addrs: [string, string];
  /** Default true, as containerlab sets node interfaces. */
  txChecksumOff?: boolean;
  /** How the namespaces are made (lo, IPv6). */
  netns?: AddNetnsOptions;
}

export interface WireBed {
  node1: Netns;
  node2: Netns;
  wire: Netns | undefined;
  ifname: string;
  ports: [string, string];
  addrs: [string, string];
  /** Deletes the namespaces (and with them every device of the bed). */
  destroy(): Promise<void>;
}

/** Builds the bed; on failure removes what it made. */
export async function createWireBed(o: WireBedOptions): Promise<WireBed> {
  const made: Netns[] = [];
  const destroy = async () => {
    for (const ns of made) await delNetns(ns);
  };
  try {
    const ns = async (name: string) => {
      const n = await addNetns(name, o.netns);
      made.push(n);
      return n;
    };
    const node1 = await ns(o.names.node1);
    const node2 = await ns(o.names.node2);
    const wire = o.names.wire ? await ns(o.names.wire) : undefined;
    const ports = o.ports ?? ['pa', 'pb'];
    const nodes = [node1, node2] as const;
    if (wire) {
      for (const k of [0, 1] as const) await addVethPair({ name: o.ifname, netns: nodes[k].name }, { name: ports[k], netns: wire.name }, o.mtu);
      for (const p of ports) await run('ip', ['link', 'set', 'dev', p, 'up'], { netns: wire.path });
    } else {
      await addVethPair({ name: o.ifname, netns: node1.name }, { name: o.ifname, netns: node2.name }, o.mtu);
    }
    for (const k of [0, 1] as const) {
      await run('ip', ['addr', 'add', `${o.addrs[k]}/24`, 'dev', o.ifname], { netns: nodes[k].path });
      await run('ip', ['link', 'set', 'dev', o.ifname, 'up'], { netns: nodes[k].path });
      if (o.txChecksumOff ?? true) await txChecksumOff(o.ifname, { netns: nodes[k].path });
    }
    return { node1, node2, wire, ifname: o.ifname, ports, addrs: o.addrs, destroy };
  } catch (e) {
    await destroy();
    throw e;
  }
}
