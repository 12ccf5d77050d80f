/** Go text/template's parser (text/template/parse/parse.go): builds the trees of one
 * source, checks that functions exist and variables are declared, as Go does at parse
 * time, and collects {{define}} and {{block}} templates. */
import type {
  ArgNode,
  BranchNode,
  CommandNode,
  ElseNode,
  EndNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  Source,
  TemplateNode,
  Tree,
  VariableNode,
} from './ast.js';
import { nodeString } from './ast.js';
import { TemplateError } from './errors.js';
import { type Token, type TokenType, lex } from './lexer.js';
import { parseFloat64, parseInt64, parseUint64, unquote, unquoteChar } from './strconv.js';

const MAX_PAREN_DEPTH = 10000;

/** Parse failure: Go's message and the offset of the token it was raised at. */
function fail(src: Source, pos: number, msg: string): never {
  throw new TemplateError('parse', src, pos, msg);
}

/** Go's item.String() for "unexpected X in Y" messages. */
function tokenString(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'error') return t.val;
  if (['block', 'break', 'continue', 'dot', 'define', 'else', 'end', 'if', 'nil', 'range', 'template', 'with'].includes(t.type)) return `<${t.val}>`;
  if (t.val.length > 10) return JSON.stringify(t.val.slice(0, 10)) + '...';
  return JSON.stringify(t.val);
}

/** Is the (empty of anything but space and comments) tree replaceable by a later one. */
export function isEmptyTree(n: Node | null): boolean {
  if (n === null) return true;
  switch (n.kind) {
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim() === '';
    default:
      return false;
  }
}

/** Parses the number forms of a template constant (Go's newNumber). */
function newNumber(src: Source, pos: number, text: string, type: TokenType): NumberNode {
  const n: NumberNode = { kind: 'number', pos, src, text, isInt: false, isUint: false, isFloat: false, isComplex: false, int64: 0n, uint64: 0n, float64: 0 };
  if (type === 'charConstant') {
    let r;
    try {
      r = unquoteChar(text.slice(1), "'");
    } catch {
      fail(src, pos, 'invalid syntax');
    }
    if (r.rest !== "'") fail(src, pos, `malformed character constant: ${text}`);
    n.int64 = n.uint64 = BigInt(r.cp);
    n.float64 = r.cp;
    n.isInt = n.isUint = n.isFloat = true;
    return n;
  }
  if (type === 'complex' || text.endsWith('i')) {
    // Complex numbers have no use in a topology; Go would accept them.
    n.isComplex = true;
    return n;
  }
  try {
    n.uint64 = parseUint64(text);
    n.isUint = true;
  } catch {
    /* not unsigned */
  }
  try {
    n.int64 = parseInt64(text);
    n.isInt = true;
    if (n.int64 === 0n) {
      n.isUint = true;
      n.uint64 = 0n;
    }
  } catch {
    /* not signed */
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float64 = Number(n.int64);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float64 = Number(n.uint64);
  } else {
    let f: number | undefined;
    try {
      f = parseFloat64(text);
    } catch {
      f = undefined;
    }
    if (f !== undefined) {
      if (!/[.eEpP]/.test(text)) fail(src, pos, `integer overflow: ${JSON.stringify(text)}`);
      n.isFloat = true;
      n.float64 = f;
      if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
        n.isInt = true;
        n.int64 = BigInt(f);
      }
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
        n.isUint = true;
        n.uint64 = BigInt(f);
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) fail(src, pos, `illegal number syntax: ${JSON.stringify(text)}`);
  return n;
}

/** Parses one source text. */
class Parser {
  private tokens: Token[];
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private parenDepth = 0;
  /** Offset of the `{{` of the action being parsed (for "unclosed action"). */
  private actionPos = -1;

  constructor(
    private readonly src: Source,
    private readonly hasFunction: (name: string) => boolean,
    private readonly treeSet: Map<string, Tree>,
  ) {
    this.tokens = lex(src.text, { breakOK: !hasFunction('break'), continueOK: !hasFunction('continue') });
  }

