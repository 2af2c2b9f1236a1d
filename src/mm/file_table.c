/*
 * fs/file_table.c and fs/file.c in outline: open files.
 *
 * Models:
 * - struct file: a reference on its inode, a file_ra_state per open
 * - each task keeps its files open from first use until exit
 * - fork shares the parent's open files with the child (dup_fd)
 * - a mapping of a file holds a reference on its struct file
 * - the last fput of a deleted file nothing maps evicts its inode
 * - descriptors: 0, 1 and 2 are /dev/null (a daemon's standard streams),
 *   each open file takes the lowest free number from 3, as alloc_fd;
 *   a child of fork has its parent's numbers
 * Simplifies:
 * - a task has one open file per inode, opened O_RDWR, never closed
 *   before exit (pread and pwrite leave its position at 0)
 * - rmfile closes every task's descriptor of the file at once
 */
#include "fs_internal.h"
#include "mm_internal.h"
#include "mmsim/mount.h"

struct file *file_alloc(struct machine *m, struct inode *inode)
{
	struct file *f = g_new0(struct file, 1);

	f->f_inode = inode;
	f->f_count = 1;
	f->f_ra.ra_pages = m->sb->bdi.ra_pages;
	f->f_ra.prev_pos = -1;
	inode->i_count++;
	return f;
}

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

static gint cmp_int(gconstpointer a, gconstpointer b)
{
	return *(const int *)a - *(const int *)b;
}

GArray *task_fds(struct task_struct *t)
{
	GArray *fds = g_array_new(FALSE, FALSE, sizeof(int));
	GHashTableIter it;
	gpointer k, v;

	if (!task_has_stdio(t))
		return fds;
	for (int fd = 0; fd < NR_STDIO_FDS; fd++)
		g_array_append_val(fds, fd);
	if (t->files) {
		g_hash_table_iter_init(&it, t->files);
		while (g_hash_table_iter_next(&it, &k, &v))
			g_array_append_val(fds, ((struct file *)v)->f_fd);
	}
	g_array_sort(fds, cmp_int);
	return fds;
}

/* alloc_fd: the lowest number from 3 that no open file of t has */
static int alloc_fd(struct task_struct *t)
{
	GArray *fds = task_fds(t);
	int fd = NR_STDIO_FDS;

	for (guint i = 0; i < fds->len; i++)
		if (g_array_index(fds, int, i) == fd)
			fd++;
	g_array_free(fds, TRUE);
	return fd;
}

bool task_has_stdio(const struct task_struct *t)
{
	return !(t->flags & PF_KTHREAD);
}

struct file *fget_task(struct task_struct *t, int fd)
{
	GHashTableIter it;
	gpointer k, v;

	if (fd < NR_STDIO_FDS || !t->files)
		return NULL;
	g_hash_table_iter_init(&it, t->files);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (((struct file *)v)->f_fd == fd)
			return v;
	return NULL;
}

bool task_fd_open(struct task_struct *t, int fd)
{
	if (fd < 0 || !task_has_stdio(t))
		return false;
	return fd < NR_STDIO_FDS || fget_task(t, fd) != NULL;
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
		f->f_fd = alloc_fd(t);
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

/* Close every task's descriptor of inode (rmfile: see sim_file_remove) */
void close_all_files_of(struct machine *m, struct inode *inode)
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

/* get_nr_files: each struct file once, those tasks share by fork too;
 * the standard streams' /dev/null is one file */
unsigned long get_nr_files(struct machine *m)
{
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTableIter it, fit;
	gpointer k, v, fk, fv;
	unsigned long nr = 1;

	g_hash_table_iter_init(&it, m->tasks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct task_struct *t = v;

		if (t->exe_files && g_hash_table_add(seen, t->exe_files))
			nr += (unsigned long)task_files_nr(t->exe_files);
		if (!t->files)
			continue;
		g_hash_table_iter_init(&fit, t->files);
		while (g_hash_table_iter_next(&fit, &fk, &fv))
			if (g_hash_table_add(seen, fv))
				nr++;
	}
	g_hash_table_destroy(seen);
	return nr;
}

/* --debug-vm: each task's descriptors are distinct and from 3, and a
 * file is referenced at least by every table that holds it */
char *files_check_invariants(struct machine *m)
{
	GHashTable *holders = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTableIter it, fit;
	gpointer k, v, fk, fv;
	char *err = NULL;

	g_hash_table_iter_init(&it, m->tasks);
	while (!err && g_hash_table_iter_next(&it, &k, &v)) {
		struct task_struct *t = v;
		GArray *fds = task_fds(t);

		for (guint i = 1; !err && i < fds->len; i++)
			if (g_array_index(fds, int, i) == g_array_index(fds, int, i - 1))
				err = g_strdup_printf("task %d: descriptor %d twice", t->pid, g_array_index(fds, int, i));
		g_array_free(fds, TRUE);
		if (!t->files)
			continue;
		g_hash_table_iter_init(&fit, t->files);
		while (!err && g_hash_table_iter_next(&fit, &fk, &fv)) {
			struct file *f = fv;
			int n = GPOINTER_TO_INT(g_hash_table_lookup(holders, f)) + 1;

			if (f->f_fd < NR_STDIO_FDS || f->f_inode != fk)
				err = g_strdup_printf("task %d: file %s at descriptor %d", t->pid, f->f_inode->path, f->f_fd);
			else if (f->f_count < n)
				err = g_strdup_printf("file %s: f_count %d below its %d tables", f->f_inode->path, f->f_count, n);
			g_hash_table_insert(holders, f, GINT_TO_POINTER(n));
		}
	}
	g_hash_table_destroy(holders);
	return err;
}
