/** Where this package is installed, and its version. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, from src/util, dist/util or dist/bin (the bundle). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The CLI as scripts/bundle.mjs bundled it, for `node [flags] cliPath ...`:
 * tests and benchmarks run this file, as the launcher does. */
export const cliPath = path.join(packageRoot, 'dist', 'bin', 'clab-xconnect.cjs');

/** The installed `clab-xconnect` (package.json's bin): a launcher that runs
 * cliPath with the node flags of its command (src/util/node-flags.ts). */
export const launcherPath = path.join(packageRoot, 'dist', 'bin', 'clab-xconnect');

let version: string | undefined;
/** package.json's version. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
