/*
 * mm/filemap.c, mm/truncate.c, fs/drop_caches.c, and the bits of fs/ and
 * block/ a page cache needs: a simulated disk file system and its files.
 *
 * Models: files of a given size on one disk (sda, partition sda1) and on
 * tmpfs (/dev/shm); per file an address_space whose xarray indexes the
 * cached pages; the disk as a FIFO queue with a per-request latency and a
 * bandwidth, so reads and writeback take simulated time; filemap_read
 * (sync and async readahead, waits for pages still being read, the reader
 * marked iowait and stalled in PSI io while it waits); generic_perform_write
 * (a partial page not cached is read first, every page dirtied, then
 * balance_dirty_pages); filemap_fault with do_fault_around and mmap
 * read-around; truncate (truncate_inode_pages_range, unmap_mapping_range);
 * invalidate_mapping_pages for drop_caches; files kept open per task
 * (struct file, with its file_ra_state), shared across fork.
 * Simplifies: file contents are synthetic (no data, only pages); one
 * directory tree whose directories exist implicitly (the parents of
 * files); no block size below a page, no buffer heads (Buffers is 0), no
 * large folios, no disk-space limit; pages are uptodate once their read's
 * completion time has passed (extents in mapping->inflight stand in for
 * PG_locked/PG_uptodate).
 */
#include <errno.h>
#include <string.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "mmsim/pagemap.h"
#include "mmsim/slab.h"

#define FAULT_AROUND_PAGES 16     /* fault_around_bytes 64 KiB */
#define READ_COPY_COST_NS 120     /* copy_page_to_iter of one page */
#define TMPFS_DEV_MINOR 0x1a

struct read_io {
	unsigned long start, end;  /* pages [start, end) */
	uint64_t done;
};

/* ---------------------------------------------------------------- the disk */

/* submit_bio: the request queues behind the ones in flight; returns the
 * time it completes.  pgpgin/pgpgout count sectors, as the kernel does. */
uint64_t submit_bio(struct machine *m, unsigned long nr_pages, bool write)
{
	struct block_device *bd = &m->sb->disk;
	uint64_t start = MAX(m->now_ns, bd->busy_until);
	uint64_t xfer = (uint64_t)((double)nr_pages * PAGE_SIZE * NSEC_PER_SEC / (double)bd->bandwidth);

	bd->busy_until = start + xfer;
	bd->io_ticks_ns += xfer;
	if (write) {
		bd->nr_writes++;
		bd->sectors_written += nr_pages * (PAGE_SIZE / 512);
		count_vm_events(m, PGPGOUT, nr_pages * (PAGE_SIZE / 512));
	} else {
		bd->nr_reads++;
		bd->sectors_read += nr_pages * (PAGE_SIZE / 512);
		count_vm_events(m, PGPGIN, nr_pages * (PAGE_SIZE / 512));
	}
	return start + bd->latency_ns + xfer;
}

/* io_schedule until `until`: the task sleeps in D state, its CPU counts
 * iowait, PSI io counts the stall, and simulated time moves on */
void io_schedule_until(struct machine *m, struct task_struct *t, uint64_t until)
{
	uint64_t wait;
	char state = 'R';

	if (until <= m->now_ns)
		return;
	wait = until - m->now_ns;
	if (t) {
		struct cpu_state *c = &m->cpus[t->cpu];

		state = t->state;
		t->state = 'D';
		t->delayacct_blkio_ns += wait;
		t->nvcsw++;
		c->iowait_ns += wait;
		c->iowait = c->iowait_ns / (NSEC_PER_SEC / USER_HZ);
	}
	/* one task stalled and nothing else runnable: some and full alike */
	m->psi[PSI_IO].total_us[0] += wait / 1000;
	m->psi[PSI_IO].total_us[1] += wait / 1000;
	machine_advance(m, wait);
	if (t)
		t->state = state;
}

/* ---------------------------------------------------------------- paths */

static const char *const base_dirs[] = {
	"/", "/bin", "/dev", "/dev/shm", "/etc", "/home", "/lib", "/mnt", "/opt", "/root", "/run", "/srv",
	"/tmp", "/usr", "/usr/bin", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/share", "/var",
	"/var/lib", "/var/log", "/var/tmp",
};

