/** Runs a zod schema over a plain YAML tree and turns the first failure (in file order)
 * into an XconnectError naming file, line, key path and offending value. */
import type { z } from 'zod';
import { type ErrorCode, XconnectError } from '../errors.js';
import { GoScalar, type PathSegment, type SourceMap, formatPath, unwrap } from './source.js';

export interface SourceContext {
  file: string;
  lines: SourceMap;
}

/** Short human rendering of a value for messages. */
export function show(value: unknown): string {
  if (value instanceof GoScalar) return value.source;
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  const s = JSON.stringify(unwrap(value)) ?? String(value);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function kindOf(value: unknown): string {
  if (value instanceof GoScalar) return typeof value.value === 'boolean' ? 'a boolean' : 'a number';
  if (value === undefined || value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || v instanceof GoScalar) return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** Validates `value` (found at `base` in the file) with `schema`; throws on the first issue. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  base: readonly PathSegment[],
  ctx: SourceContext,
  code: ErrorCode = 'TOPOLOGY',
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const found = r.error.issues.map((issue) => {
    const rel = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const path = issue.code === 'unrecognized_keys' ? [...base, ...rel, issue.keys[0] ?? ''] : [...base, ...rel];
    return { issue, path, rel, line: ctx.lines.lineOf(path) ?? 0 };
  });
  // First in file order; a missing key last (an unknown key often explains it).
  const missing = (f: (typeof found)[number]): number => (f.issue.code === 'invalid_type' && valueAt(value, f.rel) == null ? 1 : 0);
  found.sort((a, b) => missing(a) - missing(b) || a.line - b.line);
  const { issue, path, rel, line } = found[0]!;
  const where = formatPath(path);
  const last = path[path.length - 1];
  const input = valueAt(value, rel);
  let message: string;
  let hint: string;
  let shown: unknown = input instanceof GoScalar ? input.source : input;
  switch (issue.code) {
    case 'unrecognized_keys':
      message = `unknown key "${String(last)}"`;
      shown = last;
      hint = `containerlab reads topology files strictly and rejects it: remove it or fix the spelling (${issue.message})`;
      break;
    case 'invalid_type':
      if (input === undefined || input === null) {
        message = `missing required key "${String(last)}"`;
        hint = `add "${String(last)}:" here`;
      } else {
        message = `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${kindOf(input)} ${show(input)}`;
        hint = 'containerlab decodes this key into that type; fix the value';
      }
      break;
    case 'invalid_value':
      message = `invalid value ${show(input)}`;
      hint = `use one of: ${issue.values.map(String).join(', ')}`;
      break;
    default:
      message = `invalid value ${show(input)}: ${issue.message}`;
      hint = 'fix the value';
  }
  throw new XconnectError(code, message, { file: ctx.file, line: line || undefined, path: where, value: shown, hint });
}
