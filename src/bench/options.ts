/** `npm run bench` options: a table of declared flags, parsed by node:util
 * parseArgs (as the CLI's) and checked before anything touches the kernel. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { XconnectError } from '../errors.js';
import { CAPTURE_MAX } from '../dataplane/layout.js';
import { CAPTURE_PAGES, CAPTURE_PATHS } from './capture.js';
import { findPath, PATHS, type PathKey } from './paths.js';
import { benchDir } from './tools.js';

export interface BenchOptions {
  quick: boolean;
  paths: PathKey[];
  mtus: number[];
  /** Socket UDP: iperf3 -u -l <udpPayload> -b 0 from the sender's netns. */
  udp: boolean;
  udpReps: number;
  udpSeconds: number;
  udpPayload: number;
  /** Socket TCP: one measurement per entry of tcpStreams (iperf3 -P). */
  tcp: boolean;
  tcpReps: number;
  tcpSeconds: number;
  tcpStreams: number[];
  /** iperf3 client on CPU 0, server on CPU 1. */
  pinIperf: boolean;
  /** XDP frames: the live-frames generator into the sink. */
  xdpFrames: boolean;
  xdpReps: number;
  xdpSeconds: number;
  xdpSize: number;
  xdpThreads: number;
  /** Capture rows: UDP through a wire with capture on (src/bench/capture.ts). */
  capture: boolean;
  captureSnaplens: number[];
  capturePayloads: number[];
  /** Offered rates, datagrams/s (the flag takes kpps). */
  captureRates: number[];
  captureSeconds: number;
  /** The reader's perf buffer, pages per CPU. */
  capturePages: number;
  tcAttach: 'auto' | 'tcx' | 'legacy';
  profile: boolean;
  /** Control-plane lab sizes (wires); empty: skip. */
  controlPlane: number[];
  /** False: control plane only. */
  dataPlane: boolean;
  out: string;
}

interface Flag {
  name: string;
  arg?: string;
  help: string;
  set(o: BenchOptions, v: string): void;
}

const int = (name: string, v: string, min: number, max: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw usage(`--${name} wants an integer ${min}..${max}, got ${v}`);
  return n;
};
const num = (name: string, v: string): number => {
  const n = Number(v);
  if (!(n > 0)) throw usage(`--${name} wants a positive number, got ${v}`);
  return n;
};
const list = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);
function oneOf<T extends string>(name: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw usage(`--${name} wants one of ${allowed.join('|')}, got ${v}`);
  return v as T;
}

