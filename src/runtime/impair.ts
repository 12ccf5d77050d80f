/** `impair set|show|reset`: impairments of one direction of a wire (the
 * frames an end sends into it, as `containerlab tools netem set -n NODE -i IF`
 * shapes what that interface sends), set at run time over what the topology's
 * labels say. Carried out by the wire programs themselves: no netem needed. */
import type { Impairment } from '../dataplane/layout.js';
import { XconnectError } from '../errors.js';
import { endpointName } from '../plan/format.js';
import { impairmentProblem } from '../plan/impairment-spec.js';
import { reconcileLab, type ApplyReport } from './apply.js';
import { findDirection } from './endpoint.js';
import { loadPlan, varsOf } from './load-plan.js';
import { withRuntimeState } from './overrides.js';
import { directionKey, readRuntimeState, type ImpairmentOverride } from './runtime-state.js';
import { status, type PortStatus } from './status.js';

export interface ImpairSetOptions {
  file: string;
  /** The end whose frames to impair: `node:iface` (or a vxlan-stitch's remote end). */
  endpoint: string;
  /** The fields to set; others keep their value. */
  set: Partial<Impairment>;
  env?: Record<string, string | undefined>;
  vars?: string;
}

export interface ImpairReport {
  lab: string;
  /** The directions changed, and what now applies to each. */
  directions: { wire: string; from: string; impair: Impairment }[];
  apply: ApplyReport;
}

function strip(r: Awaited<ReturnType<typeof reconcileLab>>): ApplyReport {
  const { state: _s, runtime: _r, resolved: _w, ...apply } = r;
  return apply;
}

/** Sets impairments of one direction (merged into what was set before). */
export async function impairSet(opts: ImpairSetOptions): Promise<ImpairReport> {
  if (Object.keys(opts.set).length === 0)
    throw new XconnectError('USAGE', 'impair set needs at least one impairment', { hint: 'e.g. --loss 20, --rate 1000, --corruption 1, --duplicate 5' });
  const dirs: { wire: string; from: string; side: 'a' | 'b' }[] = [];
  const r = await reconcileLab({
    file: opts.file,
    env: opts.env,
    ...varsOf(opts),
    change: (state, plan) => {
      const { wire, side } = findDirection(plan, opts.endpoint, opts.file);
      const key = directionKey(wire.id, side);
      const override: ImpairmentOverride = { ...state.impair[key], ...opts.set };
      const problem = impairmentProblem({ ...wire.options.impair[side], ...override });
      if (problem) throw new XconnectError('USAGE', `impair set ${opts.endpoint}: ${problem}`, { hint: 'set both, e.g. --delay 10ms --jitter 2ms' });
      dirs.push({ wire: wire.id, from: endpointName(wire, side), side });
      return { ...state, impair: { ...state.impair, [key]: override } };
    },
  });
  return { lab: r.lab, directions: effective(r, dirs), apply: strip(r) };
}

function effective(r: Awaited<ReturnType<typeof reconcileLab>>, dirs: { wire: string; from: string; side: 'a' | 'b' }[]) {
  return dirs.map((d) => {
    const w = r.resolved.find((x) => x.plan.id === d.wire);
    return { wire: d.wire, from: d.from, impair: w ? w.plan.options.impair[d.side] : ({} as Impairment) };
  });
}

/** Removes run-time impairments: of one direction (`endpoint`), or of all.
 * What the topology's labels say applies again. */
export async function impairReset(opts: { file: string; endpoint?: string; all?: boolean; env?: Record<string, string | undefined>; vars?: string }): Promise<ImpairReport> {
  if (!opts.all === !opts.endpoint)
    throw new XconnectError('USAGE', 'impair reset takes an end, or --all', { hint: 'e.g. clab-xconnect impair reset -t lab.clab.yml r1:eth1' });
  const dirs: { wire: string; from: string; side: 'a' | 'b' }[] = [];
  const r = await reconcileLab({
    file: opts.file,
    env: opts.env,
    ...varsOf(opts),
    change: (state, plan) => {
      if (opts.all) {
        for (const key of Object.keys(state.impair)) {
          const [id, side] = [key.slice(0, key.lastIndexOf('#')), key.slice(key.lastIndexOf('#') + 1) as 'a' | 'b'];
          const wire = plan.wires.find((w) => w.id === id);
          if (wire) dirs.push({ wire: id, from: endpointName(wire, side), side });
        }
        return { ...state, impair: {} };
      }
      const { wire, side } = findDirection(plan, opts.endpoint!, opts.file);
      dirs.push({ wire: wire.id, from: endpointName(wire, side), side });
      const impair = { ...state.impair };
      delete impair[directionKey(wire.id, side)];
      return { ...state, impair };
    },
  });
  return { lab: r.lab, directions: effective(r, dirs), apply: strip(r) };
}

export interface ImpairmentView {
  wire: string;
  /** The end whose frames these are. */
  from: string;
  /** As the topology's labels say, as set at run time, and as installed. */
  file: Impairment;
  runtime: ImpairmentOverride | null;
  installed: Impairment | null;
  counters: Pick<PortStatus['counters'], 'dropLoss' | 'dropRate' | 'corrupted' | 'duplicated'>;
}

/** Every direction of the lab that is impaired in the file, at run time or
 * in the kernel. Reads only. */
export async function impairShow(opts: { file: string; env?: Record<string, string | undefined>; vars?: string }): Promise<{ lab: string; directions: ImpairmentView[] }> {
  const { plan } = await loadPlan(opts.file, opts.env, varsOf(opts));
  const state = await readRuntimeState(plan.lab);
  const { runtime } = withRuntimeState(plan, state);
  const st = await status(opts);
  const out: ImpairmentView[] = [];
  for (const w of plan.wires) {
    const ws = st.wires.find((x) => x.id === w.id);
    for (const side of ['a', 'b'] as const) {
      const port = ws?.[side];
      const over = runtime.get(w.id)?.overridden[side] ? state.impair[directionKey(w.id, side)]! : null;
      const file = w.options.impair[side];
      const any = [file, port?.impair].some((i) => i && Object.values(i).some((v) => v)) || over;
      if (!any) continue;
      const c = port?.counters;
      out.push({
        wire: w.id,
        from: endpointName(w, side),
        file,
        runtime: over,
        installed: port?.impair ?? null,
        counters: { dropLoss: c?.dropLoss ?? 0, dropRate: c?.dropRate ?? 0, corrupted: c?.corrupted ?? 0, duplicated: c?.duplicated ?? 0 },
      });
    }
  }
  return { lab: plan.lab, directions: out };
}
