/** watch runs one job at a time. Work is wanted by kind: a teardown (the lab is gone),
 * nodes to re-plumb, a reconcile. Wants of a kind coalesce (a burst of file events is
 * one reconcile), a want that arrives during a job is served after it, and a teardown
 * goes before anything else. */

export interface Jobs {
  teardown(): Promise<void>;
  /** Re-plumbs a node; resolves true when a reconcile should follow. */
  relink(node: string): Promise<boolean>;
  reconcile(why: string): Promise<void>;
  /** After each run of jobs. */
  idle(): void;
}

export class JobQueue {
  private readonly relinks = new Set<string>();
  private reason: string | undefined;
  private teardownWanted = false;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly jobs: Jobs) {}

  reconcile(why: string): void {
    this.reason ??= why;
    this.kick();
  }

  relink(node: string): void {
    this.relinks.add(node);
    this.kick();
  }

  /** A node stopped before its re-plumbing ran: drop it. */
  forget(node: string): void {
    this.relinks.delete(node);
  }

  teardown(): void {
    this.teardownWanted = true;
    this.kick();
  }

  /** Resolves once no job runs. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No new job starts; the running one finishes (await idle()). */
  stop(): void {
    this.stopped = true;
  }

  private wanted(): boolean {
    return this.teardownWanted || this.relinks.size > 0 || this.reason !== undefined;
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      this.jobs.idle();
      if (this.wanted()) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.wanted()) {
      if (this.teardownWanted) {
        this.teardownWanted = false;
        await this.jobs.teardown();
        continue;
      }
      const node = this.relinks.values().next().value as string | undefined;
      if (node !== undefined) {
        this.relinks.delete(node);
        if (await this.jobs.relink(node)) this.reason ??= `node ${node} re-plumbed`;
        continue;
      }
      const why = this.reason!;
      this.reason = undefined;
      await this.jobs.reconcile(why);
    }
  }
}
