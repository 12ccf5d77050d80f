/** `npm run bench`: the data-plane benchmark (issue #5) and the control plane.
 * Builds the C tools; for each MTU builds every selected path in fresh
 * namespaces, measures socket traffic from the node namespaces (iperf3 UDP and
 * TCP) and then XDP-frame traffic (live-frames generator into a sink), each
 * round the paths, removes the namespaces; then prints the tables and writes
 * JSON. See BENCHMARKS.md. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isXconnectError, XconnectError } from '../errors.js';
import {
  measureGeneratorAlone,
  measureTcp,
  measureUdp,
  measureXdpFrames,
  profile,
  type TcpSample,
  type UdpSample,
  type XdpFramesSample,
  type XdpFramesSettings,
} from './measure.js';
import { helpText, parseOptions, type BenchOptions } from './options.js';
import { Fixture, PATHS } from './paths.js';
import { benchControlPlane, type ControlPlaneResult } from './control-plane.js';
import { CAPTURE_PATHS, captureSeries, showCapture, UDP_FRAME_OVERHEAD } from './capture.js';
import { formatReport, ratios, targets, type BenchResults, type PathResult } from './report.js';
import { deleteOwnedNetnsSync, killChildren, reapStaleNetns, run } from '../lab/index.js';
import { BENCH_NETNS, benchDir, buildTools } from './tools.js';
import { median } from '../util/median.js';
import { defaultLabEngine, loadDataplane, reapStaleBpffs, releaseWireState } from './wire.js';

function cleanupSync(): void {
  killChildren();
  deleteOwnedNetnsSync(BENCH_NETNS);
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
  const iperf3 = await run('iperf3', ['--version'], { allowFail: true }).catch(() => ({ stdout: '' }));
  return {
    nproc: os.cpus().length,
    kernel: os.release(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    libbpf: libbpf.stdout.trim(),
    iperf3: iperf3.stdout.split('\n')[0]?.trim() ?? '',
  };
}

/** The commands the data plane runs; missing ones stop the run before anything is built. */
async function preflight(o: BenchOptions): Promise<void> {
  const need: [string, string[]][] = [
    ['ip', ['-V']],
    ['tc', ['-V']],
    ['ethtool', ['--version']],
    ['nsenter', ['--version']],
    ...(o.udp || o.tcp || o.capture ? ([['iperf3', ['--version']], ['ss', ['-V']]] as [string, string[]][]) : []),
    ...(o.profile ? ([['perf', ['--version']]] as [string, string[]][]) : []),
  ];
  for (const [cmd, args] of need)
    await run(cmd, args, { allowFail: true }).catch((e: unknown) => {
      throw new XconnectError('RUNTIME', `the bench needs ${cmd}: ${errText(e)}`, { hint: 'install iproute2, ethtool, util-linux, iperf3 (and perf for --profile)' });
    });
}

type Row = { fx?: Fixture; r: PathResult };

/** Runs `once` for `reps` rounds, each round going through the paths (a, b,
 * ..., a, b, ...), so a burst of other load on the machine spreads over all
 * paths instead of one path's samples. A path that fails is left out of the
 * rest of the run (its error is recorded). */
async function roundRobin<T>(
  rows: Row[],
  reps: number,
  what: { name: string; profileSeconds: number; profile: boolean },
  once: (fx: Fixture) => Promise<T>,
  show: (s: T) => string,
  before?: () => Promise<void>,
): Promise<Map<PathResult, T[]>> {
  const out = new Map<PathResult, T[]>();
  for (let i = 0; i < reps; i++) {
    await before?.();
    for (const { fx, r } of rows) {
      if (!fx || r.errors.length) continue;
      try {
        const s = i === 0 && what.profile ? await profile(profileFile(what.name, fx), what.profileSeconds, () => once(fx)) : await once(fx);
        out.set(r, [...(out.get(r) ?? []), s]);
        log(`${r.id} ${r.path} MTU ${r.mtu} ${what.name} #${i + 1}: ${show(s)}`);
      } catch (e) {
        r.errors.push(`${what.name}: ${errText(e)}`);
        log(`${r.id} ${r.path} MTU ${r.mtu} ${what.name}: ${errText(e)}`);
      }
    }
  }
  return out;
}

/** One MTU: every selected path is built first, then each measurement goes
 * round the paths: socket UDP, socket TCP per stream count, XDP frames. */
