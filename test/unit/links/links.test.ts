/** The link types (src/links/<type>.ts), one row each: the root-netns devices
 * containerlab makes for them, what the planner does with them, how a skipped
 * one lists its ends; and the plans of the deploy halves, recorded by a fake
 * Plumbing, so what the test deployer makes is checked without root or Docker. */
import { describe, expect, it } from 'vitest';
import {
  DEPLOYABLE,
  LINK_KINDS,
  linkContext,
  epName,
  linkDeploy,
  linksRootVeths,
  planLink,
  plumbLinks,
  removeLinksRoot,
  rootNames,
  skippedEndpoints,
  type DeployContext,
  type LinkPlan,
  type NodeEnd,
  type NodeHandle,
  type Plumbing,
  type PlumbPlan,
  type RootEnd,
  type RootName,
} from '../../../src/links/index.js';
import type { Endpoint, Link, LinkType } from '../../../src/links/model.js';
import { farEnds, stitchAltname, stitchIfname } from '../../../src/links/veth-stitch.js';

const LAB = 'lab';
/** Nodes: r1, r2 (linux), br (a bridge: its interfaces are root-netns devices). */
const ctx = linkContext(LAB, [
  { name: 'r1', kind: 'linux' },
  { name: 'r2', kind: 'linux' },
  { name: 'br', kind: 'bridge' },
]);

const ep = (s: string): Endpoint => ({ node: s.split(':')[0]!, iface: s.split(':')[1]! });
const base = { mtu: 9500, labels: {}, vars: {}, line: 7, index: 0 };

function link(spec: { type: LinkType } & Record<string, unknown>): Link {
  const l = { ...base, ...spec } as Record<string, unknown>;
  if (Array.isArray(spec['endpoints'])) l['endpoints'] = (spec['endpoints'] as string[]).map(ep);
  if (typeof spec['endpoint'] === 'string') l['endpoint'] = ep(spec['endpoint']);
  return l as unknown as Link;
}

const far = (node: string, iface: string) => stitchIfname(LAB, node, iface);

interface Row {
  link: Link;
  rootNames: RootName[];
  plan: LinkPlan | { skip: 'direct' | 'unwireable'; reason: RegExp };
  skipped: string[];
}

