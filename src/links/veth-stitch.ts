/** `veth-stitch` (containerlab v0.78+, the root-netns variant of v0.79): per
 * endpoint a veth segment node <-> root netns whose far end is `clab-s-<8hex>`;
 * once both segments exist, each far end gets the altname naming the node
 * endpoint at the OTHER end and the two far ends are tc-stitched both ways.
 * The planner wires the two far ends. */
import { bridgePortNames, wireId, type LinkKind } from './kind.js';
import type { LinkOf, VethLink } from './model.js';
import { epName, sanitizeIfname, sha1hex } from './names.js';
import { emptyPlan } from './plumbing.js';

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

/** Root-netns far ends of the link's two segments, by endpoint index. */
export function farEnds(lab: string, link: VethLink): [string, string] {
  const [a, b] = link.endpoints;
  return [stitchIfname(lab, a.node, a.iface), stitchIfname(lab, b.node, b.iface)];
}

/** Endpoint indexes of the link on `node` (both when undefined). */
const sides = (link: VethLink, node: string | undefined) => ([0, 1] as const).filter((i) => node === undefined || link.endpoints[i].node === node);

export const vethStitch: LinkKind<LinkOf<'veth-stitch'>> = {
  type: 'veth-stitch',
  endpoints: (link) => link.endpoints,
  skippedEndpoints: (link) => link.endpoints.map(epName),
  rootNames: (link, ctx) =>
    link.endpoints.flatMap((ep) => [
      ...bridgePortNames([ep], ctx),
      { name: stitchIfname(ctx.lab, ep.node, ep.iface), owner: `veth-stitch far end of ${epName(ep)}` },
    ]),
  plan(link, ctx) {
    const [a, b] = link.endpoints;
    const [farA, farB] = farEnds(ctx.lab, link);
    return {
      wire: {
        kind: 'veth-stitch',
        id: wireId(epName(a), epName(b)),
        a: { name: farA, device: 'veth', node: a },
        b: { name: farB, device: 'veth', node: b },
        directions: { a: [epName(a)], b: [epName(b)] },
      },
    };
  },
  deploy: {
    /** The segment of each endpoint on `node`; then, once the other segment
     * exists too (its far end is there, or made here as well), the altname on
     * both far ends and the tc stitch both ways (`fresh` after a node restart:
     * the surviving far end may hold a stale filter). */
    plumb(link, node, ctx) {
      const self = ctx.up.get(node);
      const mine = sides(link, node);
      if (!self || mine.length === 0) return emptyPlan();
      const [a, b] = link.endpoints;
      const [farA, farB] = farEnds(ctx.lab, link);
      const fars = [farA, farB] as const;
      return {
        vxlans: [],
        veths: mine.map((i) => ({ mtu: link.mtu, forEp: link.endpoints[i], a: { node: self, ep: link.endpoints[i] }, b: { ifname: fars[i] } })),
        stitches: [{
          a: farA,
          b: farB,
          what: `${epName(a)} <-> ${epName(b)}`,
          fresh: ctx.fresh,
          altnames: [
            { dev: farA, altname: stitchAltname(ctx.lab, b.node, b.iface), forEp: a },
            { dev: farB, altname: stitchAltname(ctx.lab, a.node, a.iface), forEp: b },
          ],
          needs: ([0, 1] as const).filter((i) => !mine.includes(i)).map((i) => fars[i]),
        }],
      };
    },
    rootVeths: (link, node, ctx) => sides(link, node).map((i) => farEnds(ctx.lab, link)[i]),
  },
};
