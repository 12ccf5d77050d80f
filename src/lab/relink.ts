/** relinkNode: the one entry point that re-creates a running node's links after its
 * container (re)started with a new, empty netns. It plumbs them exactly as deployLab
 * does (src/links/: node-side names, `clab-s-` far ends and altnames, MTU, tx checksum
 * off, the tc stitch), so startNode({ relink }) and `clab-xconnect watch` share it. */
import { XconnectError } from '../errors.js';
import { linkEndpoints, ownershipAltname, sanitizeIfname } from '../links/index.js';
import { native } from '../native/addon.js';
import { Netns } from '../native/netns.js';
import type { Link, Topology, TopologyNode } from '../topology/model.js';
import { containerPid, dockerClient, LABEL } from './docker.js';
import { deployable, plumbNode, removeRootInterfaces } from './links.js';
import { linkNetns, pidNetns } from './netns.js';
import type { DeployedNode } from './types.js';

export interface RelinkOptions {
  /** Leave the node alone when any of its link interfaces already exists in its netns
   * (someone, e.g. containerlab itself, plumbed it already). Default false. */
  ifBare?: boolean;
}

export interface RelinkResult {
  /** The node as it runs now. */
  node: DeployedNode;
  /** False when `ifBare` found the node already plumbed (nothing was changed). */
  relinked: boolean;
  /** `node:iface` endpoints of the node's links, in file order. */
  endpoints: string[];
  /** Peer nodes not running: their side of a shared link waits for their own relink. */
  peersDown: string[];
}

/** Re-creates `node`'s links (see the module comment); the node must be running. */
export async function relinkNode(topo: Topology, node: string, opts: RelinkOptions = {}): Promise<RelinkResult> {
  const n = topo.nodes.find((x) => x.name === node);
  if (!n) throw new XconnectError('USAGE', `no node ${node} in lab ${topo.name}`);
  const running = await runningContainers(topo.name);
  const id = running.get(node);
  if (!id) throw new XconnectError('RUNTIME', `node ${node}: container ${n.longName} is not running`);
  const self = await nodeRuntime(n, id);
  if (!self) throw new XconnectError('RUNTIME', `node ${node}: container ${n.longName} is not running`);
  // containerlab links /run/netns/<longname> at deploy; a restart leaves it pointing at the old pid.
  await linkNetns(n.longName, self.pid);
  const own = nodeLinks(topo, node);
  const endpoints = nodeEndpoints(own, node);
  if (opts.ifBare && (await hasAnyInterface(self.netns, node, endpoints))) {
    return { node: self, relinked: false, endpoints: endpoints.map((e) => `${node}:${e}`), peersDown: [] };
  }
  await removeRootInterfaces(topo, node);
  const up = new Map<string, DeployedNode>([[node, self]]);
  const peersDown: string[] = [];
  // The peers' pids in parallel: one Docker call each.
  const peers = peersOf(topo, node);
  const runtimes = await Promise.all(peers.map((p) => (running.get(p.name) ? nodeRuntime(p, running.get(p.name)!) : undefined)));
  peers.forEach((peer, i) => {
    const rt = runtimes[i];
    if (rt) up.set(peer.name, rt);
    else peersDown.push(peer.name);
  });
  // All the node's links together: each step for all of them is one batched
  // process run (./plumbing.ts), not a dozen runs per link.
  await plumbNode({ ...topo, links: own }, node, up, true);
  return { node: self, relinked: true, endpoints: endpoints.map((e) => `${node}:${e}`), peersDown };
}

/** Container id by node name, for the lab's running containers (one Docker call). */
async function runningContainers(lab: string): Promise<Map<string, string>> {
  const list = await dockerClient().listContainers({ filters: { label: [`${LABEL.lab}=${lab}`], status: ['running'] } });
  return new Map(list.map((c) => [c.Labels[LABEL.nodeName] ?? '', c.Id]));
}

async function nodeRuntime(node: TopologyNode, id: string): Promise<DeployedNode | undefined> {
  const pid = await containerPid(id);
  return pid ? { id, longName: node.longName, pid, netns: pidNetns(pid) } : undefined;
}

/** The links of `node` the deployer plumbs, in file order. */
function nodeLinks(topo: Topology, node: string): Link[] {
  return topo.links.filter((l) => deployable(l) && linkEndpoints(l).some((ep) => ep.node === node));
}

/** Interfaces (as written) that `links` put into `node`. */
function nodeEndpoints(links: Link[], node: string): string[] {
  return links.flatMap((l) => linkEndpoints(l).filter((ep) => ep.node === node).map((ep) => ep.iface));
}

/** Nodes sharing a link with `node`. */
function peersOf(topo: Topology, node: string): TopologyNode[] {
  const names = new Set<string>();
  for (const l of topo.links) {
    const on = linkEndpoints(l).map((ep) => ep.node);
    if (on.includes(node)) for (const n of on) if (n !== node) names.add(n);
  }
  return topo.nodes.filter((n) => names.has(n.name));
}

/** Whether any of `ifaces` exists in the netns, by name, sanitized altname or
 * containerlab's ownership altname. Read through the addon (no process run). */
async function hasAnyInterface(netns: string, node: string, ifaces: string[]): Promise<boolean> {
  if (ifaces.length === 0) return false;
  const ns = await Netns.open(netns);
  const links = await native.listLinks(ns.handle).finally(() => ns.close());
  const names = new Set(links.flatMap((l) => [l.name, ...l.altnames]));
  return ifaces.some((i) => names.has(i) || names.has(sanitizeIfname(i)) || names.has(ownershipAltname(node, i)));
}
