/** deployLab/startNode/stopNode: nodes one at a time in file order, each followed by
 * its link segments (as far as the other side is up) and the onNodeUp hook, the way
 * containerlab's per-node workers and stage hooks sequence a deployment. */
import { XconnectError } from '../errors.js';
import type { Topology, TopologyNode } from '../topology/model.js';
import { assertDockerReachable, containerPid, createNodeContainer, labContainerIds, stopContainer, dockerClient } from './docker.js';
import { ensureNodeImage } from './image.js';
import { assertDeployable, nodeRootVeths, plumbNode } from './links.js';
import { relinkNode } from './relink.js';
import { rootLink } from './iface.js';
import { linkNetns, pidNetns, unlinkNetns } from './netns.js';
import type { DeployedLab, DeployedNode, DeployOptions, StartNodeOptions } from './types.js';

/** Deploys `topo` like `containerlab deploy` would plumb it; see DeployOptions. */
export async function deployLab(topo: Topology, opts: DeployOptions = {}): Promise<DeployedLab> {
  assertDeployable(topo);
  await assertDockerReachable();
  const image = opts.image ?? (await ensureNodeImage());
  const up = new Map<string, DeployedNode>();
  for (const node of topo.nodes) {
    const id = await createNodeContainer(topo, node, image);
    up.set(node.name, await nodeUp(node, id));
    await plumbNode(topo, node.name, up);
    await opts.onNodeUp?.(node.name);
  }
  return { topology: topo, nodes: Object.fromEntries(up) };
}

/** The lab's running nodes as they are now (stopped or missing nodes are left out). */
export async function inspectLab(topo: Topology): Promise<DeployedLab> {
  const nodes: Record<string, DeployedNode> = {};
  for (const node of topo.nodes) {
    const [id] = await labContainerIds(topo.name, node.name);
    if (!id) continue;
    const pid = await containerPid(id);
    if (pid) nodes[node.name] = { id, longName: node.longName, pid, netns: pidNetns(pid) };
  }
  return { topology: topo, nodes };
}

/** `docker stop`: the container stays, its netns (and every interface in it) goes.
 * Resolves once the node's root-netns veth ends are gone too (the kernel dismantles a
 * netns asynchronously, shortly after its last process exits). */
export async function stopNode(topo: Topology, node: string): Promise<void> {
  const n = findNode(topo, node);
  await stopContainer(await nodeContainerId(topo, n));
  await unlinkNetns(n.longName);
  await waitVethsGone(nodeRootVeths(topo, node));
}

async function waitVethsGone(names: string[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = [];
    for (const name of names) if ((await rootLink(name))?.kind === 'veth') left.push(name);
    if (left.length === 0) return;
    if (Date.now() > deadline) {
      throw new XconnectError('RUNTIME', `root-netns ends ${left.join(', ')} outlived their stopped node`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `docker start` of a stopped node. The node comes back with `lo` only, as in
 * containerlab; `relink` re-creates its links (and re-stitches the far ends) through
 * relinkNode(), the entry point `watch` uses after a restart too. */
export async function startNode(topo: Topology, node: string, opts: StartNodeOptions = {}): Promise<DeployedNode> {
  const n = findNode(topo, node);
  const id = await nodeContainerId(topo, n);
  await dockerClient().getContainer(id).start().catch((e: { statusCode?: number }) => {
    if (e.statusCode !== 304) throw e; // 304: already running
  });
  if (opts.relink) return (await relinkNode(topo, node)).node;
  return nodeUp(n, id);
}

async function nodeUp(node: TopologyNode, id: string): Promise<DeployedNode> {
  const pid = await containerPid(id);
  if (!pid) throw new XconnectError('RUNTIME', `node ${node.name}: container ${node.longName} is not running`);
  await linkNetns(node.longName, pid);
  return { id, longName: node.longName, pid, netns: pidNetns(pid) };
}

function findNode(topo: Topology, name: string): TopologyNode {
  const n = topo.nodes.find((x) => x.name === name);
  if (!n) throw new XconnectError('USAGE', `no node ${name} in lab ${topo.name}`);
  return n;
}

async function nodeContainerId(topo: Topology, node: TopologyNode): Promise<string> {
  const [id] = await labContainerIds(topo.name, node.name);
  if (!id) throw new XconnectError('RUNTIME', `node ${node.name}: no container of lab ${topo.name}`, { hint: 'deploy the lab first' });
  return id;
}
