/*
 * fs/dcache.c and fs/inode.c's inode cache in outline: the dentries and
 * inodes of the model's own path lookups (programs, ld.so, libc and
 * their directories, looked up at boot and at each spawn).
 *
 * Models:
 * - one dentry (dentry cache) and one inode (inode_cache) per component
 * - a child dentry holds a reference on its parent: a directory is
 *   unused only once no cached child remains
 * - an unused dentry stays cached on the dentry LRU (added at the tail)
 * - an inode whose dentry is pruned stays cached on the inode LRU,
 *   found again by a later lookup (the inode hash)
 * - the superblock shrinker (super_cache_count / super_cache_scan):
 *   both LRUs counted, scaled by vfs_cache_pressure, a scan split
 *   between them in proportion, pruned from the LRU heads (oldest first)
 * Simplifies:
 * - one superblock, no hard links, no negative dentries
 * - no DCACHE_REFERENCED/I_REFERENCED second chance
 * - one LRU for all nodes: the shrinker answers for node 0 only, as a
 *   shrinker that is not NUMA aware does
 * - the inodes are struct inode (inode.c) as the simulated files' are,
 *   but those are not slab objects: drop_caches takes only their pages
 */
#include <string.h>

#include "fs_internal.h"
#include "mmsim/log2.h"
#include "mm_internal.h"
#include "mmsim/slab.h"
#include "slab_internal.h"

struct m_dentry {
	char *path;
	unsigned long obj;         /* dentry object: the handle */
	int count;                 /* d_lockref.count */
	struct m_dentry *parent;   /* NULL for the root */
	struct inode *inode;
	GList *lru;                /* link on dentry_lru while unused */
};

struct dcache_state {
	GHashTable *dentries;      /* path -> struct m_dentry * */
	GHashTable *by_obj;        /* dentry address -> struct m_dentry * */
	GHashTable *inodes;        /* path -> struct inode * (the inode hash) */
	GQueue dentry_lru, inode_lru;
	struct m_dentry *root;
	struct shrinker sb_shrinker;
};

static struct inode *iget(struct machine *m, const char *path)
{
	struct dcache_state *dc = m->dcache;
	struct inode *inode = g_hash_table_lookup(dc->inodes, path);
	unsigned long obj;

	if (inode) {
		if (inode->i_lru) {
			g_queue_delete_link(&dc->inode_lru, inode->i_lru);
			inode->i_lru = NULL;
		}
		inode->i_count++;
		return inode;
	}
	obj = kmem_cache_alloc(m, model_cache(m, MC_INODE_CACHE), GFP_KERNEL);
	if (!obj)
		return NULL;
	inode = alloc_inode(path);
	inode->slab_inode = obj;
	inode->i_count = 1;
	g_hash_table_insert(dc->inodes, inode->path, inode);
	return inode;
}

/* iput: the last user leaves the inode cached on the LRU */
static void iput(struct machine *m, struct inode *inode)
{
	if (--inode->i_count == 0) {
		g_queue_push_tail(&m->dcache->inode_lru, inode);
		inode->i_lru = m->dcache->inode_lru.tail;
	}
}

static void dget_d(struct machine *m, struct m_dentry *d)
{
	if (d->lru) {
		g_queue_delete_link(&m->dcache->dentry_lru, d->lru);
		d->lru = NULL;
	}
	d->count++;
}

static void dput_d(struct machine *m, struct m_dentry *d)
{
	if (--d->count == 0) {
		g_queue_push_tail(&m->dcache->dentry_lru, d);
		d->lru = m->dcache->dentry_lru.tail;
	}
}

static struct m_dentry *d_alloc(struct machine *m, struct m_dentry *parent, const char *path)
{
	struct dcache_state *dc = m->dcache;
	unsigned long obj = kmem_cache_alloc(m, model_cache(m, MC_DENTRY), GFP_KERNEL);
	struct inode *inode;
	struct m_dentry *d;

	if (!obj)
		return NULL;
	inode = iget(m, path);
	if (!inode) {
		kmem_cache_free(m, model_cache(m, MC_DENTRY), obj);
		return NULL;
	}
	d = g_new0(struct m_dentry, 1);
	d->path = g_strdup(path);
	d->obj = obj;
	d->count = 1;
	d->inode = inode;
	d->parent = parent;
	if (parent)
		dget_d(m, parent);
	g_hash_table_insert(dc->dentries, d->path, d);
	g_hash_table_insert(dc->by_obj, GSIZE_TO_POINTER(obj), d);
	return d;
}

