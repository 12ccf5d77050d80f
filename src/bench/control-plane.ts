/** Control-plane benchmark: synthetic containerlab-shaped labs of N veth-stitch
 * wires built from network namespaces (no Docker), driven through the real CLI:
 * cold apply, no-op re-apply, one-link change, destroy; wall time per command
 * (process start included, as a user pays it) and the command's peak RSS.
 *
 * Nodes are namespaces named like containerlab's netns links
 * (/run/netns/clab-<lab>-<node>), each holding up to 50 interfaces; the
 * root-netns ends carry containerlab's stitch names. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median } from './report.js';
import { run } from './sh.js';
import { repoRoot } from './tools.js';

const PER_NODE = 50;

export interface ControlPlaneResult {
  wires: number;
  /** Medians over the repetitions, milliseconds. */
  coldApplyMs: number;
  noopApplyMs: number;
  oneLinkChangeMs: number;
  destroyMs: number;
  /** Largest peak RSS of any of the commands, MiB. */
  peakRssMiB: number;
}

interface Lab {
  name: string;
  dir: string;
  file: string;
  nodes: string[];
  write(changedLink?: number): void;
  destroy(): Promise<void>;
}

function stitch(lab: string, node: string, iface: string): string {
  return 'clab-s-' + createHash('sha1').update(`${lab}\0${node}\0${iface}`).digest('hex').slice(0, 8);
}

