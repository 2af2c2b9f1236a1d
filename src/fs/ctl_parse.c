/*
 * The ctl parser (see ctl_parse.h).  Words are separated by blanks; a word
 * with '=' is an option.  Control characters and NUL bytes are refused.
 */
#include <errno.h>
#include <string.h>

#include "ctl_parse.h"
#include "kstrtox.h"

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

/* Decimal digits and nothing else: no sign, no newline (kstrtox.c's loop) */
bool ctl_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int rv = parse_integer(s, 10, &v);

	if (!rv || (rv & KSTRTOX_OVERFLOW) || s[rv])
		return false;
	*out = v;
	return true;
}

/* "0x" (or "0X") and hex digits, nothing else */
bool ctl_parse_hex(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int rv;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	rv = parse_integer(s + 2, 16, &v);
	if (!rv || (rv & KSTRTOX_OVERFLOW) || s[2 + rv])
		return false;
	*out = v;
	return true;
}

bool ctl_parse_duration_ns(const char *s, uint64_t *out)
{
	uint64_t frac = 0, frac_div = 1, unit;
	unsigned long long whole;
	unsigned int rv = parse_integer(s, 10, &whole);
	const char *p = s + (rv & ~KSTRTOX_OVERFLOW);

	if (!rv || (rv & KSTRTOX_OVERFLOW))
		return false;
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

/* bitmap_parselist: "N", "N-M" and commas between them */
int ctl_parse_bitlist(const char *s, unsigned char *bits, unsigned int nbits)
{
	memset(bits, 0, (nbits + 7) / 8);
	if (!*s)
		return -EINVAL;
	for (;;) {
		unsigned long long a, b;
		unsigned int n = parse_integer(s, 10, &a);

		if (!n || (n & KSTRTOX_OVERFLOW))
			return -EINVAL;
		s += n;
		b = a;
		if (*s == '-') {
			n = parse_integer(++s, 10, &b);
			if (!n || (n & KSTRTOX_OVERFLOW) || b < a)
				return -EINVAL;
			s += n;
		}
		if (b >= nbits)
			return -ERANGE;
		for (unsigned long long i = a; i <= b; i++)
			bits[i / 8] |= (unsigned char)(1u << (i % 8));
		if (!*s)
			return 0;
		if (*s++ != ',')
			return -EINVAL;
	}
}