int sim_path_check(const char *path)
{
	const char *p, *comp;
	size_t len;

	if (!path || path[0] != '/')
		return -EINVAL;
	len = strlen(path);
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	for (p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -EINVAL;
	for (comp = path + 1; comp <= path + len; ) {
		const char *end = strchr(comp, '/');
		size_t n = end ? (size_t)(end - comp) : strlen(comp);

		if (n == 0 && (end || comp != path + len))
			return -EINVAL;           /* "//": paths are canonical */
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		if ((n == 1 && comp[0] == '.') || (n == 2 && comp[0] == '.' && comp[1] == '.'))
			return -EINVAL;
		if (!end)
			break;
		comp = end + 1;
	}
	return 0;
}

static bool is_tmpfs_path(const char *path)
{
	return g_str_has_prefix(path, "/dev/shm/");
}

bool sim_path_is_dir(struct machine *m, const char *path)
{
	size_t len = strlen(path);

	if (len > 1 && path[len - 1] == '/')
		return true;
	for (size_t i = 0; i < G_N_ELEMENTS(base_dirs); i++)
		if (!strcmp(base_dirs[i], path))
			return true;
	return g_hash_table_contains(m->sb->dirs, path);
}

/* The first ancestor of path that is a file, or NULL */
static struct inode *file_in_the_way(struct machine *m, const char *path)
{
	g_autofree char *dup = g_strdup(path);

	for (char *slash = strrchr(dup, '/'); slash && slash != dup; slash = strrchr(dup, '/')) {
		struct inode *i;

		*slash = '\0';
		if ((i = g_hash_table_lookup(m->sb->inodes, dup)))
			return i;
	}
	return NULL;
}

/* The implicit directories above a file: counted per file below them */
static void dirs_account(struct machine *m, const char *path, int delta)
{
	g_autofree char *dup = g_strdup(path);

	for (char *slash = strrchr(dup, '/'); slash && slash != dup; slash = strrchr(dup, '/')) {
		gpointer v;

		*slash = '\0';
		v = g_hash_table_lookup(m->sb->dirs, dup);
		if (delta > 0) {
			g_hash_table_replace(m->sb->dirs, g_strdup(dup), GINT_TO_POINTER(GPOINTER_TO_INT(v) + 1));
		} else if (GPOINTER_TO_INT(v) <= 1) {
			g_hash_table_remove(m->sb->dirs, dup);
		} else {
			g_hash_table_replace(m->sb->dirs, g_strdup(dup), GINT_TO_POINTER(GPOINTER_TO_INT(v) - 1));
		}
	}
}

struct inode *sim_file_lookup(struct machine *m, const char *path)
{
	return g_hash_table_lookup(m->sb->inodes, path);
}

static gint cmp_path(gconstpointer a, gconstpointer b)
{
	return strcmp((*(struct inode *const *)a)->path, (*(struct inode *const *)b)->path);
}

GPtrArray *sim_files_sorted(struct machine *m)
{
	GPtrArray *out = g_ptr_array_new();
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, m->sb->inodes);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_ptr_array_add(out, v);
	g_ptr_array_sort(out, cmp_path);
	for (guint i = 0; i < m->sb->unlinked->len; i++)
		g_ptr_array_add(out, g_ptr_array_index(m->sb->unlinked, i));
	return out;
}

/* ---------------------------------------------------------------- inodes */

static void xa_node_hook(struct xarray *xa, struct xa_node *node, bool alloc)
{
	struct address_space *mapping = xa->hook_arg;

	(void)node;
	/* the kernel's WORKINGSET_NODES counts nodes holding only shadows;
	 * here every node is a radix_tree_node object of the host's node 0 */
	(void)mapping;
	(void)alloc;
}

static struct inode *inode_new(struct machine *m, const char *path, enum inode_kind kind)
{
	struct inode *inode = g_new0(struct inode, 1);
	struct address_space *mapping = &inode->i_data;

	inode->path = g_strdup(path);
	inode->kind = kind;
	inode->i_ino = m->sb->next_ino++;
	inode->dev_major = kind == INODE_SHMEM ? 0 : m->sb->disk.major;
	inode->dev_minor = kind == INODE_SHMEM ? TMPFS_DEV_MINOR : m->sb->disk.minor + 1;
	mapping->host = inode;
	mapping->i_mmap = g_ptr_array_new();
	mapping->inflight = g_array_new(FALSE, FALSE, sizeof(struct read_io));
	mapping->i_pages.node_hook = xa_node_hook;
	mapping->i_pages.hook_arg = mapping;
	return inode;
}

static void inode_free(struct inode *inode)
{
	xa_destroy(&inode->i_data.i_pages);
	g_ptr_array_free(inode->i_data.i_mmap, TRUE);
	g_array_free(inode->i_data.inflight, TRUE);
	g_free(inode->path);
	g_free(inode);
}

static inline struct inode *page_inode(const struct page *page)
{
	return ((struct address_space *)(uintptr_t)page->private)->host;
}

static inline bool mapping_is_shmem(const struct address_space *mapping)
{
	return mapping->host->kind == INODE_SHMEM;
}

/* ---------------------------------------------------------------- the cache */

static long page_cache_alloc(struct machine *m, struct task_struct *t)
{
	return __alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0, -1, t ? t->cpu : 0);
}

/* filemap_add_folio: into the index, the counters and the LRU */
static void filemap_add_folio(struct machine *m, struct address_space *mapping, unsigned long pfn,
			      unsigned long index)
{
	struct page *page = pfn_to_page(m, pfn);
	pg_data_t *pgdat = pfn_zone(m, pfn)->zone_pgdat;
	uint64_t old;

	page->private = (uint64_t)(uintptr_t)mapping;
	page->index = index;
	page->_mapcount = -1;
	page->flags &= ~((1u << PG_referenced) | (1u << PG_active) | (1u << PG_dirty) | (1u << PG_readahead) |
			 (1u << PG_workingset));
	if (mapping_is_shmem(mapping)) {
		page_set(page, PG_swapbacked);
		__mod_node_page_state(pgdat, NR_SHMEM, 1);
	}
	old = xa_store(&mapping->i_pages, index, xa_mk_page(pfn));
	mapping->nrpages++;
	__mod_node_page_state(pgdat, NR_FILE_PAGES, 1);
	if (old && xa_is_value(old)) {
		/* a refault: the shadow says whether it was recently evicted */
		mapping->nrshadows--;
		workingset_refault(m, pfn, old);
		lruvec_add_folio(m, pfn);
		return;
	}
	folio_add_lru(m, pfn);
}

