/** Go text/template's predefined functions (text/template/funcs.go): and, or, not, len,
 * index, slice, print, printf, println, html, js, urlquery, call, eq, ne, lt, le, gt, ge.
 * and/or short-circuit and call are finished in the executor, which knows the nodes. */
import { sprint, sprintf, sprintln } from './fmt.js';
import { isPrint } from './strconv.js';
import { FuncError, type GoFunc, GoMap, GoObject, type GoValue, byteLength, isTrue, typeName } from './values.js';

const fail = (msg: string): never => {
  throw new FuncError(msg);
};

// ---- comparison ----

type Kind = 'invalid' | 'bool' | 'int' | 'float' | 'string';

function basicKind(v: GoValue): Kind {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  return 'invalid';
}

const isNil = (v: GoValue): boolean => v === undefined || v === null;

/** eq arg1 arg2 ...: true when arg1 equals any of the others. */
function eq(args: GoValue[]): GoValue {
  const [a, ...rest] = args;
  if (rest.length === 0) fail('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if (!isNil(a) && !isNil(b)) fail(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
    } else if (k1 !== 'invalid') {
      truth = a === b;
    } else if (isNil(a) || isNil(b)) {
      truth = isNil(a) === isNil(b);
    } else if (Array.isArray(b) || b instanceof GoMap || Array.isArray(a) || a instanceof GoMap) {
      if (Array.isArray(a) !== Array.isArray(b)) fail(`non-comparable types ${typeName(a)}, ${typeName(b)}`);
      fail(`non-comparable type ${typeName(b)}`);
    } else {
      truth = a === b; // the same namespace pointer
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: GoValue, b: GoValue): boolean {
  const k1 = basicKind(a);
  if (k1 === 'invalid') fail('invalid type for comparison');
  const k2 = basicKind(b);
  if (k2 === 'invalid') fail('invalid type for comparison');
  if (k1 !== k2) fail(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  if (k1 === 'bool') fail('invalid type for comparison');
  if (k1 === 'string') return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)) < 0;
  return (a as number | bigint) < (b as number | bigint);
}

function le(a: GoValue, b: GoValue): boolean {
  return lt(a, b) || (eq([a, b]) as boolean);
}

// ---- indexing ----

function indexArg(i: GoValue, cap: number): number {
  if (typeof i !== 'bigint') {
    if (isNil(i)) fail('cannot index slice/array with nil');
    fail(`cannot index slice/array with type ${typeName(i)}`);
  }
  const x = i as bigint;
  if (x < 0n || x > BigInt(cap)) fail(`index out of range: ${x}`);
  return Number(x);
}

