/** Results: their JSON shape (schema 2, documented in BENCHMARKS.md),
 * medians, ratios, targets, and the tables printed to stdout. */
import type { CaptureSeries } from './capture.js';
import type { ControlPlaneResult } from './control-plane.js';
import type { PathKey } from './paths.js';
import type { TcpSample, UdpSample, XdpFramesSample } from './measure.js';

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
  generator: { samples: number[]; median: number; frameSize: number; threads: number };
  results: PathResult[];
  ratios: Ratio[];
  targets: Target[];
  /** Control plane per synthetic lab size (src/bench/control-plane.ts). */
  controlPlane: ControlPlaneResult[];
}

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const RATIOS: [PathKey, PathKey][] = [
  ['wire-tc', 'tc'],
  ['wire-tc', 'direct'],
  ['wire-xdp', 'tc'],
  ['wire-xdp', 'direct'],
  ['wire-xdp-generic', 'tc'],
  ['wire-tc', 'wire-tc-bare'],
];

/** The issue's targets; `metric` 'tcp' means every stream count. */
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

const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
const f = (x: number | undefined | null, scale: number, digits: number) =>
  x === undefined || x === null || Number.isNaN(x) ? '-' : (x / scale).toFixed(digits);
const metricLabel = (m: Metric) => (m === 'udp' ? 'UDP' : m === 'xdp-frames' ? 'XDP frames' : `TCP x${m.slice(4)}`);

