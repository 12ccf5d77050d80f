/** Renders a containerlab topology file as containerlab v0.79 does before reading it
 * (core/file.go LoadTopologyFromFile): the file is a Go template named after its base
 * name, `clab_templates/*.gotmpl` beside it are parsed into the same set (each named by
 * its base name), the variables come from `--vars` files or from
 * `<file without its last extension>_vars.*` (.yaml/.yml/.json, merged in name order),
 * and the template is executed with them. */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { XconnectError } from '../../errors.js';
import { readText } from '../source.js';
import type { Source, Tree } from './ast.js';
import { TemplateError } from './errors.js';
import { execute } from './exec.js';
import { CLAB_FUNC_TABLE, FUNCTION_NAMES, hasClabFunction } from './funcs.js';
import { Output, type TemplateLocation } from './output.js';
import { isEmptyTree, parseTemplate } from './parser.js';
import { GoMap, type GoKey, type GoValue } from './values.js';
import { decodeVars } from './yaml-vars.js';

export const VARS_SUFFIX = '_vars';
export const VARS_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;
export const SUBTEMPLATE_DIR = 'clab_templates';

export interface RenderOptions {
  /** Explicit variables file(s) (containerlab --vars); default: found beside the topology. */
  vars?: string | readonly string[];
}

/** A file that went into a rendering. */
export interface RenderInput {
  file: string;
  text: string;
}

export interface RenderedTopology {
  /** The rendered YAML, before environment substitution. */
  text: string;
  /** True when the file contained template actions and was executed. */
  rendered: boolean;
  /** The variables file used (the first one when several were merged). */
  varsFile?: string;
  /** Its text. */
  varsText?: string;
  /** Every variables file, in merge order. */
  varsFiles: RenderInput[];
  /** The clab_templates/*.gotmpl files parsed with the topology. */
  templateFiles: string[];
  /** Everything the rendered text depends on: topology, vars files, sub-templates. */
  inputs: RenderInput[];
  /** Maps a 1-based line of `text` to the template line that produced it. */
  templateLine(line: number): TemplateLocation | undefined;
}

