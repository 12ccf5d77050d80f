/** containerlab's tc stitch (links/stitch.go, v0.79): joins two root-netns
 * devices one way with an ingress qdisc and a match-all u32 filter whose action is
 * `mirred egress redirect` (TCA_EGRESS_REDIR, control action stolen). */
import { run, tryRun } from './exec.js';

/** tc equivalent of stitch(from, to): every frame received on `from` leaves by `to`. */
export async function stitchOneWay(from: string, to: string, endpoint: string): Promise<void> {
  // An existing ingress qdisc is fine (containerlab ignores EEXIST here).
  await tryRun('tc', ['qdisc', 'add', 'dev', from, 'ingress']);
  await run(
    'tc',
    ['filter', 'add', 'dev', from, 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0',
      'action', 'mirred', 'egress', 'redirect', 'dev', to],
    { endpoint },
  );
}

/** Both directions between `a` and `b`. `fresh` first drops any ingress qdisc (and its
 * filters) on both, so a re-stitch after a node restart leaves no stale filter. */
export async function stitchBothWays(a: string, b: string, endpoint: string, fresh = false): Promise<void> {
  if (fresh) {
    await tryRun('tc', ['qdisc', 'del', 'dev', a, 'ingress']);
    await tryRun('tc', ['qdisc', 'del', 'dev', b, 'ingress']);
  }
  await stitchOneWay(a, b, endpoint);
  await stitchOneWay(b, a, endpoint);
}
