/** vxlan-stitch (veth <-> vxlan in the root netns) and label-paired host links,
 * wired by apply on a real Docker lab. */
import { afterAll, describe, expect, it } from 'vitest';
import type { DeployedLab } from '../../src/lab/index.js';
import { sendFrames } from '../../src/native/packet.js';
import type { Topology } from '../../src/topology/model.js';
import { cli, cliJson } from '../helpers/cli.js';
import { setupOrFail, uniqueId } from '../helpers/docker.js';
import { across, deployFromYaml, labYaml, receiveWhile, tearDownLab } from '../helpers/docker-lab.js';
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
    ({ dir, file, topo, lab } = await deployFromYaml(name, labYaml(name, ['r1', 'r2', 'r3'], [
      `- type: vxlan-stitch
  endpoint: { node: r1, interface: eth1 }
  remote: ${vtep.remoteIp}
  vni: 4242
  mtu: 1500`,
      `- endpoints: ["r2:eth1", "host:${hp1}"]
  labels: { xconnect.clab/pair: p1 }`,
      `- type: host
  endpoint: { node: r3, interface: eth1 }
  host-interface: ${hp2}
  labels: { xconnect.clab/pair: p1 }`,
    ])));
  });

  afterAll(async () => {
    await tearDownLab({ dir, file, topo });
    await vtep?.destroy();
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
    const got = await across(lab, 'r2:eth1', 'r3:eth1', frames);
    expect(frames.every((f) => contains(got, f))).toBe(true);
  });

  it('carries ping and raw frames over the vxlan stitch to the remote VTEP', async () => {
    const n1 = lab.nodes.r1!.netns;
    await sh('nsenter', [`--net=${n1}`, 'ip', 'addr', 'add', `${vtep.nodeOverlayIp}/24`, 'dev', 'eth1']);
    const ping = await sh('nsenter', [`--net=${n1}`, 'ping', '-c', '3', '-i', '0.2', '-W', '1', vtep.overlayIp]);
    expect(ping.stdout).toMatch(/3 received/);
    const frames = frameMatrix('vxlan', 1514).map((f) => f.bytes);
    const got = await receiveWhile([vtep.netns, 'vx0'], frames, () => sendFrames(n1, 'eth1', frames));
    expect(frames.filter((f) => !contains(got, f)).map((f) => f.subarray(0, 16).toString('hex'))).toEqual([]);
    const s = await cliJson<{ wires: { kind: string; a: { counters: { redirected: number } } }[] }>(['status', '-t', file]);
    expect(s.wires.find((w) => w.kind === 'vxlan-stitch')!.a.counters.redirected).toBeGreaterThanOrEqual(frames.length + 3);
  });

  it('serializes concurrent runs on one lab: both succeed, the state is applied once', async () => {
    await cli(['destroy', '-t', file]);
    const [x, y] = await Promise.all([cliJson<{ changes: number }>(['apply', '-t', file]), cliJson<{ changes: number }>(['apply', '-t', file])]);
    expect([x.changes, y.changes].sort()).toEqual([0, 2]);
  });
});
