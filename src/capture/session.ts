/** A capture of a lab's wires: the wire programs copy what enters each
 * selected port (both directions of each wire), the reader writes pcapng.
 * The capture flags go on only while this runs: off again on every way out,
 * and a killed capture's flags are turned off by the next command. */
import { Dataplane } from '../dataplane/dataplane.js';
import { CAPTURE_MAX } from '../dataplane/layout.js';
import { XconnectError } from '../errors.js';
import { native, type PerfReaderHandle } from '../native/addon.js';
import { endpointName } from '../plan/format.js';
import type { WirePlan } from '../plan/types.js';
import { takeCaptureLock } from '../runtime/capture-lock.js';
import { findWire } from '../runtime/endpoint.js';
import { loadPlan, varsOf } from '../runtime/load-plan.js';
import { labPinDir } from '../runtime/paths.js';
import { requireRoot } from '../runtime/privileges.js';
import { LinkIndex } from '../runtime/resolve.js';
import { enhancedPacket, interfaceDescription, interfaceStatistics, sectionHeader } from './pcapng.js';

export interface CaptureOptions {
  file: string;
  /** Ends (`node:iface`) or wire ids; each names a whole wire (both
   * directions). Empty: every wire of the lab. */
  select: string[];
  out: NodeJS.WritableStream;
  /** Stop after this many frames. */
  count?: number;
  /** Bytes kept of each frame (default and most: 65000). */
  snaplen?: number;
  /** A pcap-filter expression (libpcap), applied as frames are read. */
  filter?: string;
  /** Stop after this long. */
  durationMs?: number;
  signal?: AbortSignal;
  /** Capture buffer per CPU, in pages (a power of 2; default 512, 2 MiB). */
  pagesPerCpu?: number;
  env?: Record<string, string | undefined>;
  vars?: string;
  /** Called once the capture runs, with the interfaces it writes. */
  onStart?: (interfaces: CaptureInterface[]) => void;
}

export interface CaptureInterface {
  /** The end whose frames these are (`r1:eth1`): the pcapng interface name. */
  name: string;
  wire: string;
  port: string;
  /** Frames written, and lost because the capture buffer was full. */
  frames: number;
  dropped: number;
}

export interface CaptureReport {
  lab: string;
  interfaces: CaptureInterface[];
  frames: number;
  dropped: number;
  /** Frames the filter left out. */
  filteredOut: number;
  stoppedBy: 'count' | 'duration' | 'signal' | 'output closed';
  /** Ports whose capture flag a killed capture had left on, turned off. */
  staleCleared: string[];
}

function selectWires(wires: WirePlan[], select: string[], find: (name: string) => WirePlan): WirePlan[] {
  if (select.length === 0) return wires;
  const picked = new Set(select.map(find));
  return wires.filter((w) => picked.has(w));
}

/** Writes, waiting when the output asks for it; false once it is closed. */
async function write(out: NodeJS.WritableStream, chunk: Buffer, closed: () => boolean): Promise<boolean> {
  if (closed()) return false;
  if (!out.write(chunk)) await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
    out.once('error', done);
  });
  return !closed();
}

