/*
 * fs/file_table.c and fs/file.c in outline: open files.
 *
 * Models:
 * - struct file: a reference on its inode, a file_ra_state per open
 * - each task keeps its files open from first use until exit
 * - fork shares the parent's open files with the child (dup_fd)
 * - a mapping of a file holds a reference on its struct file
 * - the last fput of a deleted file nothing maps evicts its inode
 * Simplifies:
 * - no descriptor numbers: a task has one open file per inode
 * - rmfile closes every task's descriptor of the file at once
 */
#include "fs_internal.h"
#include "mm_internal.h"

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
