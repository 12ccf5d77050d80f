/** Prometheus metrics of a lab's wires: the text of one status report, and the
 * one-shot form `status --format prometheus` prints. */
import type { StatusReport } from '../runtime/status.js';
import { Exposition } from './exposition.js';
import { RateTracker } from './rates.js';
import { readSample, writeSample } from './sample-file.js';
import { addStatusMetrics, type MetricsContext } from './status-metrics.js';

export { CONTENT_TYPE, Exposition } from './exposition.js';
export { RateTracker, portKey, type PortRate } from './rates.js';
export { addStatusMetrics, counterFamily, type MetricsContext } from './status-metrics.js';
export { parseListenAddress, serveMetrics, type ListenAddress, type MetricsServer } from './server.js';

/** The metrics text of one report. */
export function statusMetricsText(report: StatusReport, ctx: MetricsContext = {}): string {
  const exp = new Exposition();
  addStatusMetrics(exp, report, ctx);
  return exp.text();
}

/** The text `status --format prometheus` prints: rates against the previous run's
 * sample when one is recent, and this run's sample kept for the next. */
export async function oneShotMetricsText(report: StatusReport, nowMs = Date.now()): Promise<string> {
  const tracker = new RateTracker(1000, await readSample(report.lab, nowMs));
  const rates = tracker.update(report, nowMs);
  const state = tracker.state();
  if (state) await writeSample(report.lab, state);
  return statusMetricsText(report, rates.size ? { rates } : {});
}