function index(args: GoValue[]): GoValue {
  let item = args[0];
  if (isNil(item)) fail('index of untyped nil');
  for (const idx of args.slice(1)) {
    if (item === null) fail('index of nil pointer');
    if (typeof item === 'string') {
      const bytes = Buffer.from(item);
      const x = indexArg(idx, bytes.length);
      if (x === bytes.length) fail(`index out of range: ${x}`);
      item = BigInt(bytes[x]!);
    } else if (Array.isArray(item)) {
      const x = indexArg(idx, item.length);
      if (x === item.length) fail(`index out of range: ${x}`);
      item = item[x];
      if (item === undefined) item = null;
    } else if (item instanceof GoMap) {
      let key = idx;
      if (item.keyType === 'string') {
        if (isNil(key)) fail('value is nil; should be of type string');
        if (typeof key !== 'string') fail(`value has type ${typeName(key)}; should be string`);
      } else if (key === undefined) key = null;
      if (Array.isArray(key) || key instanceof GoMap) fail(`value has type ${typeName(key)}; should be interface {}`);
      const v = item.entries.get(key as string | bigint | number | boolean | null);
      item = v === undefined ? null : v; // the zero value of interface{}: nil
    } else {
      fail(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(args: GoValue[]): GoValue {
  const [item, ...idx] = args;
  if (isNil(item)) fail('slice of untyped nil');
  if (idx.length > 3) fail(`too many slice indexes: ${idx.length}`);
  let len: number;
  if (typeof item === 'string') {
    if (idx.length === 3) fail('cannot 3-index slice a string');
    len = byteLength(item);
  } else if (Array.isArray(item)) len = item.length;
  else return fail(`can't slice item of type ${typeName(item)}`);
  const bounds = [0, len, len];
  idx.forEach((v, i) => (bounds[i] = indexArg(v, len)));
  if (bounds[0]! > bounds[1]!) fail(`invalid slice index: ${bounds[0]} > ${bounds[1]}`);
  if (idx.length === 3 && bounds[1]! > bounds[2]!) fail(`invalid slice index: ${bounds[1]} > ${bounds[2]}`);
  if (typeof item === 'string') return Buffer.from(item).subarray(bounds[0], bounds[1]).toString('utf8');
  return (item as GoValue[]).slice(bounds[0], bounds[1]);
}

function length(args: GoValue[]): GoValue {
  const v = args[0];
  if (v === null) fail('len of nil pointer');
  if (v === undefined) fail('reflect: call of reflect.Value.Type on zero Value');
  if (typeof v === 'string') return BigInt(byteLength(v));
  if (Array.isArray(v)) return BigInt(v.length);
  if (v instanceof GoMap) return BigInt(v.size);
  return fail(`len of type ${v instanceof GoObject ? v.typeName.replace(/^\*/, '') : typeName(v)}`);
}

// ---- escaping ----

/** The text of html/js/urlquery arguments: fmt.Sprint, with missing values as "<no value>". */
function evalArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (isNil(a) ? '<no value>' : a instanceof GoObject ? '{}' : a)));
}

/** HTMLEscapeString. */
export function htmlEscape(s: string): string {
  return s.replace(/["'&<>\0]/g, (c) => ({ '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;', '\0': '\uFFFD' })[c]!);
}

/** JSEscapeString. */
export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (cp < 0x20) out += '\\u00' + cp.toString(16).toUpperCase().padStart(2, '0');
    else if (cp < 0x80 || isPrint(ch)) out += ch;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// ---- the table ----

const fn = (params: GoFunc['params'], call: GoFunc['call'], variadic?: GoFunc['variadic']): GoFunc => (variadic ? { params, call, variadic } : { params, call });

/** The builtins, by name. */
export const BUILTINS: Readonly<Record<string, GoFunc>> = {
  and: fn(['value'], () => fail('unreachable'), 'value'),
  or: fn(['value'], () => fail('unreachable'), 'value'),
  not: fn(['value'], ([a]) => !isTrue(a)),
  len: fn(['value'], length),
  index: fn(['value'], index, 'value'),
  slice: fn(['value'], slice, 'value'),
  print: fn([], (a) => sprint(a), 'any'),
  printf: fn(['string'], ([f, ...a]) => sprintf(f as string, a), 'any'),
  println: fn([], (a) => sprintln(a), 'any'),
  html: fn([], (a) => htmlEscape(evalArgs(a)), 'any'),
  js: fn([], (a) => jsEscape(evalArgs(a)), 'any'),
  urlquery: fn([], (a) => queryEscape(evalArgs(a)), 'any'),
  // Templates here get no function values (vars come from YAML), so call always fails as Go would.
  call: fn(
    ['value'],
    ([name, f]) => {
      if (isNil(f)) fail('call of nil');
      return fail(`non-function ${String(name)} of type ${f instanceof GoObject ? f.typeName : typeName(f)}`);
    },
    'value',
  ),
  eq: fn(['value'], eq, 'value'),
  ne: fn(['value', 'value'], ([a, b]) => !eq([a, b])),
  lt: fn(['value', 'value'], ([a, b]) => lt(a, b)),
  le: fn(['value', 'value'], ([a, b]) => le(a, b)),
  gt: fn(['value', 'value'], ([a, b]) => !le(a, b)),
  ge: fn(['value', 'value'], ([a, b]) => !lt(a, b)),
};
