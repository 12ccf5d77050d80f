import { afterEach, describe, expect, it, vi } from 'vitest';

// Counts collections; everything else about the collector is real (the addon's
// malloc calls included).
const collected = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../../src/util/gc.js', () => ({ collectGarbage: () => void collected.n++ }));
const { IdleCollector } = await import('../../../src/watch/memory.js');

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("watch's collector", () => {
  let keep: unknown[] = [];
  afterEach(() => {
    keep = [];
    collected.n = 0;
  });

  it('collects right after work that grew the heap by more than 2 MB', async () => {
    const c = new IdleCollector(60_000);
    keep = Array.from({ length: 40_000 }, (_, i) => ({ i, s: `x${i}`.repeat(4) })); // ~5 MB held
    c.workDone();
    expect(collected.n).toBe(0); // not inside the work's own turn (its reply goes first)
    await tick();
    await tick();
    expect(collected.n).toBe(1);
    expect(keep).toHaveLength(40_000); // held through the work, as a scrape holds its report
    c.close();
  });

  it('waits for idleness after work that left the heap as it was', async () => {
    const c = new IdleCollector(80);
    c.workDone();
    await tick();
    expect(collected.n).toBe(0);
    await sleep(40);
    c.workDone(); // more work postpones the collection
    await sleep(60);
    expect(collected.n).toBe(0);
    await sleep(60);
    expect(collected.n).toBe(1);
    c.close();
  });

  it('collects nothing once closed', async () => {
    const c = new IdleCollector(10);
    c.workDone();
    c.close();
    await sleep(40);
    expect(collected.n).toBe(0);
  });
});
