/** Go's fmt for template values: Sprint, Sprintln and Sprintf with the verbs templates use
 * (%v %s %d %q %x %X %o %b %c %U %t %f %F %e %E %g %G %T %%), flags (+ - # 0 space),
 * width, precision, `*` and explicit argument indexes, and Go's error forms
 * (%!d(string=x), %!v(MISSING), %!(EXTRA ...)). */
import { canBackquote, formatFloat, quote, quoteRune } from './strconv.js';
import { GoMap, GoObject, type GoValue, typeName } from './values.js';

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  wid?: number;
  prec?: number;
}

const noFlags = (): Flags => ({ plus: false, minus: false, sharp: false, space: false, zero: false });

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Pads to the width with spaces (or zeros when asked and allowed), left or right. */
function pad(s: string, f: Flags, zeroOK = false): string {
  if (f.wid === undefined) return s;
  const n = f.wid - runeCount(s);
  if (n <= 0) return s;
  if (f.minus) return s + ' '.repeat(n);
  return (f.zero && zeroOK ? '0' : ' ').repeat(n) + s;
}

function isNumberVerb(verb: string): boolean {
  return 'bcdoOqxXU'.includes(verb);
}

function fmtInteger(v: bigint, verb: string, f: Flags): string {
  const neg = v < 0n;
  const u = neg ? -v : v;
  if (verb === 'c') return pad(String.fromCodePoint(Number(u > 0x10ffffn ? 0xfffdn : u)), f);
  if (verb === 'q') return pad(quoteRune(Number(u > 0x10ffffn ? 0xfffdn : u)), f);
  if (verb === 'U') {
    let s = 'U+' + u.toString(16).toUpperCase().padStart(f.prec ?? 4, '0');
    if (f.sharp && u <= 0x10ffffn) s += ' ' + quoteRune(Number(u));
    return pad(s, f);
  }
  const base = verb === 'b' ? 2 : verb === 'o' || verb === 'O' ? 8 : verb === 'x' || verb === 'X' ? 16 : 10;
  let digits = u.toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  // Two ways to ask for leading zeros: %.3d, or %03d (then zero padding is a precision).
  let prec = 0;
  if (f.prec !== undefined) {
    prec = f.prec;
    if (prec === 0 && u === 0n) return pad('', { ...f, zero: false });
  } else if (f.zero && !f.minus && f.wid !== undefined) {
    prec = f.wid;
    if (neg || f.plus || f.space) prec--;
  }
  if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
  if (f.sharp) {
    if (base === 8 && digits[0] !== '0') digits = '0' + digits;
    else if (base === 16) digits = (verb === 'X' ? '0X' : '0x') + digits;
    else if (base === 2) digits = '0b' + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  return pad(sign + digits, { ...f, zero: false });
}

function fmtFloatVerb(v: number, verb: string, f: Flags): string {
  let s: string;
  switch (verb) {
    case 'v':
      s = formatFloat(v, 'g', f.prec ?? -1);
      break;
    case 'g':
    case 'G':
      s = formatFloat(v, verb, f.prec ?? -1);
      break;
    case 'f':
    case 'F':
      s = formatFloat(v, 'f', f.prec ?? 6);
      break;
    case 'e':
    case 'E':
      s = formatFloat(v, verb, f.prec ?? 6);
      break;
    default:
      return badVerb(verb, v);
  }
  if (s === 'NaN' || s === '+Inf' || s === '-Inf') {
    if (s === '+Inf' && !f.plus) s = f.space ? ' Inf' : 'Inf';
    else if (s === 'NaN' && (f.plus || f.space)) s = (f.plus ? '+' : ' ') + s;
    return pad(s, { ...f, zero: false });
  }
  if (f.plus && s[0] !== '-') s = '+' + s;
  else if (f.space && s[0] !== '-') s = ' ' + s;
  if (f.zero && !f.minus && f.wid !== undefined && f.wid > s.length) {
    const sign = s[0] === '-' || s[0] === '+' || s[0] === ' ' ? s[0] : '';
    const body = sign ? s.slice(1) : s;
    return sign + '0'.repeat(f.wid - s.length) + body;
  }
  return pad(s, f);
}

function hexString(s: string, upper: boolean, f: Flags): string {
  let bytes = Buffer.from(s, 'utf8');
  if (f.prec !== undefined && f.prec < bytes.length) bytes = bytes.subarray(0, f.prec);
  const parts: string[] = [];
  for (const b of bytes) {
    let h = b.toString(16).padStart(2, '0');
    if (upper) h = h.toUpperCase();
    parts.push(h);
  }
  const prefix = f.sharp ? (upper ? '0X' : '0x') : '';
  if (f.space) return pad(parts.map((p) => prefix + p).join(' '), f);
  return pad(prefix + parts.join(''), f);
}

function fmtString(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case 'v':
    case 's': {
      if (f.prec !== undefined) s = Array.from(s).slice(0, f.prec).join('');
      return pad(s, f);
    }
    case 'q': {
      if (f.prec !== undefined) s = Array.from(s).slice(0, f.prec).join('');
      return pad(f.sharp && canBackquote(s) ? '`' + s + '`' : quote(s, f.plus), f);
    }
    case 'x':
    case 'X':
      return hexString(s, verb === 'X', f);
    default:
      return badVerb(verb, s);
  }
}