function readInput(file: string, what: string, hint: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new XconnectError('TOPOLOGY', `cannot read the ${what}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, {
      file,
      errnoName: err.code,
      hint,
      cause: e,
    });
  }
}

/** The vars files containerlab finds beside the topology: `<name>_vars.*` with a
 * .yaml/.yml/.json extension, in name order (fs.Glob order). */
export function findVarsFiles(topologyFile: string): string[] {
  const dir = dirname(topologyFile);
  const base = basename(topologyFile);
  const stem = base.slice(0, base.length - extname(base).length);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(stem + VARS_SUFFIX + '.') && (VARS_EXTENSIONS as readonly string[]).includes(extname(n)))
    .sort()
    .map((n) => join(dir, n));
}

/** The clab_templates/*.gotmpl files beside the topology, in name order. */
export function findSubTemplates(topologyFile: string): string[] {
  const dir = join(dirname(topologyFile), SUBTEMPLATE_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.gotmpl'))
    .sort()
    .map((n) => join(dir, n));
}

/** Reads and merges the variables: top-level keys of later files replace earlier ones
 * (containerlab merges nested values only for map[string]any, which yaml.v2 never makes). */
function loadVars(files: readonly string[], explicit: boolean): { data: GoValue; inputs: RenderInput[] } {
  const inputs: RenderInput[] = [];
  const merged = new Map<GoKey, GoValue>();
  for (const file of files) {
    if (file === '') continue;
    const text = readInput(
      file,
      'template variables file',
      explicit ? 'check the path given with --vars' : `containerlab reads <topology name>${VARS_SUFFIX}.yml|.yaml|.json beside the topology`,
    );
    inputs.push({ file, text });
    const vars = decodeVars(text, file);
    if (vars) for (const [k, v] of vars.entries) merged.set(k, v);
  }
  return { data: new GoMap(merged, 'string'), inputs };
}

function templateSource(file: string, text: string): Source {
  return { name: basename(file), file, text };
}

/** Adds parsed trees as Go's AddParseTree does across files: a later definition
 * replaces an earlier one, except that an empty one never replaces a real one. */
function associate(set: Map<string, Tree>, trees: Map<string, Tree>): void {
  for (const [name, tree] of trees) {
    const old = set.get(name);
    if (old && isEmptyTree(tree.root)) continue;
    set.set(name, tree);
  }
}

/** Turns a template error into the loader's error: file:line:col, Go's text, a hint. */
function templateError(e: TemplateError, varsFound: boolean, topologyFile: string): XconnectError {
  const { line, col } = e;
  let hint = e.hint;
  if (!hint) {
    if (e.phase === 'parse') {
      if (/^function ".*" not defined$/.test(e.detail)) {
        hint = `containerlab's topology templates know Go's built-ins (${FUNCTION_NAMES.builtins.join(', ')}) and ${FUNCTION_NAMES.containerlab.join(', ')}`;
        if (/"ds"|"datasource"/.test(e.detail)) hint += '; gomplate functions such as ds are not available (this looks like a gomplate template, not a topology)';
      } else if (/unclosed action|unclosed left paren|unclosed comment|comment ends|unexpected EOF/.test(e.detail)) {
        hint = 'close every "{{" with "}}", "/*" with "*/" and "(" with ")"; {{if}}, {{range}}, {{with}}, {{define}} and {{block}} need a matching {{end}}';
      } else if (/pipeline|missing value|unexpected .* in (command|operand|parenthesized pipeline)|empty command/.test(e.detail)) {
        hint = 'a pipeline is a command followed by "| function args ..." stages; each stage after the first must be a function or method call';
      } else hint = 'fix the template syntax at this position (Go text/template)';
    } else if (!varsFound && /<nil>|<no value>|nil pointer|invalid value|untyped nil|of nil/.test(e.detail)) {
      const base = basename(topologyFile);
      const stem = base.slice(0, base.length - extname(base).length);
      hint = `no template variables file was found: containerlab reads ${stem}${VARS_SUFFIX}.yml (or .yaml, .json) beside the topology; create it or pass --vars FILE`;
    } else hint = 'check the values this action works on (see the variables file); plan --rendered shows the output up to here';
  }
  const value = (e.src.text.split('\n')[line - 1] ?? '').trim();
  const err = new XconnectError('TOPOLOGY', e.detail, { file: e.src.file, line, value, hint, cause: e });
  (err.context as Record<string, unknown>)['column'] = col;
  err.message = `${e.src.file}:${line}:${col}: ${e.detail} - ${hint}`;
  return err;
}

/** Executes template text with data (and optional extra sources parsed into the same set,
 * as clab_templates are); template errors become XconnectErrors naming file:line:col. */
export function renderTemplate(file: string, text: string, data: GoValue, extra: readonly RenderInput[] = []): string {
  const set = new Map<string, Tree>();
  const out = new Output();
  const main = templateSource(file, text);
  try {
    associate(set, parseTemplate(main, hasClabFunction));
    for (const s of extra) associate(set, parseTemplate(templateSource(s.file, s.text), hasClabFunction));
    execute(set, main.name, data, CLAB_FUNC_TABLE, out);
  } catch (e) {
    if (e instanceof TemplateError) throw templateError(e, data !== undefined, file);
    throw e;
  }
  return out.text();
}

/** Renders the topology file as containerlab would (without environment substitution).
 * A file without "{{" is returned as it is: Go's template engine copies plain text. */
export function renderTopologyText(file: string, opts: RenderOptions = {}, text?: string): RenderedTopology {
  const source = text ?? readText(file);
  const explicit = opts.vars === undefined ? [] : typeof opts.vars === 'string' ? [opts.vars] : [...opts.vars];
  const identity = (line: number): TemplateLocation => ({ file, line, col: 1 });

  if (!source.includes('{{')) {
    // Explicit vars are read even here, so a wrong --vars path fails as in containerlab.
    const { inputs } = explicit.length ? loadVars(explicit, true) : { inputs: [] };
    return {
      text: source,
      rendered: false,
      ...(inputs[0] ? { varsFile: inputs[0].file, varsText: inputs[0].text } : {}),
      varsFiles: inputs,
      templateFiles: [],
      inputs: [{ file, text: source }, ...inputs],
      templateLine: identity,
    };
  }

  const varsPaths = explicit.length ? explicit : findVarsFiles(file);
  const { data, inputs: varsInputs } = varsPaths.length ? loadVars(varsPaths, explicit.length > 0) : { data: undefined, inputs: [] };
  const subFiles = findSubTemplates(file);
  const subInputs = subFiles.map((f) => ({ file: f, text: readInput(f, 'sub-template', `${SUBTEMPLATE_DIR}/*.gotmpl files are parsed with every topology in this directory`) }));

  const main = templateSource(file, source);
  const set = new Map<string, Tree>();
  const out = new Output();
  try {
    associate(set, parseTemplate(main, hasClabFunction));
    for (const s of subInputs) associate(set, parseTemplate(templateSource(s.file, s.text), hasClabFunction));
    execute(set, main.name, data, CLAB_FUNC_TABLE, out);
  } catch (e) {
    if (e instanceof TemplateError) throw templateError(e, varsInputs.length > 0, file);
    throw e;
  }
  const rendered = out.text();
  let lineStarts: number[] | undefined;
  return {
    text: rendered,
    rendered: true,
    ...(varsInputs[0] ? { varsFile: varsInputs[0].file, varsText: varsInputs[0].text } : {}),
    varsFiles: varsInputs,
    templateFiles: subFiles,
    inputs: [{ file, text: source }, ...varsInputs, ...subInputs],
    templateLine(line) {
      if (!lineStarts) {
        lineStarts = [0];
        for (let i = rendered.indexOf('\n'); i >= 0; i = rendered.indexOf('\n', i + 1)) lineStarts.push(i + 1);
      }
      const start = lineStarts[line - 1];
      if (start === undefined) return undefined;
      // The first non-blank character of the line says best which action produced it.
      const end = lineStarts[line] ?? rendered.length;
      const m = /\S/.exec(rendered.slice(start, end));
      return out.locate(start + (m ? m.index : 0));
    },
  };
}
