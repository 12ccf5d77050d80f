/** The parts of Go's strconv that templates and containerlab's functions depend on:
 * integer and float parsing with Go's syntax (base prefixes, underscores), string
 * quoting and unquoting, and float formatting with Go's exact rounding. */

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
const MAX_UINT64 = (1n << 64n) - 1n;

/** A strconv error: `strconv.ParseInt: parsing "x": invalid syntax`. */
export class NumError extends Error {
  constructor(fn: string, input: string, reason: 'invalid syntax' | 'value out of range') {
    super(`strconv.${fn}: parsing ${quote(input)}: ${reason}`);
  }
}

/** Go's underscoreOK: underscores only between digits, or after a base prefix. */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && /[bBoOxX]/.test(s[1]!)) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** Parses an unsigned integer with base 0 rules; `null` on bad syntax. */
function parseMagnitude(s: string): bigint | null {
  if (s === '') return null;
  let base = 10;
  let digits = s;
  if (s[0] === '0' && s.length > 1) {
    const p = s[1]!.toLowerCase();
    if (p === 'x') [base, digits] = [16, s.slice(2)];
    else if (p === 'o') [base, digits] = [8, s.slice(2)];
    else if (p === 'b') [base, digits] = [2, s.slice(2)];
    else [base, digits] = [8, s.slice(1)];
  }
  if (s.includes('_')) {
    if (!underscoreOK(s)) return null;
    digits = digits.replace(/_/g, '');
  }
  if (digits === '') return null;
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base as 2 | 8 | 10 | 16];
  if (!valid.test(digits)) return null;
  const prefix = { 2: '0b', 8: '0o', 10: '', 16: '0x' }[base as 2 | 8 | 10 | 16];
  return BigInt(prefix + digits);
}

/** strconv.ParseInt(s, 0, 64). */
export function parseInt64(s: string): bigint {
  let body = s;
  let neg = false;
  if (body[0] === '+' || body[0] === '-') {
    neg = body[0] === '-';
    body = body.slice(1);
  }
  const mag = parseMagnitude(body);
  if (mag === null) throw new NumError('ParseInt', s, 'invalid syntax');
  const v = neg ? -mag : mag;
  if (v > MAX_INT64 || v < MIN_INT64) throw new NumError('ParseInt', s, 'value out of range');
  return v;
}

/** strconv.ParseUint(s, 0, 64). */
export function parseUint64(s: string): bigint {
  const mag = parseMagnitude(s);
  if (mag === null) throw new NumError('ParseUint', s, 'invalid syntax');
  if (mag > MAX_UINT64) throw new NumError('ParseUint', s, 'value out of range');
  return mag;
}

const DEC_FLOAT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]((?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+))[pP]([+-]?[0-9]+)$/;

/** strconv.ParseFloat(s, 64): decimal, hexadecimal (with p exponent), inf, infinity, nan. */
export function parseFloat64(s: string): number {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') {
      if (special[1]) throw new NumError('ParseFloat', s, 'invalid syntax');
      return NaN;
    }
    return special[1] === '-' ? -Infinity : Infinity;
  }
  let body = s;
  if (s.includes('_')) {
    if (!underscoreOK(s)) throw new NumError('ParseFloat', s, 'invalid syntax');
    body = s.replace(/_/g, '');
  }
  const hex = HEX_FLOAT.exec(body);
  if (hex) {
    const [int = '', frac = ''] = hex[2]!.split('.');
    const mant = Number(BigInt('0x' + (int + frac || '0')));
    const v = mant * 2 ** (Number(hex[3]) - 4 * frac.length);
    if (!Number.isFinite(v)) throw new NumError('ParseFloat', s, 'value out of range');
    return hex[1] === '-' ? -v : v;
  }
  if (!DEC_FLOAT.test(body)) throw new NumError('ParseFloat', s, 'invalid syntax');
  const v = Number(body);
  if (!Number.isFinite(v)) throw new NumError('ParseFloat', s, 'value out of range');
  return v;
}

/** Go's unicode.IsPrint, close enough for quoting: letters, marks, numbers, punctuation,
 * symbols and the ASCII space. */
