/** Small wrappers for the kernel tests: unique names, commands (the test bed's
 * runner, src/lab/exec.ts), netns paths. */
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { netnsPath, run, type Output } from '../../src/lab/index.js';

/** A name unique to this run: prefix + 6 hex (keep prefixes short: IFNAMSIZ). */
export function uniq(prefix: string): string {
  return prefix + randomBytes(3).toString('hex');
}

export const nsPath = netnsPath;

export interface ShOptions {
  /** Milliseconds (default 30 s). */
  timeout?: number;
  /** False: resolve on a non-zero exit too. */
  reject?: boolean;
}

/** Runs a command; throws with its stderr on failure. */
export async function sh(cmd: string, args: string[], opts: ShOptions = {}): Promise<Output> {
  return run(cmd, args, { timeoutMs: opts.timeout ?? 30_000, allowFail: opts.reject === false });
}

/** Runs a command inside a named netns (test namespaces only: no bpffs needed there). */
export async function nsExec(ns: string, args: string[], opts: ShOptions = {}): Promise<Output> {
  const [cmd, ...rest] = args as [string, ...string[]];
  return run(cmd, rest, { netns: nsPath(ns), timeoutMs: opts.timeout ?? 30_000, allowFail: opts.reject === false });
}

/** The network namespace of the Node main thread (its tid is the pid). */
export function mainThreadNetns(): string {
  return readlinkSync(`/proc/${process.pid}/task/${process.pid}/ns/net`);
}
