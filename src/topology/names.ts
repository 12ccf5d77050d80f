/** Names containerlab derives from a topology (containerlab v0.79: core/config.go):
 * containers, the lab directory, magic variables. Pure functions. */
// Interface names belong to the link types (src/links/); this one is
// re-exported for the runtime's imports.
export { sanitizeIfname } from '../links/names.js';

/** Container name by containerlab's prefix rules: prefix unset -> `clab-<lab>-<node>`,
 * `""` -> `<node>`, `__lab-name` -> `<lab>-<node>`, otherwise `<prefix>-<lab>-<node>`. */
export function longName(lab: string, node: string, prefix: string | undefined): string {
  if (prefix === undefined) return `clab-${lab}-${node}`;
  if (prefix === '') return node;
  if (prefix === '__lab-name') return `${lab}-${node}`;
  return `${prefix}-${lab}-${node}`;
}

/** containerlab's magic variables (core/config.go magicVarReplacer): `__clabDir__` is the
 * lab directory, `__clabLabName__` its base name (`clab-<lab>`), `__clabNodeDir__` the
 * node's directory in it and `__clabNodeName__` the node name. containerlab expands them
 * in exec, binds (host path), startup-config, extras and stage commands only. */
export function expandMagicVars(text: string, labDir: string, node?: string): string {
  const base = labDir.replace(/\/+$/, '').split('/').pop() ?? labDir;
  let out = text.split('__clabDir__').join(labDir).split('__clabLabName__').join(base);
  if (node !== undefined) {
    out = out.split('__clabNodeDir__').join(`${labDir}/${node}`).split('__clabNodeName__').join(node);
  }
  return out;
}

/** Lab directory: `clab-<lab>` beside the topology file, or under `$CLAB_LABDIR_BASE`. */
export function labDirectory(topologyDir: string, lab: string, labDirBase?: string): string {
  const base = labDirBase ? labDirBase : topologyDir;
  return `${base.replace(/\/+$/, '')}/clab-${lab}`;
}
