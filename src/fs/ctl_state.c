/*
 * sim/ctl's bookkeeping over a machine (ctl_state.h): three tables, made
 * on the first command that needs them and freed with the machine.
 */
#include <string.h>

#include "ctl_state.h"

static void ctl_handle_free(gpointer p)
{
	struct ctl_handle *h = p;

	g_free(h->cache);
	g_free(h);
}

static void ctl_state_destroy(struct ctl_state *cs)
{
	g_hash_table_destroy(cs->pages);
	g_hash_table_destroy(cs->handles);
	g_hash_table_destroy(cs->caches);
	g_free(cs);
}

struct ctl_state *ctl_state(struct machine *m)
{
	struct ctl_state *cs = m->ctl;

	if (G_LIKELY(cs))
		return cs;
	cs = g_new0(struct ctl_state, 1);
	cs->pages = g_hash_table_new(g_direct_hash, g_direct_equal);
	cs->handles = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, ctl_handle_free);
	cs->caches = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	m->ctl = cs;
	m->ctl_destroy = ctl_state_destroy;
	return cs;
}

void ctl_pages_add(struct machine *m, unsigned long pfn, unsigned int order)
{
	g_hash_table_insert(ctl_state(m)->pages, GSIZE_TO_POINTER((gsize)pfn), GUINT_TO_POINTER(order + 1));
}

unsigned int ctl_pages_lookup(struct machine *m, unsigned long pfn)
{
	return GPOINTER_TO_UINT(g_hash_table_lookup(ctl_state(m)->pages, GSIZE_TO_POINTER((gsize)pfn)));
}

void ctl_pages_remove(struct machine *m, unsigned long pfn)
{
	g_hash_table_remove(ctl_state(m)->pages, GSIZE_TO_POINTER((gsize)pfn));
}

void ctl_handle_add(struct machine *m, unsigned long addr, enum ctl_handle_kind kind, const char *cache)
{
	struct ctl_handle *h = g_new0(struct ctl_handle, 1);

	h->kind = kind;
	h->cache = g_strdup(cache);
	g_hash_table_insert(ctl_state(m)->handles, GSIZE_TO_POINTER((gsize)addr), h);
}

struct ctl_handle *ctl_handle_lookup(struct machine *m, unsigned long addr)
{
	return g_hash_table_lookup(ctl_state(m)->handles, GSIZE_TO_POINTER((gsize)addr));
}

void ctl_handle_remove(struct machine *m, unsigned long addr)
{
	g_hash_table_remove(ctl_state(m)->handles, GSIZE_TO_POINTER((gsize)addr));
}

unsigned long ctl_handles_of(struct machine *m, const char *cache)
{
	GHashTableIter it;
	gpointer k, v;
	unsigned long n = 0;

	g_hash_table_iter_init(&it, ctl_state(m)->handles);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct ctl_handle *h = v;

		if (h->kind == CTL_CACHE && !strcmp(h->cache, cache))
			n++;
	}
	return n;
}

void ctl_cache_add(struct machine *m, const char *name)
{
	g_hash_table_add(ctl_state(m)->caches, g_strdup(name));
}

bool ctl_cache_owned(struct machine *m, const char *name)
{
	return g_hash_table_contains(ctl_state(m)->caches, name);
}

void ctl_cache_remove(struct machine *m, const char *name)
{
	g_hash_table_remove(ctl_state(m)->caches, name);
}
