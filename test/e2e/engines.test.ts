/** The engines on a containerlab-shaped Docker lab: the default policy puts
 * every veth-stitch port on the tc engine and changes nothing inside a node;
 * with containerlab's tc stitch taken off the ports, the engine alone carries
 * every frame class; a label switches a wire's engine under traffic without a
 * frame sent twice; the legacy tc attach (kernels without TCX) runs ahead of
 * containerlab's stitch and leaves it as it found it. */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unstitch, type DeployedLab } from '../../src/lab/index.js';
import { PacketTap } from '../../src/native/packet.js';
import { packageRoot } from '../../src/util/package.js';
import { labPinDir } from '../../src/runtime/paths.js';
import type { Topology } from '../../src/topology/model.js';
import { stitchIfname } from '../../src/links/index.js';
import { drain } from '../helpers/capture.js';
import { cli, cliJson } from '../helpers/cli.js';
import { setupOrFail, uniqueId } from '../helpers/docker.js';
import { across, deployFromYaml, labYaml, send, taggedFrame, tearDownLab, vethStitch } from '../helpers/docker-lab.js';
import { contains, frameMatrix } from '../helpers/frames.js';
import { linkAt } from '../helpers/ports.js';
import { sh } from '../helpers/sys.js';

interface PortJson {
  endpoint: string;
  port: string;
  engine: string | null;
  attach: string | null;
  counters: Record<string, number>;
}
interface WireJson {
  id: string;
  action?: string;
  detail?: string;
  state?: string;
  engine: string;
  a: PortJson;
  b: PortJson;
}
interface ApplyJson {
  changes: number;
  wires: WireJson[];
  peerChanges: { endpoint: string; feature: string; from: boolean; to: boolean }[];
}

function topologyYaml(lab: string, firstMode: string): string {
  return labYaml(lab, ['r1', 'r2', 'r3'], [
    vethStitch('r1:eth1', 'r2:eth1', `xconnect.clab/mode: ${firstMode}`),
    vethStitch('r2:eth2', 'r3:eth1'),
    vethStitch('r1:eth2', 'r3:eth2'),
  ]);
}

