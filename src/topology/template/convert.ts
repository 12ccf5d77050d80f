/** The value conversions containerlab's template functions use (copied by containerlab
 * from gomplate's conv package; utils/template.go ToInt64, ToFloat64, ToString). */
import { formatDefault, sprint } from './fmt.js';
import { type NumError, floatToInt64, parseFloat64, parseInt64 } from './strconv.js';
import { FuncError, GoObject, type GoValue } from './values.js';

/** fmt's %v of a value inside an error message ("could not convert %v to int64"). */
function describe(v: GoValue): string {
  return v === undefined || v === null ? '<nil>' : v instanceof GoObject ? '&{}' : formatDefault(v);
}

function strToInt64(s: string): bigint {
  const str = s.replace(/,/g, '');
  try {
    return parseInt64(str);
  } catch {
    let f: number;
    try {
      f = parseFloat64(str);
    } catch (e) {
      throw new FuncError(`could not convert ${JSON.stringify(str)} to int64: ${(e as NumError).message}`);
    }
    return floatToInt64(f);
  }
}

function strToFloat64(s: string): number {
  const str = s.replace(/,/g, '');
  try {
    return Number(parseInt64(str));
  } catch {
    try {
      return parseFloat64(str);
    } catch (e) {
      throw new FuncError(`could not convert ${JSON.stringify(str)} to float64: ${(e as NumError).message}`);
    }
  }
}

/** ToInt64: strings (with commas, base prefixes, or a float), integers, floats
 * (truncated), booleans (0/1). */
export function toInt64(v: GoValue): bigint {
  if (typeof v === 'string') return strToInt64(v);
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return floatToInt64(v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  throw new FuncError(`could not convert ${describe(v)} to int64`);
}

/** ToFloat64: as toInt64, to float64. */
export function toFloat64(v: GoValue): number {
  if (typeof v === 'string') return strToFloat64(v);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new FuncError(`could not convert ${describe(v)} to float64`);
}

function isInt(s: string): boolean {
  try {
    parseInt64(s);
    return true;
  } catch {
    return false;
  }
}

/** isFloat: a float64, or a string that parses as a float but not as an int. */
export function isFloat(v: GoValue): boolean {
  if (typeof v === 'number') return true;
  if (typeof v !== 'string') return false;
  try {
    parseFloat64(v);
  } catch {
    return false;
  }
  return !isInt(v);
}

/** ToString: nil is "nil", strings as they are, anything else as fmt.Sprint prints it. */
export function toGoString(v: GoValue): string {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'string') return v;
  if (v instanceof GoObject) return '{}';
  return sprint([v]);
}
