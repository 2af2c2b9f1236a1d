/*
 * Background workloads: a process that keeps touching a range of its
 * address space at a rate of simulated time, run by a scheduler tick on
 * each CPU (kernel/sched/core.c sched_tick, cputime.c in outline).
 *
 * Models:
 * - a workload is a busy process: running (R) from `run` to `stop`, its
 *   exit or the end of for=; it touches rate bytes per simulated second
 *   of its range, round-robin over the pages, with loads or stores that
 *   take the fault path of any access (faults, COW, swap-in, reclaim,
 *   OOM, SIGSEGV if the range goes away)
 * - every CPU ticks each jiffy while a workload exists; at its tick a CPU
 *   charges the workload that ran since its last tick (user time: the
 *   interval less its kernel time and waits; tick-based accounting, as
 *   account_process_tick) and puts the next workload of its CPU on it,
 *   round-robin (several on one CPU share it tick by tick, each switch an
 *   involuntary context switch), which then touches what its rate owes
 * - its faults are system time on its CPU; a tick's kernel time beyond
 *   the tick is a debt the next ticks pay before any user time
 * - the running workloads are nr_running (procs_running, the load
 *   average, loadavg's running count)
 * Simplifies:
 * - a workload's faults do not move the clock (a command's do): the CPU
 *   runs them within its tick; its waits (I/O, throttling) do, as a
 *   command's, and the other CPUs tick meanwhile
 * - a tick that comes while another task is in a system call on the
 *   stack below it (a command's, or a step's wait with one below it)
 *   runs no touches: what the rate owes waits for its next tick
 * - what the rate owes is at most one pass over the range
 * - no load balancing: a workload stays on its task's CPU
 */
#include <errno.h>

#include "mm_internal.h"
#include "mm_internal_proc.h"
#include "workload_internal.h"

/* Pages per call of the fault path: the CPU budget is looked at between */
#define TOUCH_BATCH 64UL

struct workload {
	struct task_struct *task;
	int pid;
	struct workload_args a;
	unsigned long nr_pages;
	unsigned long pos;        /* the next page to touch */
	uint64_t end_ns;          /* for=: when it ends (0: never) */
	uint64_t last_ns;         /* the rate has accrued up to here */
	uint64_t credit;          /* bytes the rate owes */
	uint64_t frac;            /* the remainder of the accrual, in byte-ns */
	uint64_t touched;         /* bytes touched */
	bool in_step;
	bool dead;                /* ended in its step: freed when it returns */
};

static void scheduler_tick(struct machine *m, void *arg);
static void workload_end_timer(struct machine *m, void *arg);

static struct workload *find_workload(const struct machine *m, const struct task_struct *t)
{
	struct workload_state *ws = m->workloads;

	for (guint i = 0; ws && i < ws->list->len; i++) {
		struct workload *w = g_ptr_array_index(ws->list, i);

		if (w->task == t)
			return w;
	}
	return NULL;
}

static struct workload_state *workload_state_get(struct machine *m)
{
	struct workload_state *ws = m->workloads;

	if (ws)
		return ws;
	ws = g_new0(struct workload_state, 1);
	ws->list = g_ptr_array_new();
	ws->rq = g_new0(struct wl_rq, (gsize)m->nr_cpus);
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		ws->rq[cpu].cpu = cpu;
	m->workloads = ws;
	return ws;
}

/* The first jiffy boundary after `ns` */
static uint64_t next_jiffy(uint64_t ns)
{
	return (ns / NSEC_PER_JIFFY + 1) * NSEC_PER_JIFFY;
}

/* account_user_time: the task's and its CPU's */
static void account_user_time(struct machine *m, struct task_struct *t, uint64_t ns)
{
	struct cpu_state *c = &m->cpus[t->cpu];

	t->utime_ns += ns;
	c->user_ns += ns;
	c->user = c->user_ns / (NSEC_PER_SEC / USER_HZ);
}

/* put_prev_task: the workload on rq leaves the CPU; the time since it
 * came, less its kernel time and waits (and the CPU's debt), is its user
 * time */
