/** A containerlab-shaped lab made of plain network namespaces, quick to build
 * at any size (the control-plane benchmark's synthetic labs, src/bench/
 * control-plane.ts, work the same way): each node is a namespace linked at
 * /run/netns/clab-<lab>-<node>, as containerlab links its containers' (so
 * clab-xconnect finds it without Docker); each veth-stitch link is two veth
 * pairs, node <-> root netns, whose root-netns ends carry containerlab's
 * stitch names and, optionally, its tc stitch (ingress u32 + mirred both
 * ways). Everything is named after the lab and removed by name. */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { stitchIfname } from '../../src/topology/names.js';

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

async function run(cmd: string, args: string[], timeout = 120_000) {
  return execa(cmd, args, { timeout });
}

async function batch(dir: string, name: string, lines: string[], args: string[]) {
  if (lines.length === 0) return;
  const f = path.join(dir, name);
  writeFileSync(f, lines.join('\n') + '\n');
  await run(args[0]!, [...args.slice(1), '-batch', f]);
}

/** containerlab's tc stitch between two root-netns ports, as `tc -batch` lines. */
function stitchLines(x: string, y: string): string[] {
  return [x, y].flatMap((from) => {
    const to = from === x ? y : x;
    return [`qdisc add dev ${from} ingress`, `filter add dev ${from} ingress protocol all u32 match u32 0 0 action mirred egress redirect dev ${to}`];
  });
}

/** Builds a lab of `wires` veth-stitch wires between `nodes` nodes (wire i joins
 * n<i mod N>:ea<i> and n<(i+1) mod N>:eb<i>). */
export async function buildNetnsLab(opts: { wires: number; nodes?: number; stitch?: boolean; mtu?: number; prefix?: string }): Promise<NetnsLab> {
  const name = (opts.prefix ?? 'rl') + randomBytes(3).toString('hex');
  const n = Math.max(2, opts.nodes ?? 2);
  const nodes = Array.from({ length: n }, (_, i) => `n${i}`);
  const wires: NetnsWire[] = Array.from({ length: opts.wires }, (_, i) => ({
    a: { node: nodes[i % n]!, iface: `ea${i}` },
    b: { node: nodes[(i + 1) % n]!, iface: `eb${i}` },
  }));
  const dir = mkdtempSync(path.join(tmpdir(), 'clab-xconnect-rel-'));
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
    netns: (node) => `/run/netns/${ns(node)}`,
    port,
    ports: () => eps.map(port),
    nodeIfaces: () => eps.map((e) => ({ node: e.node, netns: `/run/netns/${ns(e.node)}`, iface: e.iface })),
    write(labels, extra) {
      writeFileSync(file, text(labels, extra));
    },
    text,
    async addStitch(i) {
      const w = wires[i]!;
      await batch(dir, `stitch-${i}.batch`, stitchLines(port(w.a), port(w.b)), ['tc']);
    },
    async removeStitch(i) {
      const w = wires[i]!;
      for (const p of [port(w.a), port(w.b)]) await execa('tc', ['qdisc', 'del', 'dev', p, 'ingress'], { reject: false });
    },
    async destroy() {
      for (const node of nodes) await execa('ip', ['netns', 'del', ns(node)], { reject: false });
      // Root-netns ends go with their peers' namespaces; remove any leftover by name.
      writeFileSync(path.join(dir, 'del.batch'), eps.map((e) => `link del ${port(e)}`).join('\n') + '\n');
      await execa('ip', ['-force', '-batch', path.join(dir, 'del.batch')], { reject: false });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const mtu = opts.mtu ?? 9500;
    for (const node of nodes) {
      await run('ip', ['netns', 'add', ns(node)]);
      // No IPv6 in the nodes: its autoconfiguration frames would only add noise.
      await run('ip', ['netns', 'exec', ns(node), 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    }
    await batch(
      dir,
      'add.batch',
      eps.flatMap((e) => [
        `link add ${port(e)} mtu ${mtu} type veth peer name ${e.iface} mtu ${mtu} netns ${ns(e.node)}`,
        `link set ${port(e)} up`,
      ]),
      ['ip'],
    );
    for (const node of nodes) {
      const up = eps.filter((e) => e.node === node).map((e) => `link set ${e.iface} up`);
      await batch(dir, `up-${node}.batch`, up, ['ip', '-n', ns(node)]);
    }
    if (opts.stitch ?? true) await batch(dir, 'stitch.batch', wires.flatMap((w) => stitchLines(port(w.a), port(w.b))), ['tc']);
    lab.write();
  } catch (e) {
    await lab.destroy();
    throw e;
  }
  return lab;
}
