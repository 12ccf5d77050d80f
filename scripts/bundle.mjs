// Bundles the CLI that tsc compiled (dist/cli/main.js) into dist/bin/: the
// entry `clab-xconnect.cjs` and one chunk per part the CLI loads on demand
// (apply, watch, the topology parser...); and writes the launcher
// `clab-xconnect` (package.json's bin), a shell script that runs the entry
// with the node flags of its command (src/util/node-flags.ts). Why: loading ~150
// modules one by one (ours and zod's) was most of a short command's start-up
// here; a bundle loads a few files. Measured 2026-12-08 on the 2-vCPU host:
// `version` 0.16-0.18 -> 0.14-0.16 s, `plan` of a 1,000-link lab 0.53-0.60 ->
// 0.45-0.47 s; see BENCHMARKS.md, "Control plane".
//
// CommonJS, not ES modules: Node's CommonJS loader skips the ES module
// loader's own internals and its per-module asynchronous steps, another 15-20
// ms of every command (`version` 0.13 -> 0.11 s, a 100-wire no-op apply 0.20
// -> 0.185 s, medians of 12 runs taking turns). tsc's output (dist/, the
// library) stays ES modules.
//
// Bundled: our code, zod (tree-shaken: its import fell from 105-115 ms to 35
// ms) and execa with its dependencies (ES modules only, which a CommonJS
// bundle could not require on Node < 20.19; only watch's re-plumbing loads
// it). Loaded from node_modules as before: yaml (required only when the quick
// reader declines a file) and dockerode (only where Docker's socket is not at
// hand; its ssh2 has native parts a bundle cannot carry). dist/bin sits two
// levels below the package root, as dist/util does: the code that finds the
// root from its own location works from either.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'bin');
const external = (id) => /^(yaml|dockerode)(\/|$)/.test(id) || id.startsWith('node:') || builtinModules.includes(id);

rmSync(out, { recursive: true, force: true });
await build({
  cwd: root,
  input: path.join(root, 'dist', 'cli', 'main.js'),
  platform: 'node',
  external,
  logLevel: 'warn',
  output: { dir: out, format: 'cjs', entryFileNames: 'clab-xconnect.cjs', chunkFileNames: '[name]-[hash].cjs', sourcemap: true },
});
chmodSync(path.join(out, 'clab-xconnect.cjs'), 0o755);

// The launcher: `exec`, so the CLI keeps the launcher's pid (signals, Docker's
// entry point); found through the npm bin symlink by readlink -f.
const { COMMAND_NODE_FLAGS, nodeFlags } = await import(path.join(root, 'dist', 'util', 'node-flags.js'));
const cases = Object.keys(COMMAND_NODE_FLAGS).map((c) => `  ${c}) exec node ${nodeFlags(c).join(' ')} "$here/clab-xconnect.cjs" "$@" ;;`);
writeFileSync(
  path.join(out, 'clab-xconnect'),
  `#!/bin/sh
# clab-xconnect: runs the CLI (clab-xconnect.cjs, beside this file) with the
# node flags of its command. Written by scripts/bundle.mjs from
# src/util/node-flags.ts, which says why each flag is there.
here=$(dirname "$(readlink -f "$0")")
case "$1" in
${cases.join('\n')}
esac
exec node ${nodeFlags('').join(' ')} "$here/clab-xconnect.cjs" "$@"
`,
  { mode: 0o755 },
);
