import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { opts } from '../../helpers/plan-options.js';
import { describe, expect, it } from 'vitest';
import { XconnectError } from '../../../src/errors.js';
import { planTopology } from '../../../src/plan/plan.js';
import { planFile } from '../../../src/plan/plan-file.js';
import { loadTopology } from '../../../src/topology/load.js';
import { tempFiles } from '../topology/tmpfile.js';

const write = tempFiles();
const topologies = fileURLToPath(new URL('../../../topologies/', import.meta.url));

const sha = (s: string): string => execFileSync('sha1sum', { input: s, encoding: 'utf8' }).slice(0, 8);

function plan(text: string, name = 'p.clab.yml') {
  return planTopology(loadTopology(write(name, text), { env: {} }));
}

function planError(text: string, name = 'e.clab.yml'): XconnectError {
  try {
    plan(text, name);
  } catch (e) {
    if (e instanceof XconnectError) return e;
    throw e;
  }
  throw new Error('expected the plan to fail');
}

const HEAD = `name: t
topology:
  defaults: { kind: linux }
  nodes:
    r1: {}
    r2: {}
    r3: {}
    br: { kind: bridge }
  links:
`;

describe('planTopology', () => {
  it('wires veth-stitch links between their clab-s- far ends', () => {
    const p = plan(HEAD + '    - type: veth-stitch\n      endpoints: [{ node: r2, interface: eth1 }, { node: r1, interface: eth1 }]\n');
    expect(p.lab).toBe('t');
    expect(p.source.format).toBe('containerlab');
    expect(p.wires).toEqual([
      {
        id: 'r1:eth1--r2:eth1',
        kind: 'veth-stitch',
        a: { ifname: `clab-s-${sha('t\0r2\0eth1')}`, device: 'veth', node: { name: 'r2', iface: 'eth1' } },
        b: { ifname: `clab-s-${sha('t\0r1\0eth1')}`, device: 'veth', node: { name: 'r1', iface: 'eth1' } },
        options: opts('up', 'auto'),
        line: 10,
      },
    ]);
    expect(p.skipped).toEqual([]);
  });

  it('wires vxlan-stitch links; long names become altname-only ports', () => {
    const p = plan(`name: v
topology:
  nodes:
    r1: { kind: linux }
    a-long-node-name: { kind: linux }
  links:
    - type: vxlan-stitch
      endpoint: { node: r1, interface: eth1 }
      remote: 192.0.2.1
      vni: 100
    - type: vxlan-stitch
      endpoint: { node: a-long-node-name, interface: 1/1/c1/1 }
      remote: 2001:db8::1
      vni: 101
`);
    expect(p.wires.map((w) => w.id)).toEqual(['r1:eth1--vxlan:100@192.0.2.1', 'a-long-node-name:1/1/c1/1--vxlan:101@2001:db8::1']);
    expect(p.wires[0]).toMatchObject({
      kind: 'vxlan-stitch',
      a: { ifname: 've-r1_eth1', device: 'veth', node: { name: 'r1', iface: 'eth1' } },
      b: { ifname: 'vx-r1_eth1', device: 'vxlan' },
    });
    expect(p.wires[0]!.a.altname).toBeUndefined();
    expect(p.wires[1]!.a).toEqual({
      ifname: 've-a-long-node-name_1-1-c1-1',
      altname: 've-a-long-node-name_1-1-c1-1',
      device: 'veth',
      node: { name: 'a-long-node-name', iface: '1/1/c1/1' },
    });
    expect(p.wires[1]!.b).toEqual({ ifname: 'vx-a-long-node-name_1-1-c1-1', altname: 'vx-a-long-node-name_1-1-c1-1', device: 'vxlan' });
  });

  it('pairs host links with the same pair label into one host-pair wire, merging options', () => {
    const p = plan(
      HEAD +
        `    - endpoints: ["r1:eth1", "host:hx-1"]
      labels: { xconnect.clab/pair: up1, xconnect.clab/admin: down }
    - endpoints: ["r3:eth1", "host:hx-3"]
    - type: host
      endpoint: { node: r2, interface: eth1 }
      host-interface: hx-2
      labels: { xconnect.clab/pair: up1, xconnect.clab/loss: "2.5", xconnect.clab/admin: down }
`,
    );
    expect(p.wires).toEqual([
      {
        id: 'r1:eth1--r2:eth1',
        kind: 'host-pair',
        a: { ifname: 'hx-1', device: 'veth', node: { name: 'r1', iface: 'eth1' } },
        b: { ifname: 'hx-2', device: 'veth', node: { name: 'r2', iface: 'eth1' } },
        options: opts('down', 'auto', 0.025),
        line: 10,
      },
    ]);
    expect(p.skipped).toEqual([
      { endpoints: ['r3:eth1', 'host:hx-3'], type: 'host', line: 12, status: 'unwireable', reason: expect.stringMatching(/pair it with another host link/) },
    ]);
  });

  it('reports veth as direct, bridge ports as direct, others as unwireable, excluded links as excluded', () => {
    const p = plan(
      HEAD +
        `    - endpoints: ["r1:eth1", "r2:eth1"]
    - endpoints: ["r1:eth2", "br:p1"]
    - endpoints: ["r1:eth3", "mgmt-net:r1-eth3"]
    - endpoints: ["r1:eth4", "macvlan:eth0"]
    - type: vxlan
      endpoint: { node: r2, interface: eth2 }
      remote: 192.0.2.9
      vni: 7
    - type: dummy
      endpoint: { node: r2, interface: d0 }
    - type: veth-stitch
      endpoints: [{ node: r2, interface: eth3 }, { node: r3, interface: eth3 }]
      labels: { xconnect.clab/exclude: "true", xconnect.clab/loss: "5" }
`,
    );
    expect(p.wires).toEqual([]);
    expect(p.skipped.map((s) => [s.endpoints.join(' '), s.status])).toEqual([
      ['r1:eth1 r2:eth1', 'direct'],
      ['r1:eth2 br:p1', 'direct'],
      ['r1:eth3 mgmt-net:r1-eth3', 'unwireable'],
      ['r1:eth4 macvlan:eth0', 'unwireable'],
      ['r2:eth2 vxlan:7@192.0.2.9', 'unwireable'],
      ['r2:d0', 'unwireable'],
      ['r2:eth3 r3:eth3', 'excluded'],
    ]);
    expect(p.skipped[0]!.reason).toMatch(/already a direct wire.*use type: veth-stitch/);
    expect(p.skipped[1]!.reason).toMatch(/bridge node "br"/);
    expect(p.skipped[4]!.reason).toMatch(/use type: vxlan-stitch/);
  });

  it('plans every bundled example', () => {
    const demo = planFile(`${topologies}demo.clab.yml`, { env: {} });
    expect(demo.wires.map((w) => [w.kind, w.options.admin, w.options.impair.a.loss, w.options.mode])).toEqual([
      ['veth-stitch', 'up', 0, 'auto'],
      ['veth-stitch', 'up', 0.005, 'xdp-generic'],
      ['veth-stitch', 'down', 0, 'auto'],
    ]);
    expect(demo.skipped.map((s) => s.status)).toEqual(['excluded', 'direct']);
    const vx = planFile(`${topologies}vxlan-stitch.clab.yml`, { env: { XC_REMOTE: '198.51.100.7' } });
    expect(vx.wires.map((w) => w.id)).toEqual(['r1:eth1--vxlan:101@198.51.100.7', 'edge-router1:eth1--vxlan:102@198.51.100.7']);
    expect(vx.wires[1]!.a.altname).toBe('ve-edge-router1_eth1');
    const hp = planFile(`${topologies}host-pair.clab.yml`, { env: {} });
    expect(hp.wires.map((w) => [w.kind, w.a.ifname, w.b.ifname, w.options.impair.a.loss, w.options.impair.b.loss])).toEqual([['host-pair', 'hp-r1-eth1', 'hp-r2-eth1', 0.01, 0.01]]);
    const xx = planFile(`${topologies}xdp-xconnect.yml`);
    expect(xx.source.format).toBe('xdp-xconnect');
    expect(xx.wires.map((w) => w.id)).toEqual(['xconnect-1--xconnect-2', 'xconnect-3--xconnect-4']);
  });
});

