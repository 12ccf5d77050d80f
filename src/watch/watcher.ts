/** watch: keeps a lab wired while it lives. It applies once, then reacts: a topology
 * edit is reconciled (a bad one changes nothing); a node that starts again after a
 * restart gets its links re-plumbed as containerlab would, then wired; a node that
 * stops leaves its wires pending; the lab's last container gone means the lab was
 * destroyed, so its wires go too and watch ends. A signal ends it with the wires left
 * in place. Jobs (jobs.ts) run one at a time (queue.ts). */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { XconnectError } from '../errors.js';
import { serveMetrics, type ListenAddress, type MetricsServer } from '../metrics/server.js';
import { loadPlan } from '../runtime/load-plan.js';
import { requireRoot } from '../runtime/privileges.js';
import { findVarsFiles } from '../topology/template/render.js';
import { healthOf, loadedPlan, logPending, newContext, pendingWires, type WatchContext } from './context.js';
import { dockerClient } from './docker-client.js';
import { followLabEvents, type EventFollower, type LabEvent } from './docker-events.js';
import { watchTopology, type FileWatch } from './file-watch.js';
import { relinkJob, reconcileJob, teardownJob } from './jobs.js';
import { LabState } from './lab-state.js';
import { Logger, type LogFormat } from './log.js';
import { IdleCollector } from './memory.js';
import { collectGarbage } from '../util/gc.js';
import { WatchMetrics } from './metrics.js';
import { JobQueue } from './queue.js';

export interface WatchOptions {
  file: string;
  env?: Record<string, string | undefined>;
  /** Serve Prometheus metrics on this address. */
  metrics?: ListenAddress;
  logFormat?: LogFormat;
  logger?: Logger;
  /** Quiet time after a file event before reconciling (default 15 ms). */
  debounceMs?: number;
  /** Wait before wiring a container watch has not seen before, so that whoever made
   * it (containerlab) plumbs its links first (default 3 s). */
  settleMs?: number;
  /** Ends watch as a signal would. */
  signal?: AbortSignal;
}

export interface WatchResult {
  lab: string;
  /** 'signal': stopped, wires left in place; 'destroyed': the lab went, and its wires. */
  reason: 'signal' | 'destroyed';
}

/** Runs watch until a signal or the lab's destruction. */
export async function watch(opts: WatchOptions): Promise<WatchResult> {
  requireRoot('watch');
  const env = opts.env ?? process.env;
  const { plan, topology } = await loadPlan(opts.file, env);
  // The parse's garbage (the YAML document, the schema's results) goes before
  // the first apply adds its own: watch's RSS high-water mark is set at start.
  collectGarbage();
  return new Watcher(opts, newContext(opts.file, env, opts.logger ?? new Logger(opts.logFormat ?? 'text'), plan, topology)).run();
}

class Watcher {
  private readonly memory = new IdleCollector();
  private readonly queue: JobQueue;
  private events: EventFollower | undefined;
  private files: FileWatch | undefined;
  private server: MetricsServer | undefined;
  private fingerprint = '';
  private stopping = false;
  private finish!: (r: WatchResult) => void;
  private readonly done = new Promise<WatchResult>((resolve) => (this.finish = resolve));

  constructor(
    private readonly opts: WatchOptions,
    private readonly ctx: WatchContext,
  ) {
    this.queue = new JobQueue({
      teardown: async () => {
        if (await teardownJob(ctx)) this.finish({ lab: ctx.plan.lab, reason: 'destroyed' });
      },
      relink: (node) => relinkJob(ctx, node),
      reconcile: (why) => reconcileJob(ctx, why),
      idle: () => this.memory.jobsDone(),
    });
  }

  async run(): Promise<WatchResult> {
    const { ctx } = this;
    const lab = ctx.plan.lab;
    let signalled = false;
    // From the start: a signal during the first apply ends watch once that apply is done.
    const onSignal = (sig: NodeJS.Signals) => {
      if (signalled) {
        ctx.log.warn('watch', `${sig} again: exiting now`);
        process.exit(1);
      }
      signalled = true;
      ctx.log.info('watch', `${sig}: stopping; the wires stay in place (clab-xconnect destroy removes them)`, { signal: sig });
      this.finish({ lab, reason: 'signal' });
    };
    const onAbort = () => this.finish({ lab, reason: 'signal' });
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    this.opts.signal?.addEventListener('abort', onAbort);
    if (this.opts.signal?.aborted) onAbort();
    try {
      await this.start();
      return await this.done;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      this.opts.signal?.removeEventListener('abort', onAbort);
      // Also after a failed start: what started must not keep the process alive.
      await this.shutdown();
    }
  }

