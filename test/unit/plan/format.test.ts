import { opts } from '../../helpers/plan-options.js';
import { describe, expect, it } from 'vitest';
import { formatPlanJson, formatPlanTable } from '../../../src/plan/format.js';
import type { Plan } from '../../../src/plan/types.js';

const plan: Plan = {
  lab: 'demo',
  source: { file: '/labs/demo.clab.yml', format: 'containerlab' },
  wires: [
    {
      id: 'r1:eth1--r2:eth1',
      kind: 'veth-stitch',
      a: { ifname: 'clab-s-00000001', device: 'veth', node: { name: 'r1', iface: 'eth1' } },
      b: { ifname: 'clab-s-00000002', device: 'veth', node: { name: 'r2', iface: 'eth1' } },
      options: opts('up', 'xdp-generic', 0.005),
      line: 12,
    },
    {
      id: 'long-node:eth1--vxlan:5@192.0.2.1',
      kind: 'vxlan-stitch',
      a: { ifname: 've-long-node_eth1', altname: 've-long-node_eth1', device: 'veth', node: { name: 'long-node', iface: 'eth1' } },
      b: { ifname: 'vx-long-node_eth1', altname: 'vx-long-node_eth1', device: 'vxlan' },
      options: opts('down', 'auto'),
    },
  ],
  skipped: [{ endpoints: ['r1:eth2', 'r2:eth2'], type: 'veth', line: 20, status: 'direct', reason: 'already direct' }],
};

describe('plan rendering', () => {
  it('json is { ok: true, plan }', () => {
    expect(JSON.parse(formatPlanJson(plan))).toEqual({ ok: true, plan });
  });

  it('table shows wires, ports, options and skipped links', () => {
    const text = formatPlanTable(plan);
    expect(text).toContain('lab demo (containerlab: /labs/demo.clab.yml)');
    expect(text).toMatch(/wires: 2\n\s+ID\s+KIND\s+PORT A\s+PORT B\s+OPTIONS\s+LINE/);
    expect(text).toMatch(/r1:eth1--r2:eth1\s+veth-stitch\s+clab-s-00000001 \(r1:eth1\)\s+clab-s-00000002 \(r2:eth1\)\s+admin=up mode=xdp-generic; r1:eth1: loss 0\.5%; r2:eth1: loss 0\.5%\s+12/);
    expect(text).toMatch(/altname:ve-long-node_eth1 \(long-node:eth1\)\s+altname:vx-long-node_eth1 \[vxlan\]\s+admin=down mode=auto\s+-/);
    expect(text).toMatch(/skipped links: 1\n\s+LINK\s+TYPE\s+STATUS\s+LINE\s+REASON\n\s+r1:eth2 <-> r2:eth2\s+veth\s+direct\s+20\s+already direct/);
    expect(text).toMatch(/altname:NAME = the kernel picks the interface name at deploy time/);
  });
});
