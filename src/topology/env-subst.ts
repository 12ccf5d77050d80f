/** Environment variable substitution with containerlab's semantics (v0.79 core/file.go:
 * hellt/envsubst with NoReplace and NoDigit set). Runs on the raw file text before YAML
 * parsing, exactly where containerlab runs it.
 *
 * - `$VAR`, `${VAR}`: the value; unset OR empty leaves `$VAR` in the text (braces dropped,
 *   as envsubst's NoReplace does).
 * - `${VAR:-x}`, `${VAR:=x}`: the value when set and non-empty, else `x`.
 * - `${VAR-x}`, `${VAR=x}`: `x` when unset, else the value (empty value leaves `$VAR`).
 * - `${VAR+x}`, `${VAR:+x}`: `x` when set (even empty), else the empty string.
 * - The default `x` is literal text, or a variable when it is exactly `$NAME`.
 * - `$$` is an escaped `$`; `$1`, `${1}` (a digit first) stay as written; `$_` stays.
 * - A `${` whose `}` is missing on the same line is an error, as in containerlab.
 * Nested expressions in a default (`${A:=${B}}`) are not supported and stay literal. */
import { XconnectError } from '../errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

const isNameChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && /\p{Nd}/u.test(c);

/** Value of a bare variable under NoReplace: unset or empty keeps `$NAME`. */
function variable(name: string, env: Env): string {
  const v = env[name];
  return v === undefined || v === '' ? `$${name}` : v;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/** Substitutes environment variables in `text` as containerlab does before decoding YAML. */
export function substituteEnv(text: string, env: Env, file?: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    // The text between variables is copied in one piece: a string built a
    // character at a time costs an allocation per character.
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    i = dollar;
    const n = text[i + 1];
    if (n === '$') {
      out += '$';
      i += 2;
    } else if (isDigit(n)) {
      out += '$' + n;
      i += 2;
    } else if (n === '{') {
      const consumed = braced(text, i, env, file);
      out += consumed.text;
      i = consumed.next;
    } else if (isNameChar(n)) {
      let j = i + 1;
      while (isNameChar(text[j])) j++;
      const name = text.slice(i + 1, j);
      out += name === '_' ? '$_' : variable(name, env);
      i = j;
    } else {
      out += '$';
      i++;
    }
  }
  return out;
}

/** Handles `${...}` starting at `start`; returns the replacement and the next offset. */
function braced(text: string, start: number, env: Env, file?: string): { text: string; next: number } {
  const first = text[start + 2];
  if (isDigit(first)) return { text: '${' + first, next: start + 3 };
  let j = start + 2;
  while (isNameChar(text[j])) j++;
  const name = text.slice(start + 2, j);
  if (name === '' || name === '_') return { text: '${', next: start + 2 };

  const close = text.indexOf('}', j);
  const eol = text.slice(j).search(/[\r\n]/);
  if (close < 0 || (eol >= 0 && j + eol < close)) {
    throw new XconnectError('TOPOLOGY', 'environment variable expression has no closing brace', {
      file,
      line: lineOf(text, start),
      value: text.slice(start, eol >= 0 ? j + eol : undefined),
      hint: 'close it with "}" on the same line, or write "$$" for a literal "$"',
    });
  }
  const body = text.slice(j, close);
  const op = /^(:-|:=|:\+|-|=|\+)/.exec(body)?.[1];
  const next = close + 1;
  if (op === undefined) return { text: variable(name, env), next };

  const rawDefault = body.slice(op.length);
  const set = env[name] !== undefined;
  const value = env[name] ?? '';
  const deflt = (): string => {
    const m = /^\$([\p{L}_][\p{L}\p{Nd}_]*)$/u.exec(rawDefault);
    return m ? variable(m[1]!, env) : rawDefault;
  };
  if (rawDefault === '') return { text: variable(name, env), next };
  switch (op) {
    case ':-':
    case ':=':
      return { text: value !== '' ? value : deflt(), next };
    case '+':
    case ':+':
      return { text: set ? deflt() : '', next };
    default: // '-' and '='
      return { text: set ? variable(name, env) : deflt(), next };
  }
}