const FLAGS: Flag[] = [
  {
    name: 'quick',
    help: '1 repetition of everything, short windows, control plane at 10 and 100 wires (a smoke run)',
    set: (o) =>
      Object.assign(o, { quick: true, udpReps: 1, tcpReps: 1, xdpReps: 1, udpSeconds: 2, tcpSeconds: 2, xdpSeconds: 1, controlPlane: [10, 100] }),
  },
  {
    name: 'paths',
    arg: 'LIST',
    help: `paths to measure, by name or letter (default all): ${PATHS.map((p) => `${p.id}=${p.key}`).join(', ')}`,
    set: (o, v) =>
      (o.paths = list(v).map((p) => {
        const spec = findPath(p);
        if (!spec) throw usage(`--paths: unknown path ${p} (one of ${PATHS.map((x) => x.key).join(', ')})`);
        return spec.key;
      })),
  },
  { name: 'mtus', arg: '1500,9500', help: 'link MTUs to test', set: (o, v) => (o.mtus = list(v).map((m) => int('mtus', m, 1280, 9500))) },
  { name: 'reps', arg: 'N', help: 'repetitions of every measurement (sets --udp-reps, --tcp-reps, --xdp-reps)', set: (o, v) => {
    const n = int('reps', v, 1, 50);
    Object.assign(o, { udpReps: n, tcpReps: n, xdpReps: n });
  } },
  { name: 'no-udp', help: 'skip socket UDP', set: (o) => (o.udp = false) },
  { name: 'udp-reps', arg: 'N', help: 'socket UDP repetitions (median reported; default 5)', set: (o, v) => (o.udpReps = int('udp-reps', v, 1, 50)) },
  { name: 'udp-seconds', arg: 'S', help: 'iperf3 UDP duration (default 4, plus 1 s omitted)', set: (o, v) => (o.udpSeconds = num('udp-seconds', v)) },
  { name: 'udp-size', arg: 'BYTES', help: 'UDP payload per datagram, iperf3 -l (default 64)', set: (o, v) => (o.udpPayload = int('udp-size', v, 16, 8900)) },
  { name: 'no-tcp', help: 'skip socket TCP', set: (o) => (o.tcp = false) },
  { name: 'tcp-reps', arg: 'N', help: 'socket TCP repetitions per stream count (median reported; default 5)', set: (o, v) => (o.tcpReps = int('tcp-reps', v, 1, 50)) },
  { name: 'tcp-seconds', arg: 'S', help: 'iperf3 TCP duration (default 5, plus 1 s omitted)', set: (o, v) => (o.tcpSeconds = num('tcp-seconds', v)) },
  { name: 'tcp-streams', arg: '1,4', help: 'TCP stream counts, one measurement each (iperf3 -P)', set: (o, v) => (o.tcpStreams = list(v).map((n) => int('tcp-streams', n, 1, 64))) },
  {
    name: 'pin-iperf',
    help: 'iperf3 client on CPU 0, server on CPU 1 (default: floating; pinned was noisier on a shared machine)',
    set: (o) => (o.pinIperf = true),
  },
  { name: 'no-xdp-frames', help: 'skip the XDP-frame table (live-frames generator)', set: (o) => (o.xdpFrames = false) },
  { name: 'xdp-reps', arg: 'N', help: 'XDP-frame repetitions (median reported; default 3: one CPU, steady)', set: (o, v) => (o.xdpReps = int('xdp-reps', v, 1, 50)) },
  { name: 'xdp-seconds', arg: 'S', help: 'XDP-frame window per repetition (default 3, after 0.5 s warm-up)', set: (o, v) => (o.xdpSeconds = num('xdp-seconds', v)) },
  { name: 'xdp-size', arg: 'BYTES', help: 'generated frame size without FCS (default 64)', set: (o, v) => (o.xdpSize = int('xdp-size', v, 60, 3000)) },
  { name: 'xdp-threads', arg: 'N', help: 'generator threads (default 1; see BENCHMARKS.md)', set: (o, v) => (o.xdpThreads = int('xdp-threads', v, 1, 64)) },
  { name: 'no-capture', help: 'skip the capture rows', set: (o) => (o.capture = false) },
  {
    name: 'capture-only',
    help: 'only the capture rows (no other socket, XDP-frame or control-plane measurement)',
    set: (o) => Object.assign(o, { capture: true, udp: false, tcp: false, xdpFrames: false, controlPlane: [] }),
  },
  {
    name: 'capture-snaplens',
    arg: '128,65000',
    help: `bytes copied per frame, one series each (at most ${CAPTURE_MAX})`,
    set: (o, v) => (o.captureSnaplens = list(v).map((n) => int('capture-snaplens', n, 14, CAPTURE_MAX))),
  },
  {
    name: 'capture-payload',
    arg: '64,1472',
    help: 'UDP payloads (iperf3 -l) of the capture rows, one series each',
    set: (o, v) => (o.capturePayloads = list(v).map((n) => int('capture-payload', n, 16, 8900))),
  },
  {
    name: 'capture-rates',
    arg: 'KPPS,...',
    help: 'offered rates below full speed, in thousand datagrams/s (default 10,20,50,100,200,400)',
    set: (o, v) => (o.captureRates = list(v).map((n) => num('capture-rates', n) * 1e3).sort((a, b) => a - b)),
  },
  {
    name: 'capture-pages',
    arg: 'N',
    help: `the reader's perf buffer, pages per CPU, a power of 2 (default ${CAPTURE_PAGES}, as \`clab-xconnect capture\`)`,
    set: (o, v) => {
      const n = int('capture-pages', v, 1, 65536);
      if (n & (n - 1)) throw usage(`--capture-pages wants a power of 2, got ${v}`);
      o.capturePages = n;
    },
  },
  { name: 'capture-seconds', arg: 'S', help: 'iperf3 duration per capture run (default 2, plus 1 s omitted)', set: (o, v) => (o.captureSeconds = num('capture-seconds', v)) },
  {
    name: 'tc-attach',
    arg: 'auto|tcx|legacy',
    help: 'how the tc engine attaches (Dataplane.open tcAttach; default auto: TCX where the kernel has it)',
    set: (o, v) => (o.tcAttach = oneOf('tc-attach', v, ['auto', 'tcx', 'legacy'] as const)),
  },
  { name: 'profile', help: 'perf-sample the first repetition of each measurement into .bench/profile-*.txt', set: (o) => (o.profile = true) },
  {
    name: 'control-plane',
    arg: '10,100,1000',
    help: 'synthetic lab sizes (wires) for the control-plane measurements',
    set: (o, v) => (o.controlPlane = list(v).map((n) => int('control-plane', n, 1, 5000))),
  },
  { name: 'no-control-plane', help: 'skip the control-plane measurements', set: (o) => (o.controlPlane = []) },
  { name: 'no-data-plane', help: 'control plane only', set: (o) => (o.dataPlane = false) },
  { name: 'out', arg: 'FILE', help: 'JSON results file (default .bench/results.json)', set: (o, v) => (o.out = path.resolve(v)) },
];

/** Flags of schema 1, with what replaced them. */
const REMOVED: Record<string, string> = {
  'wire-impl': 'the wire paths are always installed by src/dataplane',
  'wire-napi': 'node-side settings come from the engine policy (wireNodeSettings)',
  'no-pps': 'use --no-xdp-frames',
  'pps-seconds': 'use --xdp-seconds',
  size: 'use --xdp-size (generated frames) or --udp-size (socket UDP payload)',
  threads: 'use --xdp-threads',
  'pin-tcp': 'use --pin-iperf',
};

