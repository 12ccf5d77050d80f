/** Link normalization: the brief and extended forms of containerlab's `links:` entries
 * (links/link.go, link_brief.go, link_*.go) into typed model records. */
import { XconnectError } from '../errors.js';
import { VXLAN_DEFAULT_PORT } from '../links/vxlan.js';
import type { DummyLink, Endpoint, HostLink, Link, LinkType, MacvlanLink, VethLink, VxlanLink } from './model.js';
import { GoScalar, type PathSegment, formatPath } from './source.js';
import {
  type EndpointRaw,
  briefLink,
  dummyLink,
  hostLink,
  macvlanLink,
  vethLink,
  vxlanLink,
} from './schema.js';
import { type SourceContext, validate } from './validate.js';

/** containerlab's default link MTU (constants.DefaultLinkMTU). */
export const DEFAULT_MTU = 9500;
/** Longest name or altname Linux takes (ALTIFNAMSIZ - 1). */
export const MAX_ALTNAME = 127;
/** Kinds whose brief links default to veth-stitch (their DefaultLinkType()). */
export const VETH_STITCH_KINDS: ReadonlySet<string> = new Set(['nokia_srsim']);

const LINK_TYPES: readonly LinkType[] = ['veth', 'veth-stitch', 'host', 'mgmt-net', 'macvlan', 'vxlan', 'vxlan-stitch', 'dummy'];
/** Node names in a brief endpoint that make a special link (parseLinkType). */
const SPECIAL = ['host', 'mgmt-net', 'macvlan'] as const;

/** A node interface a link uses, with where it was written (for uniqueness checks). */
export interface EndpointRef {
  node: string;
  iface: string;
  path: PathSegment[];
  line: number | undefined;
  link: Link;
}

export interface NormalizedLinks {
  links: Link[];
  endpoints: EndpointRef[];
}

export interface NodeInfo {
  kind: string;
}

/** Checks an interface name as containerlab will use it: a name Linux cannot take is kept
 * as an altname after `/` and space become `-`, so the sanitized name must be a valid
 * altname: non-empty, at most 127 bytes, no `:`, no other whitespace, not `.` or `..`. */
export function checkInterfaceName(name: string, subject: string, where: { file: string; line?: number; path: string }): void {
  const sanitized = name.replace(/[/ ]/g, '-');
  let problem: string | undefined;
  if (name === '') problem = 'is empty';
  else if (Buffer.byteLength(sanitized) > MAX_ALTNAME) problem = `is too long (${Buffer.byteLength(sanitized)} bytes; Linux takes at most ${MAX_ALTNAME} even as an altname)`;
  else if (/[:\s]/.test(sanitized)) problem = 'contains ":" or whitespace, which Linux does not allow in interface names';
  else if (sanitized === '.' || sanitized === '..') problem = 'is "." or "..", which Linux does not allow';
  if (problem) {
    throw new XconnectError('TOPOLOGY', `${subject} ${problem}`, {
      ...where,
      value: name,
      hint: 'use a Linux interface name (names over 15 characters or with "/" become altnames)',
    });
  }
}

function checkMac(mac: string | undefined, where: { file: string; line?: number; path: string }): void {
  if (mac === undefined || mac === '') return;
  const ok =
    /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i.test(mac) || /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(mac);
  if (!ok) {
    throw new XconnectError('TOPOLOGY', `invalid MAC address "${mac}"`, { ...where, value: mac, hint: 'write it as 02:00:00:00:00:01' });
  }
}

class LinkReader {
  readonly endpoints: EndpointRef[] = [];

  constructor(
    private readonly ctx: SourceContext,
    private readonly nodes: ReadonlyMap<string, NodeInfo>,
  ) {}

  private where(path: PathSegment[]): { file: string; line?: number; path: string } {
    return { file: this.ctx.file, line: this.ctx.lines.lineOf(path), path: formatPath(path) };
  }