const ROWS: Record<LinkType, Row[]> = {
  veth: [
    {
      link: link({ type: 'veth', endpoints: ['r1:eth1', 'r2:eth1'] }),
      rootNames: [],
      plan: { skip: 'direct', reason: /^veth pair r1:eth1 <-> r2:eth1 is already a direct wire/ },
      skipped: ['r1:eth1', 'r2:eth1'],
    },
    {
      link: link({ type: 'veth', endpoints: ['r1:eth2', 'br:p1'] }),
      rootNames: [{ name: 'p1', owner: 'br:p1' }],
      plan: { skip: 'direct', reason: /^veth to bridge node "br": a bridge port/ },
      skipped: ['r1:eth2', 'br:p1'],
    },
  ],
  'veth-stitch': [
    {
      link: link({ type: 'veth-stitch', endpoints: ['r1:eth1', 'br:p2'] }),
      rootNames: [
        { name: far('r1', 'eth1'), owner: 'veth-stitch far end of r1:eth1' },
        { name: 'p2', owner: 'br:p2' },
        { name: far('br', 'p2'), owner: 'veth-stitch far end of br:p2' },
      ],
      plan: {
        wire: {
          kind: 'veth-stitch',
          id: 'br:p2--r1:eth1',
          a: { name: far('r1', 'eth1'), device: 'veth', node: ep('r1:eth1') },
          b: { name: far('br', 'p2'), device: 'veth', node: ep('br:p2') },
          directions: { a: ['r1:eth1'], b: ['br:p2'] },
        },
      },
      skipped: ['r1:eth1', 'br:p2'],
    },
  ],
  host: [
    {
      link: link({ type: 'host', endpoint: 'br:p3', hostInterface: 'h1' }),
      rootNames: [{ name: 'h1', owner: 'host:h1' }, { name: 'p3', owner: 'br:p3' }],
      plan: { skip: 'unwireable', reason: /^host link: its root-netns end h1 has no peer; pair it .* xconnect\.clab\/pair: <name>$/ },
      skipped: ['br:p3', 'host:h1'],
    },
  ],
  'mgmt-net': [
    {
      link: link({ type: 'mgmt-net', endpoint: 'r1:eth0', hostInterface: 'm1' }),
      rootNames: [{ name: 'm1', owner: 'mgmt-net:m1' }],
      plan: { skip: 'unwireable', reason: /^mgmt-net link: .* management bridge/ },
      skipped: ['r1:eth0', 'mgmt-net:m1'],
    },
  ],
  macvlan: [
    {
      link: link({ type: 'macvlan', endpoint: 'br:p4', hostInterface: 'eno1', mode: undefined }),
      rootNames: [{ name: 'p4', owner: 'br:p4' }],
      plan: { skip: 'unwireable', reason: /^macvlan link: the node interface is a macvlan on eno1/ },
      skipped: ['br:p4', 'macvlan:eno1'],
    },
  ],
  vxlan: [
    {
      link: link({ type: 'vxlan', endpoint: 'r1:eth5', remote: '198.18.0.9', vni: 10, dstPort: 14789, srcPort: undefined }),
      rootNames: [],
      plan: { skip: 'unwireable', reason: /^vxlan link: the vxlan device lives in the node netns/ },
      skipped: ['r1:eth5', 'vxlan:10@198.18.0.9'],
    },
  ],
  'vxlan-stitch': [
    {
      link: link({ type: 'vxlan-stitch', endpoint: 'br:p6', remote: '198.18.0.9', vni: 11, dstPort: 14789, srcPort: undefined }),
      // No bridge-port name: containerlab's verifyRootNetNSLinks counts the two stitch devices only.
      rootNames: [{ name: 've-br_p6', owner: 'vxlan-stitch of br:p6' }, { name: 'vx-br_p6', owner: 'vxlan-stitch of br:p6' }],
      plan: {
        wire: {
          kind: 'vxlan-stitch',
          id: 'br:p6--vxlan:11@198.18.0.9',
          a: { name: 've-br_p6', device: 'veth', node: ep('br:p6') },
          b: { name: 'vx-br_p6', device: 'vxlan' },
          directions: { a: ['br:p6'], b: ['vxlan:11@198.18.0.9', 'remote'] },
        },
      },
      skipped: ['br:p6', 'vxlan:11@198.18.0.9'],
    },
  ],
  dummy: [
    {
      link: link({ type: 'dummy', endpoint: 'br:p7' }),
      rootNames: [{ name: 'p7', owner: 'br:p7' }],
      plan: { skip: 'unwireable', reason: /^dummy link: a single interface with no peer$/ },
      skipped: ['br:p7'],
    },
  ],
};

describe('the link types', () => {
  it('one per containerlab link type, each under its own name', () => {
    expect(Object.keys(LINK_KINDS).sort()).toEqual(Object.keys(ROWS).sort());
    for (const [type, kind] of Object.entries(LINK_KINDS)) expect(kind.type).toBe(type);
    expect(DEPLOYABLE).toEqual(['veth', 'veth-stitch', 'host', 'vxlan-stitch']);
  });

  const rows = Object.entries(ROWS).flatMap(([type, list]) => list.map((row, i) => [`${type} #${i + 1}`, row] as const));
  it.each(rows)('%s: root-netns names, plan, skipped ends', (_name, row) => {
    expect(rootNames(row.link, ctx)).toEqual(row.rootNames);
    const step = planLink(row.link, ctx);
    if ('skip' in row.plan && row.plan.reason instanceof RegExp) {
      expect(step).toMatchObject({ skip: row.plan.skip });
      expect((step as { reason: string }).reason).toMatch(row.plan.reason);
    } else {
      expect(step).toEqual(row.plan);
    }
    expect(skippedEndpoints(row.link)).toEqual(row.skipped);
  });
});

/** A Plumbing that records what it is asked to make or remove, one line per
 * device or stitch; `apply` calls are counted (a node's links make one). */
