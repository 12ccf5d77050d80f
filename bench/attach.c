// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* `xcbench attach|wire|detach|count`: the receiver sink, the NAPI-enabling pass
 * program and the bench's stand-in wire.
 *
 * Attachments are netlink XDP attachments (what `ip link set dev X xdpdrv|
 * xdpgeneric obj ...` makes): they outlive this process, keep their program
 * and maps alive, and vanish with the device or by `detach`. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
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
#include "wire.skel.h"

#define SINK_MAP_NAME "xcb_sink_count"

struct target {
	const char *netns;
	const char *dev;
	const char *dev_b;
	const char *prog;
	const char *mode;
};

static const struct option target_opts[] = {
	{ "netns", required_argument, NULL, 'n' },
	{ "dev", required_argument, NULL, 'd' },
	{ "a", required_argument, NULL, 'd' },
	{ "b", required_argument, NULL, 'b' },
	{ "prog", required_argument, NULL, 'p' },
	{ "mode", required_argument, NULL, 'm' },
	{ 0 }
};

static int parse_target(int argc, char **argv, struct target *t)
{
	int opt;

	memset(t, 0, sizeof(*t));
	t->mode = "native";
	while ((opt = getopt_long(argc, argv, "", target_opts, NULL)) != -1) {
		switch (opt) {
		case 'n': t->netns = optarg; break;
		case 'd': t->dev = optarg; break;
		case 'b': t->dev_b = optarg; break;
		case 'p': t->prog = optarg; break;
		case 'm': t->mode = optarg; break;
		default: return -EINVAL;
		}
	}
	if (!t->dev || xdp_mode_flag(t->mode) < 0) {
		fail(0, "need --dev (or --a/--b) and --mode native|generic");
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

static const char *where(const struct target *t, const char *dev)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s:%s", t->netns ? t->netns : "", dev);
	return buf;
}

/* Attach without replacing: a port carrying someone else's program is left alone. */
static int attach(const struct target *t, const char *dev, int prog_fd)
{
	int ifindex = dev_ifindex(dev), err;

	if (ifindex < 0) {
		fail(ifindex, "%s", where(t, dev));
		return ifindex;
	}
	err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_UPDATE_IF_NOEXIST | xdp_mode_flag(t->mode), NULL);
	if (err)
		fail(err, "attach XDP (%s) to %s%s", t->mode, where(t, dev),
		     err == -EBUSY || err == -EEXIST ? " - it already has an XDP program; detach it first" :
		     err == -ERANGE ? " - peer MTU too large for a non-frags program" : "");
	return err;
}

/* attach --netns N --dev D --prog sink|pass --mode native|generic */
int cmd_attach(int argc, char **argv)
{
	struct sink_bpf *skel;
	struct bpf_program *prog;
	struct target t;
	int err;

	if (parse_target(argc, argv, &t))
		return 2;
	if (!t.prog || (strcmp(t.prog, "sink") && strcmp(t.prog, "pass"))) {
		fail(0, "attach: --prog sink|pass");
		return 2;
	}
	skel = sink_bpf__open_and_load();
	if (!skel) {
		fail(-errno, "attach: load sink BPF object");
		return 1;
	}
	prog = strcmp(t.prog, "sink") ? skel->progs.xcb_pass : skel->progs.xcb_sink;
	err = attach(&t, t.dev, bpf_program__fd(prog));
	/* The attachment holds the program (and its map); our fds can go. */
	sink_bpf__destroy(skel);
	return err ? 1 : 0;
}

/* wire --netns N --a A --b B --mode native|generic: A <-> B. */
int cmd_wire(int argc, char **argv)
{
	struct wire_bpf *skel;
	struct target t;
	const char *ports[2];
	int ifx[2], err = 0;

	if (parse_target(argc, argv, &t))
		return 2;
	if (!t.dev_b) {
		fail(0, "wire: need --a and --b");
		return 2;
	}
	ports[0] = t.dev;
	ports[1] = t.dev_b;
	for (int i = 0; i < 2; i++) {
		ifx[i] = dev_ifindex(ports[i]);
		if (ifx[i] < 0) {
			fail(ifx[i], "wire: %s", where(&t, ports[i]));
			return 1;
		}
	}
	skel = wire_bpf__open_and_load();
	if (!skel) {
		fail(-errno, "wire: load wire BPF object");
		return 1;
	}
	/* Devmap values resolve in the netns of the updating thread: we are in
	 * the ports' netns (see shared/notes/kernel-xdp.md). */
	for (int i = 0; i < 2 && !err; i++) {
		struct bpf_devmap_val val = { .ifindex = ifx[!i] };

		err = bpf_map_update_elem(bpf_map__fd(skel->maps.xcb_wire_tx), &ifx[i], &val, BPF_ANY);
		if (err)
			fail(err, "wire: devmap %s -> %s", ports[i], ports[!i]);
	}
	for (int i = 0; i < 2 && !err; i++)
		err = attach(&t, ports[i], bpf_program__fd(skel->progs.xcb_wire));
	if (err) {
		/* Undo only what this command attached. */
		for (int i = 0; i < 2; i++)
			bpf_xdp_detach(ifx[i], xdp_mode_flag(t.mode), NULL);
	}
	wire_bpf__destroy(skel);
	return err ? 1 : 0;
}

/* detach --netns N --dev D --mode native|generic */
int cmd_detach(int argc, char **argv)
{
	struct target t;
	int ifindex, err;

	if (parse_target(argc, argv, &t))
		return 2;
	ifindex = dev_ifindex(t.dev);
	if (ifindex < 0) {
		fail(ifindex, "detach: %s", where(&t, t.dev));
		return 1;
	}
	err = bpf_xdp_detach(ifindex, xdp_mode_flag(t.mode), NULL);
	if (err)
		fail(err, "detach XDP (%s) from %s", t.mode, where(&t, t.dev));
	return err ? 1 : 0;
}

int sink_count_fd(const char *dev)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), map_ids[16], nr;
	int ifindex = dev_ifindex(dev), prog_fd, err;

	if (ifindex < 0)
		return ifindex;
	if ((err = bpf_xdp_query(ifindex, 0, &q)))
		return err;
	if (!q.drv_prog_id && !q.skb_prog_id)
		return -ENOENT;
	prog_fd = bpf_prog_get_fd_by_id(q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id);
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
		fail(fd, "count: no xcbench sink on %s", where(&t, t.dev));
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
