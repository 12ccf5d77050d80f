/** Helpers for Docker/netns suites: hand-built containerlab topologies (no loader
 * needed), commands inside a node's netns, and what a lab leaves behind. */
import { beforeAll, beforeEach } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readdir, readlink } from 'node:fs/promises';
import type { Endpoint, HostLink, Link, Topology, TopologyNode, VethLink, VxlanLink } from '../../src/topology/model.js';
import { longName } from '../../src/topology/names.js';
import { linkContext, rootNames } from '../../src/links/index.js';
import { assertDockerReachable, CLAB_LABEL, dockerClient, run } from '../../src/lab/index.js';

export { dockerClient };

/** Throws (so the suite FAILS, never skips) when the Docker engine does not answer. */
export async function requireDocker(): Promise<void> {
  await assertDockerReachable();
}

/** beforeAll(setup), except that a failed setup (e.g. no Docker engine) fails every
 * test of the suite instead of leaving them reported as skipped. */
export function setupOrFail(setup: () => Promise<void>, timeoutMs?: number): void {
  let error: unknown;
  beforeAll(async () => {
    try {
      await setup();
    } catch (e) {
      error = e ?? new Error('suite setup failed');
    }
  }, timeoutMs);
  beforeEach(() => {
    if (error) throw error;
  });
}

/** A short random id, e.g. for lab names (`t` + 6 hex keeps interface names short). */
export function uniqueId(prefix = 't', bytes = 3): string {
  return prefix + randomBytes(bytes).toString('hex');
}

/** Parses `node:iface` (iface may contain `:`-free slashes and dashes). */
export function ep(s: string, mac?: string): Endpoint {
  const i = s.indexOf(':');
  return { node: s.slice(0, i), iface: s.slice(i + 1), ...(mac ? { mac } : {}) };
}

type LinkSpec =
  | { type: 'veth' | 'veth-stitch'; endpoints: [string, string]; mtu?: number }
  | { type: 'host'; endpoint: string; hostInterface: string; mtu?: number }
  | { type: 'vxlan-stitch'; endpoint: string; remote: string; vni: number; dstPort?: number; mtu?: number }
  | { type: 'macvlan' | 'mgmt-net' | 'dummy' | 'vxlan'; endpoint: string };

/** A Topology as the loader would produce it: kind linux nodes, MTU 9500 default. */
export function makeTopology(name: string, nodes: string[], links: LinkSpec[], prefix?: string): Topology {
  const file = `/tmp/${name}/${name}.clab.yml`;
  const topoNodes: TopologyNode[] = nodes.map((n, i) => ({
    name: n, longName: longName(name, n, prefix), kind: 'linux', image: 'alpine:3', group: undefined,
    labels: {}, env: {}, networkMode: undefined, line: 5 + i,
  }));
  const topoLinks: Link[] = links.map((l, index) => {
    const base = { mtu: 'mtu' in l && l.mtu ? l.mtu : 9500, labels: {}, vars: {}, line: 20 + index, index };
    switch (l.type) {
      case 'veth':
      case 'veth-stitch':
        return { ...base, type: l.type, endpoints: [ep(l.endpoints[0]), ep(l.endpoints[1])] } satisfies VethLink;
      case 'host':
        return { ...base, type: 'host', endpoint: ep(l.endpoint), hostInterface: l.hostInterface } satisfies HostLink;
      case 'vxlan-stitch':
        return { ...base, type: 'vxlan-stitch', endpoint: ep(l.endpoint), remote: l.remote, vni: l.vni, dstPort: l.dstPort ?? 14789, srcPort: undefined } satisfies VxlanLink;
      case 'macvlan':
        return { ...base, type: 'macvlan', endpoint: ep(l.endpoint), hostInterface: 'eth0', mode: undefined };
      case 'mgmt-net':
        return { ...base, type: 'mgmt-net', endpoint: ep(l.endpoint), hostInterface: 'x' };
      case 'vxlan':
        return { ...base, type: 'vxlan', endpoint: ep(l.endpoint), remote: '198.18.0.1', vni: 1, dstPort: 14789, srcPort: undefined };
      case 'dummy':
        return { ...base, type: 'dummy', endpoint: ep(l.endpoint) };
    }
  });
  return { name, file, prefix, labDir: `/tmp/${name}/clab-${name}`, nodes: topoNodes, links: topoLinks };
}

