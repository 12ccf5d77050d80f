/** Two labs applied and destroyed at the same time, in a loop: each command
 * succeeds, each lab's wires stay up (and carry frames) whatever the other
 * lab's commands do, a destroyed lab leaves exactly what it found, and the
 * shared bpffs root goes once both are destroyed. Every pairing is run: both
 * applied at once, one destroyed while the other is applied (the other's apply
 * creating its pin directory while the root may be removed), both destroyed at
 * once. The labs' pins live under a private bpffs root, so that its removal
 * can be asserted. */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, type CliResult } from '../helpers/cli.js';
import { FrameStream } from '../helpers/frame-stream.js';
import { snapshot, type KernelSnapshot, type LabScope } from '../helpers/kernel-state.js';
import { buildNetnsLab, type NetnsLab } from '../helpers/netns-lab.js';

const ROOT = `/sys/fs/bpf/clab-xconnect-rel-${randomBytes(3).toString('hex')}`;
const env = { CLAB_XCONNECT_BPFFS: ROOT };
const ROUNDS = 5;

describe('two labs at once', () => {
  const labs: NetnsLab[] = [];
  const scopes: LabScope[] = [];
  const pristine: KernelSnapshot[] = [];
  const labels = (i: number): Record<string, string> => (i === 1 ? { 'xconnect.clab/mode': 'xdp' } : {});

  beforeAll(async () => {
    for (const prefix of ['ta', 'tb']) {
      const lab = await buildNetnsLab({ wires: 8, nodes: 2, prefix });
      await lab.removeStitch(0); // wire 0 is measured: only the wire may carry it
      lab.write(labels);
      labs.push(lab);
      scopes.push({ pinDir: path.join(ROOT, lab.name), ports: lab.ports(), nodeIfaces: lab.nodeIfaces() });
      pristine.push(await snapshot(scopes.at(-1)!));
    }
  }, 120_000);

  afterAll(async () => {
    for (const lab of labs) {
      await cli(['destroy', '-t', lab.file], env);
      await lab.destroy();
    }
    rmSync(ROOT, { recursive: true, force: true });
  });

  const run = (k: number, op: 'apply' | 'destroy') => cli([op, '-t', labs[k]!.file, '--format', 'json'], env);

  async function up(k: number, when: string): Promise<void> {
    const r = await cli(['status', '-t', labs[k]!.file, '--format', 'json'], env);
    const wires = (JSON.parse(r.stdout) as { wires: { id: string; state: string }[] }).wires;
    expect(wires.filter((w) => w.state !== 'active').map((w) => w.id), `lab ${k} after ${when}`).toEqual([]);
    // Frames cross its measured wire (its stitch is gone: nothing else would carry them).
    const w = labs[k]!.wires[0]!;
    const s = new FrameStream(10 + k, { netns: labs[k]!.netns(w.a.node), ifname: w.a.iface }, { netns: labs[k]!.netns(w.b.node), ifname: w.b.iface }, 8, 5);
    await s.start();
    await new Promise((r) => setTimeout(r, 200));
    const res = await s.stop();
    expect({ lost: res.lost, duplicated: res.duplicated, any: res.sent > 0 }, `frames on lab ${k} after ${when}`).toEqual({ lost: 0, duplicated: 0, any: true });
  }

  async function gone(k: number, when: string): Promise<void> {
    expect(await snapshot(scopes[k]!), `lab ${k} after ${when}`).toEqual(pristine[k]);
  }

  function ok(rs: CliResult[], when: string): void {
    expect(rs.map((r) => r.stderr), when).toEqual(rs.map(() => ''));
  }

  it(`${ROUNDS} rounds of every pairing`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const step = (s: string) => `round ${round}: ${s}`;
      ok(await Promise.all([run(0, 'apply'), run(1, 'apply')]), step('apply both'));
      await up(0, step('apply both'));
      await up(1, step('apply both'));
      ok(await Promise.all([run(0, 'destroy'), run(1, 'apply')]), step('destroy 0, apply 1'));
      await gone(0, step('destroy 0, apply 1'));
      await up(1, step('destroy 0, apply 1'));
      ok(await Promise.all([run(0, 'apply'), run(1, 'destroy')]), step('apply 0, destroy 1'));
      await up(0, step('apply 0, destroy 1'));
      await gone(1, step('apply 0, destroy 1'));
      ok(await Promise.all([run(0, 'destroy'), run(1, 'destroy')]), step('destroy both'));
      await gone(0, step('destroy both'));
      await gone(1, step('destroy both'));
      expect(existsSync(ROOT), step('the shared root after both destroys')).toBe(false);
    }
  }, 600_000);
});
