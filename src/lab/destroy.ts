/** Tears a lab down: its containers (by label, removed by id), the root-netns
 * interfaces its topology names, and its `/run/netns` symlinks. Safe to repeat and on
 * a half-deployed lab: whatever is already gone is skipped. */
import type { Topology } from '../topology/model.js';
import { labContainerIds, removeContainer } from './docker.js';
import { deleteLink, linkInfo } from './iface.js';
import { farEnds } from './links/veth-stitch.js';
import { removeVxlanDevice } from './links/vxlan-stitch.js';
import { vxlanStitchIfnames } from '../topology/names.js';
import { unlinkNetns } from './netns.js';

/** Removes everything deployLab() made for `topo`. */
export async function destroyLab(topo: Topology): Promise<void> {
  for (const id of await labContainerIds(topo.name)) await removeContainer(id);
  for (const node of topo.nodes) await unlinkNetns(node.longName);
  await removeRootInterfaces(topo);
}

/** Deletes the root-netns devices the topology names (of `node` only, when given).
 * Veth ends die with their node's netns, but that happens asynchronously after the
 * container is gone, so they are deleted here too, by name and only when they are veths;
 * a vxlan device only when its VNI and remote are the link's. */
export async function removeRootInterfaces(topo: Topology, node?: string): Promise<void> {
  const mine = (n: string) => node === undefined || n === node;
  for (const link of topo.links) {
    switch (link.type) {
      case 'veth-stitch': {
        const fars = farEnds(topo, link);
        for (const idx of [0, 1] as const) if (mine(link.endpoints[idx].node)) await deleteVeth(fars[idx]);
        break;
      }
      case 'host':
        if (mine(link.endpoint.node)) await deleteVeth(link.hostInterface);
        break;
      case 'vxlan-stitch':
        if (mine(link.endpoint.node)) {
          await removeVxlanDevice(link);
          await deleteVeth(vxlanStitchIfnames(link.endpoint.node, link.endpoint.iface).veth);
        }
        break;
      default:
        break;
    }
  }
}

/** Root-netns veth ends that die with `node`'s netns (far ends, host ends, ve-). */
export function nodeRootVeths(topo: Topology, node: string): string[] {
  const out: string[] = [];
  for (const link of topo.links) {
    if (link.type === 'veth-stitch') {
      const fars = farEnds(topo, link);
      for (const idx of [0, 1] as const) if (link.endpoints[idx].node === node) out.push(fars[idx]);
    } else if (link.type === 'host' && link.endpoint.node === node) {
      out.push(link.hostInterface);
    } else if (link.type === 'vxlan-stitch' && link.endpoint.node === node) {
      out.push(vxlanStitchIfnames(link.endpoint.node, link.endpoint.iface).veth);
    }
  }
  return out;
}

async function deleteVeth(name: string): Promise<void> {
  const info = await linkInfo(name);
  if (info?.linkinfo?.info_kind === 'veth') await deleteLink(info.ifname);
}
