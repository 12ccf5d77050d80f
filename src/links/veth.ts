/** `veth` (links/link_veth.go): one veth pair, each end moved into its node.
 * Already a point-to-point wire with no root-netns end, so the planner leaves it
 * alone; an end on a bridge-like node is a bridge port in the root netns. */
import { bridgePortNames, inRootNetns, type LinkKind } from './kind.js';
import type { LinkOf } from './model.js';
import { epName } from './names.js';
import { emptyPlan } from './plumbing.js';

export const veth: LinkKind<LinkOf<'veth'>> = {
  type: 'veth',
  endpoints: (link) => link.endpoints,
  skippedEndpoints: (link) => link.endpoints.map(epName),
  rootNames: (link, ctx) => bridgePortNames(link.endpoints, ctx),
  plan(link, ctx) {
    const bridge = link.endpoints.find((e) => inRootNetns(e.node, ctx));
    const reason = bridge
      ? `veth to ${ctx.kindOf(bridge.node)} node "${bridge.node}": a bridge port, forwarded by the bridge, not a point-to-point wire`
      : `veth pair ${link.endpoints.map(epName).join(' <-> ')} is already a direct wire with no root-netns end; use type: veth-stitch to have xconnect carry it`;
    return { skip: 'direct', reason };
  },
  deploy: {
    /** The pair once both nodes are up, one end into each. */
    plumb(link, node, ctx) {
      const [epA, epB] = link.endpoints;
      const a = ctx.up.get(epA.node);
      const b = ctx.up.get(epB.node);
      if ((epA.node !== node && epB.node !== node) || !a || !b) return emptyPlan();
      return { ...emptyPlan(), veths: [{ mtu: link.mtu, forEp: epA, a: { node: a, ep: epA }, b: { node: b, ep: epB } }] };
    },
    rootVeths: () => [], // both ends die with their nodes
  },
};
