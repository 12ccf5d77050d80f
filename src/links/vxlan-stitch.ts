/** `vxlan-stitch` (links/link_vxlan.go, link_vxlan_stitched.go): a vxlan device
 * `vx-<node>_<iface>` and a host veth `ve-<node>_<iface>` (peer in the node) in
 * the root netns, tc-stitched both ways. The planner wires the two. */
import type { LinkKind } from './kind.js';
import type { LinkOf, VxlanLink } from './model.js';
import { epName } from './names.js';
import { hostVeth } from './host.js';
import { emptyPlan } from './plumbing.js';
import { VXLAN_DEFAULT_PORT, vxlanRemote } from './vxlan.js';

/** Root-netns devices of a vxlan-stitch endpoint: the host veth and the vxlan device. */
export function vxlanStitchIfnames(node: string, iface: string): { veth: string; vxlan: string } {
  return { veth: `ve-${node}_${iface}`, vxlan: `vx-${node}_${iface}` };
}

const names = (link: VxlanLink) => vxlanStitchIfnames(link.endpoint.node, link.endpoint.iface);
const mine = (link: VxlanLink, node: string | undefined) => node === undefined || link.endpoint.node === node;

export const vxlanStitch: LinkKind<LinkOf<'vxlan-stitch'>> = {
  type: 'vxlan-stitch',
  endpoints: (link) => [link.endpoint],
  skippedEndpoints: (link) => [epName(link.endpoint), vxlanRemote(link)],
  rootNames(link) {
    const owner = `vxlan-stitch of ${epName(link.endpoint)}`;
    return [{ name: names(link).veth, owner }, { name: names(link).vxlan, owner }];
  },
  plan(link) {
    const remote = vxlanRemote(link);
    return {
      wire: {
        kind: 'vxlan-stitch',
        id: `${epName(link.endpoint)}--${remote}`,
        a: { name: names(link).veth, device: 'veth', node: link.endpoint },
        b: { name: names(link).vxlan, device: 'vxlan' },
        directions: { a: [epName(link.endpoint)], b: [remote, 'remote'] },
      },
    };
  },
  deploy: {
    /** The vxlan device (parent: `parent-interface` or the route to `remote`;
     * the endpoint's `mac` goes on it, so the node end gets a generated one),
     * the host veth, then the stitch. */
    plumb(link, node, ctx) {
      const self = ctx.up.get(node);
      if (!self || link.endpoint.node !== node) return emptyPlan();
      const ep = link.endpoint;
      const { vxlan, veth } = names(link);
      return {
        vxlans: [{
          ifname: vxlan,
          dev: { vni: link.vni, remote: link.remote, dstPort: link.dstPort || VXLAN_DEFAULT_PORT, parent: link.parentInterface || undefined, mtu: link.mtu, mac: ep.mac },
          forEp: ep,
        }],
        veths: [hostVeth({ node: ep.node, iface: ep.iface }, self, veth, link.mtu)],
        stitches: [{ a: vxlan, b: veth, what: epName(ep), fresh: false, altnames: [], needs: [] }],
      };
    },
    rootVeths: (link, node) => (mine(link, node) ? [names(link).veth] : []),
    rootVxlans: (link, node) => (mine(link, node) ? [{ name: names(link).vxlan, vni: link.vni, remote: link.remote }] : []),
  },
};
