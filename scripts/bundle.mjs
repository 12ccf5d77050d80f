// Bundles the CLI that tsc compiled (dist/cli/main.js) into dist/bin/: the
// entry `clab-xconnect.js` and one chunk per part the CLI loads on demand
// (apply, watch, the topology parser...); and writes the launcher
// `clab-xconnect` (package.json's bin), a shell script that runs the entry
// with the node flags of its command (src/util/node-flags.ts). Why: loading ~150
// modules one by one (ours and zod's) was most of a short command's start-up
// here; a bundle loads a few files. Measured 2026-12-08 on the 2-vCPU host:
// `version` 0.16-0.18 -> 0.14-0.16 s, `plan` of a 1,000-link lab 0.53-0.60 ->
// 0.45-0.47 s; see BENCHMARKS.md, "Control plane".
//
// zod is bundled (tree-shaken: its import fell from 105-115 ms to 35 ms);
// every other package stays external and is loaded from node_modules as
// before (yaml is required only when the quick reader declines a file,
// dockerode only where Docker's socket is not at hand; its ssh2 has native
// parts a bundle cannot carry). dist/bin sits two
// levels below the package root, as dist/util does: the code that finds the
// root from its own URL works from either.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'bin');
const bundled = (id) => id.startsWith('.') || path.isAbsolute(id) || id === 'zod' || id.startsWith('zod/');

rmSync(out, { recursive: true, force: true });
await build({
  cwd: root,
  input: path.join(root, 'dist', 'cli', 'main.js'),
  platform: 'node',
  external: (id) => !bundled(id),
  logLevel: 'warn',
  output: { dir: out, format: 'esm', entryFileNames: 'clab-xconnect.js', chunkFileNames: '[name]-[hash].js', sourcemap: true },
});
chmodSync(path.join(out, 'clab-xconnect.js'), 0o755);

// The launcher: `exec`, so the CLI keeps the launcher's pid (signals, Docker's
// entry point); found through the npm bin symlink by readlink -f.
const { COMMAND_NODE_FLAGS, nodeFlags } = await import(path.join(root, 'dist', 'util', 'node-flags.js'));
const cases = Object.keys(COMMAND_NODE_FLAGS).map((c) => `  ${c}) exec node ${nodeFlags(c).join(' ')} "$here/clab-xconnect.js" "$@" ;;`);
writeFileSync(
  path.join(out, 'clab-xconnect'),
  `#!/bin/sh
# clab-xconnect: runs the CLI (clab-xconnect.js, beside this file) with the
# node flags of its command. Written by scripts/bundle.mjs from
# src/util/node-flags.ts, which says why each flag is there.
here=$(dirname "$(readlink -f "$0")")
case "$1" in
${cases.join('\n')}
esac
exec node ${nodeFlags('').join(' ')} "$here/clab-xconnect.js" "$@"
`,
  { mode: 0o755 },
);
