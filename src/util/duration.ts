/** Go-style durations ("300ms", "1.5s", "2m30s", "250us"), as containerlab's
 * `tools netem` and Go's time.ParseDuration take them. */

const UNITS: Record<string, number> = { ns: 1e-3, us: 1, 'µs': 1, 'μs': 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };

/** Microseconds in `text`, or undefined when it is not a duration. "0" alone is
 * zero, as in Go; any other number needs a unit. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let at = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    at = re.lastIndex;
  }
  if (at === 0 || at !== t.length) return undefined;
  return Math.round(total);
}

/** Microseconds as Go prints a duration ("1.5s", "300ms", "250µs", "0s"). */
export function formatDuration(us: number): string {
  if (us === 0) return '0s';
  if (us < 1000) return `${us}µs`;
  if (us < 1e6) return `${+(us / 1000).toFixed(3)}ms`;
  return `${+(us / 1e6).toFixed(6)}s`;
}