export async function capture(opts: CaptureOptions): Promise<CaptureReport> {
  requireRoot('capture');
  const { plan } = await loadPlan(opts.file, opts.env, varsOf(opts));
  const snaplen = Math.min(opts.snaplen ?? CAPTURE_MAX, CAPTURE_MAX);
  if (!(snaplen >= 14)) throw new XconnectError('USAGE', `--snaplen must be from 14 to ${CAPTURE_MAX}, got ${opts.snaplen}`, { value: opts.snaplen });
  if (opts.filter) {
    const bad = native.compileFilter(opts.filter, snaplen);
    if (bad) throw new XconnectError('USAGE', `bad --filter ${JSON.stringify(opts.filter)}: ${bad}`, { value: opts.filter, hint: 'see man 7 pcap-filter' });
  }
  const wires = selectWires(plan.wires, opts.select, (name) => findWire(plan, name, opts.file).wire);
  if (wires.length === 0) throw new XconnectError('PLAN', `lab ${plan.lab} has no wires to capture`, { file: opts.file });
  const pinDir = labPinDir(plan.lab);

  const host = await LinkIndex.of(null);
  const ifaces = wires.flatMap((w) =>
    (['a', 'b'] as const).map((side) => {
      const p = w[side];
      const link = host.find(p.ifname) ?? (p.altname ? host.find(p.altname) : undefined);
      const name = endpointName(w, side);
      const other = endpointName(w, side === 'a' ? 'b' : 'a');
      return { name, wire: w.id, port: link?.name ?? p.ifname, ifindex: link?.ifindex ?? 0, link, description: `wire ${w.id}: the frames ${name} sends toward ${other}` };
    }),
  );
  // The lab's maps only: a capture needs no program load.
  const dp = await Dataplane.openPinned(pinDir);
  if (!dp) throw new XconnectError('RUNTIME', `lab ${plan.lab} is not wired`, { hint: `run 'clab-xconnect apply -t ${opts.file}' first` });
  const lock = await takeCaptureLock(plan.lab).catch((e: unknown) => {
    dp.close();
    throw e;
  });
  let reader: PerfReaderHandle | undefined;
  let on: number[] = [];
  try {
    const configured = await dp.configuredPorts();
    const missing = ifaces.filter((i) => !i.ifindex || !configured.has(i.ifindex));
    if (missing.length)
      throw new XconnectError('RUNTIME', `not wired: ${missing.map((m) => `${m.name} (${m.port})`).join(', ')}`, {
        hint: `run 'clab-xconnect apply -t ${opts.file}' first`,
      });
    // We hold the capture lock: a capture flag on now was left by a killed capture.
    const stale = [...configured].filter(([, c]) => c.capture).map(([i]) => i);
    const staleCleared = stale.length ? (await dp.setCapture(stale, null)).map((i) => host.byIndex.get(i)?.name ?? String(i)) : [];

    reader = dp.openCaptureReader(opts.pagesPerCpu ?? 512, opts.filter, snaplen);
    const byIndex = new Map(ifaces.map((i, k) => [i.ifindex, k]));
    const links = ifaces.map((i) => i.link!);
    const before = await dp.ports(links);
    const startNs = BigInt(Date.now()) * 1_000_000n;
    let closed = false;
    const onClose = () => (closed = true);
    opts.out.once('error', onClose);
    opts.out.once('close', onClose);

    await write(opts.out, sectionHeader('clab-xconnect'), () => closed);
    for (const i of ifaces) await write(opts.out, interfaceDescription(i.name, i.description, snaplen), () => closed);
    on = ifaces.map((i) => i.ifindex);
    await dp.setCapture(on, snaplen);
    opts.onStart?.(ifaces.map(({ name, wire, port }) => ({ name, wire, port, frames: 0, dropped: 0 })));

    const frames = ifaces.map(() => 0);
    let total = 0;
    let rejected = 0;
    let stoppedBy: CaptureReport['stoppedBy'] = 'signal';
    const deadline = opts.durationMs !== undefined ? Date.now() + opts.durationMs : Infinity;
    for (;;) {
      if (opts.signal?.aborted) break;
      if (closed) {
        stoppedBy = 'output closed';
        break;
      }
      if (Date.now() >= deadline) {
        stoppedBy = 'duration';
        break;
      }
      const r = await native.readPerf(reader, { timeoutMs: Math.max(0, Math.min(100, deadline - Date.now())) });
      rejected = r.rejected;
      // One poll drains every CPU's ring in turn: put the batch in time order
      // (readers such as Wireshark expect a stream that goes forward).
      r.frames.sort((x, y) => (x.tsNs < y.tsNs ? -1 : x.tsNs > y.tsNs ? 1 : 0));
      for (const f of r.frames) {
        const k = byIndex.get(f.ifindex);
        if (k === undefined) continue;
        if (!(await write(opts.out, enhancedPacket(k, f.tsNs, f.data, f.origLen), () => closed))) break;
        frames[k]!++;
        total++;
        if (opts.count !== undefined && total >= opts.count) break;
      }
      if (opts.count !== undefined && total >= opts.count) {
        stoppedBy = 'count';
        break;
      }
    }
    await dp.setCapture(on, null);
    on = [];
    const after = await dp.ports(links);
    const dropped = ifaces.map((_, k) => Number(after[k]!.counters.captureDropped - before[k]!.counters.captureDropped));
    const endNs = BigInt(Date.now()) * 1_000_000n;
    for (const [k] of ifaces.entries())
      await write(opts.out, interfaceStatistics(k, endNs, { startNs, received: BigInt(frames[k]!), dropped: BigInt(dropped[k]!) }), () => closed);
    opts.out.off('error', onClose);
    opts.out.off('close', onClose);
    return {
      lab: plan.lab,
      interfaces: ifaces.map(({ name, wire, port }, k) => ({ name, wire, port, frames: frames[k]!, dropped: dropped[k]! })),
      frames: total,
      dropped: dropped.reduce((a, b) => a + b, 0),
      filteredOut: rejected,
      stoppedBy,
      staleCleared,
    };
  } finally {
    // Every way out turns the flags off: a capture must never outlive itself.
    if (on.length) await dp.setCapture(on, null).catch(() => undefined);
    if (reader) native.closeHandle(reader);
    dp.close();
    await lock.release();
  }
}
