/** The Prometheus text exposition format (0.0.4): metric families, each with one
 * HELP and TYPE line and its samples together, label values escaped.
 *
 * A 100-wire lab's scrape is ~3,600 samples that share a few label sets (a
 * port's labels appear in a dozen families): callers format a label set once
 * with `labelPairs` and pass the sets a sample joins (its own, and a shared
 * one such as a drop reason) to `add`. Formatting every sample's
 * labels from an object, escaping each value with three regex replaces, made
 * a scrape allocate ~19 MB in watch (lite mode: no JIT to optimise the
 * temporaries away), which its young generation promoted and its RSS showed. */

export type MetricType = 'counter' | 'gauge';
export type Labels = Readonly<Record<string, string>>;

/** A label set as the text between a sample's braces: `a="x",b="y"` ('' for none). */
export type LabelPairs = string & { readonly labelPairs: unique symbol };

/** The Content-Type a scraper expects for this format. */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const SPECIAL = /[\\\n"]/;

function escapeValue(v: string): string {
  return SPECIAL.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v;
}

/** Formats a label set once, for the samples that share it. */
export function labelPairs(labels: Labels): LabelPairs {
  let s = '';
  for (const k in labels) s += `${s ? ',' : ''}${k}="${escapeValue(labels[k]!)}"`;
  return s as LabelPairs;
}

interface Family {
  type: MetricType;
  help: string;
  samples: string[];
}

/** Collects samples by family, in first-seen order, and renders them as text. */
export class Exposition {
  private readonly families = new Map<string, Family>();

  /** Adds one sample; the first sample of a family fixes its type and help.
   * `more`: labels after `labels` (a few formatted sets shared by many
   * samples, such as a drop reason), joined here rather than into a string
   * per sample first. */
  add(name: string, type: MetricType, help: string, labels: Labels | LabelPairs, value: number, more?: LabelPairs): void {
    let f = this.families.get(name);
    if (!f) {
      f = { type, help, samples: [] };
      this.families.set(name, f);
    }
    const pairs = typeof labels === 'string' ? labels : labelPairs(labels);
    const all = more ? (pairs ? `${pairs},${more}` : more) : pairs;
    f.samples.push(`${name}${all ? `{${all}}` : ''} ${valueText(value)}\n`);
  }

  text(): string {
    let out = '';
    for (const [name, f] of this.families) {
      out += `# HELP ${name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${f.type}\n`;
      // Indexed: a for-of allocates a step object per sample in lite mode.
      const samples = f.samples;
      for (let i = 0; i < samples.length; i++) out += samples[i];
    }
    return out;
  }

}

/** A metric or label name from any text: [a-zA-Z_][a-zA-Z0-9_]*. */
export function metricName(s: string): string {
  const n = s.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(n) ? `_${n}` : n;
}

/** `rxPackets` -> `rx_packets`, `passNoPartner` -> `pass_no_partner`. */
export function snakeCase(s: string): string {
  return metricName(s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase());
}

function valueText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
