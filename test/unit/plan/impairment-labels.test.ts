/** Impairment labels: netem's names and units, both directions or the one
 * an end sends (`@node:iface`), checked with the file and line. */
import { describe, expect, it } from 'vitest';
import { NO_IMPAIRMENT } from '../../../src/dataplane/layout.js';
import { XconnectError } from '../../../src/errors.js';
import { planTopology } from '../../../src/plan/plan.js';
import { loadTopology } from '../../../src/topology/load.js';
import { tempFiles } from '../topology/tmpfile.js';

const write = tempFiles();
const head = `name: t
topology:
  defaults: { kind: linux }
  nodes: { r1: {}, r2: {} }
  links:
    - type: veth-stitch
      endpoints: [{ node: r1, interface: eth1 }, { node: r2, interface: eth1 }]
      labels:
`;

function plan(labels: string) {
  const file = write('impair.clab.yml', head + labels);
  return planTopology(loadTopology(file, { env: {} }));
}

function error(labels: string): XconnectError {
  try {
    plan(labels);
  } catch (e) {
    return e as XconnectError;
  }
  throw new Error('planned without error');
}

describe('impairment labels', () => {
  it('sets both directions without @, one direction with @node:iface', () => {
    const w = plan('        xconnect.clab/loss: "1"\n        xconnect.clab/rate@r1:eth1: "1000"\n        xconnect.clab/delay@r2:eth1: 10ms\n        xconnect.clab/jitter@r2:eth1: 2ms\n').wires[0]!;
    expect(w.options.impair.a).toEqual({ ...NO_IMPAIRMENT, loss: 0.01, rateKbit: 1000 });
    expect(w.options.impair.b).toEqual({ ...NO_IMPAIRMENT, loss: 0.01, delayUs: 10_000, jitterUs: 2_000 });
  });

  it('reads corruption, duplicate and burst', () => {
    const w = plan('        xconnect.clab/corruption@r2:eth1: "0.5"\n        xconnect.clab/duplicate: "50"\n        xconnect.clab/rate: "64"\n        xconnect.clab/burst: "9000"\n').wires[0]!;
    expect(w.options.impair.b).toEqual({ ...NO_IMPAIRMENT, corruption: 0.005, duplicate: 0.5, rateKbit: 64, burst: 9000 });
  });

  it.each([
    ['xconnect.clab/loss@r9:eth1: "1"', /impair\.clab\.yml:\d+: label xconnect\.clab\/loss@r9:eth1 names r9:eth1, which is not an end of this wire .* - write @r1:eth1 or @r2:eth1/],
    ['xconnect.clab/corruption: "-1"', /corruption must be a percentage from 0 to 100, got "-1"/],
    ['xconnect.clab/duplicate: "101"', /duplicate must be a percentage from 0 to 100, got "101"/],
    ['xconnect.clab/rate: "1.5"', /rate must be a whole number of kbit\/s/],
    ['xconnect.clab/delay: "10"', /delay must be a duration up to 60s such as 10ms or 1.5s, got "10"/],
    ['xconnect.clab/jitter: 5ms', /impairment labels of the direction from r1:eth1: jitter needs a delay .*- set the missing label too/],
    ['xconnect.clab/burst: "100"', /burst needs a rate/],
  ])('refuses %s, naming the file and line', (label, message) => {
    const e = error(`        ${label}\n`);
    expect(e.code).toBe('PLAN');
    expect(e.message).toMatch(message);
    expect(e.context.line).toBe(9);
  });
});