/* Dirty accounting (folio_account_dirtied / folio_account_cleaned) */
static void account_dirty(struct machine *m, struct address_space *mapping, unsigned long pfn, int delta)
{
	struct zone *zone = pfn_zone(m, pfn);

	__mod_node_page_state(zone->zone_pgdat, NR_FILE_DIRTY, delta);
	__mod_zone_page_state(zone, NR_ZONE_WRITE_PENDING, delta);
	mapping->nr_dirty += (unsigned long)(long)delta;
}

/* __filemap_remove_folio + free: the page must be unmapped; reclaim
 * leaves a workingset shadow in its slot */
void filemap_remove_folio_shadow(struct machine *m, unsigned long pfn, uint64_t shadow)
{
	struct page *page = pfn_to_page(m, pfn);
	struct address_space *mapping = (struct address_space *)(uintptr_t)page->private;
	pg_data_t *pgdat = pfn_zone(m, pfn)->zone_pgdat;

	if (page_test(page, PG_dirty)) {
		/* truncation of a dirty page: cancel_dirty_page */
		account_dirty(m, mapping, pfn, -1);
		page_clear(page, PG_dirty);
	}
	if (shadow) {
		xa_store(&mapping->i_pages, (unsigned long)page->index, shadow);
		mapping->nrshadows++;
	} else {
		xa_erase(&mapping->i_pages, (unsigned long)page->index);
	}
	mapping->nrpages--;
	__mod_node_page_state(pgdat, NR_FILE_PAGES, -1);
	if (mapping_is_shmem(mapping))
		__mod_node_page_state(pgdat, NR_SHMEM, -1);
	lruvec_del_folio(m, pfn);
	page->flags &= ~((1u << PG_swapbacked) | (1u << PG_referenced) | (1u << PG_active) |
			 (1u << PG_readahead) | (1u << PG_dirty) | (1u << PG_writeback) | (1u << PG_workingset));
	page->private = 0;
	page->index = 0;
	page->_mapcount = -1;
	__free_pages(m, pfn, 0, 0);
}

static void filemap_remove_folio(struct machine *m, unsigned long pfn)
{
	filemap_remove_folio_shadow(m, pfn, 0);
}

static long filemap_get_pfn(struct address_space *mapping, unsigned long index)
{
	uint64_t e = xa_load(&mapping->i_pages, index);

	return e && !xa_is_value(e) ? (long)xa_to_pfn(e) : -1;
}

/* ---------------------------------------------------------------- reads in flight */

static void retire_reads(struct machine *m, struct address_space *mapping)
{
	GArray *a = mapping->inflight;

	for (guint i = 0; i < a->len;) {
		if (g_array_index(a, struct read_io, i).done <= m->now_ns)
			g_array_remove_index_fast(a, i);
		else
			i++;
	}
}

/* When the page at index will have been read (0: it is uptodate) */
static uint64_t page_ready_at(struct machine *m, struct address_space *mapping, unsigned long index)
{
	GArray *a = mapping->inflight;

	if (!a->len)
		return 0;
	if (mapping->inflight_until <= m->now_ns) {
		g_array_set_size(a, 0);
		return 0;
	}
	retire_reads(m, mapping);
	for (guint i = 0; i < a->len; i++) {
		struct read_io *r = &g_array_index(a, struct read_io, i);

		if (index >= r->start && index < r->end)
			return r->done;
	}
	return 0;
}

/* Is a read of this page-cache page still in flight (PG_locked)? */
bool folio_read_in_flight(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);
	struct address_space *mapping = (struct address_space *)(uintptr_t)page->private;

	return mapping && page_ready_at(m, mapping, (unsigned long)page->index) > m->now_ns;
}

/* folio_wait_locked for a page being read; true when the task slept */
static bool wait_on_page_read(struct machine *m, struct task_struct *t, struct address_space *mapping,
			      unsigned long index)
{
	uint64_t done = page_ready_at(m, mapping, index);

	if (!done || done <= m->now_ns)
		return false;
	io_schedule_until(m, t, done);
	return true;
}

/* read_pages: one request for [start, start + nr) (shmem needs none) */
static void read_pages(struct machine *m, struct address_space *mapping, unsigned long start, unsigned long nr)
{
	struct read_io r;

	if (!nr || mapping_is_shmem(mapping))
		return;
	r.start = start;
	r.end = start + nr;
	r.done = submit_bio(m, nr, false);
	g_array_append_val(mapping->inflight, r);
	mapping->inflight_until = MAX(mapping->inflight_until, r.done);
}

/*
 * page_cache_ra_unbounded: add the missing pages of [index, index + nr) to
 * the cache and read them, one request per contiguous run; the page at
 * nr - lookahead gets the PG_readahead mark.  Returns pages added.
 */
unsigned long page_cache_ra_unbounded(struct machine *m, struct task_struct *t, struct address_space *mapping,
				      unsigned long index, unsigned long nr, unsigned long lookahead)
{
	unsigned long run_start = index, run = 0, added = 0;
	unsigned long mark = index + nr - lookahead;

	for (unsigned long i = index; i < index + nr; i++) {
		long pfn;

		if (filemap_get_pfn(mapping, i) >= 0) {
			read_pages(m, mapping, run_start, run);
			run = 0;
			run_start = i + 1;
			continue;
		}
		pfn = page_cache_alloc(m, t);
		if (pfn < 0)
			break;
		filemap_add_folio(m, mapping, (unsigned long)pfn, i);
		if (lookahead && i == mark)
			page_set(pfn_to_page(m, (unsigned long)pfn), PG_readahead);
		run++;
		added++;
	}
	read_pages(m, mapping, run_start, run);
	return added;
}

