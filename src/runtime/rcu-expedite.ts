/** Expedited RCU grace periods while a run attaches or detaches many ports.
 *
 * Why: the kernel waits for an RCU grace period, with the RTNL held, on every
 * TCX attach and detach (tcx_entry_sync) and on every cls_bpf filter change,
 * so ports are wired one grace period apart whatever we batch: 13 ms a port on
 * the 2-CPU test host (HZ=250), 26 s for a cold apply of 1,000 wires. With
 * /sys/kernel/rcu_expedited set, synchronize_rcu() takes the expedited path
 * (it interrupts each CPU instead of waiting for them to pass a quiescent
 * state), and the same apply takes 1.4 s (BENCHMARKS.md, control plane).
 *
 * The knob is host-wide, so a run sets it only around its batch and the host
 * gets back what it had:
 * - A run turns it on only if it reads 0, and first writes a record
 *   (RUN_DIR/rcu-expedited.saved) saying it found 0.
 * - Whoever lets go of a lab while the record exists and no other run holds a
 *   lab lock puts 0 back and removes the record: the last run out, or the next
 *   run after one that was killed.
 * - A host that runs expedited already (rcupdate.rcu_expedited=1) is left alone.
 * Both steps hold the root lock (src/runtime/lock.ts), so runs of different
 * labs see one another's record. CLAB_XCONNECT_RCU_EXPEDITE=0 turns this off
 * (real-time hosts, where the interrupts matter more than apply time). */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { heldLabLocks, withRootLock } from './lock.js';
import { RUN_DIR, labLockFile } from './paths.js';

export const RCU_EXPEDITED_KNOB = '/sys/kernel/rcu_expedited';

/** Below this many attaches and detaches the waits cost less than the
 * expedited grace periods' interrupts are worth (a single link change). */
export const EXPEDITE_MIN_PORTS = 8;

export function expediteRecordFile(): string {
  return path.join(RUN_DIR, 'rcu-expedited.saved');
}

async function readKnob(): Promise<string | null> {
  return (await readFile(RCU_EXPEDITED_KNOB, 'utf8').catch(() => null))?.trim() ?? null;
}

/** False where the knob cannot be written (not root, /sys read-only in a container). */
async function writeKnob(value: '0' | '1'): Promise<boolean> {
  return writeFile(RCU_EXPEDITED_KNOB, value).then(
    () => true,
    () => false,
  );
}

/** Turns expedited grace periods on for a batch of `ports` attaches and
 * detaches, if it is worth it and allowed. Returns whether they are on. The
 * caller holds its lab's lock and calls settleExpedite before letting it go. */
export async function expediteFor(ports: number, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (ports < EXPEDITE_MIN_PORTS || env.CLAB_XCONNECT_RCU_EXPEDITE === '0') return false;
  const record = expediteRecordFile();
  return withRootLock(async () => {
    const now = await readKnob();
    if (now === null) return false;
    // Another run (or one that was killed) turned it on: it stays on until the last is out.
    if (existsSync(record)) return now === '1' || writeKnob('1');
    if (now !== '0') return false;
    // The record goes first: a crash right after the knob changes leaves it
    // for the next run, which puts the 0 back.
    await writeFile(record, `0 (found at ${new Date().toISOString()} by pid ${process.pid}; clab-xconnect puts it back)\n`);
    if (await writeKnob('1')) return true;
    await rm(record, { force: true });
    return false;
  });
}

/** Puts the knob back if a record says a run turned it on and no run of
 * another lab is in flight. Every run that held `lab`'s lock calls this
 * before letting go, whether it expedited or not: so the next run repairs
 * what a killed one left. */
export async function settleExpedite(lab: string): Promise<void> {
  const record = expediteRecordFile();
  if (!existsSync(record)) return;
  const own = path.basename(labLockFile(lab));
  await withRootLock(async () => {
    if ((await heldLabLocks()).some((name) => name !== own)) return;
    if (!existsSync(record)) return;
    if (await writeKnob('0')) await rm(record, { force: true });
  });
}
