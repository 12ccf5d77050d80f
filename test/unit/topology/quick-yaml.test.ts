/** The quick YAML reader either declines or gives exactly what the `yaml`
 * library gives (value tree with GoScalars, line of every entry, key order):
 * checked on every topology of containerlab's corpus, the bundled labs, a
 * generated 1,000-link lab, and constructs picked to trip it. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseQuick } from '../../../src/topology/quick-yaml.js';
import { parseWithLibrary, parseYamlText } from '../../../src/topology/source.js';
import { renderTopologyText } from '../../../src/topology/template/render.js';
import { GoScalar, type PathSegment } from '../../../src/topology/yaml-value.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CORPUS = resolve(HERE, '../../../../shared/corpus/containerlab');
const REPO = resolve(HERE, '../../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ya?ml|gotmpl)$/.test(f) ? [p] : [];
  });
}

/** Every path in a value tree (with a missing key and index below each container). */
function paths(v: unknown, at: PathSegment[] = []): PathSegment[][] {
  const out: PathSegment[][] = [at];
  if (Array.isArray(v)) {
    v.forEach((x, i) => out.push(...paths(x, [...at, i])));
    out.push([...at, v.length]);
  } else if (v && typeof v === 'object' && !(v instanceof GoScalar)) {
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
    out.push([...at, 'no-such-key'], [...at, 0]);
  }
  return out;
}

/** Asserts the quick reader agrees with the library on `text`; returns whether it took it. */
function agrees(text: string, file = 'test.yml'): boolean {
  const quick = parseQuick(text);
  if (!quick) return false;
  const full = parseWithLibrary(text, file);
  expect(quick.value, file).toStrictEqual(full.value);
  for (const p of paths(full.value)) {
    expect(quick.lines.lineOf(p), `${file}: line of ${JSON.stringify(p)}`).toBe(full.lines.lineOf(p));
    expect(quick.lines.keysOf(p), `${file}: keys of ${JSON.stringify(p)}`).toStrictEqual(full.lines.keysOf(p));
  }
  return true;
}

/** The YAML containerlab decodes: a templated file after rendering. */
function yamlOf(file: string): string | null {
  const text = readFileSync(file, 'utf8');
  if (!text.includes('{{')) return text;
  try {
    return renderTopologyText(file, {}).text;
  } catch {
    return null; // gomplate-only functions: corpus.test.ts covers the error
  }
}

describe('quick YAML reader', () => {
  it('agrees with the yaml library on every corpus topology and bundled lab, and takes most of them', () => {
    const all = [...files(CORPUS), ...files(join(REPO, 'topologies'))];
    const taken: string[] = [];
    for (const f of all) {
      const text = yamlOf(f);
      if (text !== null && agrees(text, relative(REPO, f))) taken.push(f);
    }
    expect(all.length).toBeGreaterThan(70);
    // The rest use anchors, block scalars, numbers as keys...: the library's.
    expect(taken.length / all.length).toBeGreaterThan(0.6);
    expect(taken.map((f) => relative(REPO, f))).toContain('topologies/demo.clab.yml');
  });

  it('takes a generated 1,000-link lab, the shape benchmarks and big labs have', () => {
    const lines = ['name: big', 'topology:', '  defaults: { kind: linux }', '  nodes:'];
    for (let n = 0; n < 40; n++) lines.push(`    n${n}: { mgmt-ipv4: 172.20.${n}.2, labels: { rack: "r${n % 4}" } }`);
    lines.push('  links:');
    for (let i = 0; i < 1000; i++) {
      lines.push('    - type: veth-stitch', `      endpoints: [{ node: n${i % 40}, interface: e${i} }, { node: n${(i + 1) % 40}, interface: e${i} }]`);
      if (i % 7 === 0) lines.push(`      labels: { xconnect.clab/admin: down, "xconnect.clab/impair": 'loss 1%' }`);
      if (i % 11 === 0) lines.push('      mtu: 9500 # jumbo');
    }
    expect(agrees(lines.join('\n') + '\n', 'big.clab.yml')).toBe(true);
  });

  it.each([
    ['plain scalars of every YAML 1.1 type', 'a: [yes, No, ON, off, y, n, ~, null, Null, 1, 0, 010, 0x1F, 0b101, 1_000, 1.5, 1e3, .inf, -.Inf, .nan, 2001-12-14, 02:00:00:00:00:04, 190:20:30, 172.20.20.2, 2001:db8::1, +1, _x, $HOME]\n'],
    ['scalars as block values', 'a: yes\nb: 9500\nc: 0o17\nd: 1.0\ne: 02:00:00:00:00:04\nf: ceos:4.32.0F\ng: http://x/y#frag\nh: echo {a} [b]\ni:   spaced   # comment\n'],
    ['quoting', `a: "x: y"\nb: 'it''s'\nc: ""\nd: ''\n"e f": 1\n'g': "#not a comment"\nh: {"i": 'j', k: "l,m"}\n`],
    ['nesting and sequence styles', 'a:\n- 1\n- b: 2\n  c:\n  - d\n  -\n    e: f\n- [x, [y, {z: }]]\ng:\n    h: {}\n    i: []\nj:\n'],
    ['comments and blank lines', '# head\n\nname: x # trailing\n  # indented comment\ntopology:   \n\n  nodes: # here\n    r1: {kind: linux}   # there\n'],
    ['a document that is a sequence', '- a\n- b: c\n'],
    ['odd keys the library reads as strings', 'a.b/c: 1\nx-y_z: 2\nOn_Off: 3\nyesno: 4\n"yes": 5\n__proto__: 6\n'],
  ])('agrees with the library on %s', (_what, text) => {
    expect(agrees(text)).toBe(true);
  });

  it.each([
    ['an anchor and alias', 'a: &x 1\nb: *x\n'],
    ['a merge key', 'a: {x: 1}\nb:\n  <<: {x: 2}\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a block scalar', 'a: |\n  x\n'],
    ['a multi-line plain scalar', 'a: x\n  y\n'],
    ['a flow collection over two lines', 'a: [x,\n  y]\n'],
    ['a document marker', '---\na: 1\n'],
    ['a tab', 'a:\t1\n'],
    ['CRLF line ends', 'a: 1\r\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a duplicate flow key', 'a: {x: 1, x: 2}\n'],
    ['keys the library compares as values', 'true: 1\nyes: 2\n'],
    ['a number key', '1: x\n'],
    ['an escape', 'a: "x\\ty"\n'],
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['a nested compact mapping', 'a: b: c\n'],
    ['an empty sequence item', 'a:\n  -\n  - x\n'],
    ['an unclosed quote', "a: 'x\n"],
    ['a trailing comma', 'a: [x, y,]\n'],
    ['a pair in a flow sequence', 'a: [x: 1]\n'],
    ['text after a flow collection', 'a: [x] y\n'],
    ['an empty text', '  # nothing\n'],
    ['a scalar document', 'just text\n'],
  ])('declines %s (and the library decides)', (_what, text) => {
    expect(parseQuick(text)).toBeNull();
  });

  it('leaves every error to the library, with its line', () => {
    expect(() => parseYamlText('a: 1\nb: 2\na: 3\n', 'dup.yml')).toThrow(/dup\.yml:3: a key is defined more than once/);
    expect(() => parseYamlText('a: [x\n', 'open.yml')).toThrow(/open\.yml:\d+: not valid YAML/);
  });
});
