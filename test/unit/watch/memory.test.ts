import { afterEach, describe, expect, it, vi } from 'vitest';

// Counts collections; everything else about the collector is real (the addon's
// malloc calls included).
const collected = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../../src/util/gc.js', () => ({ collectGarbage: () => void collected.n++ }));
const { IdleCollector } = await import('../../../src/watch/memory.js');

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** ~5 MB held, as a scrape holds its report and text, or an apply its snapshot. */
const hold = () => Array.from({ length: 40_000 }, (_, i) => ({ i, s: `x${i}`.repeat(4) }));

describe("watch's collector", () => {
  let keep: unknown[] = [];
  afterEach(() => {
    keep = [];
    collected.n = 0;
  });

  it('collects right after a scrape that grew the heap by more than 2 MB, once its reply is out', async () => {
    const c = new IdleCollector(60_000);
    keep = hold();
    c.scrapeDone();
    expect(collected.n).toBe(0); // not inside the scrape's own turn
    await tick();
    await tick();
    expect(collected.n).toBe(1);
    expect(keep).toHaveLength(40_000);
    c.close();
  });

  it('collects at once after jobs that grew the heap, before a waiting scrape runs', () => {
    const c = new IdleCollector(60_000);
    keep = hold();
    c.jobsDone();
    expect(collected.n).toBe(1);
    expect(keep).toHaveLength(40_000);
    c.close();
  });

  it('waits for idleness after work that left the heap as it was', async () => {
    const c = new IdleCollector(80);
    c.scrapeDone();
    c.jobsDone();
    await tick();
    expect(collected.n).toBe(0);
    await sleep(40);
    c.scrapeDone(); // more work postpones the collection
    await sleep(60);
    expect(collected.n).toBe(0);
    await sleep(60);
    expect(collected.n).toBe(1);
    c.close();
  });

  it('collects nothing once closed', async () => {
    const c = new IdleCollector(10);
    c.scrapeDone();
    c.close();
    await sleep(40);
    expect(collected.n).toBe(0);
  });
});
