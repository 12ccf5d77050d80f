/** The wires a lab should have now: the plan (what the topology file says)
 * with the run-time state laid over it (cut links, impairment overrides).
 * Pure. The rule, documented in docs/link-control.md: what was set at run
 * time wins until it is undone (`link up`, `impair reset`); a re-apply never
 * silently reverts it, and status shows where the two differ. */
import type { Plan, WirePlan } from '../plan/types.js';
import { directionKey, type Cut, type RuntimeState } from './runtime-state.js';

export interface WireRuntime {
  /** The cut of this wire, if it is cut (or being restored). */
  cut: Cut | null;
  /** Directions whose impairments come (in part) from the run-time state. */
  overridden: { a: boolean; b: boolean };
  /** The options as the topology file has them. */
  fromFile: WirePlan['options'];
}

export interface EffectivePlan {
  plan: Plan;
  runtime: Map<string, WireRuntime>;
  /** State entries naming wires the plan no longer has. */
  stale: { cuts: string[]; impair: string[] };
}

export function withRuntimeState(plan: Plan, state: RuntimeState): EffectivePlan {
  const runtime = new Map<string, WireRuntime>();
  const wires = plan.wires.map((w) => {
    const cut = state.cuts[w.id] ?? null;
    const over = { a: state.impair[directionKey(w.id, 'a')], b: state.impair[directionKey(w.id, 'b')] };
    runtime.set(w.id, { cut, overridden: { a: !!over.a, b: !!over.b }, fromFile: w.options });
    if (!cut && !over.a && !over.b) return w;
    return {
      ...w,
      options: {
        ...w.options,
        // A cut wire drops (and counts) whatever still reaches its programs.
        admin: cut?.phase === 'down' ? ('down' as const) : w.options.admin,
        impair: { a: { ...w.options.impair.a, ...over.a }, b: { ...w.options.impair.b, ...over.b } },
      },
    };
  });
  const ids = new Set(plan.wires.map((w) => w.id));
  const stale = {
    cuts: Object.keys(state.cuts).filter((id) => !ids.has(id)),
    impair: Object.keys(state.impair).filter((k) => !ids.has(k.slice(0, k.lastIndexOf('#')))),
  };
  return { plan: { ...plan, wires }, runtime, stale };
}
