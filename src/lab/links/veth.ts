/** `veth`: one veth pair, each end moved into its node (links/link_veth.go). */
import type { VethLink } from '../../topology/model.js';
import { addVethPair, deleteLink, randomIfname } from '../iface.js';
import type { DeployedNode } from '../types.js';
import { epName, plantNodeEnd } from './ends.js';

/** Creates the pair once both nodes are up; `a`/`b` run the link's endpoints 0/1. */
export async function deployVeth(link: VethLink, a: DeployedNode, b: DeployedNode): Promise<void> {
  const [epA, epB] = link.endpoints;
  const [tmpA, tmpB] = [randomIfname(), randomIfname()];
  await addVethPair(tmpA, tmpB, link.mtu, epName(epA));
  try {
    await plantNodeEnd(tmpA, a, epA);
    await plantNodeEnd(tmpB, b, epB);
  } catch (e) {
    // An end still in the root netns takes its peer with it; moved ends die with their node.
    await deleteLink(tmpA);
    await deleteLink(tmpB);
    throw e;
  }
}
