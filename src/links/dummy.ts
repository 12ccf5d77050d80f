/** `dummy` (links/link_dummy.go): a single interface in a node, no peer. The
 * test deployer does not build it. */
import { bridgePortNames, type LinkKind } from './kind.js';
import type { LinkOf } from './model.js';
import { epName } from './names.js';

export const dummy: LinkKind<LinkOf<'dummy'>> = {
  type: 'dummy',
  endpoints: (link) => [link.endpoint],
  skippedEndpoints: (link) => [epName(link.endpoint)],
  rootNames: (link, ctx) => bridgePortNames([link.endpoint], ctx),
  plan: () => ({ skip: 'unwireable', reason: 'dummy link: a single interface with no peer' }),
};
