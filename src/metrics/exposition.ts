/** The Prometheus text exposition format (0.0.4): metric families, each with one
 * HELP and TYPE line and its samples together, label values escaped. */

export type MetricType = 'counter' | 'gauge';
export type Labels = Readonly<Record<string, string>>;

/** The Content-Type a scraper expects for this format. */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Family {
  type: MetricType;
  help: string;
  samples: string[];
}

/** Collects samples by family, in first-seen order, and renders them as text. */
export class Exposition {
  private readonly families = new Map<string, Family>();

  /** Adds one sample; the first sample of a family fixes its type and help. */
  add(name: string, type: MetricType, help: string, labels: Labels, value: number): void {
    let f = this.families.get(name);
    if (!f) {
      f = { type, help, samples: [] };
      this.families.set(name, f);
    }
    f.samples.push(`${name}${labelText(labels)} ${valueText(value)}`);
  }

  text(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      out.push(`# HELP ${name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${f.type}`, ...f.samples);
    }
    return out.length ? out.join('\n') + '\n' : '';
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

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function valueText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
