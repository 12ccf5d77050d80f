/** `node dist/watch/bench.js [--rounds N]` (root, Docker engine up): measures watch's
 * targets on labs made by the built-in deployer (src/lab/), running the CLI's watch as
 * a child process the way users do. For a 3-wire lab and a 100-wire lab (20 nodes,
 * 10 links each):
 *   - restart: from `docker restart` of a node returning to (a) watch logging the
 *     node's wires applied again and (b) a ping crossing one of its links;
 *   - edit: from the topology file being written to watch logging the change applied;
 *   - memory: watch's RSS (and its anonymous / file-backed parts) after start, after
 *     each round of work (scrapes every 0.5 s, restarts, edits; the largest is the
 *     peak) and when idle again, and the kernel's high-water mark of its RSS,
 *     as installed (the node flags of watch, src/util/node-flags.ts, as its
 *     launcher gives them), and with the JIT on (no lite mode: the flags of the
 *     one-shot commands). The image adds MALLOC_ARENA_MAX=2 (watch limits its
 *     arenas to two itself; the earlier runs in docs/watch.md measured both).
 * Prints a Markdown table (docs/watch.md quotes it). */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dockerClient } from '../lab/docker.js';
import { deployLab, destroyLab, ensureNodeImage, inspectLab, run, start, tryRun } from '../lab/index.js';
import { requireRoot } from '../runtime/privileges.js';
import { loadTopology } from '../topology/load.js';
import type { Topology } from '../topology/model.js';
import { median } from '../util/median.js';
import { nodeFlags } from '../util/node-flags.js';
import { cliPath } from '../util/package.js';

type Child = ReturnType<typeof start>['child'];

interface LabSpec {
  name: string;
  nodes: string[];
  /** [nodeA, ifaceA, nodeB, ifaceB] */
  links: [string, string, string, string][];
  /** The node restarted, and one of its links to ping across: [its iface, peer, peer iface]. */
  restart: { node: string; iface: string; peer: string; peerIface: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function smallLab(id: string): LabSpec {
  return {
    name: `bs${id}`,
    nodes: ['r1', 'r2', 'r3'],
    links: [['r1', 'eth1', 'r2', 'eth1'], ['r2', 'eth2', 'r3', 'eth1'], ['r1', 'eth2', 'r3', 'eth2']],
    restart: { node: 'r2', iface: 'eth1', peer: 'r1', peerIface: 'eth1' },
  };
}

/** 20 nodes, each linked to the next five: 100 links, 10 per node. */
function largeLab(id: string): LabSpec {
  const nodes = Array.from({ length: 20 }, (_, i) => `n${i}`);
  const links: LabSpec['links'] = [];
  for (let i = 0; i < 20; i++) for (let k = 1; k <= 5; k++) links.push([`n${i}`, `e${k}`, `n${(i + k) % 20}`, `f${k}`]);
  return { name: `bl${id}`, nodes, links, restart: { node: 'n0', iface: 'e1', peer: 'n1', peerIface: 'f1' } };
}

function yaml(spec: LabSpec, downFirst: boolean): string {
  const lines = [`name: ${spec.name}`, 'topology:', '  defaults: { kind: linux, image: clab-xconnect/node:latest }', '  nodes:'];
  for (const n of spec.nodes) lines.push(`    ${n}: {}`);
  lines.push('  links:');
  spec.links.forEach(([a, ai, b, bi], i) => {
    lines.push(`    - type: veth-stitch`, `      endpoints: [{ node: ${a}, interface: ${ai} }, { node: ${b}, interface: ${bi} }]`);
    // The edits toggle the last link, which the restarted node is not on.
    if (i === spec.links.length - 1) lines.push(`      labels: { xconnect.clab/admin: ${downFirst ? 'down' : 'up'} }`);
  });
  return lines.join('\n') + '\n';
}

interface Watch {
  child: Child;
  lines: Record<string, unknown>[];
  metrics: string;
}

async function startWatch(file: string, flags: readonly string[], env: Record<string, string>): Promise<Watch> {
  const { child, done } = start(process.execPath, [...flags, cliPath, 'watch', '-t', file, '--log-format', 'json', '--metrics-address', '127.0.0.1:0'], {
    env,
    allowFail: true,
  });
  // Its stderr is in `done` when it ends; say it if it ends early.
  void done.then((o) => o.code !== 0 && o.stderr && process.stderr.write(`watch: ${o.stderr}\n`), () => undefined);
  const w: Watch = { child, lines: [], metrics: '' };
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      w.lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
    }
  });
  const m = await waitLine(w, (l) => l['event'] === 'metrics', 0, 120_000);
  w.metrics = `http://${String(m['address'])}/metrics`;
  await waitLine(w, (l) => l['event'] === 'apply', 0, 120_000);
  return w;
}

async function waitLine(w: Watch, match: (l: Record<string, unknown>) => boolean, from: number, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = w.lines.slice(from).find(match);
    if (hit) return hit;
    if (Date.now() > deadline || w.child.exitCode !== null) throw new Error(`watch: no such line; last: ${JSON.stringify(w.lines.at(-1))}`);
    await sleep(5);
  }
}

function rss(pid: number): { rss: number; anon: number; file: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), hwm: kb('VmHWM') };
}

async function nodeNetns(topo: Topology, node: string): Promise<string> {
  return (await inspectLab(topo)).nodes[node]!.netns;
}

