/** containerlab's template functions (utils/template.go CreateFuncs, containerlab v0.79):
 * ToJSON, ToJSONPretty, add, subtract, mul, div, rem, seq, and the `strings` (Split,
 * ReplaceAll) and `conv` (Join, ToInt) namespaces. Same results, same error texts. */
import { isFloat, toFloat64, toGoString, toInt64 } from './convert.js';
import { JsonError, marshal } from './json.js';
import { wrapInt64 } from './strconv.js';
import { FuncError, type GoFunc, GoObject, type GoValue, typedSlice } from './values.js';

/** seq refuses to build more elements than this (Go would try, and exhaust memory). */
export const MAX_SEQ_LENGTH = 10_000_000;

/** A conversion failure as containerlab words it. */
function notANumber(e: unknown): never {
  if (e instanceof FuncError) throw new FuncError(`expected a number: ${e.message}`);
  throw e;
}

function int64Arg(v: GoValue): bigint {
  if (typeof v === 'bigint') return v;
  try {
    return toInt64(v);
  } catch (e) {
    return notANumber(e);
  }
}

function float64Arg(v: GoValue): number {
  try {
    return toFloat64(v);
  } catch (e) {
    return notANumber(e);
  }
}

/** add, subtract, mul: float64 when either operand is a float, int64 otherwise. */
function arith(op: (a: bigint, b: bigint) => bigint, fop: (a: number, b: number) => number): GoFunc {
  return {
    params: ['any', 'any'],
    call: (args) => {
      const a = args[0];
      const b = args[1];
      if (isFloat(a) || isFloat(b)) return fop(float64Arg(a), float64Arg(b));
      return wrapInt64(op(int64Arg(a), int64Arg(b)));
    },
  };
}

function seq(args: GoValue[]): GoValue {
  let start = 1n;
  let end = 0n;
  let step = 1n;
  const n = int64Arg;
  switch (args.length) {
    case 1:
      end = n(args[0]);
      break;
    case 2:
      start = n(args[0]);
      end = n(args[1]);
      break;
    case 3:
      start = n(args[0]);
      end = n(args[1]);
      step = n(args[2]);
      break;
    default:
      throw new FuncError(`expected 1, 2, or 3 arguments, got ${args.length}`);
  }
  if (step === 0n) return typedSlice([], '[]int64');
  // A step of the wrong sign is turned around; the end is aligned so the loop stops.
  if (end < start && step > 0n) step = -step;
  if (end > start && step < 0n) step = -step;
  end -= (end - start) % step;
  const count = (end - start) / step + 1n;
  if (count > BigInt(MAX_SEQ_LENGTH)) throw new FuncError(`sequence of ${count} numbers is too long (at most ${MAX_SEQ_LENGTH})`);
  const out: bigint[] = [];
  for (let v = start, i = 0n; i < count; i++, v += step) out.push(v);
  return typedSlice(out, '[]int64');
}

/** strings.Split semantics of Go: an empty separator splits into characters. */
function goSplit(s: string, sep: string): string[] {
  if (sep === '') return Array.from(s);
  return s.split(sep);
}

const stringFuncs = new GoObject('*utils.StringFuncs', {
  Split: {
    params: ['string', 'any'],
    call: ([sep, s]) => typedSlice(goSplit(toGoString(s), sep as string), '[]string'),
  },
  ReplaceAll: {
    params: ['string', 'string', 'any'],
    call: ([oldS, repl, s]) => {
      if (oldS === '') return toGoString(s);
      if (s === null || s === undefined) return '';
      return toGoString(s).split(oldS as string).join(repl as string);
    },
  },
});

const convFuncs = new GoObject('*utils.ConvFuncs', {
  Join: {
    params: ['any', 'string'],
    call: ([input, sep]) => {
      if (!Array.isArray(input)) throw new FuncError('input to Join must be an array: expected an array or slice, but got a reflect.Value');
      return input.map(toGoString).join(sep as string);
    },
  },
  ToInt: { params: ['any'], call: ([v]) => toInt64(v) },
});

/** containerlab's FuncMap. */
export const CLAB_FUNCS: Readonly<Record<string, GoFunc>> = {
  ToJSON: {
    params: ['any'],
    call: ([v]) => {
      try {
        return marshal(v);
      } catch (e) {
        if (e instanceof JsonError) return ''; // containerlab ignores the error
        throw e;
      }
    },
  },
  ToJSONPretty: {
    params: ['any', 'string', 'string'],
    call: ([v, prefix, indent]) => {
      try {
        return marshal(v, prefix as string, indent as string);
      } catch (e) {
        if (e instanceof JsonError) return '';
        throw e;
      }
    },
  },
  add: arith(
    (a, b) => a + b,
    (a, b) => a + b,
  ),
  subtract: arith(
    (a, b) => a - b,
    (a, b) => a - b,
  ),
  mul: arith(
    (a, b) => a * b,
    (a, b) => a * b,
  ),
  div: {
    params: ['any', 'any'],
    call: ([a, b]) => {
      const x = float64Arg(a);
      const y = float64Arg(b);
      if (y === 0) throw new FuncError('error: division by 0');
      return x / y;
    },
  },
  rem: {
    params: ['any', 'any'],
    call: ([a, b]) => {
      const x = int64Arg(a);
      const y = int64Arg(b);
      if (y === 0n) throw new FuncError('expected a number: divisor is zero');
      return wrapInt64(x % y);
    },
  },
  seq: { params: [], variadic: 'any', call: seq },
  strings: { params: [], call: () => stringFuncs },
  conv: { params: [], call: () => convFuncs },
};
