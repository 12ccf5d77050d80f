/** Why the engine policy decides what it decides. The XDP engine's node-side
 * needs: each test removes one piece and shows the failure the kernel then
 * produces silently (if a kernel stops needing a piece, its test fails and the
 * policy can shrink). The tc engine's claim: it needs nothing inside a node,
 * so nothing there changes. And the pure choice itself. */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Dataplane, type Engine } from '../../src/dataplane/dataplane.js';
import { chooseEngine, nodeSettings, wireNodeSettings, type PortFacts } from '../../src/dataplane/engine-policy.js';
import { packageRoot } from '../../src/util/package.js';
import { Netns } from '../../src/native/netns.js';
import { PacketTap, sendFrames } from '../../src/native/packet.js';
import { receive } from '../helpers/capture.js';
import { contains, frameMatrix, metadataVlanFrame } from '../helpers/frames.js';
import { peerMacs, tuneNode, wirePorts } from '../helpers/ports.js';
import { nsExec } from '../helpers/sys.js';
import { createWireLab, type WireLab } from '../helpers/wire-lab.js';

let lab: WireLab | undefined;
let wns: Netns | undefined;
let dp: Dataplane | undefined;
afterEach(async () => {
  dp?.close();
  wns?.close();
  await lab?.destroy();
  lab = dp = wns = undefined;
});

async function install(engine: Engine): Promise<void> {
  wns = await Netns.open(lab!.w);
  dp = await Dataplane.open(lab!.pinDir, { netns: wns });
  await dp.installWire(...(await wirePorts(dp)), { engine, adminUp: true, loss: 0, peerMac: await peerMacs(lab!) });
}

async function wire(engine: Engine, features: Record<string, boolean>): Promise<WireLab> {
  lab = await createWireLab({ mtu: 1500 });
  for (const n of [lab.n1, lab.n2]) await tuneNode(n, features);
  await install(engine);
  return lab;
}

async function across(l: WireLab, frames: Buffer[]): Promise<Buffer[]> {
  const tap = await PacketTap.open(l.n2, 'e0');
  try {
    await sendFrames(l.n1, 'e0', frames);
    return await receive(tap, frames, 700);
  } finally {
    tap.close();
  }
}

describe('the XDP engine needs the node-side settings the policy applies', () => {
  it('without GRO (or XDP) on the receiving peer, every redirected frame is lost', async () => {
    const l = await wire('xdp', { ...wireNodeSettings('xdp'), 'rx-gro': false });
    const frames = frameMatrix('nogro', 1514).map((f) => f.bytes);
    expect(await across(l, frames)).toHaveLength(0);
  });

  it('with tx-vlan offload on at the sender, a metadata VLAN tag is stripped', async () => {
    const l = await wire('xdp', { ...wireNodeSettings('xdp'), 'tx-vlan-hw-insert': true });
    const obj = path.join(packageRoot, 'build', 'gen', 'vlan_push.bpf.o');
    await nsExec(l.node1, ['tc', 'qdisc', 'add', 'dev', 'e0', 'clsact']);
    await nsExec(l.node1, ['tc', 'filter', 'add', 'dev', 'e0', 'egress', 'bpf', 'da', 'obj', obj, 'sec', 'tc']);
    const { sent, expected } = metadataVlanFrame('txvlan');
    const got = await across(l, [sent]);
    expect(contains(got, expected)).toBe(false);
    expect(contains(got, sent)).toBe(true); // arrived, untagged
  });

  it('with the policy applied, the same frames pass', async () => {
    const l = await wire('xdp', wireNodeSettings('xdp'));
    const frames = frameMatrix('policy', 1514).map((f) => f.bytes);
    const got = await across(l, frames);
    expect(frames.every((f) => contains(got, f))).toBe(true);
  });

  it('reports what it changed on a node interface, and nothing the second time', async () => {
    lab = await createWireLab({ mtu: 1500 });
    const first = await tuneNode(lab.n1, wireNodeSettings('xdp'));
    expect(first.map((c) => `${c.feature}:${c.to}`).sort()).toEqual(['rx-gro:true', 'tx-vlan-hw-insert:false', 'tx-vlan-stag-hw-insert:false'].sort());
    expect(await tuneNode(lab.n1, wireNodeSettings('xdp'))).toEqual([]);
  });
});

