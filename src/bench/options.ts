/** `npm run bench` options: a table of declared flags, parsed and checked
 * before anything touches the kernel. */
import path from 'node:path';
import { XconnectError } from '../errors.js';
import { PATHS, type PathId } from './paths.js';
import { benchDir } from './tools.js';
import type { WireImpl } from './wire.js';

export interface BenchOptions {
  quick: boolean;
  paths: PathId[];
  mtus: number[];
  reps: number;
  tcpReps: number;
  pinTcp: boolean;
  size: number;
  ppsSeconds: number;
  tcpSeconds: number;
  threads: number;
  pps: boolean;
  tcp: boolean;
  profile: boolean;
  wireImpl: WireImpl | 'auto';
  wireNapi: 'gro' | 'xdp';
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
function oneOf<T extends string>(name: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw usage(`--${name} wants one of ${allowed.join('|')}, got ${v}`);
  return v as T;
}

const FLAGS: Flag[] = [
  {
    name: 'quick',
    help: '1 repetition, short durations (a smoke run)',
    set: (o) => Object.assign(o, { quick: true, reps: 1, tcpReps: 1, ppsSeconds: 1, tcpSeconds: 2, controlPlane: [10, 100] }),
  },
  {
    name: 'paths',
    arg: 'a,b,...',
    help: PATHS.map((p) => `${p.id}=${p.title}`).join(', '),
    set: (o, v) => (o.paths = v.split(',').map((p) => oneOf('paths', p.trim(), PATHS.map((x) => x.id)))),
  },
  { name: 'mtus', arg: '1500,9500', help: 'link MTUs to test', set: (o, v) => (o.mtus = v.split(',').map((m) => int('mtus', m, 1280, 9500))) },
  { name: 'reps', arg: 'N', help: 'packet-rate repetitions (median reported; default 3)', set: (o, v) => (o.reps = int('reps', v, 1, 50)) },
  { name: 'tcp-reps', arg: 'N', help: 'TCP repetitions (median reported; default 5: TCP is the noisier)', set: (o, v) => (o.tcpReps = int('tcp-reps', v, 1, 50)) },
  {
    name: 'pin-tcp',
    help: 'iperf3 client on CPU 0, server on CPU 1 (default: floating; pinned was noisier on a shared machine)',
    set: (o) => (o.pinTcp = true),
  },
  { name: 'size', arg: 'BYTES', help: 'generated frame size without FCS (default 64)', set: (o, v) => (o.size = int('size', v, 60, 3000)) },
  { name: 'pps-seconds', arg: 'S', help: 'packet-rate window per repetition (default 3)', set: (o, v) => (o.ppsSeconds = num('pps-seconds', v)) },
  { name: 'tcp-seconds', arg: 'S', help: 'iperf3 duration per repetition (default 5, plus 1 s omitted)', set: (o, v) => (o.tcpSeconds = num('tcp-seconds', v)) },
  { name: 'threads', arg: 'N', help: 'generator threads (default 1; see BENCHMARKS.md)', set: (o, v) => (o.threads = int('threads', v, 1, 64)) },
  { name: 'no-pps', help: 'skip the packet-rate measurements', set: (o) => (o.pps = false) },
  { name: 'no-tcp', help: 'skip the TCP measurements', set: (o) => (o.tcp = false) },
  { name: 'profile', help: 'perf-sample one repetition of each measurement into .bench/profile-*.txt', set: (o) => (o.profile = true) },
  {
    name: 'wire-impl',
    arg: 'auto|dataplane|bench',
    help: 'who installs wires d/e: src/dataplane, or the bench stand-in (auto: dataplane if it loads)',
    set: (o, v) => (o.wireImpl = oneOf('wire-impl', v, ['auto', 'dataplane', 'bench'] as const)),
  },
  {
    name: 'wire-napi',
    arg: 'gro|xdp',
    help: 'how node-side veths get NAPI for TCP through a native wire (default gro)',
    set: (o, v) => (o.wireNapi = oneOf('wire-napi', v, ['gro', 'xdp'] as const)),
  },
  {
    name: 'control-plane',
    arg: '10,100,1000',
    help: 'synthetic lab sizes (wires) for the control-plane measurements',
    set: (o, v) => (o.controlPlane = v.split(',').map((n) => int('control-plane', n.trim(), 1, 5000))),
  },
  { name: 'no-control-plane', help: 'skip the control-plane measurements', set: (o) => (o.controlPlane = []) },
  { name: 'no-data-plane', help: 'control plane only', set: (o) => (o.dataPlane = false) },
  { name: 'out', arg: 'FILE', help: 'JSON results file (default .bench/results.json)', set: (o, v) => (o.out = path.resolve(v)) },
];

function usage(msg: string): XconnectError {
  return new XconnectError('USAGE', msg, { hint: 'see `npm run bench -- --help`' });
}

export function helpText(): string {
  const lines = FLAGS.map((f) => `  --${f.name}${f.arg ? ` ${f.arg}` : ''}\n      ${f.help}`);
  return `usage: npm run bench -- [options]   (root; after \`npx tsc -p tsconfig.json\`)\n${lines.join('\n')}\n`;
}

/** Parses argv (without node and script); `null` means --help. */
export function parseOptions(argv: string[]): BenchOptions | null {
  const o: BenchOptions = {
    quick: false,
    paths: PATHS.map((p) => p.id),
    mtus: [1500, 9500],
    reps: 3,
    tcpReps: 5,
    pinTcp: false,
    size: 64,
    ppsSeconds: 3,
    tcpSeconds: 5,
    threads: 1,
    pps: true,
    tcp: true,
    profile: false,
    wireImpl: 'auto',
    wireNapi: 'gro',
    controlPlane: [10, 100, 1000],
    dataPlane: true,
    out: path.join(benchDir, 'results.json'),
  };
  // --quick first, so explicit flags override what it sets.
  const ordered = [...argv.filter((a) => a === '--quick'), ...argv.filter((a) => a !== '--quick')];
  for (let i = 0; i < ordered.length; i++) {
    const a = ordered[i]!;
    if (a === '--help' || a === '-h') return null;
    const [name, inline] = a.startsWith('--') ? a.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
    const flag = FLAGS.find((f) => f.name === name);
    if (!flag) throw usage(`unknown argument ${a}`);
    let v = '';
    if (flag.arg) {
      v = inline ?? ordered[++i] ?? '';
      if (!v) throw usage(`--${flag.name} needs a value (${flag.arg})`);
    }
    flag.set(o, v);
  }
  if (o.dataPlane && !o.pps && !o.tcp) throw usage('--no-pps and --no-tcp leave nothing to measure');
  if (!o.dataPlane && o.controlPlane.length === 0) throw usage('--no-data-plane and --no-control-plane leave nothing to measure');
  return o;
}
