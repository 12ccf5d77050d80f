/** apply: wire a running lab as its topology says, with the run-time state
 * (cut links, impairment overrides) laid over it. Validates everything first
 * (nodes running, ports present, peers as expected, no foreign program, the
 * kernel can do what is asked), then reconciles the installed state and
 * reports each change. `link` and `impair` go through the same path with a
 * change to the run-time state: one way into the kernel for all of them. */
import { Dataplane, type Engine, type Impairment, type InstalledPorts } from '../dataplane/dataplane.js';
import { XconnectError } from '../errors.js';
import { native } from '../native/addon.js';
import type { Plan, SkippedLink } from '../plan/types.js';
import { captureRunning } from './capture-lock.js';
import { foreignPrograms, gatherNodes, plannedPorts, readInstalled, wireNodes } from './gather.js';
import { enforceCuts, enforceFq, fqPortsWanted } from './link-state.js';
import { loadPlan, varsOf, type LoadedPlan } from './load-plan.js';
import { lockLab } from './lock.js';
import { closeNodes } from './nodes.js';
import { restoreUnneeded, tuneNodes, wantedNodeSettings, type PeerChangeReport } from './node-settings.js';
import { withRuntimeState, type WireRuntime } from './overrides.js';
import { labPinDir } from './paths.js';
import { requireRoot } from './privileges.js';
import { expediteFor, settleExpedite } from './rcu-expedite.js';
import { reconcile, type Reconciliation, type WireAction, type WireStep } from './reconcile.js';
import { LinkIndex, problemsError, readXdpFeatures, resolveWires, type ResolvedPort, type ResolvedWire } from './resolve.js';
import { readRuntimeState, writeRuntimeState, type RuntimeState } from './runtime-state.js';
import { byCodeUnit } from '../util/compare.js';
import { settleAll } from '../util/pool.js';
import { trace } from '../util/trace.js';

export type { PeerChangeReport } from './node-settings.js';

export interface ApplyOptions {
  file: string;
  /** Wire only this node's links whose other end is ready (containerlab stages hook). */
  node?: string;
  dryRun?: boolean;
  env?: Record<string, string | undefined>;
  /** Template variables file (default: the one containerlab finds beside the topology). */
  vars?: string | readonly string[];
  /** The plan of `file` as the caller has just loaded it (watch, which loads
   * it to follow edits): not read again. */
  loaded?: LoadedPlan;
}

export interface PortReport {
  endpoint: string | null;
  port: string;
  /** The engine that carries the frames entering this port. */
  engine: Engine;
  engineReason: string;
  /** What happens to those frames, and whether a run-time override sets it. */
  impair: Impairment;
  impairFrom: 'file' | 'run-time';
}

export interface WireReport {
  id: string;
  kind: string;
  action: WireAction;
  detail?: string;
  /** The engine of both directions, or 'mixed'. */
  engine: Engine | 'mixed';
  admin: 'up' | 'down';
  /** Cut at run time (`link down`): both ports are down. */
  cut: boolean;
  a: PortReport;
  b: PortReport;
}

export interface ApplyReport {
  lab: string;
  dryRun: boolean;
  /** Wires added, reinstalled, updated or removed (0 on a repeated apply). */
  changes: number;
  wires: WireReport[];
  removedPorts: string[];
  /** Wires of --node's node whose other end is not ready yet. */
  pending: { id: string; reason: string }[];
  peerChanges: PeerChangeReport[];
  /** Ports whose capture flag a killed capture had left on, now turned off. */
  staleCaptures: string[];
  skipped: SkippedLink[];
}

function report(w: ResolvedWire, runtime: WireRuntime | undefined, action: WireAction, detail?: string): WireReport {
  const port = (p: ResolvedPort, side: 'a' | 'b'): PortReport => ({
    endpoint: p.endpoint,
    port: p.ifname,
    engine: w.engines[side].engine,
    engineReason: w.engines[side].reason,
    impair: w.plan.options.impair[side],
    impairFrom: runtime?.overridden[side] ? 'run-time' : 'file',
  });
  return {
    id: w.plan.id,
    kind: w.plan.kind,
    action,
    ...(detail ? { detail } : {}),
    engine: w.engines.a.engine === w.engines.b.engine ? w.engines.a.engine : 'mixed',
    admin: w.plan.options.admin,
    cut: !!runtime?.cut,
    a: port(w.a, 'a'),
    b: port(w.b, 'b'),
  };
}

/** A change to the lab's run-time state that a command wants made, checked
 * against the plan before anything is written. */
export type StateChange = (state: RuntimeState, plan: Plan) => RuntimeState;

export interface ReconcileOptions extends ApplyOptions {
  change?: StateChange;
  /** Runs once the change is made, with the lock held and the nodes'
   * namespaces still open (link waits there for the carrier to settle). */
  after?: (wires: ResolvedWire[]) => Promise<void>;
}

