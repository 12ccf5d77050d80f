/** Runs the host tools the deployer drives (ip, tc, ethtool, nsenter) and
 * turns their failures into XconnectError. A network namespace is entered with
 * `nsenter --net=<path>`, never `ip netns exec`/`ip -n` (those remount /sys). */
import { execa } from 'execa';
import { XconnectError, type ErrorCode, type ErrorContext } from '../errors.js';

export interface RunOptions {
  /** Network namespace to run in (`/proc/<pid>/ns/net` or `/run/netns/<name>`); root netns when absent. */
  netns?: string | undefined;
  /** Text fed to the command's stdin (e.g. an `ip -batch -` script). */
  input?: string;
  /** `node:iface` the command is about, for the error. */
  endpoint?: string;
  /** Error code on failure; KERNEL by default. */
  code?: ErrorCode;
  hint?: string;
}

/** Runs `cmd args` (inside `netns` when given) and returns its trimmed stdout. */
export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const [file, argv] = opts.netns ? ['nsenter', [`--net=${opts.netns}`, '--', cmd, ...args]] : [cmd, args];
  const r = await execa(file, argv, { reject: false, input: opts.input, stripFinalNewline: true });
  if (r.exitCode === 0) return r.stdout;
  const ctx: ErrorContext = { cause: r.stderr || r.message };
  if (opts.netns) ctx.netns = opts.netns;
  if (opts.endpoint) ctx.endpoint = opts.endpoint;
  if (opts.hint) ctx.hint = opts.hint;
  const what = opts.endpoint ? `${opts.endpoint}: ` : '';
  const stderr = String(r.stderr || r.shortMessage || '').trim().split('\n').slice(-3).join('; ');
  throw new XconnectError(opts.code ?? 'KERNEL', `${what}\`${[cmd, ...args].join(' ')}\` failed: ${stderr}`, ctx);
}

/** Like run(), but resolves false instead of throwing when the command fails. */
export async function tryRun(cmd: string, args: string[], opts: RunOptions = {}): Promise<boolean> {
  try {
    await run(cmd, args, opts);
    return true;
  } catch {
    return false;
  }
}

/** Runs several `ip` commands in one process (`ip -batch -`); stops at the first failure. */
export async function ipBatch(lines: string[], opts: RunOptions = {}): Promise<void> {
  if (lines.length === 0) return;
  await run('ip', ['-batch', '-'], { ...opts, input: lines.join('\n') + '\n' });
}
