/** `mgmt-net` (links/link_mgmt-net.go): a veth whose root-netns end is a port
 * of the management bridge. Not a point-to-point wire; the test deployer does
 * not build it. */
import type { LinkKind } from './kind.js';
import type { LinkOf } from './model.js';
import { hostSideEnds, hostSideNames } from './host.js';

export const mgmtNet: LinkKind<LinkOf<'mgmt-net'>> = {
  type: 'mgmt-net',
  endpoints: (link) => [link.endpoint],
  skippedEndpoints: hostSideEnds,
  rootNames: hostSideNames,
  plan: () => ({ skip: 'unwireable', reason: 'mgmt-net link: its root-netns end is a port of the management bridge, not a point-to-point wire' }),
};