/** Builds the namespaces and veths of an N-wire lab, and its topology file. */
async function buildLab(wires: number): Promise<Lab> {
  const name = 'cp' + randomBytes(3).toString('hex');
  const eps = Array.from({ length: 2 * wires }, (_, i) => ({ node: `n${Math.floor(i / PER_NODE)}`, iface: `e${i % PER_NODE}` }));
  const nodes = [...new Set(eps.map((e) => e.node))];
  const dir = mkdtempSync(path.join(tmpdir(), 'clab-xconnect-bench-'));
  const file = path.join(dir, `${name}.clab.yml`);
  const lab: Lab = {
    name,
    dir,
    file,
    nodes,
    write(changedLink) {
      const lines = [`name: ${name}`, 'topology:', '  defaults: { kind: linux }', '  nodes:'];
      for (const n of nodes) lines.push(`    ${n}: {}`);
      lines.push('  links:');
      for (let i = 0; i < wires; i++) {
        const [a, b] = [eps[2 * i]!, eps[2 * i + 1]!];
        lines.push('    - type: veth-stitch', `      endpoints: [{ node: ${a.node}, interface: ${a.iface} }, { node: ${b.node}, interface: ${b.iface} }]`);
        if (i === changedLink) lines.push('      labels: { xconnect.clab/admin: down }');
      }
      writeFileSync(file, lines.join('\n') + '\n');
    },
    async destroy() {
      for (const n of nodes) await run('ip', ['netns', 'del', `clab-${name}-${n}`], { allowFail: true });
      // Root-netns ends go with their peers' namespaces; remove leftovers by name.
      const batch = eps.map((e) => `link del ${stitch(name, e.node, e.iface)}`).join('\n');
      writeFileSync(path.join(dir, 'del.batch'), batch + '\n');
      await run('ip', ['-force', '-batch', path.join(dir, 'del.batch')], { allowFail: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const n of nodes) await run('ip', ['netns', 'add', `clab-${name}-${n}`]);
    const add = eps.flatMap((e) => {
      const far = stitch(name, e.node, e.iface);
      return [`link add ${far} type veth peer name ${e.iface} netns clab-${name}-${e.node}`, `link set ${far} up`];
    });
    writeFileSync(path.join(dir, 'add.batch'), add.join('\n') + '\n');
    await run('ip', ['-batch', path.join(dir, 'add.batch')], { timeoutMs: 300_000 });
    for (const n of nodes) {
      const up = [...new Set(eps.filter((e) => e.node === n).map((e) => `link set ${e.iface} up`))];
      writeFileSync(path.join(dir, 'up.batch'), up.join('\n') + '\n');
      await run('ip', ['-n', `clab-${name}-${n}`, '-batch', path.join(dir, 'up.batch')]);
    }
    lab.write();
  } catch (e) {
    await lab.destroy();
    throw e;
  }
  return lab;
}

/** Runs the CLI once; returns wall ms and the process's peak RSS (KiB). */
async function timed(args: string[]): Promise<{ ms: number; rssKiB: number; out: string }> {
  // The child reports its own peak RSS on exit, after the command has run.
  const script = `process.on('exit', () => process.stderr.write('\\nRSS ' + process.resourceUsage().maxRSS + '\\n'));
process.argv = [process.argv[0], 'clab-xconnect', ...JSON.parse(process.env.XC_ARGS)];
await import(${JSON.stringify(path.join(repoRoot, 'dist', 'cli', 'main.js'))});`;
  const t0 = performance.now();
  const r = await runEnv('node', ['--input-type=module', '-e', script], { XC_ARGS: JSON.stringify(args) });
  const ms = performance.now() - t0;
  const rss = Number(/RSS (\d+)/.exec(r.stderr)?.[1] ?? 0);
  if (r.code !== 0) throw new Error(`clab-xconnect ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, rssKiB: rss, out: r.stdout };
}

async function runEnv(cmd: string, args: string[], env: Record<string, string>) {
  const { spawn } = await import('node:child_process');
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const c = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d));
    c.stderr.on('data', (d: Buffer) => (stderr += d));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function changes(out: string): number {
  return (JSON.parse(out) as { changes: number }).changes;
}

/** Measures one lab size `reps` times (a fresh cold apply each time). */
export async function benchControlPlane(wires: number, reps: number, log: (s: string) => void): Promise<ControlPlaneResult> {
  log(`control plane: building a ${wires}-wire lab`);
  const lab = await buildLab(wires);
  const samples = { cold: [] as number[], noop: [] as number[], change: [] as number[], destroy: [] as number[] };
  let rss = 0;
  try {
    for (let r = 0; r < reps; r++) {
      lab.write();
      const cold = await timed(['apply', '-t', lab.file, '--format', 'json']);
      if (changes(cold.out) !== wires) throw new Error(`cold apply changed ${changes(cold.out)} wires, expected ${wires}`);
      const noop = await timed(['apply', '-t', lab.file, '--format', 'json']);
      if (changes(noop.out) !== 0) throw new Error(`no-op apply changed ${changes(noop.out)} wires`);
      lab.write(Math.floor(wires / 2));
      const change = await timed(['apply', '-t', lab.file, '--format', 'json']);
      if (changes(change.out) !== 1) throw new Error(`one-link change changed ${changes(change.out)} wires`);
      const destroy = await timed(['destroy', '-t', lab.file, '--format', 'json']);
      samples.cold.push(cold.ms);
      samples.noop.push(noop.ms);
      samples.change.push(change.ms);
      samples.destroy.push(destroy.ms);
      rss = Math.max(rss, cold.rssKiB, noop.rssKiB, change.rssKiB, destroy.rssKiB);
      log(`  N=${wires} rep ${r + 1}: cold ${cold.ms.toFixed(0)} ms, no-op ${noop.ms.toFixed(0)} ms, change ${change.ms.toFixed(0)} ms, destroy ${destroy.ms.toFixed(0)} ms`);
    }
  } finally {
    await timed(['destroy', '-t', lab.file]).catch(() => undefined);
    await lab.destroy();
  }
  return {
    wires,
    coldApplyMs: median(samples.cold),
    noopApplyMs: median(samples.noop),
    oneLinkChangeMs: median(samples.change),
    destroyMs: median(samples.destroy),
    peakRssMiB: Math.round((rss / 1024) * 10) / 10,
  };
}