  private requireNode(node: string, label: string, path: PathSegment[]): void {
    if (this.nodes.has(node)) return;
    const known = [...this.nodes.keys()];
    throw new XconnectError('TOPOLOGY', `link endpoint "${label}" refers to node "${node}", which is not defined in topology.nodes`, {
      ...this.where(path),
      value: label,
      hint: known.length
        ? `define it under topology.nodes or fix the name (nodes: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''})`
        : 'define it under topology.nodes',
    });
  }

  /** Registers a node endpoint after checking node and interface name. */
  private endpoint(ep: Endpoint, link: Link, nodePath: PathSegment[], ifacePath: PathSegment[], refPath: PathSegment[]): Endpoint {
    const label = `${ep.node}:${ep.iface}`;
    this.requireNode(ep.node, label, nodePath);
    checkInterfaceName(ep.iface, `interface name of endpoint ${JSON.stringify(label)}`, this.where(ifacePath));
    this.endpoints.push({ node: ep.node, iface: ep.iface, path: refPath, line: this.ctx.lines.lineOf(refPath), link });
    return ep;
  }

  private fromObject(raw: EndpointRaw, link: Link, path: PathSegment[]): Endpoint {
    checkMac(raw.mac, this.where([...path, 'mac']));
    const ep: Endpoint = { node: raw.node, iface: raw.interface };
    if (raw.mac) ep.mac = raw.mac;
    return this.endpoint(ep, link, [...path, 'node'], [...path, 'interface'], path);
  }

  private splitBrief(value: string, path: PathSegment[]): { node: string; iface: string } {
    const at = value.indexOf(':');
    if (at < 0) {
      const node = [...this.nodes.keys()]
        .filter((n) => value.startsWith(n) && value.length > n.length)
        .sort((a, b) => b.length - a.length)[0];
      throw new XconnectError('TOPOLOGY', `link endpoint ${JSON.stringify(value)} is not node:interface`, {
        ...this.where(path),
        value,
        hint: node ? `write it as "${node}:${value.slice(node.length)}"` : 'write it as "<node>:<interface>", e.g. "r1:eth1"',
      });
    }
    return { node: value.slice(0, at), iface: value.slice(at + 1) };
  }

  private base(index: number, line: number | undefined, labels: Record<string, string> | undefined, vars: Record<string, unknown> | undefined, mtu: number | undefined, path: PathSegment[]) {
    if (mtu !== undefined && (mtu < 0 || mtu > 65535)) {
      throw new XconnectError('TOPOLOGY', `invalid MTU ${mtu}`, { ...this.where([...path, 'mtu']), value: mtu, hint: 'use 68..65535, or leave it out for 9500' });
    }
    const labelLines: Record<string, number> = {};
    for (const key of Object.keys(labels ?? {})) {
      const l = this.ctx.lines.lineOf([...path, 'labels', key]);
      if (l !== undefined) labelLines[key] = l;
    }
    return {
      mtu: mtu ? mtu : DEFAULT_MTU,
      labels: { ...(labels ?? {}) },
      vars: vars ?? {},
      line: line ?? 0,
      index,
      labelLines,
    };
  }

