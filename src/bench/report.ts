/** Results: their JSON shape (schema 2, documented in BENCHMARKS.md),
 * medians, ratios, targets, and the tables printed to stdout. */
import type { CaptureSeries } from './capture.js';
import type { ControlPlaneResult } from './control-plane.js';
import type { PathKey } from './paths.js';
import type { TcpSample, UdpSample, XdpFramesSample } from './measure.js';
import { formatPercent } from '../util/percent.js';
import { table, type Column } from '../util/table.js';

export interface PathResult {
  /** Letter (a..f), key, label, link MTU. */
  id: string;
  path: PathKey;
  title: string;
  mtu: number;
  /** Wire paths: what src/dataplane installed, read back from the kernel. */
  wire?: {
    engine: string;
    /** Per port: tcx|legacy (tc engine), native|generic (XDP). */
    attach: { a: string; b: string };
    /** tc engine: unicast frames to the node take bpf_redirect_peer. */
    redirectPeer: boolean;
    /** What the engine policy changed inside the nodes. */
    nodeChanges: string[];
  };
  /** What the path needed beyond containerlab's defaults, per table. */
  needs: { socket: string[]; xdpFrames: string[] };
  udp?: {
    payloadBytes: number;
    samples: UdpSample[];
    /** Median datagrams/s received by the server. */
    rxPpsMedian: number;
    /** Median datagrams/s sent by the client. */
    txPpsMedian: number;
  };
  /** One entry per stream count. */
  tcp?: { streams: number; samples: TcpSample[]; medianBps: number }[];
  xdpFrames?: {
    /** Where the receiver counted: 'xdp' (native, in the veth's NAPI) or 'tc' (ingress). */
    sink: 'xdp' | 'tc';
    samples: XdpFramesSample[];
    /** Median received frames/s at the sink. */
    median: number;
    /** Median frames/s the generator offered (== median when nothing was lost). */
    offeredMedian: number;
    /** CPU ns per frame the path adds to making the frame: 1e9/median - 1e9/generator. */
    pathNsPerFrame: number;
  };
  /** Capture rows (wire-tc, wire-xdp): one series per UDP payload and snaplen. */
  capture?: CaptureSeries[];
  errors: string[];
}

/** 'udp' (received datagrams/s), 'tcp-N' (received bits/s of N streams), 'xdp-frames' (frames/s at the sink). */
export type Metric = string;

export interface Ratio {
  table: 'socket' | 'xdp-frames';
  metric: Metric;
  mtu: number;
  /** e.g. "wire-tc/tc" */
  name: string;
  value: number;
}

export interface Target {
  metric: Metric;
  mtu: number;
  name: string;
  /** The ratio must be at least this. */
  min: number;
  value: number | null;
  status: 'met' | 'NOT met' | 'not measured';
}

export interface BenchResults {
  schema: 2;
  startedAt: string;
  durationSeconds: number;
  machine: { nproc: number; kernel: string; cpu: string; node: string; libbpf: string; iperf3: string };
  /** 1-minute load average before and after the run: other work on the machine skews every number. */
  load: { start: number; end: number };
  options: Record<string, unknown>;
  /** How the wire rows were made: always src/dataplane; what the engine policy picks for a lab veth port. */
  wire: { impl: 'dataplane'; defaultEngine: { engine: string; reason: string } | null };
  /** skipped: why the XDP-frame table was not measured (the generator could not run). */
  generator: { samples: number[]; median: number; frameSize: number; threads: number; skipped?: string };
  results: PathResult[];
  ratios: Ratio[];
  targets: Target[];
  /** Control plane per synthetic lab size (src/bench/control-plane.ts). */
  controlPlane: ControlPlaneResult[];
}

const RATIOS: [PathKey, PathKey][] = [
  ['wire-tc', 'tc'],
  ['wire-tc', 'direct'],
  ['wire-xdp', 'tc'],
  ['wire-xdp', 'direct'],
  ['wire-xdp-generic', 'tc'],
  ['wire-tc', 'wire-tc-bare'],
];

