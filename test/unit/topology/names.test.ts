import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expandMagicVars, labDirectory, longName, stitchIfname, vxlanStitchIfnames } from '../../../src/topology/names.js';

/** sha1 of "lab\0node\0iface" computed by coreutils, not by the code under test. */
function sha1sum(lab: string, node: string, iface: string): string {
  const out = execFileSync('sh', ['-c', 'printf "%s\\000%s\\000%s" "$1" "$2" "$3" | sha1sum', 'sh', lab, node, iface], {
    encoding: 'utf8',
  });
  return out.split(' ')[0]!;
}

describe('veth-stitch far-end names', () => {
  it.each([
    ['lab', 'pe01', 'e1'],
    ['mylab', 'pe01', '1/1/c3/1'],
    ['demo', 'r1', 'eth1'],
    ['sros', 'sr-14s-1', '1/1/c1/1'],
    ['a-very-long-lab-name', 'some_very_long_node_name_l1', 'ethernet-1/1'],
  ])('%s %s %s = clab-s- + 8 hex of sha1(lab NUL node NUL iface)', (lab, node, iface) => {
    const expected = 'clab-s-' + sha1sum(lab, node, iface).slice(0, 8);
    expect(stitchIfname(lab, node, iface)).toBe(expected);
    expect(expected).toHaveLength(15);
  });

  it('the NUL separators matter (no concatenation collisions)', () => {
    expect(sha1sum('ab', 'c', 'd')).not.toBe(sha1sum('a', 'bc', 'd'));
    expect(stitchIfname('ab', 'c', 'd')).not.toBe(stitchIfname('a', 'bc', 'd'));
  });
});

describe('other names', () => {
  it('vxlan-stitch root-netns devices', () => {
    expect(vxlanStitchIfnames('l1', 'eth1')).toEqual({ veth: 've-l1_eth1', vxlan: 'vx-l1_eth1' });
  });

  it('container long names by prefix', () => {
    expect(longName('lab', 'r1', undefined)).toBe('clab-lab-r1');
    expect(longName('lab', 'r1', '')).toBe('r1');
    expect(longName('lab', 'r1', '__lab-name')).toBe('lab-r1');
    expect(longName('lab', 'r1', 'acme')).toBe('acme-lab-r1');
  });

  it('lab directory and magic variables', () => {
    expect(labDirectory('/srv/labs', 'demo')).toBe('/srv/labs/clab-demo');
    expect(labDirectory('/srv/labs', 'demo', '/var/clab/')).toBe('/var/clab/clab-demo');
    expect(expandMagicVars('echo __clabDir__ __clabLabName__ __clabNodeDir__ __clabNodeName__', '/l/clab-x', 'n1')).toBe(
      'echo /l/clab-x clab-x /l/clab-x/n1 n1',
    );
  });
});
