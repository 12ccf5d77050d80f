/** `npm run bench`: the data-plane benchmark (issue #5). Builds the C tools,
 * then for each path and MTU builds the path in fresh namespaces, measures
 * TCP (iperf3) and small-frame rate (live-frames generator into an XDP sink),
 * removes the namespaces, and prints a table and writes JSON. See BENCHMARKS.md. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isXconnectError, XconnectError } from '../errors.js';
import { measureGeneratorAlone, measurePps, measureTcp, profile, type PpsSettings } from './measure.js';
import { deleteAllNetnsSync, reapStaleNetns } from './netns.js';
import { helpText, parseOptions, type BenchOptions } from './options.js';
import { Fixture, PATHS } from './paths.js';
import { median, ratios, table, type BenchResults, type PathResult } from './report.js';
import { killChildren, run } from './sh.js';
import { benchDir, buildTools } from './tools.js';
import { chooseWireImpl, reapStaleBpffs, releaseWireState } from './wire.js';

function cleanupSync(): void {
  killChildren();
  deleteAllNetnsSync();
  releaseWireState();
}

function installCleanup(): void {
  process.on('exit', cleanupSync);
  // A closed pipe (`npm run bench | head`) must not end the run half-way.
  for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(sig, () => {
      process.stderr.write(`\n${sig}: removing the bench's namespaces\n`);
      cleanupSync();
      process.exit(code);
    });
  }
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function machine(): Promise<BenchResults['machine']> {
  const libbpf = await run('pkg-config', ['--modversion', 'libbpf'], { allowFail: true });
  return {
    nproc: os.cpus().length,
    kernel: os.release(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    libbpf: libbpf.stdout.trim(),
  };
}

async function measurePath(fx: Fixture, o: BenchOptions, pps: PpsSettings, result: PathResult): Promise<void> {
  const tag = `${fx.spec.key}-${fx.opts.mtu}`;
  if (o.tcp) {
    const samples = [];
    for (let i = 0; i < o.reps; i++) {
      const once = () => measureTcp(fx, o.tcpSeconds);
      samples.push(i === 0 && o.profile ? await profile(path.join(benchDir, `profile-tcp-${tag}.txt`), o.tcpSeconds + 1, once) : await once());
      log(`  ${fx.spec.id} MTU ${fx.opts.mtu} tcp #${i + 1}: ${(samples.at(-1)!.bps / 1e9).toFixed(2)} Gb/s`);
    }
    result.tcp = { samples, medianBps: median(samples.map((s) => s.bps)) };
    result.needs.tcp = fx.needs.tcp;
  }
  if (o.pps) {
    const samples = [];
    for (let i = 0; i < o.reps; i++) {
      const once = () => measurePps(fx, pps);
      samples.push(
        i === 0 && o.profile ? await profile(path.join(benchDir, `profile-pps-${tag}.txt`), pps.warmup + pps.seconds, once) : await once(),
      );
      log(`  ${fx.spec.id} MTU ${fx.opts.mtu} pps #${i + 1}: ${(samples.at(-1)!.rxPps / 1e6).toFixed(2)} Mpps`);
    }
    result.pps = {
      samples,
      median: median(samples.map((s) => s.rxPps)),
      offeredMedian: median(samples.map((s) => s.offeredPps)),
      pathNsPerFrame: NaN,
    };
    result.needs.pps = fx.needs.pps;
  }
}

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  if (!o) {
    process.stdout.write(helpText());
    return 0;
  }
  if (process.getuid?.() !== 0)
    throw new XconnectError('PERMISSION', 'the bench creates network namespaces and loads BPF programs', { hint: 'run it as root' });
  installCleanup();
  const t0 = Date.now();
  const loadStart = os.loadavg()[0]!;
  mkdirSync(benchDir, { recursive: true });
  const stale = [...(await reapStaleNetns()), ...reapStaleBpffs()];
  if (stale.length) log(`removed what dead bench runs left: ${stale.join(' ')}`);
  log('building bench/ tools...');
  await buildTools();
  const wire = o.paths.some((p) => p === 'd' || p === 'e') ? await chooseWireImpl(o.wireImpl) : { impl: 'bench' as const, why: 'no wire path selected' };
  const pps: PpsSettings = { size: o.size, seconds: o.ppsSeconds, warmup: o.quick ? 0.3 : 0.5, threads: o.threads };

  const genSamples: number[] = [];
  if (o.pps) {
    for (let i = 0; i < o.reps; i++) genSamples.push(await measureGeneratorAlone(pps));
    log(`generator alone: ${(median(genSamples) / 1e6).toFixed(2)} Mpps`);
  }
  const genMedian = median(genSamples);

  const results: PathResult[] = [];
  for (const spec of PATHS.filter((p) => o.paths.includes(p.id))) {
    for (const mtu of o.mtus) {
      const result: PathResult = { path: spec.id, key: spec.key, title: spec.title, mtu, needs: { pps: [], tcp: [] }, errors: [] };
      results.push(result);
      log(`${spec.id} ${spec.title}, MTU ${mtu}`);
      let fx: Fixture | undefined;
      try {
        fx = await Fixture.build(spec, { mtu, wireImpl: wire.impl, wireNapi: o.wireNapi });
        await measurePath(fx, o, pps, result);
      } catch (e) {
        result.errors.push(errText(e));
        log(`  error: ${errText(e)}`);
      } finally {
        await fx?.destroy().catch((e: unknown) => result.errors.push(`teardown: ${errText(e)}`));
      }
      if (result.pps) result.pps.pathNsPerFrame = 1e9 / result.pps.median - 1e9 / genMedian;
    }
  }

  const { out: _out, ...shownOptions } = o;
  const report: BenchResults = {
    schema: 1,
    startedAt: new Date(t0).toISOString(),
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    machine: await machine(),
    load: { start: loadStart, end: os.loadavg()[0]! },
    options: shownOptions,
    wire,
    generator: { samples: genSamples, median: genMedian, frameSize: o.size, threads: o.threads },
    results,
    ratios: ratios(results),
  };
  mkdirSync(path.dirname(o.out), { recursive: true });
  writeFileSync(o.out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(table(report));
  log(`results: ${o.out} (${report.durationSeconds} s)`);
  releaseWireState();
  return results.some((r) => r.errors.length) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${isXconnectError(e) ? e.message : (e as Error).stack ?? String(e)}\n`);
    process.exit(isXconnectError(e) && e.code === 'USAGE' ? 2 : 1);
  },
);
