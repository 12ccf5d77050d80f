/** The Go value model the template engine works on. Go distinguishes int from float64
 * and a missing value from nil; JavaScript does not, so:
 *
 * | Go                                   | here                          |
 * |--------------------------------------|-------------------------------|
 * | invalid reflect.Value ("no value")   | `undefined`                   |
 * | nil interface                        | `null`                        |
 * | int, int64, uint8 ...                | `bigint`                      |
 * | float64                              | `number`                      |
 * | string, bool                         | `string`, `boolean`           |
 * | slice                                | `GoValue[]`                   |
 * | map                                  | `GoMap`                       |
 * | pointer to a function namespace      | `GoObject` (strings, conv)    |
 */

export type GoValue = undefined | null | boolean | bigint | number | string | GoValue[] | GoMap | GoObject;

/** A map key: Go maps decoded from YAML (yaml.v2) may have int, bool or nil keys. */
export type GoKey = string | bigint | number | boolean | null;

/** A Go map. `keyType` is 'string' for map[string]interface{} (the top level of the vars)
 * and 'any' for map[interface{}]interface{} (every nested YAML map, as yaml.v2 decodes it):
 * encoding/json refuses the latter, which ToJSON shows. */
export class GoMap {
  constructor(
    readonly entries: Map<GoKey, GoValue>,
    readonly keyType: 'string' | 'any' = 'any',
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Keys in Go's fmtsort order (the order of range and of printing). */
  sortedKeys(): GoKey[] {
    return [...this.entries.keys()].sort(compareKeys);
  }

  typeName(): string {
    return this.keyType === 'string' ? 'map[string]interface {}' : 'map[interface {}]interface {}';
  }
}

/** A method is a Go function bound to a receiver. */
export interface GoMethods {
  readonly [name: string]: GoFunc;
}

/** A pointer to a struct whose methods templates call (containerlab's `strings` and `conv`). */
export class GoObject {
  constructor(
    readonly typeName: string,
    readonly methods: GoMethods,
  ) {}
}

/** How evalArg converts an argument for one parameter (Go's parameter types that matter here). */
export type ParamType = 'any' | 'value' | 'string' | 'int' | 'bool';

/** A Go function as templates see it: typed parameters, one result, maybe an error. */
export interface GoFunc {
  readonly params: readonly ParamType[];
  /** Element type of the final `...` parameter, when variadic (it is not in `params`). */
  readonly variadic?: ParamType;
  /** Throws FuncError for the function's error result. */
  readonly call: (args: GoValue[]) => GoValue;
}

/** The error result of a Go function (`error calling NAME: <message>`). */
export class FuncError extends Error {}

/** Element type names of slices that functions return typed ([]int64, []string). */
const sliceTypes = new WeakMap<GoValue[], string>();

/** Marks a slice with its Go type, for messages such as `%T` and `wrong type`. */
export function typedSlice<T extends GoValue[]>(arr: T, type: string): T {
  sliceTypes.set(arr, type);
  return arr;
}

/** The Go type name of a value, as reflect prints it. */
export function typeName(v: GoValue): string {
  if (v === undefined || v === null) return 'interface {}';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'string':
      return 'string';
  }
  if (Array.isArray(v)) return sliceTypes.get(v) ?? '[]interface {}';
  if (v instanceof GoMap) return v.typeName();
  return v.typeName;
}

/** Go's fmtsort order: numbers by value, strings by bytes, false before true, nil first;
 * keys of different types by a fixed type order (Go orders those by type address, which
 * no program can rely on). */
export function compareKeys(a: GoKey, b: GoKey): number {
  const ra = keyRank(a);
  const rb = keyRank(b);
  if (ra !== rb) return ra - rb;
  if (a === null || b === null) return 0;
  if (typeof a === 'string' && typeof b === 'string') return compareBytes(a, b);
  if (typeof a === 'boolean') return Number(a) - Number(b as boolean);
  const x = a as bigint | number;
  const y = b as bigint | number;
  return x < y ? -1 : x > y ? 1 : 0;
}

function keyRank(k: GoKey): number {
  if (k === null) return 0;
  switch (typeof k) {
    case 'boolean':
      return 1;
    case 'bigint':
      return 2;
    case 'number':
      return 3;
    default:
      return 4;
  }
}

/** Byte-wise (UTF-8) string order, as Go compares strings. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order equals UTF-8 order except across the surrogate range; fall back only then.
  if (/[\uD800-\uFFFF]/.test(a) || /[\uD800-\uFFFF]/.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}

/** Go's isTrue: the truth of if/with/and/or/not. `ok` is false for values with no truth. */
export function isTrue(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'bigint':
      return v !== 0n;
    case 'number':
      return v !== 0;
    case 'string':
      return v.length > 0;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoMap) return v.size > 0;
  return true; // a non-nil pointer
}

/** UTF-8 length of a string, which is what Go's len counts. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
