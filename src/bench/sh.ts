/** Running commands for the bench: one promise per command, every long-lived
 * child tracked so an interrupted run can end them before removing its
 * namespaces. */
import { spawn, type ChildProcess } from 'node:child_process';
import { XconnectError } from '../errors.js';

export interface Output {
  stdout: string;
  stderr: string;
  code: number | null;
}

export interface RunOptions {
  /** Kill the command (SIGKILL) after this long. */
  timeoutMs?: number;
  /** Resolve on a non-zero exit instead of throwing. */
  allowFail?: boolean;
}

const children = new Set<ChildProcess>();

/** Starts a command; `done` settles when it exits (rejects on a non-zero exit
 * unless allowFail). */
export function start(cmd: string, args: string[], opts: RunOptions = {}): { child: ChildProcess; done: Promise<Output> } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
  const done = new Promise<Output>((resolve, reject) => {
    child.on('error', (e) => {
      children.delete(child);
      if (timer) clearTimeout(timer);
      reject(new XconnectError('RUNTIME', `cannot run ${cmd}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      if (timer) clearTimeout(timer);
      const out = { stdout, stderr, code };
      if (code === 0 || opts.allowFail) resolve(out);
      else
        reject(
          new XconnectError('KERNEL', `\`${[cmd, ...args].join(' ')}\` failed (${signal ?? `exit ${code}`}): ${stderr.trim() || stdout.trim()}`),
        );
    });
  });
  return { child, done };
}

/** Runs a command to completion. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<Output> {
  return start(cmd, args, opts).done;
}

/** Sends SIGTERM to every child still running (interrupt path). */
export function killChildren(): void {
  for (const c of children) c.kill('SIGTERM');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
