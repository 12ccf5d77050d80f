/** Renders template text the way the topology loader does, for golden tests. */
import { XconnectError } from '../../../../src/errors.js';
import { decodeVars, renderTemplate } from '../../../../src/topology/template/index.js';
import type { GoValue } from '../../../../src/topology/template/values.js';

/** The variables most tests use, decoded as containerlab decodes a _vars.yml file. */
export const VARS_YAML = `name: lab
n: 3
f: 2.5
whole: 2.0
big: 12345678.0
flag: yes
empty: ""
nothing: ~
list: [a, b, c]
nums: [3, 1, 2]
emptylist: []
withnil: [a, ~]
m: {b: 2, a: 1, c: 3}
nested: {x: {z: deep}}
yaml11keys: {y: 1, n: 2, on: 3, k: 4}
ints: {10: ten, 2: two}
mixed: [1, two, true, 4.5, ~]
`;

export const VARS = decodeVars(VARS_YAML, 'vars.yml');

/** Renders `text` with VARS as the data. */
export function render(text: string, extra: { file: string; text: string }[] = []): string {
  return renderTemplate('t.gotmpl', text, VARS ?? undefined, extra);
}

/** Renders `text` with the given data (`undefined` is Go's nil data). */
export function renderWith(data: GoValue, text: string): string {
  return renderTemplate('t.gotmpl', text, data);
}

/** The error a rendering throws (fails the test when there is none). */
export function renderError(text: string): XconnectError {
  try {
    render(text);
  } catch (e) {
    if (e instanceof XconnectError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}
