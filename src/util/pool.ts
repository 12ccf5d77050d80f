/** Runs async tasks with bounded concurrency, in order of results. Kernel
 * jobs each get a thread; a bound keeps a 1,000-wire lab from making 1,000 at once. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Kernel jobs (threads) one command runs at once on namespace work. */
export const KERNEL_JOBS = 8;

/** Promise.all that waits for every promise to settle before it fails (with
 * the first failure in order): work started side by side under a lock is all
 * done before the caller moves on and lets the lock go. */
export async function settleAll<T extends readonly unknown[]>(ps: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(ps);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
