/** `link` and `impair` from the CLI on a Docker lab: a cut both nodes see,
 * a flap, impairments set, kept across re-applies, shown and reset, labels
 * per direction, and bad input refused with nothing changed. */
import { access, readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeployedLab } from '../../src/lab/index.js';
import { labRuntimeFile } from '../../src/runtime/paths.js';
import type { Topology } from '../../src/topology/model.js';
import { stitchIfname } from '../../src/links/index.js';
import { cli, cliJson } from '../helpers/cli.js';
import { setupOrFail, uniqueId } from '../helpers/docker.js';
import { deployFromYaml, labYaml, nodeIf, receiveWhile, send, taggedFrame, tearDownLab, vethStitch } from '../helpers/docker-lab.js';
import { sh } from '../helpers/sys.js';

interface PortJson {
  endpoint: string;
  oper: string;
  impair: Record<string, number> | null;
  counters: Record<string, number>;
}
interface WireJson {
  id: string;
  runtime: { cut: { since: string } | null; impair: Record<string, unknown> };
  a: PortJson;
  b: PortJson;
}

function numbered(tag: string, n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => taggedFrame(64, `${tag}:${String(i).padStart(6, '0')}`));
}

describe('link and impair on a Docker lab', () => {
  const name = uniqueId('k');
  let dir: string, file: string;
  let topo: Topology;
  let lab: DeployedLab;
  const port = (node: string, iface: string) => stitchIfname(name, node, iface);

  const ipLink = async (node: string, iface: string) => (await sh('nsenter', [`--net=${lab.nodes[node]!.netns}`, 'ip', 'link', 'show', iface])).stdout;
  const status = async () => (await cliJson<{ wires: WireJson[] }>(['status', '-t', file])).wires;

  /** Sends numbered frames from r1:eth1 (or back) and counts what arrives. */
  async function through(n: number, tag: string, back = false): Promise<number> {
    const [from, to] = back ? ['r2:eth1', 'r1:eth1'] : ['r1:eth1', 'r2:eth1'];
    const frames = numbered(tag, n);
    const got = await receiveWhile(nodeIf(lab, to), frames, async () => {
      for (let i = 0; i < frames.length; i += 500) await send(lab, from, frames.slice(i, i + 500));
    });
    return got.filter((f) => f.subarray(14, 14 + tag.length).toString() === tag).length;
  }

  setupOrFail(async () => {
    ({ dir, file, topo, lab } = await deployFromYaml(name, labYaml(name, ['r1', 'r2', 'r3'], [
      vethStitch('r1:eth1', 'r2:eth1'),
      vethStitch('r2:eth2', 'r3:eth1', 'xconnect.clab/loss@r3:eth1: "100", xconnect.clab/mode: xdp'),
      '- endpoints: ["r1:eth2", "r3:eth2"]',
    ])));
    await cliJson(['apply', '-t', file]);
    // Only the wire may carry r1:eth1 <-> r2:eth1: containerlab's stitch goes.
    for (const p of [port('r1', 'eth1'), port('r2', 'eth1')]) await sh('tc', ['filter', 'del', 'dev', p, 'ingress']);
  });

  afterAll(() => tearDownLab({ dir, file, topo }));

  it('a label impairs only the direction it names', async () => {
    const w = (await status()).find((x) => x.id === 'r2:eth2--r3:eth1')!;
    expect([w.a.impair!['loss'], w.b.impair!['loss']]).toEqual([0, 1]);
  });

  it('link down: both nodes see the carrier go and nothing crosses; a re-apply keeps the cut; link up brings it back', async () => {
    const r = await cliJson<{ state: string; changed: boolean; ends: { end: string; seesCarrier: boolean }[] }>(['link', 'down', '-t', file, 'r1:eth1']);
    expect(r).toMatchObject({ state: 'cut', changed: true });
    expect(r.ends.map((e) => [e.end, e.seesCarrier])).toEqual([['r1:eth1', true], ['r2:eth1', true]]);
    for (const [n, i] of [['r1', 'eth1'], ['r2', 'eth1']] as const) expect(await ipLink(n, i)).toMatch(/NO-CARRIER.*state (LOWERLAYERDOWN|DOWN)/s);
    expect(await through(50, 'cut')).toBe(0);
    let w = (await status()).find((x) => x.id === 'r1:eth1--r2:eth1')!;
    expect(w.runtime.cut).not.toBeNull();
    expect([w.a.oper, w.b.oper]).toEqual(['down', 'down']);
    // A re-apply does not undo what was set at run time.
    expect((await cliJson<{ wires: { id: string; cut: boolean }[] }>(['apply', '-t', file])).wires.find((x) => x.id === 'r1:eth1--r2:eth1')!.cut).toBe(true);
    expect(await ipLink('r2', 'eth1')).toMatch(/NO-CARRIER/);
    expect((await cliJson<{ changed: boolean }>(['link', 'down', '-t', file, 'r1:eth1--r2:eth1'])).changed).toBe(false);

    expect(await cliJson(['link', 'up', '-t', file, 'r2:eth1'])).toMatchObject({ state: 'up', changed: true });
    for (const [n, i] of [['r1', 'eth1'], ['r2', 'eth1']] as const) expect(await ipLink(n, i)).not.toMatch(/NO-CARRIER/);
    expect(await through(50, 'back')).toBe(50);
    w = (await status()).find((x) => x.id === 'r1:eth1--r2:eth1')!;
    expect(w.runtime.cut).toBeNull();
  });

  it('link flap: the requested transitions, each with a timestamp, and the link is left up', async () => {
    const r = await cli(['link', 'flap', '-t', file, 'r1:eth1', '--down', '300ms', '--up', '200ms', '--count', '2']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(' ').slice(1).join(' '))).toEqual(Array(2).fill(['r1:eth1--r2:eth1 down', 'r1:eth1--r2:eth1 up']).flat());
    const times = lines.map((l) => Date.parse(l.split(' ')[0]!));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(300);
    expect(await ipLink('r1', 'eth1')).not.toMatch(/NO-CARRIER/);
    expect((await status()).find((x) => x.id === 'r1:eth1--r2:eth1')!.runtime.cut).toBeNull();
  });

  it('impair set: loss on one direction only, kept across a re-apply, shown, then reset', async () => {
    const set = await cliJson<{ directions: { from: string; impair: { loss: number } }[] }>(['impair', 'set', '-t', file, 'r1:eth1', '--loss', '20']);
    expect(set.directions).toEqual([expect.objectContaining({ from: 'r1:eth1', impair: expect.objectContaining({ loss: 0.2 }) })]);
    const got = await through(3000, 'lossy');
    const sigma = Math.sqrt(3000 * 0.2 * 0.8);
    expect(Math.abs(3000 - got - 600)).toBeLessThanOrEqual(3 * sigma);
    expect(await through(500, 'clean', true)).toBe(500);
    expect((await cliJson<{ changes: number }>(['apply', '-t', file])).changes).toBe(0);
    const show = await cli(['impair', 'show', '-t', file]);
    expect(show.stdout).toMatch(/r1:eth1\s+r1:eth1--r2:eth1\s+-\s+loss 20%\s+loss 20%/);
    const w = (await status()).find((x) => x.id === 'r1:eth1--r2:eth1')!;
    expect(w.runtime.impair).toEqual({ a: { loss: 0.2 } });
    expect(w.a.counters.dropLoss).toBe(3000 - got);
    await cliJson(['impair', 'reset', '-t', file, 'r1:eth1']);
    expect(await through(1000, 'reset')).toBe(1000);
    expect((await status()).find((x) => x.id === 'r1:eth1--r2:eth1')!.runtime.impair).toEqual({});
  });

  it('impair set: rate and corruption on the other direction; reset --all forgets every run-time impairment', async () => {
    await cliJson(['impair', 'set', '-t', file, 'r2:eth1', '--rate', '2000', '--corruption', '1']);
    const w = (await status()).find((x) => x.id === 'r1:eth1--r2:eth1')!;
    expect(w.b.impair).toMatchObject({ rateKbit: 2000, corruption: 0.01 });
    await cliJson(['impair', 'reset', '-t', file, '--all']);
    await expect(access(labRuntimeFile(name))).rejects.toThrow(/ENOENT/);
  });

  describe('bad input: one clear line, exit 1 (2 for usage), and nothing changes', () => {
    const snapshot = async () => ({
      status: JSON.stringify((await status()).map((w) => [w.id, w.a.impair, w.b.impair, w.runtime])),
      state: await readFile(labRuntimeFile(name), 'utf8').catch(() => 'none'),
    });
    it.each([
      [['impair', 'set', 'r1:eth1', '--loss', '150'], 2, /--loss must be a percentage from 0 to 100, got "150"/],
      [['impair', 'set', 'r1:eth1', '--loss=-1'], 2, /--loss must be a percentage from 0 to 100, got "-1"/],
      [['impair', 'set', 'r1:eth1', '--jitter', '5ms'], 2, /impair set r1:eth1: jitter needs a delay/],
      [['impair', 'set', 'r1:eth1', '--rate', 'fast'], 2, /--rate must be a whole number of kbit\/s/],
      [['impair', 'set', 'r1:eth1'], 2, /impair set needs at least one impairment/],
      [['impair', 'set', 'r9:eth9', '--loss', '5'], 1, /r9:eth9 is neither a wire nor an end of one in lab k[0-9a-f]+ .*- ends: r1:eth1, r2:eth1/],
      [['impair', 'set', 'r1:eth2', '--loss', '5'], 1, /r1:eth2 is on a link clab-xconnect does not carry \(direct\)/],
      [['impair', 'set', 'r1:eth1--r2:eth1', '--loss', '5'], 2, /names a whole wire; name the end whose frames to impair/],
      [['impair', 'set', 'r1:eth1', '--delay', '10ms'], 1, /a delay on the frames from r1:eth1 needs the fq qdisc \(sch_fq\) on clab-s-[0-9a-f]+, and this kernel has none/],
      [['impair', 'set', 'r2:eth2', '--duplicate', '10'], 1, /the xdp engine cannot carry clab-s-[0-9a-f]+ -> clab-s-[0-9a-f]+: duplicate needs the tc engine/],
      [['link', 'sideways', 'r1:eth1'], 2, /link takes down, up or flap and one ENDPOINT/],
      [['link', 'down', 'r1:eth2'], 1, /r1:eth2 is on a link clab-xconnect does not carry/],
      [['link', 'flap', 'r1:eth1', '--down', '1'], 2, /--down needs a duration such as 500ms or 2s, got "1"/],
    ])('%j', async (args, code, message) => {
      const before = await snapshot();
      const r = await cli([args[0]!, args[1]!, '-t', file, ...args.slice(2)]);
      expect(r.exitCode).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(await snapshot()).toEqual(before);
    });
  });
});
