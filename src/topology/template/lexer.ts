/** Go text/template's lexer (text/template/parse/lex.go, Go 1.24): splits a template
 * into text and the tokens inside `{{ }}`, applying the `{{- ` / ` -}}` trim markers
 * and dropping comments. Positions are offsets into the source string. */

export type TokenType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  // keywords
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

export interface Token {
  type: TokenType;
  /** Offset of the token in the source. For an error, where the failing item began. */
  pos: number;
  val: string;
}

const KEYWORDS: Record<string, TokenType> = {
  '.': 'dot',
  block: 'block',
  break: 'break',
  continue: 'continue',
  define: 'define',
  else: 'else',
  end: 'end',
  if: 'if',
  range: 'range',
  nil: 'nil',
  template: 'template',
  with: 'with',
};

const LEFT = '{{';
const RIGHT = '}}';
const SPACE_CHARS = ' \t\r\n';

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlphaNumeric = (c: string | undefined): boolean => {
  if (c === undefined) return false;
  const x = c.charCodeAt(0);
  if (x < 0x80) return (x >= 0x61 && x <= 0x7a) || (x >= 0x41 && x <= 0x5a) || (x >= 0x30 && x <= 0x39) || x === 0x5f;
  return /^[\p{L}\p{Nd}]$/u.test(c);
};

/** `{{- ` needs a space after the minus so that `{{-3}}` stays a number. */
const hasLeftTrimMarker = (s: string, at: number): boolean => s[at] === '-' && isSpace(s[at + 1]);
const hasRightTrimMarker = (s: string, at: number): boolean => isSpace(s[at]) && s[at + 1] === '-';

/** Go's %#U: U+0021 '!'. */
function describeRune(c: string): string {
  const cp = c.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c) ? `U+${hex} '${c}'` : `U+${hex}`;
}

export interface LexOptions {
  /** break/continue are keywords unless a function of that name exists. */
  breakOK: boolean;
  continueOK: boolean;
}

