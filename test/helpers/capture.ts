/** Reads a capture until every wanted frame has arrived or the time is up.
 * Reading a fixed count instead would stop early on any stray frame and make
 * a test flaky; waiting the full time on every success would make it slow. */
import type { PacketTap } from '../../src/native/packet.js';

/** Whether every frame of `want` is in `got`, byte for byte (a set of the
 * frames' bytes: thousands of frames are compared in one pass). */
function allArrived(got: Buffer[], want: Buffer[]): boolean {
  const have = new Set(got.map((f) => f.toString('latin1')));
  return want.every((w) => have.has(w.toString('latin1')));
}

export async function receive(tap: PacketTap, want: Buffer[], timeoutMs: number, got: Buffer[] = []): Promise<Buffer[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    got.push(...(await tap.read({ max: 256, timeoutMs: Math.min(100, left) })));
    if (want.length > 0 && allArrived(got, want)) break;
  }
  return got;
}

/** Reads a capture in the background from now on, so that traffic sent for a
 * long time does not overflow the socket's buffer: a frame that crossed an XDP
 * wire may arrive in a page-sized buffer, and a few thousand of them fill the
 * tap's 16 MB (frames lost in the tap, not on the wire). `finish` stops the
 * background reads, then waits for `want` as receive() does. */
export function drain(tap: PacketTap): { finish(want: Buffer[], timeoutMs: number): Promise<Buffer[]> } {
  const got: Buffer[] = [];
  let on = true;
  const loop = (async () => {
    while (on) got.push(...(await tap.read({ max: 256, timeoutMs: 50 })));
  })();
  return {
    async finish(want, timeoutMs) {
      on = false;
      await loop;
      return receive(tap, want, timeoutMs, got);
    },
  };
}
