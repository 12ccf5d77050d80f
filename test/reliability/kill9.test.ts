/** kill -9 at random points of `apply` and `destroy`, and of the run-time
 * commands `link down|up` and `impair set|reset`, on a lab of 52 wires (13 of
 * them on the XDP engine, which changes settings inside the nodes). After each
 * kill, the next `apply` must bring every wire up (status: all active, each
 * wire's admin state as its recorded cut says), and `destroy` must leave
 * nothing of the lab in the kernel (no program, link, map or pin; every BPF
 * object seen while the lab was wired is gone machine-wide), put back every
 * node setting and port state, and leave no run-state file. */
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath } from '../../src/util/package.js';
import { labPeersFile, labPinDir, labRuntimeFile, RUN_DIR } from '../../src/runtime/paths.js';
import { cli, cliJson } from '../helpers/cli.js';
import { bpfObjectsExist, linkIds, snapshot, type KernelSnapshot, type LabScope } from '../helpers/kernel-state.js';
import { buildNetnsLab, destroyWiredLab, type NetnsLab } from '../helpers/netns-lab.js';

const WIRES = 52;
const KILLS = 20;
const CLI = cliPath;

/** Starts `clab-xconnect args` and SIGKILLs it after `ms`; says whether the kill
 * hit a running process (false: it had exited by then). */
function killAfter(args: string[], ms: number): Promise<{ killed: boolean; exitCode: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', exitCode: code, stderr });
    });
  });
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

