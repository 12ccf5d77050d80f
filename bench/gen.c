// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* `xcbench gen`: a packet generator on BPF_PROG_RUN + BPF_F_TEST_XDP_LIVE_FRAMES.
 *
 * Each worker thread, inside the sender's netns, calls BPF_PROG_TEST_RUN on the
 * trafficgen program with a UDP template frame and a huge repeat count; the
 * main thread stops it with a signal (the syscall returns EINTR).
 * The kernel turns every run into a live frame and, on XDP_REDIRECT, transmits
 * it out of --tx-dev (ndo_xdp_xmit: for a veth, straight into the peer's NAPI
 * ring). With --rx-dev the main thread also samples the sink program's counter
 * on the receiver, so one process measures offered and received rates over the
 * same window. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "commands.h"
#include "util.h"
#include "trafficgen.skel.h"

#define MAX_THREADS 64
#define MAX_FRAME 4096

struct worker {
	pthread_t tid;
	int cpu;             /* -1: not pinned */
	int err;
	atomic_bool done;
};

static struct {
	int prog_fd;
	int tx_ifindex;
	uint8_t frame[MAX_FRAME];
	uint32_t size;
	uint32_t batch;
	uint32_t repeat;
	atomic_bool stop;
} G;

static void on_signal(int sig)
{
	if (sig != SIGUSR1)
		atomic_store(&G.stop, true);
	/* SIGUSR1 only interrupts a worker's syscall. */
}

static uint16_t ip_checksum(const void *hdr, size_t len)
{
	const uint16_t *p = hdr;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *p++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* Ethernet / IPv4 198.18.0.1 -> 198.18.0.2 / UDP 9 -> 9 (discard), zero payload. */
static void build_frame(uint8_t *buf, uint32_t size, const uint8_t src[6], const uint8_t dst[6])
{
	struct ethhdr *eth = (struct ethhdr *)buf;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	memset(buf, 0, size);
	memcpy(eth->h_dest, dst, 6);
	memcpy(eth->h_source, src, 6);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(size - sizeof(*eth));
	ip->saddr = htonl(0xc6120001);
	ip->daddr = htonl(0xc6120002);
	ip->check = ip_checksum(ip, sizeof(*ip));
	udp->source = htons(9);
	udp->dest = htons(9);
	udp->len = htons(size - sizeof(*eth) - sizeof(*ip));
	/* udp->check = 0: no checksum, valid for IPv4. */
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct xdp_md ctx = { .data_end = G.size, .ingress_ifindex = G.tx_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = G.frame,
		.data_size_in = G.size,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = G.repeat,
		.batch_size = G.batch,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES);

	if (w->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	while (!atomic_load_explicit(&G.stop, memory_order_relaxed)) {
		/* By default runs until interrupted (UINT32_MAX frames: minutes). */
		if (bpf_prog_test_run_opts(G.prog_fd, &opts) && errno != EINTR) {
			w->err = -errno;
			break;
		}
	}
	atomic_store(&w->done, true);
	return NULL;
}

/* Stop the workers: the flag ends their loop, the signal their current
 * syscall. Repeated because a signal that lands just before a worker enters
 * the syscall is lost. */
static void stop_workers(struct worker *w, int n)
{
	atomic_store(&G.stop, true);
	for (int i = 0; i < n; i++) {
		while (!atomic_load(&w[i].done)) {
			pthread_kill(w[i].tid, SIGUSR1);
			usleep(2000);
		}
		pthread_join(w[i].tid, NULL);
	}
}

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR && !atomic_load(&G.stop))
		;
}

static const struct option gen_opts[] = {
	{ "tx-netns", required_argument, NULL, 'N' },
	{ "tx-dev", required_argument, NULL, 'd' },
	{ "rx-netns", required_argument, NULL, 'R' },
	{ "rx-dev", required_argument, NULL, 'r' },
	{ "size", required_argument, NULL, 's' },
	{ "seconds", required_argument, NULL, 't' },
	{ "warmup", required_argument, NULL, 'w' },
	{ "threads", required_argument, NULL, 'T' },
	{ "pin", no_argument, NULL, 'p' },
	{ "batch", required_argument, NULL, 'b' },
	{ "repeat", required_argument, NULL, 'n' },
	{ "dry-run", no_argument, NULL, 'D' },
	{ 0 }
};

