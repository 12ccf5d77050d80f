/** Node settings are read and written with one kernel job (a thread) per
 * namespace: a lab of many nodes must not start them all at once. */
import { describe, expect, it, vi } from 'vitest';

const jobs = { running: 0, peak: 0, calls: 0 };
async function job<T>(value: T): Promise<T> {
  jobs.calls++;
  jobs.peak = Math.max(jobs.peak, ++jobs.running);
  await new Promise((r) => setTimeout(r, 5));
  jobs.running--;
  return value;
}

vi.mock('../../../src/native/addon.js', () => ({
  native: {
    getFeatures: (_netns: unknown, ifindexes: number[]) => job(ifindexes.map(() => ({ 'rx-gro': { active: false, changeable: true } }))),
    setFeatures: (_netns: unknown, items: unknown[]) => job(items.map(() => ({}))),
  },
}));

const { planPeerChanges, applyPeerChanges } = await import('../../../src/dataplane/peer-tuning.js');
const { KERNEL_JOBS } = await import('../../../src/util/pool.js');
type Netns = import('../../../src/native/netns.js').Netns;

/** A stand-in for an open namespace: the job count is what is under test. */
const fakeNetns = (path: string) => ({ path, handle: {}, assertAt: async () => undefined }) as unknown as Netns;

describe('peer tuning', () => {
  const peers = Array.from({ length: 60 }, (_, i) => ({ netns: fakeNetns(`/run/netns/n${i}`), ifindex: 2, ifname: 'eth1', want: { 'rx-gro': true } }));

  it(`reads the settings of 60 namespaces with at most ${KERNEL_JOBS} jobs at once`, async () => {
    Object.assign(jobs, { running: 0, peak: 0, calls: 0 });
    const changes = await planPeerChanges(peers);
    expect(changes).toHaveLength(60);
    expect(jobs.calls).toBe(60);
    expect(jobs.peak).toBeLessThanOrEqual(KERNEL_JOBS);
    expect(jobs.peak).toBeGreaterThan(1);
  });

  it(`changes them with at most ${KERNEL_JOBS} jobs at once`, async () => {
    Object.assign(jobs, { running: 0, peak: 0, calls: 0 });
    await applyPeerChanges(peers.map((p) => ({ netns: p.netns, ifindex: p.ifindex, ifname: p.ifname, feature: 'rx-gro', from: false, to: true })));
    expect(jobs.calls).toBe(60);
    expect(jobs.peak).toBeLessThanOrEqual(KERNEL_JOBS);
  });
});
