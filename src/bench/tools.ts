/** The C tools under bench/ (xcbench: live-frames generator and sink), built
 * on demand into .bench/build, and typed wrappers around their commands. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XconnectError } from '../errors.js';
import { addNetns, ownedNetnsName, run, start, type Netns } from '../lab/index.js';

/** Repository root, from dist/bench or src/bench. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const benchDir = path.join(repoRoot, '.bench');
const buildDir = path.join(benchDir, 'build');
const xcbench = path.join(buildDir, 'xcbench');

/** Where the sink runs: XDP (native or generic) or tc ingress. */
export type SinkMode = 'native' | 'generic' | 'tc';

/** `make -C bench` (a no-op when up to date). */
export async function buildTools(): Promise<void> {
  try {
    await run('make', ['-s', '-C', path.join(repoRoot, 'bench'), `O=${buildDir}`]);
  } catch (e) {
    throw new XconnectError('RUNTIME', 'cannot build the bench tools (bench/Makefile)', {
      hint: 'needs clang, bpftool, libbpf-dev, make, pkg-config',
      cause: e,
    });
  }
}

/** What `xcbench gen` prints. */
export interface GenResult {
  size: number;
  threads: number;
  dry_run: boolean;
  seconds: number;
  tx_packets: number;
  tx_pps: number;
  rx_packets?: number;
  rx_pps?: number;
  rx_bps?: number;
}

export interface GenOptions {
  tx: { netns: Netns; dev: string };
  /** Receiver with an xcbench sink attached; omitted for a dry run. */
  rx?: { netns: Netns; dev: string };
  size: number;
  seconds: number;
  warmup: number;
  threads: number;
  dryRun?: boolean;
}

/** Runs the live-frames generator (and samples the sink) once. */
export async function generate(o: GenOptions): Promise<GenResult> {
  const args = ['gen', '--tx-netns', o.tx.netns.path, '--tx-dev', o.tx.dev];
  if (o.rx) args.push('--rx-netns', o.rx.netns.path, '--rx-dev', o.rx.dev);
  args.push('--size', String(o.size), '--seconds', String(o.seconds), '--warmup', String(o.warmup));
  args.push('--threads', String(o.threads));
  if (o.dryRun) args.push('--dry-run');
  const { stdout } = await start(xcbench, args, { timeoutMs: (o.seconds + o.warmup + 20) * 1000 }).done;
  return JSON.parse(stdout) as GenResult;
}

/** Attaches the sink (count + drop) to a port. */
export async function attachSink(netns: Netns, dev: string, mode: SinkMode): Promise<void> {
  await run(xcbench, ['attach', '--netns', netns.path, '--dev', dev, '--mode', mode]);
}

/** Detaches the sink of `mode` from the port (none: no-op). */
export async function detachSink(netns: Netns, dev: string, mode: SinkMode): Promise<void> {
  await run(xcbench, ['detach', '--netns', netns.path, '--dev', dev, '--mode', mode]);
}

/** Prefix of the bench's namespaces: `xcb-<pid>-<n>-<tag>` (reaped by pid when a run died). */
export const BENCH_NETNS = 'xcb';

/** A namespace of the bench, lo up, everything else as `ip netns add` leaves it. */
export function benchNetns(tag: string): Promise<Netns> {
  return addNetns(ownedNetnsName(BENCH_NETNS, tag), { lo: true, ipv6: true });
}
