/** Tears a lab down: its containers (by label, removed by id), the root-netns
 * interfaces its links made, and its `/run/netns` symlinks. Safe to repeat and on
 * a half-deployed lab: whatever is already gone is skipped. */
import type { Topology } from '../topology/model.js';
import { labContainerIds, removeContainer } from './docker.js';
import { removeRootInterfaces } from './links.js';
import { unlinkNetns } from './netns.js';

/** Removes everything deployLab() made for `topo`. */
export async function destroyLab(topo: Topology): Promise<void> {
  for (const id of await labContainerIds(topo.name)) await removeContainer(id);
  for (const node of topo.nodes) await unlinkNetns(node.longName);
  await removeRootInterfaces(topo);
}
