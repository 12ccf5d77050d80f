/** xdp-xconnect's config file as a plan source, so its users can switch: `links:` maps a
 * host interface to the interface it is cross-connected with (both directions, as
 * xdp-xconnect's makeSymm does). Other top-level keys are ignored, as xdp-xconnect's
 * non-strict decoder ignores them. Where xdp-xconnect silently drops an interface listed
 * twice, this is an error. */
import { parse as parsePath, resolve } from 'node:path';
import { XconnectError } from '../errors.js';
import { isValidIfname } from '../links/index.js';
import { GoScalar, type PathSegment, formatPath, parseYamlText, readText } from '../topology/source.js';
import { defaultOptions, wireId } from './plan.js';
import type { Plan, WirePlan } from './types.js';

const isMapping = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof GoScalar);

/** True when a parsed YAML value looks like an xdp-xconnect config (`links:` mapping and no
 * containerlab `name`/`topology`). */
export function isXdpXconnectConfig(value: unknown): boolean {
  return isMapping(value) && isMapping(value['links']) && !('topology' in value) && !('name' in value);
}

/** Reads an xdp-xconnect config and plans one 'xdp-xconnect' wire per `links:` entry. */
export function loadXdpXconnectConfig(file: string): Plan {
  const src = parseYamlText(readText(file), file);
  const where = (path: PathSegment[]) => ({ file, line: src.lines.lineOf(path), path: formatPath(path) });
  if (!isMapping(src.value) || src.value['links'] === undefined || src.value['links'] === null) {
    throw new XconnectError('TOPOLOGY', 'not an xdp-xconnect config: no "links:" mapping', {
      ...where(['links']),
      hint: 'write "links:" with "ifA: ifB" entries',
    });
  }
  const links = src.value['links'];
  if (!isMapping(links)) {
    throw new XconnectError('TOPOLOGY', 'links must be a mapping of interface: interface', {
      ...where(['links']),
      value: links instanceof GoScalar ? links.source : links,
      hint: 'write "links:" with "ifA: ifB" entries',
    });
  }
  const used = new Map<string, number | undefined>();
  const wires: WirePlan[] = [];
  for (const a of src.lines.keysOf(['links'])) {
    const path = ['links', a];
    const line = src.lines.lineOf(path);
    const raw = links[a];
    const b = raw instanceof GoScalar ? raw.source : raw;
    if (typeof b !== 'string') {
      throw new XconnectError('TOPOLOGY', `the peer of interface "${a}" must be an interface name`, { ...where(path), value: b, hint: `write "${a}: <interface>"` });
    }
    for (const name of [a, b]) {
      if (!isValidIfname(name)) {
        throw new XconnectError('TOPOLOGY', `interface name "${name}" is too long or invalid`, {
          ...where(path),
          value: name,
          hint: 'use a Linux interface name: 1-15 characters, no "/", ":" or whitespace',
        });
      }
    }
    if (a === b) {
      throw new XconnectError('TOPOLOGY', `interface "${a}" is connected to itself`, { ...where(path), value: a, hint: 'connect two different interfaces' });
    }
    for (const name of [a, b]) {
      if (used.has(name)) {
        const first = used.get(name);
        throw new XconnectError('TOPOLOGY', `interface "${name}" is used by two links (line ${first ?? '?'} and line ${line ?? '?'})`, {
          ...where(path),
          value: name,
          hint: 'an interface can be cross-connected to one peer only (xdp-xconnect would drop the second silently)',
        });
      }
      used.set(name, line);
    }
    wires.push({
      id: wireId(a, b),
      kind: 'xdp-xconnect',
      a: { ifname: a, device: 'host' },
      b: { ifname: b, device: 'host' },
      options: defaultOptions(),
      line,
    });
  }
  return { lab: parsePath(file).name, source: { file: resolve(file), format: 'xdp-xconnect' }, wires, skipped: [] };
}
