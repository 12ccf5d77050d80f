/** Traffic rates from successive samples of the ports' counters: bits per second
 * entering each port, and the share of its frames the wire forwarded (so the rate
 * delivered to the other side leaves out what admin state or loss dropped). */
import type { StatusReport } from '../runtime/status.js';

export interface PortRate {
  /** Bits per second that entered the port (what its node sends). */
  rxBps: number;
  /** Share of the frames entering the port that reached the partner (0..1). */
  forwarded: number;
}

interface PortSample {
  rxBytes: number;
  rxPackets: number;
  redirected: number;
}

export interface RateState {
  t: number;
  ports: Record<string, PortSample>;
}

/** `wire id` + side: the identity of a port across samples. */
export function portKey(wire: string, side: 'a' | 'b'): string {
  return `${wire}\u0000${side}`;
}

function sampleOf(counters: Readonly<Record<string, unknown>>): PortSample {
  const n = (k: string) => (typeof counters[k] === 'number' ? (counters[k] as number) : 0);
  // `redirected` absent (a future counter set): count every frame as forwarded.
  const redirected = typeof counters['redirected'] === 'number' ? n('redirected') : n('rxPackets');
  return { rxBytes: n('rxBytes'), rxPackets: n('rxPackets'), redirected };
}

/** A counter that went down was reset (the wire was reinstalled): count from zero. */
function delta(now: number, before: number): number {
  return now >= before ? now - before : now;
}

/** Keeps the previous sample; rates are computed over at least `minIntervalMs`, so a
 * burst of scrapes reuses the last rates instead of dividing by a few milliseconds. */
export class RateTracker {
  private prev: RateState | undefined;
  private rates = new Map<string, PortRate>();

  constructor(private readonly minIntervalMs = 1000, state?: RateState) {
    this.prev = state;
  }

  /** Takes a sample at `nowMs`; returns the rates known after it (empty before two samples). */
  update(report: StatusReport, nowMs: number): ReadonlyMap<string, PortRate> {
    const ports: Record<string, PortSample> = {};
    for (const w of report.wires) {
      for (const side of ['a', 'b'] as const) ports[portKey(w.id, side)] = sampleOf(w[side].counters as unknown as Record<string, unknown>);
    }
    if (this.prev && nowMs - this.prev.t < this.minIntervalMs) return this.rates;
    if (this.prev) {
      const dt = (nowMs - this.prev.t) / 1000;
      const rates = new Map<string, PortRate>();
      for (const [key, s] of Object.entries(ports)) {
        const p = this.prev.ports[key];
        if (!p) continue;
        const frames = delta(s.rxPackets, p.rxPackets);
        const fwd = delta(s.redirected, p.redirected);
        rates.set(key, { rxBps: (8 * delta(s.rxBytes, p.rxBytes)) / dt, forwarded: frames ? Math.min(1, fwd / frames) : 1 });
      }
      this.rates = rates;
    }
    this.prev = { t: nowMs, ports };
    return this.rates;
  }

  /** The last sample, to carry rates across processes (status --format prometheus). */
  state(): RateState | undefined {
    return this.prev;
  }
}
