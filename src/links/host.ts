/** `host` (links/link_host.go): one veth, the node end in the node, the other in
 * the root netns named `host-interface` with a generated MAC. Alone it has no
 * partner to wire to; two host links labelled `xconnect.clab/pair: <name>`
 * become one wire between their two host interfaces (a `host-pair` wire). */
import { bridgePortNames, wireId, type LinkContext, type LinkKind, type RootName, type WireSpec } from './kind.js';
import type { Endpoint, HostLink, LinkOf } from './model.js';
import { epName } from './names.js';
import { emptyPlan, type NodeHandle, type VethSpec } from './plumbing.js';

/** The label that pairs two host links (the planner reads it; see src/plan/labels.ts). */
export const PAIR_LABEL = 'xconnect.clab/pair';

/** Only `host` links pair (not mgmt-net, which shares the record). */
export function isPairable(link: { type: string }): link is LinkOf<'host'> {
  return link.type === 'host';
}

/** The wire two paired host links become: between their host interfaces. */
export function pairWire(x: HostLink, y: HostLink): WireSpec {
  return {
    kind: 'host-pair',
    id: wireId(epName(x.endpoint), epName(y.endpoint)),
    a: { name: x.hostInterface, device: 'veth', node: x.endpoint },
    b: { name: y.hostInterface, device: 'veth', node: y.endpoint },
    directions: { a: [epName(x.endpoint)], b: [epName(y.endpoint)] },
  };
}

/** The host interface, then the node end when its node is bridge-like (host and mgmt-net alike). */
export function hostSideNames(link: HostLink, ctx: LinkContext): RootName[] {
  return [{ name: link.hostInterface, owner: `${link.type}:${link.hostInterface}` }, ...bridgePortNames([link.endpoint], ctx)];
}

/** `node:iface` and `<type>:<host interface>` (host, mgmt-net, macvlan). */
export function hostSideEnds(link: { type: string; endpoint: Endpoint; hostInterface: string }): string[] {
  return [epName(link.endpoint), `${link.type}:${link.hostInterface}`];
}

/** A veth from node `ep` to a root-netns end `hostIfname` with a generated
 * MAC. Also the veth half of a vxlan-stitch. */
export function hostVeth(ep: Endpoint, node: NodeHandle, hostIfname: string, mtu: number): VethSpec {
  return { mtu, forEp: ep, a: { node, ep }, b: { ifname: hostIfname, randomMac: true } };
}

const mine = (link: HostLink, node: string | undefined) => node === undefined || link.endpoint.node === node;

export const host: LinkKind<LinkOf<'host'>> = {
  type: 'host',
  endpoints: (link) => [link.endpoint],
  skippedEndpoints: hostSideEnds,
  rootNames: hostSideNames,
  plan: (link) => ({
    skip: 'unwireable',
    reason: `host link: its root-netns end ${link.hostInterface} has no peer; pair it with another host link by giving both the label ${PAIR_LABEL}: <name>`,
  }),
  deploy: {
    plumb(link, node, ctx) {
      const self = ctx.up.get(node);
      if (!self || link.endpoint.node !== node) return emptyPlan();
      return { ...emptyPlan(), veths: [hostVeth(link.endpoint, self, link.hostInterface, link.mtu)] };
    },
    rootVeths: (link, node) => (mine(link, node) ? [link.hostInterface] : []),
  },
};
