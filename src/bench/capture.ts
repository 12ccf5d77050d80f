/** The capture rows: one wire with capture on (its programs copy each frame
 * entering pa or pb into the `xc_capture` perf buffer), socket UDP through it
 * at a series of offered rates and at full speed, and a reader that only
 * counts what it gets (no pcapng: the kernel -> user path is what limits a
 * capture). Per run: offered, delivered and captured datagrams/s, and the
 * frames the capture lost. See BENCHMARKS.md, "Capture". */
import type { PortState } from '../dataplane/dataplane.js';
import type { PerfReaderHandle } from '../native/addon.js';
import { XconnectError } from '../errors.js';
import { measureUdp } from './measure.js';
import type { Fixture, PathKey } from './paths.js';
import { loadDataplane } from './wire.js';

/** The paths the capture rows run on (when selected): the tc engine, the
 * default for lab ports, and native XDP. Generic XDP runs the same program
 * as native XDP. */
export const CAPTURE_PATHS: readonly PathKey[] = ['wire-tc', 'wire-xdp'];

/** Perf buffer pages per CPU: the default of `clab-xconnect capture` (src/capture/session.ts). */
export const CAPTURE_PAGES = 512;

/** Ethernet + IPv4 + UDP headers around the iperf3 payload. */
export const UDP_FRAME_OVERHEAD = 42;

export interface CaptureSample {
  /** The rate asked of iperf3 (-b, as datagrams/s); null: full speed (-b 0). */
  ratePps: number | null;
  /** Datagrams/s iperf3 sent (client's end.sum_sent) and the server received. */
  offeredPps: number;
  deliveredPps: number;
  /** Frames/s the reader got: offeredPps x captured / entered. */
  capturedPps: number;
  /** Frames that entered the two ports while capture was on (the ports'
   * rxPackets: the measured window, iperf3's omitted second and its control
   * connection). */
  entered: number;
  /** Frames the reader got, over the same time. */
  captured: number;
  /** Frames the wire programs could not copy (the ports' captureDropped). */
  captureDropped: number;
  /** The reader's `lost`: samples the kernel reported it had no room for. */
  lost: number;
  /** Frames lost to the capture: max(captureDropped, lost). The kernel
   * counts each full-ring failure twice, as the program's error return and as
   * a lost record for the reader, so the two are not added. */
  drops: number;
  /** readPerf calls the reader made (captured / polls: frames per wake-up). */
  polls: number;
  /** Wall seconds capture was on (iperf3's run, 1 s omitted, plus start-up). */
  seconds: number;
}

export interface CaptureSeries {
  /** Bytes copied per frame (at most the frame), and the UDP payload. */
  snaplen: number;
  payloadBytes: number;
  /** On-wire frame without FCS: payload + 42. */
  frameBytes: number;
  /** The reader's perf buffer, pages per CPU. */
  pagesPerCpu: number;
  /** Full speed first, then the offered rates (ascending) below it, up to
   * the first with drops. */
  samples: CaptureSample[];
  /** Highest offered datagrams/s (measured) of a run with zero drops; null: none. */
  losslessUpToPps: number | null;
  /** The lowest requested rate with drops, and its drop share (drops / entered). */
  firstLoss: { ratePps: number | null; offeredPps: number; dropShare: number } | null;
  fullSpeed: CaptureSample | null;
}

export interface CaptureSettings {
  /** Offered rates, datagrams/s, ascending. */
  rates: number[];
  seconds: number;
  /** The reader's perf buffer, pages per CPU (a power of 2). */
  pages: number;
  pin: boolean;
}

const sum = (ps: PortState[], k: 'rxPackets' | 'captureDropped') => ps.reduce((a, p) => a + p.counters[k], 0n);

/** Reads the perf buffer until `stop()`, counting frames, then drains it. */
async function countFrames(reader: PerfReaderHandle, stop: () => boolean): Promise<{ frames: number; lost: number; polls: number }> {
  const { native } = await loadDataplane();
  let frames = 0;
  let lost = 0;
  let polls = 0;
  while (!stop()) {
    const r = await native.readPerf(reader, { timeoutMs: 100 });
    polls++;
    frames += r.frames.length;
    lost = r.lost;
  }
  // Capture is off: what is still in the rings.
  for (;;) {
    const r = await native.readPerf(reader, { timeoutMs: 50 });
    polls++;
    frames += r.frames.length;
    lost = r.lost;
    if (!r.frames.length) return { frames, lost, polls };
  }
}

