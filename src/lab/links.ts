/** The lab's links as the deployer handles them: which types it can build, the
 * segments a node brings up, and the root-netns devices it made. What each
 * link type does is in its own file (src/links/<type>.ts, the deploy half);
 * this file walks a topology's links and hands each type the plumbing. */
import { XconnectError } from '../errors.js';
import { DEPLOYABLE, linkContext, linkDeploy, linkEndpoints, linksRootVeths, plumbLinks, removeLinksRoot, type LinkContext, type NodeHandle } from '../links/index.js';
import type { Link, Topology } from '../topology/model.js';
import { plumbing } from './plumbing.js';

/** What a link type needs to know of the lab. */
const contextOf = (topo: Topology): LinkContext => linkContext(topo.name, topo.nodes);

/** True when the deployer can build links of this type. */
export function deployable(link: Link): boolean {
  return linkDeploy(link) !== undefined;
}

/** Rejects, before anything is created, what the deployer cannot build. */
export function assertDeployable(topo: Topology): void {
  const nodes = new Set(topo.nodes.map((n) => n.name));
  for (const n of topo.nodes) {
    if (n.kind !== 'linux') {
      throw new XconnectError('PLAN', `node ${n.name}: kind ${n.kind} is not supported by the test deployer`, {
        file: topo.file, line: n.line, path: `topology.nodes.${n.name}.kind`, value: n.kind, hint: 'use kind: linux',
      });
    }
  }
  for (const l of topo.links) {
    const where = { file: topo.file, line: l.line, path: `topology.links[${l.index}]` };
    if (!deployable(l)) {
      throw new XconnectError('PLAN', `link type ${l.type} is not supported by the test deployer`, {
        ...where, value: l.type, hint: `use ${DEPLOYABLE.join(', ').replace(/, ([^,]*)$/, ' or $1')}`,
      });
    }
    for (const ep of linkEndpoints(l)) {
      if (!nodes.has(ep.node)) {
        throw new XconnectError('PLAN', `link endpoint ${ep.node}:${ep.iface} names an unknown node`, { ...where, endpoint: `${ep.node}:${ep.iface}` });
      }
    }
  }
}

/** Plumbs every segment of `node` whose other side is up (`up` includes `node`),
 * all links together (a few batched process runs for the node, see
 * ./plumbing.ts). `fresh`: the node was restarted; re-stitch surviving far ends from scratch. */
export async function plumbNode(topo: Topology, node: string, up: ReadonlyMap<string, NodeHandle>, fresh = false): Promise<void> {
  if (!up.get(node)) throw new XconnectError('RUNTIME', `node ${node} is not running`);
  await plumbLinks(topo.links, node, { ...contextOf(topo), up, fresh }, plumbing);
}

/** Deletes the root-netns devices the topology names (of `node` only, when given).
 * Veth ends die with their node's netns, but that happens asynchronously after the
 * container is gone, so they are deleted here too, by name and only when they are veths;
 * a vxlan device only when its VNI and remote are the link's. */
export async function removeRootInterfaces(topo: Topology, node?: string): Promise<void> {
  await removeLinksRoot(topo.links, node, contextOf(topo), plumbing);
}

/** Root-netns veth ends that die with `node`'s netns (far ends, host ends, ve-). */
export function nodeRootVeths(topo: Topology, node: string): string[] {
  return linksRootVeths(topo.links, node, contextOf(topo));
}
