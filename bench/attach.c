// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* `xcbench attach|detach|count`: the receiver sink.
 *
 * XDP attachments are netlink attachments (what `ip link set dev X xdpdrv|
 * xdpgeneric obj ...` makes) and the tc sink is a direct-action cls_bpf filter
 * in a clsact qdisc (what `tc filter add ... bpf da obj ...` makes): both
 * outlive this process, keep their program and maps alive, and vanish with
 * the device or by `detach`. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "commands.h"
#include "util.h"
#include "sink.skel.h"

#define SINK_MAP_NAME "xcb_sink_count"
/* Where the tc sink sits in the ingress hook: any fixed pair works, the
 * bench's receiver ports carry no other filter. */
#define SINK_TC_HANDLE 0xb
#define SINK_TC_PRIO 1

struct target {
	const char *netns;
	const char *dev;
	const char *mode;
	bool tc;
};

static const struct option target_opts[] = {
	{ "netns", required_argument, NULL, 'n' },
	{ "dev", required_argument, NULL, 'd' },
	{ "mode", required_argument, NULL, 'm' },
	{ 0 }
};

/* Parses the options and enters the target netns. */
static int parse_target(int argc, char **argv, struct target *t)
{
	int opt;

	memset(t, 0, sizeof(*t));
	t->mode = "native";
	while ((opt = getopt_long(argc, argv, "", target_opts, NULL)) != -1) {
		switch (opt) {
		case 'n': t->netns = optarg; break;
		case 'd': t->dev = optarg; break;
		case 'm': t->mode = optarg; break;
		default: return -EINVAL;
		}
	}
	t->tc = !strcmp(t->mode, "tc");
	if (!t->dev || (!t->tc && xdp_mode_flag(t->mode) < 0)) {
		fail(0, "need --dev and --mode native|generic|tc");
		return -EINVAL;
	}
	if (t->netns) {
		int err = enter_netns(t->netns);

		if (err) {
			fail(err, "cannot enter netns %s", t->netns);
			return err;
		}
	}
	return 0;
}

static const char *where(const struct target *t)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s:%s", t->netns ? t->netns : "", t->dev);
	return buf;
}

static void tc_hook(struct bpf_tc_hook *hook, int ifindex)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = BPF_TC_INGRESS;
}

/* Attach without replacing: a port carrying someone else's program is left alone. */
static int attach_xdp(const struct target *t, int ifindex, int prog_fd)
{
	int err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_UPDATE_IF_NOEXIST | xdp_mode_flag(t->mode), NULL);

	if (err)
		fail(err, "attach XDP (%s) to %s%s", t->mode, where(t),
		     err == -EBUSY || err == -EEXIST ? " - it already has an XDP program; detach it first" :
		     err == -ERANGE ? " - peer MTU too large for a non-frags program" : "");
	return err;
}

static int attach_tc(const struct target *t, int ifindex, int prog_fd)
{
	struct bpf_tc_hook hook;
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = SINK_TC_HANDLE, .priority = SINK_TC_PRIO);
	int err;

	tc_hook(&hook, ifindex);
	err = bpf_tc_hook_create(&hook);
	/* EEXIST: the port already has a clsact qdisc; the filter goes into it. */
	if (err && err != -EEXIST) {
		fail(err, "create clsact qdisc on %s", where(t));
		return err;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		fail(err, "attach tc sink to %s%s", where(t),
		     err == -EEXIST ? " - it already has a filter there; detach it first" : "");
	return err;
}

/* attach --netns N --dev D --mode native|generic|tc: the sink. */
int cmd_attach(int argc, char **argv)
{
	struct sink_bpf *skel;
	struct bpf_program *prog;
	struct target t;
	int ifindex, err;

	if (parse_target(argc, argv, &t))
		return 2;
	ifindex = dev_ifindex(t.dev);
	if (ifindex < 0) {
		fail(ifindex, "attach: %s", where(&t));
		return 1;
	}
	skel = sink_bpf__open_and_load();
	if (!skel) {
		fail(-errno, "attach: load sink BPF object");
		return 1;
	}
	prog = t.tc ? skel->progs.xcb_sink_tc : skel->progs.xcb_sink;
	err = t.tc ? attach_tc(&t, ifindex, bpf_program__fd(prog)) : attach_xdp(&t, ifindex, bpf_program__fd(prog));
	/* The attachment holds the program (and its map); our fds can go. */
	sink_bpf__destroy(skel);
	return err ? 1 : 0;
}

