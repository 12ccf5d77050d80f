/** The node flags an installed clab-xconnect runs with, by command. The
 * launcher (dist/bin/clab-xconnect, written by scripts/bundle.mjs from this
 * list) passes them; the benchmarks start node with them, so they measure the
 * CLI as installed.
 *
 * Every command: V8's young generation grows to 16 MiB semi-spaces by
 * default, which a short CLI run fills with garbage it never needs: 1 MiB
 * keeps a cold apply of 1,000 wires at ~90 MiB peak instead of ~118, at no
 * measured cost in time (BENCHMARKS.md, control plane).
 *
 * watch, a long-running process, also runs V8 in lite mode (interpreter
 * only, feedback allocated lazily): a 100-wire lab's watch idles at 58.5 MB
 * instead of 80-83 and peaks at 66.5 instead of 86-103, with restart and edit
 * latencies unchanged, since its work is syscalls, netlink and Docker, not
 * JavaScript (`node dist/watch/bench.js`, 2026-12-08; docs/watch.md). Lite
 * mode turns WebAssembly off, which nothing here uses; --no-expose-wasm says
 * so, or V8 warns about it. The one-shot commands keep the JIT: capture
 * writes every frame from JavaScript. */
const ALL = ['--max-semi-space-size=1'];
const LONG_RUNNING = ['--lite-mode', '--no-expose-wasm'];

/** Commands that get their own flags on top of ALL. */
export const COMMAND_NODE_FLAGS: Readonly<Record<string, readonly string[]>> = { watch: [...ALL, ...LONG_RUNNING] };

/** The node flags of `clab-xconnect <command>`. */
export function nodeFlags(command: string): string[] {
  return [...(COMMAND_NODE_FLAGS[command] ?? ALL)];
}
