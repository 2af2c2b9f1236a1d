/*
 * The ctl command parser: one line of text into a verb, positional words
 * and key=value options, plus the value parsers every command shares.
 * Parsing only: nothing here touches the machine, so it can be fuzzed alone.
 */
#ifndef MMSIM_CTL_PARSE_H
#define MMSIM_CTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_MAX_WORDS 16
#define CTL_MAX_LINE 4096

struct ctl_opt {
	const char *key;
	const char *value;
	bool used;
};

struct ctl_cmd {
	char buf[CTL_MAX_LINE + 1];    /* the line, split in place */
	const char *verb;
	const char *args[CTL_MAX_WORDS];
	int nargs;
	struct ctl_opt opts[CTL_MAX_WORDS];
	int nopts;
};

/* Split a line (no newline) into cmd.  0, or -EINVAL with *why set. */
int ctl_parse_line(const char *line, size_t len, struct ctl_cmd *cmd, const char **why);

/* The value of option key (marked used), or NULL */
const char *ctl_opt(struct ctl_cmd *cmd, const char *key);
/* The first option nobody asked for, or NULL */
const char *ctl_unused_opt(const struct ctl_cmd *cmd);

/* Value parsers: true when the whole string is a valid value */
bool ctl_parse_u64(const char *s, uint64_t *out);            /* decimal */
bool ctl_parse_hex(const char *s, uint64_t *out);            /* 0x... */
bool ctl_parse_duration_ns(const char *s, uint64_t *out);    /* 10s, 250ms, 1.5s */
/* A CPU or node list ("0-2,5") into a bitmap of nbits: 0, -EINVAL when
 * malformed, -ERANGE for a number of nbits or more */
int ctl_parse_bitlist(const char *s, unsigned char *bits, unsigned int nbits);

#endif