  private next(): Token {
    return this.tokens[Math.min(this.i++, this.tokens.length - 1)]!;
  }
  private backup(n = 1): void {
    this.i -= n;
  }
  private peek(): Token {
    return this.tokens[Math.min(this.i, this.tokens.length - 1)]!;
  }
  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }
  private peekNonSpace(): Token {
    const save = this.i;
    const t = this.nextNonSpace();
    this.i = save;
    return t;
  }

  private errorf(pos: number, msg: string): never {
    return fail(this.src, pos, msg);
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === 'error') {
      // Report an unfinished action where it starts: that is where the fix goes.
      const at = /^(unclosed action|unclosed left paren|unterminated)/.test(t.val) && this.actionPos >= 0 ? this.actionPos : t.pos;
      this.errorf(at, t.val);
    }
    this.errorf(t.pos, `unexpected ${tokenString(t)} in ${context}`);
  }

  private expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  /** Parses the top level: text, actions and definitions, to EOF. */
  parseTop(name: string): Tree {
    const root: ListNode = { kind: 'list', pos: this.peek().pos, src: this.src, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const save = this.i;
        const delim = this.next();
        if (this.nextNonSpace().type === 'define') {
          this.actionPos = delim.pos;
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') this.errorf(n.pos, `unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    const tree: Tree = { name, root, src: this.src };
    this.add(tree, root.pos);
    return tree;
  }

  /** Adds a tree to the set: a second non-empty definition in one parse is an error. */
  private add(tree: Tree, pos: number): void {
    const old = this.treeSet.get(tree.name);
    if (!old || isEmptyTree(old.root)) {
      this.treeSet.set(tree.name, tree);
      return;
    }
    if (!isEmptyTree(tree.root)) this.errorf(pos, `template: multiple definition of template ${JSON.stringify(tree.name)}`);
  }

  /** {{define "name"}} ... {{end}}; the keyword is past. */
  private parseDefinition(): void {
    const context = 'define clause';
    const nameTok = this.nextNonSpace();
    if (nameTok.type !== 'string' && nameTok.type !== 'rawString') this.unexpected(nameTok, context);
    const name = this.unquoteAt(nameTok);
    this.expect('rightDelim', context);
    const savedVars = this.vars;
    const savedDepth = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    const { list, next } = this.itemList();
    if (next.kind !== 'end') this.errorf(next.pos, `unexpected ${nodeString(next)} in ${context}`);
    this.vars = savedVars;
    this.rangeDepth = savedDepth;
    this.add({ name, root: list, src: this.src }, nameTok.pos);
  }

  private unquoteAt(t: Token): string {
    try {
      return unquote(t.val);
    } catch {
      return this.errorf(t.pos, 'invalid syntax');
    }
  }

  /** textOrAction* up to {{end}} or {{else}}, which is returned separately. */
  private itemList(): { list: ListNode; next: EndNode | ElseNode } {
    const list: ListNode = { kind: 'list', pos: this.peekNonSpace().pos, src: this.src, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return { list, next: n };
      list.nodes.push(n);
    }
    const eof = this.peek();
    if (eof.type === 'error') this.unexpected(eof, 'input');
    return this.errorf(eof.pos, 'unexpected EOF');
  }

  private textOrAction(): Node {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'text':
        return { kind: 'text', pos: t.pos, src: this.src, text: t.val };
      case 'leftDelim': {
        const saved = this.actionPos;
        this.actionPos = t.pos;
        const n = this.action();
        this.actionPos = saved;
        return n;
      }
      default:
        return this.unexpected(t, 'input');
    }
  }

  /** An action: a control keyword, or a pipeline to print. */
  private action(): Node {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'block':
        return this.blockControl();
      case 'break':
      case 'continue': {
        const close = this.nextNonSpace();
        if (close.type !== 'rightDelim') this.unexpected(close, `{{${t.type}}}`);
        if (this.rangeDepth === 0) this.errorf(t.pos, `{{${t.type}}} outside {{range}}`);
        return { kind: t.type, pos: t.pos, src: this.src };
      }
      case 'else':
        return this.elseControl();
      case 'end':
        return { kind: 'end', pos: this.expect('rightDelim', 'end').pos, src: this.src };
      case 'if':
      case 'range':
      case 'with':
        return this.parseControl(t.type);
      case 'template':
        return this.templateControl();
    }
    this.backup();
    const pipe = this.pipeline('command', 'rightDelim');
    return { kind: 'action', pos: pipe.pos, src: this.src, pipe };
  }

  /** declarations? command ('|' command)* */
  private pipeline(context: string, end: TokenType): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { kind: 'pipe', pos: first.pos, src: this.src, isAssign: false, decl: [], cmds: [] };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const save = this.i;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        break;
      }
      if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const after = this.peekNonSpace().type;
          if (after === 'variable' || after === 'rightDelim' || after === 'rightParen') continue;
          this.errorf(next.pos, 'range can only initialize variables');
        }
        this.errorf(next.pos, `too many declarations in ${context}`);
      }
      this.i = save;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context, t.pos);
        return pipe;
      }
      switch (t.type) {
        case 'bool':
        case 'charConstant':
        case 'complex':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string, endPos: number): void {
    if (pipe.cmds.length === 0) this.errorf(endPos, `missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      if (['bool', 'dot', 'nil', 'number', 'string'].includes(c.args[0]!.kind)) {
        this.errorf(c.pos, `non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  /** {{if|range|with pipeline}} list ({{else}} list | {{else if|with ...}})? {{end}} */
  private parseControl(kind: 'if' | 'range' | 'with'): BranchNode {
    const mark = this.vars.length;
    const pipe = this.pipeline(kind, 'rightDelim');
    if (kind === 'range') this.rangeDepth++;
    const { list, next } = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: ListNode | null = null;
    if (next.kind === 'else') {
      // {{else if ...}} and {{else with ...}} nest a new if/with whose {{end}} is shared.
      const p = this.peek();
      if ((kind === 'if' && p.type === 'if') || (kind === 'with' && p.type === 'with')) {
        this.next();
        elseList = { kind: 'list', pos: next.pos, src: this.src, nodes: [this.parseControl(kind)] };
      } else {
        const r = this.itemList();
        if (r.next.kind !== 'end') this.errorf(r.next.pos, `expected end; found ${nodeString(r.next)}`);
        elseList = r.list;
      }
    }
    this.vars.length = mark;
    return { kind, pos: pipe.pos, src: this.src, pipe, list, elseList };
  }

  private elseControl(): ElseNode {
    const p = this.peekNonSpace();
    if (p.type === 'if' || p.type === 'with') {
      // Leave the if/with pending for parseControl (skip only the spaces before it).
      while (this.peek().type === 'space') this.next();
      return { kind: 'else', pos: p.pos, src: this.src };
    }
    const t = this.expect('rightDelim', 'else');
    return { kind: 'else', pos: t.pos, src: this.src };
  }

  /** {{block "name" pipeline}} list {{end}}: defines "name" and invokes it here. */
  private blockControl(): TemplateNode {
    const context = 'block clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const savedVars = this.vars;
    const savedDepth = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    const { list, next } = this.itemList();
    if (next.kind !== 'end') this.errorf(next.pos, `unexpected ${nodeString(next)} in ${context}`);
    this.vars = savedVars;
    this.rangeDepth = savedDepth;
    this.add({ name, root: list, src: this.src }, t.pos);
    return { kind: 'template', pos: t.pos, src: this.src, name, pipe };
  }

  /** {{template "name" pipeline?}} */
  private templateControl(): TemplateNode {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { kind: 'template', pos: t.pos, src: this.src, name, pipe };
  }

  private templateName(t: Token, context: string): string {
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    return this.unquoteAt(t);
  }

  /** operand (space operand)* up to '|', ')' or '}}'. */
  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', pos: this.peekNonSpace().pos, src: this.src, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf(cmd.pos, 'empty command');
    return cmd;
  }

  /** term .Field* */
  private operand(): ArgNode | null {
    const node = this.term();
    if (!node) return null;
    if (this.peek().type !== 'field') return node;
    const chainPos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    switch (node.kind) {
      case 'field':
        return { kind: 'field', pos: chainPos, src: this.src, ident: [...node.ident, ...fields] };
      case 'variable':
        return { kind: 'variable', pos: chainPos, src: this.src, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.errorf(chainPos, `unexpected . after term ${JSON.stringify(nodeString(node))}`);
      default:
        return { kind: 'chain', pos: chainPos, src: this.src, node, field: fields };
    }
  }

  private newVariable(pos: number, val: string): VariableNode {
    return { kind: 'variable', pos, src: this.src, ident: val.split('.') };
  }

  /** A literal, function name, ., .Field, $var or (pipeline); null when none follows. */
  private term(): ArgNode | null {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!this.hasFunction(t.val)) this.errorf(t.pos, `function ${JSON.stringify(t.val)} not defined`);
        return { kind: 'identifier', pos: t.pos, src: this.src, ident: t.val };
      case 'dot':
        return { kind: 'dot', pos: t.pos, src: this.src };
      case 'nil':
        return { kind: 'nil', pos: t.pos, src: this.src };
      case 'variable': {
        const v = this.newVariable(t.pos, t.val);
        if (!this.vars.includes(v.ident[0]!)) this.errorf(t.pos, `undefined variable ${JSON.stringify(v.ident[0])}`);
        return v;
      }
      case 'field':
        return { kind: 'field', pos: t.pos, src: this.src, ident: t.val.slice(1).split('.') };
      case 'bool':
        return { kind: 'bool', pos: t.pos, src: this.src, value: t.val === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number':
        return newNumber(this.src, t.pos, t.val, t.type);
      case 'leftParen': {
        if (this.parenDepth >= MAX_PAREN_DEPTH) this.errorf(t.pos, 'max expression depth exceeded');
        this.parenDepth++;
        try {
          return this.pipeline('parenthesized pipeline', 'rightParen');
        } finally {
          this.parenDepth--;
        }
      }
      case 'string':
      case 'rawString':
        return { kind: 'string', pos: t.pos, src: this.src, quoted: t.val, text: this.unquoteAt(t) };
    }
    this.backup();
    return null;
  }
}

/** Parses a source into the named template `src.name` plus its {{define}}/{{block}}
 * templates, all added to the returned map (Go's parse.Parse). */
export function parseTemplate(src: Source, hasFunction: (name: string) => boolean): Map<string, Tree> {
  const treeSet = new Map<string, Tree>();
  new Parser(src, hasFunction, treeSet).parseTop(src.name);
  return treeSet;
}
