/** Per-link options carried in containerlab link `labels` under the `xconnect.clab/`
 * prefix (labels are the only place containerlab's strict decoder lets them live).
 * Values are strings (containerlab labels are map[string]string). Other labels are
 * ignored; an unknown key under the prefix is an error (typo protection). */
import type { Impairment } from '../dataplane/layout.js';
import { XconnectError } from '../errors.js';
import { PAIR_LABEL } from '../links/host.js';
import type { Link } from '../topology/model.js';
import { formatPath } from '../topology/source.js';
import { IMPAIRMENT_KEYS, parseImpairmentValue, type ImpairmentKey } from './impairment-spec.js';
import type { AdminState, ModeChoice } from './types.js';

export const LABEL_PREFIX = 'xconnect.clab/';

export const LABELS = {
  exclude: `${LABEL_PREFIX}exclude`,
  admin: `${LABEL_PREFIX}admin`,
  mode: `${LABEL_PREFIX}mode`,
  /** Defined by the host link type (src/links/host.ts), which names it in its skip reason. */
  pair: PAIR_LABEL,
  loss: `${LABEL_PREFIX}loss`,
  corruption: `${LABEL_PREFIX}corruption`,
  duplicate: `${LABEL_PREFIX}duplicate`,
  rate: `${LABEL_PREFIX}rate`,
  burst: `${LABEL_PREFIX}burst`,
  delay: `${LABEL_PREFIX}delay`,
  jitter: `${LABEL_PREFIX}jitter`,
} as const;

/** One impairment label: which direction (`both`, or the endpoint after `@`
 * whose frames it affects) and what it sets. */
export interface ImpairmentLabel {
  key: string;
  direction: 'both' | string;
  field: Partial<Impairment>;
}

/** Options parsed from one link's labels; undefined = not set on this link. */
export interface LinkLabelOptions {
  exclude?: boolean;
  admin?: AdminState;
  mode?: ModeChoice;
  pair?: string;
  /** Impairment labels, in the order written. */
  impair?: ImpairmentLabel[];
}

const KNOWN = Object.values(LABELS) as string[];
const IMPAIRMENT_LABEL = new RegExp(`^${LABEL_PREFIX.replace('.', '\\.')}(${IMPAIRMENT_KEYS.join('|')})(?:@(.+))?$`);

const MODES = ['auto', 'tc', 'xdp', 'xdp-generic'] as const;
/** Spellings of earlier versions, when the only engine was XDP: still accepted. */
const MODE_ALIASES: Record<string, ModeChoice> = { native: 'xdp', generic: 'xdp-generic' };

/** Parses and validates the `xconnect.clab/*` labels of a link. `file` is for messages. */
export function parseLinkLabels(link: Link, file: string): LinkLabelOptions {
  const out: LinkLabelOptions = {};
  for (const [key, value] of Object.entries(link.labels)) {
    if (!key.startsWith(LABEL_PREFIX)) continue;
    const fail = (message: string, hint: string): never => {
      throw new XconnectError('PLAN', message, {
        file,
        line: link.labelLines?.[key] ?? (link.line || undefined),
        path: formatPath(['topology', 'links', link.index, 'labels', key]),
        value,
        hint,
      });
    };
    const v = value.trim();
    const im = IMPAIRMENT_LABEL.exec(key);
    if (im) {
      const r = parseImpairmentValue(im[1] as ImpairmentKey, v);
      if ('error' in r) fail(`label ${key}: ${r.error}`, `${r.hint} (labels are strings: quote numbers)`);
      else (out.impair ??= []).push({ key, direction: im[2] ?? 'both', field: r.field });
      continue;
    }
    switch (key) {
      case LABELS.exclude:
        if (v !== 'true' && v !== 'false') fail(`label ${key} must be "true" or "false", got ${JSON.stringify(value)}`, `write ${key}: "true"`);
        out.exclude = v === 'true';
        break;
      case LABELS.admin:
        if (v !== 'up' && v !== 'down') fail(`label ${key} must be "up" or "down", got ${JSON.stringify(value)}`, `write ${key}: down`);
        out.admin = v as AdminState;
        break;
      case LABELS.mode: {
        const mode = MODE_ALIASES[v] ?? v;
        if (!(MODES as readonly string[]).includes(mode)) {
          fail(`label ${key} must be auto, tc, xdp or xdp-generic, got ${JSON.stringify(value)}`, `write ${key}: tc`);
        }
        out.mode = mode as ModeChoice;
        break;
      }
      case LABELS.pair:
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(v)) {
          fail(`label ${key} must be a pair name (letters, digits, ".", "_", "-"; up to 63), got ${JSON.stringify(value)}`, `write ${key}: uplink1 on both host links`);
        }
        out.pair = v;
        break;
      default:
        fail(`unknown label ${JSON.stringify(key)}`, `labels under ${LABEL_PREFIX} are: ${KNOWN.join(', ')} (impairments take @<node>:<iface> for one direction)`);
    }
  }
  return out;
}
