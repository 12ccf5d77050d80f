/** destroy: remove every program, link, map and pin of one lab, put back the
 * node-side settings apply changed, and leave nothing else behind. */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { native } from '../native/addon.js';
import { readPinnedPorts } from '../dataplane/pinned-maps.js';
import type { Topology } from '../topology/model.js';
import { loadPlan } from './load-plan.js';
import { lockLab, removeBpffsRootIfUnused } from './lock.js';
import { undoRuntimeState } from './link-state.js';
import { closeNodes, findNodes } from './nodes.js';
import { labMetricsSampleFile, labPinDir } from './paths.js';
import { dropOriginals, readOriginals, type Originals } from './peer-state.js';
import { dropCached } from './plan-cache.js';
import { expediteFor, settleExpedite } from './rcu-expedite.js';
import { requireRoot } from './privileges.js';
import { LinkIndex } from './resolve.js';

export interface DestroyReport {
  lab: string;
  pinDir: string;
  /** Ports whose XDP link was detached. */
  removedPorts: string[];
  /** Node interfaces whose offload settings were put back (`node:iface`). */
  restoredEndpoints: string[];
}

/** Puts back what apply changed on node interfaces that still exist; a node
 * that is gone took its interfaces (and our settings) with it. */
async function restorePeers(topo: Topology, originals: Originals): Promise<string[]> {
  const byNode = new Map<string, [string, Record<string, boolean>][]>();
  for (const [endpoint, features] of Object.entries(originals)) {
    const i = endpoint.indexOf(':');
    byNode.set(endpoint.slice(0, i), [...(byNode.get(endpoint.slice(0, i)) ?? []), [endpoint.slice(i + 1), features]]);
  }
  const { nodes } = await findNodes(topo, byNode.keys());
  const restored: string[] = [];
  try {
    for (const [name, node] of nodes) {
      const links = await LinkIndex.of(node.netns);
      const items = byNode
        .get(name)!
        .flatMap(([iface, want]) => {
          const l = links.find(iface);
          return l ? [{ iface, ifindex: l.ifindex, want }] : [];
        });
      if (items.length === 0) continue;
      await node.netns.assertAt(`node ${name}`);
      await native.setFeatures(node.netns.handle, items.map(({ ifindex, want }) => ({ ifindex, want })));
      restored.push(...items.map((it) => `${name}:${it.iface}`));
    }
  } finally {
    closeNodes(nodes.values());
  }
  return restored.sort();
}

/** Pinned links of the lab: `<dir>/<port>` in each link directory (xdp/, tcx/,
 * and links/ of versions before the tc engine). */
async function pinnedLinks(pinDir: string): Promise<{ port: string; pin: string }[]> {
  const out: { port: string; pin: string }[] = [];
  for (const dir of ['xdp', 'tcx', 'links']) {
    const names = await readdir(path.join(pinDir, dir)).catch(() => [] as string[]);
    out.push(...names.map((port) => ({ port, pin: path.join(pinDir, dir, port) })));
  }
  return out;
}

async function teardown(lab: string, topo: Topology | undefined): Promise<DestroyReport> {
  requireRoot('destroy');
  const pinDir = labPinDir(lab);
  // The lock also refuses a damaged record of node settings, before anything changes.
  const lock = await lockLab(lab);
  let removed = false;
  try {
    const originals = await readOriginals(lab);
    const links = await pinnedLinks(pinDir);
    // Legacy tc filters have no pin: the lab's port map names their devices.
    const filtered = await readPinnedPorts(pinDir);
    await expediteFor(links.length + filtered.length);
    await native.detachLinks(links.map((l) => l.pin));
    if (filtered.length) await native.detachTcLegacy(null, filtered);
    await undoRuntimeState(lab);
    await rm(pinDir, { recursive: true, force: true });
    const ports = [...new Set(links.map((l) => l.port))].sort();
    // The record goes only once the settings are back: a crash in between
    // leaves it for the next destroy.
    const restoredEndpoints = topo && Object.keys(originals).length ? await restorePeers(topo, originals) : [];
    await dropOriginals(lab);
    await rm(labMetricsSampleFile(lab), { force: true });
    await settleExpedite(lab);
    await lock.remove();
    removed = true;
    // The shared root, once no lab is left (and no run of another lab is in flight).
    await removeBpffsRootIfUnused();
    return { lab, pinDir, removedPorts: ports, restoredEndpoints };
  } finally {
    if (!removed) {
      // Not allowed to hide the run's own error: a knob left on is put back by the next run.
      await settleExpedite(lab).catch(() => undefined);
      await lock.release();
    }
  }
}

/** Removes a lab's wires and state by lab name alone (node settings stay:
 * without the topology its nodes cannot be found). */
export async function destroyLab(lab: string): Promise<DestroyReport> {
  return teardown(lab, undefined);
}

export async function destroy(opts: { file: string; env?: Record<string, string | undefined>; vars?: string | readonly string[] }): Promise<DestroyReport> {
  requireRoot('destroy');
  const { plan, topology } = await loadPlan(opts.file, opts.env, opts.vars === undefined ? {} : { vars: opts.vars });
  const report = await teardown(plan.lab, topology);
  await dropCached(opts.file);
  return report;
}
