/** Every file of containerlab's corpus (../shared/corpus/containerlab: its lab-examples,
 * its parser test data and its editor schema) renders, loads and plans, or fails for the
 * stated reason. Go-templated labs render with their _vars file, as containerlab does. */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isXconnectError } from '../../../src/errors.js';
import { planTopology } from '../../../src/plan/plan.js';
import { loadTopology } from '../../../src/topology/load.js';
import type { Topology } from '../../../src/topology/model.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/corpus/containerlab');

type Expect =
  | { loads: true; nodes?: number; links?: number; types?: string[]; env?: Record<string, string>; check?: (t: Topology) => void }
  | { fails: RegExp; why: string };

const ok = (nodes: number, links: number, types: string[] = links ? ['veth'] : []): Expect => ({ loads: true, nodes, links, types });
const GOMPLATE = /:1:\d+: function "ds" not defined - .*gomplate functions such as ds are not available/;

const CORPUS: Record<string, Expect> = {
  // not a topology: a one-line text file naming the containerlab commit
  SOURCE: { fails: /top level is not a mapping/, why: 'plain text, not a topology' },
  'schemas/clab.schema.json': { fails: /unknown key "\$schema"|unknown key "\$id"/, why: 'the editor JSON schema, not a topology' },
  'core/test_data/topo1.yml': {
    loads: true,
    nodes: 2,
    links: 0,
    check: (t) => expect(t.nodes[1]!.labels['with-dollar-sign']).toBe('some$value'),
  },
  'core/test_data/topo10.yml': ok(2, 0),
  'core/test_data/topo11-ext-cont.yaml': ok(2, 0),
  'core/test_data/topo12.yml': ok(4, 2),
  'core/test_data/topo13.yml': ok(1, 0),
  'core/test_data/topo14.yml': ok(1, 0),
  'core/test_data/topo15.yml': ok(1, 0),
  'core/test_data/topo16.yml': ok(2, 0),
  'core/test_data/topo17.yml': {
    loads: true,
    nodes: 2,
    links: 0,
    check: (t) => expect(t.nodes.map((n) => n.kind)).toEqual(['linux', 'linux']),
  },
  'core/test_data/topo2.yml': ok(2, 0),
  'core/test_data/topo3.yml': ok(2, 0),
  'core/test_data/topo4.yml': {
    loads: true,
    nodes: 1,
    check: (t) => expect(t.nodes[0]!.env).toEqual({ env1: 'node', env2: 'kind', env3: 'global', env4: 'kind', env5: 'node' }),
  },
  'core/test_data/topo5.yml': ok(1, 0),
  // containerlab's own test expects "duplicate endpoint" for lin1:eth1 (and others)
  'core/test_data/topo6.yml': { fails: /endpoint "lin1:eth1" is used by two links \(line 13 and line 14\)/, why: 'duplicate endpoints' },
  // bridge br1's port eth76 and host:eth76 are both root-netns interfaces named eth76
  'core/test_data/topo7-dup-rootnetns.yml': { fails: /root network namespace interface "eth76" is defined twice/, why: 'root netns name clash' },
  'core/test_data/topo8_ansible_groups.yml': {
    loads: true,
    nodes: 4,
    check: (t) => expect(t.nodes[3]!.labels['ansible-no-host-var']).toBe('true'),
  },
  'core/test_data/topo8_nornir_groups.yml': ok(4, 0),
  'core/test_data/topo9.yml': {
    loads: true,
    nodes: 1,
    env: { CONTAINERLAB_TEST_ENV5: 'node' },
    check: (t) => expect(t.nodes[0]!.env).toEqual({ env1: 'node', env2: 'kind', env3: 'global', env4: 'kind', env5: 'node' }),
  },
  'core/test_data/topo_inv_defaults_creds.yml': ok(2, 0),
  'core/test_data/topo_inv_kind_creds.yml': ok(2, 0),
  'core/test_data/topo_inv_two_node_passwords.yml': ok(2, 0),
  'lab-examples/asav01/asav01.clab.yml': ok(3, 2),
  'lab-examples/br01/br01.clab.yml': {
    loads: true,
    nodes: 4,
    links: 3,
    check: (t) => expect(t.nodes.find((n) => n.name === 'br-clab')!.kind).toBe('bridge'),
  },
  'lab-examples/cert01/cert01.clab.yml': ok(1, 0),
  'lab-examples/ciena_saos/ciena_saos.clab.yml': { loads: true, nodes: 2, links: 1, check: (t) => expect(t.nodes[0]!.type).toBe('5132') },
  'lab-examples/clos01/clos01.clab.yml': ok(5, 4),
  'lab-examples/clos02/clos02.clab.yml': ok(14, 16),
  'lab-examples/clos02/setup.clos02.clab.yml': ok(14, 16),
  'lab-examples/cvx01/topo.clab.yml': ok(2, 1),
  'lab-examples/cvx02/topo.clab.yml': ok(2, 1),
  'lab-examples/f5bigipve01/f5bigipve01.clab.yml': ok(2, 1),
  'lab-examples/fortigate/fortigate.clab.yml': ok(2, 1),
  'lab-examples/freebsd01/freebsd01.clab.yml': ok(3, 2),
  'lab-examples/frr01/frr01.clab.yml': {
    loads: true,
    nodes: 6,
    links: 6,
    check: (t) => expect(t.nodes.map((n) => n.image)).toContain('quay.io/frrouting/frr:10.5.1'),
  },
  'lab-examples/generic_vm01/generic_vm.clab.yml': ok(2, 1),
  'lab-examples/ixiac01/ixiac01.clab.yml': ok(2, 2),
  'lab-examples/k8s_kind01/k8s_kind01.clab.yml': ok(6, 3),
  'lab-examples/ost-srl/ost-srl.clab.yml': ok(2, 2),
  'lab-examples/osvbng01/osvbng01.clab.yml': ok(3, 2),
  'lab-examples/sonic01/sonic01.clab.yml': ok(2, 1),
  // SR-SIM (nokia_srsim) brief links default to veth-stitch
  'lab-examples/sr-sim/lab-distributed-components.clab.yaml': ok(2, 2, ['veth-stitch']),
  'lab-examples/sr-sim/lab-distributed.clab.yaml': ok(8, 2, ['veth-stitch']),
  'lab-examples/sr-sim/lab-integrated.clab.yaml': ok(2, 2, ['veth-stitch']),
  'lab-examples/sr-sim/lab.clab.yaml': ok(5, 3, ['veth-stitch']),
  'lab-examples/sr-sim/sr-14s-components.clab.yaml': ok(1, 3, ['veth-stitch']),
  'lab-examples/sr-sim/sr-14s.clab.yaml': ok(8, 2, ['veth-stitch']),
  'lab-examples/sr-sim/sr-2s.clab.yaml': ok(4, 2, ['veth-stitch']),
  'lab-examples/sr-sim/sros-srl.clab.yml': ok(2, 1, ['veth-stitch']),
  'lab-examples/srl-quickstart/srl01.clab.yml': {
    loads: true,
    nodes: 1,
    check: (t) => {
      expect(t.prefix).toBe('');
      expect(t.nodes[0]!.longName).toBe('srl');
      expect(t.nodes[0]!.image).toBe('ghcr.io/nokia/srlinux:latest');
    },
  },
  'lab-examples/srl-quickstart/srl02.clab.yml': {
    loads: true,
    nodes: 2,
    links: 2,
    env: { CLAB_PREFIX: 'acme', SRL_VERSION: '24.10' },
    check: (t) => {
      expect(t.nodes[0]!.longName).toBe('acme-srl2-srl1');
      expect(t.nodes[0]!.image).toBe('ghcr.io/nokia/srlinux:24.10');
    },
  },
  'lab-examples/srl01/srl01.clab.yml': ok(1, 0),
  'lab-examples/srl02/srl02.clab.yml': ok(2, 1),
  'lab-examples/srl03/srl03.clab.yml': ok(8, 18),
  'lab-examples/srlarcos01/srlarcos01.clab.yml': ok(2, 1),
  'lab-examples/srlceos01/srlceos01.clab.yml': ok(2, 1),
  'lab-examples/srlcjunosevo/srlcjunosevo.clab.yml': ok(2, 3),
  'lab-examples/srlcrpd01/srlcrpd01.clab.yml': ok(2, 1),
  'lab-examples/srlfrr01/srlfrr01.clab.yml': ok(2, 1),
  'lab-examples/srlvjunos01/srlvjunos01.clab.yml': ok(2, 3),
  'lab-examples/srlvjunos02/srlvjunos02.clab.yml': ok(2, 3),
  'lab-examples/srlxrd01/srlxrd01.clab.yml': ok(2, 1),
  // Go templates, rendered with the _vars file beside them as containerlab does:
  // 2 spines x 4 leaves, each spine linked to each leaf
  'lab-examples/templated01/templated01.clab.gotmpl': {
    loads: true,
    nodes: 2 + 4,
    links: 2 * 4,
    types: ['veth'],
    check: (t) => {
      expect(t.nodes.map((n) => n.name)).toEqual(['spine1', 'spine2', 'leaf1', 'leaf2', 'leaf3', 'leaf4']);
      expect(t.nodes.every((n) => n.type === 'ixrd3' && n.kind === 'nokia_srlinux')).toBe(true);
    },
  },
  // 2 super-spines + 4 pods x (2 spines + 4 leaves); super-spine x pod spine links, and
  // spine x leaf links in each pod (leaves use port offset 48 for ixrd2l under ixrd3l)
  'lab-examples/templated02/templated02.clab.gotmpl': {
    loads: true,
    nodes: 2 + 4 * (2 + 4),
    links: 2 * 4 * 2 + 4 * 2 * 4,
    types: ['veth'],
    check: (t) => {
      const last = t.links[t.links.length - 1]!;
      expect('endpoints' in last ? last.endpoints.map((e) => `${e.node}:${e.iface}`) : []).toEqual(['spine4-2:e1-6', 'leaf4-4:e1-50']);
    },
  },
  // configuration templates for gomplate (they read data with gomplate's ds), not
  // topologies: containerlab's template functions have no ds
  'lab-examples/templated01/topology_config.gotmpl': { fails: GOMPLATE, why: 'a gomplate config template, not a topology' },
  'lab-examples/templated02/topology_config.gotmpl': { fails: GOMPLATE, why: 'a gomplate config template, not a topology' },
  // template variables, not topologies: strict decoding rejects their keys
  'lab-examples/templated01/templated01.clab_vars.yaml': { fails: /:1: unknown key "spines"/, why: 'template variables file' },
  'lab-examples/templated02/templated02.clab_vars.yaml': { fails: /:1: unknown key "super_spines"/, why: 'template variables file' },
  'lab-examples/vr01/vr01.clab.yml': ok(2, 1),
  'lab-examples/vr02/vr02.clab.yml': ok(2, 1),
  'lab-examples/vr03/vr03.clab.yml': ok(2, 1),
  'lab-examples/vr04/vr04.clab.yml': ok(2, 1),
  'lab-examples/vr05/sros4.clab.yml': ok(4, 4),
  'lab-examples/vr05/vr01.clab.yml': ok(2, 1),
  'lab-examples/vxlan01/vxlan-sros.clab.yml': ok(1, 2, ['host']),
  'lab-examples/vxlan01/vxlan-vmx.clab.yml': ok(1, 2, ['host']),
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('containerlab corpus', () => {
  it('the table lists every corpus file', () => {
    const files = walk(ROOT).map((f) => relative(ROOT, f)).sort();
    expect(files).toEqual(Object.keys(CORPUS).sort());
  });

  it.each(Object.entries(CORPUS))('%s', (rel, want) => {
    const file = join(ROOT, rel);
    if ('fails' in want) {
      let err: unknown;
      try {
        loadTopology(file, { env: {} });
      } catch (e) {
        err = e;
      }
      expect(isXconnectError(err), `${rel} should fail: ${want.why}`).toBe(true);
      expect((err as Error).message).toMatch(want.fails);
      expect((err as Error).message.startsWith(file)).toBe(true);
      return;
    }
    const topo = loadTopology(file, { env: want.env ?? {} });
    if (want.nodes !== undefined) expect(topo.nodes).toHaveLength(want.nodes);
    if (want.links !== undefined) expect(topo.links).toHaveLength(want.links);
    if (want.types) expect([...new Set(topo.links.map((l) => l.type))]).toEqual(want.types);
    want.check?.(topo);
    const plan = planTopology(topo, { displayFile: file });
    expect(plan.lab).toBe(topo.name);
    expect(plan.wires.length + plan.skipped.length).toBe(topo.links.length);
  });
});
