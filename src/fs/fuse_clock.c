/*
 * The realtime clock's thread: with --clock=realtime simulated time keeps
 * up with the wall clock even while nobody reads the tree, so the
 * workloads and the kernel threads run live (a `vmstat 1` sees a machine
 * that moved).  Every CLOCK_PERIOD it takes the model lock and brings the
 * clock up to the wall clock, at most CLOCK_STEP at a time, letting go of
 * the lock between steps so that readers and writers get their turn.
 */
#include "fuse_internal.h"

#define CLOCK_PERIOD_US (20 * 1000)
#define CLOCK_STEP_NS (20 * 1000 * 1000ULL)

static gpointer clock_thread_fn(gpointer data)
{
	struct mmsim_fs *fs = data;

	g_mutex_lock(&fs->clock_lock);
	while (!fs->clock_stop) {
		bool behind = true;

		g_mutex_unlock(&fs->clock_lock);
		while (behind) {
			uint64_t want;

			mmsim_fs_lock(fs);
			want = (uint64_t)(g_get_monotonic_time() - fs->start_mono_us) * 1000;
			if (want > fs->m->now_ns + CLOCK_STEP_NS && !fs->m->panicked) {
				machine_advance(fs->m, CLOCK_STEP_NS);
			} else {
				mmsim_fs_sync_clock(fs);
				behind = false;
			}
			mmsim_fs_unlock(fs);
		}
		g_mutex_lock(&fs->clock_lock);
		if (!fs->clock_stop)
			g_cond_wait_until(&fs->clock_cond, &fs->clock_lock, g_get_monotonic_time() + CLOCK_PERIOD_US);
	}
	g_mutex_unlock(&fs->clock_lock);
	return NULL;
}

void mmsim_clock_start(struct mmsim_fs *fs)
{
	g_mutex_init(&fs->clock_lock);
	g_cond_init(&fs->clock_cond);
	fs->clock_stop = false;
	if (!fs->m->cfg.manual_clock)
		fs->clock_thread = g_thread_new("mmsim-clock", clock_thread_fn, fs);
}

void mmsim_clock_stop(struct mmsim_fs *fs)
{
	g_mutex_lock(&fs->clock_lock);
	fs->clock_stop = true;
	g_cond_signal(&fs->clock_cond);
	g_mutex_unlock(&fs->clock_lock);
	if (fs->clock_thread)
		g_thread_join(fs->clock_thread);
	fs->clock_thread = NULL;
	g_cond_clear(&fs->clock_cond);
	g_mutex_clear(&fs->clock_lock);
}
