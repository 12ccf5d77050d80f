/** Reading a YAML source file: text checks, YAML parsing with line numbers, and a plain
 * value tree for validation. Shared by the containerlab loader and the xdp-xconnect
 * config reader. */
import { readFileSync } from 'node:fs';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { XconnectError } from '../errors.js';
import { parseQuick } from './quick-yaml.js';
import { GoScalar, type PathSegment, type SourceMap, defineKey, plainScalar, yaml } from './yaml-value.js';

export { GoScalar, type PathSegment, type SourceMap } from './yaml-value.js';

/** Aliases may expand at most this much (yaml's maxAliasCount): alias bombs fail fast. */
export const MAX_ALIAS_COUNT = 100;

/** `topology.links[2].endpoints[0]`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function keyText(key: unknown): string | undefined {
  if (!yaml().isScalar(key)) return undefined;
  if (typeof key.value === 'string') return key.value;
  if (typeof key.value === 'symbol') return '<<';
  return key.source ?? String(key.value);
}

/** Maps key paths of a document parsed by the `yaml` library to 1-based lines. */
class DocumentLines implements SourceMap {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly counter: LineCounter,
  ) {}

  private line(node: { range?: [number, number, number] | null } | null | undefined): number | undefined {
    const start = node?.range?.[0];
    return start === undefined ? undefined : this.counter.linePos(start).line;
  }

  private deref(node: unknown): unknown {
    return yaml().isAlias(node) ? node.resolve(this.doc) : node;
  }

  lineOf(path: readonly PathSegment[]): number | undefined {
    const { isMap, isSeq } = yaml();
    let node: unknown = this.doc.contents;
    let line = this.line(node as YamlNode | null);
    for (const seg of path) {
      node = this.deref(node);
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === String(seg));
        if (!pair) break;
        line = this.line(pair.key as YamlNode) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) break;
        line = this.line(item as YamlNode) ?? line;
        node = item;
      } else break;
    }
    return line;
  }

  keysOf(path: readonly PathSegment[]): string[] {
    const { isMap, isSeq } = yaml();
    let node: unknown = this.doc.contents;
    for (const seg of path) {
      node = this.deref(node);
      if (isMap(node)) node = node.items.find((p) => keyText(p.key) === String(seg))?.value;
      else if (isSeq(node) && typeof seg === 'number') node = node.items[seg];
      else return [];
    }
    node = this.deref(node);
    if (!isMap(node)) return [];
    return node.items.map((p) => keyText(p.key)).filter((k): k is string => k !== undefined && k !== '<<');
  }
}

export interface YamlSource {
  /** The path as the caller gave it (used in messages). */
  file: string;
  /** The text that was parsed. */
  text: string;
  /** Plain value tree: strings, GoScalar for other scalars, null, arrays, objects. */
  value: unknown;
  lines: SourceMap;
}

/** Reads a file as UTF-8 text; a missing or unreadable file is a TOPOLOGY error. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new XconnectError('TOPOLOGY', `cannot read the file: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, {
      file,
      errnoName: err.code,
      hint: 'check the path given with -t',
      cause: e,
    });
  }
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/** Parses YAML text (YAML 1.1, as Go's yaml.v2 which containerlab uses) into a plain tree
 * with a line map. Errors: not text, syntax errors, duplicate keys, several documents,
 * an empty file, excessive aliases. The quick reader takes what it can (most
 * topologies, and every big generated one); the `yaml` library the rest, and
 * every error. */
export function parseYamlText(text: string, file: string): YamlSource {
  const ctrl = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/.exec(text);
  if (ctrl) {
    const line = text.slice(0, ctrl.index).split('\n').length;
    throw new XconnectError('TOPOLOGY', `not a YAML text file: control character U+${ctrl[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`, {
      file,
      line,
      hint: 'pass a containerlab topology file (*.clab.yml) or an xdp-xconnect config',
    });
  }
  const quick = parseQuick(text);
  return quick ? { file, text, ...quick } : parseWithLibrary(text, file);
}

