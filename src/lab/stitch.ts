/** containerlab's tc stitch (links/stitch.go, v0.79), the one copy the test
 * bed, the deployer and the bench use: it joins two devices one way with an
 * ingress qdisc and a match-all u32 filter whose action is `mirred egress
 * redirect` (TCA_EGRESS_REDIR, control action stolen); a stitch is both ways.
 * The filter goes into whatever ingress-side qdisc the device has (`tc filter
 * ... ingress`, so a clsact one that a legacy tc engine added works too); an
 * `ingress` qdisc is added when there is none (containerlab ignores EEXIST). */
import { run, tryRun, type RunOptions } from './exec.js';

type Where = Pick<RunOptions, 'netns' | 'endpoint'>;

/** The `tc -batch` lines of a stitch from `from` to `to`. */
export function stitchLines(from: string, to: string): string[] {
  return [
    `qdisc add dev ${from} ingress`,
    `filter add dev ${from} ingress protocol all u32 match u32 0 0 action mirred egress redirect dev ${to}`,
  ];
}

/** Every frame received on `from` leaves by `to`. */
export async function stitchOneWay(from: string, to: string, where: Where = {}): Promise<void> {
  const [qdisc, filter] = stitchLines(from, to).map((l) => l.split(' ')) as [string[], string[]];
  await tryRun('tc', qdisc, { netns: where.netns });
  await run('tc', filter, where);
}

/** Both directions between `a` and `b`. `fresh` first takes any old stitch off
 * both (after a node restart the surviving end may still redirect to a device
 * that is gone). */
export async function stitchBothWays(a: string, b: string, where: Where & { fresh?: boolean } = {}): Promise<void> {
  if (where.fresh) for (const dev of [a, b]) await unstitch(dev, { netns: where.netns });
  await stitchOneWay(a, b, where);
  await stitchOneWay(b, a, where);
}

/** Both directions for many pairs in one `tc -batch` process (large synthetic labs). */
export async function stitchBatch(pairs: [string, string][], where: Where = {}): Promise<void> {
  if (pairs.length === 0) return;
  const lines = pairs.flatMap(([a, b]) => [...stitchLines(a, b), ...stitchLines(b, a)]);
  await run('tc', ['-batch', '-'], { ...where, input: lines.join('\n') + '\n' });
}

/** Takes the stitch off a device: its u32 filters, by pref, and, unless
 * `keepQdisc`, its `ingress` qdisc (a clsact one, which a legacy tc engine may
 * have added, stays: the kernel refuses to delete it as `ingress`). */
export async function unstitch(dev: string, opts: { netns?: string | undefined; keepQdisc?: boolean } = {}): Promise<void> {
  const shown = await run('tc', ['filter', 'show', 'dev', dev, 'ingress'], { netns: opts.netns, allowFail: true });
  for (const pref of new Set([...shown.stdout.matchAll(/pref (\d+) u32/g)].map((m) => m[1]!)))
    await run('tc', ['filter', 'del', 'dev', dev, 'ingress', 'protocol', 'all', 'pref', pref, 'u32'], { netns: opts.netns });
  if (!opts.keepQdisc) await tryRun('tc', ['qdisc', 'del', 'dev', dev, 'ingress'], { netns: opts.netns });
}