async function runMtu(mtu: number, o: BenchOptions, xdp: XdpFramesSettings, gen: number[]): Promise<PathResult[]> {
  const rows: Row[] = [];
  try {
    for (const spec of PATHS.filter((p) => o.paths.includes(p.key))) {
      // Every key up front: JSON keeps this order (undefined ones are left out).
      const r: PathResult = {
        id: spec.id,
        path: spec.key,
        title: spec.title,
        mtu,
        wire: undefined,
        needs: { socket: [], xdpFrames: [] },
        udp: undefined,
        tcp: undefined,
        xdpFrames: undefined,
        capture: undefined,
        errors: [],
      };
      const row: Row = { r };
      rows.push(row);
      try {
        row.fx = await Fixture.build(spec, { mtu, tcAttach: o.tcAttach });
        const w = row.fx.wire;
        if (w) {
          r.wire = { engine: w.engine, attach: w.attach, redirectPeer: w.redirectPeer, nodeChanges: w.nodeChanges };
          log(`${spec.id} ${spec.key} MTU ${mtu}: wire on ${w.engine} (attach ${w.attach.a}/${w.attach.b}${w.redirectPeer ? ', bpf_redirect_peer' : ''})`);
        }
      } catch (e) {
        r.errors.push(`setup: ${errText(e)}`);
        log(`${spec.id} ${spec.key} MTU ${mtu}: setup failed: ${errText(e)}`);
      }
    }
    const iperf = { pin: o.pinIperf && os.cpus().length > 1 };
    const udp = o.udp
      ? await roundRobin<UdpSample>(
          rows,
          o.udpReps,
          { name: 'udp', profileSeconds: o.udpSeconds + 1, profile: o.profile },
          (fx) => measureUdp(fx, { ...iperf, seconds: o.udpSeconds, payload: o.udpPayload }),
          (s) => `${(s.rxPps / 1e3).toFixed(1)} kpps received, ${(s.txPps / 1e3).toFixed(1)} sent`,
        )
      : undefined;
    const tcp = new Map<number, Map<PathResult, TcpSample[]>>();
    for (const streams of o.tcp ? o.tcpStreams : [])
      tcp.set(
        streams,
        await roundRobin<TcpSample>(
          rows,
          o.tcpReps,
          { name: `tcp-${streams}`, profileSeconds: o.tcpSeconds + 1, profile: o.profile },
          (fx) => measureTcp(fx, { ...iperf, seconds: o.tcpSeconds, streams }),
          (s) => `${(s.bps / 1e9).toFixed(2)} Gb/s, ${s.retransmits} retransmits`,
        ),
      );
    // Capture rows: one path at a time, one run per rate (src/bench/capture.ts).
    for (const { fx, r } of o.capture ? rows : []) {
      if (!fx?.wire || r.errors.length || !CAPTURE_PATHS.includes(r.path)) continue;
      for (const payload of o.capturePayloads) {
        if (payload + UDP_FRAME_OVERHEAD - 14 > mtu) {
          log(`${r.id} ${r.path} MTU ${mtu} capture: payload ${payload} does not fit the MTU, skipped`);
          continue;
        }
        for (const snaplen of o.captureSnaplens) {
          const what = `${r.id} ${r.path} MTU ${mtu} capture snaplen ${snaplen} payload ${payload}`;
          try {
            const series = await captureSeries(
              fx,
              { snaplen, payload, rates: o.captureRates, seconds: o.captureSeconds, pages: o.capturePages, ...iperf },
              (x) => log(`${what}: ${showCapture(x)}`),
            );
            r.capture = [...(r.capture ?? []), series];
          } catch (e) {
            r.errors.push(`capture (snaplen ${snaplen}, payload ${payload}): ${errText(e)}`);
            log(`${what}: ${errText(e)}`);
          }
        }
      }
    }
    const frames = o.xdpFrames
      ? await roundRobin<XdpFramesSample>(
          rows,
          o.xdpReps,
          { name: 'xdp-frames', profileSeconds: xdp.warmup + xdp.seconds, profile: o.profile },
          (fx) => measureXdpFrames(fx, xdp),
          (s) => `${(s.rxPps / 1e6).toFixed(2)} Mpps received, ${(s.offeredPps / 1e6).toFixed(2)} offered`,
          // The generator alone, once per round: the ceiling under the same conditions.
          async () => void gen.push(await measureGeneratorAlone(xdp)),
        )
      : undefined;

    for (const { fx, r } of rows) {
      const u = udp?.get(r);
      if (u)
        r.udp = {
          payloadBytes: o.udpPayload,
          samples: u,
          rxPpsMedian: median(u.map((s) => s.rxPps)),
          txPpsMedian: median(u.map((s) => s.txPps)),
        };
      const t = [...tcp].flatMap(([streams, m]) => {
        const samples = m.get(r);
        return samples ? [{ streams, samples, medianBps: median(samples.map((s) => s.bps)) }] : [];
      });
      if (t.length) r.tcp = t;
      const p = frames?.get(r);
      if (p && fx)
        r.xdpFrames = {
          sink: fx.sinkMode === 'tc' ? 'tc' : 'xdp',
          samples: p,
          median: median(p.map((s) => s.rxPps)),
          offeredMedian: median(p.map((s) => s.offeredPps)),
          pathNsPerFrame: NaN, // set once the generator's median is known
        };
      if (fx) r.needs = { socket: u || t.length || r.capture ? fx.needs.socket : [], xdpFrames: p ? fx.needs['xdp-frames'] : [] };
    }
    // The numbers belong to the engine only if it was still in place at the end.
    for (const { fx, r } of rows) await fx?.wire?.verify().catch((e: unknown) => r.errors.push(`engine check after measuring: ${errText(e)}`));
  } finally {
    for (const { fx, r } of rows) await fx?.destroy().catch((e: unknown) => r.errors.push(`teardown: ${errText(e)}`));
  }
  return rows.map((x) => x.r);
}

