#!/usr/bin/env node
// Two builds of the CLI side by side on the control-plane bench's labs: for
// each size, one netns lab (50 interfaces a node, no stitch), then per round
// a cold apply, a no-op re-apply and a destroy by each build, the builds
// taking turns (so a busy stretch of a noisy machine hits both). Prints the
// medians and every sample. Root; dist/ of this tree built.
//   node scripts/control-plane-ab.mjs --old PATH --new PATH [--rounds 6] [--sizes 10,100,1000]
// PATH is a CLI entry run as `node --max-semi-space-size=1 PATH ...`: a
// tree's dist/cli/main.js, or dist/bin/clab-xconnect.cjs of a bundled one. An
// older commit, for --old:
//   git worktree add /tmp/xc-old COMMIT && cd /tmp/xc-old && ln -s "$OLDPWD/node_modules" &&
//   cp -r "$OLDPWD/build" . && npx tsc -p tsconfig.json
// Run with `echo 0 > /sys/kernel/rcu_expedited` as on a stock kernel (and put
// the old value back after). BENCHMARKS.md, "Control plane", has a run.
import { parseArgs } from 'node:util';
import { buildNetnsLab, run } from '../dist/lab/index.js';
import { median } from '../dist/util/median.js';

const { values } = parseArgs({
  options: { old: { type: 'string' }, new: { type: 'string' }, rounds: { type: 'string', default: '6' }, sizes: { type: 'string', default: '10,100,1000' } },
});
if (!values.old || !values.new) {
  console.error('usage: node scripts/control-plane-ab.mjs --old PATH --new PATH [--rounds 6] [--sizes 10,100,1000]');
  process.exit(2);
}
const builds = { old: values.old, new: values.new };
const rounds = Number(values.rounds);

/** Wall ms and peak RSS (MiB) of one CLI run. */
async function timed(cli, args) {
  const t0 = performance.now();
  const r = await run('/usr/bin/time', ['-f', 'RSS %M', 'node', '--max-semi-space-size=1', cli, ...args], { allowFail: true });
  if (r.code !== 0) throw new Error(`${cli} ${args.join(' ')}: ${r.stderr}`);
  return { ms: performance.now() - t0, rss: Number(/RSS (\d+)/.exec(r.stderr)[1]) / 1024 };
}

for (const wires of values.sizes.split(',').map(Number)) {
  const lab = await buildNetnsLab({ wires, perNode: 50, stitch: false, mtu: 1500, prefix: 'ab', ipv6: true });
  const res = { old: { cold: [], noop: [], rss: [] }, new: { cold: [], noop: [], rss: [] } };
  try {
    lab.write();
    for (let r = 0; r < rounds; r++) {
      for (const k of r % 2 ? ['new', 'old'] : ['old', 'new']) {
        const cold = await timed(builds[k], ['apply', '-t', lab.file, '--format', 'json']);
        const noop = await timed(builds[k], ['apply', '-t', lab.file, '--format', 'json']);
        await timed(builds[k], ['destroy', '-t', lab.file]);
        res[k].cold.push(cold.ms);
        res[k].noop.push(noop.ms);
        res[k].rss.push(Math.max(cold.rss, noop.rss));
      }
    }
  } finally {
    await lab.destroy();
  }
  const ms = (a) => a.map((x) => x.toFixed(0)).join(' ');
  for (const k of ['old', 'new'])
    console.log(
      `${wires} wires, ${k}: cold ${median(res[k].cold).toFixed(0)} ms, no-op ${median(res[k].noop).toFixed(0)} ms, ` +
        `peak RSS ${Math.max(...res[k].rss).toFixed(1)} MiB (cold: ${ms(res[k].cold)}; no-op: ${ms(res[k].noop)})`,
    );
}
