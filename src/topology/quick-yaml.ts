/** A quick reader for the YAML that topology files are written in: block
 * mappings and sequences, flow collections on one line, one-line plain and
 * quoted scalars, comments. For anything else (anchors, aliases, tags, merge
 * keys, block or multi-line scalars, document markers, tabs, duplicate keys,
 * keys that are not strings, escapes, any syntax error) it answers null, and
 * the caller parses with the `yaml` library, which also reports every error:
 * this reader never reports one, so it can only be fast or decline.
 *
 * Why it exists: the `yaml` library builds a full Document (tokens, CST,
 * nodes with ranges) and runs cold on a one-shot CLI; a 1,000-link lab took
 * 0.45-0.65 s of a cold apply to parse. Where this reader answers, its value
 * and line map equal the library's (YAML 1.1, as source.ts asks for): plain
 * scalars it cannot be sure are strings are resolved by the library itself,
 * one distinct text at a time. test/unit/topology/quick-yaml.test.ts compares
 * both on every topology in the corpus. */
import { type PathSegment, type SourceMap, defineKey, plainScalar, yaml } from './yaml-value.js';

/** Thrown inside the reader when the text is outside its subset. */
const DECLINE = Symbol('decline');

function decline(): never {
  throw DECLINE;
}

/** Where a node starts, and where its entries do (keys: the key's line). */
interface Pos {
  line: number;
  keys?: Map<string, { line: number; node: Pos }>;
  items?: Pos[];
}

interface Line {
  no: number;
  indent: number;
  /** From the first non-space character to the end of the line. */
  text: string;
}

