/** The CLI contract for scripts: exit codes, one clear error line, JSON errors. */
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

// Runs dist/ (scripts/test.sh builds it first, as the e2e suites need too).

describe('clab-xconnect CLI', () => {
  it('lists its commands', async () => {
    const r = await cli(['--help']);
    expect(r.exitCode).toBe(0);
    for (const c of ['plan', 'apply', 'status', 'destroy']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('exits 2 on an unknown command or option, naming it', async () => {
    const a = await cli(['frobnicate']);
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toMatch(/unknown command 'frobnicate'/);
    const b = await cli(['apply', '-t', 'x.clab.yml', '--bogus']);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/Unknown option '--bogus'/);
  });

  it('exits 2 without -t, saying how to pass it', async () => {
    const r = await cli(['status']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/missing the topology file - pass it with -t FILE/);
  });

  it('rejects an unknown --format', async () => {
    const r = await cli(['apply', '-t', 'x.clab.yml', '--format', 'yaml']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown format "yaml"/);
  });

  it('reports a missing topology file with exit 1, and as JSON on stdout with --format json', async () => {
    const r = await cli(['apply', '-t', '/nonexistent/lab.clab.yml', '--format', 'json']);
    expect(r.exitCode).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } };
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe('TOPOLOGY');
    expect(out.error.message).toMatch(/\/nonexistent\/lab\.clab\.yml/);
    expect(r.stderr).toMatch(/^clab-xconnect: .*\/nonexistent\/lab\.clab\.yml/);
  });
});
