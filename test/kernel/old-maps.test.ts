/** Maps pinned by another version: a pinned map of another type than this
 * version's (xc_tx as a plain hash) is refused with a message naming it and
 * what to do, and nothing changes; after `destroy` the lab wires again. */
import { mkdirSync, readdirSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORT_SIZE } from '../../src/dataplane/layout.js';
import { labPinDir } from '../../src/runtime/paths.js';
import { cli, cliJson } from '../helpers/cli.js';
import { buildNetnsLab, destroyWiredLab, type NetnsLab } from '../helpers/netns-lab.js';

describe('maps pinned by another version', () => {
  let lab: NetnsLab;
  const pin = (name: string, type: string, value: number) =>
    execa('bpftool', ['map', 'create', `${labPinDir(lab.name)}/${name}`, 'type', type, 'key', '4', 'value', String(value), 'entries', '16384', 'name', name]);

  beforeAll(async () => {
    lab = await buildNetnsLab({ wires: 2, prefix: 'om' });
    // One wire on the XDP engine, the one that redirects through xc_tx.
    lab.write((i): Record<string, string> => (i === 0 ? { 'xconnect.clab/mode': 'xdp' } : {}));
  }, 120_000);

  afterAll(async () => {
    await destroyWiredLab(lab);
  });

  it('a map of another type: apply names it, says to destroy first and changes nothing; destroy then apply wires the lab', async () => {
    mkdirSync(labPinDir(lab.name), { recursive: true });
    await pin('xc_ports', 'hash', PORT_SIZE);
    await pin('xc_tx', 'hash', 8);
    const r = await cli(['apply', '-t', lab.file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`the maps pinned in ${labPinDir(lab.name)} do not match this version of clab-xconnect (xc_tx)`);
    expect(r.stderr).toContain('clab-xconnect destroy');
    expect(readdirSync(labPinDir(lab.name)).sort(), 'nothing pinned or attached').toEqual(['xc_ports', 'xc_tx']);

    const d = await cli(['destroy', '-t', lab.file]);
    expect(d.exitCode, d.stderr).toBe(0);
    const a = await cliJson<{ changes: number }>(['apply', '-t', lab.file]);
    expect(a.changes).toBe(2);
    const st = await cliJson<{ wires: { state: string; engine: string }[] }>(['status', '-t', lab.file]);
    expect(st.wires.map((w) => `${w.engine} ${w.state}`)).toEqual(['xdp active', 'tc active']);
  });
});