// YAML 1.1 (yaml's yaml-1.1 schema): the plain scalars starting with a
// letter that are not strings are these keywords, and exponents without a
// mantissa: `e1` is a float there, whose value parseFloat makes NaN (a
// string field still gets "e1", from the GoScalar's source).
const TRUE = new Set(['Y', 'y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['N', 'n', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULL = new Set(['null', 'Null', 'NULL']);
const EXPONENT = /^[eE][-+]?[0-9]+$/;
/** A decimal integer that is exact as a number (and not octal: no leading 0). */
const DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/;
/** How a plain scalar may not start here: YAML indicators (`-1` may, `- 1` not). */
const INDICATOR = /^(?:[?:,[\]{}#&*!|>'"%@`]|-(?: |$))/;

/** Plain scalars resolved by the library, by text (a lab repeats many). */
const resolved = new Map<string, unknown>();

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The value of a plain scalar, exactly as yaml resolves it under YAML 1.1. */
function plain(text: string): unknown {
  if (isLetter(text.charCodeAt(0))) {
    if (EXPONENT.test(text)) return plainScalar(Number.NaN, text);
    if (TRUE.has(text)) return plainScalar(true, text);
    if (FALSE.has(text)) return plainScalar(false, text);
    return NULL.has(text) ? null : text;
  }
  if (DECIMAL.test(text)) return plainScalar(Number(text), text);
  if (resolved.has(text)) return resolved.get(text);
  // A number, an address, a time, ~: the library's own schema decides.
  const y = yaml();
  const doc = y.parseDocument(text, { version: '1.1' });
  const node = doc.contents;
  if (doc.errors.length || !y.isScalar(node) || node.type !== 'PLAIN' || node.source !== text) decline();
  const value = plainScalar(node.value, node.source);
  resolved.set(text, value);
  return value;
}

/** A quoted scalar starting at s[p]; returns its value and the index after it. */
function quoted(s: string, p: number): [string, number] {
  const q = s[p];
  let out = '';
  let from = p + 1;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (q === '"' && c === '\\') decline(); // escapes: the library's job
    if (c !== q) continue;
    if (q === "'" && s[i + 1] === "'") {
      out += s.slice(from, i + 1);
      from = ++i + 1;
      continue;
    }
    return [out + s.slice(from, i), i + 1];
  }
  return decline(); // not closed on this line
}

/** Declines unless what follows p is spaces, or spaces and a comment. */
function restIsComment(s: string, p: number): void {
  let i = p;
  while (s[i] === ' ') i++;
  if (i === s.length) return;
  if (s[i] === '#' && i > p) return;
  decline();
}

/** A mapping key at the start of `s` (a block entry or a compact one after
 * `- `): the key and the index after its `:`, or null when `s` is no entry. */
function entryKey(s: string): [string, number] | null {
  let key: string;
  let p: number;
  if (s[0] === '"' || s[0] === "'") {
    [key, p] = quoted(s, 0);
    while (s[p] === ' ') p++;
    if (s[p] !== ':' || (p + 1 < s.length && s[p + 1] !== ' ')) return null;
    return [key, p + 1];
  }
  if (s[0] === '{' || s[0] === '[') return null;
  for (p = 0; p < s.length; p++) {
    if (s[p] === '#' && p > 0 && s[p - 1] === ' ') return null;
    if (s[p] === ':' && (p + 1 === s.length || s[p + 1] === ' ')) break;
  }
  if (p === s.length) return null;
  key = s.slice(0, p).trimEnd();
  // Keys the library would compare as values (yes/true, 1/01) or merge (<<);
  // and `a:: b`, which no topology needs.
  if (key === '' || INDICATOR.test(key) || key.includes(':') || key === '<<' || typeof plain(key) !== 'string') decline();
  return [key, p + 1];
}

/** A dash that opens a block sequence entry. */
function isDash(s: string): boolean {
  return s[0] === '-' && (s.length === 1 || s[1] === ' ');
}

/** Flow collections and scalars within one line. */
class FlowReader {
  p = 0;
  constructor(
    private readonly s: string,
    private readonly line: number,
  ) {}

  private spaces(): void {
    while (this.s[this.p] === ' ') this.p++;
  }

  value(): [unknown, Pos] {
    this.spaces();
    const c = this.s[this.p];
    if (c === '{') return this.map();
    if (c === '[') return this.seq();
    if (c === '"' || c === "'") {
      const [v, end] = quoted(this.s, this.p);
      this.p = end;
      return [v, { line: this.line }];
    }
    return [plain(this.plainText()), { line: this.line }];
  }

  /** A plain scalar in flow context: up to a flow indicator or `: `. */
  private plainText(): string {
    const s = this.s;
    const start = this.p;
    for (; this.p < s.length; this.p++) {
      const c = s[this.p];
      if (c === ',' || c === '[' || c === ']' || c === '{' || c === '}') break;
      if (c === ':' && ' ,[]{}'.includes(s[this.p + 1] ?? ' ')) break;
      if (c === '#' && s[this.p - 1] === ' ') decline();
    }
    const text = s.slice(start, this.p).trimEnd();
    if (text === '' || INDICATOR.test(text)) decline();
    return text;
  }

  private seq(): [unknown[], Pos] {
    this.p++;
    const out: unknown[] = [];
    const items: Pos[] = [];
    this.spaces();
    if (this.s[this.p] === ']') {
      this.p++;
      return [out, { line: this.line, items }];
    }
    for (;;) {
      const [v, pos] = this.value();
      out.push(v);
      items.push(pos);
      this.spaces();
      const c = this.s[this.p++];
      if (c === ']') return [out, { line: this.line, items }];
      if (c !== ',') decline(); // `a: b` pairs in a sequence, or unclosed
      this.spaces();
      if (this.s[this.p] === ']') decline(); // a trailing comma
    }
  }

  private map(): [Record<string, unknown>, Pos] {
    this.p++;
    const out: Record<string, unknown> = {};
    const keys = new Map<string, { line: number; node: Pos }>();
    this.spaces();
    if (this.s[this.p] === '}') {
      this.p++;
      return [out, { line: this.line, keys }];
    }
    for (;;) {
      this.spaces();
      let key: string;
      if (this.s[this.p] === '"' || this.s[this.p] === "'") [key, this.p] = quoted(this.s, this.p);
      else {
        key = this.plainText();
        if (typeof plain(key) !== 'string' || key === '<<') decline();
      }
      this.spaces();
      if (this.s[this.p] !== ':' || keys.has(key)) decline();
      this.p++;
      this.spaces();
      let entry: [unknown, Pos];
      if (this.s[this.p] === ',' || this.s[this.p] === '}') entry = [null, { line: this.line }];
      else entry = this.value();
      defineKey(out, key, entry[0]);
      keys.set(key, { line: this.line, node: entry[1] });
      this.spaces();
      const c = this.s[this.p++];
      if (c === '}') return [out, { line: this.line, keys }];
      if (c !== ',') decline();
      this.spaces();
      if (this.s[this.p] === '}') decline();
    }
  }
}

/** Block structure, line by line. */
class BlockReader {
  private i = 0;
  constructor(private readonly lines: Line[]) {}

  document(): [unknown, Pos] {
    const first = this.lines[0];
    if (!first) decline(); // empty: the library says so
    const doc = this.block();
    if (this.i < this.lines.length) decline();
    return doc;
  }

  private block(): [unknown, Pos] {
    const l = this.lines[this.i]!;
    return isDash(l.text) ? this.seq(l.indent) : this.map(l.indent);
  }

  /** After a value that ended its line: a deeper line would continue it. */
  private ended(indent: number): void {
    const next = this.lines[this.i];
    if (next && next.indent > indent) decline();
  }

  /** A value written after `key: ` or `- `, up to the end of its line. */
  private inline(s: string, no: number): [unknown, Pos] {
    const c = s[0]!;
    if (c === '{' || c === '[' || c === '"' || c === "'") {
      const r = new FlowReader(s, no);
      const v = r.value();
      restIsComment(s, r.p);
      return v;
    }
    if (INDICATOR.test(s)) decline();
    const hash = s.indexOf(' #');
    const text = (hash < 0 ? s : s.slice(0, hash)).trimEnd();
    if (text.includes(': ') || text.endsWith(':')) decline();
    return [plain(text), { line: no }];
  }

  private seq(indent: number): [unknown[], Pos] {
    const out: unknown[] = [];
    const items: Pos[] = [];
    const start = this.lines[this.i]!.no;
    for (let l = this.lines[this.i]; l && l.indent === indent && isDash(l.text); l = this.lines[this.i]) {
      let k = 1;
      while (l.text[k] === ' ') k++;
      const rest = l.text.slice(k);
      let item: [unknown, Pos];
      if (rest === '' || rest[0] === '#') {
        this.i++;
        const next = this.lines[this.i];
        if (!next || next.indent <= indent) decline(); // an empty item
        item = this.block();
      } else if (isDash(rest)) {
        decline(); // `- - x`
      } else if (entryKey(rest)) {
        // `- key: value`: a mapping whose keys line up after the dash.
        this.lines[this.i] = { no: l.no, indent: indent + k, text: rest };
        item = this.map(indent + k);
      } else {
        item = this.inline(rest, l.no);
        this.i++;
        this.ended(indent);
      }
      out.push(item[0]);
      items.push(item[1]);
    }
    this.ended(indent);
    return [out, { line: start, items }];
  }

  private map(indent: number): [Record<string, unknown>, Pos] {
    const out: Record<string, unknown> = {};
    const keys = new Map<string, { line: number; node: Pos }>();
    const start = this.lines[this.i]!.no;
    for (let l = this.lines[this.i]; l && l.indent === indent && !isDash(l.text); l = this.lines[this.i]) {
      const entry = entryKey(l.text);
      if (!entry || keys.has(entry[0])) decline();
      const [key, after] = entry;
      let p = after;
      while (l.text[p] === ' ') p++;
      let value: [unknown, Pos];
      if (p === l.text.length || l.text[p] === '#') {
        this.i++;
        const next = this.lines[this.i];
        if (next && next.indent > indent) value = this.block();
        else if (next && next.indent === indent && isDash(next.text)) value = this.seq(indent);
        else value = [null, { line: l.no }];
      } else {
        value = this.inline(l.text.slice(p), l.no);
        this.i++;
        this.ended(indent);
      }
      defineKey(out, key, value[0]);
      keys.set(key, { line: l.no, node: value[1] });
    }
    this.ended(indent);
    return [out, { line: start, keys }];
  }
}

class QuickSourceMap implements SourceMap {
  constructor(private readonly root: Pos) {}

  /** The node at `path` (undefined if the path leaves the file), and the
   * line of the last entry found on the way. */
  private walk(path: readonly PathSegment[]): { node: Pos | undefined; line: number } {
    let node = this.root;
    let line = node.line;
    for (const seg of path) {
      const entry = node.keys?.get(String(seg));
      const item = typeof seg === 'number' ? node.items?.[seg] : undefined;
      const next = entry?.node ?? item;
      if (!next) return { node: undefined, line };
      line = entry ? entry.line : next.line;
      node = next;
    }
    return { node, line };
  }

  lineOf(path: readonly PathSegment[]): number | undefined {
    return this.walk(path).line;
  }

  keysOf(path: readonly PathSegment[]): string[] {
    const { node } = this.walk(path);
    return node?.keys ? [...node.keys.keys()] : [];
  }
}

/** Reads `text` if it is within this reader's subset: the plain value tree
 * (strings, GoScalars, null, arrays, objects) and its line map; else null. */
export function parseQuick(text: string): { value: unknown; lines: SourceMap } | null {
  if (text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff) return null;
  const lines: Line[] = [];
  const raw = text.split('\n');
  for (let n = 0; n < raw.length; n++) {
    const s = raw[n]!;
    let indent = 0;
    while (s.charCodeAt(indent) === 32) indent++;
    if (indent === s.length || s.charCodeAt(indent) === 35 /* # */) continue;
    lines.push({ no: n + 1, indent, text: s.slice(indent).trimEnd() });
  }
  try {
    const [value, root] = new BlockReader(lines).document();
    return { value, lines: new QuickSourceMap(root) };
  } catch (e) {
    if (e === DECLINE) return null;
    throw e;
  }
}