function fakePlumbing() {
  const calls: string[] = [];
  let applies = 0;
  const end = (e: NodeEnd | RootEnd) =>
    'node' in e ? `node pid ${e.node.pid} ${epName(e.ep)}${e.ep.mac ? ` mac ${e.ep.mac}` : ''}` : `root ${e.ifname}${e.randomMac ? ' random-mac' : ''}`;
  const io: Plumbing = {
    async apply(plan: PlumbPlan) {
      applies++;
      for (const v of plan.vxlans)
        calls.push(`vxlan ${v.ifname} vni ${v.dev.vni} remote ${v.dev.remote} port ${v.dev.dstPort} parent ${v.dev.parent ?? '-'} mac ${v.dev.mac ?? '-'} (${epName(v.forEp)})`);
      for (const v of plan.veths) calls.push(`veth mtu ${v.mtu} (${epName(v.forEp)}): ${end(v.a)} | ${end(v.b)}`);
      for (const x of plan.stitches) {
        const alts = x.altnames.map((a) => ` alt ${a.dev}=${a.altname}`).join('');
        calls.push(`stitch ${x.a} ${x.b} (${x.what})${x.fresh ? ' fresh' : ''}${alts}${x.needs.length ? ` needs ${x.needs.join(',')}` : ''}`);
      }
    },
    async removeRoot(veths, vxlans) {
      calls.push(...veths.map((v) => `del veth ${v}`), ...vxlans.map((v) => `del vxlan ${v.name} ${v.vni} ${v.remote}`));
    },
  };
  return { io, calls, applies: () => applies };
}

const node = (pid: number): NodeHandle => ({ pid, netns: `/proc/${pid}/ns/net` });
const up = (...names: string[]): DeployContext => ({ ...ctx, up: new Map(names.map((x, i) => [x, node(100 + i)])), fresh: false });