static void put_prev(struct machine *m, struct wl_rq *rq)
{
	struct workload *w = rq->curr;
	uint64_t ran, kernel;

	if (!w)
		return;
	rq->curr = NULL;
	ran = m->now_ns - rq->since;
	kernel = w->task->stime_ns - rq->stime_at + rq->waited + rq->debt;
	rq->debt = kernel > ran ? kernel - ran : 0;
	if (ran > kernel)
		account_user_time(m, w->task, ran - kernel);
}

static void set_next(struct machine *m, struct wl_rq *rq, struct workload *w)
{
	rq->curr = w;
	rq->since = m->now_ns;
	rq->stime_at = w->task->stime_ns;
	rq->waited = 0;
}

/* The bytes the rate owes up to `now` (at most one pass over the range) */
static void workload_accrue(struct workload *w, uint64_t now)
{
	uint64_t pass = (uint64_t)w->nr_pages << PAGE_SHIFT, add;
	unsigned __int128 b;

	if (w->end_ns && now > w->end_ns)
		now = w->end_ns;
	if (now <= w->last_ns)
		return;
	b = (unsigned __int128)w->a.rate * (now - w->last_ns) + w->frac;
	w->frac = (uint64_t)(b % NSEC_PER_SEC);
	b /= NSEC_PER_SEC;
	add = b > pass ? pass : (uint64_t)b;
	w->credit = MIN(w->credit + add, pass);
	w->last_ns = now;
}

/* Another task is in a system call below this tick, or the workload's own
 * process is (a command of it runs): no touches now */
static bool workload_may_touch(const struct machine *m, const struct workload *w)
{
	return !m->preempted && m->current != w->task;
}

/* The touches the rate owes, TOUCH_BATCH pages a call, until the CPU's
 * tick is spent; the task may die in them (w->dead) */
static void workload_touch(struct machine *m, struct workload *w)
{
	struct task_struct *t = w->task;
	uint64_t stime0 = t->stime_ns;

	while (w->credit >= PAGE_SIZE) {
		unsigned long n = MIN(w->credit >> PAGE_SHIFT, MIN(TOUCH_BATCH, w->nr_pages - w->pos));
		int err = access_process_range_fill(m, t, w->a.start + (w->pos << PAGE_SHIFT), n << PAGE_SHIFT,
						    w->a.write, NULL);

		if (w->dead || err)
			break;
		w->pos = (w->pos + n) % w->nr_pages;
		w->credit -= (uint64_t)n << PAGE_SHIFT;
		w->touched += (uint64_t)n << PAGE_SHIFT;
		if (t->stime_ns - stime0 >= NSEC_PER_JIFFY)
			break;
	}
}

/* One step: the owed touches, as the task's own, with whatever ran on
 * this stack below it kept safe from the OOM killer (m->preempted);
 * returns the time its waits took */
static uint64_t workload_step(struct machine *m, struct workload *w)
{
	struct workload_state *ws = m->workloads;
	struct task_struct *cur = m->current, *pre = m->preempted, *stepping = ws->stepping;
	uint64_t t0 = m->now_ns;

	workload_accrue(w, m->now_ns);
	if (!workload_may_touch(m, w) || w->credit < PAGE_SIZE)
		return 0;
	m->preempted = cur;
	m->current = NULL;
	ws->stepping = w->task;
	w->in_step = true;
	workload_touch(m, w);
	w->in_step = false;
	ws->stepping = stepping;
	m->current = cur;
	m->preempted = pre;
	return m->now_ns - t0;
}

/* The workload leaves the machine: off its CPU, out of the list, its
 * task no longer running; freed unless its step is on the stack */
