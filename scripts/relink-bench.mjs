#!/usr/bin/env node
// Times relinkNode() for a node with 10 links: deploys the watch bench's 100-wire
// lab (20 nodes, each veth-stitched to the next five), then per round `docker
// restart`s n0 and re-plumbs it, timing relinkNode alone. Root, Docker engine up,
// dist/ built (`npx tsc -p tsconfig.json`).
//   node scripts/relink-bench.mjs [--rounds 5] [--dump state.txt] [--keep]
// --dump writes the restarted node's interfaces and its far ends (names,
// altnames, MTU, state, MAC OUI, ethtool -k, tc ingress) after the last round,
// normalized so that two runs can be diffed. With RELINK_BENCH_MARKS=FILE set,
// appends `relink start`/`relink end` lines to FILE around each relinkNode (for
// counting the processes it runs, with wrappers of ip/tc/ethtool/nsenter that log
// to the same file).
import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { deployLab, destroyLab, dockerClient, relinkNode, run } from '../dist/lab/index.js';
import { loadTopology } from '../dist/topology/load.js';
import { stitchIfname } from '../dist/links/index.js';

const { values: opt } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, dump: { type: 'string' }, keep: { type: 'boolean' } } });
const rounds = Number(opt.rounds);
const lab = `rb${Math.random().toString(16).slice(2, 6)}`;
const nodes = Array.from({ length: 20 }, (_, i) => `n${i}`);
const links = [];
for (let i = 0; i < 20; i++) for (let k = 1; k <= 5; k++) links.push([`n${i}`, `e${k}`, `n${(i + k) % 20}`, `f${k}`]);
const yaml = [`name: ${lab}`, 'topology:', '  defaults: { kind: linux, image: clab-xconnect/node:latest }', '  nodes:',
  ...nodes.map((n) => `    ${n}: {}`), '  links:',
  ...links.map(([a, ai, b, bi]) => `    - { type: veth-stitch, endpoints: [{ node: ${a}, interface: ${ai} }, { node: ${b}, interface: ${bi} }] }`)].join('\n') + '\n';
const dir = await mkdtemp(path.join(tmpdir(), 'relink-bench-'));
const file = path.join(dir, `${lab}.clab.yml`);
await writeFile(file, yaml);
const topo = loadTopology(file);
const NODE = 'n0';

const mark = async (what) => process.env.RELINK_BENCH_MARKS && appendFile(process.env.RELINK_BENCH_MARKS, what + '\n');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  let t = Date.now();
  await deployLab(topo);
  console.error(`${lab}: ${links.length} links deployed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const [c] = await dockerClient().listContainers({ filters: { label: [`containerlab=${lab}`, `clab-node-name=${NODE}`] } });
  const container = dockerClient().getContainer(c.Id);
  const times = [];
  for (let r = 0; r < rounds; r++) {
    await container.restart({ t: 1 });
    await mark('relink start');
    t = performance.now();
    await relinkNode(topo, NODE);
    times.push(performance.now() - t);
    await mark('relink end');
    console.error(`round ${r + 1}: relinkNode(${NODE}, 10 links) ${times.at(-1).toFixed(0)} ms`);
  }
  console.log(`relinkNode ${NODE} (10 links): median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)} (${times.map((x) => x.toFixed(0)).join(' ')})`);
  if (opt.dump) await writeFile(opt.dump, await snapshot((await container.inspect()).State.Pid));
} finally {
  if (!opt.keep) await destroyLab(topo);
}

/** The node's interfaces and the root-netns far ends of its links, normalized. */
async function snapshot(pid) {
  const netns = `/proc/${pid}/ns/net`;
  const out = [];
  const describe = async (ns, dev) => {
    const [l] = JSON.parse((await run('ip', ['-d', '-j', 'link', 'show', 'dev', dev], { netns: ns })).stdout);
    const alt = (l.altnames ?? []).join(',');
    out.push(`## ${ns ? 'node' : 'root'} ${l.ifname} alt=[${alt}] mtu=${l.mtu} flags=${l.flags.join(',')} state=${l.operstate} mac=${l.address.slice(0, 8)} kind=${l.linkinfo?.info_kind} txqlen=${l.txqlen}`);
    out.push((await run('ethtool', ['-k', dev], { netns: ns })).stdout.split('\n').slice(1).join('\n'));
    if (!ns) {
      out.push((await run('tc', ['qdisc', 'show', 'dev', dev, 'ingress'])).stdout);
      out.push((await run('tc', ['filter', 'show', 'dev', dev, 'ingress'])).stdout.replace(/index \d+/g, 'index N'));
    }
  };
  const mine = JSON.parse((await run('ip', ['-j', 'link', 'show'], { netns })).stdout).map((l) => l.ifname).filter((n) => n !== 'lo').sort();
  for (const dev of mine) await describe(netns, dev);
  const fars = links.filter((l) => l[0] === NODE || l[2] === NODE).flatMap(([a, ai, b, bi]) => [stitchIfname(lab, a, ai), stitchIfname(lab, b, bi)]);
  for (const dev of fars) await describe(undefined, dev);
  return out.join('\n') + '\n';
}
