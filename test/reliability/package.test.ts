/** The npm package: `npm pack` ships what an install needs (the built
 * JavaScript, the native and BPF sources with their build file, the docs and
 * topologies) and not the repository's tests, benchmarks or TypeScript
 * sources; `npm install <tarball>` in an empty directory builds the addon and
 * gives a CLI that runs. The dependencies come from the npm cache this
 * repository's own install filled, and from the registry for what it lacks:
 * `npm ci` caches the abbreviated package documents, and an install of a
 * tarball asks for the full ones, so `--offline` passed only after some other
 * run had filled them. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package.js';

describe('the npm package', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships what an install needs, and installs and runs from the tarball', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'clab-xconnect-pack-'));
    // dist/ is built by the test command's setup; prepare (tsc) need not run again.
    const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: packageRoot });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'CMakeLists.txt', 'dist/bin/clab-xconnect.cjs', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'native/addon.cc', 'bpf/xconnect.bpf.c', 'bpf/xconnect.h', 'docs/plan.md', 'topologies/demo.clab.yml'])
      expect(files).toContain(f);
    // CMakeLists.txt builds the BPF test fixtures too: their sources are the only test files shipped.
    expect(files.filter((f) => /^(src|bench|scripts|build|node_modules|test-results)\//.test(f) || (f.startsWith('test/') && !f.startsWith('test/fixtures/bpf/')))).toEqual([]);

    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    const install = await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, info!.filename)], { cwd: dir, reject: false, timeout: 600_000, all: true });
    expect(install.exitCode, install.all).toBe(0);
    const bin = path.join(dir, 'node_modules', '.bin', 'clab-xconnect');
    const v = await execa(bin, ['--version'], { cwd: dir });
    expect(v.stdout).toMatch(/^clab-xconnect \d+\.\d+\.\d+\n {2}node: .*\n {2}kernel: .*\n {2}TCX: {4}(available|not available)/);
    const plan = await execa(bin, ['plan', '-t', path.join(dir, 'node_modules', 'clab-xconnect', 'topologies', 'demo.clab.yml'), '--offline', '--format', 'json'], { cwd: dir });
    const out = JSON.parse(plan.stdout) as { ok: boolean; plan: { lab: string; wires: unknown[] } };
    expect(out).toMatchObject({ ok: true, plan: { lab: 'demo' } });
    expect(out.plan.wires.length).toBeGreaterThan(0);
  }, 900_000);
});
