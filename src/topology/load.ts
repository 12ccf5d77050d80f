/** Loads a containerlab topology file the way containerlab v0.79 reads it (core/file.go):
 * Go template check, environment substitution, strict YAML decoding, inheritance, link
 * normalization and the pre-deploy link checks. Pure apart from reading the file. */
import { dirname, resolve } from 'node:path';
import { XconnectError } from '../errors.js';
import { type Env, substituteEnv } from './env-subst.js';
import { inheritNode } from './inherit.js';
import { normalizeLinks } from './links.js';
import type { Topology, TopologyNode } from './model.js';
import { expandMagicVars, labDirectory, longName } from './names.js';
import { topologyFile } from './schema.js';
import { GoScalar, formatPath, parseYamlText, readText } from './source.js';
import { type SourceContext, validate } from './validate.js';
import { checkEndpointUniqueness, checkRootNetnsNames } from './verify.js';

export interface LoadOptions {
  /** Environment for `${VAR}` substitution and `CLAB_LABDIR_BASE` (default: process.env). */
  env?: Env;
}

/** Fails with a clear message when the file is a Go template (containerlab renders those
 * with text/template and a `_vars` file before reading them). */
export function checkNotTemplate(text: string, file: string): void {
  const at = text.indexOf('{{');
  if (at < 0) return;
  throw new XconnectError('TOPOLOGY', 'the file contains Go template syntax "{{", which clab-xconnect does not render', {
    file,
    line: text.slice(0, at).split('\n').length,
    value: text.slice(at, text.indexOf('\n', at) < 0 ? undefined : text.indexOf('\n', at)).trim(),
    hint: 'render it to plain YAML first (containerlab deploy --export-rendered, or any Go template renderer with its _vars file) and plan the rendered file',
  });
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

/** Reads, validates and models a containerlab topology file. */
export function loadTopology(file: string, opts: LoadOptions = {}): Topology {
  const env = opts.env ?? process.env;
  const text = readText(file);
  checkNotTemplate(text, file);
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