/* Pages of the file: the index past the last byte */
static inline unsigned long i_size_pages(const struct inode *inode)
{
	return (unsigned long)((inode->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

/* do_page_cache_ra: clamped to the end of the file */
void do_page_cache_ra(struct machine *m, struct task_struct *t, struct file *file, unsigned long index,
		      unsigned long nr, unsigned long lookahead)
{
	struct inode *inode = file->f_inode;
	unsigned long end_index;

	if (!inode->i_size)
		return;
	end_index = (unsigned long)((inode->i_size - 1) >> PAGE_SHIFT);
	if (index > end_index)
		return;
	if (nr > end_index - index)
		nr = end_index - index + 1;
	page_cache_ra_unbounded(m, t, &inode->i_data, index, nr, lookahead);
}

/* ---------------------------------------------------------------- open files */

static struct file *file_alloc(struct machine *m, struct inode *inode)
{
	struct file *f = g_new0(struct file, 1);

	f->f_inode = inode;
	f->f_count = 1;
	f->f_ra.ra_pages = m->sb->bdi.ra_pages;
	f->f_ra.prev_pos = -1;
	inode->i_count++;
	return f;
}

static void evict_inode(struct machine *m, struct inode *inode);

void fput(struct machine *m, struct file *f)
{
	struct inode *inode;

	if (--f->f_count > 0)
		return;
	inode = f->f_inode;
	g_free(f);
	inode->i_count--;
	if (inode->unlinked && !inode->i_count && !inode->i_data.i_mmap->len) {
		g_ptr_array_remove_fast(m->sb->unlinked, inode);
		evict_inode(m, inode);
	}
}

/* The task's open file for inode, opened on first use and kept open */
struct file *task_file(struct machine *m, struct task_struct *t, struct inode *inode)
{
	struct file *f;

	if (!t->files)
		t->files = g_hash_table_new(g_direct_hash, g_direct_equal);
	f = g_hash_table_lookup(t->files, inode);
	if (!f) {
		f = file_alloc(m, inode);
		g_hash_table_insert(t->files, inode, f);
	}
	return f;
}

/* close_files at exit */
void exit_files(struct machine *m, struct task_struct *t)
{
	GHashTableIter it;
	gpointer k, v;

	if (!t->files)
		return;
	g_hash_table_iter_init(&it, t->files);
	while (g_hash_table_iter_next(&it, &k, &v))
		fput(m, v);
	g_hash_table_destroy(t->files);
	t->files = NULL;
}

/* dup_fd at fork: the child shares the parent's open file descriptions */
void dup_files(struct task_struct *child, struct task_struct *parent)
{
	GHashTableIter it;
	gpointer k, v;

	if (!parent->files)
		return;
	child->files = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_hash_table_iter_init(&it, parent->files);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		((struct file *)v)->f_count++;
		g_hash_table_insert(child->files, k, v);
	}
}

struct file *shmem_zero_setup(struct machine *m, unsigned long size)
{
	struct inode *inode = inode_new(m, "/dev/zero", INODE_SHMEM);

	/* shm_mnt (dev 0:1) has its own inode numbers */
	m->sb->next_ino--;
	inode->i_ino = ++m->sb->next_shm_ino;
	inode->dev_minor = 1;
	inode->i_size = size;
	inode->unlinked = true;
	inode->internal = true;
	return file_alloc(m, inode);
}

/* Close every task's descriptor of inode (rmfile: see sim_file_remove) */
static void close_all_files_of(struct machine *m, struct inode *inode)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct task_struct *t = v;
		struct file *f;

		if (t->files && (f = g_hash_table_lookup(t->files, inode))) {
			g_hash_table_remove(t->files, inode);
			fput(m, f);
		}
	}
}

/* VMAs mapping a file (i_mmap) hold a reference on its struct file */
void vma_file_attach(struct vm_area_struct *vma)
{
	vma->vm_file->f_count++;
	g_ptr_array_add(vma->vm_file->f_inode->i_data.i_mmap, vma);
}

void vma_file_detach(struct machine *m, struct vm_area_struct *vma)
{
	struct file *f = vma->vm_file;

	g_ptr_array_remove_fast(f->f_inode->i_data.i_mmap, vma);
	vma->vm_file = NULL;
	fput(m, f);
}

/* ---------------------------------------------------------------- truncate */

/* unmap_mapping_range: zap every pte mapping file pages >= index (and the
 * private COW copies of them, as truncate does) */
static void unmap_mapping_range(struct machine *m, struct address_space *mapping, unsigned long index)
{
	for (guint i = 0; i < mapping->i_mmap->len; i++) {
		struct vm_area_struct *vma = g_ptr_array_index(mapping->i_mmap, i);
		unsigned long first = vma->vm_pgoff, last = vma->vm_pgoff + vma_pages(vma);
		unsigned long start;

		if (last <= index)
			continue;
		start = vma->vm_start + ((MAX(index, first) - first) << PAGE_SHIFT);
		zap_page_range(m, vma->vm_mm, vma, start, vma->vm_end);
	}
}

