/** `vxlan-stitch` (links/link_vxlan.go, link_vxlan_stitched.go): a vxlan device
 * `vx-<node>_<iface>` and a host veth `ve-<node>_<iface>` (peer in the node) in the
 * root netns, tc-stitched both ways. */
import { XconnectError } from '../../errors.js';
import type { VxlanLink } from '../../topology/model.js';
import { vxlanStitchIfnames } from '../../topology/names.js';
import { run } from '../exec.js';
import { clabMac, deleteLink, linkInfo, nameAndUp, randomIfname } from '../iface.js';
import { stitchBothWays } from '../stitch.js';
import type { DeployedNode } from '../types.js';
import { epName } from './ends.js';
import { deployHostVeth } from './host.js';

/** containerlab's default vxlan UDP port (links.VxLANDefaultPort). */
export const VXLAN_DEFAULT_PORT = 14789;

export async function deployVxlanStitch(link: VxlanLink, node: DeployedNode): Promise<void> {
  const ep = link.endpoint;
  const names = vxlanStitchIfnames(ep.node, ep.iface);
  const vx = await addVxlan(link, names.vxlan);
  let ve: string;
  try {
    ve = await deployHostVeth({ node: ep.node, iface: ep.iface }, node, names.veth, link.mtu);
  } catch (e) {
    await deleteLink(vx);
    throw e;
  }
  await stitchBothWays(vx, ve, epName(ep));
}

/** The vxlan device as LinkVxlan.deployVxlanInterface makes it: parent = `parent-interface`
 * or the device of the route to `remote`, learning on (kernel default), txqueuelen 1000, the endpoint's
 * `mac` (or a generated one) on the vxlan device, MTU = link MTU. `src-port` is not applied
 * (not in the containerlab code read). Returns its kernel name. */
async function addVxlan(link: VxlanLink, ifname: string): Promise<string> {
  const ep = epName(link.endpoint);
  const parent = (link as VxlanLink & { parentInterface?: string }).parentInterface || (await routeDev(link.remote, ep));
  const tmp = randomIfname();
  await run('ip', ['link', 'add', tmp, 'address', link.endpoint.mac ?? clabMac(), 'mtu', String(link.mtu), 'txqueuelen', '1000',
    'type', 'vxlan', 'id', String(link.vni), 'remote', link.remote, 'dev', parent, 'dstport', String(link.dstPort || VXLAN_DEFAULT_PORT)],
  { endpoint: ep, hint: `the vxlan MTU must fit the MTU of ${parent} minus 50` });
  try {
    return await nameAndUp(undefined, tmp, { ifname }, ep);
  } catch (e) {
    await deleteLink(tmp);
    throw e;
  }
}

/** The device of the route to `remote` (containerlab's default parent interface). */
async function routeDev(remote: string, ep: string): Promise<string> {
  const out = await run('ip', ['-j', 'route', 'get', remote], { endpoint: ep, code: 'RUNTIME', hint: `no route to vxlan remote ${remote}` });
  const dev = (JSON.parse(out) as Array<{ dev?: string }>)[0]?.dev;
  if (!dev) throw new XconnectError('RUNTIME', `${ep}: no route to vxlan remote ${remote}`, { endpoint: ep });
  return dev;
}

/** Deletes the link's vxlan device if it is ours (a vxlan with this VNI and remote). */
export async function removeVxlanDevice(link: VxlanLink): Promise<void> {
  const name = vxlanStitchIfnames(link.endpoint.node, link.endpoint.iface).vxlan;
  const info = await linkInfo(name);
  const data = info?.linkinfo?.info_data;
  if (info?.linkinfo?.info_kind !== 'vxlan' || data?.id !== link.vni || data?.remote !== link.remote) return;
  await deleteLink(info.ifname);
}
