/** One measurement each: socket traffic between the node namespaces (iperf3
 * UDP and TCP), XDP-frame rate through a path (live-frames generator into the
 * sink), the generator alone, and an optional perf profile taken while one of
 * them runs. */
import { rm, writeFile } from 'node:fs/promises';
import { XconnectError } from '../errors.js';
import type { Fixture } from './paths.js';
import { delNetns, run, sleep, start } from '../lab/index.js';
import { benchNetns, generate, type GenOptions, type GenResult } from './tools.js';

export interface XdpFramesSample {
  rxPps: number;
  offeredPps: number;
}

/** Frame size, window, warm-up and generator threads (what `xcbench gen` takes). */
export type XdpFramesSettings = Pick<GenOptions, 'size' | 'seconds' | 'warmup' | 'threads'>;

/** Frames per second reaching the receiver's sink, and offered by the generator. */
export async function measureXdpFrames(f: Fixture, s: XdpFramesSettings): Promise<XdpFramesSample> {
  await f.setMode('xdp-frames');
  const r: GenResult = await generate({
    tx: { netns: f.snd.netns, dev: f.snd.dev },
    rx: { netns: f.rcv.netns, dev: f.rcv.dev },
    ...s,
  });
  if (!r.rx_packets)
    throw new XconnectError('RUNTIME', `no generated frame reached the sink through ${f.spec.title} (MTU ${f.opts.mtu}; ${r.tx_packets} offered)`);
  return { rxPps: r.rx_pps ?? 0, offeredPps: r.tx_pps };
}

/** The generator with nothing behind it (its program drops every frame): how
 * fast frames can be made on one CPU, the ceiling of every path. */
export async function measureGeneratorAlone(s: XdpFramesSettings): Promise<number> {
  const ns = await benchNetns('gen');
  try {
    const r = await generate({ tx: { netns: ns, dev: 'lo' }, ...s, dryRun: true });
    return r.tx_pps;
  } finally {
    await delNetns(ns);
  }
}

export interface IperfSettings {
  /** Measured seconds; 1 more second runs first and is omitted (-O 1). */
  seconds: number;
  /** Client on CPU 0, server on CPU 1. */
  pin: boolean;
}

export interface UdpSample {
  /** Datagrams the server received per second: (packets - lost_packets) / seconds of its end.sum. */
  rxPps: number;
  /** Datagrams the client sent per second: packets / seconds of its end.sum_sent. */
  txPps: number;
  rxPackets: number;
  txPackets: number;
  seconds: number;
  /** iperf3's CPU use of the sending and receiving host, percent of all CPUs. */
  cpuSender: number;
  cpuReceiver: number;
}

export interface TcpSample {
  /** Bits per second received (end.sum_received.bits_per_second). */
  bps: number;
  retransmits: number;
  cpuSender: number;
  cpuReceiver: number;
}

const IPERF_PORT = '5201';

/** Runs one iperf3 test from the sender's to the receiver's namespace and
 * returns both sides' JSON: the server's own (-J, it exits after one test)
 * and the client's. */
async function iperf(f: Fixture, s: IperfSettings, clientArgs: string[]): Promise<{ client: IperfJson; server: IperfJson }> {
  await f.setMode('socket');
  const affinity = (cpu: number) => (s.pin ? ['-A', String(cpu)] : []);
  const server = start('iperf3', ['-s', '-1', '-J', '-B', f.rcv.addr, '-p', IPERF_PORT, ...affinity(1)], {
    netns: f.rcv.netns.path,
    timeoutMs: (s.seconds + 30) * 1000,
    allowFail: true,
  });
  const what = `iperf3 ${clientArgs.join(' ')} through ${f.spec.title} (MTU ${f.opts.mtu})`;
  try {
    await waitListening(f, server.done);
    const { stdout } = await run(
      'iperf3',
      ['-c', f.rcv.addr, '-p', IPERF_PORT, '-t', String(s.seconds), '-O', '1', '-J', '--connect-timeout', '3000', ...clientArgs, ...affinity(0)],
      { netns: f.snd.netns.path, allowFail: true, timeoutMs: (s.seconds + 20) * 1000 },
    );
    const client = parse(stdout, what);
    if (client.error) throw new XconnectError('RUNTIME', `${what}: ${client.error}`);
    const srv = await Promise.race([server.done, sleep(5000).then(() => undefined)]);
    if (!srv) throw new XconnectError('RUNTIME', `${what}: the server printed no result within 5 s`);
    const serverJson = parse(srv.stdout, `${what} (server)`);
    if (serverJson.error) throw new XconnectError('RUNTIME', `${what} (server): ${serverJson.error}`);
    return { client, server: serverJson };
  } finally {
    server.child.kill('SIGTERM');
    await server.done.catch(() => undefined);
  }
}

