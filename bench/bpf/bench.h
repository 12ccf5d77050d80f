/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Types shared by the bench's BPF programs and its loader. */
#ifndef XCB_BENCH_H
#define XCB_BENCH_H

#include <linux/types.h>

struct xcb_count {
	__u64 packets;
	__u64 bytes;
};

#endif