  /** Docker, the file watch, metrics, the first apply. */
  private async start(): Promise<void> {
    const { ctx } = this;
    const lab = ctx.plan.lab;
    if (ctx.topology) await this.connectDocker(lab);
    this.fingerprint = await this.readFingerprint();
    ctx.log.info('watch', `lab ${lab}: ${ctx.plan.wires.length} wires, ${ctx.topology?.nodes.length ?? 0} nodes, from ${ctx.file}`, {
      lab,
      wires: ctx.plan.wires.length,
      file: ctx.file,
    });
    this.files = watchTopology(ctx.file, this.opts.debounceMs ?? 15, () => void this.onFileEvent(), (e) =>
      ctx.log.error('topology', `cannot watch ${ctx.file} any more (${e.message}); restart watch to follow edits`),
    );
    // Listening before the first apply, so that a taken port fails before anything changes.
    const metrics = this.opts.metrics ? await this.startMetrics(this.opts.metrics) : undefined;
    this.queue.reconcile('start');
    await this.queue.idle();
    await metrics?.prime();
    // Loaded now rather than at the first restart, where its ~150 ms would add to the outage.
    if (ctx.topology) void import('../lab/relink.js').catch(() => undefined);
  }

  /** Docker: reachable, the lab deployed, its events followed from now on. */
  private async connectDocker(lab: string): Promise<void> {
    const docker = await dockerClient();
    this.ctx.docker = docker;
    await docker.ping().catch((e: Error) => {
      throw new XconnectError('RUNTIME', `the Docker engine is not reachable: ${e.message}`, { hint: 'watch follows the lab through Docker events' });
    });
    let connected!: () => void;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    this.events = followLabEvents(docker, lab, {
      onEvent: (e) => this.onDockerEvent(e),
      onConnected: (again) => {
        if (again) this.ctx.log.info('docker', 'event stream back; replaying what was missed');
        connected();
      },
      onLost: (e, retryMs) => this.ctx.log.warn('docker', `event stream lost (${e.message}); retrying in ${retryMs} ms`),
    });
    await ready;
    this.ctx.state = await LabState.read(docker, lab);
    if (this.ctx.state.containers === 0)
      throw new XconnectError('RUNTIME', `lab ${lab} is not deployed: no container is labelled containerlab=${lab}`, {
        hint: 'deploy it first (containerlab deploy), then start watch',
      });
  }

  private async startMetrics(at: ListenAddress): Promise<WatchMetrics> {
    const { ctx } = this;
    const metrics = new WatchMetrics(ctx.file, () => loadedPlan(ctx), () => pendingWires(ctx), () => healthOf(ctx));
    // A scrape waits for a running job (an apply is ~0.1-0.5 s; scrapers wait
    // seconds) rather than holding its report and text beside the job's.
    this.server = await serveMetrics(at, () =>
      this.queue
        .idle()
        .then(() => metrics.collect())
        .finally(() => this.memory.scrapeDone()),
    );
    this.ctx.log.info('metrics', `serving http://${this.server.address}/metrics`, { address: this.server.address });
    return metrics;
  }

  private onDockerEvent(e: LabEvent): void {
    if (this.stopping) return;
    const { ctx } = this;
    const container = e.id.slice(0, 12);
    if (e.action === 'destroy') {
      ctx.state.remove(e.node, e.id);
      ctx.log.info('node', `${e.node || container}: container ${container} removed`, { node: e.node, container });
      if (ctx.state.containers === 0) this.queue.teardown();
      return;
    }
    if (!ctx.topology?.nodes.some((n) => n.name === e.node)) return;
    if (e.action === 'start') {
      if (ctx.state.set(e.node, e.id, 'running')) {
        ctx.log.info('node', `${e.node}: started again (container ${container}); re-plumbing its links`, { node: e.node, container });
        this.queue.relink(e.node);
      } else {
        // Not a restart: whoever made it (containerlab) plumbs it; wire it once that is done.
        const settle = this.opts.settleMs ?? 3000;
        ctx.log.info('node', `${e.node}: new container ${container}; wiring it in ${settle} ms, once its links are plumbed`, { node: e.node, container });
        setTimeout(() => this.queue.reconcile(`node ${e.node} has a new container`), settle).unref();
      }
      return;
    }
    ctx.state.set(e.node, e.id, 'down');
    this.queue.forget(e.node);
    const pending = pendingWires(ctx);
    const waiting = [...pending.values()].filter((why) => why.startsWith(`node ${e.node} `)).length;
    ctx.log.info('node', `${e.node}: stopped (container ${container}); ${waiting} wires pending`, { node: e.node, container, pending: waiting });
    logPending(ctx, pending);
  }

  private async onFileEvent(): Promise<void> {
    if (this.stopping) return;
    const fp = await this.readFingerprint();
    if (fp === this.fingerprint) return;
    this.fingerprint = fp;
    if (fp === '') {
      this.ctx.log.warn('topology', `${this.ctx.file} cannot be read; the last good state stays`);
      return;
    }
    this.ctx.log.info('topology', `${this.ctx.file} changed`, { file: this.ctx.file });
    this.queue.reconcile('topology changed');
  }

  /** A hash of the topology and its vars files ('' when the topology cannot be read). */
  private async readFingerprint(): Promise<string> {
    const h = createHash('sha256');
    try {
      h.update(await readFile(this.ctx.file));
      for (const f of findVarsFiles(this.ctx.file)) h.update(f).update(await readFile(f).catch(() => Buffer.alloc(0)));
    } catch {
      return '';
    }
    return h.digest('hex');
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.files?.close();
    this.events?.close();
    this.memory.close();
    this.queue.stop();
    await this.queue.idle();
    await this.server?.close();
  }
}
