import { opts } from '../../helpers/plan-options.js';
import { describe, expect, it } from 'vitest';
import { detectPlanSource } from '../../../src/plan/plan-file.js';
import { loadXdpXconnectConfig } from '../../../src/plan/xdp-xconnect.js';
import { tempFiles } from '../topology/tmpfile.js';

const write = tempFiles();

describe('xdp-xconnect config as a plan source', () => {
  it('plans one wire per links entry between host interfaces', () => {
    const file = write('xc.yaml', '---\nlinks:\n  veth2: veth1\n  tap0: eth3\nextra: ignored\n');
    expect(detectPlanSource(file)).toBe('xdp-xconnect');
    const plan = loadXdpXconnectConfig(file);
    expect(plan).toEqual({
      lab: 'xc',
      source: { file, format: 'xdp-xconnect' },
      wires: [
        {
          id: 'veth1--veth2',
          kind: 'xdp-xconnect',
          a: { ifname: 'veth2', device: 'host' },
          b: { ifname: 'veth1', device: 'host' },
          options: opts('up', 'auto'),
          line: 3,
        },
        {
          id: 'eth3--tap0',
          kind: 'xdp-xconnect',
          a: { ifname: 'tap0', device: 'host' },
          b: { ifname: 'eth3', device: 'host' },
          options: opts('up', 'auto'),
          line: 4,
        },
      ],
      skipped: [],
    });
  });

  it('a containerlab topology is not taken for an xdp-xconnect config', () => {
    expect(detectPlanSource(write('c.clab.yml', 'name: a\ntopology:\n  links: []\n'))).toBe('containerlab');
  });

  it.each([
    ['links:\n  a: a\n', /:2: interface "a" is connected to itself/],
    ['links:\n  a: b\n  c: b\n', /:3: interface "b" is used by two links \(line 2 and line 3\) .*xdp-xconnect would drop the second silently/],
    ['links:\n  a: b\n  b: c\n', /:3: interface "b" is used by two links/],
    ['links:\n  a-very-long-interface: b\n', /:2: interface name "a-very-long-interface" is too long or invalid/],
    ['links:\n  a: "b/c"\n', /interface name "b\/c" is too long or invalid/],
    ['links:\n  a: { b: c }\n', /:2: the peer of interface "a" must be an interface name/],
    ['links: [a, b]\n', /:1: links must be a mapping of interface: interface/],
    ['other: 1\n', /not an xdp-xconnect config: no "links:" mapping/],
  ])('rejects %j', (text, message) => {
    const file = write('bad.yml', text);
    expect(() => loadXdpXconnectConfig(file)).toThrow(message);
  });
});