  read(raw: unknown, index: number): Link {
    const path: PathSegment[] = ['topology', 'links', index];
    const line = this.ctx.lines.lineOf(path);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof GoScalar) {
      throw new XconnectError('TOPOLOGY', 'a link must be a mapping', {
        ...this.where(path),
        value: raw instanceof GoScalar ? raw.source : raw,
        hint: 'write "- endpoints: [\\"a:eth1\\", \\"b:eth1\\"]" or an extended link with "type:"',
      });
    }
    const typeValue = (raw as Record<string, unknown>)['type'];
    const typeText = typeValue instanceof GoScalar ? typeValue.source : typeof typeValue === 'string' ? typeValue : undefined;
    const t = (typeText ?? '').trim().toLowerCase();
    if (t === '' || t === 'brief') return this.readBrief(raw, index, path, line);
    if (!(LINK_TYPES as readonly string[]).includes(t)) {
      throw new XconnectError('TOPOLOGY', `unknown link type ${JSON.stringify(typeText)}`, {
        ...this.where([...path, 'type']),
        value: typeText,
        hint: `use one of: ${LINK_TYPES.join(', ')} (or leave "type" out for the brief form)`,
      });
    }
    const type = t as LinkType;
    switch (type) {
      case 'veth':
      case 'veth-stitch': {
        const r = validate(vethLink, raw, path, this.ctx);
        if (r.endpoints.length !== 2) this.countError(r.endpoints.length, [...path, 'endpoints']);
        const link = { type, ...this.base(index, line, r.labels, r.vars, r.mtu, path) } as VethLink;
        link.endpoints = [
          this.fromObject(r.endpoints[0]!, link, [...path, 'endpoints', 0]),
          this.fromObject(r.endpoints[1]!, link, [...path, 'endpoints', 1]),
        ];
        return link;
      }
      case 'host':
      case 'mgmt-net': {
        const r = validate(hostLink, raw, path, this.ctx);
        const link = { type, ...this.base(index, line, r.labels, r.vars, r.mtu, path) } as HostLink;
        link.endpoint = this.fromObject(r.endpoint, link, [...path, 'endpoint']);
        checkInterfaceName(r['host-interface'], `host-interface ${JSON.stringify(r['host-interface'])}`, this.where([...path, 'host-interface']));
        link.hostInterface = r['host-interface'];
        return link;
      }
      case 'macvlan': {
        const r = validate(macvlanLink, raw, path, this.ctx);
        const link = { type, ...this.base(index, line, r.labels, r.vars, r.mtu, path) } as MacvlanLink;
        link.endpoint = this.fromObject(r.endpoint, link, [...path, 'endpoint']);
        checkInterfaceName(r['host-interface'], `host-interface ${JSON.stringify(r['host-interface'])}`, this.where([...path, 'host-interface']));
        link.hostInterface = r['host-interface'];
        link.mode = r.mode;
        return link;
      }
      case 'vxlan':
      case 'vxlan-stitch': {
        const r = validate(vxlanLink, raw, path, this.ctx);
        if (r.vni < 0 || r.vni > 0xffffff) {
          throw new XconnectError('TOPOLOGY', `VNI ${r.vni} is out of range`, { ...this.where([...path, 'vni']), value: r.vni, hint: 'use 0..16777215' });
        }
        if (r['dst-port'] !== undefined && r['udp-port'] !== undefined) {
          throw new XconnectError('TOPOLOGY', 'both dst-port and udp-port are set', {
            ...this.where([...path, 'udp-port']),
            value: r['udp-port'],
            hint: 'keep dst-port only (udp-port is its older name)',
          });
        }
        for (const key of ['dst-port', 'src-port', 'udp-port'] as const) {
          const port = r[key];
          if (port !== undefined && (port < 1 || port > 65535)) {
            throw new XconnectError('TOPOLOGY', `${key} ${port} is out of range`, { ...this.where([...path, key]), value: port, hint: 'use 1..65535' });
          }
        }
        if (r.remote.trim() === '') {
          throw new XconnectError('TOPOLOGY', 'remote is empty', { ...this.where([...path, 'remote']), value: r.remote, hint: 'set the remote VTEP address' });
        }
        const link = { type, ...this.base(index, line, r.labels, r.vars, r.mtu, path) } as VxlanLink;
        link.endpoint = this.fromObject(r.endpoint, link, [...path, 'endpoint']);
        link.remote = r.remote;
        link.vni = r.vni;
        link.dstPort = r['dst-port'] ?? r['udp-port'] ?? VXLAN_DEFAULT_PORT;
        link.srcPort = r['src-port'];
        if (r['parent-interface']) link.parentInterface = r['parent-interface'];
        return link;
      }
      case 'dummy': {
        const r = validate(dummyLink, raw, path, this.ctx);
        const link = { type, ...this.base(index, line, r.labels, r.vars, r.mtu, path) } as DummyLink;
        link.endpoint = this.fromObject(r.endpoint, link, [...path, 'endpoint']);
        return link;
      }
    }
  }

  private countError(n: number, path: PathSegment[]): never {
    throw new XconnectError('TOPOLOGY', `a link needs exactly two endpoints, got ${n}`, {
      ...this.where(path),
      value: n,
      hint: 'list two endpoints',
    });
  }

  private readBrief(raw: object, index: number, path: PathSegment[], line: number | undefined): Link {
    const r = validate(briefLink, raw, path, this.ctx);
    if (r.endpoints.length !== 2) this.countError(r.endpoints.length, [...path, 'endpoints']);
    const parts = r.endpoints.map((e, j) => this.splitBrief(e, [...path, 'endpoints', j]));
    const base = { ...this.base(index, line, r.labels, r.vars, r.mtu, path), brief: true };
    const specialAt = parts.findIndex((p) => (SPECIAL as readonly string[]).includes(p.node.trim().toLowerCase()));
    if (specialAt >= 0) {
      const nodeAt = (specialAt + 1) % 2;
      const special = parts[specialAt]!;
      const nodePart = parts[nodeAt]!;
      const kind = special.node.trim().toLowerCase() as (typeof SPECIAL)[number];
      if ((SPECIAL as readonly string[]).includes(nodePart.node.trim().toLowerCase())) {
        throw new XconnectError('TOPOLOGY', 'both endpoints of the link are special (host, mgmt-net, macvlan)', {
          ...this.where([...path, 'endpoints']),
          value: r.endpoints,
          hint: 'one endpoint must be a node interface',
        });
      }
      const epPath: PathSegment[] = [...path, 'endpoints', nodeAt];
      const spPath: PathSegment[] = [...path, 'endpoints', specialAt];
      checkInterfaceName(special.iface, `${kind} interface ${JSON.stringify(special.iface)}`, this.where(spPath));
      if (kind === 'macvlan') {
        const link = { type: 'macvlan', ...base, hostInterface: special.iface, mode: undefined } as MacvlanLink;
        link.endpoint = this.endpoint({ node: nodePart.node, iface: nodePart.iface }, link, epPath, epPath, epPath);
        return link;
      }
      const link = { type: kind, ...base, hostInterface: special.iface } as HostLink;
      link.endpoint = this.endpoint({ node: nodePart.node, iface: nodePart.iface }, link, epPath, epPath, epPath);
      return link;
    }
    const link = { type: 'veth', ...base } as VethLink;
    link.endpoints = [
      this.endpoint(parts[0]!, link, [...path, 'endpoints', 0], [...path, 'endpoints', 0], [...path, 'endpoints', 0]),
      this.endpoint(parts[1]!, link, [...path, 'endpoints', 1], [...path, 'endpoints', 1], [...path, 'endpoints', 1]),
    ];
    // A brief veth link touching a kind that defaults to veth-stitch becomes veth-stitch.
    if (link.endpoints.some((e) => VETH_STITCH_KINDS.has(this.nodes.get(e.node)?.kind ?? ''))) link.type = 'veth-stitch';
    return link;
  }
}

/** Normalizes `topology.links` into typed links; checks node references, interface names
 * and MACs. Endpoint uniqueness is checked separately (verify.ts). */
export function normalizeLinks(raw: readonly unknown[], nodes: ReadonlyMap<string, NodeInfo>, ctx: SourceContext): NormalizedLinks {
  const reader = new LinkReader(ctx, nodes);
  const links = raw.map((item, i) => reader.read(item, i));
  return { links, endpoints: reader.endpoints };
}
