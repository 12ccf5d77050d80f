/** Control-plane benchmark: synthetic containerlab-shaped labs of N veth-stitch
 * wires built from network namespaces (no Docker), driven through the real CLI:
 * cold apply, no-op re-apply, one-link change, destroy; wall time per command
 * (process start included, as a user pays it) and the command's peak RSS.
 *
 * The labs are the test bed's netns labs (src/lab/netns-lab.ts), packed 50
 * interfaces to a node, without containerlab's tc stitch under the wires. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildNetnsLab, run } from '../lab/index.js';
import { median } from '../util/median.js';
import { nodeFlags } from '../util/node-flags.js';
import { cliPath } from '../util/package.js';

const PER_NODE = 50;

export interface ControlPlaneResult {
  wires: number;
  /** Medians over the repetitions, milliseconds. */
  coldApplyMs: number;
  noopApplyMs: number;
  oneLinkChangeMs: number;
  destroyMs: number;
  /** Largest peak RSS of any of the commands, MiB. */
  peakRssMiB: number;
}

/** A preload for the CLI's process that reports its peak RSS on exit, after
 * the command has run. CommonJS, as the CLI is: an ES module preload (or
 * importing the CLI from one) would start Node's ES module loader, which the
 * installed CLI never does, and measure that too. */
const RSS_PRELOAD = `process.on('exit', () => process.stderr.write('\\nRSS ' + process.resourceUsage().maxRSS + '\\n'));\n`;

/** Runs the CLI once, as installed (`node <the command's flags> cliPath ...`,
 * what the launcher execs); returns wall ms and the process's peak RSS (KiB). */
async function timedRun(preload: string, args: string[]): Promise<{ ms: number; rssKiB: number; out: string }> {
  const t0 = performance.now();
  const r = await run('node', [...nodeFlags(args[0]!), '--require', preload, cliPath, ...args], { allowFail: true });
  const ms = performance.now() - t0;
  const rss = Number(/RSS (\d+)/.exec(r.stderr)?.[1] ?? 0);
  if (r.code !== 0) throw new Error(`clab-xconnect ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, rssKiB: rss, out: r.stdout };
}

function changes(out: string): number {
  return (JSON.parse(out) as { changes: number }).changes;
}

/** Measures one lab size `reps` times (a fresh cold apply each time). */
export async function benchControlPlane(wires: number, reps: number, log: (s: string) => void): Promise<ControlPlaneResult> {
  log(`control plane: building a ${wires}-wire lab`);
  const lab = await buildNetnsLab({ wires, perNode: PER_NODE, stitch: false, mtu: 1500, prefix: 'cp', ipv6: true });
  const preload = path.join(lab.dir, 'rss-on-exit.cjs');
  writeFileSync(preload, RSS_PRELOAD);
  const timed = (args: string[]) => timedRun(preload, args);
  const samples = { cold: [] as number[], noop: [] as number[], change: [] as number[], destroy: [] as number[] };
  let rss = 0;
  try {
    for (let r = 0; r < reps; r++) {
      lab.write();
      const cold = await timed(['apply', '-t', lab.file, '--format', 'json']);
      if (changes(cold.out) !== wires) throw new Error(`cold apply changed ${changes(cold.out)} wires, expected ${wires}`);
      const noop = await timed(['apply', '-t', lab.file, '--format', 'json']);
      if (changes(noop.out) !== 0) throw new Error(`no-op apply changed ${changes(noop.out)} wires`);
      const changed = Math.floor(wires / 2);
      lab.write((i): Record<string, string> => (i === changed ? { 'xconnect.clab/admin': 'down' } : {}));
      const change = await timed(['apply', '-t', lab.file, '--format', 'json']);
      if (changes(change.out) !== 1) throw new Error(`one-link change changed ${changes(change.out)} wires`);
      const destroy = await timed(['destroy', '-t', lab.file, '--format', 'json']);
      samples.cold.push(cold.ms);
      samples.noop.push(noop.ms);
      samples.change.push(change.ms);
      samples.destroy.push(destroy.ms);
      rss = Math.max(rss, cold.rssKiB, noop.rssKiB, change.rssKiB, destroy.rssKiB);
      log(`  N=${wires} rep ${r + 1}: cold ${cold.ms.toFixed(0)} ms, no-op ${noop.ms.toFixed(0)} ms, change ${change.ms.toFixed(0)} ms, destroy ${destroy.ms.toFixed(0)} ms`);
    }
  } finally {
    await timed(['destroy', '-t', lab.file]).catch(() => undefined);
    await lab.destroy();
  }
  return {
    wires,
    coldApplyMs: median(samples.cold),
    noopApplyMs: median(samples.noop),
    oneLinkChangeMs: median(samples.change),
    destroyMs: median(samples.destroy),
    peakRssMiB: Math.round((rss / 1024) * 10) / 10,
  };
}
