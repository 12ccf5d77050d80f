/** vxlan-stitch (veth <-> vxlan in the root netns) and label-paired host links,
 * wired by apply on a real Docker lab. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployLab, destroyLab, type DeployedLab } from '../../src/lab/index.js';
import { PacketTap, sendFrames } from '../../src/native/packet.js';
import { loadTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/model.js';
import { cli, cliJson } from '../helpers/cli.js';
import { setupOrFail, uniqueId } from '../helpers/docker.js';
import { receive } from '../helpers/capture.js';
import { contains, frameMatrix } from '../helpers/frames.js';
import { sh } from '../helpers/sys.js';
import { createRemoteVtep, type RemoteVtep } from '../helpers/vtep.js';

describe('vxlan-stitch and host-pair wires', () => {
  const name = uniqueId('v');
  const hp1 = `${name}a`, hp2 = `${name}b`;
  let dir: string, file: string;
  let topo: Topology;
  let lab: DeployedLab;
  let vtep: RemoteVtep;

  setupOrFail(async () => {
    vtep = await createRemoteVtep({ name: uniqueId('rv'), vni: 4242 });
    dir = await mkdtemp(path.join(tmpdir(), 'clab-xconnect-'));
    file = path.join(dir, `${name}.clab.yml`);
    await writeFile(
      file,
      `name: ${name}
topology:
  defaults: { kind: linux, image: clab-xconnect/node:latest }
  nodes: { r1: {}, r2: {}, r3: {} }
  links:
    - type: vxlan-stitch
      endpoint: { node: r1, interface: eth1 }
      remote: ${vtep.remoteIp}
      vni: 4242
      mtu: 1500
    - endpoints: ["r2:eth1", "host:${hp1}"]
      labels: { xconnect.clab/pair: p1 }
    - type: host
      endpoint: { node: r3, interface: eth1 }
      host-interface: ${hp2}
      labels: { xconnect.clab/pair: p1 }
`,
    );
    topo = loadTopology(file);
    lab = await deployLab(topo);
    for (const n of Object.values(lab.nodes)) await sh('nsenter', [`--net=${n.netns}`, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
  });

  afterAll(async () => {
    if (file) await cli(['destroy', '-t', file]);
    if (topo) await destroyLab(topo);
    await vtep?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('wires both on the tc engine: their ports get their frames from a kernel stack', async () => {
    type Port = { engine: string; engineReason: string };
    const r = await cliJson<{ wires: { id: string; kind: string; engine: string; action: string; a: Port; b: Port }[]; peerChanges: unknown[] }>([
      'apply',
      '-t',
      file,
    ]);
    const byKind = Object.fromEntries(r.wires.map((w) => [w.kind, w]));
    expect(byKind['vxlan-stitch']).toMatchObject({ action: 'add', engine: 'tc' });
    expect(byKind['vxlan-stitch']!.b.engineReason).toMatch(/vx-r1_eth1 receives skbs from a kernel stack \(vxlan\)/);
    expect(byKind['host-pair']).toMatchObject({ action: 'add', engine: 'tc' });
    expect(r.peerChanges).toEqual([]);
  });

  it('carries frames between the paired host links', async () => {
    const frames = frameMatrix('hostpair', 9514).map((f) => f.bytes);
    const fd = await PacketTap.open(lab.nodes.r3!.netns, 'eth1');
    try {
      await sendFrames(lab.nodes.r2!.netns, 'eth1', frames);
      const got = await receive(fd, frames, 1500);
      expect(frames.every((f) => contains(got, f))).toBe(true);
    } finally {
      fd.close();
    }
  });

  it('carries ping and raw frames over the vxlan stitch to the remote VTEP', async () => {
    const n1 = lab.nodes.r1!.netns;
    await sh('nsenter', [`--net=${n1}`, 'ip', 'addr', 'add', `${vtep.nodeOverlayIp}/24`, 'dev', 'eth1']);
    const ping = await sh('nsenter', [`--net=${n1}`, 'ping', '-c', '3', '-i', '0.2', '-W', '1', vtep.overlayIp]);
    expect(ping.stdout).toMatch(/3 received/);
    const frames = frameMatrix('vxlan', 1514).map((f) => f.bytes);
    const fd = await PacketTap.open(vtep.netns, 'vx0');
    try {
      await sendFrames(n1, 'eth1', frames);
      const got = await receive(fd, frames, 1500);
      expect(frames.filter((f) => !contains(got, f)).map((f) => f.subarray(0, 16).toString('hex'))).toEqual([]);
    } finally {
      fd.close();
    }
    const s = await cliJson<{ wires: { kind: string; a: { counters: { redirected: number } } }[] }>(['status', '-t', file]);
    expect(s.wires.find((w) => w.kind === 'vxlan-stitch')!.a.counters.redirected).toBeGreaterThanOrEqual(frames.length + 3);
  });

  it('serializes concurrent runs on one lab: both succeed, the state is applied once', async () => {
    await cli(['destroy', '-t', file]);
    const [x, y] = await Promise.all([cliJson<{ changes: number }>(['apply', '-t', file]), cliJson<{ changes: number }>(['apply', '-t', file])]);
    expect([x.changes, y.changes].sort()).toEqual([0, 2]);
  });
});
