/** The wire on real namespaces: node1 -- [pa wire pb] -- node2, for both XDP
 * modes at containerlab's MTU and at 1500. A tc stitch sits under the wire the
 * whole time, as containerlab leaves it: XDP must win while installed, and tc
 * must carry the traffic again once the wire is removed. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Dataplane } from '../../src/dataplane/dataplane.js';
import { peerFeatures } from '../../src/dataplane/mode-policy.js';
import { tunePeer } from '../../src/dataplane/peer-tuning.js';
import { native, packageRoot, type XdpMode } from '../../src/native/addon.js';
import { receive } from '../helpers/capture.js';
import { contains, frameMatrix, metadataVlanFrame } from '../helpers/frames.js';
import { mainThreadNetns, nsExec, sh } from '../helpers/sys.js';
import { addTcStitch, createWireLab, type WireLab } from '../helpers/wire-lab.js';

const mainNetns = mainThreadNetns();
afterEach(() => {
  // No operation may move the Node main thread out of its netns.
  expect(mainThreadNetns()).toBe(mainNetns);
});

/** Sends frames from node1 and returns what node2 received within the wait. */
async function across(lab: WireLab, frames: Buffer[], waitMs = 1500): Promise<Buffer[]> {
  const fd = await native.openCapture(lab.n2, 'e0');
  try {
    await native.sendFrames(lab.n1, 'e0', frames);
    return await receive(fd, frames, waitMs);
  } finally {
    native.closeCapture(fd);
  }
}

function delta(after: bigint, before: bigint): number {
  return Number(after - before);
}

