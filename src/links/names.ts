/** Interface-name rules every link type shares (containerlab v0.79: links/,
 * utils/): what Linux accepts as a name, what containerlab does to names it
 * cannot take, the ownership altname on node interfaces, and how an endpoint
 * is written in messages. Names that belong to one link type (stitch far ends,
 * vxlan-stitch devices) live in that type's file. Pure functions. */
import type { Endpoint } from './model.js';

/** Linux IFNAMSIZ - 1. */
export const MAX_IFNAME = 15;

/** Hex SHA-1 of `s` (containerlab's generated names take a prefix of it). */
export function sha1hex(s: string): string {
  // node:crypto on first use: loading it costs ~6 ms of a start-up that a
  // re-apply from the plan cache never hashes in.
  // The one-shot hash is 3-4x faster than createHash (2,000 names: 4 vs 14 ms).
  return process.getBuiltinModule('node:crypto').hash('sha1', s, 'hex');
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

/** `node:iface`, the way messages name an endpoint. */
export function epName(ep: Pick<Endpoint, 'node' | 'iface'>): string {
  return `${ep.node}:${ep.iface}`;
}
