/*
 * The ctl parser (see ctl_parse.h).  Words are separated by blanks; a word
 * with '=' is an option.  Control characters and NUL bytes are refused.
 */
#include <errno.h>
#include <string.h>

#include "ctl_parse.h"

int ctl_parse_line(const char *line, size_t len, struct ctl_cmd *cmd, const char **why)
{
	char *p, *save = NULL, *word;

	memset(cmd, 0, sizeof(*cmd));
	/* trailing blanks are not part of the command (echo pads, editors too) */
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	if (len > CTL_MAX_LINE) {
		*why = "line too long";
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
			*why = "control character in command";
			return -EINVAL;
		}
	}
	memcpy(cmd->buf, line, len);
	cmd->buf[len] = '\0';
	p = cmd->buf;
	while ((word = strtok_r(p, " \t\r", &save))) {
		char *eq = strchr(word, '=');

		p = NULL;
		if (!cmd->verb) {
			if (eq) {
				*why = "a command starts with its name";
				return -EINVAL;
			}
			cmd->verb = word;
			continue;
		}
		if (eq) {
			if (cmd->nopts == CTL_MAX_WORDS || eq == word || !eq[1]) {
				*why = eq == word || !eq[1] ? "option without key or value" : "too many options";
				return -EINVAL;
			}
			*eq = '\0';
			for (int i = 0; i < cmd->nopts; i++) {
				if (!strcmp(cmd->opts[i].key, word)) {
					*why = "option given twice";
					return -EINVAL;
				}
			}
			cmd->opts[cmd->nopts].key = word;
			cmd->opts[cmd->nopts++].value = eq + 1;
		} else {
			if (cmd->nargs == CTL_MAX_WORDS) {
				*why = "too many arguments";
				return -EINVAL;
			}
			cmd->args[cmd->nargs++] = word;
		}
	}
	if (!cmd->verb) {
		*why = "empty command";
		return -EINVAL;
	}
	return 0;
}

const char *ctl_opt(struct ctl_cmd *cmd, const char *key)
{
	for (int i = 0; i < cmd->nopts; i++) {
		if (!strcmp(cmd->opts[i].key, key)) {
			cmd->opts[i].used = true;
			return cmd->opts[i].value;
		}
	}
	return NULL;
}

const char *ctl_unused_opt(const struct ctl_cmd *cmd)
{
	for (int i = 0; i < cmd->nopts; i++)
		if (!cmd->opts[i].used)
			return cmd->opts[i].key;
	return NULL;
}

bool ctl_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

bool ctl_parse_hex(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
		return false;
	for (s += 2; *s; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (v >> 60)
			return false;
		v = (v << 4) | (uint64_t)d;
	}
	*out = v;
	return true;
}

bool ctl_parse_duration_ns(const char *s, uint64_t *out)
{
	uint64_t whole = 0, frac = 0, frac_div = 1, unit;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > UINT64_MAX / 10 - 10)
			return false;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (frac_div < 1000000000ULL) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				frac_div *= 10;
			}
		}
	}
	if (!strcmp(p, "s"))
		unit = 1000000000ULL;
	else if (!strcmp(p, "ms"))
		unit = 1000000ULL;
	else
		return false;
	/* at most 10 years of simulated time in one step */
	if (whole > 315360000ULL * 1000000000ULL / unit)
		return false;
	*out = whole * unit + frac * unit / frac_div;
	return true;
}