describe.each([
  ['native', 1500],
  ['native', 9500],
  ['generic', 1500],
  ['generic', 9500],
] as [XdpMode, number][])('wire in %s mode at MTU %i', (mode, mtu) => {
  let lab: WireLab;
  let dp: Dataplane;
  const ports = () => ({ netns: lab.w, a: 'pa', b: 'pb' });

  beforeAll(async () => {
    lab = await createWireLab({ mtu });
    await addTcStitch(lab.wire, 'pa', 'pb');
    dp = await Dataplane.open(lab.pinDir);
    for (const n of [lab.n1, lab.n2]) await tunePeer(n, 'e0', peerFeatures(mode));
    const r = await dp.installWire(ports(), { mode, adminUp: true, loss: 0 });
    expect(r.a.mode).toBe(mode);
    expect((await native.getLink(lab.w, 'pa'))?.xdp.mode).toBe(mode);
  });

  it('is found again by a later process (pinned maps and links are reused)', async () => {
    const again = await Dataplane.open(lab.pinDir);
    try {
      const pa = await again.port(lab.w, 'pa');
      expect(pa).toMatchObject({ attached: mode, ours: true, config: { adminUp: true, loss: 0 } });
      const r = await again.installWire(ports(), { mode, adminUp: true, loss: 0 });
      expect([r.a.created, r.b.created]).toEqual([false, false]);
    } finally {
      again.close();
    }
  });

  afterAll(async () => {
    dp?.close();
    await lab?.destroy();
  });

  it('carries ping', async () => {
    const r = await nsExec(lab.node1, ['ping', '-c', '3', '-i', '0.2', '-W', '1', lab.ip2]);
    expect(r.stdout).toMatch(/3 received/);
    if (mtu > 1500) {
      const big = await nsExec(lab.node1, ['ping', '-c', '2', '-i', '0.2', '-W', '1', '-M', 'do', '-s', '8000', lab.ip2]);
      expect(big.stdout).toMatch(/2 received/);
    }
  });

  it('carries a TCP stream', async () => {
    const server = nsExec(lab.node2, ['iperf3', '-s', '-1', '-B', lab.ip2], { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 300));
    const client = await nsExec(lab.node1, ['iperf3', '-c', lab.ip2, '-t', '2', '-J'], { timeout: 30_000 });
    await server;
    // A broken path (partial checksums, oversized GSO frames) moves next to nothing.
    const received = JSON.parse(client.stdout).end.sum_received.bytes as number;
    expect(received).toBeGreaterThan(32 * 1024 * 1024);
  });

  describe('transparency', () => {
    const frames = frameMatrix(`${mode}-${mtu}`, mtu + 14);
    it.each(frames)('$name arrives byte-identical', async ({ bytes }) => {
      const got = await across(lab, [bytes]);
      expect(contains(got, bytes), `received ${got.map((f) => f.subarray(0, 32).toString('hex')).join(', ')}`).toBe(true);
    });

    it('keeps a VLAN tag held in skb metadata (VLAN sub-interface traffic)', async () => {
      const obj = path.join(packageRoot, 'build', 'gen', 'vlan_push.bpf.o');
      await nsExec(lab.node1, ['tc', 'qdisc', 'add', 'dev', 'e0', 'clsact']);
      try {
        await nsExec(lab.node1, ['tc', 'filter', 'add', 'dev', 'e0', 'egress', 'bpf', 'da', 'obj', obj, 'sec', 'tc']);
        const { sent, expected } = metadataVlanFrame(`${mode}-${mtu}`);
        const got = await across(lab, [sent]);
        expect(contains(got, expected), `received ${got.map((f) => f.subarray(0, 20).toString('hex')).join(', ')}`).toBe(true);
      } finally {
        await nsExec(lab.node1, ['tc', 'qdisc', 'del', 'dev', 'e0', 'clsact'], { reject: false });
      }
    });
  });

  it('counts every frame it forwards', async () => {
    const frames = frameMatrix('count', 1514).slice(0, 8).map((f) => f.bytes);
    const before = (await dp.port(lab.w, 'pa')).counters;
    const got = await across(lab, frames);
    const after = (await dp.port(lab.w, 'pa')).counters;
    expect(got.length).toBe(frames.length);
    expect(delta(after.rxPackets, before.rxPackets)).toBe(frames.length);
    expect(delta(after.redirected, before.redirected)).toBe(frames.length);
    expect(delta(after.rxBytes, before.rxBytes)).toBe(frames.reduce((s, f) => s + f.length, 0));
    expect(delta(after.dropAdmin + after.dropLoss + after.passNoPartner, before.dropAdmin + before.dropLoss + before.passNoPartner)).toBe(0);
    // Re-installing keeps the port's counter slot, and so its counts.
    await dp.installWire(ports(), { mode, adminUp: true, loss: 0 });
    expect((await dp.port(lab.w, 'pa')).counters.rxPackets).toBe(after.rxPackets);
  });

  it('drops and counts while admin down, forwards again when up', async () => {
    const frames = frameMatrix('admin', 1514).slice(0, 5).map((f) => f.bytes);
    await dp.updateWire(ports(), { adminUp: false });
    const before = (await dp.port(lab.w, 'pa')).counters;
    const lost = await across(lab, frames, 500);
    const after = (await dp.port(lab.w, 'pa')).counters;
    expect(frames.filter((f) => contains(lost, f))).toHaveLength(0);
    expect(delta(after.dropAdmin, before.dropAdmin)).toBe(frames.length);
    await dp.updateWire(ports(), { adminUp: true });
    const back = await across(lab, frames);
    expect(frames.every((f) => contains(back, f))).toBe(true);
  });

  it('drops all frames at loss 100% and none at 0%', async () => {
    const frames = frameMatrix('loss', 1514).slice(0, 8).map((f) => f.bytes);
    await dp.updateWire(ports(), { loss: 1 });
    const before = (await dp.port(lab.w, 'pa')).counters;
    const lost = await across(lab, frames, 500);
    const after = (await dp.port(lab.w, 'pa')).counters;
    expect(frames.filter((f) => contains(lost, f))).toHaveLength(0);
    expect(delta(after.dropLoss, before.dropLoss)).toBe(frames.length);
    await dp.updateWire(ports(), { loss: 0 });
    const b2 = (await dp.port(lab.w, 'pa')).counters;
    const got = await across(lab, frames);
    const a2 = (await dp.port(lab.w, 'pa')).counters;
    expect(frames.every((f) => contains(got, f))).toBe(true);
    expect(delta(a2.dropLoss, b2.dropLoss)).toBe(0);
  });

  it('removes cleanly: no program, link or pin left, and the tc stitch forwards again', async () => {
    const linkIds = (await native.pinnedLinks([dp.linkPin('pa'), dp.linkPin('pb')])).map((l) => l?.id);
    expect(linkIds.every((id) => typeof id === 'number' && id > 0)).toBe(true);
    await dp.removeWire(ports());
    for (const p of ['pa', 'pb']) {
      const ip = await nsExec(lab.wire, ['ip', '-d', 'link', 'show', p]);
      expect(ip.stdout).not.toMatch(/xdp/);
    }
    expect(await readdir(path.join(lab.pinDir, 'links'))).toEqual([]);
    const links = JSON.parse((await sh('bpftool', ['-j', 'link', 'show'])).stdout) as { id: number }[];
    expect(links.map((l) => l.id).filter((id) => linkIds.includes(id))).toEqual([]);
    expect((await dp.configuredPorts()).size).toBe(0);
    const frames = frameMatrix('fallback', 1514).slice(0, 8).map((f) => f.bytes);
    const got = await across(lab, frames);
    expect(frames.every((f) => contains(got, f))).toBe(true);
    // Removing again is a no-op.
    await dp.removeWire(ports());
  });
});
