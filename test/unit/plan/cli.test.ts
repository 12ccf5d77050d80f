/** `clab-xconnect plan` end to end: built (tsc, then the bundle), run with node. */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { opts } from '../../helpers/plan-options.js';
import { tempFiles } from '../topology/tmpfile.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const write = tempFiles();
const cli = (...args: string[]) => execa('node', ['dist/bin/clab-xconnect.cjs', ...args], { cwd: root, reject: false });

beforeAll(async () => {
  // tsc emits even when some other module has a type error; the CLI only needs the JS.
  const build = await execa('npm', ['run', '-s', 'build:ts'], { cwd: root, reject: false, all: true });
  if (!existsSync(`${root}dist/bin/clab-xconnect.cjs`)) throw new Error(`build failed:\n${build.all}`);
}, 180_000);

describe('clab-xconnect plan', () => {
  it('prints the table of a bundled topology, exit 0', async () => {
    const r = await cli('plan', '-t', 'topologies/demo.clab.yml', '--offline');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^lab demo \(containerlab: .*topologies\/demo\.clab\.yml\)/);
    expect(r.stdout).toMatch(/r1:eth1--r2:eth1\s+veth-stitch\s+clab-s-[0-9a-f]{8} \(r1:eth1\)/);
    expect(r.stdout).toMatch(/r1:eth2 <-> r3:eth3\s+veth\s+direct/);
  });

  it('prints { ok: true, plan } as JSON', async () => {
    const r = await cli('plan', '-t', 'topologies/host-pair.clab.yml', '--offline', '--format', 'json');
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.plan).toMatchObject({ lab: 'hp', source: { format: 'containerlab' } });
    expect(out.plan.wires[0]).toMatchObject({ id: 'r1:eth1--r2:eth1', kind: 'host-pair', options: opts('up', 'auto', 0.01) });
    expect(out.plan.skipped[0]).toMatchObject({ type: 'host', status: 'unwireable' });
  });

  it('plans an xdp-xconnect config', async () => {
    const r = await cli('plan', '-t', 'topologies/xdp-xconnect.yml', '--format', 'json');
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).plan.source.format).toBe('xdp-xconnect');
  });

  it('fails with the error text and a non-zero exit for a bad file', async () => {
    const file = write('bad.clab.yml', 'name: bad\ntopology:\n  nodes:\n    r1: { kind: linux }\n  links:\n    - endpoints: ["r1eth1", "r1:eth2"]\n');
    const r = await cli('plan', '-t', file, '--offline');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `clab-xconnect: ${file}:6: link endpoint "r1eth1" is not node:interface (at topology.links[0].endpoints[0]) - write it as "r1:eth1"`,
    );
    const j = await cli('plan', '-t', file, '--format', 'json');
    expect(j.exitCode).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: 'TOPOLOGY', line: 6, path: 'topology.links[0].endpoints[0]', value: 'r1eth1' } });
  });

  it('usage errors exit 2', async () => {
    expect((await cli('plan', '--offline')).exitCode).toBe(2);
    expect((await cli('plan', '-t', 'topologies/demo.clab.yml', '--format', 'yaml')).exitCode).toBe(2);
  });

  it('ends quietly with a broken pipe status when its reader stops early', async () => {
    // A plan big enough to overflow the pipe's buffer (1,000 links: ~1 MB of JSON).
    const links = Array.from({ length: 1000 }, (_, i) => `    - endpoints: ["r1:e${i}", "r2:e${i}"]`);
    const file = write('big.clab.yml', `name: big\ntopology:\n  nodes:\n    r1: { kind: linux }\n    r2: { kind: linux }\n  links:\n${links.join('\n')}\n`);
    const r = await execa('bash', ['-c', 'node dist/bin/clab-xconnect.cjs plan -t "$1" --offline --format json | head -c 10 >/dev/null; echo "${PIPESTATUS[0]}"', '-', file], { cwd: root, reject: false });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('141');
  });
});