/** parseYamlText with the `yaml` library (the text has passed the text checks). */
export function parseWithLibrary(text: string, file: string): YamlSource {
  const counter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { version: '1.1', lineCounter: counter, uniqueKeys: true, prettyErrors: true });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line;
    const dup = err.code === 'DUPLICATE_KEY';
    throw new XconnectError('TOPOLOGY', dup ? 'a key is defined more than once' : `not valid YAML: ${firstLine(err.message)}`, {
      file,
      line,
      hint: dup
        ? 'remove or rename the duplicate key (containerlab rejects duplicate keys too)'
        : err.code === 'MULTIPLE_DOCS'
          ? 'keep one YAML document per file'
          : 'fix the YAML syntax (indentation, quotes, brackets)',
    });
  }
  if (doc.contents === null) {
    throw new XconnectError('TOPOLOGY', 'the file is empty', {
      file,
      hint: 'a topology needs at least "name:" and "topology:"',
    });
  }
  try {
    // Bounded alias expansion guard: throws before anything expands
    // exponentially. It builds the whole value once more, so only a document
    // with aliases pays for it (a 1,000-link lab has none: 30 ms saved); an
    // alias is written `*name`, so a text without `*` has none.
    if (text.includes('*') && hasAlias(doc)) doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (e instanceof ReferenceError || e instanceof RangeError) {
      throw new XconnectError('TOPOLOGY', 'YAML aliases expand too much (more than ' + MAX_ALIAS_COUNT + ' alias expansions): refusing a possible alias bomb', {
        file,
        hint: 'write the repeated parts out or use fewer aliases',
        cause: e,
      });
    }
    throw e;
  }
  const lines = new DocumentLines(doc, counter);
  const value = toPlain(doc.contents, doc, [], file, lines);
  return { file, text, value, lines };
}

function hasAlias(doc: Document.Parsed): boolean {
  const { visit } = yaml();
  let found = false;
  visit(doc, {
    Alias() {
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

function toPlain(node: unknown, doc: Document.Parsed, path: PathSegment[], file: string, lines: SourceMap): unknown {
  const { isAlias, isMap, isScalar, isSeq } = yaml();
  if (isAlias(node)) return toPlain(node.resolve(doc), doc, path, file, lines);
  if (node === null || node === undefined) return null;
  if (isScalar(node)) return plainScalar(node.value, node.source);
  if (isSeq(node)) return node.items.map((item, i) => toPlain(item, doc, [...path, i], file, lines));
  if (isMap(node)) {
    const obj: Record<string, unknown> = {};
    const merges: unknown[] = [];
    for (const pair of node.items) {
      const key = keyText(pair.key);
      if (key === undefined) {
        throw new XconnectError('TOPOLOGY', 'mapping keys must be plain scalars', {
          file,
          line: lines.lineOf(path),
          path: formatPath(path),
          hint: 'use a string key',
        });
      }
      if (isScalar(pair.key) && typeof pair.key.value === 'symbol') {
        merges.push(pair.value);
        continue;
      }
      defineKey(obj, key, toPlain(pair.value, doc, [...path, key], file, lines));
    }
    for (const m of merges) {
      const src = toPlain(m, doc, path, file, lines);
      for (const part of Array.isArray(src) ? src : [src]) {
        if (part && typeof part === 'object' && !(part instanceof GoScalar)) {
          for (const [k, v] of Object.entries(part)) if (!Object.hasOwn(obj, k)) defineKey(obj, k, v);
        }
      }
    }
    return obj;
  }
  return null;
}

/** Converts GoScalars back to plain JS values (for free-form maps such as link vars). */
export function unwrap(value: unknown): unknown {
  if (value instanceof GoScalar) return typeof value.value === 'bigint' ? Number(value.value) : value.value;
  if (Array.isArray(value)) return value.map(unwrap);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) defineKey(out, k, unwrap(v));
    return out;
  }
  return value;
}
