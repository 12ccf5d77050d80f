// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include "util.h"

void fail(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("xcbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err < 0)
		fprintf(stderr, ": %s", strerror(-err));
	fputc('\n', stderr);
}

int enter_netns(const char *netns)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (strchr(netns, '/'))
		snprintf(path, sizeof(path), "%s", netns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET))
		err = -errno;
	close(fd);
	return err;
}

/* Interface lookups by ioctl on a socket made in the current netns: sysfs
 * would still show the root netns after setns. */
static int dev_ioctl(const char *dev, unsigned long req, struct ifreq *ifr)
{
	int fd, err = 0;

	if (strlen(dev) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(ifr, 0, sizeof(*ifr));
	strcpy(ifr->ifr_name, dev);
	if (ioctl(fd, req, ifr))
		err = -errno;
	close(fd);
	return err;
}

int dev_ifindex(const char *dev)
{
	struct ifreq ifr;
	int err = dev_ioctl(dev, SIOCGIFINDEX, &ifr);

	return err ? err : ifr.ifr_ifindex;
}

int dev_mac(const char *dev, uint8_t mac[6])
{
	struct ifreq ifr;
	int err = dev_ioctl(dev, SIOCGIFHWADDR, &ifr);

	if (!err)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return err;
}

int xdp_mode_flag(const char *mode)
{
	if (!strcmp(mode, "native"))
		return XDP_FLAGS_DRV_MODE;
	if (!strcmp(mode, "generic"))
		return XDP_FLAGS_SKB_MODE;
	return -1;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}