/* filemap_fdatawait: until none of the mapping's pages is under
 * writeback; t (or nobody, for sim/ctl) sleeps meanwhile */
static void wait_on_writeback(struct machine *m, struct task_struct *t, struct address_space *mapping)
{
	while (mapping->nr_writeback) {
		uint64_t next = writeback_next_completion(m);

		if (!next)
			break;
		io_schedule_until(m, t, next);
	}
}

/* truncate_inode_pages_range from index to the end */
static void truncate_inode_pages(struct machine *m, struct inode *inode, unsigned long index)
{
	struct address_space *mapping = &inode->i_data;
	unsigned long i = index;
	uint64_t e;

	unmap_mapping_range(m, mapping, index);
	wait_on_writeback(m, NULL, mapping);
	/* readers of these pages are done: drop the in-flight records */
	for (guint k = 0; k < mapping->inflight->len;) {
		struct read_io *r = &g_array_index(mapping->inflight, struct read_io, k);

		if (r->start >= index)
			g_array_remove_index_fast(mapping->inflight, k);
		else
			k++;
	}
	while ((e = xa_find(&mapping->i_pages, &i, ULONG_MAX))) {
		if (xa_is_value(e)) {
			xa_erase(&mapping->i_pages, i);
			mapping->nrshadows--;
		} else {
			filemap_remove_folio(m, xa_to_pfn(e));
		}
		i++;
	}
	if (!mapping->nr_dirty)
		inode_clean(m, inode);
}

static void evict_inode(struct machine *m, struct inode *inode)
{
	truncate_inode_pages(m, inode, 0);
	inode_free(inode);
}

/* ---------------------------------------------------------------- files */

int sim_file_create(struct machine *m, const char *path, uint64_t size)
{
	struct inode *inode;
	int err = sim_path_check(path);

	if (err)
		return err;
	if (sim_path_is_dir(m, path))
		return -EISDIR;
	if (file_in_the_way(m, path))
		return -ENOTDIR;
	if (size > SIM_MAX_FILE_SIZE)
		return -EFBIG;
	inode = sim_file_lookup(m, path);
	if (!inode) {
		inode = inode_new(m, path, is_tmpfs_path(path) ? INODE_SHMEM : INODE_REG);
		g_hash_table_insert(m->sb->inodes, inode->path, inode);
		dirs_account(m, path, 1);
	}
	if (size < inode->i_size)
		truncate_inode_pages(m, inode, (unsigned long)((size + PAGE_SIZE - 1) >> PAGE_SHIFT));
	inode->i_size = size;
	machine_debug_check(m, "file");
	return 0;
}

int sim_file_remove(struct machine *m, const char *path)
{
	struct inode *inode;
	int err = sim_path_check(path);

	if (err)
		return err;
	inode = sim_file_lookup(m, path);
	if (!inode)
		return sim_path_is_dir(m, path) ? -EISDIR : file_in_the_way(m, path) ? -ENOTDIR : -ENOENT;
	g_hash_table_remove(m->sb->inodes, path);
	dirs_account(m, path, -1);
	/* the simulated programs' descriptors of it are closed, so that its
	 * cache goes with it unless something maps it (then "(deleted)") */
	close_all_files_of(m, inode);
	inode->unlinked = true;
	if (!inode->i_data.i_mmap->len && !inode->i_count)
		evict_inode(m, inode);
	else
		g_ptr_array_add(m->sb->unlinked, inode);
	machine_debug_check(m, "rmfile");
	return 0;
}

/* ---------------------------------------------------------------- read */

/* Look a path up for file I/O: -ENOENT, -EISDIR, -ENOTDIR, -EINVAL */
int sim_lookup(struct machine *m, const char *path, struct inode **out)
{
	int err = sim_path_check(path);

	if (err)
		return err;
	*out = sim_file_lookup(m, path);
	if (*out)
		return 0;
	if (sim_path_is_dir(m, path))
		return -EISDIR;
	return file_in_the_way(m, path) ? -ENOTDIR : -ENOENT;
}

/* The file and the byte range of a pread/pwrite (rw_verify_area) */
static int rw_verify_area(struct machine *m, const char *path, uint64_t off, uint64_t len, struct inode **inode)
{
	int err = sim_lookup(m, path, inode);

	if (err)
		return err;
	if ((int64_t)off < 0 || (int64_t)len < 0 || off + len < off)
		return -EINVAL;
	return 0;
}

static long do_pread(struct machine *m, struct task_struct *t, const char *path, uint64_t off, uint64_t len)
{
	struct inode *inode;
	struct file *f;
	struct address_space *mapping;
	unsigned long index, last_index;
	uint64_t end;
	int err;

	if ((err = rw_verify_area(m, path, off, len, &inode)))
		return err;
	f = task_file(m, t, inode);
	if (off >= inode->i_size || !len)
		return 0;
	end = MIN(off + len, inode->i_size);
	mapping = &inode->i_data;
	index = (unsigned long)(off >> PAGE_SHIFT);
	last_index = (unsigned long)((end + PAGE_SIZE - 1) >> PAGE_SHIFT);
	while (index < last_index) {
		long pfn = filemap_get_pfn(mapping, index);
		struct page *page;

		if (pfn < 0) {
			if (mapping_is_shmem(mapping)) {
				/* a hole of tmpfs reads as the zero page */
				index++;
				continue;
			}
			page_cache_sync_ra(m, t, f, index, last_index - index);
			pfn = filemap_get_pfn(mapping, index);
			if (pfn < 0) {
				/* no readahead (ra_pages 0) or no memory: one page */
				page_cache_ra_unbounded(m, t, mapping, index, 1, 0);
				if ((pfn = filemap_get_pfn(mapping, index)) < 0) {
					return -ENOMEM;
				}
			}
		}
		page = pfn_to_page(m, (unsigned long)pfn);
		if (page_test(page, PG_readahead))
			page_cache_async_ra(m, t, f, (unsigned long)pfn, index, last_index - index);
		if (wait_on_page_read(m, t, mapping, index) && fatal_signal_pending(t))
			return -EINTR;
		folio_mark_accessed(m, (unsigned long)pfn);
		account_system_time(m, t, READ_COPY_COST_NS);
		index++;
	}
	f->f_ra.prev_pos = (int64_t)end;
	t->ioac_rchar += end - off;
	machine_debug_check(m, "pread");
	return (long)(end - off);
}

