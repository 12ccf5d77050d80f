/** Results: their JSON shape (documented in BENCHMARKS.md), medians, ratios,
 * and the table printed to stdout. */
import type { ControlPlaneResult } from './control-plane.js';
import type { PathId, PathSpec } from './paths.js';
import type { PpsSample, TcpSample } from './measure.js';

export interface PathResult {
  path: PathId;
  key: PathSpec['key'];
  title: string;
  mtu: number;
  /** What the path needed beyond containerlab's defaults, per measurement. */
  needs: { pps: string[]; tcp: string[] };
  pps?: {
    samples: PpsSample[];
    /** Median received frames/s at the sink. */
    median: number;
    /** Median frames/s the generator offered (== median when nothing was lost). */
    offeredMedian: number;
    /** CPU ns per frame the path adds to making the frame: 1e9/median - 1e9/generator. */
    pathNsPerFrame: number;
  };
  tcp?: {
    samples: TcpSample[];
    /** Median received bits/s. */
    medianBps: number;
  };
  errors: string[];
}

export interface Ratio {
  mtu: number;
  metric: 'pps' | 'tcp';
  /** e.g. "wire-native/tc" */
  name: string;
  value: number;
}

export interface BenchResults {
  schema: 1;
  startedAt: string;
  durationSeconds: number;
  machine: { nproc: number; kernel: string; cpu: string; node: string; libbpf: string };
  /** 1-minute load average before and after the run: other work on the machine skews every number. */
  load: { start: number; end: number };
  options: Record<string, unknown>;
  wire: { impl: string; why: string };
  generator: { samples: number[]; median: number; frameSize: number; threads: number };
  results: PathResult[];
  ratios: Ratio[];
  /** Control plane per synthetic lab size (src/bench/control-plane.ts). */
  controlPlane: ControlPlaneResult[];
}

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const RATIOS: [PathSpec['key'], PathSpec['key']][] = [
  ['wire-native', 'tc'],
  ['wire-native', 'direct'],
  ['wire-generic', 'tc'],
  ['wire-generic', 'direct'],
  ['wire-native', 'bridge'],
];

export function ratios(results: PathResult[]): Ratio[] {
  const out: Ratio[] = [];
  const mtus = [...new Set(results.map((r) => r.mtu))];
  for (const mtu of mtus) {
    const get = (k: string) => results.find((r) => r.mtu === mtu && r.key === k);
    for (const [num, den] of RATIOS) {
      const n = get(num);
      const d = get(den);
      if (!n || !d) continue;
      if (n.pps && d.pps) out.push({ mtu, metric: 'pps', name: `${num}/${den}`, value: n.pps.median / d.pps.median });
      if (n.tcp && d.tcp) out.push({ mtu, metric: 'tcp', name: `${num}/${den}`, value: n.tcp.medianBps / d.tcp.medianBps });
    }
  }
  return out;
}

const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
const f = (x: number | undefined, scale: number, digits: number) => (x === undefined || Number.isNaN(x) ? '-' : (x / scale).toFixed(digits));

/** The stdout report. */
export function table(r: BenchResults): string {
  const lines: string[] = [];
  const m = r.machine;
  lines.push(`clab-xconnect data-plane bench: ${m.nproc} CPUs (${m.cpu}), kernel ${m.kernel}`);
  lines.push(`wires d/e installed by: ${r.wire.impl} (${r.wire.why})`);
  lines.push(
    `generator alone: ${f(r.generator.median, 1e6, 2)} Mpps (${r.generator.frameSize}-byte frames, ${r.generator.threads} thread(s)); medians of ${r.options.reps} (rate) and ${r.options.tcpReps} (TCP) repetitions`,
  );
  if (Math.max(r.load.start, r.load.end) > 0.5)
    lines.push(`warning: the machine was busy (load average ${r.load.start.toFixed(2)} -> ${r.load.end.toFixed(2)}): numbers are low and noisy`);
  lines.push('');
  lines.push(
    `${pad('path', 24)}${lpad('MTU', 5)}${lpad('Mpps', 9)}${lpad('ns/frame', 10)}${lpad('offered', 9)}${lpad('TCP Gb/s', 10)}${lpad('retr', 7)}`,
  );
  for (const x of r.results) {
    const retr = x.tcp ? String(median(x.tcp.samples.map((s) => s.retransmits))) : '-';
    lines.push(
      `${pad(`${x.path} ${x.title}`, 24)}${lpad(String(x.mtu), 5)}${lpad(f(x.pps?.median, 1e6, 2), 9)}${lpad(f(x.pps?.pathNsPerFrame, 1, 1), 10)}` +
        `${lpad(f(x.pps?.offeredMedian, 1e6, 2), 9)}${lpad(f(x.tcp?.medianBps, 1e9, 2), 10)}${lpad(retr, 7)}`,
    );
    for (const e of x.errors) lines.push(`    error: ${e}`);
  }
  if (r.ratios.length) {
    lines.push('');
    lines.push(`${pad('ratio', 24)}${lpad('MTU', 5)}${lpad('pps', 9)}${lpad('TCP', 10)}`);
    const keys = [...new Set(r.ratios.map((q) => `${q.mtu} ${q.name}`))];
    for (const k of keys) {
      const [mtu, name] = k.split(' ');
      const get = (metric: string) => r.ratios.find((q) => `${q.mtu} ${q.name}` === k && q.metric === metric)?.value;
      lines.push(`${pad(name!, 24)}${lpad(mtu!, 5)}${lpad(f(get('pps'), 1, 2), 9)}${lpad(f(get('tcp'), 1, 2), 10)}`);
    }
  }
  const needs = r.results.filter((x) => x.needs.pps.length || x.needs.tcp.length);
  if (needs.length) {
    lines.push('');
    lines.push('what each path needed beyond containerlab defaults:');
    const seen = new Set<string>();
    for (const x of needs) {
      const t = `  ${x.path} ${x.title}: pps: ${x.needs.pps.join('; ') || '-'} | tcp: ${x.needs.tcp.join('; ') || '-'}`;
      if (!seen.has(t)) lines.push(t);
      seen.add(t);
    }
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