export function isPrint(ch: string): boolean {
  return ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

/** strconv.Quote: a double-quoted Go string literal. */
export function quote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (cp < 0x80 ? cp >= 0x20 && cp < 0x7f : !asciiOnly && isPrint(ch)) out += ch;
    else out += escapeRune(cp);
  }
  return out + '"';
}

/** strconv.QuoteRune: a single-quoted Go character literal. */
export function quoteRune(cp: number): string {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  const ch = String.fromCodePoint(cp);
  if (ch === "'" || ch === '\\') return `'\\${ch}'`;
  if (cp < 0x80 ? cp >= 0x20 && cp < 0x7f : isPrint(ch)) return `'${ch}'`;
  return `'${escapeRune(cp)}'`;
}

function escapeRune(cp: number): string {
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };
  if (named[cp]) return named[cp]!;
  if (cp < 0x80 && (cp < 0x20 || cp === 0x7f)) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/** strconv.CanBackquote: the string can be a raw string literal. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '`' || ch === '\uFEFF' || (cp < 0x20 && ch !== '\t') || cp === 0x7f) return false;
  }
  return true;
}

/** Reads one (possibly escaped) character of a quoted literal; returns the code point
 * and the rest. Throws on a bad escape (Go: invalid syntax). */
export function unquoteChar(s: string, q: string): { cp: number; rest: string } {
  const c = s[0];
  if (c === undefined) throw new SyntaxError('invalid syntax');
  if (c === q && (q === "'" || q === '"')) throw new SyntaxError('invalid syntax');
  if (c !== '\\') {
    const cp = s.codePointAt(0)!;
    return { cp, rest: s.slice(cp > 0xffff ? 2 : 1) };
  }
  const e = s[1];
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
  if (e === undefined) throw new SyntaxError('invalid syntax');
  if (simple[e] !== undefined) return { cp: simple[e]!, rest: s.slice(2) };
  if (e === "'" || e === '"') {
    if (e !== q) throw new SyntaxError('invalid syntax');
    return { cp: e.charCodeAt(0), rest: s.slice(2) };
  }
  const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
  if (hexLen) {
    const h = s.slice(2, 2 + hexLen);
    if (h.length !== hexLen || !/^[0-9a-fA-F]+$/.test(h)) throw new SyntaxError('invalid syntax');
    const cp = parseInt(h, 16);
    if (e !== 'x' && (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) throw new SyntaxError('invalid syntax');
    return { cp, rest: s.slice(2 + hexLen) };
  }
  if (/[0-7]/.test(e)) {
    const o = s.slice(1, 4);
    if (!/^[0-7]{3}$/.test(o) || parseInt(o, 8) > 255) throw new SyntaxError('invalid syntax');
    return { cp: parseInt(o, 8), rest: s.slice(4) };
  }
  throw new SyntaxError('invalid syntax');
}

/** strconv.Unquote for "..." and `...` literals. `\x` escapes above 0x7f are bytes in Go;
 * here they become the code point of the same number. */
export function unquote(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q) throw new SyntaxError('invalid syntax');
  const body = lit.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new SyntaxError('invalid syntax');
    return body.replace(/\r/g, '');
  }
  if (q !== '"') throw new SyntaxError('invalid syntax');
  let out = '';
  let rest = body;
  while (rest.length > 0) {
    if (rest[0] === '\n') throw new SyntaxError('invalid syntax');
    const r = unquoteChar(rest, '"');
    out += String.fromCodePoint(r.cp);
    rest = r.rest;
  }
  return out;
}

// ---- float formatting -------------------------------------------------------------

/** The exact decimal expansion of a finite double: value = 0.d1d2d3... x 10^point. */
interface Decimal {
  digits: string; // no leading zeros; '' for zero
  point: number;
}

function exactDecimal(v: number): Decimal {
  if (v === 0) return { digits: '', point: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(v));
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e2: number;
  if (exp === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = exp - 1075;
  }
  let digits: string;
  let point: number;
  if (e2 >= 0) {
    digits = (mant << BigInt(e2)).toString();
    point = digits.length;
  } else {
    // mant / 2^-e2 = mant * 5^-e2 / 10^-e2
    const scaled = mant * 5n ** BigInt(-e2);
    digits = scaled.toString();
    point = digits.length - -e2;
  }
  const trimmed = digits.replace(/0+$/, '');
  const lead = trimmed.length - trimmed.replace(/^0+/, '').length;
  return { digits: trimmed.slice(lead), point: point - lead };
}

