/** What watch's jobs and event handlers share: where the lab is described, the last
 * good plan, what runs, the log, and watch's own health counters. */
import type Docker from 'dockerode';
import type { Plan } from '../plan/types.js';
import type { LoadedPlan } from '../runtime/load-plan.js';
import type { Topology } from '../topology/model.js';
import { LabState } from './lab-state.js';
import type { Logger } from './log.js';
import type { WatchHealth } from './metrics.js';

export interface WatchContext {
  readonly file: string;
  readonly env: Record<string, string | undefined>;
  readonly log: Logger;
  /** The last plan (and topology) that loaded; a broken edit leaves them as they were. */
  plan: Plan;
  topology: Topology | undefined;
  /** Whether the file as it is now loads. */
  topologyValid: boolean;
  state: LabState;
  docker: Docker | undefined;
  readonly health: Pick<WatchHealth, 'reconciles' | 'relinks' | 'lastReconcileSeconds'>;
  /** Pending wires already logged, so each is logged once. */
  loggedPending: Map<string, string>;
}

export function newContext(file: string, env: Record<string, string | undefined>, log: Logger, plan: Plan, topology: Topology | undefined): WatchContext {
  return {
    file,
    env,
    log,
    plan,
    topology,
    topologyValid: true,
    state: new LabState(),
    docker: undefined,
    health: { reconciles: { ok: 0, error: 0 }, relinks: { ok: 0, error: 0 }, lastReconcileSeconds: NaN },
    loggedPending: new Map(),
  };
}

/** Wires waiting for a node, with the reason (none for an xdp-xconnect config). */
/** The plan watch holds, in the form apply and status take (they then do not read the file). */
export function loadedPlan(ctx: WatchContext): LoadedPlan {
  return { plan: ctx.plan, ...(ctx.topology ? { topology: ctx.topology } : {}) };
}

export function pendingWires(ctx: WatchContext): Map<string, string> {
  return ctx.topology ? ctx.state.pending(ctx.plan) : new Map();
}

export function healthOf(ctx: WatchContext): WatchHealth {
  return {
    lab: ctx.plan.lab,
    topologyValid: ctx.topologyValid,
    nodesDown: ctx.topology ? ctx.state.downNodes(ctx.plan).length : 0,
    ...ctx.health,
  };
}

/** One line per wire that became pending or waits for another reason now. */
export function logPending(ctx: WatchContext, now: ReadonlyMap<string, string>): void {
  for (const [id, why] of now) {
    if (ctx.loggedPending.get(id) !== why) ctx.log.info('wire', `${id}: pending (${why})`, { wire: id, action: 'pending', detail: why });
  }
  ctx.loggedPending = new Map(now);
}
