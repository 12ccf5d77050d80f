/** Go's encoding/json Marshal and MarshalIndent for template values, as containerlab's
 * ToJSON and ToJSONPretty call them: sorted object keys, HTML-safe escaping, Go's float
 * format, and an error for what Go cannot encode (map[interface{}]interface{} - every
 * nested map of a YAML vars file - NaN and Inf). */
import { formatFloat } from './strconv.js';
import { GoMap, GoObject, type GoValue, compareBytes } from './values.js';

/** Go refused to encode the value (json.UnsupportedTypeError / UnsupportedValueError). */
export class JsonError extends Error {}

/** A JSON string as Go writes it (escapes <, >, &, U+2028, U+2029). */
export function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '<':
      case '>':
      case '&':
      case '\u2028':
      case '\u2029':
        out += '\\u' + cp.toString(16).padStart(4, '0');
        continue;
    }
    out += cp < 0x20 ? '\\u' + cp.toString(16).padStart(4, '0') : ch;
  }
  return out + '"';
}

function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new JsonError(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  const abs = Math.abs(f);
  let s = formatFloat(f, abs !== 0 && (abs < 1e-6 || abs >= 1e21) ? 'e' : 'f', -1);
  s = s.replace(/e([+-])0(\d)$/, 'e$1$2'); // e-07 -> e-7, as Go cleans it up
  return s;
}

/** Encodes a value as compact JSON; `indent` given: as MarshalIndent(v, prefix, indent). */
export function marshal(v: GoValue, prefix?: string, indent?: string): string {
  const pretty = indent !== undefined;
  const nl = (depth: number): string => (pretty ? '\n' + (prefix ?? '') + indent!.repeat(depth) : '');
  const enc = (x: GoValue, depth: number): string => {
    if (x === undefined || x === null) return 'null';
    switch (typeof x) {
      case 'boolean':
        return String(x);
      case 'bigint':
        return x.toString();
      case 'number':
        return jsonFloat(x);
      case 'string':
        return jsonString(x);
    }
    if (x instanceof GoObject) return '{}';
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      return '[' + x.map((e) => nl(depth + 1) + enc(e, depth + 1)).join(',') + nl(depth) + ']';
    }
    const m = x as GoMap;
    if (m.keyType !== 'string') throw new JsonError(`json: unsupported type: ${m.typeName()}`);
    if (m.size === 0) return '{}';
    const keys = ([...m.entries.keys()] as string[]).sort(compareBytes);
    const sep = pretty ? ': ' : ':';
    return '{' + keys.map((k) => nl(depth + 1) + jsonString(k) + sep + enc(m.entries.get(k), depth + 1)).join(',') + nl(depth) + '}';
  };
  return enc(v, 0);
}
