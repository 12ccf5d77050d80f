/** `veth-stitch` (containerlab v0.78+, root-netns variant of v0.79): per endpoint a
 * veth segment node <-> root netns whose far end is `clab-s-<8hex>`; once both
 * segments exist, each far end gets the altname naming the node endpoint at the
 * OTHER end and the two far ends are tc-stitched both ways. */
import type { Topology, VethLink } from '../../topology/model.js';
import { stitchAltname, stitchIfname } from '../../topology/names.js';
import { run } from '../exec.js';
import { addVethPair, deleteLink, linkInfo, randomIfname } from '../iface.js';
import { stitchBothWays } from '../stitch.js';
import type { DeployedNode } from '../types.js';
import { epName, plantNodeEnd, plantRootEnd } from './ends.js';

/** Root-netns far ends of the link's two segments, by endpoint index. */
export function farEnds(topo: Topology, link: VethLink): [string, string] {
  const [a, b] = link.endpoints;
  return [stitchIfname(topo.name, a.node, a.iface), stitchIfname(topo.name, b.node, b.iface)];
}

/** Creates the segment of endpoint `idx`, then stitches when the other segment exists.
 * `fresh` re-stitches from scratch (the other far end may hold a stale filter). */
export async function deployStitchSegment(topo: Topology, link: VethLink, idx: 0 | 1, node: DeployedNode, fresh = false): Promise<void> {
  const ep = link.endpoints[idx];
  const far = farEnds(topo, link)[idx];
  const [tmpNode, tmpFar] = [randomIfname(), randomIfname()];
  await addVethPair(tmpNode, tmpFar, link.mtu, epName(ep));
  try {
    await plantNodeEnd(tmpNode, node, ep);
    await plantRootEnd(tmpFar, far, undefined, ep);
  } catch (e) {
    await deleteLink(tmpNode);
    await deleteLink(tmpFar);
    throw e;
  }
  const other = farEnds(topo, link)[1 - idx] as string;
  if (await linkInfo(other)) await stitchSegments(topo, link, fresh);
}

/** markFarEnd on both far ends, then the tc stitch both ways. */
async function stitchSegments(topo: Topology, link: VethLink, fresh: boolean): Promise<void> {
  const [a, b] = link.endpoints;
  const [farA, farB] = farEnds(topo, link);
  await markFarEnd(farA, stitchAltname(topo.name, b.node, b.iface), epName(a));
  await markFarEnd(farB, stitchAltname(topo.name, a.node, a.iface), epName(b));
  await stitchBothWays(farA, farB, `${epName(a)} <-> ${epName(b)}`, fresh);
}

async function markFarEnd(far: string, altname: string, endpoint: string): Promise<void> {
  const info = await linkInfo(far);
  if (info?.altnames?.includes(altname)) return; // a surviving far end after a node restart
  await run('ip', ['link', 'property', 'add', 'dev', far, 'altname', altname], { endpoint });
}