/** The stdout report. */
export function table(r: BenchResults): string {
  const lines: string[] = [];
  const m = r.machine;
  const o = r.options as { udpReps: number; tcpReps: number; xdpReps: number; udpPayload: number };
  lines.push(`clab-xconnect data-plane bench: ${m.nproc} CPUs (${m.cpu}), kernel ${m.kernel}`);
  if (r.wire.defaultEngine)
    lines.push(`wire rows installed by src/dataplane; the engine policy picks ${r.wire.defaultEngine.engine} for a lab veth port (${r.wire.defaultEngine.reason})`);
  if (Math.max(r.load.start, r.load.end) > 0.5)
    lines.push(`warning: the machine was busy (load average ${r.load.start.toFixed(2)} -> ${r.load.end.toFixed(2)}): numbers are low and noisy`);
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
      `${pad('path', 24)}${lpad('MTU', 5)}${lpad('UDP rx kpps', 13)}${lpad('UDP tx kpps', 13)}` +
        tcpCols.map((n) => lpad(`TCP x${n} Gb/s`, 14)).join('') +
        `  attach`,
    );
    for (const x of sock) {
      lines.push(
        `${pad(title(x), 24)}${lpad(String(x.mtu), 5)}${lpad(f(x.udp?.rxPpsMedian, 1e3, 1), 13)}${lpad(f(x.udp?.txPpsMedian, 1e3, 1), 13)}` +
          tcpCols.map((n) => lpad(f(x.tcp?.find((t) => t.streams === n)?.medianBps, 1e9, 2), 14)).join('') +
          `  ${attach(x)}`,
      );
    }
  }

  const xf = r.results.filter((x) => x.xdpFrames);
  if (xf.length) {
    lines.push('');
    lines.push(
      `traffic that arrives as XDP frames, e.g. from a NIC's XDP program: live-frames generator, ${r.generator.frameSize}-byte frames, ` +
        `${r.generator.threads} thread(s); generator alone ${f(r.generator.median, 1e6, 2)} Mpps; medians of ${o.xdpReps}`,
    );
    lines.push(`${pad('path', 24)}${lpad('MTU', 5)}${lpad('Mpps', 9)}${lpad('ns/frame', 10)}${lpad('offered', 9)}  sink  attach`);
    for (const x of xf) {
      const p = x.xdpFrames;
      lines.push(
        `${pad(title(x), 24)}${lpad(String(x.mtu), 5)}${lpad(f(p?.median, 1e6, 2), 9)}${lpad(f(p?.pathNsPerFrame, 1, 1), 10)}` +
          `${lpad(f(p?.offeredMedian, 1e6, 2), 9)}  ${pad(p?.sink ?? '-', 4)}  ${attach(x)}`,
      );
    }
  }

  const cap = r.results.filter((x) => x.capture?.length);
  if (cap.length) {
    const co = r.options as { captureSeconds: number };
    lines.push('');
    lines.push(
      `capture on one wire (both ports; perf buffer ${cap[0]!.capture![0]!.pagesPerCpu} pages/CPU; a reader that only counts): iperf3 UDP, one run of ${co.captureSeconds} s per rate; ` +
        `kpps; drops = frames the capture lost`,
    );
    lines.push(
      `${pad('path', 24)}${lpad('MTU', 5)}${lpad('frame B', 8)}${lpad('snaplen', 8)}${lpad('lossless up to', 15)}${lpad('1st loss at', 12)}` +
        `${lpad('full: offered', 14)}${lpad('delivered', 10)}${lpad('captured', 9)}${lpad('drops', 8)}${lpad('no capture', 11)}`,
    );
    const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
    for (const x of cap)
      for (const c of x.capture!) {
        const full = c.fullSpeed;
        const loss = c.firstLoss ? `${f(c.firstLoss.offeredPps, 1e3, 1)} (${pct(c.firstLoss.dropShare)})` : '-';
        lines.push(
          `${pad(title(x), 24)}${lpad(String(x.mtu), 5)}${lpad(String(c.frameBytes), 8)}${lpad(String(c.snaplen), 8)}` +
            `${lpad(f(c.losslessUpToPps, 1e3, 1) + (c.losslessUpToPps !== null && c.losslessUpToPps === full?.offeredPps ? ' (full)' : ''), 15)}` +
            `${lpad(loss, 12)}${lpad(f(full?.offeredPps, 1e3, 1), 14)}${lpad(f(full?.deliveredPps, 1e3, 1), 10)}${lpad(f(full?.capturedPps, 1e3, 1), 9)}` +
            `${lpad(full ? pct(full.entered ? full.drops / full.entered : 0) : '-', 8)}` +
            `${lpad(c.payloadBytes === x.udp?.payloadBytes ? f(x.udp.rxPpsMedian, 1e3, 1) : '-', 11)}`,
        );
      }
    lines.push(
      `  lossless up to: the highest offered rate with zero drops (full: at full speed); 1st loss at: the lowest offered rate with drops (share of frames lost); ` +
        `no capture: the UDP row's received rate, same path and payload`,
    );
  }

  if (r.ratios.length) {
    const ms = [...new Set(r.ratios.map((q) => q.metric))];
    lines.push('');
    lines.push(`${pad('ratio (median/median)', 24)}${lpad('MTU', 5)}${ms.map((q) => lpad(metricLabel(q), 12)).join('')}`);
    const keys = [...new Set(r.ratios.map((q) => `${q.mtu} ${q.name}`))];
    for (const k of keys) {
      const [mtu, name] = k.split(' ');
      const get = (metric: string) => r.ratios.find((q) => `${q.mtu} ${q.name}` === k && q.metric === metric)?.value;
      lines.push(`${pad(name!, 24)}${lpad(mtu!, 5)}${ms.map((q) => lpad(f(get(q), 1, 2), 12)).join('')}`);
    }
  }

  if (r.targets.length) {
    lines.push('');
    lines.push(`${pad('target', 40)}${lpad('MTU', 5)}${lpad('measured', 10)}${lpad('target', 9)}  status`);
    for (const t of r.targets) {
      const label = `${metricLabel(t.metric)}: ${t.name.replace('/tc', ' / tc stitch').replace('/direct', ' / direct')}`;
      lines.push(`${pad(label, 40)}${lpad(String(t.mtu), 5)}${lpad(f(t.value, 1, 2), 10)}${lpad(`>= ${t.min.toFixed(2)}`, 9)}  ${t.status}`);
    }
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
    lines.push(`${pad('wires', 8)}${lpad('cold apply', 12)}${lpad('no-op', 9)}${lpad('1 change', 10)}${lpad('destroy', 10)}${lpad('peak RSS MiB', 14)}`);
    for (const c of r.controlPlane)
      lines.push(
        `${pad(String(c.wires), 8)}${lpad(c.coldApplyMs.toFixed(0), 12)}${lpad(c.noopApplyMs.toFixed(0), 9)}${lpad(c.oneLinkChangeMs.toFixed(0), 10)}${lpad(c.destroyMs.toFixed(0), 10)}${lpad(c.peakRssMiB.toFixed(1), 14)}`,
      );
  }
  return lines.join('\n') + '\n';
}
