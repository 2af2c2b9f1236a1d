/*
 * The cgroup v2 hierarchy in the engine: mkdir/rmdir errors, the
 * hierarchy limits, the no-internal-process rule, pids.max and the
 * counts the --debug-vm check verifies.
 */
#include <errno.h>

#include "mmsim/cgroup.h"
#include "unit_util.h"

static void test_mkdir_rmdir(void)
{
	struct machine *m = unit_machine(256 * MiB, 0, true);
	struct cgroup *a, *b, *x;

	g_assert_nonnull(cgroup_lookup(m, "/init.scope"));
	g_assert_cmpint(cgroup_mkdir(m, m->cgrp_root, "a", &a), ==, 0);
	g_assert_cmpint(cgroup_mkdir(m, m->cgrp_root, "a", &x), ==, -EEXIST);
	g_assert_cmpint(cgroup_mkdir(m, a, "x\ny", &x), ==, -EINVAL);
	g_assert_cmpint(cgroup_mkdir(m, a, "..", &x), ==, -EINVAL);
	g_assert_cmpint(cgroup_mkdir(m, a, "b", &b), ==, 0);
	g_assert_true(cgroup_lookup(m, "/a/b") == b);
	g_assert_true(cgroup_lookup(m, "a//b/") == b);
	g_assert_null(cgroup_lookup(m, "/a/c"));
	g_assert_cmpint(m->cgrp_root->nr_descendants, ==, 3);
	g_assert_cmpint(cgroup_rmdir(m, a), ==, -EBUSY);
	g_assert_cmpint(cgroup_rmdir(m, m->cgrp_root), ==, -EBUSY);
	{
		g_autofree char *p = cgroup_path_dup(b);

		g_assert_cmpstr(p, ==, "/a/b");
	}
	g_assert_cmpint(cgroup_rmdir(m, b), ==, 0);
	g_assert_cmpint(cgroup_rmdir(m, a), ==, 0);
	g_assert_cmpint(m->cgrp_root->nr_descendants, ==, 1);
	check(m);
	machine_destroy(m);
}

static void test_limits(void)
{
	struct machine *m = unit_machine(256 * MiB, 0, true);
	struct cgroup *a, *b, *x;

	g_assert_cmpint(cgroup_mkdir(m, m->cgrp_root, "a", &a), ==, 0);
	a->max_depth = 1;
	g_assert_cmpint(cgroup_mkdir(m, a, "b", &b), ==, 0);
	g_assert_cmpint(cgroup_mkdir(m, b, "c", &x), ==, -EAGAIN);
	a->max_depth = CGROUP_MAX_UNLIMITED;
	a->max_descendants = 1;
	g_assert_cmpint(cgroup_mkdir(m, a, "d", &x), ==, -EAGAIN);
	g_assert_cmpint(cgroup_mkdir_p(m, "/a/b/c", &x, &b), ==, -EAGAIN);
	g_assert_null(b);
	check(m);
	machine_destroy(m);
}

static void test_tasks_and_pids(void)
{
	struct machine *m = unit_machine(256 * MiB, 0, true);
	struct task_struct *t, *child;
	struct cgroup *a, *b, *made;

	g_assert_cmpint(cgroup_mkdir_p(m, "/a/b", &b, &made), ==, 0);
	g_assert_true(made == b->parent);
	a = b->parent;
	g_assert_cmpint(sys_spawn(m, "web", 0, "/a/b", &t), >, 0);
	g_assert_true(t->cgroups == b);
	g_assert_cmpint(a->nr_populated, ==, 1);
	g_assert_cmpint(sys_fork(m, t, NULL, 0, &child), >, 0);
	g_assert_true(child->cgroups == b);
	g_assert_cmpint(a->nr_populated, ==, 2);
	/* a's limit holds for b */
	pids_max_set(a, 2);
	g_assert_cmpint(sys_fork(m, t, NULL, 0, NULL), ==, -EAGAIN);
	g_assert_cmpuint(a->pids_events_max, ==, 1);
	/* moving is not limited; a with tasks may not give controllers away */
	g_assert_cmpint(cgroup_attach_task(m, child, a), ==, 0);
	g_assert_cmpint(cgroup_subtree_control_apply(m, a, 1u << pids_cgrp_id, 0), ==, -EBUSY);
	g_assert_cmpint(cgroup_attach_task(m, child, m->cgrp_root), ==, 0);
	g_assert_cmpint(cgroup_subtree_control_apply(m, a, 1u << pids_cgrp_id, 0), ==, 0);
	g_assert_cmpint(cgroup_attach_task(m, child, a), ==, -EBUSY);
	g_assert_cmpint(cgroup_subtree_control_apply(m, b, 1u << memory_cgrp_id, 0), ==, -ENOENT);
	g_assert_cmpint(sys_exit(m, t), ==, 0);
	g_assert_cmpint(a->nr_populated, ==, 0);
	g_assert_cmpint(a->pids_peak, ==, 2);
	/* a refused spawn leaves no cgroup it made */
	pids_max_set(a, 0);
	g_assert_cmpint(sys_spawn(m, "db", 0, "/a/new/deeper", NULL), ==, -EAGAIN);
	g_assert_null(cgroup_lookup(m, "/a/new"));
	g_assert_cmpint(cgroup_rmdir(m, b), ==, 0);
	check(m);
	machine_destroy(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cgroup/mkdir_rmdir", test_mkdir_rmdir);
	g_test_add_func("/cgroup/limits", test_limits);
	g_test_add_func("/cgroup/tasks_and_pids", test_tasks_and_pids);
	return g_test_run();
}