/** The targets; `metric` 'tcp' means every stream count. */
const TARGETS: { metric: 'udp' | 'tcp' | 'xdp-frames'; name: string; min: number; label: string }[] = [
  { metric: 'udp', name: 'wire-tc/tc', min: 1.05, label: 'socket UDP: wire-tc / tc stitch' },
  { metric: 'udp', name: 'wire-tc/direct', min: 0.97, label: 'socket UDP: wire-tc / direct' },
  { metric: 'tcp', name: 'wire-tc/tc', min: 1.0, label: 'socket TCP: wire-tc / tc stitch' },
  { metric: 'tcp', name: 'wire-tc/direct', min: 0.95, label: 'socket TCP: wire-tc / direct' },
  { metric: 'xdp-frames', name: 'wire-xdp/tc', min: 3, label: 'XDP frames: wire-xdp / tc stitch' },
];

/** The value of `metric` for one result, if measured. */
function value(r: PathResult, metric: Metric): number | undefined {
  if (metric === 'udp') return r.udp?.rxPpsMedian;
  if (metric === 'xdp-frames') return r.xdpFrames?.median;
  const n = Number(metric.slice('tcp-'.length));
  return r.tcp?.find((t) => t.streams === n)?.medianBps;
}

/** Every metric measured in `results`, in table order. */
export function metrics(results: PathResult[]): Metric[] {
  const tcp = [...new Set(results.flatMap((r) => r.tcp?.map((t) => t.streams) ?? []))].sort((a, b) => a - b);
  return [
    ...(results.some((r) => r.udp) ? ['udp'] : []),
    ...tcp.map((n) => `tcp-${n}`),
    ...(results.some((r) => r.xdpFrames) ? ['xdp-frames'] : []),
  ];
}

export function ratios(results: PathResult[]): Ratio[] {
  const out: Ratio[] = [];
  const mtus = [...new Set(results.map((r) => r.mtu))];
  const ms = metrics(results);
  for (const mtu of mtus) {
    const get = (k: string) => results.find((r) => r.mtu === mtu && r.path === k);
    for (const metric of ms)
      for (const [num, den] of RATIOS) {
        const n = get(num);
        const d = get(den);
        const a = n && value(n, metric);
        const b = d && value(d, metric);
        if (a === undefined || !b) continue;
        out.push({ table: metric === 'xdp-frames' ? 'xdp-frames' : 'socket', metric, mtu, name: `${num}/${den}`, value: a / b });
      }
  }
  return out;
}

/** Each target for each MTU and metric that was run: met, NOT met, or not measured. */
export function targets(results: PathResult[], rs: Ratio[], mtus: number[]): Target[] {
  const ms = metrics(results);
  const out: Target[] = [];
  for (const t of TARGETS)
    for (const metric of ms.filter((m) => (t.metric === 'tcp' ? m.startsWith('tcp-') : m === t.metric)))
      for (const mtu of mtus) {
        const v = rs.find((q) => q.metric === metric && q.mtu === mtu && q.name === t.name)?.value ?? null;
        out.push({ metric, mtu, name: t.name, min: t.min, value: v, status: v === null ? 'not measured' : v >= t.min ? 'met' : 'NOT met' });
      }
  return out;
}

/** A report table: fixed minimum widths, no gap (right-aligned columns carry their own). */
const grid = (header: string[], rows: string[][], columns: Column[]) => table(header, rows, { columns, gap: '' }).trimEnd();
const L = (width: number): Column => ({ width });
const R = (width: number): Column => ({ width, align: 'right' });
const f = (x: number | undefined | null, scale: number, digits: number) =>
  x === undefined || x === null || Number.isNaN(x) ? '-' : (x / scale).toFixed(digits);
const metricLabel = (m: Metric) => (m === 'udp' ? 'UDP' : m === 'xdp-frames' ? 'XDP frames' : `TCP x${m.slice(4)}`);

