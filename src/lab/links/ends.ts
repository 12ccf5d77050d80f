/** The two ways a veth end is planted, as containerlab's deployAEnd/deployBEnd do:
 * tx checksum offload off (in the root netns, before the move), then into the node's
 * netns or left in the root netns, renamed, MAC set, up. */
import type { Endpoint } from '../../topology/model.js';
import { ownershipAltname } from '../../topology/names.js';
import { clabMac, moveToPid, nameAndUp, txChecksumOff } from '../iface.js';
import type { DeployedNode } from '../types.js';

/** `node:iface`, the way errors name an endpoint. */
export function epName(ep: Endpoint): string {
  return `${ep.node}:${ep.iface}`;
}

/** Moves root-netns `current` into the node as `ep` (ownership altname, MAC from the
 * topology or generated in containerlab's OUI); returns the kernel name in the node. */
export async function plantNodeEnd(current: string, node: DeployedNode, ep: Endpoint): Promise<string> {
  await txChecksumOff(current, epName(ep));
  await moveToPid(current, node.pid, epName(ep));
  return nameAndUp(node.netns, current, {
    ifname: ep.iface,
    mac: ep.mac ?? clabMac(),
    ownershipAltname: ownershipAltname(ep.node, ep.iface),
  }, epName(ep));
}

/** Names root-netns `current` as `ifname` and brings it up; returns the kernel name. */
export async function plantRootEnd(current: string, ifname: string, mac: string | undefined, forEp: Endpoint): Promise<string> {
  await txChecksumOff(current, epName(forEp));
  return nameAndUp(undefined, current, { ifname, mac }, epName(forEp));
}
