/** `clab-xconnect watch` as a child process (the built launcher, as users run it): its
 * JSON log lines as they arrive, its metrics address, and how it exits. Also the
 * small tools watch's suites share: Prometheus text parsing and taking containerlab's
 * tc stitch off a root-netns port. */
import { spawn, type ChildProcess } from 'node:child_process';
import { unstitch } from '../../src/lab/index.js';
import { launcherPath } from '../../src/util/package.js';

export interface LogLine {
  time: string;
  level: 'info' | 'warn' | 'error';
  event: string;
  msg: string;
  [field: string]: unknown;
}

export interface WatchProcess {
  /** The process id (the launcher execs node: it is node's). */
  pid: number;
  /** Every JSON log line so far, in order. */
  lines: LogLine[];
  /** `http://host:port/metrics` (set once watch logged it). */
  metricsUrl: string;
  /** Index of the next line, to wait for lines after now. */
  mark(): number;
  /** Resolves with the first line from `from` on that matches; rejects after `timeoutMs`. */
  waitFor(match: (l: LogLine) => boolean, timeoutMs?: number, from?: number): Promise<LogLine>;
  /** Sends `signal` and resolves with the exit code (rejects if it takes over `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number>;
  /** Resolves with the exit code once the process ends by itself. */
  exited: Promise<number>;
  /** What it wrote to stderr. */
  stderr(): string;
  /** SIGKILL, for cleanup. */
  kill(): void;
}

/** Starts watch on `file` with JSON logs and metrics on an ephemeral port; resolves
 * once its first apply is logged (rejects if it logs an error or exits first). */
export async function startWatch(file: string, opts: { env?: Record<string, string>; timeoutMs?: number; args?: string[] } = {}): Promise<WatchProcess> {
  const child: ChildProcess = spawn(
    launcherPath,
    ['watch', '-t', file, '--log-format', 'json', '--metrics-address', '127.0.0.1:0', ...(opts.args ?? [])],
    { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let err = '';
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        lines.push({ time: '', level: 'error', event: 'unparsed', msg: text });
      }
    }
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number>((resolve) => child.once('exit', (code, sig) => resolve(code ?? (sig ? 128 : -1))));
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const w of waiters) w();
  });

  const waitFor = (match: (l: LogLine) => boolean, timeoutMs = 15_000, from = 0) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const hit = lines.slice(from).find(match);
        if (hit) return done(() => resolve(hit));
        if (ended) done(() => reject(new Error(`watch exited before the line came; stderr: ${err}\nlog:\n${tail(lines)}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no such watch line within ${timeoutMs} ms; stderr: ${err}\nlog:\n${tail(lines)}`))), timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });

  const proc: WatchProcess = {
    pid: child.pid!,
    lines,
    metricsUrl: '',
    mark: () => lines.length,
    waitFor,
    exited,
    stderr: () => err,
    kill: () => {
      if (!ended) child.kill('SIGKILL');
    },
    stop: async (signal = 'SIGTERM', timeoutMs = 10_000) => {
      if (!ended) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`watch did not exit within ${timeoutMs} ms of ${signal}`)), timeoutMs)));
      try {
        return await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
  try {
    const m = await waitFor((l) => l.event === 'metrics' || l.level === 'error', opts.timeoutMs ?? 30_000);
    if (m.event !== 'metrics') throw new Error(`watch: ${m.msg}`);
    proc.metricsUrl = `http://${String(m['address'])}/metrics`;
    const first = await waitFor((l) => l.event === 'apply' || l.level === 'error', opts.timeoutMs ?? 30_000);
    if (first.level === 'error') throw new Error(`watch: ${first.msg}`);
  } catch (e) {
    proc.kill();
    throw e;
  }
  return proc;
}

function tail(lines: LogLine[]): string {
  return lines.slice(-15).map((l) => `  ${l.level} ${l.event}: ${l.msg}`).join('\n');
}

/** One sample of a Prometheus text: the value of `name` whose labels include `labels`. */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const have = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[2]);
  }
  return undefined;
}

/** Metric family names of a Prometheus text (from its TYPE lines). */
export function families(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
}

/** Takes containerlab's tc stitch off a root-netns port: its u32 filters; the
 * ingress qdisc stays. */
export async function removeRootStitch(dev: string): Promise<void> {
  await unstitch(dev, { keepQdisc: true });
}