/** Restart of spec.restart.node: ms to the wires applied (watch's log) and to a ping across. */
async function restartOnce(w: Watch, spec: LabSpec): Promise<{ wired: number; crossing: number }> {
  const { node, iface } = spec.restart;
  const [c] = await dockerClient().listContainers({ filters: { label: [`containerlab=${spec.name}`, `clab-node-name=${node}`] } });
  const container = dockerClient().getContainer(c!.Id);
  const from = w.lines.length;
  await container.restart({ t: 1 });
  const t0 = Date.now();
  const netns = `/proc/${(await container.inspect()).State.Pid}/ns/net`;
  // Polled every 20 ms: the interface to appear (then its address, and ARP retries
  // every 10 ms rather than every second, so that a probe sent before the path is
  // back does not hide when it came back), then one ping.
  let crossing = NaN;
  let addressed = false;
  const setup = `ip addr replace 198.18.60.2/30 dev ${iface} && sysctl -qw net.ipv4.neigh.${iface}.retrans_time_ms=10`;
  for (let tries = 0; tries < 500 && Number.isNaN(crossing); tries++) {
    if (!addressed) addressed = await tryRun('sh', ['-c', setup], { netns });
    if (addressed && (await tryRun('ping', ['-c', '1', '-W', '0.3', '198.18.60.1'], { netns }))) crossing = Date.now() - t0;
    else await sleep(20);
  }
  const applied = await waitLine(w, (l) => l['event'] === 'apply' && l['reason'] === `node ${node} re-plumbed`, from);
  return { wired: Date.parse(String(applied['time'])) - t0, crossing };
}

async function editOnce(w: Watch, file: string, spec: LabSpec, down: boolean): Promise<number> {
  const from = w.lines.length;
  await writeFile(file, yaml(spec, down));
  const t0 = Date.now();
  const applied = await waitLine(w, (l) => l['event'] === 'apply' && l['reason'] === 'topology changed', from);
  return Date.parse(String(applied['time'])) - t0;
}

async function benchLab(spec: LabSpec, rounds: number, rows: string[][]): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'clab-xconnect-wbench-'));
  const file = path.join(dir, `${spec.name}.clab.yml`);
  await writeFile(file, yaml(spec, false));
  const topo = loadTopology(file);
  const procs: Child[] = [];
  try {
    const t = Date.now();
    await deployLab(topo);
    process.stderr.write(`${spec.name}: ${spec.links.length} links deployed in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    const peerNs = await nodeNetns(topo, spec.restart.peer);
    await run('ip', ['addr', 'replace', '198.18.60.1/30', 'dev', spec.restart.peerIface], { netns: peerNs });
    const variants = [
      ['as installed', nodeFlags('watch'), {}],
      // What lite mode saves: the flags of the one-shot commands.
      ['as installed, with the JIT', nodeFlags('apply'), {}],
    ] as const;
    for (const [label, flags, env] of variants) {
      const w = await startWatch(file, flags, env);
      procs.push(w.child);
      const pid = w.child.pid!;
      await sleep(2000);
      const started = rss(pid);
      const restarts: { wired: number; crossing: number }[] = [];
      const edits: number[] = [];
      let peak = started;
      const scraper = setInterval(() => void fetch(w.metrics).then((r) => r.text()).catch(() => undefined), 500);
      try {
        for (let i = 0; i < rounds; i++) {
          restarts.push(await restartOnce(w, spec));
          edits.push(await editOnce(w, file, spec, i % 2 === 0));
          const now = rss(pid);
          if (now.rss > peak.rss) peak = now;
          await sleep(1000);
        }
        // Odd rounds leave the last link down: put it back up (an edit to the
        // state it has already is no change, and watch logs none).
        if (rounds % 2 === 1) await editOnce(w, file, spec, false);
      } finally {
        clearInterval(scraper);
      }
      await sleep(3000);
      const idle = rss(pid);
      const f = (x: { rss: number; anon: number; file: number }) => `${x.rss.toFixed(1)} (${x.anon.toFixed(1)} + ${x.file.toFixed(1)})`;
      rows.push([
        `${spec.links.length} wires, ${label}`,
        `${median(restarts.map((r) => r.wired))} / ${Math.max(...restarts.map((r) => r.wired))}`,
        `${median(restarts.map((r) => r.crossing))} / ${Math.max(...restarts.map((r) => r.crossing))}`,
        `${median(edits)} / ${Math.max(...edits)}`,
        f(started),
        f(peak),
        `${started.hwm.toFixed(1)} / ${rss(pid).hwm.toFixed(1)}`,
        f(idle),
      ]);
      w.child.kill('SIGTERM');
      await new Promise((r) => w.child.once('exit', r));
    }
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await tryRun(process.execPath, [cliPath, 'destroy', '-t', file]);
    await destroyLab(topo);
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  requireRoot('the watch benchmark');
  const i = process.argv.indexOf('--rounds');
  const rounds = i > 0 ? Number(process.argv[i + 1]) : 5;
  await ensureNodeImage();
  const id = Math.random().toString(16).slice(2, 6);
  const rows: string[][] = [];
  for (const spec of [smallLab(id), largeLab(id)]) await benchLab(spec, rounds, rows);
  const head = ['lab, watch run with', 'restart -> wired, ms (median / max)', 'restart -> ping crosses, ms', 'edit saved -> applied, ms', 'RSS MB at start (anon + file)', 'peak (after a round)', 'high-water mark (VmHWM) at start / end', 'idle after'];
  const out = [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`);
  process.stdout.write(`${rounds} rounds each; ${new Date().toISOString()}\n\n${out.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`watch bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