describe('deploy halves', () => {
  it('veth: the pair once both nodes are up, one end into each', async () => {
    const l = link({ type: 'veth', endpoints: ['r1:eth1', 'r2:eth1'] });
    const only = fakePlumbing();
    await plumbLinks([l], 'r1', up('r1'), only.io);
    expect(only.calls).toEqual([]);
    const both = fakePlumbing();
    await plumbLinks([l], 'r2', up('r1', 'r2'), both.io);
    expect(both.calls).toEqual(['veth mtu 9500 (r1:eth1): node pid 100 r1:eth1 | node pid 101 r2:eth1']);
  });

  it('veth-stitch: a segment per node; the far ends marked and stitched once the other exists', async () => {
    const l = link({ type: 'veth-stitch', endpoints: ['r1:eth1', 'r2:eth2'] }) as Link & { type: 'veth-stitch' };
    const [f1, f2] = farEnds(LAB, l);
    const alts = ` alt ${f1}=${stitchAltname(LAB, 'r2', 'eth2')} alt ${f2}=${stitchAltname(LAB, 'r1', 'eth1')}`;
    const first = fakePlumbing();
    await plumbLinks([l], 'r1', up('r1'), first.io);
    expect(first.calls).toEqual([`veth mtu 9500 (r1:eth1): node pid 100 r1:eth1 | root ${f1}`, `stitch ${f1} ${f2} (r1:eth1 <-> r2:eth2)${alts} needs ${f2}`]);
    // r2 comes up again after a restart: its segment, and a fresh stitch to r1's far end.
    const second = fakePlumbing();
    await plumbLinks([l], 'r2', { ...up('r1', 'r2'), fresh: true }, second.io);
    expect(second.calls).toEqual([`veth mtu 9500 (r2:eth2): node pid 101 r2:eth2 | root ${f2}`, `stitch ${f1} ${f2} (r1:eth1 <-> r2:eth2) fresh${alts} needs ${f1}`]);
    // Both ends on one node: both segments, and the stitch needs nothing else.
    const loop = link({ type: 'veth-stitch', endpoints: ['r1:eth1', 'r1:eth2'] }) as Link & { type: 'veth-stitch' };
    const self = fakePlumbing();
    await plumbLinks([loop], 'r1', up('r1'), self.io);
    expect(self.calls.map((c) => c.replace(/ alt .*/, ''))).toEqual([
      `veth mtu 9500 (r1:eth1): node pid 100 r1:eth1 | root ${farEnds(LAB, loop)[0]}`,
      `veth mtu 9500 (r1:eth2): node pid 100 r1:eth2 | root ${farEnds(LAB, loop)[1]}`,
      `stitch ${farEnds(LAB, loop).join(' ')} (r1:eth1 <-> r1:eth2)`,
    ]);
  });

  it('host: the node end, and the host end with a generated MAC', async () => {
    const { io, calls } = fakePlumbing();
    await plumbLinks([link({ type: 'host', endpoint: 'r1:eth3', hostInterface: 'h1' })], 'r1', up('r1'), io);
    expect(calls).toEqual(['veth mtu 9500 (r1:eth3): node pid 100 r1:eth3 | root h1 random-mac']);
  });

  it('vxlan-stitch: the vxlan device (default port, the endpoint MAC on it), the host veth, the stitch', async () => {
    const l = link({ type: 'vxlan-stitch', endpoint: 'r1:eth4', remote: '198.18.0.9', vni: 12, dstPort: 0, srcPort: undefined });
    (l as { endpoint: Endpoint }).endpoint.mac = 'aa:c1:ab:00:00:01';
    const { io, calls } = fakePlumbing();
    await plumbLinks([l], 'r1', up('r1'), io);
    expect(calls).toEqual([
      'vxlan vx-r1_eth4 vni 12 remote 198.18.0.9 port 14789 parent - mac aa:c1:ab:00:00:01 (r1:eth4)',
      'veth mtu 9500 (r1:eth4): node pid 100 r1:eth4 | root ve-r1_eth4 random-mac',
      'stitch vx-r1_eth4 ve-r1_eth4 (r1:eth4)',
    ]);
  });

  it("a node's links are made together: one plan, each kind in link order", async () => {
    const links = [
      link({ type: 'veth-stitch', endpoints: ['r1:eth1', 'r2:eth2'] }),
      link({ type: 'host', endpoint: 'r1:eth3', hostInterface: 'h1' }),
      link({ type: 'vxlan-stitch', endpoint: 'r1:eth4', remote: '198.18.0.9', vni: 12, dstPort: 0, srcPort: undefined }),
      link({ type: 'host', endpoint: 'r2:eth3', hostInterface: 'h2' }),
      link({ type: 'dummy', endpoint: 'r1:eth9' }),
    ];
    const { io, calls, applies } = fakePlumbing();
    await plumbLinks(links, 'r1', up('r1'), io);
    expect(applies()).toBe(1);
    expect(calls.map((c) => c.split(' (')[0])).toEqual([
      'vxlan vx-r1_eth4 vni 12 remote 198.18.0.9 port 14789 parent - mac -',
      'veth mtu 9500',
      'veth mtu 9500',
      'veth mtu 9500',
      `stitch ${far('r1', 'eth1')} ${far('r2', 'eth2')}`,
      'stitch vx-r1_eth4 ve-r1_eth4',
    ]);
  });

  it('teardown and the veths that die with a node, per side', async () => {
    const stitch = link({ type: 'veth-stitch', endpoints: ['r1:eth1', 'r2:eth2'] });
    const host = link({ type: 'host', endpoint: 'r2:eth3', hostInterface: 'h1' });
    const vx = link({ type: 'vxlan-stitch', endpoint: 'r1:eth4', remote: '198.18.0.9', vni: 12, dstPort: 14789, srcPort: undefined });
    const { io, calls } = fakePlumbing();
    await removeLinksRoot([stitch, host, vx], 'r1', ctx, io);
    expect(calls).toEqual([`del veth ${far('r1', 'eth1')}`, 'del veth ve-r1_eth4', 'del vxlan vx-r1_eth4 12 198.18.0.9']);
    expect(linksRootVeths([stitch, host, vx], 'r2', ctx)).toEqual([far('r2', 'eth2'), 'h1']);
    expect(linkDeploy(stitch)!.rootVeths(stitch, undefined, ctx)).toEqual([far('r1', 'eth1'), far('r2', 'eth2')]);
    expect(linkDeploy(link({ type: 'dummy', endpoint: 'r1:eth9' }))).toBeUndefined();
  });
});