/** How xcbench reports a kernel that will not run programs with live frames. */
const LIVE_FRAMES_REFUSED = /BPF_PROG_TEST_RUN \(live frames\)[^:]*: (Operation not permitted|Operation not supported|Invalid argument)/;

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
  const stale = [...(await reapStaleNetns(BENCH_NETNS)), ...reapStaleBpffs()];
  if (stale.length) log(`removed what dead bench runs left: ${stale.join(' ')}`);
  let defaultEngine: BenchResults['wire']['defaultEngine'] = null;
  if (o.dataPlane) {
    await preflight(o);
    // A row named for an engine is measured on it, through src/dataplane, or
    // the run stops here.
    if (PATHS.some((p) => p.engine && o.paths.includes(p.key))) {
      await loadDataplane();
      defaultEngine = await defaultLabEngine();
    }
    if (o.xdpFrames) {
      log('building bench/ tools...');
      await buildTools();
    }
  }
  const xdp: XdpFramesSettings = { size: o.xdpSize, seconds: o.xdpSeconds, warmup: o.quick ? 0.3 : 0.5, threads: o.xdpThreads };
  // The generator needs BPF_PROG_RUN with live frames, which a kernel (or a
  // sandbox around it) may refuse: found out now, not after the socket tables.
  // That refusal skips the XDP-frame table; any other failure stops the run.
  let generatorSkipped: string | undefined;
  if (o.dataPlane && o.xdpFrames) {
    generatorSkipped = await measureGeneratorAlone({ ...xdp, seconds: 0.2, warmup: 0 }).then(
      () => undefined,
      (e: unknown) => {
        if (LIVE_FRAMES_REFUSED.test(errText(e))) return errText(e);
        throw e;
      },
    );
    if (generatorSkipped) {
      log(`warning: the XDP-frame table is skipped, the generator cannot run here: ${generatorSkipped}`);
      o.xdpFrames = false;
    }
  }

  const genSamples: number[] = [];
  const results: PathResult[] = [];
  if (o.dataPlane) for (const mtu of o.mtus) results.push(...(await runMtu(mtu, o, xdp, genSamples)));
  const genMedian = median(genSamples);
  const controlPlane: ControlPlaneResult[] = [];
  for (const n of o.controlPlane) controlPlane.push(await benchControlPlane(n, o.quick ? 1 : 3, log));
  for (const r of results) if (r.xdpFrames) r.xdpFrames.pathNsPerFrame = 1e9 / r.xdpFrames.median - 1e9 / genMedian;

  const { out: _out, ...shownOptions } = o;
  const rs = ratios(results);
  const report: BenchResults = {
    schema: 2,
    startedAt: new Date(t0).toISOString(),
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    machine: await machine(),
    load: { start: loadStart, end: os.loadavg()[0]! },
    options: shownOptions,
    wire: { impl: 'dataplane', defaultEngine },
    generator: { samples: genSamples, median: genMedian, frameSize: o.xdpSize, threads: o.xdpThreads, ...(generatorSkipped ? { skipped: generatorSkipped } : {}) },
    results,
    ratios: rs,
    targets: o.dataPlane ? targets(results, rs, o.mtus) : [],
    controlPlane,
  };
  mkdirSync(path.dirname(o.out), { recursive: true });
  writeFileSync(o.out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(formatReport(report));
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