/** Tokenizes the whole template; the list ends with an 'eof' or an 'error' token. */
export function lex(input: string, opts: LexOptions = { breakOK: true, continueOK: true }): Token[] {
  const items: Token[] = [];
  let pos = 0;
  let start = 0;
  let parenDepth = 0;

  const emit = (type: TokenType): void => {
    items.push({ type, pos: start, val: input.slice(start, pos) });
    start = pos;
  };
  const fail = (msg: string): null => {
    items.push({ type: 'error', pos: start, val: msg });
    return null;
  };
  const nextChar = (): string | undefined => {
    if (pos >= input.length) return undefined;
    const u = input.charCodeAt(pos);
    if (u < 0xd800 || u > 0xdfff) {
      pos++;
      return input[pos - 1];
    }
    const cp = input.codePointAt(pos)!;
    const c = String.fromCodePoint(cp);
    pos += c.length;
    return c;
  };
  const peekChar = (): string | undefined => {
    if (pos >= input.length) return undefined;
    const u = input.charCodeAt(pos);
    if (u < 0xd800 || u > 0xdfff) return input[pos];
    return String.fromCodePoint(input.codePointAt(pos)!);
  };
  const accept = (valid: string): boolean => {
    const c = input[pos];
    if (c !== undefined && valid.includes(c)) {
      pos++;
      return true;
    }
    return false;
  };
  const acceptRun = (valid: string): void => {
    while (pos < input.length && valid.includes(input[pos]!)) pos++;
  };
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (hasRightTrimMarker(input, pos) && input.startsWith(RIGHT, pos + 2)) return { delim: true, trim: true };
    if (input.startsWith(RIGHT, pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };
  const atTerminator = (): boolean => {
    const c = input[pos];
    if (c === undefined || isSpace(c)) return true;
    return '.,|:)('.includes(c) || c === RIGHT[0];
  };
  const leftTrimLength = (from: number): number => {
    let n = 0;
    while (from + n < input.length && SPACE_CHARS.includes(input[from + n]!)) n++;
    return n;
  };
  const rightTrimLength = (s: string): number => s.length - s.replace(/[ \t\r\n]+$/, '').length;

  type State = () => State | null;

  const lexText: State = () => {
    const x = input.indexOf(LEFT, pos);
    if (x >= 0) {
      pos = x;
      const trim = hasLeftTrimMarker(input, pos + LEFT.length) ? rightTrimLength(input.slice(start, pos)) : 0;
      pos -= trim;
      if (pos > start) emit('text');
      pos += trim;
      start = pos;
      return lexLeftDelim;
    }
    pos = input.length;
    if (pos > start) emit('text');
    emit('eof');
    return null;
  };

  const lexLeftDelim: State = () => {
    pos += LEFT.length;
    const trim = hasLeftTrimMarker(input, pos);
    const after = trim ? 2 : 0;
    if (input.startsWith('/*', pos + after)) {
      // start stays at "{{": a comment error points at the action that opens it.
      pos += after;
      return lexComment;
    }
    emit('leftDelim');
    pos += after;
    start = pos;
    parenDepth = 0;
    return lexInsideAction;
  };

  const lexComment: State = () => {
    pos += 2; // the "/*" 
    const x = input.indexOf('*/', pos);
    if (x < 0) return fail('unclosed comment');
    pos = x + 2;
    const { delim, trim } = atRightDelim();
    if (!delim) return fail('comment ends before closing delimiter');
    if (trim) pos += 2;
    pos += RIGHT.length;
    if (trim) pos += leftTrimLength(pos);
    start = pos;
    return lexText;
  };

  const lexRightDelim: State = () => {
    const { trim } = atRightDelim();
    if (trim) {
      pos += 2;
      start = pos;
    }
    pos += RIGHT.length;
    emit('rightDelim');
    if (trim) {
      pos += leftTrimLength(pos);
      start = pos;
    }
    return lexText;
  };

  const lexInsideAction: State = () => {
    const { delim } = atRightDelim();
    if (delim) {
      if (parenDepth === 0) return lexRightDelim;
      return fail('unclosed left paren');
    }
    const c = nextChar();
    if (c === undefined) return fail('unclosed action');
    if (isSpace(c)) {
      pos -= 1;
      return lexSpace;
    }
    switch (c) {
      case '=':
        emit('assign');
        return lexInsideAction;
      case ':':
        if (nextChar() !== '=') return fail('expected :=');
        emit('declare');
        return lexInsideAction;
      case '|':
        emit('pipe');
        return lexInsideAction;
      case '"':
        return lexQuote;
      case '`':
        return lexRawQuote;
      case '$':
        return lexVariable;
      case "'":
        return lexChar;
      case '(':
        emit('leftParen');
        parenDepth++;
        return lexInsideAction;
      case ')':
        emit('rightParen');
        parenDepth--;
        if (parenDepth < 0) return fail(`unexpected right paren ${describeRune(c)}`);
        return lexInsideAction;
    }
    if (c === '.') {
      const n = input[pos];
      if (n !== undefined && (n < '0' || n > '9')) return lexField;
    }
    if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
      pos -= 1;
      return lexNumber;
    }
    if (isAlphaNumeric(c)) {
      pos -= c.length;
      return lexIdentifier;
    }
    if (c.length === 1 && c.charCodeAt(0) < 0x7f && c.charCodeAt(0) >= 0x20) {
      emit('char');
      return lexInsideAction;
    }
    return fail(`unrecognized character in action: ${describeRune(c)}`);
  };

  const lexSpace: State = () => {
    let n = 0;
    while (isSpace(input[pos])) {
      pos++;
      n++;
    }
    // A space may belong to a trim-marked right delimiter " -}}".
    if (hasRightTrimMarker(input, pos - 1) && input.startsWith(RIGHT, pos + 1)) {
      pos--;
      if (n === 1) return lexRightDelim;
    }
    emit('space');
    return lexInsideAction;
  };

  const lexIdentifier: State = () => {
    while (isAlphaNumeric(peekChar())) nextChar();
    const word = input.slice(start, pos);
    if (!atTerminator()) return fail(`bad character ${describeRune(peekChar()!)}`);
    const kw = KEYWORDS[word];
    if (kw && kw !== 'dot') {
      if ((kw === 'break' && !opts.breakOK) || (kw === 'continue' && !opts.continueOK)) emit('identifier');
      else emit(kw);
    } else if (word === 'true' || word === 'false') emit('bool');
    else emit('identifier');
    return lexInsideAction;
  };

  const lexFieldOrVariable = (type: 'field' | 'variable'): State | null => {
    if (atTerminator()) {
      emit(type === 'variable' ? 'variable' : 'dot');
      return lexInsideAction;
    }
    while (isAlphaNumeric(peekChar())) nextChar();
    if (!atTerminator()) return fail(`bad character ${describeRune(peekChar()!)}`);
    emit(type);
    return lexInsideAction;
  };
  const lexField: State = () => lexFieldOrVariable('field');
  const lexVariable: State = () => lexFieldOrVariable('variable');

  const lexChar: State = () => {
    for (;;) {
      const c = nextChar();
      if (c === '\\') {
        const r = nextChar();
        if (r !== undefined && r !== '\n') continue;
      }
      if (c === undefined || c === '\n' || c === '\\') return fail('unterminated character constant');
      if (c === "'") break;
    }
    emit('charConstant');
    return lexInsideAction;
  };

  const scanNumber = (): boolean => {
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(peekChar())) {
      nextChar();
      return false;
    }
    return true;
  };

  const lexNumber: State = () => {
    if (!scanNumber()) return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
    const sign = input[pos];
    if (sign === '+' || sign === '-') {
      if (!scanNumber() || input[pos - 1] !== 'i') return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
      emit('complex');
    } else emit('number');
    return lexInsideAction;
  };

  const lexQuote: State = () => {
    for (;;) {
      const c = nextChar();
      if (c === '\\') {
        const r = nextChar();
        if (r !== undefined && r !== '\n') continue;
        return fail('unterminated quoted string');
      }
      if (c === undefined || c === '\n') return fail('unterminated quoted string');
      if (c === '"') break;
    }
    emit('string');
    return lexInsideAction;
  };

  const lexRawQuote: State = () => {
    const x = input.indexOf('`', pos);
    if (x < 0) return fail('unterminated raw quoted string');
    pos = x + 1;
    emit('rawString');
    return lexInsideAction;
  };

  let state: State | null = lexText;
  while (state) state = state();
  return items;
}
