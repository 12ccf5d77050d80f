/** `npm run bench`: the data-plane benchmark (issue #5). Builds the C tools;
 * for each MTU builds every selected path in fresh namespaces, measures TCP
 * (iperf3) and small-frame rate (live-frames generator into an XDP sink) round
 * the paths, removes the namespaces; then prints a table and writes JSON.
 * See BENCHMARKS.md. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isXconnectError, XconnectError } from '../errors.js';
import { measureGeneratorAlone, measurePps, measureTcp, profile, type PpsSample, type PpsSettings, type TcpSample } from './measure.js';
import { deleteAllNetnsSync, reapStaleNetns } from './netns.js';
import { helpText, parseOptions, type BenchOptions } from './options.js';
import { Fixture, PATHS } from './paths.js';
import { benchControlPlane, type ControlPlaneResult } from './control-plane.js';
import { median, ratios, table, type BenchResults, type PathResult } from './report.js';
import { killChildren, run } from './sh.js';
import { benchDir, buildTools } from './tools.js';
import { chooseWireImpl, reapStaleBpffs, releaseWireState, type WireImpl } from './wire.js';

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

/** One MTU: every selected path is built first, then the repetitions go round
 * the paths (a, b, ..., a, b, ...), so a burst of other load on the machine
 * spreads over all paths instead of one path's samples. */
async function runMtu(mtu: number, o: BenchOptions, wire: { impl: WireImpl }, pps: PpsSettings, gen: number[]): Promise<PathResult[]> {
  const rows: { fx?: Fixture; r: PathResult }[] = [];
  try {
    for (const spec of PATHS.filter((p) => o.paths.includes(p.id))) {
      const r: PathResult = { path: spec.id, key: spec.key, title: spec.title, mtu, needs: { pps: [], tcp: [] }, errors: [] };
      const row: { fx?: Fixture; r: PathResult } = { r };
      rows.push(row);
      try {
        row.fx = await Fixture.build(spec, { mtu, wireImpl: wire.impl, wireNapi: o.wireNapi });
      } catch (e) {
        r.errors.push(`setup: ${errText(e)}`);
        log(`${spec.id} MTU ${mtu}: setup failed: ${errText(e)}`);
      }
    }
    const tcp = new Map<PathResult, TcpSample[]>();
    const rate = new Map<PathResult, PpsSample[]>();
    for (let i = 0; o.tcp && i < o.tcpReps; i++) {
      for (const { fx, r } of rows) {
        if (!fx || r.errors.length) continue;
        const once = () => measureTcp(fx, o.tcpSeconds, o.pinTcp && os.cpus().length > 1);
        try {
          const s = i === 0 && o.profile ? await profile(profileFile('tcp', fx), o.tcpSeconds + 1, once) : await once();
          tcp.set(r, [...(tcp.get(r) ?? []), s]);
          log(`${r.path} MTU ${mtu} tcp #${i + 1}: ${(s.bps / 1e9).toFixed(2)} Gb/s, ${s.retransmits} retransmits`);
        } catch (e) {
          r.errors.push(`tcp: ${errText(e)}`);
          log(`${r.path} MTU ${mtu} tcp: ${errText(e)}`);
        }
      }
    }
    for (let i = 0; o.pps && i < o.reps; i++) {
      // The generator alone, once per round: the ceiling under the same conditions.
      gen.push(await measureGeneratorAlone(pps));
      for (const { fx, r } of rows) {
        if (!fx || r.errors.length) continue;
        const once = () => measurePps(fx, pps);
        try {
          const s = i === 0 && o.profile ? await profile(profileFile('pps', fx), pps.warmup + pps.seconds, once) : await once();
          rate.set(r, [...(rate.get(r) ?? []), s]);
          log(`${r.path} MTU ${mtu} pps #${i + 1}: ${(s.rxPps / 1e6).toFixed(2)} Mpps received, ${(s.offeredPps / 1e6).toFixed(2)} offered`);
        } catch (e) {
          r.errors.push(`pps: ${errText(e)}`);
          log(`${r.path} MTU ${mtu} pps: ${errText(e)}`);
        }
      }
    }
    for (const { fx, r } of rows) {
      const t = tcp.get(r);
      if (t) r.tcp = { samples: t, medianBps: median(t.map((s) => s.bps)) };
      const p = rate.get(r);
      if (p)
        r.pps = {
          samples: p,
          median: median(p.map((s) => s.rxPps)),
          offeredMedian: median(p.map((s) => s.offeredPps)),
          pathNsPerFrame: NaN, // set once the generator's median is known
        };
      if (fx) r.needs = { pps: p ? fx.needs.pps : [], tcp: t ? fx.needs.tcp : [] };
    }
  } finally {
    for (const { fx, r } of rows) await fx?.destroy().catch((e: unknown) => r.errors.push(`teardown: ${errText(e)}`));
  }
  return rows.map((x) => x.r);
}

const profileFile = (what: string, fx: Fixture) => path.join(benchDir, `profile-${what}-${fx.spec.key}-${fx.opts.mtu}.txt`);

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
  const results: PathResult[] = [];
  if (o.dataPlane) for (const mtu of o.mtus) results.push(...(await runMtu(mtu, o, wire, pps, genSamples)));
  const genMedian = median(genSamples);
  const controlPlane: ControlPlaneResult[] = [];
  for (const n of o.controlPlane) controlPlane.push(await benchControlPlane(n, o.quick ? 1 : 3, log));
  for (const r of results) if (r.pps) r.pps.pathNsPerFrame = 1e9 / r.pps.median - 1e9 / genMedian;

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
    controlPlane,
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
