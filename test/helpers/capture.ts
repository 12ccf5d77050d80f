/** Reads a capture until every wanted frame has arrived or the time is up.
 * Reading a fixed count instead would stop early on any stray frame and make
 * a test flaky; waiting the full time on every success would make it slow. */
import type { PacketTap } from '../../src/native/packet.js';
import { contains } from './frames.js';

export async function receive(tap: PacketTap, want: Buffer[], timeoutMs: number): Promise<Buffer[]> {
  const got: Buffer[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    got.push(...(await tap.read({ max: 256, timeoutMs: Math.min(100, left) })));
    if (want.length > 0 && want.every((w) => contains(got, w))) break;
  }
  return got;
}
