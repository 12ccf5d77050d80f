/** The run locks: a run killed (kill -9) while it HOLDS a lab's lock leaves
 * nothing that blocks the next run; a lock held by a live run is reported with
 * its pid; and destroy never removes the shared bpffs root while another
 * lab's run holds its lock (that run may be about to create its pin directory
 * there). The lab state of this file lives under a private run directory and
 * bpffs root, so that the root's removal can be asserted. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package.js';
import { cli } from '../helpers/cli.js';
import { buildNetnsLab, type NetnsLab } from '../helpers/netns-lab.js';

const id = randomBytes(3).toString('hex');
const env = { CLAB_XCONNECT_RUN: `/run/clab-xconnect-rel-${id}`, CLAB_XCONNECT_BPFFS: `/sys/fs/bpf/clab-xconnect-rel-${id}` };
// src/runtime/paths.ts reads these when it is first imported.
Object.assign(process.env, env);
const { lockLab } = await import('../../src/runtime/lock.js');
const { destroyLab } = await import('../../src/runtime/destroy.js');
const { labLockFile } = await import('../../src/runtime/paths.js');

/** A process that takes `lab`'s lock through the library and then sleeps. */
async function holder(lab: string): Promise<{ pid: number; kill9(): Promise<void> }> {
  const script = `
    const { lockLab } = await import(${JSON.stringify(path.join(packageRoot, 'dist', 'runtime', 'lock.js'))});
    await lockLab(${JSON.stringify(lab)});
    process.stdout.write('locked\\n');
    setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited (${code}): ${err}`)));
  });
  return {
    pid: child.pid!,
    kill9: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

describe('run locks', () => {
  let lab: NetnsLab;
  beforeAll(async () => {
    lab = await buildNetnsLab({ wires: 2, nodes: 2, prefix: 'lk' });
  });
  afterAll(async () => {
    await cli(['destroy', '-t', lab.file], env);
    await lab?.destroy();
    rmSync(env.CLAB_XCONNECT_RUN, { recursive: true, force: true });
    rmSync(env.CLAB_XCONNECT_BPFFS, { recursive: true, force: true });
  });

  it('a run killed with -9 while it holds the lock does not block the next one', async () => {
    const h = await holder(lab.name);
    // While it lives, the lock is taken, and the message names the holder.
    const busy = await lockLab(lab.name, 300).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(busy).toMatchObject({ code: 'BUSY' });
    expect(busy!.message).toBe(
      `${labLockFile(lab.name)}: lab ${lab.name} is locked by another clab-xconnect run (pid ${h.pid}), for more than 300 ms - wait for that run to finish; the lock goes away with its process`,
    );
    await h.kill9();
    expect(existsSync(labLockFile(lab.name))).toBe(true); // the file stays; its lock went with the process
    const t0 = Date.now();
    const l = await lockLab(lab.name, 5000);
    expect(Date.now() - t0).toBeLessThan(1000);
    await l.release();
    // And the CLI gets it too: apply wires the lab, at once.
    const h2 = await holder(lab.name);
    await h2.kill9();
    const r = await cli(['apply', '-t', lab.file, '--format', 'json'], env);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, changes: 2 });
  });

  it("destroy leaves the bpffs root while another lab's run holds its lock, and removes it after", async () => {
    const r0 = await cli(['apply', '-t', lab.file], env);
    expect(r0.exitCode).toBe(0);
    expect(readdirSync(env.CLAB_XCONNECT_BPFFS)).toEqual([lab.name]);
    // Lab "other" is between taking its lock and creating its pin directory.
    const other = `other${id}`;
    const held = await lockLab(other);
    try {
      const r = await cli(['destroy', '-t', lab.file], env);
      expect(r.exitCode).toBe(0);
      expect(readdirSync(env.CLAB_XCONNECT_BPFFS)).toEqual([]);
      // Its run goes on: creating its pin directory must work.
      mkdirSync(path.join(env.CLAB_XCONNECT_BPFFS, other));
      rmSync(path.join(env.CLAB_XCONNECT_BPFFS, other), { recursive: true });
    } finally {
      await held.release();
    }
    // A lock file nobody holds (a crashed run's) does not keep the root.
    writeFileSync(labLockFile(`stale${id}`), '4194303');
    await destroyLab(other);
    expect(existsSync(env.CLAB_XCONNECT_BPFFS)).toBe(false);
    expect(readdirSync(env.CLAB_XCONNECT_RUN).filter((f) => f.startsWith(other) || f.startsWith(lab.name))).toEqual([]);
  });
});