static void workload_unlink(struct machine *m, struct workload *w, bool task_lives)
{
	struct workload_state *ws = m->workloads;

	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (ws->rq[cpu].curr == w)
			put_prev(m, &ws->rq[cpu]);
	g_ptr_array_remove(ws->list, w);
	m->nr_running--;
	if (w->end_ns)
		del_timer(m, workload_end_timer, w);
	if (task_lives && w->task->state == 'R')
		w->task->state = 'S';
	if (!ws->list->len && ws->ticking) {
		ws->ticking = false;
		for (int cpu = 0; cpu < m->nr_cpus; cpu++)
			del_timer(m, scheduler_tick, &ws->rq[cpu]);
	}
	if (w->in_step)
		w->dead = true;
	else
		g_free(w);
}

/* After a step: a workload that died in it is freed, one whose for= has
 * passed ends */
static void workload_after_step(struct machine *m, struct workload *w)
{
	if (w->dead)
		g_free(w);
	else if (w->end_ns && m->now_ns >= w->end_ns)
		workload_unlink(m, w, true);
}

/* The next workload of rq's CPU after its current one, round-robin in
 * start order */
static struct workload *pick_next(struct workload_state *ws, struct wl_rq *rq, struct workload *prev)
{
	guint n = ws->list->len, from = 0;

	if (prev) {
		for (guint i = 0; i < n; i++)
			if (g_ptr_array_index(ws->list, i) == prev)
				from = i + 1;
	}
	for (guint k = 0; k < n; k++) {
		struct workload *w = g_ptr_array_index(ws->list, (from + k) % n);

		if (w->task->cpu == rq->cpu && !w->in_step)
			return w;
	}
	return NULL;
}

/* sched_tick on one CPU: charge the workload that ran, put the next one
 * on, let it touch what it owes; the next tick a jiffy on (or the first
 * jiffy after its waits) */
static void scheduler_tick(struct machine *m, void *arg)
{
	struct wl_rq *rq = arg;
	struct workload_state *ws = m->workloads;
	struct workload *prev = rq->curr, *w;
	uint64_t tick = m->now_ns;

	/* an interrupt, not a kernel thread that woke: no context switch
	 * unless the workload changes (machine_advance counted two) */
	m->nr_context_switches -= 2;
	rq->in_tick = true;
	put_prev(m, rq);
	w = pick_next(ws, rq, prev);
	if (w) {
		if (prev && prev != w) {
			prev->task->nivcsw++;
			m->nr_context_switches++;
		}
		set_next(m, rq, w);
		rq->waited += workload_step(m, w);
		workload_after_step(m, w);
	}
	rq->in_tick = false;
	if (ws->ticking)
		mod_timer(m, MAX(tick + NSEC_PER_JIFFY, next_jiffy(m->now_ns - 1)), "scheduler_tick", scheduler_tick,
			  rq);
}

/* for= has passed: the last touches, then the workload ends (in its own
 * step, waiting, it ends when that returns) */
static void workload_end_timer(struct machine *m, void *arg)
{
	struct workload *w = arg;

	m->nr_context_switches -= 2;   /* the workload's own timer: no thread woke */
	if (w->in_step)
		return;
	workload_step(m, w);
	workload_after_step(m, w);
}

int workload_start(struct machine *m, struct task_struct *t, const struct workload_args *a)
{
	struct workload_state *ws;
	struct workload *w;

	if (!t->mm || (t->flags & PF_KTHREAD) || t->state == 'Z')
		return -EINVAL;
	if (!a->len || a->start + a->len < a->start || !a->rate || a->rate > WORKLOAD_MAX_RATE)
		return -EINVAL;
	if (find_workload(m, t))
		return -EBUSY;
	ws = workload_state_get(m);
	w = g_new0(struct workload, 1);
	w->task = t;
	w->pid = t->pid;
	w->a = *a;
	w->a.start &= PAGE_MASK;
	w->nr_pages = (a->start + a->len - w->a.start + PAGE_SIZE - 1) >> PAGE_SHIFT;
	w->last_ns = m->now_ns;
	if (a->duration_ns) {
		w->end_ns = m->now_ns + a->duration_ns;
		mod_timer(m, w->end_ns, "workload_end", workload_end_timer, w);
	}
	g_ptr_array_add(ws->list, w);
	m->nr_running++;
	t->state = 'R';
	if (!ws->ticking) {
		ws->ticking = true;
		for (int cpu = 0; cpu < m->nr_cpus; cpu++)
			mod_timer(m, next_jiffy(m->now_ns), "scheduler_tick", scheduler_tick, &ws->rq[cpu]);
	}
	return 0;
}

