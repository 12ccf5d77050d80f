/** What the Docker e2e suites share: a lab written as a topology file, deployed
 * by the built-in deployer (src/lab/) and torn down again, and frames sent
 * between its nodes' interfaces, named `node:iface` as the CLI names them. */
import { mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deployLab, destroyLab, type DeployedLab } from '../../src/lab/index.js';
import { sampleFile } from '../../src/metrics/sample-file.js';
import { PacketTap, sendFrames } from '../../src/native/packet.js';
import { loadTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/model.js';
import { receive } from './capture.js';
import { cli } from './cli.js';
import { ep } from './docker.js';
import { sh } from './sys.js';

/** A topology file of linux nodes (the deployer runs each on its node image);
 * each of `links` is one item of its `links:` list, written unindented. */
export function labYaml(name: string, nodes: string[], links: string[]): string {
  return `name: ${name}
topology:
  defaults: { kind: linux, image: clab-xconnect/node:latest }
  nodes: { ${nodes.map((n) => `${n}: {}`).join(', ')} }
  links:
${links.map((l) => l.replace(/^/gm, '    ')).join('\n')}
`;
}

/** A veth-stitch link between two `node:iface` ends (the link type whose root-netns
 * ports the wires take), as a `links:` item; `labels` is the inside of its labels map. */
export function vethStitch(a: string, b: string, labels?: string): string {
  const end = (s: string) => `{ node: ${ep(s).node}, interface: ${ep(s).iface} }`;
  const lines = ['- type: veth-stitch', `  endpoints: [${end(a)}, ${end(b)}]`];
  if (labels) lines.push(`  labels: { ${labels} }`);
  return lines.join('\n');
}

/** A deployed lab and the topology file it came from (in a temp dir of its own). */
export interface FileLab {
  dir: string;
  file: string;
  topo: Topology;
  lab: DeployedLab;
}

export interface DeployFromYamlOptions {
  /** containerlab's stages hook: called as each node comes up, with the topology file. */
  onNodeUp?: (node: string, file: string) => Promise<void>;
  /** Leave IPv6 on in the nodes (for suites that turn it off with their addresses). */
  keepIpv6?: boolean;
}

/** Writes `yaml` as `<name>.clab.yml` in a fresh temp dir, loads and deploys it, and
 * turns IPv6 off in every node. On failure it removes what it made, so a suite's
 * variables are either all set or none. */
export async function deployFromYaml(name: string, yaml: string, opts: DeployFromYamlOptions = {}): Promise<FileLab> {
  const dir = await mkdtemp(path.join(tmpdir(), 'clab-xconnect-'));
  const file = path.join(dir, `${name}.clab.yml`);
  let topo: Topology | undefined;
  try {
    await writeFile(file, yaml);
    topo = loadTopology(file);
    const onNodeUp = opts.onNodeUp;
    const lab = await deployLab(topo, onNodeUp ? { onNodeUp: (node) => onNodeUp(node, file) } : {});
    if (!opts.keepIpv6) for (const n of Object.values(lab.nodes)) await ipv6Off(n.netns);
    return { dir, file, topo, lab };
  } catch (e) {
    // The setup's error is the one to report, not a failure of this cleanup.
    await tearDownLab({ dir, file, topo }).catch(() => undefined);
    throw e;
  }
}

/** Undoes deployFromYaml as far as it got: the wires (CLI destroy), the lab, the temp dir. */
export async function tearDownLab(l: { dir?: string; file?: string; topo?: Topology }): Promise<void> {
  if (l.file) await cli(['destroy', '-t', l.file]);
  if (l.topo) await destroyLab(l.topo);
  if (l.dir) await rm(l.dir, { recursive: true, force: true });
}

/** IPv6 off in a node: its chatter (router and neighbour solicitations) would add
 * frames to what a test counts or captures. */
export async function ipv6Off(netns: string): Promise<void> {
  await sh('nsenter', [`--net=${netns}`, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
}

/** Removes the last sample `status --format prometheus` keeps for rates, and its
 * directory when no other lab has one there. */
export async function removeSampleFile(name: string): Promise<void> {
  await rm(sampleFile(name), { force: true });
  await rmdir(path.dirname(sampleFile(name))).catch(() => undefined);
}

/** A node interface named `node:iface`, as the netns and name packet I/O takes. */
export function nodeIf(lab: DeployedLab, endpoint: string): [netns: string, iface: string] {
  const { node, iface } = ep(endpoint);
  return [lab.nodes[node]!.netns, iface];
}

/** Sends frames out of a node interface, as written. */
export async function send(lab: DeployedLab, from: string, frames: Buffer[]): Promise<void> {
  await sendFrames(...nodeIf(lab, from), frames);
}

/** What arrives on `rx` while `sending` runs and after it, until every frame of
 * `want` is in or `waitMs` is up; the tap opens first, so nothing sent is missed. */
export async function receiveWhile(rx: [netns: string, iface: string], want: Buffer[], sending: () => Promise<unknown>, waitMs = 1500): Promise<Buffer[]> {
  const tap = await PacketTap.open(...rx);
  try {
    await sending();
    return await receive(tap, want, waitMs);
  } finally {
    tap.close();
  }
}

/** Sends frames out of one node interface; returns what the other received. */
export async function across(lab: DeployedLab, from: string, to: string, frames: Buffer[], waitMs = 1500): Promise<Buffer[]> {
  return receiveWhile(nodeIf(lab, to), frames, () => send(lab, from, frames), waitMs);
}

/** A `size`-byte frame with `text` after its header, from and to made-up MACs
 * (02:00:5e:00:00:01 to :02, ethertype 0x88b5): no node takes it for itself, and
 * the text finds it again among whatever else arrives. */
export function taggedFrame(size: number, text: string): Buffer {
  const f = Buffer.alloc(size);
  Buffer.from('02005e000002' + '02005e000001' + '88b5', 'hex').copy(f);
  f.write(text, 14);
  return f;
}
