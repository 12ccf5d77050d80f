/** One measurement each: small-frame rate through a path (live-frames
 * generator into the sink), TCP single stream (iperf3), the generator alone,
 * and an optional perf profile taken while one of them runs. */
import { rm, writeFile } from 'node:fs/promises';
import { XconnectError } from '../errors.js';
import type { Fixture } from './paths.js';
import { createNetns, deleteNetns } from './netns.js';
import { run, sleep, start } from './sh.js';
import { generate, nsRun, type GenResult } from './tools.js';

export interface PpsSample {
  rxPps: number;
  offeredPps: number;
}

export interface PpsSettings {
  size: number;
  seconds: number;
  warmup: number;
  threads: number;
}

/** Frames per second reaching the receiver's sink, and offered by the generator. */
export async function measurePps(f: Fixture, s: PpsSettings): Promise<PpsSample> {
  await f.setMode('pps');
  const r: GenResult = await generate({
    tx: { netns: f.snd.netns, dev: f.snd.dev },
    rx: { netns: f.rcv.netns, dev: f.rcv.dev },
    ...s,
  });
  return { rxPps: r.rx_pps ?? 0, offeredPps: r.tx_pps };
}

/** The generator with nothing behind it (its program drops every frame): how
 * fast frames can be made on one CPU, the ceiling of every path. */
export async function measureGeneratorAlone(s: PpsSettings): Promise<number> {
  const ns = await createNetns('gen');
  try {
    const r = await generate({ tx: { netns: ns, dev: 'lo' }, ...s, dryRun: true });
    return r.tx_pps;
  } finally {
    await deleteNetns(ns);
  }
}

export interface TcpSample {
  bps: number;
  retransmits: number;
  /** iperf3's CPU use of the sending and receiving host, percent of all CPUs. */
  cpuSender: number;
  cpuReceiver: number;
}

const IPERF_PORT = '5201';

/** One iperf3 TCP stream, receiver <- sender, `seconds` long after 1 s omitted
 * (slow start). With `pin`, the client runs on CPU 0 and the server on CPU 1. */
export async function measureTcp(f: Fixture, seconds: number, pin: boolean): Promise<TcpSample> {
  await f.setMode('tcp');
  const affinity = (cpu: number) => (pin ? ['-A', String(cpu)] : []);
  const server = start('nsenter', [`--net=${f.rcv.netns.path}`, 'iperf3', '-s', '-1', '-B', f.rcv.addr, '-p', IPERF_PORT, ...affinity(1)], {
    timeoutMs: (seconds + 30) * 1000,
    allowFail: true,
  });
  try {
    await waitListening(f, server.done);
    const { stdout } = await nsRun(
      f.snd.netns,
      'iperf3',
      ['-c', f.rcv.addr, '-p', IPERF_PORT, '-t', String(seconds), '-O', '1', '-J', '--connect-timeout', '3000', ...affinity(0)],
      { allowFail: true, timeoutMs: (seconds + 20) * 1000 },
    );
    const j = JSON.parse(stdout) as IperfJson;
    if (j.error || !j.end?.sum_received)
      throw new XconnectError('RUNTIME', `iperf3 through ${f.spec.title} (MTU ${f.opts.mtu}): ${j.error ?? 'no result'}`);
    return {
      bps: j.end.sum_received.bits_per_second,
      retransmits: j.end.sum_sent?.retransmits ?? 0,
      cpuSender: j.end.cpu_utilization_percent?.host_total ?? 0,
      cpuReceiver: j.end.cpu_utilization_percent?.remote_total ?? 0,
    };
  } finally {
    server.child.kill('SIGTERM');
    await server.done.catch(() => undefined);
  }
}

interface IperfJson {
  error?: string;
  end?: {
    sum_received?: { bits_per_second: number };
    sum_sent?: { retransmits?: number };
    cpu_utilization_percent?: { host_total: number; remote_total: number };
  };
}

async function waitListening(f: Fixture, serverDone: Promise<unknown>): Promise<void> {
  let exited = false;
  void serverDone.then(() => (exited = true));
  for (let i = 0; i < 100 && !exited; i++) {
    const { stdout } = await nsRun(f.rcv.netns, 'ss', ['-Hltn', `sport = :${IPERF_PORT}`], { allowFail: true });
    if (stdout.trim()) return;
    await sleep(30);
  }
  throw new XconnectError('RUNTIME', `iperf3 server in ${f.rcv.netns.name} did not start listening`);
}

/** Tasks the bench's own work runs in (softirq work lands in whichever of
 * them was on the CPU); other processes on the machine are left out. */
export const PROFILE_COMMS = 'xcbench,iperf3,ksoftirqd/0,ksoftirqd/1,swapper';

/** Samples all CPUs (cpu-clock: this VM has no hardware counters) while
 * `work` runs, and writes the top symbols of the bench's tasks to `out`. */
export async function profile<T>(out: string, seconds: number, work: () => Promise<T>): Promise<T> {
  const data = `${out}.data`;
  const rec = start('perf', ['record', '-a', '-e', 'cpu-clock', '-F', '999', '-o', data, '--', 'sleep', String(seconds)], {
    allowFail: true,
  });
  const result = await work();
  await rec.done;
  const rep = await run('perf', ['report', '-i', data, '--stdio', '--no-children', '--percentage', 'relative', '--comms', PROFILE_COMMS, '--sort', 'comm,sym', '--percent-limit', '0.7'], {
    allowFail: true,
  });
  await writeFile(out, rep.stdout);
  await rm(data, { force: true });
  await rm(`${data}.old`, { force: true });
  return result;
}
