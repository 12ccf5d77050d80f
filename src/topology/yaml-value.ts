/** What a parsed YAML source gives its readers, whichever parser read it
 * (src/topology/quick-yaml.ts or the `yaml` library in source.ts): plain
 * values with GoScalars, and a line map. */
import { createRequire } from 'node:module';

export type PathSegment = string | number;

/** A YAML scalar that is not a string (number, bool), kept with its text as written, so a
 * string field gets the text as containerlab's YAML decoder (Go yaml.v2) gives it:
 * `type: 5132` is "5132", `mac: 02:00:00:00:00:04` is not a base-60 number. */
export class GoScalar {
  constructor(
    readonly value: number | boolean | bigint,
    readonly source: string,
  ) {}
}

/** Maps key paths of a parsed document to 1-based lines. */
export interface SourceMap {
  /** Line of the key (for a mapping entry) or item (for a sequence entry) at `path`; the
   * nearest enclosing line when the path does not exist in the file (e.g. a merged key). */
  lineOf(path: readonly PathSegment[]): number | undefined;
  /** Keys of the mapping at `path`, in file order (empty when it is not a mapping). */
  keysOf(path: readonly PathSegment[]): string[];
}

/** A parsed scalar as the plain tree holds it: strings as they are, null, and
 * every other scalar as a GoScalar with its source text. */
export function plainScalar(value: unknown, source: string | undefined): unknown {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return new GoScalar(value, source ?? String(value));
  return String(value);
}

/** Sets a key as an own property, `__proto__` included. */
export function defineKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

let yamlLib: typeof import('yaml') | undefined;

/** The `yaml` library, loaded on first use: loading it costs 60 ms of a cold
 * start here, and a topology the quick reader takes never needs it. (Its
 * Node build is CommonJS, so it can be required where the caller is sync.) */
export function yaml(): typeof import('yaml') {
  yamlLib ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yamlLib;
}
