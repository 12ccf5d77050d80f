// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* xcbench: data-plane benchmark tools for clab-xconnect (see BENCHMARKS.md). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "commands.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "gen", cmd_gen,
	  "--tx-dev D [--tx-netns N] [--rx-netns N --rx-dev D] [--size 64] [--seconds 3]\n"
	  "\t[--warmup 0.5] [--threads 1] [--pin] [--batch 64] [--dry-run]\n"
	  "\t[--repeat N]  (frames per syscall; default: one syscall until stopped)\n"
	  "\tlive-frames generator; with --rx-*, also the sink's received rate (JSON)" },
	{ "attach", cmd_attach, "--netns N --dev D --mode native|generic|tc   (the sink: XDP, or tc ingress)" },
	{ "detach", cmd_detach, "--netns N --dev D --mode native|generic|tc" },
	{ "count", cmd_count, "--netns N --dev D   (sink totals, JSON)" },
};

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	libbpf_set_print(silent);
	if (argc >= 2) {
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(argv[1], commands[i].name))
				return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "usage: xcbench COMMAND [options]\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "  %s %s\n", commands[i].name, commands[i].usage);
	return 2;
}
