/** Node settings inheritance as containerlab's types/topology.go resolves it:
 * kind: node -> node's group -> defaults' group -> defaults (then lowercased);
 * group: node -> kinds.<kind> -> defaults;
 * single values (image, network-mode, type, cmd, ...): node -> group -> kind -> defaults;
 * labels, env: merged defaults < kind < group < node; exec: concatenated in that order;
 * binds: merged by container path, more specific levels winning. */
import type { NodeDefinition } from './schema.js';

export interface NodeLevels {
  defaults: NodeDefinition | undefined;
  kinds: Record<string, NodeDefinition | undefined>;
  groups: Record<string, NodeDefinition | undefined>;
}

export interface InheritedNode {
  /** Kind as containerlab uses it (lowercased); '' when no level sets one. */
  kind: string;
  group: string | undefined;
  type: string | undefined;
  image: string | undefined;
  networkMode: string | undefined;
  cmd: string | undefined;
  labels: Record<string, string>;
  env: Record<string, string>;
  exec: string[];
  binds: string[];
}

type Single = 'image' | 'network-mode' | 'type' | 'cmd';

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/** Destination of a bind string (`src:dst[:opts]`, or `dst` for an anonymous volume). */
function bindDst(bind: string): string {
  const parts = bind.split(':');
  return parts.length === 1 ? parts[0]! : parts[1]!;
}

function assign(target: Record<string, string>, src: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(src ?? {})) {
    Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
}

/** Resolves one node's settings through its group, kind and the defaults. */
export function inheritNode(node: NodeDefinition | undefined, levels: NodeLevels): InheritedNode {
  const { defaults } = levels;
  const groupOf = (g: string | undefined): NodeDefinition | undefined =>
    g === undefined ? undefined : Object.hasOwn(levels.groups, g) ? levels.groups[g] : undefined;
  const rawKind =
    nonEmpty(node?.kind) ??
    nonEmpty(groupOf(nonEmpty(node?.group))?.kind) ??
    nonEmpty(groupOf(nonEmpty(defaults?.group))?.kind) ??
    nonEmpty(defaults?.kind) ??
    '';
  // containerlab looks kinds.<k> up with the kind as written, before lowercasing it.
  const kindDef = rawKind !== '' && Object.hasOwn(levels.kinds, rawKind) ? levels.kinds[rawKind] : undefined;
  const group = nonEmpty(node?.group) ?? nonEmpty(kindDef?.group) ?? nonEmpty(defaults?.group);
  const groupDef = groupOf(group);
  const chain = [node, groupDef, kindDef, defaults];
  const single = (key: Single): string | undefined => {
    for (const level of chain) {
      const v = nonEmpty(level?.[key]);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const merged = [defaults, kindDef, groupDef, node];
  const labels: Record<string, string> = {};
  const env: Record<string, string> = {};
  const exec: string[] = [];
  const binds = new Map<string, string>();
  for (const level of merged) {
    assign(labels, level?.labels);
    assign(env, level?.env);
    exec.push(...(level?.exec ?? []));
    for (const b of level?.binds ?? []) binds.set(bindDst(b), b);
  }
  return {
    kind: rawKind.toLowerCase(),
    group,
    type: single('type')?.trim(),
    image: single('image'),
    networkMode: single('network-mode'),
    cmd: single('cmd'),
    labels,
    env,
    exec,
    binds: [...binds.values()],
  };
}
