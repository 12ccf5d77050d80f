/** Decodes a template variables file the way containerlab does (gopkg.in/yaml.v2 into
 * map[string]interface{}): YAML 1.1 plain scalars resolved by yaml.v2's rules (yes/no/on/off
 * are booleans, 0x1F and 017 are ints, 1.0 is a float, timestamps stay strings), nested
 * maps as map[interface{}]interface{}, merge keys, and a later duplicate key winning. */
import type { Document, Node as YamlNode } from 'yaml';
import { XconnectError } from '../../errors.js';
import { yaml } from '../yaml-value.js';
import { parseFloat64, parseInt64, parseUint64 } from './strconv.js';
import { type GoKey, GoMap, type GoValue } from './values.js';

const BOOL_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const BOOL_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** yaml.v2's resolve() for a plain scalar. */
export function resolvePlain(s: string): GoValue {
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (BOOL_TRUE.has(s)) return true;
  if (BOOL_FALSE.has(s)) return false;
  const special: Record<string, number> = {
    '.inf': Infinity,
    '.Inf': Infinity,
    '.INF': Infinity,
    '+.inf': Infinity,
    '+.Inf': Infinity,
    '+.INF': Infinity,
    '-.inf': -Infinity,
    '-.Inf': -Infinity,
    '-.INF': -Infinity,
    '.nan': NaN,
    '.NaN': NaN,
    '.NAN': NaN,
  };
  if (s in special) return special[s]!;
  if (!/^[-+.0-9]/.test(s)) return s;
  const plain = s.replace(/_/g, '');
  try {
    return parseInt64(plain);
  } catch {
    /* not an int64 */
  }
  try {
    return parseUint64(plain);
  } catch {
    /* not a uint64 */
  }
  if (YAML_FLOAT.test(plain)) {
    try {
      return parseFloat64(plain);
    } catch {
      /* not a float */
    }
  }
  for (const [prefix, sign] of [
    ['0b', 1n],
    ['-0b', -1n],
  ] as const) {
    if (plain.startsWith(prefix) && /^[01]+$/.test(plain.slice(prefix.length))) return sign * BigInt('0b' + plain.slice(prefix.length));
  }
  return s;
}

const TAGGED: Record<string, (s: string) => GoValue> = {
  'tag:yaml.org,2002:str': (s) => s,
  'tag:yaml.org,2002:null': () => null,
  'tag:yaml.org,2002:bool': (s) => resolvePlain(s),
  'tag:yaml.org,2002:int': (s) => resolvePlain(s),
  'tag:yaml.org,2002:float': (s) => {
    const v = resolvePlain(s);
    return typeof v === 'bigint' ? Number(v) : v;
  },
};

function toKey(v: GoValue): GoKey {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') return JSON.stringify(v); // a collection as a key: rare, kept as text
  return v;
}

function decode(node: unknown, doc: Document.Parsed): GoValue {
  const { isAlias, isMap, isScalar, isSeq } = yaml();
  if (isAlias(node)) return decode(node.resolve(doc), doc);
  if (node === null || node === undefined) return null;
  if (isScalar(node)) {
    const text = String(node.value ?? '');
    if (node.tag && TAGGED[node.tag]) return TAGGED[node.tag]!(text);
    return node.type === 'PLAIN' ? resolvePlain(text) : text;
  }
  if (isSeq(node)) return node.items.map((i) => decode(i, doc));
  if (isMap(node)) {
    const entries = new Map<GoKey, GoValue>();
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      if (isScalar(keyNode) && keyNode.type === 'PLAIN' && keyNode.value === '<<' && !keyNode.tag) {
        mergeInto(entries, pair.value, doc);
        continue;
      }
      entries.set(toKey(decode(keyNode, doc)), decode(pair.value, doc));
    }
    return new GoMap(entries, 'any');
  }
  return null;
}

/** `<<: *a` or `<<: [*a, *b]` (earlier maps in the list win, as yaml.v2 merges them). */
function mergeInto(entries: Map<GoKey, GoValue>, value: unknown, doc: Document.Parsed): void {
  const { isAlias, isSeq } = yaml();
  const target = isAlias(value) ? value.resolve(doc) : value;
  const sources = isSeq(target) ? [...target.items].reverse() : [target];
  for (const src of sources) {
    const m = decode(src, doc);
    if (m instanceof GoMap) for (const [k, v] of m.entries) entries.set(k, v);
  }
}

/** Parses the text of a vars file into map[string]interface{} (null for an empty file). */
export function decodeVars(text: string, file: string): GoMap | null {
  const { LineCounter, isAlias, isMap, isScalar, parseDocument } = yaml();
  const counter = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', schema: 'failsafe', lineCounter: counter, uniqueKeys: false, prettyErrors: true });
  const err = doc.errors[0];
  if (err) {
    throw new XconnectError('TOPOLOGY', `the template variables file is not valid YAML: ${(err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`, {
      file,
      line: err.linePos?.[0]?.line,
      hint: 'fix the YAML syntax of the variables file (indentation, quotes, brackets)',
    });
  }
  const root = isAlias(doc.contents) ? doc.contents.resolve(doc) : doc.contents;
  const value = decode(root, doc);
  if (value === null) return null;
  if (!(value instanceof GoMap) || !isMap(root)) {
    throw new XconnectError('TOPOLOGY', 'the template variables file must be a mapping of names to values', {
      file,
      line: 1,
      hint: 'write the variables as "name: value" lines at the top level',
    });
  }
  // The top level is map[string]interface{}: yaml.v2 keeps a key's text as written there
  // (so "n:" or "on:" stay names), while nested maps get resolved keys (y, n, on -> bool).
  const top = new Map<GoKey, GoValue>();
  for (const pair of root.items) {
    const keyNode = pair.key as YamlNode | null;
    if (isScalar(keyNode) && keyNode.type === 'PLAIN' && keyNode.value === '<<' && !keyNode.tag) {
      const merged = new Map<GoKey, GoValue>();
      mergeInto(merged, pair.value, doc);
      for (const [k, v] of merged) top.set(k === null ? '' : String(k), v);
      continue;
    }
    const key = isScalar(keyNode) ? String(keyNode.value ?? '') : String(toKey(decode(keyNode, doc)) ?? '');
    top.set(key, decode(pair.value, doc));
  }
  return new GoMap(top, 'string');
}
