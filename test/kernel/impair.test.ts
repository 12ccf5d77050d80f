/** Impairments in the wire's own programs, on real namespaces: each one's
 * statistics over thousands of frames, per direction, for the engines that
 * carry it. No tc stitch under the wire: what arrives went through it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataplane, type Engine } from '../../src/dataplane/dataplane.js';
import { NO_IMPAIRMENT } from '../../src/dataplane/layout.js';
import { wireNodeSettings } from '../../src/dataplane/engine-policy.js';
import type { Impairment } from '../../src/dataplane/layout.js';
import { Netns } from '../../src/native/netns.js';
import { PacketTap, sendFrames } from '../../src/native/packet.js';
import { peerMacs, port, tuneNode, wirePorts } from '../helpers/ports.js';
import { nsExec } from '../helpers/sys.js';
import { createWireLab, type WireLab } from '../helpers/wire-lab.js';

/** Numbered frames, `n` of them, 64 bytes, tagged. The number is written
 * twice, so that no single flipped bit turns one frame into another. */
function numbered(tag: string, n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => {
    const f = Buffer.alloc(64);
    Buffer.from('02005e000002' + '02005e000001' + '88b5', 'hex').copy(f);
    const seq = String(i).padStart(6, '0');
    f.write(`${tag}:${seq}:${seq}`, 14);
    return f;
  });
}

/** Sends frames in batches and reads everything that arrives until quiet. */
async function blast(lab: WireLab, frames: Buffer[], from: 'n1' | 'n2' = 'n1'): Promise<Buffer[]> {
  const [tx, rx] = from === 'n1' ? [lab.n1, lab.n2] : [lab.n2, lab.n1];
  const tap = await PacketTap.open(rx, 'e0');
  const got: Buffer[] = [];
  try {
    for (let i = 0; i < frames.length; i += 500) {
      await sendFrames(tx, 'e0', frames.slice(i, i + 500));
      got.push(...(await tap.read({ max: 100_000, timeoutMs: 20 })));
    }
    for (;;) {
      const more = await tap.read({ max: 100_000, timeoutMs: 300 });
      if (more.length === 0) break;
      got.push(...more);
    }
  } finally {
    tap.close();
  }
  const tag = frames[0]!.subarray(14, 20).toString();
  return got.filter((f) => f.subarray(14, 20).toString() === tag || f.length === frames[0]!.length);
}

function within3Sigma(observed: number, n: number, p: number): void {
  const sigma = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(observed - n * p), `observed ${observed} of ${n}, expected ${n * p} ± ${3 * sigma}`).toBeLessThanOrEqual(3 * sigma);
}

function hamming(x: Buffer, y: Buffer): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) for (let v = x[i]! ^ y[i]!; v; v &= v - 1) d++;
  return d;
}

describe.each<{ engine: Engine }>([{ engine: 'tc' }, { engine: 'xdp' }])('impairments on the $engine engine', ({ engine }) => {
  let lab: WireLab;
  let wns: Netns;
  let dp: Dataplane;
  const counters = async (p = 'pa') => (await port(dp, p)).counters;
  const impair = async (i: { a?: Partial<Impairment>; b?: Partial<Impairment> }) => {
    const [a, b] = await wirePorts(dp);
    await dp.updateWires([{ a, b, impair: i }]);
  };

  beforeAll(async () => {
    lab = await createWireLab({ mtu: 1500 });
    for (const n of [lab.n1, lab.n2]) await tuneNode(n, wireNodeSettings(engine));
    wns = await Netns.open(lab.w);
    dp = await Dataplane.open(lab.pinDir, { netns: wns });
    await dp.installWire(...(await wirePorts(dp)), { engine, adminUp: true, peerMac: await peerMacs(lab) });
  });
  afterAll(async () => {
    dp?.close();
    wns?.close();
    await lab?.destroy();
  });

  it('loss 20%: the share lost over 5,000 frames is within 3 sigma, counted, and the other direction stays clean', async () => {
    await impair({ a: { loss: 0.2 } });
    const frames = numbered('lossab', 5000);
    const before = await counters();
    const got = await blast(lab, frames);
    const after = await counters();
    const lost = frames.length - got.length;
    within3Sigma(lost, frames.length, 0.2);
    expect(Number(after.dropLoss - before.dropLoss)).toBe(lost);
    const back = numbered('lossba', 2000);
    expect((await blast(lab, back, 'n2')).length).toBe(back.length);
    await impair({ a: { ...NO_IMPAIRMENT } });
  });

  it('corruption: corrupted frames arrive, differ from what was sent by one bit, and are counted', async () => {
    await impair({ a: { corruption: 0.5 } });
    const frames = numbered('corrup', 400);
    const before = await counters();
    const got = await blast(lab, frames);
    const after = await counters();
    expect(got.length).toBe(frames.length);
    const distances = got.map((g) => Math.min(...frames.map((f) => hamming(f, g))));
    expect(distances.every((d) => d <= 1)).toBe(true);
    const corrupted = distances.filter((d) => d === 1).length;
    expect(Number(after.corrupted - before.corrupted)).toBe(corrupted);
    within3Sigma(corrupted, frames.length, 0.5);
    await impair({ a: { corruption: 0 } });
  });

  it('rate 1,000 kbit/s under UDP offered at 10x delivers the rate within 15%, and counts what it polices', async () => {
    await impair({ a: { rateKbit: 1000 } });
    const before = await counters();
    const server = nsExec(lab.node2, ['iperf3', '-s', '-1', '-B', lab.ip2, '-J'], { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 300));
    await nsExec(lab.node1, ['iperf3', '-c', lab.ip2, '-u', '-b', '10M', '-l', '1400', '-t', '4'], { timeout: 30_000 });
    const s = JSON.parse((await server).stdout);
    const after = await counters();
    // iperf3 3.12's server reports datagrams, not bytes, for UDP. L2 bits:
    // every 1,400-byte payload is a 1,442-byte frame.
    const sum = s.end.sum as { packets: number; lost_packets: number; seconds: number };
    const l2kbit = ((sum.packets - sum.lost_packets) * 1442 * 8) / sum.seconds / 1000;
    expect(l2kbit, `received ${l2kbit.toFixed(0)} kbit/s`).toBeGreaterThan(850);
    expect(l2kbit).toBeLessThan(1150);
    expect(Number(after.dropRate - before.dropRate)).toBeGreaterThan(1000);
    await impair({ a: { rateKbit: 0 } });
  });

  it('reset restores full delivery', async () => {
    await impair({ a: { ...NO_IMPAIRMENT }, b: { ...NO_IMPAIRMENT } });
    const frames = numbered('resetx', 2000);
    expect((await blast(lab, frames)).length).toBe(frames.length);
    expect((await port(dp, 'pa')).config?.impair).toEqual(NO_IMPAIRMENT);
  });

  if (engine === 'tc')
    it('duplicate 50% gives about 1.5x the frames, and counts the copies', async () => {
      await impair({ a: { duplicate: 0.5 } });
      const frames = numbered('duplic', 2000);
      const before = await counters();
      const got = await blast(lab, frames);
      const after = await counters();
      const extra = got.length - frames.length;
      within3Sigma(extra, frames.length, 0.5);
      expect(Number(after.duplicated - before.duplicated)).toBe(extra);
      await impair({ a: { duplicate: 0 } });
    });
});
