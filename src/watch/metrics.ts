/** What watch serves on /metrics: the lab's status as metrics (src/metrics), with
 * `pending` for wires whose node is down and rates from successive scrapes, plus
 * watch's own health. The wires are those of the plan watch holds (the last good
 * one while the topology file is broken: topology_valid 0 says so); a scrape
 * does not read the file, which watch reloads on every change anyway. */
import { Exposition, RateTracker, addStatusMetrics } from '../metrics/index.js';
import type { LoadedPlan } from '../runtime/load-plan.js';
import { status, type StatusReport } from '../runtime/status.js';

export interface WatchHealth {
  lab: string;
  topologyValid: boolean;
  nodesDown: number;
  reconciles: { ok: number; error: number };
  relinks: { ok: number; error: number };
  /** Seconds the last reconcile took (NaN before the first). */
  lastReconcileSeconds: number;
}

export class WatchMetrics {
  private readonly rates = new RateTracker(1000);
  private last: StatusReport | undefined;

  constructor(
    private readonly file: string,
    private readonly plan: () => LoadedPlan,
    private readonly pending: () => ReadonlyMap<string, string>,
    private readonly health: () => WatchHealth,
  ) {}

  /** Takes a first sample, so that the first scrape already has rates. */
  async prime(): Promise<void> {
    await this.collect().catch(() => undefined);
  }

  async collect(): Promise<string> {
    const exp = new Exposition();
    let report = this.last;
    let fresh = false;
    try {
      report = await status({ file: this.file, loaded: this.plan() });
      this.last = report;
      fresh = true;
    } catch {
      // The lab's state could not be read: the last good report, without rates.
    }
    if (report) addStatusMetrics(exp, report, { pending: this.pending(), ...(fresh ? { rates: this.rates.update(report, Date.now()) } : {}) });
    addHealth(exp, this.health());
    return exp.text();
  }
}

function addHealth(exp: Exposition, h: WatchHealth): void {
  const lab = { lab: h.lab };
  exp.add('clab_xconnect_watch_topology_valid', 'gauge', 'Whether the topology file as it is now loads (0: a bad edit; the last good state stays).', lab, h.topologyValid ? 1 : 0);
  exp.add('clab_xconnect_watch_nodes_down', 'gauge', 'Nodes of the lab\'s wires that do not run.', lab, h.nodesDown);
  for (const result of ['ok', 'error'] as const) {
    exp.add('clab_xconnect_watch_reconciles_total', 'counter', 'Reconciles (applies) watch ran, by result.', { ...lab, result }, h.reconciles[result]);
  }
  for (const result of ['ok', 'error'] as const) {
    exp.add('clab_xconnect_watch_relinks_total', 'counter', 'Restarted nodes whose links watch re-plumbed, by result.', { ...lab, result }, h.relinks[result]);
  }
  exp.add('clab_xconnect_watch_last_reconcile_duration_seconds', 'gauge', 'How long the last reconcile took.', lab, h.lastReconcileSeconds);
}
