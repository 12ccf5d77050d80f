import { describe, expect, it } from 'vitest';
import { Exposition, labelPairs } from '../../../src/metrics/exposition.js';

describe('Prometheus exposition', () => {
  it('groups samples by family, in first-seen order, with one HELP and TYPE each', () => {
    const e = new Exposition();
    e.add('b_total', 'counter', 'B.', { x: '1' }, 1);
    e.add('a', 'gauge', 'A\\n', {}, 2);
    e.add('b_total', 'counter', 'ignored', { x: '2' }, 3);
    expect(e.text()).toBe(
      ['# HELP b_total B.', '# TYPE b_total counter', 'b_total{x="1"} 1', 'b_total{x="2"} 3', '# HELP a A\\\\n', '# TYPE a gauge', 'a 2', ''].join('\n'),
    );
  });

  it('escapes label values, and formats a label set once for many samples', () => {
    const port = labelPairs({ lab: 'l', port: 'we"ird\\po\nrt' });
    expect(port).toBe('lab="l",port="we\\"ird\\\\po\\nrt"');
    const e = new Exposition();
    e.add('drops_total', 'counter', 'D.', port, 4, labelPairs({ reason: 'ad"min' }));
    e.add('up', 'gauge', 'U.', port, 1);
    expect(e.text()).toContain('drops_total{lab="l",port="we\\"ird\\\\po\\nrt",reason="ad\\"min"} 4\n');
    expect(e.text()).toContain('up{lab="l",port="we\\"ird\\\\po\\nrt"} 1\n');
    expect(labelPairs({})).toBe('');
    // Labels shared by many samples go after the sample's own, with or without any.
    const reason = labelPairs({ reason: 'loss' });
    const e2 = new Exposition();
    e2.add('d', 'counter', 'D.', port, 1, reason);
    e2.add('d', 'counter', 'D.', {}, 2, reason);
    expect(e2.text().split('\n').slice(2, 4)).toEqual(['d{lab="l",port="we\\"ird\\\\po\\nrt",reason="loss"} 1', 'd{reason="loss"} 2']);
  });

  it('writes special values as the format spells them', () => {
    const e = new Exposition();
    for (const v of [NaN, Infinity, -Infinity, 0.5]) e.add('v', 'gauge', 'V.', {}, v);
    expect(e.text().split('\n').slice(2, 6)).toEqual(['v NaN', 'v +Inf', 'v -Inf', 'v 0.5']);
  });
});
