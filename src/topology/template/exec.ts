/** Go text/template's executor (text/template/exec.go, Go 1.24): walks the parse tree
 * with a dot and a variable stack, evaluates pipelines, fields and calls with Go's
 * argument rules, and writes text into an Output. Missing map keys print "<no value>"
 * and are false in conditions (Go's default missingkey option). */
import type { ArgNode, BranchNode, ChainNode, CommandNode, FieldNode, IdentifierNode, ListNode, Node, NumberNode, PipeNode, TemplateNode, Tree, VariableNode } from './ast.js';
import { nodeString } from './ast.js';
import { TemplateError } from './errors.js';
import { formatDefault } from './fmt.js';
import type { Output } from './output.js';
import { FuncError, type GoFunc, GoMap, GoObject, type GoValue, type ParamType, isTrue, typeName } from './values.js';

/** Functions visible to a template: the builtins and the FuncMap. */
export interface FuncTable {
  lookup(name: string): { fn: GoFunc; builtin: boolean } | undefined;
}

/** A template invokes templates at most this deep. Go allows 100000; a JavaScript stack
 * is smaller, and only a runaway recursion gets here. */
export const MAX_EXEC_DEPTH = 1000;

const MISSING: unique symbol = Symbol('missing');
const NO_ARGS: readonly ArgNode[] = [];
type Final = GoValue | typeof MISSING;

class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

interface Variable {
  name: string;
  value: GoValue;
}

class State {
  node: Node | ArgNode | CommandNode | null = null;

  constructor(
    readonly trees: Map<string, Tree>,
    readonly funcs: FuncTable,
    readonly out: Output,
    public tmplName: string,
    public vars: Variable[],
    readonly depth: number,
  ) {}

  at(node: Node | ArgNode | CommandNode): void {
    this.node = node;
  }

  errorf(msg: string): never {
    const n = this.node!;
    throw new TemplateError('exec', n.src, n.pos, `executing ${JSON.stringify(this.tmplName)} at <${nodeString(n)}>: ${msg}`);
  }

