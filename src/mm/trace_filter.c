/*
 * Event filters (kernel/trace/trace_events_filter.c): the expression a
 * tracefs `filter` file takes, compiled to a small tree and evaluated on a
 * record before it is written.
 *
 * Models:
 *  - predicates FIELD OP VALUE over the event's fields and common_pid,
 *    common_cpu (CPU), comm (COMM): ==, !=, <, <=, >, >= on numbers,
 *    & (any bit set), == != ~ (glob) on strings
 *  - && over ||, ! and parentheses; numbers in decimal or 0x hex
 *  - a malformed expression is EINVAL with the kernel's reason
 * Simplifies:
 *  - the error's position caret is not kept
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mmsim/machine.h"
#include "mmsim/trace.h"

enum fnode_kind { FN_AND, FN_OR, FN_NOT, FN_PRED };
enum fop { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_BAND, OP_GLOB };

#define FIELD_PID -2
#define FIELD_CPU -3
#define FIELD_COMM -4

struct fnode {
	enum fnode_kind kind;
	struct fnode *l, *r;
	int field;           /* index in the event's fields, or FIELD_* */
	enum fop op;
	bool is_str, is_signed;
	uint64_t val;
	char *str;
};

struct trace_filter {
	struct fnode *root;
};

struct parser {
	const char *p;
	int id;
	const char *err;
};

static void fnode_free(struct fnode *n)
{
	if (!n)
		return;
	fnode_free(n->l);
	fnode_free(n->r);
	g_free(n->str);
	g_free(n);
}

void trace_filter_free(struct trace_filter *f)
{
	if (!f)
		return;
	fnode_free(f->root);
	g_free(f);
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n')
		ps->p++;
}

static bool eat(struct parser *ps, const char *tok)
{
	skip_ws(ps);
	if (strncmp(ps->p, tok, strlen(tok)))
		return false;
	ps->p += strlen(tok);
	return true;
}

static struct fnode *parse_or(struct parser *ps);

static int lookup_field(struct parser *ps, const char *name, bool *is_str, bool *is_signed)
{
	int f;

	*is_str = false;
	*is_signed = false;
	if (!strcmp(name, "common_pid")) {
		*is_signed = true;
		return FIELD_PID;
	}
	if (!strcmp(name, "common_cpu") || !strcmp(name, "CPU") || !strcmp(name, "cpu"))
		return FIELD_CPU;
	f = trace_event_field(ps->id, name);
	if (f >= 0) {
		*is_str = trace_events[ps->id].fields[f].is_string;
		*is_signed = trace_events[ps->id].fields[f].is_signed;
		return f;
	}
	if (!strcmp(name, "comm") || !strcmp(name, "COMM")) {
		*is_str = true;
		return FIELD_COMM;
	}
	return -1;
}

static bool parse_op(struct parser *ps, enum fop *op)
{
	static const struct { const char *tok; enum fop op; } ops[] = {
		{ "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE }, { ">=", OP_GE },
		{ "<", OP_LT }, { ">", OP_GT }, { "&", OP_BAND }, { "~", OP_GLOB },
	};

	skip_ws(ps);
	for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
		if (!strncmp(ps->p, ops[i].tok, strlen(ops[i].tok)) && strncmp(ps->p, "&&", 2)) {
			ps->p += strlen(ops[i].tok);
			*op = ops[i].op;
			return true;
		}
	}
	return false;
}

/* A string value: "quoted" or a bare word */
static char *parse_string(struct parser *ps)
{
	const char *s;

	skip_ws(ps);
	if (*ps->p == '"' || *ps->p == '\'') {
		char q = *ps->p++;

		s = ps->p;
		while (*ps->p && *ps->p != q)
			ps->p++;
		if (!*ps->p)
			return NULL;
		return g_strndup(s, (gsize)(ps->p++ - s));
	}
	s = ps->p;
	while (*ps->p && !strchr(" \t\n()&|", *ps->p))
		ps->p++;
	return ps->p > s ? g_strndup(s, (gsize)(ps->p - s)) : NULL;
}

static bool parse_value(struct parser *ps, struct fnode *n)
{
	char *end;

	if (n->is_str) {
		n->str = parse_string(ps);
		if (!n->str || (n->op != OP_EQ && n->op != OP_NE && n->op != OP_GLOB)) {
			ps->err = n->str ? "Illegal operation for field type" : "Missing field value";
			return false;
		}
		return true;
	}
	if (n->op == OP_GLOB) {
		ps->err = "Illegal operation for field type";
		return false;
	}
	skip_ws(ps);
	if (*ps->p == '-')
		n->val = (uint64_t)strtoll(ps->p, &end, 0);
	else
		n->val = strtoull(ps->p, &end, 0);
	if (end == ps->p || (*end && !strchr(" \t\n()&|", *end))) {
		ps->err = "Invalid value (did you forget quotes)?";
		return false;
	}
	ps->p = end;
	return true;
}

static struct fnode *parse_pred(struct parser *ps)
{
	struct fnode *n = g_new0(struct fnode, 1);
	const char *s;
	char *name;