/** Carries out a reconciliation: stale ports out, node settings (written to
 * the lab's record before they change), wires in, then what the run-time state
 * asks of the ports. Each step is a batch. */
async function execute(dp: Dataplane, lab: string, rec: Reconciliation, installed: InstalledPorts, full: boolean, views: Parameters<typeof restoreUnneeded>[2]) {
  // A stale port is known by its pin; the pinned link says which device it was.
  const pinned = (name: string) => installed.pins.get(name)?.xdp?.ifindex || installed.pins.get(name)?.tcx?.ifindex || null;
  await dp.removePorts(rec.removePorts.map((name) => ({ name, ifindex: pinned(name) })));
  trace('stale ports removed');
  // Checked on every run, wired or not: a node restart or a hand-made ethtool
  // change would otherwise break an XDP wire silently.
  const wants = wantedNodeSettings(rec.steps);
  const changes = await tuneNodes(lab, wants);
  trace('node settings checked');
  const settings = (w: ResolvedWire) => ({
    engine: { a: w.engines.a.engine, b: w.engines.b.engine },
    adminUp: w.plan.options.admin === 'up',
    impair: w.plan.options.impair,
    peerMac: { a: w.a.peerMac, b: w.b.peerMac },
  });
  const ends = (s: WireStep) => ({ a: s.wire.a.link, b: s.wire.b.link });
  await dp.installWires(
    rec.steps.filter((s) => s.action === 'add' || s.action === 'reinstall').map((s) => ({ ...ends(s), settings: settings(s.wire) })),
    installed,
  );
  trace('wires installed');
  await dp.updateWires(
    rec.steps.filter((s) => s.action === 'update').map((s) => ({ ...ends(s), adminUp: s.wire.plan.options.admin === 'up', impair: s.wire.plan.options.impair })),
  );
  // Settings no wire needs any more (its engine changed, or it went) are put
  // back now rather than at destroy. Only on a whole-lab run: --node sees a part.
  trace('wires updated');
  const restored = full ? await restoreUnneeded(lab, wants, views) : [];
  trace('unneeded node settings restored');
  return [...changes, ...restored].sort((x, y) => byCodeUnit(x.endpoint, y.endpoint) || byCodeUnit(x.feature, y.feature));
}

/** Checks what the kernel must be able to do for these wires (beyond what
 * resolve checks): a delay needs the fq qdisc. */
async function capabilityProblems(wires: ResolvedWire[]): Promise<string[]> {
  if (fqPortsWanted(wires).length === 0 || (await native.probeQdisc('fq'))) return [];
  return wires
    .flatMap((w) => (['a', 'b'] as const).filter((side) => w.plan.options.impair[side].delayUs > 0).map((side) => ({ w, side })))
    .map(
      ({ w, side }) =>
        `wire ${w.plan.id}: a delay on the frames from ${w[side].endpoint ?? w[side].ifname} needs the fq qdisc (sch_fq) on ${w[side === 'a' ? 'b' : 'a'].ifname}, and this kernel has none (CONFIG_NET_SCH_FQ); remove the delay or use a kernel with sch_fq`,
    );
}