function usage(msg: string): XconnectError {
  return new XconnectError('USAGE', msg, { hint: 'see `npm run bench -- --help`' });
}

export function helpText(): string {
  const lines = FLAGS.map((f) => `  --${f.name}${f.arg ? ` ${f.arg}` : ''}\n      ${f.help}`);
  return (
    `usage: npm run bench -- [options]   (root; after \`npx tsc -p tsconfig.json\`)\n` +
    `Measures each path with socket traffic from the node namespaces (UDP, TCP) and with\n` +
    `XDP frames (live-frames generator), UDP through a wire with capture on (wire-tc, wire-xdp),\n` +
    `then the control plane. See BENCHMARKS.md.\n` +
    `Later flags override earlier ones; --quick, then --reps, apply first.\n${lines.join('\n')}\n`
  );
}

/** Parses argv (without node and script); `null` means --help. */
export function parseOptions(argv: string[]): BenchOptions | null {
  const o: BenchOptions = {
    quick: false,
    paths: PATHS.map((p) => p.key),
    mtus: [1500, 9500],
    udp: true,
    udpReps: 5,
    udpSeconds: 4,
    udpPayload: 64,
    tcp: true,
    tcpReps: 5,
    tcpSeconds: 5,
    tcpStreams: [1, 4],
    pinIperf: false,
    xdpFrames: true,
    xdpReps: 3,
    xdpSeconds: 3,
    xdpSize: 64,
    xdpThreads: 1,
    capture: true,
    captureSnaplens: [128, 65000],
    capturePayloads: [64, 1472],
    captureRates: [10e3, 20e3, 50e3, 100e3, 200e3, 400e3],
    captureSeconds: 2,
    capturePages: CAPTURE_PAGES,
    tcAttach: 'auto',
    profile: false,
    controlPlane: [10, 100, 1000],
    dataPlane: true,
    out: path.join(benchDir, 'results.json'),
  };
  // parseArgs splits `--flag=value` and keeps the order; the checks are ours
  // (strict: false), so every mistake gets the same usage error. Then --quick
  // and --reps apply first, so that explicit flags override what they set.
  const config = Object.fromEntries(FLAGS.map((f) => [f.name, { type: f.arg ? ('string' as const) : ('boolean' as const) }]));
  const parsed = parseArgs({ args: argv, options: { ...config, help: { type: 'boolean', short: 'h' } }, strict: false, allowPositionals: true, tokens: true });
  const tokens: { name: string; value?: string }[] = [];
  for (const t of parsed.tokens) {
    if (t.kind === 'positional') throw usage(`unknown argument ${t.value}`);
    if (t.kind === 'option-terminator') throw usage('unknown argument --');
    const raw = t.rawName + (t.inlineValue ? `=${t.value ?? ''}` : '');
    if (t.name === 'help') return null;
    if (!t.rawName.startsWith('--')) throw usage(`unknown argument ${raw}`);
    if (REMOVED[t.name]) throw usage(`--${t.name} was removed: ${REMOVED[t.name]}`);
    const flag = FLAGS.find((f) => f.name === t.name);
    if (!flag) throw usage(`unknown argument ${raw}`);
    if (flag.arg) {
      if (!t.value) throw usage(`--${flag.name} needs a value (${flag.arg})`);
    } else if (t.inlineValue) throw usage(`--${flag.name} takes no value`);
    tokens.push({ name: t.name, ...(t.value !== undefined ? { value: t.value } : {}) });
  }
  const rank = (t: { name: string }) => (t.name === 'quick' ? 0 : t.name === 'reps' ? 1 : 2);
  for (const t of [...tokens].sort((x, y) => rank(x) - rank(y))) FLAGS.find((f) => f.name === t.name)!.set(o, t.value ?? '');
  o.paths = [...new Set(o.paths)];
  o.mtus = [...new Set(o.mtus)];
  o.tcpStreams = [...new Set(o.tcpStreams)];
  o.captureSnaplens = [...new Set(o.captureSnaplens)];
  o.capturePayloads = [...new Set(o.capturePayloads)];
  o.captureRates = [...new Set(o.captureRates)];
  const capturing = o.capture && o.paths.some((p) => CAPTURE_PATHS.includes(p));
  if (o.dataPlane && !o.udp && !o.tcp && !o.xdpFrames && !capturing)
    throw usage(
      o.capture
        ? `the capture rows run on ${CAPTURE_PATHS.join(' and ')}, and --paths has neither`
        : '--no-udp, --no-tcp, --no-xdp-frames and --no-capture leave nothing to measure',
    );
  if (o.capture && (!o.captureSnaplens.length || !o.capturePayloads.length)) throw usage('--capture-snaplens and --capture-payload need at least one value');
  if (!o.dataPlane && o.controlPlane.length === 0) throw usage('--no-data-plane and --no-control-plane leave nothing to measure');
  if (o.tcp && o.tcpStreams.length === 0) throw usage('--tcp-streams needs at least one stream count');
  return o;
}
