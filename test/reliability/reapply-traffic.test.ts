/** 100 re-applies (no-op, and one label changed on another wire) while numbered
 * frames flow on wires the re-applies do not touch: not one frame may be lost
 * or duplicated on them. containerlab's tc stitch is removed under the
 * measured wires, so only the wire carries their frames; one runs on the tc
 * engine, one on XDP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { FrameStream } from '../helpers/frame-stream.js';
import { buildNetnsLab, destroyWiredLab, type NetnsLab } from '../helpers/netns-lab.js';

const REAPPLIES = 100;
/** Wires 0 (tc) and 1 (XDP) carry the traffic; wires 2-4 get their labels changed. */
const MEASURED = [0, 1];
const CHANGED = [2, 3, 4];

describe(`${REAPPLIES} re-applies under traffic`, () => {
  let lab: NetnsLab;
  let down = -1;
  const labels = (i: number): Record<string, string> => ({
    ...(i === 1 ? { 'xconnect.clab/mode': 'xdp' } : {}),
    ...(i === down ? { 'xconnect.clab/admin': 'down' } : {}),
  });

  beforeAll(async () => {
    lab = await buildNetnsLab({ wires: 5, nodes: 3, prefix: 'ra' });
    for (const i of MEASURED) await lab.removeStitch(i);
    lab.write(labels);
    const r = await cli(['apply', '-t', lab.file]);
    if (r.exitCode !== 0) throw new Error(`apply failed: ${r.stderr}`);
  }, 120_000);

  afterAll(async () => {
    await destroyWiredLab(lab);
  });

  it('loses and duplicates no frame on the untouched wires', async () => {
    const streams = MEASURED.map((i) => {
      const w = lab.wires[i]!;
      return new FrameStream(i + 1, { netns: lab.netns(w.a.node), ifname: w.a.iface }, { netns: lab.netns(w.b.node), ifname: w.b.iface });
    });
    for (const s of streams) await s.start();
    const changes: number[] = [];
    const t0 = performance.now();
    try {
      for (let k = 0; k < REAPPLIES; k++) {
        // Odd runs change one label (a wire goes down, or back up); even runs change nothing.
        if (k % 2 === 1) {
          down = down === -1 ? CHANGED[((k - 1) / 2 / 2) % CHANGED.length]! : -1;
          lab.write(labels);
        }
        const r = await cli(['apply', '-t', lab.file, '--format', 'json']);
        expect(r.stderr, `re-apply ${k}`).toBe('');
        changes.push((JSON.parse(r.stdout) as { changes: number }).changes);
      }
    } finally {
      const ms = performance.now() - t0;
      const results = [];
      for (const s of streams) results.push(await s.stop());
      console.log(`re-applies: ${REAPPLIES} in ${(ms / 1000).toFixed(1)} s; streams: ${JSON.stringify(results)}`);
      for (const [k, r] of results.entries()) {
        expect(r.sent, `stream ${k}: frames sent`).toBeGreaterThan(1000);
        expect({ lost: r.lost, duplicated: r.duplicated }, `stream on wire ${MEASURED[k]}`).toEqual({ lost: 0, duplicated: 0 });
      }
    }
    expect(changes.filter((c, k) => c !== (k % 2 === 1 ? 1 : 0))).toEqual([]);
  }, 600_000);
});