/** The core of apply, link and impair: see the file comment. */
export async function reconcileLab(opts: ReconcileOptions): Promise<ApplyReport & { state: RuntimeState; runtime: Map<string, WireRuntime>; resolved: ResolvedWire[] }> {
  if (!opts.dryRun) requireRoot('apply');
  trace('started');
  const { plan: filePlan, topology } = opts.loaded ?? (await loadPlan(opts.file, opts.env, varsOf(opts)));
  trace('plan loaded');
  if (opts.node && !topology?.nodes.some((n) => n.name === opts.node))
    throw new XconnectError('USAGE', `--node ${opts.node}: no such node in ${opts.file}`, {
      hint: `nodes: ${topology?.nodes.map((n) => n.name).join(', ') || 'none'}`,
    });
  const lock = await lockLab(filePlan.lab);
  trace('lab locked (native addon loaded)');
  let dp: Dataplane | null = null;
  let views: Awaited<ReturnType<typeof gatherNodes>>['views'] = new Map();
  try {
    const before = await readRuntimeState(filePlan.lab);
    let state = opts.change ? opts.change(before, filePlan) : before;
    const { plan, runtime, stale } = withRuntimeState(filePlan, state);
    const candidates = opts.node ? plan.wires.filter((w) => wireNodes(w).includes(opts.node!)) : plan.wires;
    trace('run-time state read');
    // The reads a decision needs are kernel jobs on their own threads, run side
    // by side: the host's links; the nodes' links; what an earlier run
    // installed (its maps; the programs are loaded only if a wire must be
    // attached) and the tc state of the planned ports the host has. A lab
    // without any state gets its pin directory only once every check passed.
    const pinDir = labPinDir(plan.lab);
    const hostP = LinkIndex.of(null);
    // What is opened is closed in `finally`, whatever else failed.
    const dpP = Dataplane.openPinned(pinDir).then((opened) => (dp = opened));
    const [host, gathered, , installed] = await settleAll([
      hostP,
      gatherNodes(topology, candidates, opts.node, hostP).then((g) => ((views = g.views), g)),
      dpP,
      dpP.then((opened) => readInstalled(opened, hostP.then((h) => plannedPorts(candidates, h)))),
    ] as const);
    trace(`host links (${host.byIndex.size}), nodes and their links (${views.size}), installed state read`);
    const { pending, ready } = gathered;
    let wanted = ready;
    if (opts.node) {
      // The other end's port may not exist yet (containerlab creates it with that node).
      wanted = ready.filter((w) => {
        const absent = [w.a, w.b].find((p) => !host.port(p));
        if (absent && absent.node?.name !== opts.node) pending.push({ id: w.id, reason: `port ${absent.ifname} does not exist yet` });
        return !absent || absent.node?.name === opts.node;
      });
    }
    const { wires, problems } = resolveWires(wanted, host, views, await readXdpFeatures(wanted, host), opts.file);
    trace(`wires resolved (${wires.length})`);
    const foreign = foreignPrograms(wires, installed);
    const unable = await capabilityProblems(wires);
    if (problems.length || unable.length) throw problemsError([...problems, ...unable, ...foreign]);
    if (foreign.length) throw problemsError(foreign, 'remove that program or exclude the link; nothing was changed', 'BUSY');
    if (!dp && !opts.dryRun) dp = await Dataplane.open(pinDir);

    const tcAttach = dp ? await dp.tcAttach() : 'tcx';
    const rec = reconcile(wires, installed, { removeStale: !opts.node, tcAttach });
    trace('checked and reconciled');
    let peerChanges: PeerChangeReport[] = [];
    let staleCaptures: string[] = [];
    if (!opts.dryRun && dp) {
      // The state goes to disk before the kernel changes: a crash from here on
      // leaves a state the next run carries out.
      if (!opts.node) state = { ...state, cuts: Object.fromEntries(Object.entries(state.cuts).filter(([id]) => !stale.cuts.includes(id))) };
      if (!opts.node) state = { ...state, impair: Object.fromEntries(Object.entries(state.impair).filter(([k]) => !stale.impair.includes(k))) };
      await writeRuntimeState(plan.lab, state);
      await expediteFor(rec.removePorts.length + 2 * rec.steps.filter((s) => s.action === 'add' || s.action === 'reinstall').length);
      peerChanges = await execute(dp, plan.lab, rec, installed, !opts.node, views);
      state = await enforceFq(state, wires, host);
      state = await enforceCuts(state, wires, (s) => writeRuntimeState(plan.lab, s));
      await writeRuntimeState(plan.lab, state);
      trace('run-time state enforced and written');
      const keep = new Set(wires.flatMap((w) => [w.a.ifindex, w.b.ifindex]));
      if (opts.node) for (const k of installed.config.keys()) keep.add(k);
      // The lab's lock held since the snapshot: only this run changed the configs,
      // adding ports of its wires (kept) and removing some (deleting them again is a no-op).
      await dp.forgetPortsExcept(keep, installed.config.keys());
      trace('stale port configs forgotten');
      // A capture flag nobody reads (its capture was killed) costs every frame a
      // failed copy: off with it, and say so.
      const capturing = [...installed.config].filter(([, c]) => c.capture).map(([i]) => i);
      if (capturing.length && !(await captureRunning(plan.lab)))
        staleCaptures = (await dp.setCapture(capturing, null)).map((i) => host.byIndex.get(i)?.name ?? String(i)).sort();
    }
    if (opts.after) await opts.after(wires);
    trace('done');
    const changed = rec.steps.filter((s) => s.action !== 'unchanged').length + rec.removePorts.length;
    return {
      lab: plan.lab,
      dryRun: !!opts.dryRun,
      changes: changed,
      wires: rec.steps.map((s) => report(s.wire, runtime.get(s.wire.plan.id), s.action, s.detail)),
      removedPorts: rec.removePorts,
      pending,
      peerChanges,
      staleCaptures,
      skipped: plan.skipped,
      state,
      runtime,
      resolved: wires,
    };
  } finally {
    dp?.close();
    closeNodes([...views.values()].map((v) => v.runtime));
    // Not allowed to hide the run's own error: a knob left on is put back by the next run.
    await settleExpedite(filePlan.lab).catch(() => undefined);
    await lock.release();
  }
}

export async function apply(opts: ApplyOptions): Promise<ApplyReport> {
  const { state: _s, runtime: _r, resolved: _w, ...report } = await reconcileLab(opts);
  return report;
}
