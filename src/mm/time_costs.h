/*
 * The simulated time kernel work takes: every cost in one table.
 *
 * A task's CPU time moves the simulated clock (sched.c): while a command
 * faults in 1 GiB the clock advances, and the kernel threads (kswapd, the
 * I/O completions, the periodic work) run in the same interval.  The
 * figures are what these paths take on a current x86 core (a 2-4 GHz
 * server part, mitigations on); the disk's own latency and bandwidth are
 * the machine's (disk_latency_us, disk_bandwidth), not in this table.
 *
 *   cost                  ns    what it stands for, where measured
 *   FAULT_COST_NS        500    a minor fault on fresh anonymous memory:
 *                               trap, handle_mm_fault, clear_page, return
 *                               (will-it-scale page_fault1: ~2 M/s a core)
 *   PAGE_COPY_COST_NS    400    copy_user_page of a copy-on-write fault
 *   READ_COPY_COST_NS    120    copy_page_to_iter of one cached page
 *                               (read(2) from the page cache: ~30 GB/s)
 *   SCAN_COST_NS          80    isolating one folio from an LRU list and
 *                               checking its references (perf of
 *                               shrink_inactive_list on kswapd)
 *   KCOMPACTD_SCAN_COST_NS 20  a page compaction's scanners look at
 *                               (isolate_migratepages_block's loop)
 *   RECLAIM_FREE_COST_NS 200    __remove_mapping and the free of a
 *                               reclaimed clean folio
 *   SWAP_OUT_COST_NS    1500    add_to_swap, try_to_unmap with its TLB
 *                               flush and the bio of one page sent to swap
 *   KTHREAD_WAKEUP_NS   5000    a woken kernel thread starts on an idle
 *                               CPU (wake-up latency, cyclictest-like)
 *   SCHED_SLICE_NS    100000    the scheduler interleaves the faulting
 *                               task and the kernel threads at least this
 *                               often (sched_min_granularity is 0.75 ms;
 *                               finer here, for a smooth picture)
 */
#ifndef MMSIM_TIME_COSTS_H
#define MMSIM_TIME_COSTS_H

#define FAULT_COST_NS 500
#define PAGE_COPY_COST_NS 400
#define READ_COPY_COST_NS 120
#define SCAN_COST_NS 80
#define KCOMPACTD_SCAN_COST_NS 20
#define RECLAIM_FREE_COST_NS 200
#define SWAP_OUT_COST_NS 1500
#define KTHREAD_WAKEUP_NS 5000
#define SCHED_SLICE_NS 100000

#endif
