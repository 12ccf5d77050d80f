import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../../src/topology/load.js';
import type { HostLink, MacvlanLink, VethLink, VxlanLink } from '../../../src/topology/model.js';
import { tempFiles } from './tmpfile.js';

const write = tempFiles();

describe('loadTopology: nodes', () => {
  const file = write(
    'inherit.clab.yml',
    `name: inh
prefix: __lab-name
topology:
  defaults:
    kind: linux
    image: default:1
    labels: { level: defaults, d: "1" }
    env: { A: defaults, D: "1" }
    exec: ["echo defaults"]
  kinds:
    linux:
      image: kind:1
      labels: { level: kind, k: "1" }
      env: { A: kind }
      group: fromkind
    nokia_srlinux:
      type: ixr-d3l
  groups:
    fromkind:
      network-mode: none
      labels: { level: group }
    spines:
      kind: nokia_srlinux
      image: spine:1
  nodes:
    z9:
      labels: { level: node }
      exec: ["echo __clabNodeName__ in __clabLabName__"]
      binds: ["__clabNodeDir__/cfg:/cfg"]
    a1:
      group: spines
      env: { A: node, NUM: 1 }
    m1:
      kind: Linux
      image: own:1
      type: 5132
`,
  );
  const topo = loadTopology(file, { env: {} });

  it('keeps file order and names containers by prefix', () => {
    expect(topo.nodes.map((n) => [n.name, n.longName])).toEqual([
      ['z9', 'inh-z9'],
      ['a1', 'inh-a1'],
      ['m1', 'inh-m1'],
    ]);
    expect(topo.prefix).toBe('__lab-name');
    expect(topo.labDir).toBe(`${dirname(file)}/clab-inh`);
    expect(topo.file).toBe(file);
  });

  it('inherits defaults -> kinds -> groups -> node', () => {
    const [z9, a1, m1] = topo.nodes;
    expect(z9).toMatchObject({
      kind: 'linux',
      image: 'kind:1',
      group: 'fromkind',
      networkMode: 'none',
      labels: { level: 'node', d: '1', k: '1' },
      env: { A: 'kind', D: '1' },
      line: 26,
    });
    expect(z9!.exec).toEqual(['echo defaults', `echo z9 in clab-inh`]);
    expect(z9!.binds).toEqual([`${dirname(file)}/clab-inh/z9/cfg:/cfg`]);
    expect(a1).toMatchObject({ kind: 'nokia_srlinux', image: 'spine:1', group: 'spines', type: 'ixr-d3l', env: { A: 'node', D: '1', NUM: '1' } });
    // the kind is lowercased, but kinds.<k> is looked up as written (so "Linux" misses kinds.linux)
    expect(m1).toMatchObject({ kind: 'linux', image: 'own:1', type: '5132', group: undefined, labels: { level: 'defaults', d: '1' } });
  });

  it('puts the lab directory under CLAB_LABDIR_BASE when set', () => {
    expect(loadTopology(file, { env: { CLAB_LABDIR_BASE: '/var/labs' } }).labDir).toBe('/var/labs/clab-inh');
  });
});

describe('loadTopology: links', () => {
  const file = write(
    'links.clab.yml',
    `name: lk
topology:
  nodes:
    r1: { kind: linux }
    r2: { kind: linux }
    sim: { kind: nokia_srsim }
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
    - endpoints: ["r1:eth2", "sim:1/1/c1/1"]
      mtu: 1500
      labels: { xconnect.clab/loss: 1, other: yes }
    - type: veth
      endpoints:
        - { node: r2, interface: eth2, mac: 02:00:00:00:00:04 }
        - { node: sim, interface: 1/1/c2/1 }
    - type: veth-stitch
      endpoints:
        - { node: r1, interface: eth3 }
        - { node: r2, interface: eth3 }
    - endpoints: ["r1:eth4", "host:r1-eth4"]
    - endpoints: ["mgmt-net:r2-eth4", "r2:eth4"]
    - endpoints: ["r1:eth5", "macvlan:enp0s3"]
    - type: host
      endpoint: { node: r2, interface: eth5 }
      host-interface: r2-eth5
    - type: macvlan
      endpoint: { node: r2, interface: eth6 }
      host-interface: enp0s3
      mode: passthru
    - type: vxlan
      endpoint: { node: r1, interface: eth6 }
      remote: 192.0.2.1
      vni: 10
    - type: VXLAN-STITCH
      endpoint: { node: r2, interface: eth7 }
      remote: 192.0.2.2
      vni: 11
      udp-port: 4789
      src-port: 5000
      parent-interface: eth0
    - type: dummy
      endpoint: { node: r1, interface: dummy0 }
`,
  );
  const topo = loadTopology(file, { env: {} });
  const links = topo.links;

  it('normalizes the brief form, special endpoints and the srsim default', () => {
    expect(links.map((l) => l.type)).toEqual(['veth', 'veth-stitch', 'veth', 'veth-stitch', 'host', 'mgmt-net', 'macvlan', 'host', 'macvlan', 'vxlan', 'vxlan-stitch', 'dummy']);
    expect(links[0]).toMatchObject({ mtu: 9500, brief: true, line: 8, index: 0, labels: {}, vars: {} });
    expect((links[0] as VethLink).endpoints).toEqual([
      { node: 'r1', iface: 'eth1' },
      { node: 'r2', iface: 'eth1' },
    ]);
    // brief link touching a nokia_srsim node: veth-stitch; label values as their text
    expect(links[1]).toMatchObject({ type: 'veth-stitch', mtu: 1500, labels: { 'xconnect.clab/loss': '1', other: 'yes' } });
    expect(links[1]!.labelLines).toEqual({ 'xconnect.clab/loss': 11, other: 11 });
    // an explicit veth stays veth even toward srsim; an unquoted MAC keeps its text
    expect(links[2]).toMatchObject({ type: 'veth', endpoints: [{ node: 'r2', iface: 'eth2', mac: '02:00:00:00:00:04' }, { node: 'sim', iface: '1/1/c2/1' }] });
    expect(links[4]).toMatchObject({ type: 'host', endpoint: { node: 'r1', iface: 'eth4' }, hostInterface: 'r1-eth4' } satisfies Partial<HostLink>);
    expect(links[5]).toMatchObject({ type: 'mgmt-net', endpoint: { node: 'r2', iface: 'eth4' }, hostInterface: 'r2-eth4' });
    expect(links[6]).toMatchObject({ type: 'macvlan', endpoint: { node: 'r1', iface: 'eth5' }, hostInterface: 'enp0s3', mode: undefined });
  });

  it('normalizes the extended forms', () => {
    expect(links[7]).toMatchObject({ type: 'host', hostInterface: 'r2-eth5' });
    expect(links[7]!.brief).toBeUndefined();
    expect(links[8]).toMatchObject({ type: 'macvlan', mode: 'passthru' } satisfies Partial<MacvlanLink>);
    expect(links[9]).toMatchObject({ remote: '192.0.2.1', vni: 10, dstPort: 14789, srcPort: undefined } satisfies Partial<VxlanLink>);
    expect(links[10]).toMatchObject({ type: 'vxlan-stitch', vni: 11, dstPort: 4789, srcPort: 5000, parentInterface: 'eth0', mtu: 9500 });
    expect(links[11]).toMatchObject({ type: 'dummy', endpoint: { node: 'r1', iface: 'dummy0' } });
  });
});