unsigned long d_lookup_path(struct machine *m, const char *path)
{
	struct dcache_state *dc = m->dcache;
	struct m_dentry *cur;
	GString *p;
	const char *s = path;

	if (!dc || !dc->root || !path || path[0] != '/')
		return 0;
	cur = dc->root;
	dget_d(m, cur);
	p = g_string_new(NULL);
	while (*s) {
		const char *e;
		struct m_dentry *next;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		if (!e)
			e = s + strlen(s);
		g_string_append_c(p, '/');
		g_string_append_len(p, s, e - s);
		s = e;
		next = g_hash_table_lookup(dc->dentries, p->str);
		if (next)
			dget_d(m, next);
		else
			next = d_alloc(m, cur, p->str);
		dput_d(m, cur);  /* the walk's reference on the directory */
		if (!next) {
			g_string_free(p, TRUE);
			return 0;
		}
		cur = next;
	}
	g_string_free(p, TRUE);
	return cur->obj;
}

void dget(struct machine *m, unsigned long dentry)
{
	struct m_dentry *d = m->dcache ? g_hash_table_lookup(m->dcache->by_obj, GSIZE_TO_POINTER(dentry)) : NULL;

	if (d)
		dget_d(m, d);
}

void dput(struct machine *m, unsigned long dentry)
{
	struct m_dentry *d = m->dcache ? g_hash_table_lookup(m->dcache->by_obj, GSIZE_TO_POINTER(dentry)) : NULL;

	if (d)
		dput_d(m, d);
}

/* __dentry_kill: the dentry goes, its inode and parent lose a user */
static void dentry_kill(struct machine *m, struct m_dentry *d)
{
	struct dcache_state *dc = m->dcache;
	struct m_dentry *parent = d->parent;

	g_hash_table_remove(dc->by_obj, GSIZE_TO_POINTER(d->obj));
	g_hash_table_remove(dc->dentries, d->path);
	kmem_cache_free(m, model_cache(m, MC_DENTRY), d->obj);
	iput(m, d->inode);
	g_free(d->path);
	g_free(d);
	if (parent)
		dput_d(m, parent);
}

static void inode_evict(struct machine *m, struct inode *inode)
{
	g_hash_table_remove(m->dcache->inodes, inode->path);
	kmem_cache_free(m, model_cache(m, MC_INODE_CACHE), inode->slab_inode);
	destroy_inode(inode);
}

/* prune_dcache_sb: up to nr unused dentries leave the LRU, oldest first */
static unsigned long prune_dcache_sb(struct machine *m, unsigned long nr)
{
	struct dcache_state *dc = m->dcache;
	unsigned long freed = 0;

	while (nr-- && dc->dentry_lru.head) {
		struct m_dentry *d = g_queue_pop_head(&dc->dentry_lru);

		d->lru = NULL;
		dentry_kill(m, d);
		freed++;
	}
	return freed;
}

/* prune_icache_sb: up to nr unused inodes leave the LRU, oldest first */
static unsigned long prune_icache_sb(struct machine *m, unsigned long nr)
{
	struct dcache_state *dc = m->dcache;
	unsigned long freed = 0;

	while (nr-- && dc->inode_lru.head) {
		struct inode *inode = g_queue_pop_head(&dc->inode_lru);

		inode->i_lru = NULL;
		inode_evict(m, inode);
		freed++;
	}
	return freed;
}

/* super_cache_count */
static unsigned long super_cache_count(struct machine *m, struct shrinker *s, int nid)
{
	unsigned long total;

	(void)s;
	if (nid != 0)
		return 0;
	total = m->dcache->dentry_lru.length + m->dcache->inode_lru.length;
	if (!total)
		return SHRINK_EMPTY;
	return vfs_pressure_ratio(m, total);
}

