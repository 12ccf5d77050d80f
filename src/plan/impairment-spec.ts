/** Impairments as users write them (labels, CLI flags): netem's and
 * containerlab's names and units, checked and turned into the plan's values
 * (probabilities, kbit/s, microseconds). One parser for both places. */
import type { Impairment } from '../dataplane/layout.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { formatPercent } from '../util/percent.js';

export const IMPAIRMENT_KEYS = ['loss', 'corruption', 'duplicate', 'rate', 'burst', 'delay', 'jitter'] as const;
export type ImpairmentKey = (typeof IMPAIRMENT_KEYS)[number];

/** 100 Gbit/s: the BPF token bucket's arithmetic stays in u64 below it. */
const MAX_RATE_KBIT = 100_000_000;
const MAX_DELAY_US = 60_000_000;

/** Checks one user-written value; returns the field it sets, or why not. */
export function parseImpairmentValue(key: ImpairmentKey, text: string): { field: Partial<Impairment> } | { error: string; hint: string } {
  const v = text.trim();
  switch (key) {
    case 'loss':
    case 'corruption':
    case 'duplicate': {
      const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
      if (!(n >= 0 && n <= 100)) return { error: `${key} must be a percentage from 0 to 100, got ${JSON.stringify(text)}`, hint: `e.g. ${key} 20 for 20%` };
      const p = n / 100;
      return { field: key === 'loss' ? { loss: p } : key === 'corruption' ? { corruption: p } : { duplicate: p } };
    }
    case 'rate': {
      const n = /^\d+$/.test(v) ? Number(v) : NaN;
      if (!(n >= 0 && n <= MAX_RATE_KBIT)) return { error: `rate must be a whole number of kbit/s from 0 to ${MAX_RATE_KBIT}, got ${JSON.stringify(text)}`, hint: 'e.g. rate 1000 for 1 Mbit/s; 0 removes the limit' };
      return { field: { rateKbit: n } };
    }
    case 'burst': {
      const n = /^\d+$/.test(v) ? Number(v) : NaN;
      if (!(n >= 0 && n <= 0xffffffff)) return { error: `burst must be a whole number of bytes, got ${JSON.stringify(text)}`, hint: 'e.g. burst 30000; 0 takes 20 ms of the rate' };
      return { field: { burst: n } };
    }
    case 'delay':
    case 'jitter': {
      const us = parseDuration(v);
      if (us === undefined || us > MAX_DELAY_US)
        return { error: `${key} must be a duration up to 60s such as 10ms or 1.5s, got ${JSON.stringify(text)}`, hint: 'units: us, ms, s' };
      return { field: key === 'delay' ? { delayUs: us } : { jitterUs: us } };
    }
  }
}

/** Combinations that make no sense on their own, as netem sees them. */
export function impairmentProblem(i: Partial<Impairment>): string | undefined {
  if ((i.jitterUs ?? 0) > 0 && !(i.delayUs ?? 0)) return 'jitter needs a delay';
  if ((i.burst ?? 0) > 0 && !(i.rateKbit ?? 0)) return 'burst needs a rate';
  return undefined;
}

/** "loss 20% rate 1000kbit" for tables; "-" for none. */
export function formatImpairment(i: Impairment): string {
  const parts: string[] = [];
  if (i.loss) parts.push(`loss ${formatPercent(i.loss)}`);
  if (i.corruption) parts.push(`corruption ${formatPercent(i.corruption)}`);
  if (i.duplicate) parts.push(`duplicate ${formatPercent(i.duplicate)}`);
  if (i.rateKbit) parts.push(`rate ${i.rateKbit}kbit${i.burst ? ` burst ${i.burst}B` : ''}`);
  if (i.delayUs) parts.push(`delay ${formatDuration(i.delayUs)}${i.jitterUs ? ` jitter ${formatDuration(i.jitterUs)}` : ''}`);
  return parts.length ? parts.join(' ') : '-';
}
