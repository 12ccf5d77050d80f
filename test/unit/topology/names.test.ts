import { describe, expect, it } from 'vitest';
import { expandMagicVars, labDirectory, longName } from '../../../src/topology/names.js';

describe('topology names', () => {
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
