/** Names the link types give root-netns devices (src/links/<type>.ts). */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { stitchAltname, stitchIfname } from '../../../src/links/veth-stitch.js';
import { vxlanStitchIfnames } from '../../../src/links/vxlan-stitch.js';
import { isValidIfname, ownershipAltname, sanitizeIfname } from '../../../src/links/names.js';

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

describe('other link names', () => {
  it('vxlan-stitch root-netns devices', () => {
    expect(vxlanStitchIfnames('l1', 'eth1')).toEqual({ veth: 've-l1_eth1', vxlan: 'vx-l1_eth1' });
  });

  it('stitch altnames name the other end, sanitized', () => {
    expect(stitchAltname('lab', 'r2', 'ethernet-1/1')).toBe('clab-stitch-lab-r2-ethernet-1-1');
  });

  it('ownership altnames: clab-o- + 16 hex of sha1(node NUL iface)', () => {
    expect(ownershipAltname('r1', 'eth1')).toMatch(/^clab-o-[0-9a-f]{16}$/);
    expect(ownershipAltname('r1', 'eth1')).not.toBe(ownershipAltname('r1', 'eth2'));
  });

  it('what Linux takes as a name, and what containerlab makes of the rest', () => {
    expect(isValidIfname('eth1')).toBe(true);
    expect(isValidIfname('ethernet-1/1')).toBe(false);
    expect(isValidIfname('a-name-of-16-chr')).toBe(false);
    expect(sanitizeIfname('1/1/c1/1 x')).toBe('1-1-c1-1-x');
  });
});
