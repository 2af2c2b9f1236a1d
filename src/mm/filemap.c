/* placeholder while the page cache is written (replaced in this branch) */
#include <errno.h>
#include "mmsim/machine.h"
#include "mmsim/pagemap.h"
int sim_path_check(const char *path) { (void)path; return -ENOSYS; }
int sim_file_create(struct machine *m, const char *path, uint64_t size) { (void)m; (void)path; (void)size; return -ENOSYS; }
int sim_file_remove(struct machine *m, const char *path) { (void)m; (void)path; return -ENOSYS; }
struct inode *sim_file_lookup(struct machine *m, const char *path) { (void)m; (void)path; return NULL; }
bool sim_path_is_dir(struct machine *m, const char *path) { (void)m; (void)path; return false; }
GPtrArray *sim_files_sorted(struct machine *m) { (void)m; return g_ptr_array_new(); }
long sys_pread(struct machine *m, struct task_struct *t, const char *path, uint64_t off, uint64_t len) { (void)m; (void)t; (void)path; (void)off; (void)len; return -ENOSYS; }
long sys_pwrite(struct machine *m, struct task_struct *t, const char *path, uint64_t off, uint64_t len) { (void)m; (void)t; (void)path; (void)off; (void)len; return -ENOSYS; }
int sys_fsync(struct machine *m, struct task_struct *t, const char *path) { (void)m; (void)t; (void)path; return -ENOSYS; }
long sys_mmap_file(struct machine *m, struct task_struct *t, unsigned long addr, unsigned long len, int prot, int flags, const char *path, unsigned long pgoff) { (void)m; (void)t; (void)addr; (void)len; (void)prot; (void)flags; (void)path; (void)pgoff; return -ENOSYS; }
int drop_caches(struct machine *m, int mode) { (void)m; (void)mode; return -ENOSYS; }
void global_dirty_limits(struct machine *m, unsigned long *b, unsigned long *d) { (void)m; *b = *d = 0; }
unsigned long global_dirtyable_memory(struct machine *m) { (void)m; return 0; }
int bdi_set_read_ahead_kb(struct machine *m, unsigned long kb) { (void)m; (void)kb; return -ENOSYS; }
