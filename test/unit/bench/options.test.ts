/** `npm run bench` options (src/bench/options.ts): node:util parseArgs under the
 * bench's own flag table, with the usage errors and override order it had. */
import { describe, expect, it } from 'vitest';
import { helpText, parseOptions } from '../../../src/bench/options.js';

describe('bench options', () => {
  it('defaults, and --help / -h', () => {
    const o = parseOptions([])!;
    expect(o).toMatchObject({ quick: false, mtus: [1500, 9500], udpReps: 5, tcpStreams: [1, 4], controlPlane: [10, 100, 1000], dataPlane: true });
    expect(parseOptions(['--help'])).toBeNull();
    expect(parseOptions(['-h'])).toBeNull();
  });

  it('--quick and --reps apply first; later flags override earlier ones', () => {
    expect(parseOptions(['--udp-reps', '3', '--quick'])).toMatchObject({ quick: true, udpReps: 3, tcpReps: 1, controlPlane: [10, 100] });
    expect(parseOptions(['--tcp-reps=4', '--reps', '2'])).toMatchObject({ udpReps: 2, tcpReps: 4, xdpReps: 2 });
    expect(parseOptions(['--mtus', '1500', '--mtus=9500,9500'])).toMatchObject({ mtus: [9500] });
    expect(parseOptions(['--paths', 'a,wire-tc,d'])).toMatchObject({ paths: ['direct', 'wire-tc'] });
    expect(parseOptions(['--no-data-plane'])).toMatchObject({ dataPlane: false });
  });

  it.each([
    [['--size', '64'], /^--size was removed: use --xdp-size/],
    [['--bogus'], /^unknown argument --bogus/],
    [['--bogus=1'], /^unknown argument --bogus=1/],
    [['-x'], /^unknown argument -x/],
    [['quick'], /^unknown argument quick/],
    [['--mtus'], /^--mtus needs a value \(1500,9500\)/],
    [['--mtus='], /^--mtus needs a value/],
    [['--quick=yes'], /^--quick takes no value/],
    [['--mtus', '100'], /^--mtus wants an integer 1280\.\.9500, got 100/],
    [['--tc-attach', 'x'], /^--tc-attach wants one of auto\|tcx\|legacy, got x/],
    [['--no-data-plane', '--no-control-plane'], /leave nothing to measure/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(message);
    try {
      parseOptions(argv);
    } catch (e) {
      expect((e as { code?: string }).code).toBe('USAGE');
    }
  });

  it('the help text lists every flag with its argument', () => {
    const text = helpText();
    expect(text).toMatch(/^usage: npm run bench -- \[options\]/);
    for (const flag of ['--quick', '--paths LIST', '--mtus 1500,9500', '--capture-rates KPPS,...', '--no-control-plane', '--out FILE']) expect(text).toContain(`  ${flag}\n`);
  });
});
