/** Runs the built CLI (dist/) the way users and CI scripts do. */
import { execa } from 'execa';
import { cliPath } from '../../src/util/package.js';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const r = await execa('node', [cliPath, ...args], {
    reject: false,
    timeout: 60_000,
    env,
  });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command with --format json and parses its output; fails on a non-zero exit. */
export async function cliJson<T = Record<string, unknown>>(args: string[], opts: { env?: Record<string, string> } = {}): Promise<T> {
  const r = await cli([...args, '--format', 'json'], opts.env);
  if (r.exitCode !== 0) throw new Error(`clab-xconnect ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