describe(`kill -9 at random points of apply and destroy (${WIRES} wires)`, () => {
  let lab: NetnsLab;
  let scope: LabScope;
  let pristine: KernelSnapshot;
  const labels = (i: number): Record<string, string> => (i % 4 === 1 ? { 'xconnect.clab/mode': 'xdp' } : {});

  beforeAll(async () => {
    lab = await buildNetnsLab({ wires: WIRES, nodes: 4, prefix: 'k9' });
    lab.write(labels);
    scope = { pinDir: labPinDir(lab.name), ports: lab.ports(), nodeIfaces: lab.nodeIfaces() };
    pristine = await snapshot(scope);
  }, 180_000);

  afterAll(async () => {
    await destroyWiredLab(lab);
  });

  /** The next apply wires everything; destroy then leaves the lab as it was. */
  async function recoversFully(after: string): Promise<void> {
    const a = await cli(['apply', '-t', lab.file, '--format', 'json']);
    expect(a.stderr, `apply after ${after}`).toBe('');
    const st = await cliJson<{ wires: { id: string; state: string; admin: string; runtime: { cut: unknown } }[] }>(['status', '-t', lab.file]);
    expect(st.wires.filter((w) => w.state !== 'active').map((w) => `${w.id}: ${w.state}`), `status after ${after}`).toEqual([]);
    expect(st.wires).toHaveLength(WIRES);
    // A cut the killed command recorded is in force; one it did not record is not.
    expect(st.wires.filter((w) => w.admin !== (w.runtime.cut ? 'down' : 'up')).map((w) => `${w.id}: admin ${w.admin}, cut ${JSON.stringify(w.runtime.cut)}`), `admin after ${after}`).toEqual([]);
    const wired = await snapshot(scope);
    expect(wired.links.length, 'one link per port').toBe(2 * WIRES);
    const d = await cli(['destroy', '-t', lab.file]);
    expect(d.stderr, `destroy after ${after}`).toBe('');
    expect(await snapshot(scope), `the lab after destroy (${after})`).toEqual(pristine);
    expect(await bpfObjectsExist({ progs: wired.progs, links: linkIds(wired), maps: wired.maps }), `BPF objects left (${after})`).toEqual({ progs: [], links: [], maps: [] });
    expect(readdirSync(RUN_DIR).filter((f) => f.startsWith(`${lab.name}.`)), `run-state files left (${after})`).toEqual([]);
  }

  it('destroy removes the copies of the lab records that killed writers left (<record>.<pid>)', async () => {
    // A kill between writing the copy and renaming it over the record leaves
    // exactly these (found by the random kills below, 1 run in ~10).
    await cli(['apply', '-t', lab.file]);
    const copies = [`${labRuntimeFile(lab.name)}.99999`, `${labPeersFile(lab.name)}.99998`];
    for (const c of copies) writeFileSync(c, '{}');
    const other = `${labRuntimeFile(lab.name)}.keep-me`;
    writeFileSync(other, 'not a copy of ours');
    try {
      expect((await cli(['destroy', '-t', lab.file])).stderr).toBe('');
      expect(readdirSync(RUN_DIR).filter((f) => f.startsWith(`${lab.name}.`))).toEqual([`${lab.name}.runtime.json.keep-me`]);
    } finally {
      for (const f of [...copies, other]) rmSync(f, { force: true });
    }
  });

  it(`recovers from at least ${KILLS} kills`, async () => {
    // How long each command takes here, to spread the kills over it.
    const [, applyMs] = await timed(() => cli(['apply', '-t', lab.file]));
    const [, destroyMs] = await timed(() => cli(['destroy', '-t', lab.file]));
    const kills: string[] = [];
    for (let run = 0; kills.length < KILLS && run < 3 * KILLS; run++) {
      const op = run % 2 === 0 ? 'apply' : 'destroy';
      if (op === 'destroy') expect((await cli(['apply', '-t', lab.file])).exitCode).toBe(0);
      const span = op === 'apply' ? applyMs : destroyMs;
      // Random points over the whole command, process start included.
      const at = Math.round(Math.random() * span);
      const r = await killAfter([op, '-t', lab.file], at);
      if (!r.killed) {
        expect(r.exitCode, `${op} (not killed): ${r.stderr}`).toBe(0);
        if (op === 'apply') expect((await cli(['destroy', '-t', lab.file])).exitCode).toBe(0);
        continue;
      }
      kills.push(`${op}@${at}ms`);
      await recoversFully(`${op} killed at ${at} ms`);
    }
    console.log(`kill -9 runs (${WIRES} wires; apply ${applyMs.toFixed(0)} ms, destroy ${destroyMs.toFixed(0)} ms): ${kills.join(', ')}`);
    expect(kills.length).toBeGreaterThanOrEqual(KILLS);
    expect(kills.filter((k) => k.startsWith('apply')).length).toBeGreaterThanOrEqual(KILLS / 4);
    expect(kills.filter((k) => k.startsWith('destroy')).length).toBeGreaterThanOrEqual(KILLS / 4);
  }, 900_000);

  it(`recovers from kills of link down/up and impair set/reset`, async () => {
    expect((await cli(['apply', '-t', lab.file])).exitCode).toBe(0);
    const wires = (await cliJson<{ wires: { id: string }[] }>(['status', '-t', lab.file])).wires.map((w) => w.id);
    // One wire on each engine: the run-time commands write maps and port state.
    const targets = [wires[0]!, wires[1]!];
    const ops = (w: string): string[][] => [
      ['link', 'down', '-t', lab.file, w],
      ['impair', 'set', '-t', lab.file, w.split('--')[0]!, '--loss', '20', '--rate', '1000'],
      ['link', 'up', '-t', lab.file, w],
      ['impair', 'reset', '-t', lab.file, '--all'],
    ];
    const spans = new Map<string, number>();
    for (const w of targets) for (const args of ops(w)) spans.set(args.slice(0, 2).join(' '), (await timed(() => cli(args)))[1]);
    const kills: string[] = [];
    for (let run = 0; kills.length < 8 && run < 40; run++) {
      const w = targets[run % 2]!;
      const list = ops(w);
      // Bring the wire to the state the command changes (down before `up`, impaired before `reset`).
      const args = list[Math.floor(run / 2) % list.length]!;
      const name = args.slice(0, 2).join(' ');
      if (name === 'link up') expect((await cli(list[0]!)).exitCode).toBe(0);
      if (name === 'impair reset') expect((await cli(list[1]!)).exitCode).toBe(0);
      const at = Math.round(Math.random() * spans.get(name)!);
      const r = await killAfter(args, at);
      if (!r.killed) {
        expect(r.exitCode, `${name} (not killed): ${r.stderr}`).toBe(0);
        continue;
      }
      kills.push(`${name} ${w}@${at}ms`);
      // The next command of any kind works on what the kill left.
      expect((await cli(['status', '-t', lab.file])).exitCode, `status after ${name} killed at ${at} ms`).toBe(0);
      await recoversFully(`${name} on ${w} killed at ${at} ms`);
      expect((await cli(['apply', '-t', lab.file])).exitCode).toBe(0);
    }
    console.log(`kill -9 runs of the run-time commands: ${kills.join(', ')}`);
    expect(kills.length).toBeGreaterThanOrEqual(8);
  }, 900_000);
});
