/** `host`: one veth, node end in the node, the other in the root netns named
 * host-interface with a generated MAC (links/link_host.go). Also the veth half of
 * a vxlan-stitch. */
import type { Endpoint } from '../../topology/model.js';
import { addVethPair, clabMac, deleteLink, randomIfname } from '../iface.js';
import type { DeployedNode } from '../types.js';
import { epName, plantNodeEnd, plantRootEnd } from './ends.js';

/** Plumbs node `ep` to a root-netns end `hostIfname`; returns the root end's kernel name. */
export async function deployHostVeth(ep: Endpoint, node: DeployedNode, hostIfname: string, mtu: number): Promise<string> {
  const [tmpNode, tmpHost] = [randomIfname(), randomIfname()];
  await addVethPair(tmpNode, tmpHost, mtu, epName(ep));
  try {
    await plantNodeEnd(tmpNode, node, ep);
    return await plantRootEnd(tmpHost, hostIfname, clabMac(), ep);
  } catch (e) {
    await deleteLink(tmpNode);
    await deleteLink(tmpHost);
    throw e;
  }
}
