/** Small wrappers for the kernel tests: unique names, commands, netns paths. */
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { execa } from 'execa';

/** A name unique to this run: prefix + 6 hex (keep prefixes short: IFNAMSIZ). */
export function uniq(prefix: string): string {
  return prefix + randomBytes(3).toString('hex');
}

export function nsPath(name: string): string {
  return `/run/netns/${name}`;
}

/** Runs a command; throws with its stderr on failure. */
export async function sh(cmd: string, args: string[], opts: { timeout?: number; reject?: boolean } = {}) {
  return execa(cmd, args, { timeout: opts.timeout ?? 30_000, reject: opts.reject ?? true });
}

/** Runs a command inside a named netns (test namespaces only: no bpffs needed there). */
export async function nsExec(ns: string, args: string[], opts: { timeout?: number; reject?: boolean } = {}) {
  return sh('nsenter', [`--net=${nsPath(ns)}`, ...args], opts);
}

/** The network namespace of the Node main thread (its tid is the pid). */
export function mainThreadNetns(): string {
  return readlinkSync(`/proc/${process.pid}/task/${process.pid}/ns/net`);
}