/** One run: capture on at `snaplen`, UDP at `ratePps` (null: full speed), capture off. */
export async function measureCapture(
  fx: Fixture,
  s: { snaplen: number; payload: number; ratePps: number | null; seconds: number; pages: number; pin: boolean },
): Promise<CaptureSample> {
  const w = fx.wire;
  if (!w) throw new XconnectError('RUNTIME', `${fx.spec.title} has no wire to capture on`);
  const { native } = await loadDataplane();
  const { dp, ports } = w;
  const before = await dp.ports(ports);
  const ifindexes = ports.map((p) => p.ifindex);
  const reader = dp.openCaptureReader(s.pages);
  let on = false;
  let stop = false;
  let counting: ReturnType<typeof countFrames> | undefined;
  try {
    await dp.setCapture(ifindexes, s.snaplen);
    on = true;
    const t0 = performance.now();
    counting = countFrames(reader, () => stop);
    let udp;
    try {
      udp = await measureUdp(fx, {
        seconds: s.seconds,
        pin: s.pin,
        payload: s.payload,
        ...(s.ratePps !== null ? { bitrate: s.ratePps * s.payload * 8 } : {}),
      });
    } finally {
      await dp.setCapture(ifindexes, null);
      on = false;
      stop = true;
    }
    const seconds = (performance.now() - t0) / 1000;
    const { frames, lost, polls } = await counting;
    const after = await dp.ports(ports);
    const entered = Number(sum(after, 'rxPackets') - sum(before, 'rxPackets'));
    const captureDropped = Number(sum(after, 'captureDropped') - sum(before, 'captureDropped'));
    return {
      ratePps: s.ratePps,
      offeredPps: udp.txPps,
      deliveredPps: udp.rxPps,
      capturedPps: entered > 0 ? (udp.txPps * frames) / entered : 0,
      entered,
      captured: frames,
      captureDropped,
      lost,
      drops: Math.max(captureDropped, lost),
      polls,
      seconds,
    };
  } finally {
    stop = true;
    if (on) await dp.setCapture(ifindexes, null).catch(() => undefined);
    // The reader may be in a poll; let it finish before closing.
    await counting?.catch(() => undefined);
    native.closeHandle(reader);
  }
}

/** One series: full speed, then the rates below it, ascending, until one
 * loses frames. `log` gets one line per run. */
export async function captureSeries(
  fx: Fixture,
  s: CaptureSettings & { snaplen: number; payload: number },
  log: (sample: CaptureSample) => void,
): Promise<CaptureSeries> {
  const once = async (ratePps: number | null) => {
    const x = await measureCapture(fx, { snaplen: s.snaplen, payload: s.payload, ratePps, seconds: s.seconds, pages: s.pages, pin: s.pin });
    log(x);
    return x;
  };
  const full = await once(null);
  const samples = [full];
  // Lossless at full speed: every lower rate is too.
  if (full.drops > 0)
    for (const rate of s.rates) {
      // iperf3 cannot offer more than its full speed.
      if (rate >= full.offeredPps * 0.95) break;
      const x = await once(rate);
      samples.push(x);
      if (x.drops > 0) break;
    }
  return summarize(s.snaplen, s.payload, s.pages, samples);
}

export function summarize(snaplen: number, payload: number, pages: number, samples: CaptureSample[]): CaptureSeries {
  const clean = samples.filter((x) => x.drops === 0);
  const lossy = samples.filter((x) => x.drops > 0).sort((a, b) => a.offeredPps - b.offeredPps);
  const first = lossy[0];
  return {
    snaplen,
    payloadBytes: payload,
    frameBytes: payload + UDP_FRAME_OVERHEAD,
    pagesPerCpu: pages,
    samples,
    losslessUpToPps: clean.length ? Math.max(...clean.map((x) => x.offeredPps)) : null,
    firstLoss: first ? { ratePps: first.ratePps, offeredPps: first.offeredPps, dropShare: first.entered ? first.drops / first.entered : 1 } : null,
    fullSpeed: samples.find((x) => x.ratePps === null) ?? null,
  };
}

export const showCapture = (x: CaptureSample) =>
  `${x.ratePps === null ? 'full speed' : `${(x.ratePps / 1e3).toFixed(0)} kpps asked`}: ` +
  `${(x.offeredPps / 1e3).toFixed(1)} kpps offered, ${(x.deliveredPps / 1e3).toFixed(1)} delivered, ${(x.capturedPps / 1e3).toFixed(1)} captured, ` +
  `${x.drops} dropped (captureDropped ${x.captureDropped}, reader lost ${x.lost}; ${x.captured}/${x.entered} frames, ${x.polls} polls)`;