int workload_stop(struct machine *m, struct task_struct *t)
{
	struct workload *w = find_workload(m, t);

	if (!w)
		return -EINVAL;
	workload_unlink(m, w, true);
	return 0;
}

bool workload_info(const struct machine *m, const struct task_struct *t, struct workload_args *a,
		   uint64_t *touched)
{
	const struct workload *w = find_workload(m, t);

	if (!w)
		return false;
	if (a)
		*a = w->a;
	if (touched)
		*touched = w->touched;
	return true;
}

void workload_exit(struct machine *m, struct task_struct *t)
{
	struct workload *w = find_workload(m, t);

	if (w)
		workload_unlink(m, w, false);
}

void workload_destroy(struct machine *m)
{
	struct workload_state *ws = m->workloads;

	if (!ws)
		return;
	for (guint i = 0; i < ws->list->len; i++)
		g_free(g_ptr_array_index(ws->list, i));
	g_ptr_array_free(ws->list, TRUE);
	g_free(ws->rq);
	g_free(ws);
	m->workloads = NULL;
}

/* Timers of fn(arg) pending */
static unsigned int timers_pending(const struct machine *m, timer_fn fn, const void *arg)
{
	unsigned int n = 0;

	for (guint i = 0; i < m->timers->len; i++) {
		const struct sim_timer *tm = &g_array_index(m->timers, struct sim_timer, i);

		n += tm->fn == fn && tm->arg == arg;
	}
	return n;
}

static char *workload_check_one(const struct machine *m, const struct workload *w)
{
	const struct task_struct *t = find_task_by_pid((struct machine *)m, w->pid);
	unsigned int ends = timers_pending(m, workload_end_timer, w);

	if (t != w->task || !t->mm || w->dead)
		return g_strdup_printf("workload of pid %d: its task is gone", w->pid);
	if (t->state != 'R' && t->state != 'D')
		return g_strdup_printf("workload of pid %d: task state %c, not running", w->pid, t->state);
	if (!w->nr_pages || w->pos >= w->nr_pages || w->credit > (uint64_t)w->nr_pages << PAGE_SHIFT)
		return g_strdup_printf("workload of pid %d: position %lu or credit %" G_GUINT64_FORMAT
				       " outside its %lu pages", w->pid, w->pos, w->credit, w->nr_pages);
	if (w->in_step ? ends > 1 : ends != (w->end_ns ? 1U : 0U))
		return g_strdup_printf("workload of pid %d: %u end timers pending", w->pid, ends);
	return NULL;
}

char *workload_check(struct machine *m)
{
	struct workload_state *ws = m->workloads;
	guint n = ws ? ws->list->len : 0;

	if (m->nr_running != (int)n)
		return g_strdup_printf("nr_running %d with %u workloads", m->nr_running, n);
	if (!ws)
		return NULL;
	if (ws->ticking != (n > 0))
		return g_strdup_printf("%u workloads, ticks %s", n, ws->ticking ? "armed" : "stopped");
	for (int cpu = 0; cpu < m->nr_cpus; cpu++) {
		const struct wl_rq *rq = &ws->rq[cpu];
		unsigned int ticks = timers_pending(m, scheduler_tick, rq);

		if (ticks != (ws->ticking && !rq->in_tick ? 1U : 0U))
			return g_strdup_printf("cpu%d: %u scheduler ticks pending", cpu, ticks);
		if (rq->curr && (!g_ptr_array_find(ws->list, rq->curr, NULL)))
			return g_strdup_printf("cpu%d: its current workload is gone", cpu);
	}
	for (guint i = 0; i < n; i++) {
		char *err = workload_check_one(m, g_ptr_array_index(ws->list, i));

		if (err)
			return err;
	}
	return NULL;
}
