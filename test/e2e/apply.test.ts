/** The main job end to end on a real Docker engine: a containerlab-shaped lab
 * (src/lab/), wired by the CLI, checked by frames crossing the containers. */
import { access, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNode, stopNode, type DeployedLab } from '../../src/lab/index.js';
import { native } from '../../src/native/addon.js';
import { packageRoot } from '../../src/util/package.js';
import { labLockFile, labPinDir } from '../../src/runtime/paths.js';
import type { Topology } from '../../src/topology/model.js';
import { stitchIfname } from '../../src/links/index.js';
import { cli, cliJson } from '../helpers/cli.js';
import { setupOrFail, uniqueId } from '../helpers/docker.js';
import { across, deployFromYaml, ipv6Off, labYaml, tearDownLab, vethStitch } from '../helpers/docker-lab.js';
import { contains, frameMatrix } from '../helpers/frames.js';
import { featuresAt } from '../helpers/ports.js';
import { sh } from '../helpers/sys.js';

interface WireJson {
  id: string;
  action?: string;
  state?: string;
  engine: string;
  admin: string | null;
  a: { endpoint: string; port: string; engine: string | null; attach?: string | null; counters: Record<string, number> };
  b: { endpoint: string; port: string; engine: string | null; attach?: string | null; counters: Record<string, number> };
}
interface ApplyJson {
  ok: boolean;
  changes: number;
  wires: WireJson[];
  pending: { id: string; reason: string }[];
  removedPorts: string[];
  peerChanges: { endpoint: string; feature: string }[];
}
interface StatusJson {
  ok: boolean;
  wires: WireJson[];
}

function topologyYaml(lab: string, opts: { thirdExcluded: boolean; fourthExcluded: boolean }): string {
  return labYaml(lab, ['r1', 'r2', 'r3'], [
    vethStitch('r1:eth1', 'r2:eth1'),
    vethStitch('r2:eth2', 'r3:eth1', 'xconnect.clab/mode: xdp'),
    vethStitch('r1:eth2', 'r3:eth2', `xconnect.clab/exclude: "${opts.thirdExcluded}"`),
    vethStitch('r1:eth3', 'r3:eth3', `xconnect.clab/exclude: "${opts.fourthExcluded}"`),
  ]);
}

/** Whether a program (XDP, TCX or a tc bpf filter) sits on a root-netns port. */
async function wired(ifname: string): Promise<boolean> {
  const l = await native.getLink(null, ifname);
  if (!l) return false;
  const [tc] = await native.tcState(null, [l.ifindex]);
  return l.xdp.mode !== 'none' || tc!.tcx.length > 0 || tc!.filters.some((f) => f.kind === 'bpf');
}

/** The pins of a lab's links, whichever engine. */
async function pins(lab: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of ['xdp', 'tcx']) out.push(...(await readdir(path.join(labPinDir(lab), dir)).catch(() => [] as string[])).map((n) => `${dir}/${n}`));
  return out.sort();
}

