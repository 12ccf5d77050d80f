// Bundles the CLI that tsc compiled (dist/cli/main.js) into dist/bin/: the
// entry `clab-xconnect.js` (package.json's bin) and one chunk per part the CLI
// loads on demand (apply, watch, the topology parser...). Why: loading ~150
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
import { chmodSync, rmSync } from 'node:fs';
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
// The entry keeps main.ts's `#!/usr/bin/env -S node ...` line.
chmodSync(path.join(out, 'clab-xconnect.js'), 0o755);
