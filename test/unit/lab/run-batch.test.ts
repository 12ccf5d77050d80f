/** runBatch: a failed line of an `ip -batch` is reported as that command alone
 * would be, naming the line's endpoint; lines that may fail are let fail.
 * Read-only `ip link show` lines: no root needed. */
import { describe, expect, it } from 'vitest';
import { XconnectError } from '../../../src/errors.js';
import { runBatch } from '../../../src/lab/exec.js';

const NOPE = 'xcnope0';

describe('runBatch', () => {
  it('names the endpoint and the command of the failed line', async () => {
    const lines = [
      { line: 'link show dev lo', endpoint: 'r1:eth1' },
      { line: `link show dev ${NOPE}`, endpoint: 'r2:eth2', hint: 'look again' },
      { line: 'link show dev lo', endpoint: 'r3:eth3' },
    ];
    const e = await runBatch('ip', lines).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(XconnectError);
    expect((e as XconnectError).message).toMatch(new RegExp(`^r2:eth2: \`ip link show dev ${NOPE}\` failed: .*${NOPE}`));
    expect((e as XconnectError).context).toMatchObject({ endpoint: 'r2:eth2', hint: 'look again' });
  });

  it('lets lines that may fail fail, and still reports one that may not', async () => {
    await runBatch('ip', [{ line: `link show dev ${NOPE}`, endpoint: 'a', mayFail: true }, { line: 'link show dev lo', endpoint: 'b' }]);
    await expect(runBatch('ip', [
      { line: `link show dev ${NOPE}`, endpoint: 'a', mayFail: true },
      { line: `link show dev ${NOPE}1`, endpoint: 'b' },
    ])).rejects.toThrow(/^b: `ip link show dev xcnope01` failed/);
  });
});