describe('engines on a Docker lab', () => {
  const name = uniqueId('e');
  let dir: string, file: string;
  let topo: Topology;
  let lab: DeployedLab;
  const port = (node: string, iface: string) => stitchIfname(name, node, iface);
  const nodeIfaces = [['r1', 'eth1'], ['r1', 'eth2'], ['r2', 'eth1'], ['r2', 'eth2'], ['r3', 'eth1'], ['r3', 'eth2']] as const;

  const ethtoolK = async () =>
    Promise.all(nodeIfaces.map(async ([n, i]) => (await sh('nsenter', [`--net=${lab.nodes[n]!.netns}`, 'ethtool', '-k', i])).stdout));
  const status = async () => cliJson<{ wires: WireJson[] }>(['status', '-t', file]);
  const counter = (s: { wires: WireJson[] }, id: string, side: 'a' | 'b', k: string) => s.wires.find((w) => w.id === id)![side].counters[k]!;

  /** Takes containerlab's u32 stitch off root-netns ports (its qdisc stays). */
  async function removeStitch(...ports: string[]): Promise<void> {
    for (const p of ports) await unstitch(p, { keepQdisc: true });
  }

  setupOrFail(async () => {
    ({ dir, file, topo, lab } = await deployFromYaml(name, topologyYaml(name, 'auto')));
  });

  afterAll(() => tearDownLab({ dir, file, topo }));

  it('the default policy wires every veth-stitch port on tc and changes no setting inside any node', async () => {
    const before = await ethtoolK();
    const r = await cliJson<ApplyJson>(['apply', '-t', file]);
    expect(r.wires.map((w) => [w.action, w.engine])).toEqual([['add', 'tc'], ['add', 'tc'], ['add', 'tc']]);
    expect(r.peerChanges).toEqual([]);
    expect(await ethtoolK()).toEqual(before);
    const s = await status();
    expect(s.wires.map((w) => [w.state, w.a.engine, w.a.attach, w.b.engine, w.b.attach])).toEqual(
      Array(3).fill(['active', 'tc', 'tcx', 'tc', 'tcx']),
    );
  });

  it("carries every frame class alone once containerlab's stitch is gone, counting each one", async () => {
    await removeStitch(port('r1', 'eth1'), port('r2', 'eth1'));
    const toR2 = (await linkAt(lab.nodes.r2!.netns, 'eth1')).mac;
    const unicast = Buffer.alloc(60);
    Buffer.from(toR2.split(':').map((h) => parseInt(h, 16))).copy(unicast);
    Buffer.from('020000000001' + '88b5', 'hex').copy(unicast, 6);
    unicast.write('clab-xconnect:e2e-to-node', 14);
    const classes = [...frameMatrix('e2e-engine', 9514), { name: 'unicast to the node', bytes: unicast }];
    const missed: string[] = [];
    for (const { name: cls, bytes } of classes) {
      const s0 = await status();
      const got = await across(lab, 'r1:eth1', 'r2:eth1', [bytes]);
      const s1 = await status();
      const carried = counter(s1, 'r1:eth1--r2:eth1', 'a', 'redirected') - counter(s0, 'r1:eth1--r2:eth1', 'a', 'redirected');
      if (!contains(got, bytes) || carried !== 1) missed.push(`${cls}: received ${contains(got, bytes)}, counted ${carried}`);
    }
    expect(missed).toEqual([]);
    const ping = async () => {
      await sh('nsenter', [`--net=${lab.nodes.r1!.netns}`, 'ip', 'addr', 'replace', '198.18.11.1/24', 'dev', 'eth1']);
      await sh('nsenter', [`--net=${lab.nodes.r2!.netns}`, 'ip', 'addr', 'replace', '198.18.11.2/24', 'dev', 'eth1']);
      return (await sh('nsenter', [`--net=${lab.nodes.r1!.netns}`, 'ping', '-c', '2', '-i', '0.2', '-W', '1', '198.18.11.2'])).stdout;
    };
    expect(await ping()).toMatch(/2 received/);
  });

  it('switches a wire to another engine when its label changes, under traffic, sending no frame twice', async () => {
    const fd = await PacketTap.open(lab.nodes.r2!.netns, 'eth1');
    const reader = drain(fd);
    const sent: Buffer[] = [];
    let stop = false;
    let batchNo = 0;
    const sender = (async () => {
      for (let i = 0; !stop; i++) {
        batchNo = i;
        const batch = Array.from({ length: 20 }, (_, k) => taggedFrame(64, `e2e-switch:${i}:${k}`));
        sent.push(...batch);
        await send(lab, 'r1:eth1', batch);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const runs: ApplyJson[] = [];
    const windows: { first: number; last: number }[] = [];
    const settingsBefore = await ethtoolK();
    try {
      for (const mode of ['xdp', 'xdp-generic', 'tc']) {
        await writeFile(file, topologyYaml(name, mode));
        const first = batchNo;
        runs.push(await cliJson<ApplyJson>(['apply', '-t', file]));
        windows.push({ first, last: batchNo });
      }
    } finally {
      stop = true;
      await sender;
    }
    const got = await reader.finish(sent, 3000);
    fd.close();
    expect(runs.map((r) => [r.changes, r.wires[0]!.action, r.wires[0]!.engine])).toEqual([
      [1, 'reinstall', 'xdp'],
      [1, 'reinstall', 'xdp-generic'],
      [1, 'reinstall', 'tc'],
    ]);
    expect(runs[0]!.wires[0]!.detail).toMatch(/runs the tc engine, wanted xdp/);
    // XDP needed node settings; once no engine needs them they are put back.
    expect(runs[0]!.peerChanges.map((c) => `${c.endpoint} ${c.feature} ${c.to}`)).toEqual(
      expect.arrayContaining(['r1:eth1 tx-vlan-hw-insert false', 'r2:eth1 rx-gro true']),
    );
    expect([...runs[1]!.peerChanges, ...runs[2]!.peerChanges].map((c) => `${c.endpoint} ${c.feature} ${c.to}`)).toEqual(
      expect.arrayContaining(['r1:eth1 tx-vlan-hw-insert true', 'r2:eth1 rx-gro false']),
    );
    expect(await ethtoolK()).toEqual(settingsBefore);
    const seen = new Map<string, number>();
    for (const f of got) {
      const key = f.subarray(14, 40).toString('latin1').replace(/\0.*$/, '');
      if (key.startsWith('e2e-switch:')) seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(sent.length).toBeGreaterThan(100);
    expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
    // Frames can be lost only where the kernel tears down a veth's NAPI and
    // frees what sits in its ring: native XDP taken off a port, or GRO turned
    // off on a node interface that XDP no longer needs it on (test/kernel/
    // dataplane.test.ts, "switching engines under traffic"). Elsewhere none.
    const mayLose = (k: number) => k > 0 && (runs[k - 1]!.wires[0]!.engine === 'xdp' || runs[k]!.peerChanges.some((c) => c.feature === 'rx-gro' && !c.to));
    const lostOutside = sent
      .map((f) => f.subarray(14, 40).toString('latin1').replace(/\0.*$/, ''))
      .filter((k) => !seen.has(k))
      .filter((k) => {
        const batch = Number(k.split(':')[1]);
        return !windows.some((w, i) => mayLose(i) && batch >= w.first && batch <= w.last);
      });
    expect(lostOutside, `applies: ${windows.map((w, i) => `${runs[i]!.wires[0]!.engine} batches ${w.first}-${w.last}`).join(', ')}`).toEqual([]);
  });

  it("refuses a port with someone else's tc bpf filter, changing nothing", async () => {
    const victim = port('r1', 'eth2');
    const obj = path.join(packageRoot, 'build', 'gen', 'vlan_push.bpf.o');
    const pinsBefore = await readdir(path.join(labPinDir(name), 'tcx'));
    await cli(['destroy', '-t', file]);
    await sh('tc', ['filter', 'add', 'dev', victim, 'ingress', 'pref', '7', 'bpf', 'da', 'obj', obj, 'sec', 'tc']);
    try {
      const r = await cli(['apply', '-t', file]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`port ${victim} already carries a tc bpf filter \\(pref 7, "vlan_push.bpf.o:\\[tc\\]"\\) that clab-xconnect did not install`));
      expect(await readdir(path.join(labPinDir(name), 'tcx')).catch(() => [])).toEqual([]);
    } finally {
      await sh('tc', ['filter', 'del', 'dev', victim, 'ingress', 'pref', '7']);
    }
    expect((await cliJson<ApplyJson>(['apply', '-t', file])).changes).toBe(3);
    expect((await readdir(path.join(labPinDir(name), 'tcx'))).sort()).toEqual(pinsBefore.sort());
  });

  describe('the legacy tc attach (forced, as on a kernel without TCX)', () => {
    const env = { CLAB_XCONNECT_TC_ATTACH: 'legacy' };
    const p3 = () => [port('r1', 'eth2'), port('r3', 'eth2')];

    it("moves every port to a cls_bpf filter ahead of containerlab's stitch", async () => {
      const r = await cliJson<ApplyJson>(['apply', '-t', file], { env });
      expect(r.wires.map((w) => w.action)).toEqual(['reinstall', 'reinstall', 'reinstall']);
      expect(r.wires[0]!.detail).toMatch(/attached as tcx, wanted legacy/);
      const s = await cliJson<{ wires: WireJson[] }>(['status', '-t', file], { env });
      expect(s.wires.map((w) => [w.state, w.a.attach, w.b.attach])).toEqual(Array(3).fill(['active', 'legacy', 'legacy']));
      for (const p of p3()) {
        const shown = (await sh('tc', ['filter', 'show', 'dev', p, 'ingress'])).stdout;
        expect(shown).toMatch(/pref 1 bpf .*handle 0xc1ab clab-xconnect:xc_wire_tc direct-action/);
        expect(shown).toMatch(/pref 49152 u32/);
      }
      expect(await readdir(path.join(labPinDir(name), 'tcx')).catch(() => [])).toEqual([]);
      expect((await cliJson<ApplyJson>(['apply', '-t', file], { env })).changes).toBe(0);
    });

    it('carries the frames itself (the counters rise) while the stitch sits beneath', async () => {
      const frames = frameMatrix('e2e-legacy', 9514).map((f) => f.bytes);
      const s0 = await status();
      const got = await across(lab, 'r1:eth2', 'r3:eth2', frames);
      const s1 = await status();
      expect(frames.filter((f) => !contains(got, f))).toEqual([]);
      expect(counter(s1, 'r1:eth2--r3:eth2', 'a', 'redirected') - counter(s0, 'r1:eth2--r3:eth2', 'a', 'redirected')).toBe(frames.length);
      // The wire whose stitch is gone works on the filter alone.
      const alone = await across(lab, 'r1:eth1', 'r2:eth1', frames);
      expect(frames.filter((f) => !contains(alone, f))).toEqual([]);
    });

    it("destroy removes its filters and leaves containerlab's qdisc and stitch working", async () => {
      await cliJson(['destroy', '-t', file], { env });
      for (const p of p3()) {
        const shown = (await sh('tc', ['filter', 'show', 'dev', p, 'ingress'])).stdout;
        expect(shown).not.toMatch(/bpf/);
        expect(shown).toMatch(/pref 49152 u32/);
        expect((await sh('tc', ['qdisc', 'show', 'dev', p])).stdout).toMatch(/qdisc ingress ffff:/);
      }
      for (const p of [port('r1', 'eth1'), port('r2', 'eth1')]) expect((await sh('tc', ['filter', 'show', 'dev', p, 'ingress'])).stdout).toBe('');
      const frames = frameMatrix('e2e-after-legacy', 1514).map((f) => f.bytes);
      const got = await across(lab, 'r1:eth2', 'r3:eth2', frames);
      expect(frames.filter((f) => !contains(got, f))).toEqual([]);
    });
  });
});
