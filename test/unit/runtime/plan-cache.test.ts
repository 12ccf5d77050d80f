/** The plan cache must never hand back a plan for anything but the same bytes
 * (of every file the load reads) and the same environment (every variable the
 * substitution looks up). */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../../../src/runtime/load-plan.js';
import { RUN_DIR } from '../../../src/runtime/paths.js';
import { cacheKey, dropCached, type CacheInputs } from '../../../src/runtime/plan-cache.js';

const dirs: string[] = [];
const files: string[] = [];
afterAll(async () => {
  for (const f of files) await dropCached(f);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'xc-cache-'));
  dirs.push(d);
  return d;
}

function topoFile(dir: string, name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  files.push(f);
  return f;
}

const links = (admin = 'up') =>
  `topology:\n  nodes: { r1: { kind: linux }, r2: { kind: linux } }\n  links:\n    - type: veth-stitch\n      endpoints: [{ node: r1, interface: eth1 }, { node: r2, interface: eth1 }]\n      labels: { xconnect.clab/admin: ${admin} }\n`;

describe('plan cache key', () => {
  const base: CacheInputs = {
    file: '/a/lab.clab.yml',
    inputs: [{ file: '/a/lab.clab.yml', text: 'name: x\n' }],
    lookups: new Map([['IMG', 'x']]),
    labDirBase: undefined,
  };
  it('changes with the bytes of any input, the path, --vars and the looked-up variables only', () => {
    const k = cacheKey(base);
    expect(cacheKey({ ...base })).toBe(k);
    expect(cacheKey({ ...base, lookups: new Map([['IMG', 'z']]) })).not.toBe(k);
    expect(cacheKey({ ...base, lookups: new Map([['IMG', undefined]]) })).not.toBe(k);
    expect(cacheKey({ ...base, lookups: new Map([['IMG', 'x'], ['B', undefined]]) })).not.toBe(k);
    expect(cacheKey({ ...base, file: '/b/lab.clab.yml' })).not.toBe(k);
    expect(cacheKey({ ...base, inputs: [{ file: '/a/lab.clab.yml', text: 'name: x\n\n' }] })).not.toBe(k);
    expect(cacheKey({ ...base, inputs: [...base.inputs, { file: '/a/lab.clab_vars.yml', text: 'a: 1' }] })).not.toBe(k);
    expect(cacheKey({ ...base, vars: '/a/v.yml' })).not.toBe(k);
    expect(cacheKey({ ...base, labDirBase: '/tmp' })).not.toBe(k);
  });
});

describe('plan cache', () => {
  it('returns the same plan from the cache as from a fresh parse, and follows edits', async () => {
    const dir = tempDir();
    const name = `c${path.basename(dir).slice(-6).toLowerCase()}`;
    const file = topoFile(dir, 'c.clab.yml', `name: ${name}\n${links('up')}`);
    const first = await loadPlan(file, {});
    const second = await loadPlan(file, {});
    expect(second).toEqual(first);
    writeFileSync(file, `name: ${name}\n${links('down')}`);
    expect((await loadPlan(file, {})).plan.wires[0]!.options.admin).toBe('down');
  });

  // The reproduction: JOBID=111 apply, then JOBID=222 apply acted on lab ci111.
  it('follows a bare $VAR (name: ci$JOBID)', async () => {
    const file = topoFile(tempDir(), 'ci.clab.yml', `name: ci$JOBID\n${links()}`);
    expect((await loadPlan(file, { JOBID: '111' })).plan.lab).toBe('ci111');
    expect((await loadPlan(file, { JOBID: '222' })).plan.lab).toBe('ci222');
    expect((await loadPlan(file, { JOBID: '111' })).plan.lab).toBe('ci111');
  });

  it('follows the variable a default names (${A:-$B})', async () => {
    const file = topoFile(tempDir(), 'd.clab.yml', `name: "d\${A:-$B}"\n${links()}`);
    expect((await loadPlan(file, { B: '1' })).plan.lab).toBe('d1');
    expect((await loadPlan(file, { B: '2' })).plan.lab).toBe('d2');
    expect((await loadPlan(file, { A: '3', B: '2' })).plan.lab).toBe('d3');
  });

  it('follows CLAB_LABDIR_BASE', async () => {
    const file = topoFile(tempDir(), 'b.clab.yml', `name: b1\n${links()}`);
    expect((await loadPlan(file, { CLAB_LABDIR_BASE: '/x' })).topology!.labDir).toBe('/x/clab-b1');
    expect((await loadPlan(file, { CLAB_LABDIR_BASE: '/y' })).topology!.labDir).toBe('/y/clab-b1');
  });

  it('follows the vars file, --vars and the sub-templates of a templated topology', async () => {
    const dir = tempDir();
    const file = topoFile(dir, 't.clab.yml', `name: t{{ .n }}{{ template "suffix.gotmpl" . }}\n${links()}`);
    mkdirSync(path.join(dir, 'clab_templates'));
    writeFileSync(path.join(dir, 'clab_templates', 'suffix.gotmpl'), 'a');
    writeFileSync(path.join(dir, 't.clab_vars.yml'), 'n: 1\n');
    expect((await loadPlan(file, {})).plan.lab).toBe('t1a');
    writeFileSync(path.join(dir, 't.clab_vars.yml'), 'n: 2\n');
    expect((await loadPlan(file, {})).plan.lab).toBe('t2a');
    writeFileSync(path.join(dir, 'clab_templates', 'suffix.gotmpl'), 'b');
    expect((await loadPlan(file, {})).plan.lab).toBe('t2b');
    writeFileSync(path.join(dir, 'other.yml'), 'n: 9\n');
    expect((await loadPlan(file, {}, { vars: path.join(dir, 'other.yml') })).plan.lab).toBe('t9b');
    expect((await loadPlan(file, {})).plan.lab).toBe('t2b');
    // A second vars file beside the topology is merged in: a new input.
    writeFileSync(path.join(dir, 't.clab_vars.z.yml'), 'n: 3\n');
    expect((await loadPlan(file, {})).plan.lab).toBe('t3b');
  });

  it('never files a plan under the key of other bytes (the file changed while it was parsed)', async () => {
    const dir = tempDir();
    const file = topoFile(dir, 'r.clab.yml', `name: r\${T}1\n${links()}`);
    // An environment whose first read of T rewrites the file: the load reads it
    // again after that, so it parses other bytes than it read first.
    let armed = true;
    const env = new Proxy({} as Record<string, string | undefined>, {
      get(_t, prop) {
        if (prop === 'T' && armed) {
          armed = false;
          writeFileSync(file, `name: r\${T}2\n${links()}`);
        }
        return prop === 'T' ? 'x' : undefined;
      },
    });
    await loadPlan(file, env);
    writeFileSync(file, `name: r\${T}1\n${links()}`);
    expect((await loadPlan(file, { T: 'x' })).plan.lab).toBe('rx1');
  });

  it('dropCached removes the entry, and one an earlier build named by a SHA-256 of the path', async () => {
    const dir = tempDir();
    const file = topoFile(dir, 'x.clab.yml', `name: x1\n${links()}`);
    await loadPlan(file, {});
    const plans = path.join(RUN_DIR, 'plans');
    const before = new Set(readdirSync(plans));
    const legacy = createHash('sha256').update(path.resolve(file)).digest('hex').slice(0, 32) + '.json';
    writeFileSync(path.join(plans, legacy), '{}');
    await dropCached(file);
    const after = readdirSync(plans);
    expect(after).not.toContain(legacy);
    expect([...before].filter((n) => !after.includes(n)), 'the current entry').toHaveLength(1);
  });
});

