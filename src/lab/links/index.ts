/** Which link segments a node brings up, in file order, given the nodes already up;
 * one file per link type beside this one. */
import { XconnectError } from '../../errors.js';
import type { Link, Topology } from '../../topology/model.js';
import type { DeployedNode } from '../types.js';
import { deployHostVeth } from './host.js';
import { deployVeth } from './veth.js';
import { deployStitchSegment } from './veth-stitch.js';
import { deployVxlanStitch } from './vxlan-stitch.js';

/** The link types the deployer plumbs (and relinkNode re-plumbs). */
export const SUPPORTED = new Set<Link['type']>(['veth', 'veth-stitch', 'host', 'vxlan-stitch']);

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
    if (!SUPPORTED.has(l.type)) {
      throw new XconnectError('PLAN', `link type ${l.type} is not supported by the test deployer`, {
        ...where, value: l.type, hint: 'use veth, veth-stitch, host or vxlan-stitch',
      });
    }
    const eps = 'endpoints' in l ? l.endpoints : [l.endpoint];
    for (const ep of eps) {
      if (!nodes.has(ep.node)) {
        throw new XconnectError('PLAN', `link endpoint ${ep.node}:${ep.iface} names an unknown node`, { ...where, endpoint: `${ep.node}:${ep.iface}` });
      }
    }
  }
}

/** Plumbs every segment of `node` whose other side is up (`up` includes `node`).
 * `fresh`: the node was restarted; re-stitch surviving far ends from scratch. */
export async function plumbNode(topo: Topology, node: string, up: ReadonlyMap<string, DeployedNode>, fresh = false): Promise<void> {
  const self = up.get(node);
  if (!self) throw new XconnectError('RUNTIME', `node ${node} is not running`);
  for (const link of topo.links) {
    switch (link.type) {
      case 'veth': {
        const [a, b] = link.endpoints;
        if (a.node !== node && b.node !== node) break;
        const na = up.get(a.node);
        const nb = up.get(b.node);
        if (na && nb) await deployVeth(link, na, nb);
        break;
      }
      case 'veth-stitch':
        for (const idx of [0, 1] as const) {
          if (link.endpoints[idx].node === node) await deployStitchSegment(topo, link, idx, self, fresh);
        }
        break;
      case 'host':
        if (link.endpoint.node === node) await deployHostVeth(link.endpoint, self, link.hostInterface, link.mtu);
        break;
      case 'vxlan-stitch':
        if (link.endpoint.node === node) await deployVxlanStitch(link, self);
        break;
      default:
        break; // rejected by assertDeployable
    }
  }
}
