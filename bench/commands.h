/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* The xcbench commands (one function each) and the sink-counter helpers that
 * `gen` and `count` share. */
#ifndef XCB_COMMANDS_H
#define XCB_COMMANDS_H

#include "bench.h"

int cmd_gen(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_count(int argc, char **argv);

/* fd of the counter map of the xcbench sink (XDP, else tc ingress) attached to
 * @dev (current netns), or -errno (-ENOENT: no sink there). */
int sink_count_fd(const char *dev);
/* Sum of the per-CPU counters. */
int sink_count_read(int map_fd, struct xcb_count *out);

#endif