/* ---------------------------------------------------------------- write */

/* folio_mark_dirty: the page, its inode, the counters (shmem pages are
 * never counted dirty: nothing writes them back) */
void folio_mark_dirty(struct machine *m, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);
	struct address_space *mapping = (struct address_space *)(uintptr_t)page->private;

	if (page_test(page, PG_dirty))
		return;
	page_set(page, PG_dirty);
	if (mapping_is_shmem(mapping))
		return;
	account_dirty(m, mapping, pfn, 1);
	__mod_node_page_state(pfn_zone(m, pfn)->zone_pgdat, NR_DIRTIED, 1);
	__mark_inode_dirty(m, mapping->host);
}

static long do_pwrite(struct machine *m, struct task_struct *t, const char *path, uint64_t off, uint64_t len)
{
	struct inode *inode;
	struct address_space *mapping;
	unsigned long index, last_index;
	uint64_t end;
	int err;

	if ((err = rw_verify_area(m, path, off, len, &inode)))
		return err;
	if (off + len > SIM_MAX_FILE_SIZE)
		return -EFBIG;
	task_file(m, t, inode);
	if (!len)
		return 0;
	end = off + len;
	mapping = &inode->i_data;
	index = (unsigned long)(off >> PAGE_SHIFT);
	last_index = (unsigned long)((end + PAGE_SIZE - 1) >> PAGE_SHIFT);
	for (; index < last_index; index++) {
		long pfn = filemap_get_pfn(mapping, index);
		uint64_t pstart = (uint64_t)index << PAGE_SHIFT;
		bool partial = off > pstart || end < pstart + PAGE_SIZE;

		if (pfn < 0) {
			pfn = page_cache_alloc(m, t);
			if (pfn < 0)
				break;
			filemap_add_folio(m, mapping, (unsigned long)pfn, index);
			/* write_begin: a partly written page that has data on disk
			 * is read first */
			if (partial && pstart < inode->i_size && !mapping_is_shmem(mapping)) {
				read_pages(m, mapping, index, 1);
				if (wait_on_page_read(m, t, mapping, index) && fatal_signal_pending(t))
					return -EINTR;
			}
		} else {
			/* a page under writeback is written again at once: the
			 * disk does not need stable pages */
			wait_on_page_read(m, t, mapping, index);
		}
		folio_mark_dirty(m, (unsigned long)pfn);
		account_system_time(m, t, READ_COPY_COST_NS);
		if (inode->i_size < MIN(end, pstart + PAGE_SIZE))
			inode->i_size = MIN(end, pstart + PAGE_SIZE);
		balance_dirty_pages_ratelimited(m, t, mapping);
		if (fatal_signal_pending(t))
			return -EINTR;
	}
	if (index < last_index && (uint64_t)index << PAGE_SHIFT <= off)
		return -ENOMEM;
	end = MIN(end, (uint64_t)index << PAGE_SHIFT);
	t->ioac_wchar += end - off;
	machine_debug_check(m, "pwrite");
	return (long)(end - off);
}

static long do_fsync(struct machine *m, struct task_struct *t, const char *path)
{
	struct inode *inode;
	int err;
	long written;

	if ((err = sim_lookup(m, path, &inode)))
		return err;
	task_file(m, t, inode);
	/* file_write_and_wait_range: write everything dirty, wait for it all */
	written = writeback_inode(m, inode, LONG_MAX);
	wait_on_writeback(m, t, &inode->i_data);
	machine_debug_check(m, "fsync");
	return written * (long)PAGE_SIZE;
}

/* The system calls: m->current is the caller while they run; an OOM kill
 * of it takes effect on return (syscall_exit_oom) */
long sys_pread(struct machine *m, struct task_struct *t, const char *path, uint64_t off, uint64_t len)
{
	struct task_struct *prev;
	int pid = t->pid;

	if (!t->mm)
		return -EINVAL;
	prev = syscall_enter(m, t);
	return syscall_exit_oom(m, pid, prev, do_pread(m, t, path, off, len));
}

long sys_pwrite(struct machine *m, struct task_struct *t, const char *path, uint64_t off, uint64_t len)
{
	struct task_struct *prev;
	int pid = t->pid;

	if (!t->mm)
		return -EINVAL;
	prev = syscall_enter(m, t);
	return syscall_exit_oom(m, pid, prev, do_pwrite(m, t, path, off, len));
}