  // ---- variables ----
  mark(): number {
    return this.vars.length;
  }
  pop(mark: number): void {
    this.vars.length = mark;
  }
  setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  setTopVar(n: number, value: GoValue): void {
    this.vars[this.vars.length - n]!.value = value;
  }
  varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return this.errorf(`undefined variable: ${name}`);
  }

  // ---- walking ----
  walk(dot: GoValue, node: Node): void {
    this.at(node);
    switch (node.kind) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'if':
      case 'with':
        return this.walkIfOrWith(node, dot);
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        return this.walkRange(dot, node);
      case 'template':
        return this.walkTemplate(dot, node);
      case 'text':
        this.out.write(node.text, node);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkIfOrWith(node: BranchNode, dot: GoValue): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(val)) this.walk(node.kind === 'with' ? val : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: GoValue, r: BranchNode): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const oneIteration = (index: GoValue, elem: GoValue): void => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl.length > 1 ? decl[0]!.ident[0]! : decl[0]!.ident[0]!, decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
      };
      let ran = false;
      if (Array.isArray(val)) {
        for (let i = 0; i < val.length; i++) {
          ran = true;
          oneIteration(BigInt(i), val[i]);
        }
      } else if (val instanceof GoMap) {
        for (const k of val.sortedKeys()) {
          ran = true;
          oneIteration(k, val.entries.get(k));
        }
      } else if (typeof val === 'bigint') {
        // Go 1.24 ranges over an integer n: 0 .. n-1, one variable only.
        if (decl.length > 1) this.errorf(`can't use ${formatDefault(val)} to iterate over more than one variable`);
        for (let i = 0n; i < val; i++) {
          ran = true;
          oneIteration(undefined, i);
        }
      } else if (val !== undefined && val !== null) {
        this.errorf(`range can't iterate over ${val instanceof GoObject ? '{}' : formatDefault(val)}`);
      }
      if (!ran && r.elseList) this.walk(dot, r.elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.pop(outer);
    }
  }

  private walkTemplate(dot: GoValue, t: TemplateNode): void {
    this.at(t);
    const tree = this.trees.get(t.name);
    if (!tree) this.errorf(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    // Variables declared by the pipeline persist; the callee sees only $ = its dot.
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const sub = new State(this.trees, this.funcs, this.out, t.name, [{ name: '$', value: newDot }], this.depth + 1);
    sub.walk(newDot, tree.root);
  }

  // ---- evaluation ----
  evalPipeline(dot: GoValue, pipe: PipeNode): GoValue {
    this.at(pipe);
    let value: Final = MISSING;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) {
      value = this.evalCommand(dot, cmds[i]!, value);
      // A nil interface{} is dug out into "no value", as Go does for interface results.
      if (value === null) value = undefined;
    }
    const v = value === MISSING ? undefined : value;
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.setVar(d.ident[0]!, v);
      else this.vars.push({ name: d.ident[0]!, value: v });
    }
    return v;
  }

  private notAFunction(args: readonly ArgNode[] | null, final: Final): void {
    if ((args && args.length > 1) || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args![0]!)}`);
  }

  private evalCommand(dot: GoValue, cmd: CommandNode, final: Final): GoValue {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  /** A constant whose type the syntax decides: 1 is an int, 1.0 and 1e3 are float64. */
  private idealConstant(n: NumberNode): GoValue {
    this.at(n);
    if (n.isComplex) return this.errorf(`complex constant ${n.text} is not supported`);
    const hexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isFloat && !hexInt && !n.text.startsWith("'") && /[.eEpP]/.test(n.text)) return n.float64;
    if (n.isInt) return n.int64;
    if (n.isUint) return this.errorf(`${n.text} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: GoValue, field: FieldNode, args: readonly ArgNode[] | null, final: Final): GoValue {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: GoValue, chain: ChainNode, args: readonly ArgNode[] | null, final: Final): GoValue {
    this.at(chain);
    if (chain.node.kind === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: GoValue, v: VariableNode, args: readonly ArgNode[] | null, final: Final): GoValue {
    this.at(v);
    const value = this.varValue(v.ident[0]!);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: GoValue,
    receiver: GoValue,
    node: FieldNode | ChainNode | VariableNode,
    ident: readonly string[],
    args: readonly ArgNode[] | null,
    final: Final,
  ): GoValue {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i]!, node, null, MISSING, receiver);
    return this.evalField(dot, ident[n - 1]!, node, args, final, receiver);
  }

  private evalFunction(dot: GoValue, node: IdentifierNode, cmd: CommandNode | IdentifierNode, args: readonly ArgNode[] | null, final: Final): GoValue {
    this.at(node);
    const f = this.funcs.lookup(node.ident);
    if (!f) return this.errorf(`${JSON.stringify(node.ident)} is not a defined function`);
    return this.evalCall(dot, f.fn, f.builtin, cmd, node.ident, args, final);
  }

  /** .Field on a receiver: a method of a namespace object, or a key of a map. */
  private evalField(dot: GoValue, fieldName: string, node: FieldNode | ChainNode | VariableNode, args: readonly ArgNode[] | null, final: Final, receiver: GoValue): GoValue {
    if (receiver === undefined) return undefined;
    if (receiver === null) return this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    if (receiver instanceof GoObject) {
      const method = receiver.methods[fieldName];
      if (method) return this.evalCall(dot, method, false, node, fieldName, args, final);
      return this.errorf(`can't evaluate field ${fieldName} in type ${receiver.typeName}`);
    }
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (receiver instanceof GoMap) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      return receiver.entries.get(fieldName);
    }
    return this.errorf(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
  }

  /** Calls a function with Go's rules: argument count, per-parameter conversion, the
   * pipeline's previous value as the final argument, and short-circuit and/or. */
  private evalCall(dot: GoValue, fn: GoFunc, builtin: boolean, node: Node | ArgNode | CommandNode, name: string, allArgs: readonly ArgNode[] | null, final: Final): GoValue {
    const args = allArgs && allArgs.length > 1 ? allArgs.slice(1) : NO_ARGS;
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    const numFixed = fn.variadic ? fn.params.length : args.length;
    if (fn.variadic) {
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${fn.params.length} got ${args.length}`);
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }

    if (builtin && (name === 'and' || name === 'or')) {
      let v: GoValue = undefined;
      for (const a of args) {
        v = this.evalArg(dot, 'value', a);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }

    const argv: GoValue[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.evalArg(dot, fn.params[i]!, args[i]!));
    if (fn.variadic) for (; i < args.length; i++) argv.push(this.evalArg(dot, fn.variadic, args[i]!));
    if (final !== MISSING) {
      let t: ParamType = fn.params[fn.params.length - 1]!;
      if (fn.variadic) t = numIn - 1 < numFixed ? fn.params[numIn - 1]! : fn.variadic;
      argv.push(this.validateType(final, t));
    }
    if (builtin && name === 'call') argv.unshift(args.length > 0 ? nodeString(args[0]!) : formatDefault(final === MISSING ? undefined : final));
    try {
      return fn.call(argv);
    } catch (e) {
      if (e instanceof FuncError) {
        this.at(node);
        return this.errorf(`error calling ${name}: ${e.message}`);
      }
      throw e;
    }
  }

  /** Checks a value against a parameter type; `null` type is Go's untyped nil context. */
  private validateType(value: GoValue, typ: ParamType | null): GoValue {
    if (value === undefined) {
      if (typ === null || typ === 'value') return undefined;
      if (typ === 'any') return null;
      return this.errorf(`invalid value; expected ${goParamType(typ)}`);
    }
    switch (typ) {
      case 'string':
        if (typeof value !== 'string') this.errorf(`wrong type for value; expected string; got ${typeName(value)}`);
        break;
      case 'int':
        if (typeof value !== 'bigint') this.errorf(`wrong type for value; expected int; got ${typeName(value)}`);
        break;
      case 'bool':
        if (typeof value !== 'boolean') this.errorf(`wrong type for value; expected bool; got ${typeName(value)}`);
        break;
    }
    return value;
  }

  /** Evaluates one argument for a parameter of type `typ` (Go's evalArg). */
  private evalArg(dot: GoValue, typ: ParamType | null, n: ArgNode): GoValue {
    this.at(n);
    switch (n.kind) {
      case 'dot':
        return this.validateType(dot, typ);
      case 'nil':
        if (typ === 'any') return null;
        if (typ === 'value') return undefined;
        return this.errorf(`cannot assign nil to ${goParamType(typ)}`);
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, null, MISSING), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, null, MISSING), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ);
    }
    switch (typ) {
      case 'bool':
        if (n.kind === 'bool') return n.value;
        return this.errorf(`expected bool; found ${nodeString(n)}`);
      case 'string':
        if (n.kind === 'string') return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      case 'int':
        if (n.kind === 'number' && n.isInt) return n.int64;
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      default:
        // interface{} and reflect.Value parameters take a constant of its ideal type.
        if (n.kind === 'bool') return n.value;
        if (n.kind === 'number') return this.idealConstant(n);
        return n.text;
    }
  }

  private printValue(node: Node, v: GoValue): void {
    this.at(node);
    let text: string;
    // Fast paths for what topologies print most: strings and ints.
    if (typeof v === 'string') text = v;
    else if (typeof v === 'bigint') text = v.toString();
    else if (v === undefined) text = '<no value>';
    else if (v instanceof GoObject) text = '{}'; // printableValue dereferences the pointer
    else text = formatDefault(v);
    this.out.write(text, node);
  }
}

function goParamType(t: ParamType | null): string {
  switch (t) {
    case 'string':
      return 'string';
    case 'int':
      return 'int';
    case 'bool':
      return 'bool';
    case 'value':
      return 'reflect.Value';
    default:
      return 'interface {}';
  }
}

/** Executes the template `name` with `data` as dot and `$`, writing into `out`. */
export function execute(trees: Map<string, Tree>, name: string, data: GoValue, funcs: FuncTable, out: Output): void {
  const tree = trees.get(name);
  if (!tree) throw new Error(`template: no template ${JSON.stringify(name)}`);
  const state = new State(trees, funcs, out, name, [{ name: '$', value: data }], 0);
  state.walk(data, tree.root as ListNode);
}
