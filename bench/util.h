/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Small helpers shared by the bench commands. */
#ifndef XCB_UTIL_H
#define XCB_UTIL_H

#include <stdint.h>
#include <net/if.h>

/* Print "xcbench: <msg>" (plus ": <strerror(-err)>" when err < 0) to stderr. */
void fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Move the calling thread into a network namespace: a name under /run/netns or
 * a path (/proc/PID/ns/net). Returns 0 or -errno. */
int enter_netns(const char *netns);

/* ifindex of @dev in the calling thread's netns, or -errno. */
int dev_ifindex(const char *dev);

/* MAC address of @dev in the calling thread's netns. Returns 0 or -errno. */
int dev_mac(const char *dev, uint8_t mac[6]);

/* "native" -> XDP_FLAGS_DRV_MODE, "generic" -> XDP_FLAGS_SKB_MODE, else -1. */
int xdp_mode_flag(const char *mode);

uint64_t now_ns(void);

#endif