describe('the tc engine changes nothing inside the nodes', () => {
  it('ethtool -k of both node interfaces is the same before and after, and every frame class passes with default offloads', async () => {
    lab = await createWireLab({ mtu: 9500, txChecksumOff: false });
    const k = async () => Promise.all([lab!.node1, lab!.node2].map(async (n) => (await nsExec(n, ['ethtool', '-k', 'e0'])).stdout));
    const before = await k();
    await install('tc');
    expect(await k()).toEqual(before);
    // tx checksum offload on (the veth default outside containerlab): the skb
    // keeps its partial checksum across the wire, and TCP works.
    const server = nsExec(lab.node2, ['iperf3', '-s', '-1', '-B', lab.ip2], { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 300));
    const client = await nsExec(lab.node1, ['iperf3', '-c', lab.ip2, '-t', '1', '-J'], { timeout: 30_000 });
    await server;
    expect(JSON.parse(client.stdout).end.sum_received.bytes).toBeGreaterThan(32 * 1024 * 1024);
    const frames = frameMatrix('tc-defaults', 9514).map((f) => f.bytes);
    const got = await across(lab, frames);
    expect(frames.filter((f) => !contains(got, f)).map((f) => f.subarray(0, 16).toString('hex'))).toEqual([]);
  });
});

describe('chooseEngine', () => {
  // The policy only asks whether a node interface is behind a veth port, never where.
  const nodeIface = { netns: {} as Netns, ifindex: 2, ifname: 'eth1' };
  const veth = (ifname: string): PortFacts => ({ ifname, kind: 'veth', peer: nodeIface, xdp: null });
  const nic = (ifname: string, native = true): PortFacts => ({
    ifname,
    kind: '',
    peer: null,
    xdp: { basic: native, redirect: native, ndoXmit: native, rxSg: native, ndoXmitSg: false },
  });
  const vxlan: PortFacts = { ifname: 'vx-r1_eth1', kind: 'vxlan', peer: null, xdp: null };

  it('picks tc for ports that receive skbs from a kernel stack: veth-stitch ends, vxlan devices', () => {
    expect(chooseEngine('auto', veth('a'), veth('b'))).toEqual({ engine: 'tc', reason: 'a receives skbs from a kernel stack (veth)' });
    expect(chooseEngine('auto', vxlan, veth('a')).engine).toBe('tc');
    expect(chooseEngine('auto', veth('a'), vxlan).engine).toBe('tc');
  });
  it('picks native XDP for a NIC whose driver has it, per direction', () => {
    expect(chooseEngine('auto', nic('ens1'), veth('a'))).toEqual({ engine: 'xdp', reason: 'ens1 is a NIC with native XDP: its frames arrive as XDP frames' });
    // The other direction of the same host pair: a veth fed by a node's stack.
    expect(chooseEngine('auto', veth('a'), nic('ens1')).engine).toBe('tc');
    expect(chooseEngine('auto', nic('ens1'), nic('ens2')).engine).toBe('xdp');
  });
  it('stays on tc for a NIC without native XDP, or one the kernel cannot describe, saying why', () => {
    expect(chooseEngine('auto', nic('ens1', false), veth('a'))).toEqual({ engine: 'tc', reason: 'ens1 is a device without native XDP' });
    expect(chooseEngine('auto', { ...nic('ens1'), xdp: null }, veth('a')).engine).toBe('tc');
    // Native XDP cannot redirect into a vxlan device, nor into a veth whose peer it cannot give GRO.
    expect(chooseEngine('auto', nic('ens1'), vxlan).engine).toBe('tc');
    expect(chooseEngine('auto', nic('ens1'), { ...veth('x'), peer: null }).engine).toBe('tc');
  });
  it('honours a forced engine, and refuses native XDP where it cannot work', () => {
    expect(chooseEngine('xdp', veth('a'), veth('b'))).toEqual({ engine: 'xdp', reason: 'requested' });
    expect(chooseEngine('xdp-generic', vxlan, veth('a'))).toEqual({ engine: 'xdp-generic', reason: 'requested' });
    expect(chooseEngine('tc', nic('ens1'), veth('a'))).toEqual({ engine: 'tc', reason: 'requested' });
    expect(() => chooseEngine('xdp', vxlan, veth('a'))).toThrow(/native XDP is not possible for vx-r1_eth1 -> a: vx-r1_eth1 is a vxlan without native XDP/);
  });
  it('asks for node settings only where an XDP engine needs them', () => {
    expect(nodeSettings('tc', veth('a'), veth('b'))).toEqual([]);
    expect(nodeSettings('xdp', veth('a'), veth('b'))).toEqual([
      { peer: veth('a').peer, want: { 'tx-checksum-ip-generic': false, 'tx-vlan-hw-insert': false, 'tx-vlan-stag-hw-insert': false } },
      { peer: veth('b').peer, want: { 'rx-gro': true } },
    ]);
    // A NIC's XDP redirecting into a node's veth: GRO on the receiving node only.
    expect(nodeSettings('xdp', nic('ens1'), veth('b'))).toEqual([{ peer: veth('b').peer, want: { 'rx-gro': true } }]);
    expect(nodeSettings('xdp-generic', veth('a'), veth('b'))).toEqual([{ peer: veth('a').peer, want: { 'tx-checksum-ip-generic': false } }]);
  });
});