/** Runs a command in a netns (`/proc/<pid>/ns/net`); root netns when undefined. */
export async function nsRun(netns: string | undefined, cmd: string, args: string[]): Promise<string> {
  return (await run(cmd, args, { netns })).stdout;
}

export interface IpLink {
  ifindex: number;
  ifname: string;
  mtu: number;
  address: string;
  flags: string[];
  altnames?: string[];
  link_netnsid?: number;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
}

/** `ip -j -d link show` of a netns. */
export async function ipLinks(netns?: string): Promise<IpLink[]> {
  return JSON.parse(await nsRun(netns, 'ip', ['-j', '-d', 'link', 'show'])) as IpLink[];
}

/** The interface named or altnamed `name` in a netns, or undefined. */
export async function findLink(netns: string | undefined, name: string): Promise<IpLink | undefined> {
  return (await ipLinks(netns)).find((l) => l.ifname === name || l.altnames?.includes(name));
}

/** A veth's peer ifindex (`ethtool -S` peer_ifindex). */
export async function peerIfindex(netns: string | undefined, ifname: string): Promise<number> {
  const out = await nsRun(netns, 'ethtool', ['-S', ifname]);
  const m = /peer_ifindex:\s*(\d+)/.exec(out);
  if (!m?.[1]) throw new Error(`no peer_ifindex for ${ifname}`);
  return Number(m[1]);
}

/** True when tx checksum offload is off on the interface. */
export async function txChecksumOff(netns: string | undefined, ifname: string): Promise<boolean> {
  return /^tx-checksumming: off/m.test(await nsRun(netns, 'ethtool', ['-k', ifname]));
}

export interface MirredFilter {
  action: string;
  direction: string;
  toDev: string;
}

/** mirred actions of the ingress filters on a root-netns device. */
export async function ingressMirreds(dev: string): Promise<MirredFilter[]> {
  const r = await run('tc', ['-j', 'filter', 'show', 'dev', dev, 'ingress'], { allowFail: true });
  if (r.code !== 0) return [];
  const filters = JSON.parse(r.stdout || '[]') as Array<{ options?: { actions?: Array<Record<string, unknown>> } }>;
  return filters.flatMap((f) => f.options?.actions ?? [])
    .filter((a) => a.kind === 'mirred')
    .map((a) => ({ action: String(a.mirred_action), direction: String(a.direction), toDev: String(a.to_dev) }));
}

/** Root-netns interface names a lab's topology makes (far ends, host ends,
 * vxlan-stitch devices), as each link type names them (src/links/). */
export function rootIfnames(topo: Topology): string[] {
  const ctx = linkContext(topo.name, topo.nodes);
  return topo.links.flatMap((l) => rootNames(l, ctx).map((n) => n.name));
}

/** What of a lab still exists: containers (by label), root-netns interfaces (by name or
 * altname), `/run/netns` symlinks of its nodes. All empty after a clean destroy. */
export async function labResidue(topo: Topology): Promise<{ containers: string[]; ifaces: string[]; netns: string[] }> {
  const list = await dockerClient().listContainers({ all: true, filters: { label: [`${CLAB_LABEL.lab}=${topo.name}`] } });
  const root = await ipLinks();
  const wanted = new Set(rootIfnames(topo));
  const ifaces = root.filter((l) => wanted.has(l.ifname) || l.altnames?.some((a) => wanted.has(a)
    || a.startsWith(`clab-stitch-${topo.name}-`))).map((l) => l.ifname);
  const longNames = new Set(topo.nodes.map((n) => n.longName));
  const netns: string[] = [];
  for (const f of await readdir('/run/netns').catch(() => [] as string[])) {
    if (longNames.has(f)) netns.push(`${f} -> ${await readlink(`/run/netns/${f}`).catch(() => '?')}`);
  }
  return { containers: list.map((c) => c.Id), ifaces, netns };
}
