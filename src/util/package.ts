/** Where this package is installed, and its version. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, from src/util, dist/util or dist/bin (the bundle). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The installed `clab-xconnect` (package.json's bin): the CLI bundled by
 * scripts/bundle.mjs. Tests and benchmarks run this file, as users do. */
export const cliPath = path.join(packageRoot, 'dist', 'bin', 'clab-xconnect.js');

let version: string | undefined;
/** package.json's version. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

/** The node flags on the CLI's `#!/usr/bin/env -S node ...` line: what an
 * installed `clab-xconnect` runs with, for tools that start it through
 * `node` (the benchmarks). */
export function cliNodeFlags(): string[] {
  const first = readFileSync(cliPath, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env -S node\b(.*)$/.exec(first);
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
}