describe('apply / status / destroy on a 3-node lab', () => {
  const name = uniqueId('x');
  let dir: string;
  let file: string;
  let topo: Topology;
  let lab: DeployedLab;
  const hookRuns: ApplyJson[] = [];
  const port = (node: string, iface: string) => stitchIfname(name, node, iface);

  setupOrFail(async () => {
    // containerlab's stages hook: apply --node as each node comes up.
    ({ dir, file, topo, lab } = await deployFromYaml(name, topologyYaml(name, { thirdExcluded: false, fourthExcluded: true }), {
      onNodeUp: async (node, topologyFile) => {
        hookRuns.push(await cliJson<ApplyJson>(['apply', '-t', topologyFile, '--node', node]));
      },
    }));
  });

  afterAll(() => tearDownLab({ dir, file, topo }));

  it('wires links node by node as the stages hook runs', () => {
    expect(hookRuns.map((r) => r.wires.map((w) => `${w.id}:${w.action}`))).toEqual([
      [],
      ['r1:eth1--r2:eth1:add'],
      ['r2:eth2--r3:eth1:add', 'r1:eth2--r3:eth2:add'],
    ]);
    expect(hookRuns[0]!.pending.map((p) => p.id).sort()).toEqual(['r1:eth1--r2:eth1', 'r1:eth2--r3:eth2']);
    // The tc engine (the default for veth-stitch ports) changes nothing in a
    // node; the wire forced onto XDP does, on its two node interfaces only.
    expect(hookRuns[1]!.peerChanges).toEqual([]);
    expect([...new Set(hookRuns[2]!.peerChanges.map((c) => c.endpoint))].sort()).toEqual(['r2:eth2', 'r3:eth1']);
  });

  it('reports no change when applied again', async () => {
    const r = await cliJson<ApplyJson>(['apply', '-t', file]);
    expect(r.changes).toBe(0);
    expect(r.wires.map((w) => w.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(r.peerChanges).toEqual([]);
  });

  it('shows each wire in status JSON', async () => {
    const s = await cliJson<StatusJson>(['status', '-t', file]);
    expect(s.wires.map((w) => [w.id, w.state, w.engine, w.admin])).toEqual([
      ['r1:eth1--r2:eth1', 'active', 'tc', 'up'],
      ['r2:eth2--r3:eth1', 'active', 'xdp', 'up'],
      ['r1:eth2--r3:eth2', 'active', 'tc', 'up'],
    ]);
    expect([s.wires[0]!.a.attach, s.wires[1]!.a.attach]).toEqual(['tcx', 'native']);
    expect(s.wires[0]!.a).toMatchObject({ endpoint: 'r1:eth1', port: port('r1', 'eth1') });
    expect(s.wires[0]!.b).toMatchObject({ endpoint: 'r2:eth1', port: port('r2', 'eth1') });
  });

  it('carries ping between containers', async () => {
    const n1 = lab.nodes.r1!.netns, n2 = lab.nodes.r2!.netns;
    await sh('nsenter', [`--net=${n1}`, 'ip', 'addr', 'add', '198.18.9.1/24', 'dev', 'eth1']);
    await sh('nsenter', [`--net=${n2}`, 'ip', 'addr', 'add', '198.18.9.2/24', 'dev', 'eth1']);
    const r = await sh('nsenter', [`--net=${n1}`, 'ping', '-c', '3', '-i', '0.2', '-W', '1', '198.18.9.2']);
    expect(r.stdout).toMatch(/3 received/);
  });

  for (const [from, to, engine] of [['r1:eth1', 'r2:eth1', 'tc'], ['r3:eth1', 'r2:eth2', 'xdp']] as const) {
    it(`passes every frame class unchanged ${from} -> ${to} (${engine})`, async () => {
      const frames = frameMatrix(`e2e-${engine}`, 9514);
      const got = await across(lab, from, to, frames.map((f) => f.bytes));
      expect(frames.filter((f) => !contains(got, f.bytes)).map((f) => f.name)).toEqual([]);
    });
  }

  it('counts the frames in status', async () => {
    const before = await cliJson<StatusJson>(['status', '-t', file]);
    const frames = frameMatrix('e2e-count', 1514).map((f) => f.bytes);
    await across(lab, 'r1:eth1', 'r2:eth1', frames);
    const after = await cliJson<StatusJson>(['status', '-t', file]);
    const d = (k: string) => after.wires[0]!.a.counters[k]! - before.wires[0]!.a.counters[k]!;
    expect(d('rxPackets')).toBe(frames.length);
    expect(d('redirected')).toBe(frames.length);
    expect(d('rxBytes')).toBe(frames.reduce((s, f) => s + f.length, 0));
  });

  it('validates everything before changing anything (dry run, stopped node)', async () => {
    const pinsBefore = await pins(name);
    const dry = await cliJson<ApplyJson>(['apply', '-t', file, '--dry-run']);
    expect(dry.changes).toBe(0);
    await stopNode(topo, 'r3');
    const r = await cli(['apply', '-t', file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/node r3 \(container clab-x[0-9a-f]+-r3\) is not running/);
    expect(await pins(name)).toEqual(pinsBefore);
    expect(await wired(port('r1', 'eth1'))).toBe(true);
    // containerlab recreates the node's interfaces on restart; the next apply repairs.
    lab.nodes.r3 = await startNode(topo, 'r3', { relink: true });
    await ipv6Off(lab.nodes.r3.netns);
    const fix = await cliJson<ApplyJson>(['apply', '-t', file]);
    expect(fix.wires.map((w) => w.action)).toEqual(['unchanged', 'reinstall', 'reinstall']);
    const frames = frameMatrix('e2e-repair', 1514).map((f) => f.bytes);
    const got = await across(lab, 'r2:eth2', 'r3:eth1', frames);
    expect(frames.every((f) => contains(got, f))).toBe(true);
  });

  it('reconciles an edited topology: a removed link falls back to tc, an added one is wired', async () => {
    await writeFile(file, topologyYaml(name, { thirdExcluded: true, fourthExcluded: false }));
    const r = await cliJson<ApplyJson>(['apply', '-t', file]);
    expect(r.wires.map((w) => `${w.id}:${w.action}`)).toEqual([
      'r1:eth1--r2:eth1:unchanged',
      'r2:eth2--r3:eth1:unchanged',
      'r1:eth3--r3:eth3:add',
    ]);
    expect(r.removedPorts).toEqual([port('r1', 'eth2'), port('r3', 'eth2')].sort());
    expect(r.changes).toBe(3);
    expect(await wired(port('r1', 'eth2'))).toBe(false);
    const frames = frameMatrix('e2e-edit', 1514).map((f) => f.bytes);
    // Removed: containerlab's tc stitch carries it again.
    const viaTc = await across(lab, 'r1:eth2', 'r3:eth2', frames);
    expect(frames.every((f) => contains(viaTc, f))).toBe(true);
    // Added: the wire carries it, and counts it.
    const viaWire = await across(lab, 'r1:eth3', 'r3:eth3', frames);
    expect(frames.every((f) => contains(viaWire, f))).toBe(true);
    const s = await cliJson<StatusJson>(['status', '-t', file]);
    expect(s.wires[2]).toMatchObject({ id: 'r1:eth3--r3:eth3', state: 'active', engine: 'tc' });
    expect(s.wires[2]!.a.counters.redirected).toBe(frames.length);
    expect((await cliJson<ApplyJson>(['apply', '-t', file])).changes).toBe(0);
  });

  it("refuses a port that carries someone else's XDP program, changing nothing", async () => {
    const victim = port('r1', 'eth2'); // unwired since the edit
    const obj = path.join(packageRoot, 'build', 'gen', 'foreign_xdp.bpf.o');
    await sh('ip', ['link', 'set', 'dev', victim, 'xdpgeneric', 'obj', obj, 'sec', 'xdp']);
    try {
      await writeFile(file, topologyYaml(name, { thirdExcluded: false, fourthExcluded: false }));
      const pinsBefore = await pins(name);
      const r = await cli(['apply', '-t', file]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`port ${victim} already carries XDP program id \\d+ \\(generic mode\\) that clab-xconnect did not install; refusing to run beside it`));
      expect(await pins(name)).toEqual(pinsBefore);
      expect(await wired(port('r3', 'eth2'))).toBe(false);
    } finally {
      await sh('ip', ['link', 'set', 'dev', victim, 'xdpgeneric', 'off']);
      await writeFile(file, topologyYaml(name, { thirdExcluded: true, fourthExcluded: false }));
    }
  });

  it('repairs what a crashed run left: a stale lock and a half-installed wire', async () => {
    // A lock held by a process that no longer exists, and one port of a wire unpinned.
    const dead = await sh('sh', ['-c', 'echo $$']);
    await mkdir(path.dirname(labLockFile(name)), { recursive: true });
    await writeFile(labLockFile(name), dead.stdout.trim());
    await native.detachLinks([path.join(labPinDir(name), 'tcx', port('r1', 'eth1'))]);
    expect(await wired(port('r1', 'eth1'))).toBe(false);
    const r = await cliJson<ApplyJson>(['apply', '-t', file]);
    expect(r.wires.find((w) => w.id === 'r1:eth1--r2:eth1')).toMatchObject({ action: 'reinstall' });
    expect(r.changes).toBe(1);
    expect(await wired(port('r1', 'eth1'))).toBe(true);
    const frames = frameMatrix('e2e-crash', 1514).map((f) => f.bytes);
    const got = await across(lab, 'r1:eth1', 'r2:eth1', frames);
    expect(frames.every((f) => contains(got, f))).toBe(true);
  });

  it('destroy removes every program, link and pin of the lab, and tc takes over', async () => {
    const ports = [port('r1', 'eth1'), port('r2', 'eth1'), port('r2', 'eth2'), port('r3', 'eth1'), port('r1', 'eth3'), port('r3', 'eth3')];
    const linkIds = (await native.pinnedLinks(ports.flatMap((p) => ['xdp', 'tcx'].map((d) => path.join(labPinDir(name), d, p)))))
      .filter((l) => l)
      .map((l) => l!.id);
    expect(linkIds).toHaveLength(ports.length);
    const r = await cliJson<{ removedPorts: string[]; restoredEndpoints: string[] }>(['destroy', '-t', file]);
    expect(r.removedPorts).toEqual([...ports].sort());
    // The node-side settings apply changed (for the XDP wire's node interfaces) are put back.
    expect(r.restoredEndpoints).toEqual(['r2:eth2', 'r3:eth1']);
    const f = await featuresAt(lab.nodes.r2!.netns, 'eth2');
    expect([f!['rx-gro']!.active, f!['tx-vlan-hw-insert']!.active, f!['tx-vlan-stag-hw-insert']!.active]).toEqual([false, true, true]);
    await expect(access(`/run/clab-xconnect/${name}.peers.json`)).rejects.toThrow(/ENOENT/);
    for (const p of ports) expect(await wired(p)).toBe(false);
    await expect(readdir(labPinDir(name))).rejects.toThrow(/ENOENT/);
    await expect(access(labLockFile(name))).rejects.toThrow(/ENOENT/);
    const links = JSON.parse((await sh('bpftool', ['-j', 'link', 'show'])).stdout) as { id: number }[];
    expect(links.filter((l) => linkIds.includes(l.id))).toEqual([]);
    const frames = frameMatrix('e2e-destroyed', 1514).map((f) => f.bytes);
    const got = await across(lab, 'r1:eth1', 'r2:eth1', frames);
    expect(frames.every((f) => contains(got, f))).toBe(true);
    // Destroy again: nothing to do, still fine.
    expect((await cliJson<{ removedPorts: string[] }>(['destroy', '-t', file])).removedPorts).toEqual([]);
  });
});