/* super_cache_scan */
static unsigned long super_cache_scan(struct machine *m, struct shrinker *s, int nid, unsigned long nr_to_scan)
{
	unsigned long dentries, inodes, total, freed;

	(void)s;
	if (nid != 0)
		return SHRINK_STOP;
	dentries = m->dcache->dentry_lru.length;
	inodes = m->dcache->inode_lru.length;
	total = dentries + inodes + 1;
	dentries = mult_frac(nr_to_scan, dentries, total);
	inodes = mult_frac(nr_to_scan, inodes, total);
	freed = prune_dcache_sb(m, dentries + 1);
	freed += prune_icache_sb(m, inodes + 1);
	return freed;
}

unsigned long dcache_nr_dentry(const struct machine *m)
{
	return m->dcache ? g_hash_table_size(m->dcache->dentries) + 1 : 0;
}

unsigned long dcache_nr_dentry_unused(const struct machine *m)
{
	return m->dcache ? m->dcache->dentry_lru.length : 0;
}

unsigned long icache_nr_inodes(const struct machine *m)
{
	return m->dcache ? g_hash_table_size(m->dcache->inodes) : 0;
}

unsigned long icache_nr_unused(const struct machine *m)
{
	return m->dcache ? m->dcache->inode_lru.length : 0;
}

void dcache_init(struct machine *m)
{
	static const char *const boot_paths[] = {
		"/dev/console", "/dev/null", "/proc", "/sys", "/run", "/tmp", "/etc/ld.so.cache",
		"/etc/passwd", "/etc/nsswitch.conf", "/etc/localtime",
	};
	struct dcache_state *dc = g_new0(struct dcache_state, 1);
	struct inode *root_inode;

	m->dcache = dc;
	dc->dentries = g_hash_table_new(g_str_hash, g_str_equal);
	dc->by_obj = g_hash_table_new(g_direct_hash, g_direct_equal);
	dc->inodes = g_hash_table_new(g_str_hash, g_str_equal);
	g_queue_init(&dc->dentry_lru);
	g_queue_init(&dc->inode_lru);
	dc->sb_shrinker.name = "super_cache_scan";
	dc->sb_shrinker.count_objects = super_cache_count;
	dc->sb_shrinker.scan_objects = super_cache_scan;
	dc->sb_shrinker.seeks = DEFAULT_SEEKS;
	register_shrinker(m, &dc->sb_shrinker);
	if (m->cfg.bare)
		return;  /* unit tests: no root mounted, every slab empty */
	/* d_make_root: the root is always in use */
	root_inode = iget(m, "/");
	dc->root = g_new0(struct m_dentry, 1);
	dc->root->path = g_strdup("/");
	dc->root->obj = kmem_cache_alloc(m, model_cache(m, MC_DENTRY), GFP_KERNEL);
	dc->root->count = 1;
	dc->root->inode = root_inode;
	g_hash_table_insert(dc->by_obj, GSIZE_TO_POINTER(dc->root->obj), dc->root);
	/* what init's start-up opens and reads once */
	for (size_t i = 0; i < G_N_ELEMENTS(boot_paths); i++) {
		unsigned long d = d_lookup_path(m, boot_paths[i]);

		if (d)
			dput(m, d);
	}
}

static void free_dentry_model(struct m_dentry *d)
{
	g_free(d->path);
	g_free(d);
}

static gboolean free_dentry_steal(gpointer k, gpointer v, gpointer data)
{
	(void)k;
	(void)data;
	free_dentry_model(v);
	return TRUE;
}

static gboolean free_inode_steal(gpointer k, gpointer v, gpointer data)
{
	(void)k;
	(void)data;
	destroy_inode(v);
	return TRUE;
}

void dcache_destroy(struct machine *m)
{
	struct dcache_state *dc = m->dcache;

	if (!dc)
		return;
	g_hash_table_steal_all(dc->by_obj);
	g_hash_table_foreach_steal(dc->dentries, free_dentry_steal, NULL);
	g_hash_table_foreach_steal(dc->inodes, free_inode_steal, NULL);
	if (dc->root)
		free_dentry_model(dc->root);
	g_hash_table_destroy(dc->dentries);
	g_hash_table_destroy(dc->by_obj);
	g_hash_table_destroy(dc->inodes);
	g_queue_clear(&dc->dentry_lru);
	g_queue_clear(&dc->inode_lru);
	g_free(dc);
	m->dcache = NULL;
}
