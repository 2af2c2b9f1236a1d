/* The tracing core without a mount: enable state, ring buffer limits and
 * overwrite, consuming, filters, the kernel's field layout. */
#include <errno.h>
#include <string.h>

#include "mmsim/gfp.h"
#include "mmsim/trace_events.h"
#include "unit_util.h"

static size_t held(struct machine *m)
{
	size_t n = 0;

	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		n += m->trace->cpu[cpu].len;
	return n;
}

static void test_disabled_records_nothing(void)
{
	struct machine *m = unit_machine(256 * MiB, 0, true);
	long pfn = __alloc_pages(m, GFP_KERNEL, 3, 0, 0);

	g_assert_cmpint(pfn, >=, 0);
	g_assert_cmpuint(held(m), ==, 0);
	trace_event_enable(m, TE_mm_page_alloc, true);
	g_assert_cmpint(__alloc_pages(m, GFP_KERNEL, 3, 0, 0), >=, 0);
	g_assert_cmpuint(held(m), ==, 1);
	g_assert_cmpuint(trace_cpu_entry(m, 0, 0)->args[1], ==, 3);
	machine_destroy(m);
}

static void count_cb(const struct trace_entry *e, int cpu, void *data)
{
	(void)e;
	(void)cpu;
	(*(int *)data)++;
}

static void test_buffer_limit_overwrites_oldest(void)
{
	struct machine *m = unit_machine(256 * MiB, 0, true);
	const struct trace_cpu_buffer *b = &m->trace->cpu[0];
	uint64_t first_seq;
	int n = 0;

	g_assert_cmpint(tracing_resize_ring_buffer(m, 0), ==, -EINVAL);
	g_assert_cmpint(tracing_resize_ring_buffer(m, 1), ==, 0);
	trace_event_enable(m, TE_mm_vmscan_direct_reclaim_end, true);
	for (int i = 0; i < 1000; i++)
		trace_mm_vmscan_direct_reclaim_end(m, (unsigned long)i);
	g_assert_cmpuint(b->bytes, <=, 1024);
	g_assert_cmpuint(b->len + b->overrun, ==, 1000);
	g_assert_cmpuint(b->overrun, >, 0);
	/* the newest survive */
	g_assert_cmpuint(trace_cpu_entry(m, 0, b->len - 1)->args[0], ==, 999);
	first_seq = trace_cpu_entry(m, 0, 0)->seq;
	g_assert_cmpuint(first_seq, ==, b->overrun);
	g_assert_null(trace_check_invariants(m));
	while (trace_consume(m, -1, count_cb, &n))
		;
	g_assert_cmpint(n, ==, (int)(1000 - b->overrun));
	g_assert_cmpuint(held(m), ==, 0);
	machine_destroy(m);
}

static void test_filters(void)
{
	struct machine *m = unit_machine(256 * MiB, 0, true);
	char *err = NULL;

	trace_event_enable(m, TE_mm_page_alloc, true);
	g_assert_cmpint(trace_filter_set(m, TE_mm_page_alloc, "order >= 2 && !(migratetype == 1)", &err), ==, 0);
	trace_mm_page_alloc(m, 10, 1, GFP_KERNEL, 0);
	trace_mm_page_alloc(m, 20, 2, GFP_KERNEL, 1);
	trace_mm_page_alloc(m, 30, 3, GFP_KERNEL, 0);
	g_assert_cmpuint(held(m), ==, 1);
	g_assert_cmpuint(trace_cpu_entry(m, 0, 0)->args[0], ==, 30);
	g_assert_cmpint(trace_filter_set(m, TE_mm_page_alloc, "order > ", &err), ==, -EINVAL);
	g_assert_nonnull(err);
	g_free(err);
	err = NULL;
	g_assert_cmpint(trace_filter_set(m, TE_mm_page_alloc, "nosuch == 1", &err), ==, -EINVAL);
	g_assert_cmpstr(err, ==, "Field not found");
	g_free(err);
	g_assert_cmpstr(m->trace->filter_text[TE_mm_page_alloc], ==, "order >= 2 && !(migratetype == 1)");
	g_assert_cmpint(trace_filter_set(m, TE_mm_page_alloc, "comm == \"<idle>\" || common_pid > 5", &err), ==, 0);
	g_assert_cmpint(trace_filter_set(m, TE_mm_page_alloc, "0", &err), ==, 0);
	g_assert_null(m->trace->filter[TE_mm_page_alloc]);
	machine_destroy(m);
}

static void test_field_offsets(void)
{
	/* mm_page_alloc: pfn 8, order 16, gfp_flags 24, migratetype 32 */
	g_assert_cmpuint(trace_field_offset(TE_mm_page_alloc, 2), ==, 24);
	g_assert_cmpuint(trace_field_offset(TE_mm_page_alloc, 3), ==, 32);
	/* oom_score_adj_update: pid 8, comm[16] 12, oom_score_adj 28 */
	g_assert_cmpuint(trace_field_offset(TE_oom_score_adj_update, 1), ==, 12);
	g_assert_cmpuint(trace_field_offset(TE_oom_score_adj_update, 2), ==, 28);
	g_assert_cmpint(trace_event_find("kmem", "mm_page_alloc"), ==, TE_mm_page_alloc);
	g_assert_cmpint(trace_event_find("vmscan", "mm_page_alloc"), ==, -1);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/trace/disabled_records_nothing", test_disabled_records_nothing);
	g_test_add_func("/trace/buffer_limit_overwrites_oldest", test_buffer_limit_overwrites_oldest);
	g_test_add_func("/trace/filters", test_filters);
	g_test_add_func("/trace/field_offsets", test_field_offsets);
	return g_test_run();
}
