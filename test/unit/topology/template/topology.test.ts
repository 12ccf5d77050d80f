/** Rendering topology files as containerlab finds them: the vars file beside the
 * topology, --vars, clab_templates/*.gotmpl, YAML 1.1 values, error positions, line
 * mapping of YAML errors, and plan --rendered. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { planCommand } from '../../../../src/cli/commands/plan.js';
import { XconnectError } from '../../../../src/errors.js';
import { planFile } from '../../../../src/plan/plan-file.js';
import { loadTopology, renderTopologyText } from '../../../../src/topology/load.js';

const root = mkdtempSync(join(tmpdir(), 'xc-tmpl-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A fresh lab directory with the given files. */
function lab(files: Record<string, string>): string {
  const dir = join(root, `lab${n++}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function failure(f: () => unknown): XconnectError {
  try {
    f();
  } catch (e) {
    if (e instanceof XconnectError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

const TOPO = `name: {{ .lab }}
topology:
  nodes:
{{- range $i := seq 1 .count }}
    r{{ $i }}: { kind: linux }
{{- end }}
  links:
{{- range $i := seq 1 (subtract .count 1) }}
    - endpoints: ["r{{ $i }}:eth1", "r{{ add $i 1 }}:eth2"]
{{- end }}
`;

describe('variables', () => {
  it('finds <name without last extension>_vars.yml beside the topology', () => {
    const d = lab({ 'l.clab.gotmpl': TOPO, 'l.clab_vars.yml': 'lab: auto\ncount: 3\n' });
    const r = renderTopologyText(join(d, 'l.clab.gotmpl'));
    expect(r.rendered).toBe(true);
    expect(r.varsFile).toBe(join(d, 'l.clab_vars.yml'));
    expect(r.varsText).toBe('lab: auto\ncount: 3\n');
    expect(r.text).toContain('name: auto\n');
    const t = loadTopology(join(d, 'l.clab.gotmpl'), { env: {} });
    expect(t.name).toBe('auto');
    expect(t.nodes.map((x) => x.name)).toEqual(['r1', 'r2', 'r3']);
    expect(t.links).toHaveLength(2);
  });

  it.each(['yaml', 'json'])('accepts a .%s vars file', (ext) => {
    const text = ext === 'json' ? '{"lab": "j", "count": 2}' : 'lab: j\ncount: 2\n';
    const d = lab({ 'l.clab.yml': TOPO, [`l.clab_vars.${ext}`]: text });
    expect(loadTopology(join(d, 'l.clab.yml'), { env: {} }).nodes).toHaveLength(2);
  });

  it('merges several vars files in name order, later top-level keys winning', () => {
    const d = lab({ 'l.clab.gotmpl': TOPO, 'l.clab_vars.yml': 'lab: one\ncount: 2\n', 'l.clab_vars.zz.yml': 'count: 4\n', 'l.clab_vars.txt': 'count: 9\n' });
    const r = renderTopologyText(join(d, 'l.clab.gotmpl'));
    expect(r.varsFiles.map((v) => v.file)).toEqual([join(d, 'l.clab_vars.yml'), join(d, 'l.clab_vars.zz.yml')]);
    expect(loadTopology(join(d, 'l.clab.gotmpl'), { env: {} }).nodes).toHaveLength(4);
  });

  it('an explicit vars file replaces the one beside the topology', () => {
    const d = lab({ 'l.clab.gotmpl': TOPO, 'l.clab_vars.yml': 'lab: auto\ncount: 2\n', 'other.yml': 'lab: other\ncount: 5\n' });
    const t = loadTopology(join(d, 'l.clab.gotmpl'), { env: {}, vars: join(d, 'other.yml') });
    expect(t.name).toBe('other');
    expect(t.nodes).toHaveLength(5);
  });

  it('decodes values as yaml.v2 does', () => {
    const d = lab({
      'v.clab.gotmpl': '{{ printf "%T=%v" .a .a }} {{ printf "%T=%v" .b .b }} {{ .c }} {{ .d }} {{ .e }} {{ .f }} {{ .g }} {{ .h }} {{ .on }} {{ .i }}',
      'v.clab_vars.yml': 'a: yes\nb: 017\nc: 0x1F\nd: 1.0\ne: "1.0"\nf: 2001-01-01\ng: 1_000\nh: ~\non: off\ni: 12:30\n',
    });
    expect(renderTopologyText(join(d, 'v.clab.gotmpl')).text).toBe('bool=true int=15 31 1 1.0 2001-01-01 1000 <no value> false 12:30');
  });

  it('supports YAML anchors and merge keys in vars', () => {
    const d = lab({ 'v.clab.gotmpl': '{{ .b.x }} {{ .b.z }}', 'v.clab_vars.yml': 'a: &a {x: 1, z: 2}\nb: {<<: *a, z: 3}\n' });
    expect(renderTopologyText(join(d, 'v.clab.gotmpl')).text).toBe('1 3');
  });

  it('a missing explicit vars file is an error naming it', () => {
    const d = lab({ 'l.clab.gotmpl': TOPO });
    const e = failure(() => loadTopology(join(d, 'l.clab.gotmpl'), { env: {}, vars: join(d, 'nope.yml') }));
    expect(e.message).toBe(`${join(d, 'nope.yml')}: cannot read the template variables file: no such file - check the path given with --vars`);
  });

  it('no vars file at all: the first action that needs one fails at file:line:col, with a hint', () => {
    const d = lab({ 'l.clab.gotmpl': TOPO });
    const file = join(d, 'l.clab.gotmpl');
    const e = failure(() => loadTopology(file, { env: {} }));
    expect(e.code).toBe('TOPOLOGY');
    expect(e.message).toMatch(
      new RegExp(
        `^${file.replace(/[.]/g, '\\.')}:4:17: executing "l\\.clab\\.gotmpl" at <seq 1 \\.count>: error calling seq: expected a number: could not convert <nil> to int64 - no template variables file was found: containerlab reads l\\.clab_vars\\.yml \\(or \\.yaml, \\.json\\) beside the topology; create it or pass --vars FILE$`,
      ),
    );
    expect(e.context).toMatchObject({ file, line: 4, value: '{{- range $i := seq 1 .count }}' });
  });

  it('a vars file that is not valid YAML names its line', () => {
    const d = lab({ 'l.clab.gotmpl': TOPO, 'l.clab_vars.yml': 'lab: x\ncount: [1,\n' });
    expect(failure(() => renderTopologyText(join(d, 'l.clab.gotmpl'))).message).toMatch(/l\.clab_vars\.yml:\d+: the template variables file is not valid YAML/);
  });

  it('a file without "{{" is returned as is, vars files unread', () => {
    const d = lab({ 'p.clab.yml': 'name: p\ntopology: {}\n', 'p.clab_vars.yml': ': : bad' });
    const r = renderTopologyText(join(d, 'p.clab.yml'));
    expect(r).toMatchObject({ text: 'name: p\ntopology: {}\n', rendered: false, varsFiles: [], templateFiles: [] });
  });
});

describe('clab_templates', () => {
  it('parses clab_templates/*.gotmpl with the topology: definitions and whole files by base name', () => {
    const d = lab({
      'l.clab.gotmpl': 'name: sub\ntopology:\n  nodes:\n{{- range seq 1 2 }}\n{{ template "node" . }}\n{{- end }}\n{{ template "links.gotmpl" }}',
      'clab_templates/nodes.gotmpl': '{{ define "node" }}    n{{ . }}: { kind: linux }{{ end }}',
      'clab_templates/links.gotmpl': '  links:\n    - endpoints: ["n1:eth1", "n2:eth1"]\n',
      'clab_templates/notes.txt': '{{ broken',
    });
    const file = join(d, 'l.clab.gotmpl');
    const r = renderTopologyText(file);
    expect(r.templateFiles).toEqual([join(d, 'clab_templates/links.gotmpl'), join(d, 'clab_templates/nodes.gotmpl')]);
    expect(r.inputs.map((i) => i.file)).toEqual([file, ...r.templateFiles]);
    const t = loadTopology(file, { env: {} });
    expect(t.nodes.map((x) => x.name)).toEqual(['n1', 'n2']);
    expect(t.links).toHaveLength(1);
  });

  it('an error inside a sub-template names that file', () => {
    const d = lab({ 'l.clab.gotmpl': 'name: x\n{{ template "bad" }}', 'clab_templates/b.gotmpl': '{{ define "bad" }}\n  {{ index 3 1 }}{{ end }}' });
    expect(failure(() => renderTopologyText(join(d, 'l.clab.gotmpl'))).message).toMatch(/clab_templates\/b\.gotmpl:2:6: executing "bad" at <index 3 1>: error calling index: can't index item of type int - check the values/);
  });
});

describe('errors keep positions', () => {
  const err = (text: string) => {
    const d = lab({ 'e.clab.gotmpl': text, 'e.clab_vars.yml': 'a: 1\n' });
    return failure(() => loadTopology(join(d, 'e.clab.gotmpl'), { env: {} }));
  };

  it('an unclosed action names where it starts', () => {
    // Actions may span lines (Go 1.16+), so the action runs to the end of the file.
    const e = err('name: x\ntopology:\n  nodes: {{ .a \n  links: []\n');
    expect(e.message).toMatch(/e\.clab\.gotmpl:4:3: function "links" not defined/);
    const u = err('name: x\ntopology:\n  nodes: {{ .a \n');
    expect(u.message).toMatch(/e\.clab\.gotmpl:3:10: unclosed action - close every "\{\{" with "\}\}"/);
    expect(u.context).toMatchObject({ line: 3, column: 10 });
    const c = err('a: {{/* never closed\n');
    expect(c.message).toMatch(/e\.clab\.gotmpl:1:4: unclosed comment - close every/);
  });

  it('an unclosed block', () => {
    const e = err('name: x\n{{ range .a }}\n');
    expect(e.message).toMatch(/e\.clab\.gotmpl:3:1: unexpected EOF - close every .* need a matching \{\{end\}\}/);
  });

  it('an unknown function', () => {
    const e = err('name: x\n  # {{ .a }}\n  x: {{ frob .a }}\n');
    expect(e.message).toMatch(/e\.clab\.gotmpl:3:9: function "frob" not defined - containerlab's topology templates know Go's built-ins \(and, or, not/);
  });

  it('a bad pipeline', () => {
    const e = err('name: x\ntopology:\n  nodes: {{ .a | "s" }}\n');
    expect(e.message).toMatch(/e\.clab\.gotmpl:3:18: non executable command in pipeline stage 2 - a pipeline is a command followed by "\| function args \.\.\." stages/);
    const e2 = err('name: x\n{{ | .a }}');
    expect(e2.message).toMatch(/e\.clab\.gotmpl:2:4: unexpected "\|" in command - a pipeline is/);
  });

  it('an execution error (wrong argument type)', () => {
    const e = err('name: x\n\n   {{ strings.Split .a "x" }}');
    expect(e.message).toMatch(/e\.clab\.gotmpl:3:21: executing "e\.clab\.gotmpl" at <\.a>: wrong type for value; expected string; got int - check the values/);
  });

  it('a YAML error in the rendered text names the template line and the rendered line', () => {
    const text = 'name: x\ntopology:\n  nodes:\n{{- range seq 1 3 }}\n    n{{ . }}: { kind: linux\n{{- end }}\n';
    const e = err(text);
    expect(e.message).toMatch(/e\.clab\.gotmpl:5:\s*not valid YAML: .* \(line \d+ of the rendered YAML\) - fix the YAML syntax/);
  });

  it('a validation error in the rendered text points at the template line that made it', () => {
    const text = 'name: x\ntopology:\n  nodes:\n{{- range seq 1 2 }}\n    n{{ . }}: { kind: linux, imagee: x }\n{{- end }}\n';
    const e = err(text);
    expect(e.message).toMatch(/e\.clab\.gotmpl:5: unknown key "imagee" \(line 4 of the rendered YAML\) \(at topology\.nodes\.n1\.imagee\)/);
    expect(e.context.line).toBe(5);
  });
});

describe('plan --rendered and --vars', () => {
  async function run(values: Record<string, string | boolean>): Promise<string> {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      expect(await planCommand.run({ format: 'table', ...values }, [])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    return out;
  }

  it('prints the rendered YAML, after environment substitution as containerlab exports it', async () => {
    const d = lab({ 'r.clab.gotmpl': 'name: {{ .lab }}\nimage: ${XC_TMPL_TEST_IMAGE:=alpine}\n', 'r.clab_vars.yml': 'lab: rendered\n' });
    expect(await run({ topology: join(d, 'r.clab.gotmpl'), rendered: true })).toBe('name: rendered\nimage: alpine\n');
    const json = JSON.parse(await run({ topology: join(d, 'r.clab.gotmpl'), rendered: true, format: 'json' })) as { ok: boolean; rendered: { text: string; varsFiles: string[] } };
    expect(json.ok).toBe(true);
    expect(json.rendered.varsFiles).toEqual([join(d, 'r.clab_vars.yml')]);
  });

  it('plans a templated topology with --vars', async () => {
    const d = lab({ 'p.clab.gotmpl': TOPO.replace('{ kind: linux }', '{ kind: nokia_srsim }'), 'mine.yml': 'lab: pv\ncount: 3\n' });
    const out = await run({ topology: join(d, 'p.clab.gotmpl'), vars: join(d, 'mine.yml') });
    expect(out).toMatch(/r1:eth1/);
    const plan = planFile(join(d, 'p.clab.gotmpl'), { vars: join(d, 'mine.yml'), env: {} });
    expect(plan.lab).toBe('pv');
    expect(plan.wires).toHaveLength(2);
  });
});

describe('performance', () => {
  it('renders a 1,000-link topology well within the 50 ms budget', () => {
    const tpl = `name: big
topology:
  nodes:
{{- range $i := seq 1 1001 }}
    n{{ $i }}: { kind: nokia_srsim }
{{- end }}
  links:
{{- range $i := seq 1 1000 }}
    - endpoints: ["n{{ $i }}:eth1", "n{{ add $i 1 }}:eth2"]
{{- end }}
`;
    const d = lab({ 'big.clab.gotmpl': tpl });
    const file = join(d, 'big.clab.gotmpl');
    renderTopologyText(file); // warm up the JIT as a CLI run would not: measure the steady cost below
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      renderTopologyText(file);
      runs.push(performance.now() - t0);
    }
    runs.sort((a, b) => a - b);
    expect(runs[2]).toBeLessThan(50);
    expect(loadTopology(file, { env: {} }).links).toHaveLength(1000);
  });
});
