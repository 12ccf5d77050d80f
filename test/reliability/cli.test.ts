/** The CLI's conventions: `--version` and `version` (as containerlab has),
 * and errors printed as JSON exactly when `--format json` (or
 * `--format=json`) is asked for, usage errors included. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package.js';
import { cli } from '../helpers/cli.js';

const version = (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('version', () => {
  for (const args of [['--version'], ['version']]) {
    it(`clab-xconnect ${args.join(' ')} prints the version and the kernel features`, async () => {
      const r = await cli(args);
      expect(r.exitCode).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(`clab-xconnect ${version}`);
      expect(r.stdout).toMatch(/^ {2}TCX: {4}(available|not available) /m);
      expect(r.stdout).toMatch(/^ {2}libbpf: \d+\.\d+/m);
      expect(r.stdout).toMatch(/^ {2}kernel: \d+\.\d+/m);
    });
  }

  it('version --format json', async () => {
    const r = await cli(['version', '--format', 'json']);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ ok: true, version, node: process.version });
    expect(typeof out['tcx']).toBe('boolean');
    expect(out['libbpf']).toMatch(/^\d+\.\d+/);
  });

  it('is listed by --help', async () => {
    expect((await cli(['--help'])).stdout).toMatch(/^ {2}version /m);
  });
});

describe('errors as JSON', () => {
  const json = (stdout: string) => JSON.parse(stdout) as { ok: boolean; error: { code: string; message: string } };

  it('--format=json and --format json both ask for it', async () => {
    for (const f of [['--format=json'], ['--format', 'json']]) {
      const r = await cli(['apply', '-t', '/nonexistent/lab.clab.yml', ...f]);
      expect(r.exitCode).toBe(1);
      expect(json(r.stdout)).toMatchObject({ ok: false, error: { code: 'TOPOLOGY' } });
    }
  });

  it('a usage error is printed as JSON when JSON is asked for', async () => {
    const a = await cli(['apply', '--bogus', '-t', 'x.clab.yml', '--format=json']);
    expect(a.exitCode).toBe(2);
    expect(json(a.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE', message: expect.stringMatching(/^Unknown option '--bogus'/) } });
    const b = await cli(['frobnicate', '--format', 'json']);
    expect(b.exitCode).toBe(2);
    expect(json(b.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE', message: expect.stringMatching(/^unknown command 'frobnicate'/) } });
  });

  it('a file named json is not a format', async () => {
    const a = await cli(['apply', '-t', 'json', '--bogus']);
    expect(a.exitCode).toBe(2);
    expect(a.stdout).toBe('');
    expect(a.stderr).toMatch(/^clab-xconnect: Unknown option '--bogus'/);
    const b = await cli(['status', '-t', 'json', '--format', 'table']);
    expect(b.exitCode).toBe(1);
    expect(b.stdout).toBe('');
    const c = await cli(['apply', '--format', 'json', '--format', 'table', '-t', '/nonexistent/x.yml']);
    expect(c.stdout).toBe('');
  });

  it('an unknown command is one line, naming the commands', async () => {
    const r = await cli(['frobnicate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown command 'frobnicate' - the commands are plan, apply, status, .*version; see 'clab-xconnect --help'/);
  });
});
