/** Loads a containerlab topology file the way containerlab v0.79 reads it (core/file.go):
 * Go template rendering (with its _vars file and clab_templates), environment
 * substitution, strict YAML decoding, inheritance, link normalization and the
 * pre-deploy link checks. Pure apart from reading the files. */
import { dirname, resolve } from 'node:path';
import { XconnectError } from '../errors.js';
import { type Env, substituteEnv } from './env-subst.js';
import { inheritNode } from './inherit.js';
import { normalizeLinks } from './links.js';
import type { Topology, TopologyNode } from './model.js';
import { expandMagicVars, labDirectory, longName } from './names.js';
import { topologyFile } from './schema.js';
import { GoScalar, formatPath, parseYamlText } from './source.js';
import { type RenderedTopology, renderTopologyText } from './template/render.js';
import { type SourceContext, validate } from './validate.js';
import { checkEndpointUniqueness, checkRootNetnsNames } from './verify.js';

export interface LoadOptions {
  /** Environment for `${VAR}` substitution and `CLAB_LABDIR_BASE` (default: process.env). */
  env?: Env;
  /** Template variables file(s), as containerlab's --vars (default: `<file>_vars.*` beside it). */
  vars?: string | readonly string[];
}

export { renderTopologyText, type RenderedTopology } from './template/render.js';

/** Re-points an error about a line of the rendered YAML at the template line that produced
 * it, keeping the rendered line in the message (plan --rendered prints that text). */
function toTemplateLine(e: unknown, file: string, rendered: RenderedTopology): unknown {
  if (!(e instanceof XconnectError) || e.context.file !== file || e.context.line === undefined) return e;
  const at = rendered.templateLine(e.context.line);
  if (!at) return e;
  const c = e.context;
  // Take the message apart as errors.ts formatMessage put it together: where, message, (at path), - hint.
  let core = e.message.slice(`${file}:${c.line}: `.length);
  if (c.hint && core.endsWith(` - ${c.hint}`)) core = core.slice(0, -` - ${c.hint}`.length);
  if (c.path && core.endsWith(` (at ${c.path})`)) core = core.slice(0, -` (at ${c.path})`.length);
  return new XconnectError(e.code, `${core} (line ${c.line} of the rendered YAML)`, { ...c, file: at.file, line: at.line, cause: e });
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof GoScalar);
}

function expandBind(bind: string, labDir: string, node: string): string {
  const parts = bind.split(':');
  if (parts.length === 1) return bind;
  parts[0] = expandMagicVars(parts[0]!, labDir, node);
  return parts.join(':');
}

/** Reads, renders, validates and models a containerlab topology file. */
export function loadTopology(file: string, opts: LoadOptions = {}): Topology {
  const env = opts.env ?? process.env;
  const rendered = renderTopologyText(file, opts.vars === undefined ? {} : { vars: opts.vars });
  if (!rendered.rendered) return buildTopology(rendered.text, file, env);
  try {
    return buildTopology(rendered.text, file, env);
  } catch (e) {
    throw toTemplateLine(e, file, rendered);
  }
}

/** Models the (rendered) text of a topology file. */
function buildTopology(text: string, file: string, env: Env): Topology {
  const src = parseYamlText(substituteEnv(text, env, file), file);
  const ctx: SourceContext = { file, lines: src.lines };
  if (!isMapping(src.value)) {
    throw new XconnectError('TOPOLOGY', 'not a containerlab topology: the top level is not a mapping', {
      file,
      line: src.lines.lineOf([]),
      value: src.value instanceof GoScalar ? src.value.source : src.value,
      hint: 'a topology starts with "name:" and "topology:" keys',
    });
  }
  const raw = validate(topologyFile, src.value, [], ctx);
  const name = raw.name;
  if (name.trim() === '') {
    throw new XconnectError('TOPOLOGY', 'the lab name is empty', { file, line: src.lines.lineOf(['name']), path: 'name', value: name, hint: 'set "name:" to the lab name' });
  }
  if (/__git(Branch|Hash)__/.test(name)) {
    throw new XconnectError('TOPOLOGY', 'the lab name uses __gitBranch__/__gitHash__, which need the git checkout at deploy time', {
      file,
      line: src.lines.lineOf(['name']),
      path: 'name',
      value: name,
      hint: 'write the resulting name into the file (or render it) before planning',
    });
  }
  const abs = resolve(file);
  const base = env['CLAB_LABDIR_BASE'];
  const labDir = labDirectory(dirname(abs), name, base ? resolve(base) : undefined);
  const topo = raw.topology;
  const levels = { defaults: topo.defaults, kinds: topo.kinds ?? {}, groups: topo.groups ?? {} };

  const nodes: TopologyNode[] = [];
  const defs = topo.nodes ?? {};
  const order = src.lines.keysOf(['topology', 'nodes']).filter((n) => Object.hasOwn(defs, n));
  for (const nodeName of order) {
    const path = ['topology', 'nodes', nodeName];
    const line = src.lines.lineOf(path) ?? 0;
    if (nodeName === '') {
      throw new XconnectError('TOPOLOGY', 'a node name is empty', { file, line, path: formatPath(path), value: nodeName, hint: 'name the node' });
    }
    const inh = inheritNode(defs[nodeName], levels);
    if (inh.kind === '') {
      throw new XconnectError('TOPOLOGY', `node "${nodeName}" has no kind`, {
        file,
        line,
        path: formatPath(path),
        value: nodeName,
        hint: 'set "kind:" on the node, its group, or topology.defaults',
      });
    }
    const node: TopologyNode = {
      name: nodeName,
      longName: longName(name, nodeName, raw.prefix),
      kind: inh.kind,
      image: inh.image,
      group: inh.group,
      labels: inh.labels,
      env: inh.env,
      networkMode: inh.networkMode,
      line,
      exec: inh.exec.map((e) => expandMagicVars(e, labDir, nodeName)),
      binds: inh.binds.map((b) => expandBind(b, labDir, nodeName)),
    };
    if (inh.type !== undefined) node.type = inh.type;
    if (inh.cmd !== undefined) node.cmd = inh.cmd;
    nodes.push(node);
  }
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const { links, endpoints } = normalizeLinks(topo.links ?? [], byName, ctx);
  checkEndpointUniqueness(endpoints, ctx);
  checkRootNetnsNames(links, name, byName, ctx);
  return { name, file: abs, prefix: raw.prefix, labDir, nodes, links };
}
