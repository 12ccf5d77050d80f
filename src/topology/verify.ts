/** Topology checks containerlab runs before deploying (core/config.go verifyLinks and
 * verifyRootNetNSLinks): a node interface belongs to one link only, and the interfaces
 * containerlab creates in the root network namespace have distinct names. */
import { XconnectError } from '../errors.js';
import type { EndpointRef } from './links.js';
import type { Link, TopologyNode } from './model.js';
import { rootNames, type RootName } from '../links/index.js';
import { type PathSegment, formatPath } from './source.js';
import type { SourceContext } from './validate.js';

const at = (line: number | undefined): string => (line ? `line ${line}` : 'an earlier link');

/** Fails on a node interface used twice (containerlab: "duplicate endpoint"). */
export function checkEndpointUniqueness(endpoints: readonly EndpointRef[], ctx: SourceContext): void {
  const seen = new Map<string, EndpointRef>();
  for (const ep of endpoints) {
    const key = `${ep.node}\0${ep.iface}`;
    const first = seen.get(key);
    if (first) {
      throw new XconnectError('TOPOLOGY', `endpoint "${ep.node}:${ep.iface}" is used by two links (${at(first.line)} and ${at(ep.line)})`, {
        file: ctx.file,
        line: ep.line,
        path: formatPath(ep.path),
        value: `${ep.node}:${ep.iface}`,
        endpoint: `${ep.node}:${ep.iface}`,
        hint: 'a node interface can belong to one link only: use another interface',
      });
    }
    seen.set(key, ep);
  }
}

interface SeenName extends RootName {
  line: number | undefined;
  path: PathSegment[];
}

/** The names containerlab creates (or attaches) in the root netns for each link:
 * each link type says which (src/links/<type>.ts rootNames). */
export function rootNetnsNames(link: Link, lab: string, nodes: ReadonlyMap<string, TopologyNode>): RootName[] {
  return rootNames(link, { lab, kindOf: (n) => nodes.get(n)?.kind });
}

/** Fails when two links would create the same interface name in the root netns. */
export function checkRootNetnsNames(links: readonly Link[], lab: string, nodes: ReadonlyMap<string, TopologyNode>, ctx: SourceContext): void {
  const seen = new Map<string, SeenName>();
  for (const link of links) {
    const path: PathSegment[] = ['topology', 'links', link.index];
    for (const { name, owner } of rootNetnsNames(link, lab, nodes)) {
      const first = seen.get(name);
      if (first) {
        throw new XconnectError('TOPOLOGY', `root network namespace interface "${name}" is defined twice: by ${first.owner} (${at(first.line)}) and by ${owner} (${at(link.line)})`, {
          file: ctx.file,
          line: link.line || undefined,
          path: formatPath(path),
          value: name,
          hint: 'interfaces in the root netns (bridge ports, host-interface, stitch ends) need distinct names',
        });
      }
      seen.set(name, { name, owner, line: link.line || undefined, path });
    }
  }
}
