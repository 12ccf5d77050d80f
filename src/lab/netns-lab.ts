/** A containerlab-shaped lab made of plain network namespaces, quick to build
 * at any size (no Docker): the reliability tests and the control-plane
 * benchmark use it. Each node is a namespace linked at
 * /run/netns/clab-<lab>-<node>, as containerlab links its containers' (so
 * clab-xconnect finds it); each veth-stitch link is two veth pairs, node <->
 * root netns, whose root-netns ends carry containerlab's stitch names and,
 * optionally, its tc stitch. Everything is named after the lab and removed by
 * name. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { stitchIfname } from '../links/index.js';
import { ipBatch, run } from './exec.js';
import { addNetns, delNetns, netnsPath } from './netns.js';
import { stitchBatch, unstitch } from './stitch.js';

export interface Endpoint {
  node: string;
  iface: string;
}

export interface NetnsWire {
  a: Endpoint;
  b: Endpoint;
}

export interface NetnsLab {
  name: string;
  dir: string;
  file: string;
  nodes: string[];
  wires: NetnsWire[];
  /** `/run/netns/clab-<lab>-<node>`. */
  netns(node: string): string;
  /** The root-netns stitch end of an endpoint. */
  port(e: Endpoint): string;
  /** Every root-netns port of the lab. */
  ports(): string[];
  /** Every node interface of the lab, with its netns. */
  nodeIfaces(): { node: string; netns: string; iface: string }[];
  /** Writes the topology; `labels(i)` gives wire i's labels. */
  write(labels?: (i: number) => Record<string, string>, extra?: string): void;
  /** The topology text write() would write. */
  text(labels?: (i: number) => Record<string, string>, extra?: string): string;
  addStitch(i: number): Promise<void>;
  removeStitch(i: number): Promise<void>;
  destroy(): Promise<void>;
}

export interface NetnsLabOptions {
  wires: number;
  /** Ring layout: wire i joins n<i mod N>:ea<i> and n<(i+1) mod N>:eb<i> (N >= 2; default 2). */
  nodes?: number;
  /** Packed layout instead: endpoints fill nodes `perNode` interfaces at a time
   * (n<k>:e<j>), wire i joining endpoints 2i and 2i+1. */
  perNode?: number;
  /** containerlab's tc stitch under every wire. Default true. */
  stitch?: boolean;
  /** Link MTU. Default 9500, containerlab's. */
  mtu?: number;
  /** Lab name prefix (a random suffix follows). Default `rl`. */
  prefix?: string;
  /** Leave IPv6 on in the nodes. Default false (its autoconfiguration frames only add noise). */
  ipv6?: boolean;
}

/** The wires of a layout (see NetnsLabOptions). */
function layout(o: NetnsLabOptions): { nodes: string[]; wires: NetnsWire[] } {
  if (o.perNode) {
    const per = o.perNode;
    const eps = Array.from({ length: 2 * o.wires }, (_, i) => ({ node: `n${Math.floor(i / per)}`, iface: `e${i % per}` }));
    return { nodes: [...new Set(eps.map((e) => e.node))], wires: Array.from({ length: o.wires }, (_, i) => ({ a: eps[2 * i]!, b: eps[2 * i + 1]! })) };
  }
  const n = Math.max(2, o.nodes ?? 2);
  const nodes = Array.from({ length: n }, (_, i) => `n${i}`);
  const wires = Array.from({ length: o.wires }, (_, i) => ({ a: { node: nodes[i % n]!, iface: `ea${i}` }, b: { node: nodes[(i + 1) % n]!, iface: `eb${i}` } }));
  return { nodes, wires };
}

/** Builds the lab, its namespaces, veths (and stitches) and its topology file. */
export async function buildNetnsLab(o: NetnsLabOptions): Promise<NetnsLab> {
  const name = (o.prefix ?? 'rl') + randomBytes(3).toString('hex');
  const { nodes, wires } = layout(o);
  const dir = mkdtempSync(path.join(tmpdir(), 'clab-xconnect-lab-'));
  const file = path.join(dir, `${name}.clab.yml`);
  const ns = (node: string) => `clab-${name}-${node}`;
  const eps = wires.flatMap((w) => [w.a, w.b]);
  const port = (e: Endpoint) => stitchIfname(name, e.node, e.iface);
  const text = (labels?: (i: number) => Record<string, string>, extra = '') => {
    const lines = [`name: ${name}`, 'topology:', '  defaults: { kind: linux }', '  nodes:'];
    for (const node of nodes) lines.push(`    ${node}: {}`);
    lines.push('  links:');
    wires.forEach((w, i) => {
      lines.push('    - type: veth-stitch', `      endpoints: [{ node: ${w.a.node}, interface: ${w.a.iface} }, { node: ${w.b.node}, interface: ${w.b.iface} }]`);
      const l = labels?.(i) ?? {};
      if (Object.keys(l).length) lines.push(`      labels: { ${Object.entries(l).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')} }`);
    });
    return lines.join('\n') + '\n' + extra;
  };
  const lab: NetnsLab = {
    name,
    dir,
    file,
    nodes,
    wires,
    netns: (node) => netnsPath(ns(node)),
    port,
    ports: () => eps.map(port),
    nodeIfaces: () => eps.map((e) => ({ node: e.node, netns: netnsPath(ns(e.node)), iface: e.iface })),
    write(labels, extra) {
      writeFileSync(file, text(labels, extra));
    },
    text,
    async addStitch(i) {
      const w = wires[i]!;
      await stitchBatch([[port(w.a), port(w.b)]]);
    },
    async removeStitch(i) {
      const w = wires[i]!;
      for (const p of [port(w.a), port(w.b)]) await unstitch(p);
    },
    async destroy() {
      for (const node of nodes) await delNetns(ns(node));
      // Root-netns ends go with their peers' namespaces; remove any leftover by name.
      await run('ip', ['-force', '-batch', '-'], { input: eps.map((e) => `link del ${port(e)}`).join('\n') + '\n', allowFail: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const mtu = o.mtu ?? 9500;
    for (const node of nodes) await addNetns(ns(node), { ipv6: o.ipv6 ?? false });
    await ipBatch(
      eps.flatMap((e) => [`link add ${port(e)} mtu ${mtu} type veth peer name ${e.iface} mtu ${mtu} netns ${ns(e.node)}`, `link set ${port(e)} up`]),
      { timeoutMs: 300_000 },
    );
    for (const node of nodes) {
      await ipBatch(eps.filter((e) => e.node === node).map((e) => `link set ${e.iface} up`), { netns: netnsPath(ns(node)), timeoutMs: 120_000 });
    }
    if (o.stitch ?? true) await stitchBatch(wires.map((w) => [port(w.a), port(w.b)]), {});
    lab.write();
  } catch (e) {
    await lab.destroy();
    throw e;
  }
  return lab;
}
