/** `macvlan` (links/link_macvlan.go): the node interface is a macvlan on a
 * host interface; there is no veth end to wire. The test deployer does not
 * build it. */
import { bridgePortNames, type LinkKind } from './kind.js';
import type { LinkOf } from './model.js';
import { hostSideEnds } from './host.js';

export const macvlan: LinkKind<LinkOf<'macvlan'>> = {
  type: 'macvlan',
  endpoints: (link) => [link.endpoint],
  skippedEndpoints: hostSideEnds,
  rootNames: (link, ctx) => bridgePortNames([link.endpoint], ctx),
  plan: (link) => ({
    skip: 'unwireable',
    reason: `macvlan link: the node interface is a macvlan on ${link.hostInterface}; there is no veth end to cross-connect`,
  }),
};
