/** A containerlab-shaped lab of plain network namespaces: the test bed's
 * (src/lab/netns-lab.ts), which the control-plane benchmark builds too. */
import type { NetnsLab } from '../../src/lab/index.js';
import { cli } from './cli.js';

export { buildNetnsLab, type NetnsLab, type NetnsWire } from '../../src/lab/index.js';
export type { Endpoint } from '../../src/lab/netns-lab.js';

/** Tears a test's lab down as a user would: `clab-xconnect destroy`, then the
 * lab's namespaces and veths. Does nothing for a lab that was never built. */
export async function destroyWiredLab(lab: NetnsLab | undefined): Promise<void> {
  if (!lab) return;
  await cli(['destroy', '-t', lab.file]);
  await lab.destroy();
}