/** Rounds to `nd` significant digits, half to even on the exact value (Go's rounding). */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0) return { digits: '', point: d.point };
  if (d.digits.length <= nd) return d;
  const keep = d.digits.slice(0, nd);
  const next = d.digits.charCodeAt(nd) - 48;
  const restNonZero = /[1-9]/.test(d.digits.slice(nd + 1));
  const last = nd > 0 ? d.digits.charCodeAt(nd - 1) - 48 : 0;
  const up = next > 5 || (next === 5 && (restNonZero || last % 2 === 1));
  if (!up) return { digits: keep.replace(/0+$/, ''), point: d.point };
  if (keep === '') return { digits: '1', point: d.point + 1 };
  let n = (BigInt(keep) + 1n).toString();
  let point = d.point;
  if (n.length > keep.length) point++;
  n = n.replace(/0+$/, '');
  return { digits: n, point };
}

/** Shortest digits that read back to the same double (as Go's shortest mode). */
function shortestDecimal(v: number): Decimal {
  if (v === 0) return { digits: '', point: 0 };
  const [m, e] = Math.abs(v).toExponential().split('e');
  const digits = m!.replace('.', '').replace(/0+$/, '');
  return { digits, point: Number(e) + 1 };
}

function fmtE(neg: boolean, d: Decimal, prec: number, e: 'e' | 'E'): string {
  let s = neg ? '-' : '';
  const first = d.digits[0] ?? '0';
  s += first;
  if (prec > 0) s += '.' + d.digits.slice(1, 1 + prec).padEnd(prec, '0');
  const exp = d.digits === '' ? 0 : d.point - 1;
  const ae = Math.abs(exp);
  return s + e + (exp < 0 ? '-' : '+') + (ae < 10 ? '0' : '') + ae;
}

function fmtF(neg: boolean, d: Decimal, prec: number): string {
  let s = neg ? '-' : '';
  if (d.point > 0) s += d.digits.slice(0, d.point).padEnd(d.point, '0');
  else s += '0';
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) {
      const j = d.point + i;
      s += j < 0 || j >= d.digits.length ? '0' : d.digits[j];
    }
  }
  return s;
}

/** strconv.FormatFloat(v, fmt, prec, 64) for fmt in e, E, f, g, G; prec -1 is shortest. */
export function formatFloat(v: number, fmt: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(v);
    const nd = d.digits.length;
    if (fmt === 'e' || fmt === 'E') prec = Math.max(nd - 1, 0);
    else if (fmt === 'f') prec = Math.max(nd - d.point, 0);
    else prec = nd;
  } else {
    const exact = exactDecimal(v);
    if (fmt === 'e' || fmt === 'E') d = roundDecimal(exact, prec + 1);
    else if (fmt === 'f') d = roundDecimal(exact, exact.point + prec);
    else {
      if (prec === 0) prec = 1;
      d = roundDecimal(exact, prec);
    }
  }
  if (fmt === 'e' || fmt === 'E') return fmtE(neg, d, prec, fmt);
  if (fmt === 'f') return fmtF(neg, d, prec);
  // %g: exponent form when the exponent is < -4 or >= the precision.
  let eprec = prec;
  const nd = d.digits.length;
  if (eprec > nd && nd >= d.point) eprec = nd;
  if (shortest) eprec = 6;
  const exp = d.digits === '' ? 0 : d.point - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = nd;
    return fmtE(neg, d, prec - 1, fmt === 'g' ? 'e' : 'E');
  }
  if (prec > d.point) prec = nd;
  return fmtF(neg, d, Math.max(prec - d.point, 0));
}

/** Go's int64(f) conversion as amd64 does it: out of range and NaN give MinInt64. */
export function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 9223372036854775808 || f < -9223372036854775808) return MIN_INT64;
  return BigInt(Math.trunc(f));
}

/** Wraps a bigint to int64, as Go's integer arithmetic does on overflow. */
export function wrapInt64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

export { MAX_INT64, MIN_INT64 };
