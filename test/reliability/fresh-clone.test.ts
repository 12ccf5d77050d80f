/** A checkout in a private directory (a clone under /root, or in `mktemp -d`,
 * is 0700): the CLI and the suite's one unprivileged test must work from
 * there. This is the narrow, fast form of scripts/fresh-clone-check.sh, which
 * clones HEAD into such a directory and runs the whole test command (too slow,
 * and recursive, to run from inside the suite). */
import { chmod, cp, mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package.js';

describe('a checkout in a 0700 directory', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the CLI, and the test that runs node as an unprivileged user', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'clab-xconnect-private-'));
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const copy = path.join(dir, 'clab-xconnect');
    await mkdir(copy);
    // The working tree as a clone has it after setup: sources, tests, build outputs.
    for (const entry of ['src', 'test', 'dist', 'topologies', 'package.json', 'vitest.config.ts', 'tsconfig.json', 'tsconfig.test.json'])
      await cp(path.join(packageRoot, entry), path.join(copy, entry), { recursive: true });
    await cp(path.join(packageRoot, 'build', 'Release', 'xconnect.node'), path.join(copy, 'build', 'Release', 'xconnect.node'));
    await cp(path.join(packageRoot, 'build', 'gen'), path.join(copy, 'build', 'gen'), { recursive: true });
    await symlink(path.join(packageRoot, 'node_modules'), path.join(copy, 'node_modules'));
    await chmod(copy, 0o700);

    const plan = await execa(process.execPath, [path.join(copy, 'dist', 'bin', 'clab-xconnect.cjs'), 'plan', '-t', path.join(copy, 'topologies', 'demo.clab.yml'), '--offline', '--format', 'json'], { cwd: copy });
    expect(JSON.parse(plan.stdout)).toMatchObject({ ok: true, plan: { lab: 'demo' } });

    const r = await execa('npx', ['vitest', 'run', 'test/kernel/dataplane-errors.test.ts', '-t', 'non-root user'], { cwd: copy, reject: false, all: true, timeout: 300_000 });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toMatch(/1 passed/);
    // Nothing of the copy had to be opened up for it.
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(dir)).toEqual(['clab-xconnect']);
  }, 600_000);
});
