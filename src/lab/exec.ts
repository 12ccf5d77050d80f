/** The one process runner of the test bed (the deployer, the bench, the tests):
 * execa, with failures turned into XconnectError and every child tracked so an
 * interrupted run can end them. A network namespace is entered with
 * `nsenter --net=<path>`, never `ip netns exec`/`ip -n` (those remount /sys). */
import { execa, type ResultPromise } from 'execa';
import { XconnectError, type ErrorCode, type ErrorContext } from '../errors.js';

export interface RunOptions {
  /** Network namespace to run in (`/proc/<pid>/ns/net` or `/run/netns/<name>`); root netns when absent. */
  netns?: string | undefined;
  /** Text fed to the command's stdin (e.g. an `ip -batch -` script). */
  input?: string;
  /** Extra environment (the rest is inherited). */
  env?: Record<string, string>;
  /** Kill the command (SIGKILL) after this long. */
  timeoutMs?: number;
  /** Resolve on a non-zero exit instead of throwing. */
  allowFail?: boolean;
  /** `node:iface` the command is about, for the error. */
  endpoint?: string;
  /** Error code on failure; KERNEL by default. */
  code?: ErrorCode;
  hint?: string;
}

/** What a command printed (final newline stripped) and how it ended (null: killed by a signal). */
export interface Output {
  stdout: string;
  stderr: string;
  code: number | null;
}

const children = new Set<ResultPromise>();

/** Starts `cmd args` (inside `netns` when given); `done` settles when it exits:
 * rejects on a non-zero exit unless allowFail, and when it cannot start. */
export function start(cmd: string, args: string[], opts: RunOptions = {}): { child: ResultPromise; done: Promise<Output> } {
  const [file, argv] = opts.netns ? ['nsenter', [`--net=${opts.netns}`, '--', cmd, ...args]] : [cmd, args];
  const child = execa(file, argv, {
    reject: false,
    stripFinalNewline: true,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.timeoutMs ? { timeout: opts.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
  });
  children.add(child);
  const done = child.then((r) => {
    children.delete(child);
    const out: Output = { stdout: r.stdout, stderr: r.stderr, code: r.exitCode ?? null };
    if (r.failed && r.exitCode === undefined && !r.isTerminated) {
      // It never ran (ENOENT and the like).
      throw new XconnectError('RUNTIME', `cannot run ${cmd}: ${r.originalMessage ?? r.shortMessage}`, { cause: r.cause ?? r.message });
    }
    if (r.exitCode === 0 || opts.allowFail) return out;
    const ctx: ErrorContext = { cause: r.stderr || r.message };
    if (opts.netns) ctx.netns = opts.netns;
    if (opts.endpoint) ctx.endpoint = opts.endpoint;
    if (opts.hint) ctx.hint = opts.hint;
    const what = opts.endpoint ? `${opts.endpoint}: ` : '';
    const how = r.timedOut ? ` (timed out after ${opts.timeoutMs} ms)` : r.signal ? ` (${r.signal})` : '';
    const said = String(r.stderr || r.stdout || r.shortMessage || '').trim().split('\n').slice(-3).join('; ');
    throw new XconnectError(opts.code ?? 'KERNEL', `${what}\`${[cmd, ...args].join(' ')}\` failed${how}: ${said}`, ctx);
  });
  return { child, done };
}

/** Runs `cmd args` to completion (see start()). */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<Output> {
  return start(cmd, args, opts).done;
}

/** Like run(), but resolves false instead of throwing when the command fails. */
export async function tryRun(cmd: string, args: string[], opts: RunOptions = {}): Promise<boolean> {
  return run(cmd, args, opts).then(
    () => true,
    () => false,
  );
}

/** Runs several `ip` commands in one process (`ip -batch -`); stops at the first failure. */
export async function ipBatch(lines: string[], opts: RunOptions = {}): Promise<void> {
  if (lines.length === 0) return;
  await run('ip', ['-batch', '-'], { ...opts, input: lines.join('\n') + '\n' });
}

/** One command of an `ip`/`tc` batch, and what its failure is about. */
export interface BatchLine {
  /** The command without the program name, e.g. `link set dev x up`. */
  line: string;
  /** `node:iface` (or link) the command is about, for the error. */
  endpoint: string;
  hint?: string | undefined;
  /** Its failure is expected and ignored (a qdisc already there, a device already gone). */
  mayFail?: boolean;
}

/** Runs `lines` in one `ip -batch -` or `tc -batch -` process (inside `netns`
 * when given): one process instead of one per command. Without a line that may
 * fail, the batch stops at its first failure; with one, every line runs
 * (`-force`). A failed line that may not fail throws as run() would for that
 * command alone, naming its endpoint: the program reports a failure as
 * `Command failed -:N` after its message, N being the line. */
export async function runBatch(cmd: 'ip' | 'tc', lines: BatchLine[], opts: { netns?: string | undefined } = {}): Promise<void> {
  if (lines.length === 0) return;
  const force = lines.some((l) => l.mayFail);
  const args = [...(force ? ['-force'] : []), '-batch', '-'];
  const r = await run(cmd, args, { netns: opts.netns, input: lines.map((l) => l.line).join('\n') + '\n', allowFail: true });
  if (r.code === 0) return;
  const failed = batchFailures(r.stderr);
  const hit = [...failed].find(([i]) => !lines[i]?.mayFail);
  if (!hit && failed.size > 0 && r.code !== null) return; // only lines that may fail failed
  const l = hit ? lines[hit[0]] : undefined;
  const endpoint = l?.endpoint ?? [...new Set(lines.map((x) => x.endpoint))].join(', ');
  const said = hit ? hit[1] : String(r.stderr || r.stdout).trim().split('\n').slice(-3).join('; ');
  const what = l ? `${cmd} ${l.line}` : `${cmd} ${args.join(' ')}`;
  const ctx: ErrorContext = { cause: r.stderr, endpoint };
  if (opts.netns) ctx.netns = opts.netns;
  if (l?.hint) ctx.hint = l.hint;
  throw new XconnectError('KERNEL', `${endpoint}: \`${what}\` failed${r.code === null ? ' (killed)' : ''}: ${said}`, ctx);
}

/** The failed lines of a batch run (0-based) and what was printed about each. */
function batchFailures(stderr: string): Map<number, string> {
  const out = new Map<number, string>();
  let said: string[] = [];
  for (const text of stderr.split('\n')) {
    const m = /^Command failed -:(\d+)$/.exec(text.trim());
    if (!m) {
      if (text.trim()) said.push(text.trim());
      continue;
    }
    out.set(Number(m[1]) - 1, said.slice(-3).join('; '));
    said = [];
  }
  return out;
}

/** Sends SIGTERM to every child still running (an interrupted run's cleanup). */
export function killChildren(): void {
  for (const c of children) c.kill('SIGTERM');
}

/** Whether a process with this pid exists (another user's counts too). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
