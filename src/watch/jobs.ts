/** watch's three jobs. Each logs one line per change with how long it took, and none
 * throws: a failure is logged and the last good state stays. The wires change only
 * through the library's apply and destroy. */
import { XconnectError } from '../errors.js';
import { destroy, destroyLab } from '../runtime/destroy.js';
import { loadPlan } from '../runtime/load-plan.js';
import { lockLab } from '../runtime/lock.js';
import { applyLab } from './apply-lab.js';
import { loadedPlan, logPending, type WatchContext } from './context.js';
import { LabState } from './lab-state.js';
import { since } from './log.js';

/** Re-plumbs a restarted node's links as containerlab does (src/lab/relink.ts);
 * returns whether a reconcile should follow. */
export async function relinkJob(ctx: WatchContext, node: string): Promise<boolean> {
  if (!ctx.topology || !ctx.state.isRunning(node)) return false;
  const t0 = performance.now();
  try {
    const { relinkNode } = await import('../lab/relink.js');
    // Under the lab's lock, as apply runs: a second watch of the lab finds the links made.
    const lock = await lockLab(ctx.plan.lab);
    const r = await relinkNode(ctx.topology, node, { ifBare: true }).finally(() => lock.release());
    ctx.health.relinks.ok++;
    if (!r.relinked) ctx.log.info('node', `${node}: its links exist already, left as they are`, { node, ms: since(t0) });
    else
      ctx.log.info('node', `${node}: re-plumbed ${r.endpoints.length} links (${r.endpoints.join(', ')}) in ${since(t0)} ms`, {
        node,
        endpoints: r.endpoints,
        peersDown: r.peersDown,
        ms: since(t0),
      });
    return true;
  } catch (e) {
    ctx.health.relinks.error++;
    ctx.log.error('node', `${node}: cannot re-plumb its links: ${(e as Error).message}; its wires stay pending`, { node, ms: since(t0) });
    return false;
  }
}

/** Reloads the topology (a bad one changes nothing) and applies it. */
export async function reconcileJob(ctx: WatchContext, why: string): Promise<void> {
  const t0 = performance.now();
  try {
    const loaded = await loadPlan(ctx.file, ctx.env);
    if (loaded.plan.lab !== ctx.plan.lab)
      throw new XconnectError('USAGE', `the lab is now named ${loaded.plan.lab}, was ${ctx.plan.lab}`, { hint: 'restart watch for a renamed lab' });
    ctx.plan = loaded.plan;
    ctx.topology = loaded.topology;
    ctx.topologyValid = true;
  } catch (e) {
    ctx.topologyValid = false;
    ctx.health.reconciles.error++;
    ctx.log.error('topology', `${(e as Error).message}; nothing changed, the last good state stays`, { reason: why, ms: since(t0) });
    return;
  }
  try {
    const r = await applyLab({ file: ctx.file, env: ctx.env, loaded: loadedPlan(ctx), state: ctx.state, hasNodes: !!ctx.topology });
    const ms = since(t0);
    ctx.health.reconciles.ok++;
    ctx.health.lastReconcileSeconds = ms / 1000;
    for (const w of r.wires) {
      if (w.action === 'unchanged') continue;
      ctx.log.info('wire', `${w.id}: ${w.action}${w.detail ? ` (${w.detail})` : ''}, engine ${w.engine}, in ${ms} ms`, {
        wire: w.id,
        action: w.action,
        detail: w.detail,
        engine: w.engine,
        ms,
      });
    }
    for (const p of r.removedPorts) ctx.log.info('port', `${p}: removed, in ${ms} ms`, { port: p, ms });
    logPending(ctx, r.pending);
    const scope = r.scope === 'lab' ? 'whole lab' : `apply --node ${r.nodes.join(', ') || '(no node runs)'}`;
    ctx.log.info('apply', `${r.changes} changes (${why}; ${scope}) in ${ms} ms`, { changes: r.changes, reason: why, scope: r.scope, nodes: r.nodes, ms });
  } catch (e) {
    ctx.health.reconciles.error++;
    ctx.log.error('apply', `${(e as Error).message} (${why})`, { reason: why, ms: since(t0) });
  }
}

/** The lab's last container went: removes its wires; returns false (and does nothing)
 * when containers of the lab exist again (a redeploy got there first). */
export async function teardownJob(ctx: WatchContext): Promise<boolean> {
  const t0 = performance.now();
  const lab = ctx.plan.lab;
  const now = ctx.docker ? await LabState.read(ctx.docker, lab).catch(() => ctx.state) : ctx.state;
  if (now.containers > 0) {
    ctx.log.info('lab', `${lab}: has ${now.containers} containers again; its wires stay`, { lab });
    ctx.state = now;
    return false;
  }
  try {
    // destroy() needs the topology file; with it gone or broken, the lab's name does.
    const r = await destroy({ file: ctx.file, env: ctx.env }).catch(() => destroyLab(lab));
    ctx.log.info('lab', `${lab}: destroyed (no container left); removed ${r.removedPorts.length} ports in ${since(t0)} ms`, {
      lab,
      removedPorts: r.removedPorts,
      ms: since(t0),
    });
  } catch (e) {
    ctx.log.error('lab', `${lab}: destroyed, but removing its wires failed: ${(e as Error).message}`, { lab, ms: since(t0) });
  }
  return true;
}
