/** The link types (src/links/<type>.ts), one row each: the root-netns devices
 * containerlab makes for them, what the planner does with them, how a skipped
 * one lists its ends; and the deploy halves run against a fake Plumbing, so the
 * steps the test deployer takes are checked without root or Docker. */
import { describe, expect, it } from 'vitest';
import {
  DEPLOYABLE,
  LINK_KINDS,
  linkContext,
  linkDeploy,
  planLink,
  plumbLink,
  rootNames,
  skippedEndpoints,
  type DeployContext,
  type LinkPlan,
  type NodeHandle,
  type Plumbing,
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

/** A Plumbing that records what it is asked to do. `existing` are root-netns
 * devices that exist (with their altnames); `fail` makes a step throw. */
function fakePlumbing(existing: Record<string, string[]> = {}, fail?: keyof Plumbing) {
  const calls: string[] = [];
  let n = 0;
  const step = (name: keyof Plumbing, text: string) => {
    calls.push(text);
    if (fail === name) throw new Error(`${name} failed`);
  };
  const io: Plumbing = {
    vethPair: async (mtu) => {
      const pair: [string, string] = [`tmp${n++}`, `tmp${n++}`];
      step('vethPair', `vethPair ${pair.join(' ')} mtu ${mtu}`);
      return pair;
    },
    plantNodeEnd: async (cur, node, e) => (step('plantNodeEnd', `node ${cur} -> pid ${node.pid} ${e.node}:${e.iface}`), e.iface),
    plantRootEnd: async (cur, ifname, _e, mac) => (step('plantRootEnd', `root ${cur} -> ${ifname}${mac ? ' random-mac' : ''}`), ifname),
    addVxlan: async (ifname, v) => (step('addVxlan', `vxlan ${ifname} vni ${v.vni} remote ${v.remote} port ${v.dstPort} parent ${v.parent ?? '-'} mac ${v.mac ?? '-'}`), ifname),
    link: async (name) => (name in existing ? { kind: 'veth', altnames: existing[name]! } : null),
    addAltname: async (dev, alt) => step('addAltname', `altname ${dev} ${alt}`),
    stitch: async (a, b, what, fresh) => step('stitch', `stitch ${a} ${b} (${what})${fresh ? ' fresh' : ''}`),
    deleteLink: async (name) => step('deleteLink', `del ${name}`),
    deleteVeth: async (name) => step('deleteVeth', `del veth ${name}`),
    deleteVxlan: async (name, vni, remote) => step('deleteVxlan', `del vxlan ${name} ${vni} ${remote}`),
  };
  return { io, calls };
}

const node = (pid: number): NodeHandle => ({ pid, netns: `/proc/${pid}/ns/net` });
const up = (...names: string[]): DeployContext => ({ ...ctx, up: new Map(names.map((x, i) => [x, node(100 + i)])), fresh: false });

describe('deploy halves', () => {
  it('veth: the pair once both nodes are up, one end into each', async () => {
    const l = link({ type: 'veth', endpoints: ['r1:eth1', 'r2:eth1'] });
    const only = fakePlumbing();
    await plumbLink(l, 'r1', up('r1'), only.io);
    expect(only.calls).toEqual([]);
    const both = fakePlumbing();
    await plumbLink(l, 'r2', up('r1', 'r2'), both.io);
    expect(both.calls).toEqual(['vethPair tmp0 tmp1 mtu 9500', 'node tmp0 -> pid 100 r1:eth1', 'node tmp1 -> pid 101 r2:eth1']);
  });

  it('veth-stitch: a segment per node; the far ends marked and stitched once both exist', async () => {
    const l = link({ type: 'veth-stitch', endpoints: ['r1:eth1', 'r2:eth2'] }) as Link & { type: 'veth-stitch' };
    const [f1, f2] = farEnds(LAB, l);
    const first = fakePlumbing();
    await plumbLink(l, 'r1', up('r1'), first.io);
    expect(first.calls).toEqual(['vethPair tmp0 tmp1 mtu 9500', 'node tmp0 -> pid 100 r1:eth1', `root tmp1 -> ${f1}`]);
    // r2 comes up: r1's far end exists (already marked, as after a restart of r2).
    const second = fakePlumbing({ [f1]: [stitchAltname(LAB, 'r2', 'eth2')], [f2]: [] });
    await plumbLink(l, 'r2', { ...up('r1', 'r2'), fresh: true }, second.io);
    expect(second.calls).toEqual([
      'vethPair tmp0 tmp1 mtu 9500',
      'node tmp0 -> pid 101 r2:eth2',
      `root tmp1 -> ${f2}`,
      `altname ${f2} ${stitchAltname(LAB, 'r1', 'eth1')}`,
      `stitch ${f1} ${f2} (r1:eth1 <-> r2:eth2) fresh`,
    ]);
  });

  it('a failed step deletes both temporary ends', async () => {
    const { io, calls } = fakePlumbing({}, 'plantNodeEnd');
    const l = link({ type: 'host', endpoint: 'r1:eth3', hostInterface: 'h1' });
    await expect(plumbLink(l, 'r1', up('r1'), io)).rejects.toThrow('plantNodeEnd failed');
    expect(calls).toEqual(['vethPair tmp0 tmp1 mtu 9500', 'node tmp0 -> pid 100 r1:eth3', 'del tmp0', 'del tmp1']);
  });

  it('host: the node end, and the host end with a generated MAC', async () => {
    const { io, calls } = fakePlumbing();
    await plumbLink(link({ type: 'host', endpoint: 'r1:eth3', hostInterface: 'h1' }), 'r1', up('r1'), io);
    expect(calls).toEqual(['vethPair tmp0 tmp1 mtu 9500', 'node tmp0 -> pid 100 r1:eth3', 'root tmp1 -> h1 random-mac']);
  });

  it('vxlan-stitch: the vxlan device (default port, the endpoint MAC), the host veth, the stitch; the device goes when the veth fails', async () => {
    const l = link({ type: 'vxlan-stitch', endpoint: 'r1:eth4', remote: '198.18.0.9', vni: 12, dstPort: 0, srcPort: undefined });
    (l as { endpoint: Endpoint }).endpoint.mac = 'aa:c1:ab:00:00:01';
    const ok = fakePlumbing();
    await plumbLink(l, 'r1', up('r1'), ok.io);
    expect(ok.calls).toEqual([
      'vxlan vx-r1_eth4 vni 12 remote 198.18.0.9 port 14789 parent - mac aa:c1:ab:00:00:01',
      'vethPair tmp0 tmp1 mtu 9500',
      'node tmp0 -> pid 100 r1:eth4',
      'root tmp1 -> ve-r1_eth4 random-mac',
      'stitch vx-r1_eth4 ve-r1_eth4 (r1:eth4)',
    ]);
    const bad = fakePlumbing({}, 'plantRootEnd');
    await expect(plumbLink(l, 'r1', up('r1'), bad.io)).rejects.toThrow('plantRootEnd failed');
    expect(bad.calls.slice(-3)).toEqual(['del tmp0', 'del tmp1', 'del vx-r1_eth4']);
  });

  it('teardown and the veths that die with a node, per side', async () => {
    const stitch = link({ type: 'veth-stitch', endpoints: ['r1:eth1', 'r2:eth2'] });
    const host = link({ type: 'host', endpoint: 'r2:eth3', hostInterface: 'h1' });
    const vx = link({ type: 'vxlan-stitch', endpoint: 'r1:eth4', remote: '198.18.0.9', vni: 12, dstPort: 14789, srcPort: undefined });
    const { io, calls } = fakePlumbing();
    for (const l of [stitch, host, vx]) await linkDeploy(l)!.teardown(l, 'r1', ctx, io);
    expect(calls).toEqual([`del veth ${far('r1', 'eth1')}`, 'del vxlan vx-r1_eth4 12 198.18.0.9', 'del veth ve-r1_eth4']);
    expect([stitch, host, vx].flatMap((l) => linkDeploy(l)!.rootVeths(l, 'r2', ctx))).toEqual([far('r2', 'eth2'), 'h1']);
    expect(linkDeploy(stitch)!.rootVeths(stitch, undefined, ctx)).toEqual([far('r1', 'eth1'), far('r2', 'eth2')]);
    expect(linkDeploy(link({ type: 'dummy', endpoint: 'r1:eth9' }))).toBeUndefined();
  });
});