long sys_fsync(struct machine *m, struct task_struct *t, const char *path)
{
	struct task_struct *prev;
	int pid = t->pid;

	if (!t->mm)
		return -EINVAL;
	prev = syscall_enter(m, t);
	return syscall_exit_oom(m, pid, prev, do_fsync(m, t, path));
}

/* ---------------------------------------------------------------- faults */

/* filemap_map_pages: map the cached, uptodate pages of the fault-around
 * window that are not mapped yet; true when addr itself got mapped */
static bool do_fault_around(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
			    unsigned long addr)
{
	struct address_space *mapping = &vma->vm_file->f_inode->i_data;
	unsigned long nr = FAULT_AROUND_PAGES;
	unsigned long from = MAX(vma->vm_start, (addr & ~((nr << PAGE_SHIFT) - 1)));
	unsigned long to = MIN(vma->vm_end, from + (nr << PAGE_SHIFT));
	unsigned long pmd_end = (addr | ((1UL << 21) - 1)) + 1;
	unsigned long eof = i_size_pages(vma->vm_file->f_inode);
	struct file_ra_state *ra = &vma->vm_file->f_ra;
	unsigned long mapped = 0;
	bool hit = false;

	to = MIN(to, pmd_end);
	for (unsigned long a = from; a < to; a += PAGE_SIZE) {
		unsigned long index = linear_page_index(vma, a);
		long pfn;

		if (index >= eof)
			break;
		pfn = filemap_get_pfn(mapping, index);
		/* next_uptodate_folio: not while being read, and not a
		 * readahead mark (its own fault starts the next window) */
		if (pfn < 0 || page_ready_at(m, mapping, index) ||
		    page_test(pfn_to_page(m, (unsigned long)pfn), PG_readahead))
			continue;
		if (set_pte_file(m, t, vma, a, (unsigned long)pfn, false) == 0) {
			mapped++;
			if (a == (addr & PAGE_MASK))
				hit = true;
		}
	}
	/* pages found in the cache count against mmap_miss */
	ra->mmap_miss -= (unsigned int)MIN(mapped, ra->mmap_miss);
	return hit;
}

/* do_sync_mmap_readahead: read-around (or sequential for MADV_SEQUENTIAL) */
static void do_sync_mmap_readahead(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
				   unsigned long index)
{
	struct file *f = vma->vm_file;
	struct file_ra_state *ra = &f->f_ra;

	if ((vma->vm_flags & VM_RAND_READ) || !ra->ra_pages)
		return;
	if (vma->vm_flags & VM_SEQ_READ) {
		page_cache_sync_ra(m, t, f, index, ra->ra_pages);
		return;
	}
	if (ra->mmap_miss < MMAP_LOTSAMISS * 10)
		ra->mmap_miss++;
	if (ra->mmap_miss > MMAP_LOTSAMISS)
		return;
	ra->start = index > ra->ra_pages / 2 ? index - ra->ra_pages / 2 : 0;
	ra->size = ra->ra_pages;
	ra->async_size = ra->ra_pages / 4;
	do_page_cache_ra(m, t, f, ra->start, ra->size, ra->async_size);
}

/* do_async_mmap_readahead */
static void do_async_mmap_readahead(struct machine *m, struct task_struct *t, struct vm_area_struct *vma,
				    unsigned long pfn, unsigned long index)
{
	struct file_ra_state *ra = &vma->vm_file->f_ra;

	if ((vma->vm_flags & VM_RAND_READ) || !ra->ra_pages)
		return;
	if (ra->mmap_miss)
		ra->mmap_miss--;
	if (page_test(pfn_to_page(m, pfn), PG_readahead))
		page_cache_async_ra(m, t, vma->vm_file, pfn, index, ra->ra_pages);
}

/*
 * filemap_fault: the page of a file mapping at addr, read in if needed
 * (a major fault).  Returns the pfn, -EFAULT past the end of the file
 * (SIGBUS) or -ENOMEM; *major tells whether the disk was read.
 */
long filemap_fault(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long addr,
		   bool *major)
{
	struct inode *inode = vma->vm_file->f_inode;
	struct address_space *mapping = &inode->i_data;
	unsigned long index = linear_page_index(vma, addr);
	long pfn;

	*major = false;
	if (index >= i_size_pages(inode))
		return -EFAULT;
	pfn = filemap_get_pfn(mapping, index);
	if (pfn >= 0) {
		do_async_mmap_readahead(m, t, vma, (unsigned long)pfn, index);
	} else if (mapping_is_shmem(mapping)) {
		/* shmem_fault: a new page, nothing to read */
		if ((pfn = page_cache_alloc(m, t)) < 0)
			return pfn;
		filemap_add_folio(m, mapping, (unsigned long)pfn, index);
	} else {
		*major = true;
		count_vm_event(m, PGMAJFAULT);
		t->maj_flt++;
		do_sync_mmap_readahead(m, t, vma, index);
		pfn = filemap_get_pfn(mapping, index);
		if (pfn < 0) {
			page_cache_ra_unbounded(m, t, mapping, index, 1, 0);
			if ((pfn = filemap_get_pfn(mapping, index)) < 0)
				return -ENOMEM;
		}
	}
	if (wait_on_page_read(m, t, mapping, index) && fatal_signal_pending(t))
		return -EINTR;
	return pfn;
}

