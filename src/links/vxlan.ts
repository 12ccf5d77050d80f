/** `vxlan` (links/link_vxlan.go): the vxlan device lives in the node's netns,
 * so nothing of it is in the root netns to wire (vxlan-stitch is the type that
 * is). The test deployer does not build it. */
import { bridgePortNames, type LinkKind } from './kind.js';
import type { LinkOf, VxlanLink } from './model.js';
import { epName } from './names.js';

/** containerlab's default vxlan UDP port (links.VxLANDefaultPort). */
export const VXLAN_DEFAULT_PORT = 14789;

/** How a vxlan link's far side is written: `vxlan:<vni>@<remote>`. */
export function vxlanRemote(link: VxlanLink): string {
  return `vxlan:${link.vni}@${link.remote}`;
}

export const vxlan: LinkKind<LinkOf<'vxlan'>> = {
  type: 'vxlan',
  endpoints: (link) => [link.endpoint],
  skippedEndpoints: (link) => [epName(link.endpoint), vxlanRemote(link)],
  rootNames: (link, ctx) => bridgePortNames([link.endpoint], ctx),
  plan: () => ({
    skip: 'unwireable',
    reason: 'vxlan link: the vxlan device lives in the node netns; use type: vxlan-stitch for root-netns devices xconnect can wire',
  }),
};