/** The stdout report. */
export function formatReport(r: BenchResults): string {
  const lines: string[] = [];
  const m = r.machine;
  const o = r.options as { udpReps: number; tcpReps: number; xdpReps: number; udpPayload: number };
  lines.push(`clab-xconnect data-plane bench: ${m.nproc} CPUs (${m.cpu}), kernel ${m.kernel}`);
  if (r.wire.defaultEngine)
    lines.push(`wire rows installed by src/dataplane; the engine policy picks ${r.wire.defaultEngine.engine} for a lab veth port (${r.wire.defaultEngine.reason})`);
  if (Math.max(r.load.start, r.load.end) > 0.5)
    lines.push(`warning: the machine was busy (load average ${r.load.start.toFixed(2)} -> ${r.load.end.toFixed(2)}): numbers are low and noisy`);
  if (r.generator.skipped) lines.push(`warning: no XDP-frame table: the live-frames generator cannot run here (${r.generator.skipped})`);
  const title = (x: PathResult) => `${x.id} ${x.title}`;
  const attach = (x: PathResult) => (x.wire ? (x.wire.attach.a === x.wire.attach.b ? x.wire.attach.a : `${x.wire.attach.a}/${x.wire.attach.b}`) : '');

  const sock = r.results.filter((x) => x.udp || x.tcp);
  const tcpCols = [...new Set(sock.flatMap((x) => x.tcp?.map((t) => t.streams) ?? []))].sort((a, b) => a - b);
  if (sock.length) {
    lines.push('');
    const how = [
      ...(sock.some((x) => x.udp) ? [`UDP ${o.udpPayload}-byte payload at -b 0, median of ${o.udpReps}`] : []),
      ...(tcpCols.length ? [`TCP median of ${o.tcpReps}`] : []),
    ];
    lines.push(`socket traffic from the node namespaces (what labs carry): iperf3; ${how.join('; ')}`);
    lines.push(
      grid(
        ['path', 'MTU', 'UDP rx kpps', 'UDP tx kpps', ...tcpCols.map((n) => `TCP x${n} Gb/s`), '  attach'],
        sock.map((x) => [
          title(x),
          String(x.mtu),
          f(x.udp?.rxPpsMedian, 1e3, 1),
          f(x.udp?.txPpsMedian, 1e3, 1),
          ...tcpCols.map((n) => f(x.tcp?.find((t) => t.streams === n)?.medianBps, 1e9, 2)),
          `  ${attach(x)}`,
        ]),
        [L(24), R(5), R(13), R(13), ...tcpCols.map(() => R(14)), L(0)],
      ),
    );
  }

  const xf = r.results.filter((x) => x.xdpFrames);
  if (xf.length) {
    lines.push('');
    lines.push(
      `traffic that arrives as XDP frames, e.g. from a NIC's XDP program: live-frames generator, ${r.generator.frameSize}-byte frames, ` +
        `${r.generator.threads} thread(s); generator alone ${f(r.generator.median, 1e6, 2)} Mpps; medians of ${o.xdpReps}`,
    );
    lines.push(
      grid(
        ['path', 'MTU', 'Mpps', 'ns/frame', 'offered', '  sink', '  attach'],
        xf.map((x) => {
          const p = x.xdpFrames;
          return [title(x), String(x.mtu), f(p?.median, 1e6, 2), f(p?.pathNsPerFrame, 1, 1), f(p?.offeredMedian, 1e6, 2), `  ${p?.sink ?? '-'}`, `  ${attach(x)}`];
        }),
        [L(24), R(5), R(9), R(10), R(9), L(6), L(0)],
      ),
    );
  }

  const cap = r.results.filter((x) => x.capture?.length);
  if (cap.length) {
    const co = r.options as { captureSeconds: number };
    lines.push('');
    lines.push(
      `capture on one wire (both ports; perf buffer ${cap[0]!.capture![0]!.pagesPerCpu} pages/CPU; a reader that only counts): iperf3 UDP, one run of ${co.captureSeconds} s per rate; ` +
        `kpps; drops = frames the capture lost`,
    );
    const pct = (x: number) => formatPercent(x, x < 0.1 ? 1 : 0);
    const rows = cap.flatMap((x) =>
      x.capture!.map((c) => {
        const full = c.fullSpeed;
        const loss = c.firstLoss ? `${f(c.firstLoss.offeredPps, 1e3, 1)} (${pct(c.firstLoss.dropShare)})` : '-';
        return [
          title(x),
          String(x.mtu),
          String(c.frameBytes),
          String(c.snaplen),
          f(c.losslessUpToPps, 1e3, 1) + (c.losslessUpToPps !== null && c.losslessUpToPps === full?.offeredPps ? ' (full)' : ''),
          loss,
          f(full?.offeredPps, 1e3, 1),
          f(full?.deliveredPps, 1e3, 1),
          f(full?.capturedPps, 1e3, 1),
          full ? pct(full.entered ? full.drops / full.entered : 0) : '-',
          c.payloadBytes === x.udp?.payloadBytes ? f(x.udp.rxPpsMedian, 1e3, 1) : '-',
        ];
      }),
    );
    lines.push(
      grid(
        ['path', 'MTU', 'frame B', 'snaplen', 'lossless up to', '1st loss at', 'full: offered', 'delivered', 'captured', 'drops', 'no capture'],
        rows,
        [L(24), R(5), R(8), R(8), R(15), R(16), R(14), R(10), R(9), R(8), R(11)],
      ),
    );
    lines.push(
      `  lossless up to: the highest offered rate with zero drops (full: at full speed); 1st loss at: the lowest offered rate with drops (share of frames lost); ` +
        `no capture: the UDP row's received rate, same path and payload`,
    );
  }

  if (r.ratios.length) {
    const ms = [...new Set(r.ratios.map((q) => q.metric))];
    lines.push('');
    const keys = [...new Set(r.ratios.map((q) => `${q.mtu} ${q.name}`))];
    const rows = keys.map((k) => {
      const [mtu, name] = k.split(' ');
      const get = (metric: string) => r.ratios.find((q) => `${q.mtu} ${q.name}` === k && q.metric === metric)?.value;
      return [name!, mtu!, ...ms.map((q) => f(get(q), 1, 2))];
    });
    lines.push(grid(['ratio (median/median)', 'MTU', ...ms.map(metricLabel)], rows, [L(24), R(5), ...ms.map(() => R(12))]));
  }

  if (r.targets.length) {
    lines.push('');
    const rows = r.targets.map((t) => [
      `${metricLabel(t.metric)}: ${t.name.replace('/tc', ' / tc stitch').replace('/direct', ' / direct')}`,
      String(t.mtu),
      f(t.value, 1, 2),
      `>= ${t.min.toFixed(2)}`,
      `  ${t.status}`,
    ]);
    lines.push(grid(['target', 'MTU', 'measured', 'target', '  status'], rows, [L(40), R(5), R(10), R(9), L(0)]));
  }

  const needs = r.results.filter((x) => x.needs.socket.length || x.needs.xdpFrames.length);
  if (needs.length) {
    lines.push('');
    lines.push('what each path needed beyond containerlab defaults:');
    const seen = new Set<string>();
    for (const x of needs) {
      const t = `  ${title(x)}: socket: ${x.needs.socket.join('; ') || '-'} | XDP frames: ${x.needs.xdpFrames.join('; ') || '-'}`;
      if (!seen.has(t)) lines.push(t);
      seen.add(t);
    }
  }
  const failed = r.results.filter((x) => x.errors.length);
  if (failed.length) {
    lines.push('');
    lines.push('errors (the run exits 1):');
    for (const x of failed) for (const e of x.errors) lines.push(`  ${title(x)}, MTU ${x.mtu}: ${e}`);
  }
  if (r.controlPlane.length) {
    lines.push('');
    lines.push('control plane (synthetic netns labs, real CLI, wall ms incl. process start; medians):');
    const rows = r.controlPlane.map((c) => [
      String(c.wires),
      c.coldApplyMs.toFixed(0),
      c.noopApplyMs.toFixed(0),
      c.oneLinkChangeMs.toFixed(0),
      c.destroyMs.toFixed(0),
      c.peakRssMiB.toFixed(1),
    ]);
    lines.push(grid(['wires', 'cold apply', 'no-op', '1 change', 'destroy', 'peak RSS MiB'], rows, [L(8), R(12), R(9), R(10), R(10), R(14)]));
  }
  return lines.join('\n') + '\n';
}
