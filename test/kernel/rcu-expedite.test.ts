/** Expedited RCU grace periods around big attach/detach batches
 * (src/runtime/rcu-expedite.ts): on a host at 0, apply and destroy turn
 * /sys/kernel/rcu_expedited on for their batch and put the 0 back; a host at 1
 * and a run told not to are left alone; while another lab's run is in flight
 * the knob stays on for it; a run killed with the knob on is repaired by the
 * next run. The knob is host-wide: the test puts back what it found. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { native } from '../../src/native/addon.js';
import { RUN_DIR } from '../../src/runtime/paths.js';
import { expediteRecordFile, RCU_EXPEDITED_KNOB } from '../../src/runtime/rcu-expedite.js';
import { cliPath } from '../../src/util/package.js';
import { cli, cliJson } from '../helpers/cli.js';
import { buildNetnsLab, destroyWiredLab, type NetnsLab } from '../helpers/netns-lab.js';

const CLI = cliPath;
const knob = () => readFileSync(RCU_EXPEDITED_KNOB, 'utf8').trim();
const setKnob = (v: string) => writeFileSync(RCU_EXPEDITED_KNOB, v);

/** Runs the CLI and watches the knob and the record while it runs; with
 * `killWhenOn`, SIGKILLs it as soon as the knob is seen on with our record. */
function watched(args: string[], opts: { env?: Record<string, string>; killWhenOn?: boolean } = {}) {
  return new Promise<{ code: number | null; signal: string | null; stderr: string; sawOn: boolean; sawRecord: boolean }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...opts.env } });
    let stderr = '';
    let sawOn = false;
    let sawRecord = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const poll = setInterval(() => {
      const on = knob() === '1';
      const record = existsSync(expediteRecordFile());
      sawOn ||= on;
      sawRecord ||= record;
      if (opts.killWhenOn && on && record) child.kill('SIGKILL');
    }, 1);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, stderr, sawOn, sawRecord });
    });
  });
}

describe('expedited RCU grace periods around attach and detach batches', () => {
  let lab: NetnsLab;
  let original: string;

  beforeAll(async () => {
    original = knob();
    lab = await buildNetnsLab({ wires: 40, nodes: 2, prefix: 'rcu' });
    lab.write();
  }, 120_000);

  beforeEach(async () => {
    await cli(['destroy', '-t', lab.file]);
    setKnob('0');
  });

  afterAll(async () => {
    await destroyWiredLab(lab);
    if (original !== undefined) setKnob(original);
  });

  it('a host at 0: apply and destroy turn it on for their batch and put the 0 back', async () => {
    const a = await watched(['apply', '-t', lab.file]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect({ sawOn: a.sawOn, sawRecord: a.sawRecord }).toEqual({ sawOn: true, sawRecord: true });
    expect(knob()).toBe('0');
    expect(existsSync(expediteRecordFile())).toBe(false);

    const d = await watched(['destroy', '-t', lab.file]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.sawOn).toBe(true);
    expect(knob()).toBe('0');
    expect(existsSync(expediteRecordFile())).toBe(false);
  });

  it('a host that runs expedited already is left alone, and so is a run with CLAB_XCONNECT_RCU_EXPEDITE=0', async () => {
    setKnob('1');
    const a = await watched(['apply', '-t', lab.file]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.sawRecord).toBe(false);
    expect(knob()).toBe('1');
    await cli(['destroy', '-t', lab.file]);
    expect(knob()).toBe('1');

    setKnob('0');
    const off = await watched(['apply', '-t', lab.file], { env: { CLAB_XCONNECT_RCU_EXPEDITE: '0' } });
    expect(off.code, off.stderr).toBe(0);
    expect({ sawOn: off.sawOn, sawRecord: off.sawRecord }).toEqual({ sawOn: false, sawRecord: false });
  });

  it('a small change (one wire moved to another engine: 2 attaches, 2 detaches) leaves the knob alone', async () => {
    setKnob('1');
    expect((await cli(['apply', '-t', lab.file])).exitCode).toBe(0);
    setKnob('0');
    lab.write((i): Record<string, string> => (i === 0 ? { 'xconnect.clab/mode': 'xdp-generic' } : {}));
    try {
      const a = await watched(['apply', '-t', lab.file]);
      expect(a.code, a.stderr).toBe(0);
      expect({ sawOn: a.sawOn, sawRecord: a.sawRecord }).toEqual({ sawOn: false, sawRecord: false });
      expect(knob()).toBe('0');
      // The change was made: the wire runs on the other engine now.
      const st = await cliJson<{ wires: { engine: string }[] }>(['status', '-t', lab.file]);
      expect(st.wires[0]!.engine).toBe('xdp-generic');
    } finally {
      lab.write();
    }
  });

  it('stays on while a run of another lab is in flight; the last run out puts the 0 back', async () => {
    // Another lab's run, as lockLab takes it: a flock on its lock file.
    const otherFile = path.join(RUN_DIR, `rcu-other-${process.pid}.lock`);
    const other = await native.lockFile(otherFile, 1000);
    try {
      const a = await watched(['apply', '-t', lab.file]);
      expect(a.code, a.stderr).toBe(0);
      expect(a.sawOn).toBe(true);
      expect(knob(), 'left on for the run in flight').toBe('1');
      expect(existsSync(expediteRecordFile())).toBe(true);
    } finally {
      native.closeHandle(other);
      rmSync(otherFile, { force: true });
    }
    const dry = await cli(['apply', '-t', lab.file, '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(knob()).toBe('0');
    expect(existsSync(expediteRecordFile())).toBe(false);
  });

  it('a run killed with the knob on: the next run puts the 0 back', async () => {
    const k = await watched(['apply', '-t', lab.file], { killWhenOn: true });
    expect(k.signal).toBe('SIGKILL');
    expect(knob()).toBe('1');
    expect(existsSync(expediteRecordFile())).toBe(true);
    // A dry run changes nothing in the kernel, but it holds the lab's lock and
    // so repairs what the killed run left.
    const dry = await cli(['apply', '-t', lab.file, '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(knob()).toBe('0');
    expect(existsSync(expediteRecordFile())).toBe(false);
    // And the lab still comes up whole.
    const a = await cli(['apply', '-t', lab.file]);
    expect(a.exitCode, a.stderr).toBe(0);
    expect(knob()).toBe('0');
  });
});
