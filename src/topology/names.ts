/** Names containerlab derives from a topology (containerlab v0.79: core/config.go,
 * links/). Pure functions: the planner and the test-lab deployer both use them. */
import { createHash } from 'node:crypto';

/** Linux IFNAMSIZ - 1. */
export const MAX_IFNAME = 15;

function sha1hex(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}

/** Container name by containerlab's prefix rules: prefix unset -> `clab-<lab>-<node>`,
 * `""` -> `<node>`, `__lab-name` -> `<lab>-<node>`, otherwise `<prefix>-<lab>-<node>`. */
export function longName(lab: string, node: string, prefix: string | undefined): string {
  if (prefix === undefined) return `clab-${lab}-${node}`;
  if (prefix === '') return node;
  if (prefix === '__lab-name') return `${lab}-${node}`;
  return `${prefix}-${lab}-${node}`;
}

/** Root-netns far end of a veth-stitch endpoint: `clab-s-` + 8 hex of
 * sha1(lab NUL node NUL iface), with iface as written in the topology. */
export function stitchIfname(lab: string, node: string, iface: string): string {
  return 'clab-s-' + sha1hex(`${lab}\0${node}\0${iface}`).slice(0, 8);
}

/** Altname containerlab gives a stitch far end: it names the node endpoint at the
 * OTHER end of the stitch (`clab-stitch-<lab>-<node>-<iface>`, sanitized). */
export function stitchAltname(lab: string, otherNode: string, otherIface: string): string {
  return sanitizeIfname(`clab-stitch-${lab}-${otherNode}-${otherIface}`);
}

/** Ownership altname on every interface containerlab creates in a node. */
export function ownershipAltname(node: string, iface: string): string {
  return 'clab-o-' + sha1hex(`${node}\0${iface}`).slice(0, 16);
}

/** What containerlab does to names Linux cannot take: `/` and space become `-`. */
export function sanitizeIfname(name: string): string {
  return name.replace(/[/ ]/g, '-');
}

/** True when Linux accepts the name as an interface name as is. */
export function isValidIfname(name: string): boolean {
  return name.length > 0 && name.length <= MAX_IFNAME && !/[/\s:]/.test(name) && name !== '.' && name !== '..';
}

/** Root-netns devices of a vxlan-stitch endpoint: the host veth and the vxlan device. */
export function vxlanStitchIfnames(node: string, iface: string): { veth: string; vxlan: string } {
  return { veth: `ve-${node}_${iface}`, vxlan: `vx-${node}_${iface}` };
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
