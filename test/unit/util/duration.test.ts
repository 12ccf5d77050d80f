import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/util/duration.js';

describe('Go durations', () => {
  it.each([
    ['0', 0],
    ['300ms', 300_000],
    ['1.5s', 1_500_000],
    ['2m30s', 150_000_000],
    ['250us', 250],
    ['250µs', 250],
    ['1h', 3_600_000_000],
    ['1500ns', 2],
  ])('reads %s as %i µs', (text, us) => {
    expect(parseDuration(text)).toBe(us);
  });
  it.each(['', '10', '-5ms', 'ms', '5 ms', '5msx', '1d'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
  it('prints as Go does', () => {
    expect([0, 250, 300_000, 1_500_000].map(formatDuration)).toEqual(['0s', '250µs', '300ms', '1.5s']);
  });
});