function parse(stdout: string, what: string): IperfJson {
  try {
    return JSON.parse(stdout) as IperfJson;
  } catch {
    throw new XconnectError('RUNTIME', `${what}: no JSON result (${stdout.trim().slice(0, 200) || 'empty output'})`);
  }
}

/** One UDP stream of `payload`-byte datagrams at full speed (-b 0), or at
 * `bitrate` bits/s of payload (iperf3 -b; the capture rows). Received rate
 * from the server's end.sum (omitted second excluded), sent rate from the
 * client's end.sum_sent. */
export async function measureUdp(f: Fixture, s: IperfSettings & { payload: number; bitrate?: number }): Promise<UdpSample> {
  const { client, server } = await iperf(f, s, ['-u', '-l', String(s.payload), '-b', String(Math.round(s.bitrate ?? 0))]);
  const rx = server.end?.sum;
  const tx = client.end?.sum_sent ?? client.end?.sum;
  if (!rx?.seconds || rx.packets === undefined || !tx?.seconds || tx.packets === undefined)
    throw new XconnectError('RUNTIME', `iperf3 UDP through ${f.spec.title} (MTU ${f.opts.mtu}): no packet counts in its JSON`);
  const rxPackets = rx.packets - (rx.lost_packets ?? 0);
  if (rxPackets <= 0)
    throw new XconnectError('RUNTIME', `iperf3 UDP through ${f.spec.title} (MTU ${f.opts.mtu}): no datagram arrived (${tx.packets} sent)`);
  return {
    rxPps: rxPackets / rx.seconds,
    txPps: tx.packets / tx.seconds,
    rxPackets,
    txPackets: tx.packets,
    seconds: rx.seconds,
    cpuSender: client.end?.cpu_utilization_percent?.host_total ?? 0,
    cpuReceiver: client.end?.cpu_utilization_percent?.remote_total ?? 0,
  };
}

/** `streams` parallel TCP streams (-P); received bits/s of all of them. */
export async function measureTcp(f: Fixture, s: IperfSettings & { streams: number }): Promise<TcpSample> {
  const { client } = await iperf(f, s, ['-P', String(s.streams)]);
  const j = client.end;
  if (!j?.sum_received?.bits_per_second)
    throw new XconnectError('RUNTIME', `iperf3 TCP through ${f.spec.title} (MTU ${f.opts.mtu}): no received rate in its JSON`);
  return {
    bps: j.sum_received.bits_per_second,
    retransmits: j.sum_sent?.retransmits ?? 0,
    cpuSender: j.cpu_utilization_percent?.host_total ?? 0,
    cpuReceiver: j.cpu_utilization_percent?.remote_total ?? 0,
  };
}

interface IperfSum {
  seconds?: number;
  bits_per_second?: number;
  packets?: number;
  lost_packets?: number;
  retransmits?: number;
}

interface IperfJson {
  error?: string;
  end?: {
    sum?: IperfSum;
    sum_sent?: IperfSum;
    sum_received?: IperfSum;
    cpu_utilization_percent?: { host_total: number; remote_total: number };
  };
}

async function waitListening(f: Fixture, serverDone: Promise<unknown>): Promise<void> {
  let exited = false;
  void serverDone.then(() => (exited = true));
  for (let i = 0; i < 100 && !exited; i++) {
    const { stdout } = await run('ss', ['-Hltn', `sport = :${IPERF_PORT}`], { netns: f.rcv.netns.path, allowFail: true });
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
