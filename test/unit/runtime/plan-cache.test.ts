/** The plan cache must never hand back a plan for anything but the same bytes
 * and the same environment. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey, dropCached } from '../../../src/runtime/plan-cache.js';
import { loadPlan } from '../../../src/runtime/load-plan.js';

describe('plan cache key', () => {
  const text = 'name: lab\ntopology:\n  nodes:\n    r1: { kind: linux, image: "${IMG:=alpine}" }\n';
  it('changes with the bytes, the path and referenced variables only', () => {
    const k = cacheKey('/a/lab.clab.yml', text, { IMG: 'x' });
    expect(cacheKey('/a/lab.clab.yml', text, { IMG: 'x', OTHER: 'y' })).toBe(k);
    expect(cacheKey('/a/lab.clab.yml', text, { IMG: 'z' })).not.toBe(k);
    expect(cacheKey('/a/lab.clab.yml', text, {})).not.toBe(k);
    expect(cacheKey('/b/lab.clab.yml', text, { IMG: 'x' })).not.toBe(k);
    expect(cacheKey('/a/lab.clab.yml', text + '\n', { IMG: 'x' })).not.toBe(k);
    expect(cacheKey('/a/lab.clab.yml', text, { IMG: 'x', CLAB_LABDIR_BASE: '/tmp' })).not.toBe(k);
  });

  it('returns the same plan from the cache as from a fresh parse, and follows edits', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xc-cache-'));
    const file = path.join(dir, 'c.clab.yml');
    const topo = (admin: string) =>
      `name: c${path.basename(dir).slice(-6).toLowerCase()}\ntopology:\n  nodes: { r1: { kind: linux }, r2: { kind: linux } }\n  links:\n    - type: veth-stitch\n      endpoints: [{ node: r1, interface: eth1 }, { node: r2, interface: eth1 }]\n      labels: { xconnect.clab/admin: ${admin} }\n`;
    writeFileSync(file, topo('up'));
    const first = await loadPlan(file, {});
    const second = await loadPlan(file, {});
    expect(second).toEqual(first);
    writeFileSync(file, topo('down'));
    const edited = await loadPlan(file, {});
    expect(edited.plan.wires[0]!.options.admin).toBe('down');
    await dropCached(file);
    rmSync(dir, { recursive: true, force: true });
  });
});