function badVerb(verb: string, arg: GoValue): string {
  if (arg === null || arg === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(arg)}=${formatValue(arg, 'v', noFlags(), 0)})`;
}

/** Formats one value with a verb, recursing into slices and maps as fmt does. */
function formatValue(v: GoValue, verb: string, f: Flags, depth: number): string {
  if (v === null || v === undefined) {
    if (verb === 'v' || verb === 'T') return pad('<nil>', f);
    return badVerb(verb, v);
  }
  if (verb === 'T') return pad(typeName(v), f);
  switch (typeof v) {
    case 'boolean':
      return verb === 'v' || verb === 't' ? pad(String(v), f) : badVerb(verb, v);
    case 'bigint':
      if (verb === 'v' || verb === 'd') return fmtInteger(v, 'd', f);
      return isNumberVerb(verb) ? fmtInteger(v, verb, f) : badVerb(verb, v);
    case 'number':
      return fmtFloatVerb(v, verb, f);
    case 'string':
      return f.sharp && verb === 'v' ? pad(quote(v), f) : fmtString(v, verb, f);
  }
  if (v instanceof GoObject) {
    // A pointer to an empty struct: fmt prints &{} at the top level.
    return depth === 0 ? pad('&{}', f) : pad('0xc000010000', f);
  }
  // fmt applies the verb and its flags to each element.
  const inner = f;
  if (Array.isArray(v)) {
    const items = v.map((e) => formatValue(e, verb, inner, depth + 1));
    return '[' + items.join(' ') + ']';
  }
  const m = v as GoMap;
  const items = m.sortedKeys().map((k) => `${formatValue(k, verb, inner, depth + 1)}:${formatValue(m.entries.get(k), verb, inner, depth + 1)}`);
  return 'map[' + items.join(' ') + ']';
}

/** fmt.Sprint: operands formatted with %v, a space between two operands when neither is a string. */
export function sprint(args: readonly GoValue[]): string {
  let out = '';
  let prevString = false;
  args.forEach((a, i) => {
    const isString = typeof a === 'string';
    if (i > 0 && !isString && !prevString) out += ' ';
    out += formatValue(a, 'v', noFlags(), 0);
    prevString = isString;
  });
  return out;
}

/** fmt.Sprintln: operands with %v, always space separated, then a newline. */
export function sprintln(args: readonly GoValue[]): string {
  return args.map((a) => formatValue(a, 'v', noFlags(), 0)).join(' ') + '\n';
}

/** The plain %v text of a value (what an action prints). */
export function formatDefault(v: GoValue): string {
  return formatValue(v, 'v', noFlags(), 0);
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let goodArgNum = true;
  const end = format.length;
  let i = 0;

  // Parses [n] at i; returns the new argNum.
  const argIndex = (): void => {
    if (format[i] !== '[') return;
    reordered = true;
    const close = format.indexOf(']', i);
    const n = close < 0 ? NaN : Number(format.slice(i + 1, close));
    if (close < 0 || !/^[0-9]+$/.test(format.slice(i + 1, close)) || n < 1 || n > args.length) {
      goodArgNum = false;
      i = close < 0 ? end : close + 1;
      return;
    }
    argNum = n - 1;
    i = close + 1;
  };

  while (i < end) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f = noFlags();
    goodArgNum = true;
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
    }
    argIndex();
    if (format[i] === '*') {
      i++;
      const w = args[argNum++];
      if (typeof w === 'bigint') {
        f.wid = Number(w);
        if (f.wid < 0) {
          f.minus = true;
          f.zero = false;
          f.wid = -f.wid;
        }
      } else out += '%!(BADWIDTH)';
    } else {
      const m = /^[0-9]+/.exec(format.slice(i));
      if (m) {
        f.wid = Number(m[0]);
        i += m[0].length;
      }
    }
    if (format[i] === '.') {
      i++;
      argIndex();
      if (format[i] === '*') {
        i++;
        const p = args[argNum++];
        if (typeof p === 'bigint' && p >= 0n) f.prec = Number(p);
        else out += '%!(BADPREC)';
      } else {
        const m = /^[0-9]+/.exec(format.slice(i));
        f.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    argIndex();
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argNum++];
    if (verb === 'w') out += badVerb(verb, arg);
    else out += formatValue(arg, verb, f, 0);
  }
  if (!reordered && argNum < args.length) {
    const extra = args.slice(argNum).map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${formatDefault(a)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}
