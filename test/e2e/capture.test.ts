/** `capture` on a Docker lab, from the wires' own programs on both engines:
 * every frame once, byte for byte, in order per direction; pcapng that tcpdump
 * reads; several wires in one stream; filters; drops counted under load; and
 * capture flags that never outlive their capture. */
import { execa, type ResultPromise } from 'execa';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { capture } from '../../src/capture/session.js';
import type { DeployedLab } from '../../src/lab/index.js';
import { cliPath, packageRoot } from '../../src/util/package.js';
import type { Topology } from '../../src/topology/model.js';
import { stitchIfname } from '../../src/links/index.js';
import { cli, cliJson } from '../helpers/cli.js';
import { setupOrFail, uniqueId } from '../helpers/docker.js';
import { deployFromYaml, labYaml, send, taggedFrame, tearDownLab, vethStitch } from '../helpers/docker-lab.js';
import { frameMatrix, metadataVlanFrame } from '../helpers/frames.js';
import { parsePcapng } from '../helpers/pcapng.js';
import { sh } from '../helpers/sys.js';

interface PortJson {
  endpoint: string;
  capture: { snaplen: number } | null;
}
interface WireJson {
  id: string;
  a: PortJson;
  b: PortJson;
}

describe('capture on a Docker lab', () => {
  const name = uniqueId('c');
  let dir: string, file: string;
  let topo: Topology;
  let lab: DeployedLab;
  const port = (node: string, iface: string) => stitchIfname(name, node, iface);
  const capturing = async () =>
    (await cliJson<{ wires: WireJson[] }>(['status', '-t', file])).wires.flatMap((w) => [w.a, w.b]).filter((p) => p.capture).map((p) => p.endpoint);

  /** Starts the CLI capture in the background; resolves once its flags are on,
   * to the running process (wrapped: an async function would await it). */
  async function start(args: string[], expectOn: number): Promise<{ proc: ResultPromise }> {
    const p = execa('node', [cliPath, 'capture', '-t', file, ...args], { reject: false });
    const deadline = Date.now() + 15_000;
    while ((await capturing()).length < expectOn) {
      if (Date.now() > deadline) throw new Error(`capture did not start: ${(await p.catch((e) => e)).stderr ?? ''}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { proc: p };
  }

  setupOrFail(async () => {
    ({ dir, file, topo, lab } = await deployFromYaml(name, labYaml(name, ['r1', 'r2', 'r3'], [
      vethStitch('r1:eth1', 'r2:eth1'),
      vethStitch('r2:eth2', 'r3:eth1', 'xconnect.clab/mode: xdp'),
    ])));
    await cliJson(['apply', '-t', file]);
    for (const p of [port('r1', 'eth1'), port('r2', 'eth1'), port('r2', 'eth2'), port('r3', 'eth1')]) await sh('tc', ['filter', 'del', 'dev', p, 'ingress']);
  });

  afterAll(() => tearDownLab({ dir, file, topo }));

  it('captures every frame of both directions once, byte-identical, in order, as pcapng that tcpdump reads', async () => {
    const out = path.join(dir, 'both.pcapng');
    const fwd = frameMatrix('cap-fwd', 9514).map((f) => f.bytes);
    const back = frameMatrix('cap-back', 9514).map((f) => f.bytes);
    const vlan = metadataVlanFrame('cap-meta');
    const { proc: p } = await start(['r1:eth1', '-w', out, '-c', String(fwd.length + back.length + 1)], 2);
    const obj = path.join(packageRoot, 'build', 'gen', 'vlan_push.bpf.o');
    const r1 = lab.nodes.r1!.netns;
    const t0 = BigInt(Date.now()) * 1_000_000n;
    await send(lab, 'r1:eth1', fwd);
    await send(lab, 'r2:eth1', back);
    await sh('nsenter', [`--net=${r1}`, 'tc', 'qdisc', 'add', 'dev', 'eth1', 'clsact']);
    try {
      await sh('nsenter', [`--net=${r1}`, 'tc', 'filter', 'add', 'dev', 'eth1', 'egress', 'bpf', 'da', 'obj', obj, 'sec', 'tc']);
      await send(lab, 'r1:eth1', [vlan.sent]);
    } finally {
      await sh('nsenter', [`--net=${r1}`, 'tc', 'qdisc', 'del', 'dev', 'eth1', 'clsact']);
    }
    const r = await p;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toMatch(/frames captured, 0 dropped because the capture buffer was full \(stopped by count\)/);
    const pc = parsePcapng(await readFile(out));
    expect(pc.application).toBe('clab-xconnect');
    expect(pc.interfaces.map((i) => [i.name, i.tsresol, i.linktype])).toEqual([['r1:eth1', 9, 1], ['r2:eth1', 9, 1]]);
    expect(pc.interfaces[0]!.description).toBe('wire r1:eth1--r2:eth1: the frames r1:eth1 sends toward r2:eth1');
    const on = (iface: number) => pc.packets.filter((x) => x.iface === iface).map((x) => x.data);
    // In order, each exactly once, byte for byte; the tag held in metadata put back.
    expect(on(0)).toEqual([...fwd, vlan.expected]);
    expect(on(1)).toEqual(back);
    const t1 = BigInt(Date.now()) * 1_000_000n;
    expect(pc.packets.every((x) => x.tsNs >= t0 - 1_000_000_000n && x.tsNs <= t1)).toBe(true);
    expect(pc.stats.map((s) => [s.iface, s.dropped])).toEqual([[0, 0n], [1, 0n]]);
    const td = await sh('tcpdump', ['-n', '-r', out]);
    // One line per frame (frames of an unknown ethertype add a hex dump).
    expect(td.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d+ /.test(l))).toHaveLength(fwd.length + back.length + 1);
    expect(await capturing()).toEqual([]);
  });

  it('captures two wires (both engines) in one stream, truncated to the snaplen', async () => {
    const out = path.join(dir, 'two.pcapng');
    const big = frameMatrix('cap-two', 8014).at(-1)!.bytes;
    const { proc: p } = await start(['r1:eth1--r2:eth1', 'r3:eth1', '-w', out, '-c', '2', '--snaplen', '128'], 4);
    await send(lab, 'r1:eth1', [big]);
    await send(lab, 'r3:eth1', [big]);
    const r = await p;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const pc = parsePcapng(await readFile(out));
    expect(pc.interfaces.map((i) => i.name)).toEqual(['r1:eth1', 'r2:eth1', 'r2:eth2', 'r3:eth1']);
    // The two wires' frames in either order: they cross different CPUs' paths.
    expect(pc.packets.map((x) => [pc.interfaces[x.iface]!.name, x.data.length, x.origLen]).sort()).toEqual([
      ['r1:eth1', 128, 8000],
      ['r3:eth1', 128, 8000],
    ]);
    expect(pc.packets[0]!.data).toEqual(big.subarray(0, 128));
  });

  it('keeps only what a pcap-filter expression matches', async () => {
    const out = path.join(dir, 'lldp.pcapng');
    const frames = frameMatrix('cap-filter', 1514);
    const { proc: p } = await start(['r1:eth1', '-w', out, '--filter', 'ether proto 0x88cc', '--duration', '2s'], 2);
    await send(lab, 'r1:eth1', frames.map((f) => f.bytes));
    const r = await p;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const pc = parsePcapng(await readFile(out));
    expect(pc.packets.map((x) => x.data)).toEqual([frames.find((f) => f.name === 'LLDP')!.bytes]);
    expect(String(r.stdout)).toMatch(new RegExp(`${frames.length - 1} left out by the filter \\(stopped by duration\\)`));
  });

  it('refuses a bad filter and a second capture of the same lab, clearly', async () => {
    const bad = await cli(['capture', '-t', file, '-w', path.join(dir, 'x.pcapng'), '--filter', 'ether proto nonsense']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/bad --filter "ether proto nonsense": .+ - see man 7 pcap-filter/);
    const { proc: first } = await start(['-w', path.join(dir, 'first.pcapng'), '--duration', '4s'], 4);
    const second = await cli(['capture', '-t', file, '-w', path.join(dir, 'second.pcapng'), '-c', '1']);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/lab c[0-9a-f]+ is being captured already \(pid \d+\) - stop that capture first/);
    expect((await first).exitCode).toBe(0);
  });

  it('counts and reports what it drops when the buffer is full, and accounts for every frame', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    });
    const frames = Array.from({ length: 20_000 }, (_, i) => taggedFrame(1500, `flood:${i}`));
    const stop = new AbortController();
    const running = capture({ file, select: ['r1:eth1'], out: sink, pagesPerCpu: 1, signal: stop.signal });
    while ((await capturing()).length < 2) await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < frames.length; i += 1000) await send(lab, 'r1:eth1', frames.slice(i, i + 1000));
    await new Promise((r) => setTimeout(r, 500));
    stop.abort();
    const r = await running;
    expect(r.dropped).toBeGreaterThan(0);
    const pc = parsePcapng(Buffer.concat(chunks));
    const mine = pc.packets.filter((x) => x.iface === 0 && x.data.subarray(14, 20).toString() === 'flood:');
    expect(mine.length + Number(pc.stats[0]!.dropped)).toBe(frames.length);
    expect(Number(pc.stats[0]!.dropped)).toBe(r.interfaces[0]!.dropped);
  });

  it('turns the flags off after Ctrl-C, and the next command turns off those of a killed capture', async () => {
    const { proc: p } = await start(['-w', path.join(dir, 'int.pcapng')], 4);
    p.kill('SIGINT');
    const r = await p;
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).toMatch(/stopped by signal/);
    expect(await capturing()).toEqual([]);

    const { proc: killed } = await start(['-w', path.join(dir, 'kill.pcapng')], 4);
    killed.kill('SIGKILL');
    await killed;
    expect((await capturing()).sort()).toEqual(['r1:eth1', 'r2:eth1', 'r2:eth2', 'r3:eth1']);
    const next = await cliJson<{ staleCaptures: string[] }>(['apply', '-t', file]);
    expect(next.staleCaptures).toEqual([port('r1', 'eth1'), port('r2', 'eth1'), port('r2', 'eth2'), port('r3', 'eth1')].sort());
    expect(await capturing()).toEqual([]);
  });
});