/* do_read_fault: fault-around first, then filemap_fault */
long do_read_fault(struct machine *m, struct task_struct *t, struct vm_area_struct *vma, unsigned long addr,
		   bool *mapped)
{
	bool major;
	long pfn;

	*mapped = false;
	if (!mapping_is_shmem(&vma->vm_file->f_inode->i_data) && do_fault_around(m, t, vma, addr)) {
		*mapped = true;
		return 0;
	}
	pfn = filemap_fault(m, t, vma, addr, &major);
	if (pfn >= 0 && major)
		account_system_time(m, t, READ_COPY_COST_NS);
	return pfn;
}

/* ---------------------------------------------------------------- drop_caches */

/* mapping_evict_folio: clean, unmapped, not under writeback or read */
static bool folio_evictable_now(struct machine *m, struct address_space *mapping, unsigned long pfn)
{
	struct page *page = pfn_to_page(m, pfn);

	return page->_mapcount < 0 && !page_test(page, PG_dirty) && !page_test(page, PG_writeback) &&
	       !page_test(page, PG_mlocked) && !page_ready_at(m, mapping, (unsigned long)page->index);
}

/* invalidate_mapping_pages: what drop_caches 1 can free of one file */
unsigned long invalidate_mapping_pages(struct machine *m, struct address_space *mapping)
{
	unsigned long i = 0, freed = 0;
	uint64_t e;

	if (mapping_is_shmem(mapping))
		return 0;
	while ((e = xa_find(&mapping->i_pages, &i, ULONG_MAX))) {
		if (!xa_is_value(e) && folio_evictable_now(m, mapping, xa_to_pfn(e))) {
			filemap_remove_folio(m, xa_to_pfn(e));
			freed++;
		}
		i++;
	}
	return freed;
}

int drop_caches(struct machine *m, int mode)
{
	GHashTableIter it;
	gpointer k, v;

	if (mode < 1 || mode > 4)
		return -EINVAL;
	if (mode & 1) {
		g_hash_table_iter_init(&it, m->sb->inodes);
		while (g_hash_table_iter_next(&it, &k, &v))
			invalidate_mapping_pages(m, &((struct inode *)v)->i_data);
		for (guint i = 0; i < m->sb->unlinked->len; i++)
			invalidate_mapping_pages(m, &((struct inode *)g_ptr_array_index(m->sb->unlinked, i))->i_data);
		count_vm_event(m, DROP_PAGECACHE);
	}
	if (mode & 2) {
		drop_slab_caches(m);
		count_vm_event(m, DROP_SLAB);
	}
	machine_debug_check(m, "drop_caches");
	return 0;
}

/* ---------------------------------------------------------------- setup */

void sim_fs_init(struct machine *m)
{
	struct super_block *sb = g_new0(struct super_block, 1);

	sb->inodes = g_hash_table_new(g_str_hash, g_str_equal);
	sb->dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	sb->unlinked = g_ptr_array_new();
	sb->wb_inflight = g_ptr_array_new_with_free_func(g_free);
	sb->next_ino = 131073;  /* ext4's first inodes belong to the system */
	sb->disk.name = "sda";
	sb->disk.major = 8;
	sb->disk.minor = 0;
	sb->disk.latency_ns = m->cfg.disk_latency_ns;
	sb->disk.bandwidth = m->cfg.disk_bandwidth ? m->cfg.disk_bandwidth : 1;
	sb->bdi.ra_pages = VM_READAHEAD_PAGES;
	sb->bdi.io_pages = 1280 / 4;  /* max_sectors_kb 1280 */
	sb->bdi.min_ratio = 0;
	sb->bdi.max_ratio = 100;
	sb->bdi.write_bandwidth = sb->disk.bandwidth;
	g_queue_init(&sb->bdi.b_dirty);
	m->sb = sb;
}

void sim_fs_destroy(struct machine *m)
{
	GHashTableIter it;
	gpointer k, v;

	if (!m->sb)
		return;
	g_hash_table_iter_init(&it, m->sb->inodes);
	while (g_hash_table_iter_next(&it, &k, &v))
		inode_free(v);
	for (guint i = 0; i < m->sb->unlinked->len; i++)
		inode_free(g_ptr_array_index(m->sb->unlinked, i));
	g_ptr_array_free(m->sb->unlinked, TRUE);
	g_hash_table_destroy(m->sb->inodes);
	g_hash_table_destroy(m->sb->dirs);
	g_queue_clear(&m->sb->bdi.b_dirty);
	writeback_destroy(m);
	g_free(m->sb);
	m->sb = NULL;
}

/* prune_icache_sb, as drop_caches 2 reaches it: an inode nothing holds
 * (no open file, no mapping, nothing dirty or in flight) is evicted from
 * memory, and eviction truncates its page cache (counted in pginodesteal) */
static void prune_icache_sb(struct machine *m)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, m->sb->inodes);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct inode *inode = v;
		struct address_space *mapping = &inode->i_data;

		if (inode->kind == INODE_SHMEM || inode->i_count || mapping->i_mmap->len || mapping->nr_dirty ||
		    mapping->nr_writeback || !mapping->nrpages)
			continue;
		count_vm_events(m, PGINODESTEAL, invalidate_mapping_pages(m, mapping));
	}
}

/* drop_caches 2: the model's files first (their inodes hold page cache),
 * then every shrinker (mm/vmscan.c drop_slab: dentries, inodes) */
void drop_slab_caches(struct machine *m)
{
	prune_icache_sb(m);
	drop_slab(m);
}