int cmd_gen(int argc, char **argv)
{
	const char *tx_netns = NULL, *tx_dev = NULL, *rx_netns = NULL, *rx_dev = NULL;
	double seconds = 3, warmup = 0.5;
	int threads = 1, sink_fd = -1, ncpus = libbpf_num_possible_cpus(), err, opt;
	bool pin = false, dry_run = false;
	uint8_t src[6], dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	struct trafficgen_bpf *skel = NULL;
	struct worker *w = NULL;
	struct xcb_count rx0 = { 0 }, rx1 = { 0 };
	struct xcb_count tx0 = { 0 }, tx1 = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };  /* no SA_RESTART */
	uint64_t t0 = 0, t1 = 0;
	int gen_fd;

	G.size = 64;
	G.batch = 64;
	G.repeat = UINT32_MAX;
	while ((opt = getopt_long(argc, argv, "", gen_opts, NULL)) != -1) {
		switch (opt) {
		case 'N': tx_netns = optarg; break;
		case 'd': tx_dev = optarg; break;
		case 'R': rx_netns = optarg; break;
		case 'r': rx_dev = optarg; break;
		case 's': G.size = strtoul(optarg, NULL, 0); break;
		case 't': seconds = strtod(optarg, NULL); break;
		case 'w': warmup = strtod(optarg, NULL); break;
		case 'T': threads = atoi(optarg); break;
		case 'p': pin = true; break;
		case 'b': G.batch = strtoul(optarg, NULL, 0); break;
		case 'n': G.repeat = strtoul(optarg, NULL, 0); break;
		case 'D': dry_run = true; break;
		default: return 2;
		}
	}
	if (!tx_dev || (rx_dev && !rx_netns) || (rx_netns && !rx_dev)) {
		fail(0, "gen: need --tx-dev, and --rx-netns with --rx-dev together");
		return 2;
	}
	if (G.size < 60 || G.size > MAX_FRAME || threads < 1 || threads > MAX_THREADS ||
	    seconds <= 0 || warmup < 0 || G.batch > 256 || !G.repeat) {
		fail(0, "gen: --size 60..%d, --threads 1..%d, --seconds > 0, --batch <= 256",
		     MAX_FRAME, MAX_THREADS);
		return 2;
	}

	/* Receiver first: the sink's map fd stays usable after we leave its netns. */
	if (rx_netns) {
		if ((err = enter_netns(rx_netns))) {
			fail(err, "gen: cannot enter rx netns %s", rx_netns);
			return 1;
		}
		if ((err = dev_mac(rx_dev, dst))) {
			fail(err, "gen: %s:%s", rx_netns, rx_dev);
			return 1;
		}
		sink_fd = sink_count_fd(rx_dev);
		if (sink_fd < 0) {
			fail(sink_fd, "gen: no xcbench sink on %s:%s - run `xcbench attach --mode native|tc` first",
			     rx_netns, rx_dev);
			return 1;
		}
	}
	if (tx_netns && (err = enter_netns(tx_netns))) {
		fail(err, "gen: cannot enter tx netns %s", tx_netns);
		goto out;
	}
	G.tx_ifindex = dev_ifindex(tx_dev);
	if (G.tx_ifindex < 0 || (err = dev_mac(tx_dev, src))) {
		err = G.tx_ifindex < 0 ? G.tx_ifindex : err;
		fail(err, "gen: %s:%s", tx_netns ? tx_netns : "", tx_dev);
		goto out;
	}
	build_frame(G.frame, G.size, src, dst);

	skel = trafficgen_bpf__open();
	if (!skel) {
		err = -errno;
		fail(err, "gen: open trafficgen BPF object");
		goto out;
	}
	skel->rodata->tx_ifindex = G.tx_ifindex;
	skel->rodata->dry_run = dry_run;
	if ((err = trafficgen_bpf__load(skel))) {
		fail(err, "gen: load trafficgen BPF program");
		goto out;
	}
	G.prog_fd = bpf_program__fd(skel->progs.xcb_gen);
	gen_fd = bpf_map__fd(skel->maps.xcb_gen_count);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	w = calloc(threads, sizeof(*w));
	for (int i = 0; i < threads; i++) {
		w[i].cpu = pin ? i % ncpus : -1;
		if ((err = -pthread_create(&w[i].tid, NULL, worker_main, &w[i]))) {
			fail(err, "gen: pthread_create");
			threads = i;
			goto join;
		}
	}

	sleep_s(warmup);
	t0 = now_ns();
	sink_count_read(gen_fd, &tx0);
	if (sink_fd >= 0)
		sink_count_read(sink_fd, &rx0);
	sleep_s(seconds);
	t1 = now_ns();
	sink_count_read(gen_fd, &tx1);
	if (sink_fd >= 0)
		sink_count_read(sink_fd, &rx1);
	if (atomic_load(&G.stop)) {
		err = -EINTR;
		fail(err, "gen: stopped before the end of the measurement");
	}
join:
	stop_workers(w, threads);
	for (int i = 0; i < threads; i++) {
		if (w[i].err && !err) {
			err = w[i].err;
			fail(err, "gen: BPF_PROG_TEST_RUN (live frames) on %s", tx_dev);
		}
	}
	if (!err) {
		double dt = (t1 - t0) / 1e9;

		printf("{\"size\":%u,\"threads\":%d,\"dry_run\":%s,\"seconds\":%.3f,"
		       "\"tx_packets\":%llu,\"tx_pps\":%.0f",
		       G.size, threads, dry_run ? "true" : "false", dt,
		       (unsigned long long)(tx1.packets - tx0.packets), (tx1.packets - tx0.packets) / dt);
		if (sink_fd >= 0)
			printf(",\"rx_packets\":%llu,\"rx_pps\":%.0f,\"rx_bps\":%.0f",
			       (unsigned long long)(rx1.packets - rx0.packets),
			       (rx1.packets - rx0.packets) / dt,
			       (rx1.bytes - rx0.bytes) * 8 / dt);
		printf("}\n");
	}
out:
	free(w);
	trafficgen_bpf__destroy(skel);
	if (sink_fd >= 0)
		close(sink_fd);
	return err ? 1 : 0;
}