	n->kind = FN_PRED;
	skip_ws(ps);
	s = ps->p;
	while (g_ascii_isalnum(*ps->p) || *ps->p == '_')
		ps->p++;
	name = g_strndup(s, (gsize)(ps->p - s));
	n->field = *name ? lookup_field(ps, name, &n->is_str, &n->is_signed) : -1;
	g_free(name);
	if (n->field == -1) {
		ps->err = "Field not found";
	} else if (!parse_op(ps, &n->op)) {
		ps->err = "Illegal operation for field type";
	} else if (parse_value(ps, n)) {
		return n;
	}
	fnode_free(n);
	return NULL;
}

static struct fnode *parse_unary(struct parser *ps)
{
	struct fnode *n;

	if (eat(ps, "!")) {
		struct fnode *c = parse_unary(ps);

		if (!c)
			return NULL;
		n = g_new0(struct fnode, 1);
		n->kind = FN_NOT;
		n->l = c;
		return n;
	}
	if (eat(ps, "(")) {
		n = parse_or(ps);
		if (n && !eat(ps, ")")) {
			ps->err = "Unbalanced parens";
			fnode_free(n);
			return NULL;
		}
		return n;
	}
	return parse_pred(ps);
}

static struct fnode *parse_binary(struct parser *ps, bool is_or)
{
	struct fnode *l = is_or ? parse_binary(ps, false) : parse_unary(ps);

	while (l && eat(ps, is_or ? "||" : "&&")) {
		struct fnode *r = is_or ? parse_binary(ps, false) : parse_unary(ps);
		struct fnode *n;

		if (!r) {
			fnode_free(l);
			return NULL;
		}
		n = g_new0(struct fnode, 1);
		n->kind = is_or ? FN_OR : FN_AND;
		n->l = l;
		n->r = r;
		l = n;
	}
	return l;
}

static struct fnode *parse_or(struct parser *ps)
{
	return parse_binary(ps, true);
}

/* A compiled filter for an event, or NULL with the reason in *err */
struct trace_filter *trace_filter_compile(int id, const char *expr, char **err)
{
	struct parser ps = { expr, id, NULL };
	struct fnode *root = parse_or(&ps);
	struct trace_filter *f;

	skip_ws(&ps);
	if (root && *ps.p) {
		ps.err = *ps.p == ')' ? "Unbalanced parens" : "Meaningless filter expression";
		fnode_free(root);
		root = NULL;
	}
	if (!root) {
		*err = g_strdup(ps.err ? ps.err : "Meaningless filter expression");
		return NULL;
	}
	f = g_new0(struct trace_filter, 1);
	f->root = root;
	return f;
}

int trace_filter_set(struct machine *m, int id, const char *expr, char **err)
{
	struct trace_array *tr = m->trace;
	struct trace_filter *f;
	char *text = g_strstrip(g_strdup(expr));

	if (!strcmp(text, "0") || !*text) {
		g_free(text);
		trace_filter_free(tr->filter[id]);
		g_free(tr->filter_text[id]);
		tr->filter[id] = NULL;
		tr->filter_text[id] = NULL;
		return 0;
	}
	f = trace_filter_compile(id, expr, err);
	if (!f) {
		g_free(text);
		return -EINVAL;
	}
	trace_filter_free(tr->filter[id]);
	g_free(tr->filter_text[id]);
	tr->filter[id] = f;
	tr->filter_text[id] = text;
	return 0;
}

static bool cmp_num(const struct fnode *n, uint64_t v)
{
	bool s = n->is_signed;
	int64_t a = (int64_t)v, b = (int64_t)n->val;

	switch (n->op) {
	case OP_EQ: return v == n->val;
	case OP_NE: return v != n->val;
	case OP_LT: return s ? a < b : v < n->val;
	case OP_LE: return s ? a <= b : v <= n->val;
	case OP_GT: return s ? a > b : v > n->val;
	case OP_GE: return s ? a >= b : v >= n->val;
	case OP_BAND: return (v & n->val) != 0;
	default: return false;
	}
}

static bool match_pred(const struct fnode *n, const struct trace_entry *e, int cpu)
{
	const char *s;

	if (!n->is_str) {
		uint64_t v = n->field == FIELD_PID ? (uint64_t)(int64_t)e->pid
			     : n->field == FIELD_CPU ? (uint64_t)cpu : e->args[n->field];

		return cmp_num(n, v);
	}
	s = n->field == FIELD_COMM ? e->comm : e->str ? e->str : "";
	switch (n->op) {
	case OP_EQ: return !strcmp(s, n->str);
	case OP_NE: return strcmp(s, n->str) != 0;
	default: return g_pattern_match_simple(n->str, s);
	}
}

static bool eval(const struct fnode *n, const struct trace_entry *e, int cpu)
{
	switch (n->kind) {
	case FN_AND: return eval(n->l, e, cpu) && eval(n->r, e, cpu);
	case FN_OR: return eval(n->l, e, cpu) || eval(n->r, e, cpu);
	case FN_NOT: return !eval(n->l, e, cpu);
	default: return match_pred(n, e, cpu);
	}
}

bool trace_filter_match(const struct trace_filter *f, const struct trace_entry *e, int cpu)
{
	return eval(f->root, e, cpu);
}