describe('option labels', () => {
  const stitch = (labels: string) =>
    HEAD + `    - type: veth-stitch\n      endpoints: [{ node: r1, interface: eth1 }, { node: r2, interface: eth1 }]\n      labels:\n${labels}`;

  it('parses values and ignores labels outside the prefix', () => {
    const p = plan(stitch('        xconnect.clab/admin: down\n        xconnect.clab/loss: "100"\n        xconnect.clab/mode: tc\n        team: blue\n'));
    expect(p.wires[0]!.options).toEqual(opts('down', 'tc', 1));
  });

  it.each([
    ['auto', 'auto'],
    ['tc', 'tc'],
    ['xdp', 'xdp'],
    ['xdp-generic', 'xdp-generic'],
    // The spellings of versions whose only engine was XDP keep working.
    ['native', 'xdp'],
    ['generic', 'xdp-generic'],
  ])('reads mode %s as engine %s', (label, engine) => {
    expect(plan(stitch(`        xconnect.clab/mode: ${label}\n`)).wires[0]!.options.mode).toBe(engine);
  });

  it.each([
    ['xconnect.clab/loss: "150"', /label xconnect\.clab\/loss: loss must be a percentage from 0 to 100, got "150"/],
    ['xconnect.clab/loss: "-1"', /must be a percentage/],
    ['xconnect.clab/loss: 5%', /must be a percentage/],
    ['xconnect.clab/admin: off', /label xconnect\.clab\/admin must be "up" or "down", got "off"/],
    ['xconnect.clab/mode: fast', /label xconnect\.clab\/mode must be auto, tc, xdp or xdp-generic, got "fast"/],
    ['xconnect.clab/exclude: maybe', /label xconnect\.clab\/exclude must be "true" or "false"/],
    ['xconnect.clab/los: "1"', /unknown label "xconnect\.clab\/los" .* - labels under xconnect\.clab\/ are: xconnect\.clab\/exclude, /],
  ])('rejects %s', (label, message) => {
    const e = planError(stitch(`        ${label}\n`), 'label.clab.yml');
    expect(e.code).toBe('PLAN');
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/label\.clab\.yml:13: /);
    expect(e.context.path).toMatch(/^topology\.links\[0\]\.labels\["xconnect\.clab\/\w+"\]$/);
  });

  it('rejects options on links xconnect does not carry', () => {
    const e = planError(HEAD + '    - endpoints: ["r1:eth1", "r2:eth1"]\n      labels: { xconnect.clab/loss: "1" }\n');
    expect(e.message).toMatch(/:11: label xconnect\.clab\/loss has no effect: veth pair .* - remove the label, or change the link type/);
  });

  it('rejects a pair label on a non-host link', () => {
    const e = planError(stitch('        xconnect.clab/pair: x\n'));
    expect(e.message).toMatch(/label xconnect\.clab\/pair is set on a veth-stitch link/);
  });

  it('rejects a host pair of one or three links, naming the lines', () => {
    let e = planError(HEAD + '    - endpoints: ["r1:eth1", "host:a1"]\n      labels: { xconnect.clab/pair: lonely }\n');
    expect(e.message).toMatch(/:11: host link pair "lonely" has only one link \(line 10\) .* - label exactly two host links with xconnect\.clab\/pair: lonely/);
    e = planError(
      HEAD +
        ['r1', 'r2', 'r3'].map((n) => `    - endpoints: ["${n}:eth1", "host:h-${n}"]\n      labels: { xconnect.clab/pair: crowd }\n`).join(''),
    );
    expect(e.message).toMatch(/:15: host link pair "crowd" has 3 links \(lines 10, 12, 14\)/);
  });

  it('rejects conflicting options on the two links of a pair', () => {
    const e = planError(
      HEAD +
        '    - endpoints: ["r1:eth1", "host:a1"]\n      labels: { xconnect.clab/pair: p, xconnect.clab/mode: native }\n' +
        '    - endpoints: ["r2:eth1", "host:a2"]\n      labels: { xconnect.clab/pair: p, xconnect.clab/mode: generic }\n',
    );
    expect(e.message).toMatch(/host link pair "p" sets xconnect\.clab\/mode differently on its two links \(lines 10, 12\)/);
  });

  it('an exclude label on either link excludes the pair', () => {
    const p = plan(
      HEAD +
        '    - endpoints: ["r1:eth1", "host:a1"]\n      labels: { xconnect.clab/pair: p, xconnect.clab/exclude: "true" }\n' +
        '    - endpoints: ["r2:eth1", "host:a2"]\n      labels: { xconnect.clab/pair: p }\n',
    );
    expect(p.wires).toEqual([]);
    expect(p.skipped.map((s) => s.status)).toEqual(['excluded', 'excluded']);
  });
});