/* detach --netns N --dev D --mode native|generic|tc. Nothing attached: no-op.
 * tc: removes the port's clsact qdisc with the sink in it, so the port's
 * receive path is as it was (the bench's ports carry no other tc state). */
int cmd_detach(int argc, char **argv)
{
	struct target t;
	int ifindex, err;

	if (parse_target(argc, argv, &t))
		return 2;
	ifindex = dev_ifindex(t.dev);
	if (ifindex < 0) {
		fail(ifindex, "detach: %s", where(&t));
		return 1;
	}
	if (t.tc) {
		struct bpf_tc_hook hook;

		tc_hook(&hook, ifindex);
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		err = bpf_tc_hook_destroy(&hook);
		if (err == -ENOENT || err == -EINVAL)
			err = 0; /* no clsact qdisc there */
	} else {
		err = bpf_xdp_detach(ifindex, xdp_mode_flag(t.mode), NULL);
	}
	if (err)
		fail(err, "detach %s from %s", t.mode, where(&t));
	return err ? 1 : 0;
}

/* fd of the map named SINK_MAP_NAME used by program @prog_id, or -errno. */
static int prog_sink_map(__u32 prog_id)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), map_ids[16], nr;
	int prog_fd = bpf_prog_get_fd_by_id(prog_id), err;

	if (prog_fd < 0)
		return -errno;
	info.nr_map_ids = 16;
	info.map_ids = (__u64)(unsigned long)map_ids;
	err = bpf_obj_get_info_by_fd(prog_fd, &info, &len);
	close(prog_fd);
	if (err)
		return -errno;
	nr = info.nr_map_ids < 16 ? info.nr_map_ids : 16;
	for (__u32 i = 0; i < nr; i++) {
		struct bpf_map_info mi = { 0 };
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(map_ids[i]);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen) && !strcmp(mi.name, SINK_MAP_NAME))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

int sink_count_fd(const char *dev)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_tc_opts, tq, .handle = SINK_TC_HANDLE, .priority = SINK_TC_PRIO);
	struct bpf_tc_hook hook;
	int ifindex = dev_ifindex(dev), err;

	if (ifindex < 0)
		return ifindex;
	if ((err = bpf_xdp_query(ifindex, 0, &q)))
		return err;
	if (q.drv_prog_id || q.skb_prog_id) {
		err = prog_sink_map(q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id);
		if (err != -ENOENT)
			return err;
	}
	/* No XDP sink: the tc one. */
	tc_hook(&hook, ifindex);
	if (bpf_tc_query(&hook, &tq) || !tq.prog_id)
		return -ENOENT;
	return prog_sink_map(tq.prog_id);
}

int sink_count_read(int map_fd, struct xcb_count *out)
{
	int ncpus = libbpf_num_possible_cpus();
	struct xcb_count *v;
	__u32 key = 0;
	int err = 0;

	if (ncpus < 0)
		return ncpus;
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(map_fd, &key, v)) {
		err = -errno;
	} else {
		for (int i = 0; i < ncpus; i++) {
			out->packets += v[i].packets;
			out->bytes += v[i].bytes;
		}
	}
	free(v);
	return err;
}

/* count --netns N --dev D: the sink's totals now, as JSON. */
int cmd_count(int argc, char **argv)
{
	struct xcb_count c;
	struct target t;
	int fd, err;

	if (parse_target(argc, argv, &t))
		return 2;
	fd = sink_count_fd(t.dev);
	if (fd < 0) {
		fail(fd, "count: no xcbench sink on %s", where(&t));
		return 1;
	}
	err = sink_count_read(fd, &c);
	close(fd);
	if (err) {
		fail(err, "count: read sink counters");
		return 1;
	}
	printf("{\"packets\":%llu,\"bytes\":%llu,\"t_ns\":%llu}\n",
	       (unsigned long long)c.packets, (unsigned long long)c.bytes,
	       (unsigned long long)now_ns());
	return 0;
}
