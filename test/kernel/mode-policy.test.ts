/** Why the mode policy sets what it sets: each test removes one piece of the
 * native-mode recipe and shows the failure the kernel then produces silently.
 * If a kernel stops needing a piece, its test fails and the policy can shrink. */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Dataplane } from '../../src/dataplane/dataplane.js';
import { chooseMode, peerFeatures } from '../../src/dataplane/mode-policy.js';
import { tunePeer } from '../../src/dataplane/peer-tuning.js';
import { native, packageRoot } from '../../src/native/addon.js';
import { receive } from '../helpers/capture.js';
import { contains, frameMatrix, metadataVlanFrame } from '../helpers/frames.js';
import { nsExec } from '../helpers/sys.js';
import { createWireLab, type WireLab } from '../helpers/wire-lab.js';

let lab: WireLab | undefined;
let dp: Dataplane | undefined;
afterEach(async () => {
  dp?.close();
  await lab?.destroy();
  lab = dp = undefined;
});

async function nativeWire(features: Record<string, boolean>): Promise<WireLab> {
  lab = await createWireLab({ mtu: 1500 });
  for (const n of [lab.n1, lab.n2]) await tunePeer(n, 'e0', features);
  dp = await Dataplane.open(lab.pinDir);
  await dp.installWire({ netns: lab.w, a: 'pa', b: 'pb' }, { mode: 'native', adminUp: true, loss: 0 });
  return lab;
}

async function across(l: WireLab, frames: Buffer[]): Promise<Buffer[]> {
  const fd = await native.openCapture(l.n2, 'e0');
  try {
    await native.sendFrames(l.n1, 'e0', frames);
    return await receive(fd, frames, 700);
  } finally {
    native.closeCapture(fd);
  }
}

describe('native mode needs the node-side settings the policy applies', () => {
  it('without GRO (or XDP) on the receiving peer, every redirected frame is lost', async () => {
    const l = await nativeWire({ ...peerFeatures('native'), 'rx-gro': false });
    const frames = frameMatrix('nogro', 1514).map((f) => f.bytes);
    expect(await across(l, frames)).toHaveLength(0);
  });

  it('with tx-vlan offload on at the sender, a metadata VLAN tag is stripped', async () => {
    const l = await nativeWire({ ...peerFeatures('native'), 'tx-vlan-hw-insert': true });
    const obj = path.join(packageRoot, 'build', 'gen', 'vlan_push.bpf.o');
    await nsExec(l.node1, ['tc', 'qdisc', 'add', 'dev', 'e0', 'clsact']);
    await nsExec(l.node1, ['tc', 'filter', 'add', 'dev', 'e0', 'egress', 'bpf', 'da', 'obj', obj, 'sec', 'tc']);
    const { sent, expected } = metadataVlanFrame('txvlan');
    const got = await across(l, [sent]);
    expect(contains(got, expected)).toBe(false);
    expect(contains(got, sent)).toBe(true); // arrived, untagged
  });

  it('with the policy applied, the same frames pass', async () => {
    const l = await nativeWire(peerFeatures('native'));
    const frames = frameMatrix('policy', 1514).map((f) => f.bytes);
    const got = await across(l, frames);
    expect(frames.every((f) => contains(got, f))).toBe(true);
  });

  it('reports what it changed on a node interface, and nothing the second time', async () => {
    lab = await createWireLab({ mtu: 1500 });
    const first = await tunePeer(lab.n1, 'e0', peerFeatures('native'));
    expect(first.map((c) => `${c.feature}:${c.to}`).sort()).toEqual(
      ['rx-gro:true', 'tx-vlan-hw-insert:false', 'tx-vlan-stag-hw-insert:false'].sort(),
    );
    expect(await tunePeer(lab.n1, 'e0', peerFeatures('native'))).toEqual([]);
  });
});

describe('chooseMode', () => {
  const veth = (ifname: string) => ({ ifname, kind: 'veth', peer: { netns: '/proc/1/ns/net', ifname: 'eth1' } });
  it('picks native for two veths with reachable peers', () => {
    expect(chooseMode('auto', veth('a'), veth('b')).mode).toBe('native');
  });
  it('falls back to generic for a vxlan port, saying why', () => {
    const d = chooseMode('auto', veth('a'), { ifname: 'vx-r1_eth1', kind: 'vxlan', peer: null });
    expect(d).toEqual({ mode: 'generic', reason: 'vx-r1_eth1 is a vxlan device without native XDP' });
  });
  it('refuses a native override that cannot work', () => {
    expect(() => chooseMode('native', veth('a'), { ifname: 'vx', kind: 'vxlan', peer: null })).toThrow(
      /native XDP is not possible for a<->vx: vx is a vxlan device/,
    );
  });
  it('honours a generic override', () => {
    expect(chooseMode('generic', veth('a'), veth('b'))).toEqual({ mode: 'generic', reason: 'requested' });
  });
});
