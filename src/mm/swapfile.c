/*
 * mm/swapfile.c: swap devices, their priorities and their slots.
 *
 * Models (Linux 6.14+): swap_info[] of MAX_SWAPFILES devices, reused after
 * swapoff (alloc_swap_info; -EPERM when all are taken); default priorities
 * -2, -3, ... (least_priority starts at -1) and explicit ones 0..32767;
 * swap_active_head ordered by priority and swap_avail_heads per node
 * (plists: equal priorities in insertion order, the device used last is
 * requeued behind its equals); swapoff raising the default priorities below
 * the removed one; slots in clusters of SWAPFILE_CLUSTER: free, nonfull,
 * frag and full cluster lists (setup_clusters puts the header's cluster on
 * the nonfull list), the per-cpu cluster of swap_alloc_fast, and
 * swap_alloc_slow trying nonfull, then free, then frag clusters
 * (cluster_alloc_swap_entry); swap_map counts with SWAP_HAS_CACHE and
 * SWAP_MAP_BAD for the header page, which is never usable; si->pages,
 * si->inuse_pages, total_swap_pages and nr_swap_pages; the "Adding ...k
 * swap" line; swapoff's Committed_AS check (security_vm_enough_memory_mm).
 *
 * Simplifies: order-0 slots only (no mTHP swap-out); no discard; no swap
 * counts beyond SWAP_MAP_MAX (no continuation pages); the disk is a
 * non-rotational one (SWP_SOLIDSTATE: "SS", per-cpu clusters) whose node
 * is NUMA_NO_NODE, so every node's avail list has the same order; a
 * device is one extent spanning its usable pages; a PATH under /dev/ is a
 * partition, any other a file; devices above 1 TiB are refused (the model
 * keeps a cluster array per device); the free-cluster list is in index
 * order.  try_to_unuse (pulling swapped pages back at swapoff) comes with
 * swap-out: until then no slot is used outside the unit tests, and a
 * swapoff of a device with used slots is refused with EBUSY.
 */
#include <errno.h>
#include <string.h>

#include "mmsim/blkdev.h"
#include "mmsim/swap.h"
#include "mmsim/memcontrol.h"
#include "mm_internal_proc.h"

#define SWAP_MAX_BYTES (1ULL << 40)
#define SWAP_MIN_PAGES 10  /* mkswap: "swap space needs to be at least 40 KiB" */
#define NUMA_NO_NODE (-1)

/* ---- cluster lists (intrusive, by index) ---- */

static struct swap_cluster_list *cluster_list(struct swap_info_struct *si, int flag)
{
	switch (flag) {
	case CLUSTER_FLAG_FREE:
		return &si->free_clusters;
	case CLUSTER_FLAG_NONFULL:
		return &si->nonfull_clusters;
	case CLUSTER_FLAG_FRAG:
		return &si->frag_clusters;
	case CLUSTER_FLAG_FULL:
		return &si->full_clusters;
	default:
		return NULL;
	}
}

static void cluster_list_del(struct swap_info_struct *si, uint32_t idx)
{
	struct swap_cluster_info *ci = &si->cluster_info[idx];
	struct swap_cluster_list *l = cluster_list(si, ci->flags);

	if (!l)
		return;
	if (ci->prev != SWAP_CLUSTER_NONE)
		si->cluster_info[ci->prev].next = ci->next;
	else
		l->head = ci->next;
	if (ci->next != SWAP_CLUSTER_NONE)
		si->cluster_info[ci->next].prev = ci->prev;
	else
		l->tail = ci->prev;
	l->nr--;
	ci->prev = ci->next = SWAP_CLUSTER_NONE;
	ci->flags = CLUSTER_FLAG_NONE;
}

/* move_cluster: to the tail of the list of flag */
static void move_cluster(struct swap_info_struct *si, uint32_t idx, int flag)
{
	struct swap_cluster_info *ci = &si->cluster_info[idx];
	struct swap_cluster_list *l = cluster_list(si, flag);

	cluster_list_del(si, idx);
	ci->flags = (uint8_t)flag;
	ci->prev = l->tail;
	ci->next = SWAP_CLUSTER_NONE;
	if (l->tail != SWAP_CLUSTER_NONE)
		si->cluster_info[l->tail].next = idx;
	else
		l->head = idx;
	l->tail = idx;
	l->nr++;
}

static void cluster_list_init(struct swap_cluster_list *l)
{
	l->head = l->tail = SWAP_CLUSTER_NONE;
	l->nr = 0;
}

/* ---- swap_map ---- */

static struct swap_cluster_info *offset_cluster(struct swap_info_struct *si, unsigned long offset)
{
	return &si->cluster_info[offset / SWAPFILE_CLUSTER];
}

static unsigned char swap_map_get(struct swap_info_struct *si, unsigned long offset)
{
	struct swap_cluster_info *ci = offset_cluster(si, offset);

	return ci->map ? ci->map[offset % SWAPFILE_CLUSTER] : 0;
}

/* inc_cluster_info_page: one more slot of the cluster in use */
static void inc_cluster_info_page(struct swap_info_struct *si, unsigned long offset)
{
	struct swap_cluster_info *ci = offset_cluster(si, offset);

	if (!ci->map)
		ci->map = g_malloc0(SWAPFILE_CLUSTER);
	ci->count++;
}

/* ---- priorities and the avail lists (plists) ---- */

/* plist_add: in key order, behind the entries of the same key */
static GList *plist_add(GList *head, struct swap_info_struct *si, int (*key)(const struct swap_info_struct *, int),
			int nid)
{
	GList *l;
	int k = key(si, nid);

	for (l = head; l; l = l->next)
		if (key(l->data, nid) > k)
			break;
	return g_list_insert_before(head, l, si);
}

static int avail_key(const struct swap_info_struct *si, int nid)
{
	return si->avail_prio[nid];
}

/* swap_active_head's key: list.prio = -prio */
static int active_key(const struct swap_info_struct *si, int nid)
{
	(void)nid;
	return -si->prio;
}

static void add_to_avail_list(struct machine *m, struct swap_info_struct *si)
{
	for_each_online_node(m, nid)
		if (!g_list_find(m->swap->swap_avail_heads[nid], si))
			m->swap->swap_avail_heads[nid] = plist_add(m->swap->swap_avail_heads[nid], si, avail_key, nid);
}

static void del_from_avail_list(struct machine *m, struct swap_info_struct *si)
{
	for_each_online_node(m, nid)
		m->swap->swap_avail_heads[nid] = g_list_remove(m->swap->swap_avail_heads[nid], si);
}

/* plist_requeue: behind the last entry of the same priority */
static void avail_requeue(struct machine *m, struct swap_info_struct *si, int nid)
{
	m->swap->swap_avail_heads[nid] = g_list_remove(m->swap->swap_avail_heads[nid], si);
	m->swap->swap_avail_heads[nid] = plist_add(m->swap->swap_avail_heads[nid], si, avail_key, nid);
}

/* setup_swap_info: the priority and each node's avail-list key */
static void setup_swap_info(struct machine *m, struct swap_info_struct *si, int prio)
{
	if (prio >= 0)
		si->prio = (short)prio;
	else
		si->prio = (short)--m->swap->least_priority;
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		si->avail_prio[nid] = (si->prio < 0 && nid == NUMA_NO_NODE) ? 1 : -si->prio;
}

/* ---- slots ---- */

static void swap_range_alloc(struct machine *m, struct swap_info_struct *si)
{
	si->inuse_pages++;
	m->swap->nr_swap_pages--;
	if (si->inuse_pages == si->pages)
		del_from_avail_list(m, si);
}

static void swap_range_free(struct machine *m, struct swap_info_struct *si)
{
	if (si->inuse_pages == si->pages && (si->flags & SWP_WRITEOK))
		add_to_avail_list(m, si);
	si->inuse_pages--;
	m->swap->nr_swap_pages++;
}

/* relocate_cluster: after an allocation, the cluster goes where its count says */
static void relocate_cluster(struct swap_info_struct *si, uint32_t idx)
{
	struct swap_cluster_info *ci = &si->cluster_info[idx];

	if (!ci->count) {
		if (ci->flags != CLUSTER_FLAG_FREE)
			move_cluster(si, idx, CLUSTER_FLAG_FREE);
	} else if (ci->count != SWAPFILE_CLUSTER) {
		if (ci->flags != CLUSTER_FLAG_FRAG)
			move_cluster(si, idx, CLUSTER_FLAG_FRAG);
	} else if (ci->flags != CLUSTER_FLAG_FULL) {
		move_cluster(si, idx, CLUSTER_FLAG_FULL);
	}
}

/*
 * alloc_swap_scan_cluster: the first free slot of cluster idx at or after
 * offset; 0 when none.  The CPU's per-cpu cluster moves to the slot after.
 */
static unsigned long alloc_swap_scan_cluster(struct machine *m, struct swap_info_struct *si, uint32_t idx,
					     unsigned long offset, int cpu)
{
	struct swap_cluster_info *ci = &si->cluster_info[idx];
	unsigned long start = (unsigned long)idx * SWAPFILE_CLUSTER;
	unsigned long end = MIN(start + SWAPFILE_CLUSTER, si->max), found = 0, next;

	if (offset < start)
		offset = start;
	for (; offset < end; offset++) {
		if (!swap_map_get(si, offset)) {
			found = offset;
			break;
		}
	}
	if (found) {
		inc_cluster_info_page(si, found);
		ci->order = 0;
		ci->map[found % SWAPFILE_CLUSTER] = SWAP_HAS_CACHE;
		swap_range_alloc(m, si);
	}
	next = found && found + 1 < end ? found + 1 : SWAP_NEXT_INVALID;
	relocate_cluster(si, idx);
	m->swap->pcp_type[cpu] = si->type;
	m->swap->pcp_offset[cpu] = next;
	return found;
}

/* The cluster taken off the head of a list, scanned from its start */
static unsigned long alloc_swap_scan_list(struct machine *m, struct swap_info_struct *si,
					  struct swap_cluster_list *l, bool scan_all, int cpu)
{
	while (l->head != SWAP_CLUSTER_NONE) {
		uint32_t idx = l->head;
		unsigned long found;

		cluster_list_del(si, idx); /* isolate_lock_cluster */
		found = alloc_swap_scan_cluster(m, si, idx, 0, cpu);
		if (found || !scan_all)
			return found;
	}
	return 0;
}

/* cluster_alloc_swap_entry, order 0: nonfull, then free, then one frag cluster */
static unsigned long cluster_alloc_swap_entry(struct machine *m, struct swap_info_struct *si, int cpu)
{
	unsigned long found;

	if ((found = alloc_swap_scan_list(m, si, &si->nonfull_clusters, true, cpu)))
		return found;
	if ((found = alloc_swap_scan_list(m, si, &si->free_clusters, false, cpu)))
		return found;
	return alloc_swap_scan_list(m, si, &si->frag_clusters, false, cpu);
}

/* folio_alloc_swap: swap_alloc_fast from the CPU's cluster, else
 * swap_alloc_slow over the node's avail list */
swp_entry_t get_swap_page(struct machine *m, int cpu)
{
	struct swap_globals *g = m->swap;
	int nid = cpu_to_node(m, cpu);
	GList *l, *next;

	if (!g->nr_swap_pages)
		return (swp_entry_t){ 0 };
	if (g->pcp_type[cpu] >= 0 && g->pcp_offset[cpu] != SWAP_NEXT_INVALID) {
		struct swap_info_struct *si = g->swap_info[g->pcp_type[cpu]];

		if (si && (si->flags & SWP_WRITEOK)) {
			unsigned long off = g->pcp_offset[cpu];
			struct swap_cluster_info *ci = offset_cluster(si, off);

			/* cluster_is_usable: free, nonfull or frag */
			if (ci->flags <= CLUSTER_FLAG_FRAG && ci->flags != CLUSTER_FLAG_NONE) {
				uint32_t idx = (uint32_t)(off / SWAPFILE_CLUSTER);
				unsigned long found;

				if (!ci->count)
					off = (unsigned long)idx * SWAPFILE_CLUSTER;
				found = alloc_swap_scan_cluster(m, si, idx, off, cpu);
				if (found)
					return swp_entry((unsigned long)si->type, found);
			}
		}
	}
	for (l = g->swap_avail_heads[nid]; l; l = next) {
		struct swap_info_struct *si = l->data;
		unsigned long found;

		next = l->next;
		/* rotate the device and switch to a new cluster */
		avail_requeue(m, si, nid);
		found = cluster_alloc_swap_entry(m, si, cpu);
		if (found)
			return swp_entry((unsigned long)si->type, found);
	}
	return (swp_entry_t){ 0 };
}

static struct swap_info_struct *swap_entry_si(struct machine *m, swp_entry_t entry)
{
	unsigned int type = swp_type(entry);
	struct swap_info_struct *si;

	if (!entry.val || type >= MAX_SWAPFILES || !(si = m->swap->swap_info[type]) || !(si->flags & SWP_USED) ||
	    !swp_offset(entry) || swp_offset(entry) >= si->max)
		return NULL;
	return si;
}

unsigned char swap_count(struct machine *m, swp_entry_t entry)
{
	struct swap_info_struct *si = swap_entry_si(m, entry);

	return si ? swap_map_get(si, swp_offset(entry)) : 0;
}

/* The slot's count reached 0: free it, and its cluster when empty */
static void swap_entry_free(struct machine *m, struct swap_info_struct *si, unsigned long offset)
{
	uint32_t idx = (uint32_t)(offset / SWAPFILE_CLUSTER);
	struct swap_cluster_info *ci = &si->cluster_info[idx];

	ci->count--;
	mem_cgroup_uncharge_swap(m, swp_entry((unsigned long)si->type, offset));
	swap_range_free(m, si);
	if (!ci->count) {
		/* free_cluster */
		g_free(ci->map);
		ci->map = NULL;
		move_cluster(si, idx, CLUSTER_FLAG_FREE);
	} else if (ci->flags != CLUSTER_FLAG_NONFULL) {
		/* partial_free_cluster */
		move_cluster(si, idx, CLUSTER_FLAG_NONFULL);
	}
}

/* __swap_duplicate: one more pte maps the entry */
int swap_duplicate(struct machine *m, swp_entry_t entry)
{
	struct swap_info_struct *si = swap_entry_si(m, entry);
	unsigned char *c;

	if (!si)
		return -EINVAL;
	c = &offset_cluster(si, swp_offset(entry))->map[swp_offset(entry) % SWAPFILE_CLUSTER];
	if (!*c || *c == SWAP_MAP_BAD)
		return -ENOENT;
	if ((*c & ~SWAP_HAS_CACHE) >= SWAP_MAP_MAX)
		return -ENOMEM; /* would need a continuation page */
	(*c)++;
	return 0;
}

/* swapcache_prepare: a slot in use gets SWAP_HAS_CACHE before its page is
 * read; -ENOENT for a free slot, -EEXIST when it is cached already */
int swapcache_prepare(struct machine *m, swp_entry_t entry)
{
	struct swap_info_struct *si = swap_entry_si(m, entry);
	unsigned char *c;

	if (!si || !offset_cluster(si, swp_offset(entry))->map)
		return -ENOENT;
	c = &offset_cluster(si, swp_offset(entry))->map[swp_offset(entry) % SWAPFILE_CLUSTER];
	if (!*c || *c == SWAP_MAP_BAD)
		return -ENOENT;
	if (*c & SWAP_HAS_CACHE)
		return -EEXIST;
	*c |= SWAP_HAS_CACHE;
	return 0;
}

/* swap_free: a pte that mapped the entry went away */
void swap_free(struct machine *m, swp_entry_t entry)
{
	struct swap_info_struct *si = swap_entry_si(m, entry);
	unsigned char *c;

	if (!si)
		return;
	c = &offset_cluster(si, swp_offset(entry))->map[swp_offset(entry) % SWAPFILE_CLUSTER];
	g_assert((*c & ~SWAP_HAS_CACHE) > 0 && *c != SWAP_MAP_BAD);
	if (!--*c)
		swap_entry_free(m, si, swp_offset(entry));
}

/* put_swap_folio: the swap cache lets go of the entry */
void put_swap_folio(struct machine *m, swp_entry_t entry)
{
	struct swap_info_struct *si = swap_entry_si(m, entry);
	unsigned char *c;

	if (!si)
		return;
	c = &offset_cluster(si, swp_offset(entry))->map[swp_offset(entry) % SWAPFILE_CLUSTER];
	g_assert(*c & SWAP_HAS_CACHE);
	*c &= (unsigned char)~SWAP_HAS_CACHE;
	if (!*c)
		swap_entry_free(m, si, swp_offset(entry));
}

/* ---- swapon / swapoff ---- */

long get_total_swap_pages(const struct machine *m)
{
	return m->swap ? m->swap->total_swap_pages : 0;
}

long get_nr_swap_pages(const struct machine *m)
{
	return m->swap ? m->swap->nr_swap_pages : 0;
}

struct swap_info_struct *swap_info_by_path(struct machine *m, const char *path)
{
	for (GList *l = m->swap->swap_active_head; l; l = l->next) {
		struct swap_info_struct *si = l->data;

		if (!strcmp(si->swap_file, path))
			return si;
	}
	return NULL;
}

/* setup_clusters: the header slot and the tail past the device's end are
 * used; clusters with used slots start on the nonfull list */
static void setup_clusters(struct swap_info_struct *si)
{
	unsigned long tail_end;

	si->nr_clusters = (si->max + SWAPFILE_CLUSTER - 1) / SWAPFILE_CLUSTER;
	si->cluster_info = g_new0(struct swap_cluster_info, si->nr_clusters);
	cluster_list_init(&si->free_clusters);
	cluster_list_init(&si->nonfull_clusters);
	cluster_list_init(&si->frag_clusters);
	cluster_list_init(&si->full_clusters);
	for (unsigned long i = 0; i < si->nr_clusters; i++)
		si->cluster_info[i].prev = si->cluster_info[i].next = SWAP_CLUSTER_NONE;
	inc_cluster_info_page(si, 0);
	si->cluster_info[0].map[0] = SWAP_MAP_BAD;
	tail_end = si->nr_clusters * SWAPFILE_CLUSTER;
	for (unsigned long i = si->max; i < tail_end; i++)
		inc_cluster_info_page(si, i);
	for (uint32_t i = 0; i < si->nr_clusters; i++)
		move_cluster(si, i, si->cluster_info[i].count ? CLUSTER_FLAG_NONFULL : CLUSTER_FLAG_FREE);
}

static void free_swap_info(struct swap_info_struct *si)
{
	for (unsigned long i = 0; si->cluster_info && i < si->nr_clusters; i++)
		g_free(si->cluster_info[i].map);
	g_free(si->cluster_info);
	g_free(si->swap_file);
	si->cluster_info = NULL;
	si->swap_file = NULL;
}

int sys_swapon(struct machine *m, const char *path, uint64_t size, int prio)
{
	struct swap_globals *g = m->swap;
	struct swap_info_struct *si = NULL;
	unsigned long maxpages = (unsigned long)(size >> PAGE_SHIFT);
	unsigned int type;

	if (!path || path[0] != '/' || prio > SWAP_FLAG_PRIO_MASK)
		return -EINVAL;
	/* claim_swapfile: the inode is already a swap file */
	if (swap_info_by_path(m, path))
		return -EBUSY;
	/* read_swap_header: mkswap's minimum, and the model's maximum */
	if (maxpages < SWAP_MIN_PAGES || size > SWAP_MAX_BYTES)
		return -EINVAL;
	/* alloc_swap_info: the first unused type */
	for (type = 0; type < g->nr_swapfiles; type++)
		if (!g->swap_info[type] || !(g->swap_info[type]->flags & SWP_USED))
			break;
	if (type >= MAX_SWAPFILES)
		return -EPERM;
	if (type == g->nr_swapfiles)
		g->nr_swapfiles++;
	if (!g->swap_info[type])
		g->swap_info[type] = g_new0(struct swap_info_struct, 1);
	si = g->swap_info[type];
	memset(si, 0, sizeof(*si));
	si->type = (int)type;
	si->flags = SWP_USED | SWP_SOLIDSTATE | (g_str_has_prefix(path, "/dev/") ? SWP_BLKDEV : 0);
	si->swap_file = g_strdup(path);
	si->max = maxpages;
	si->pages = maxpages - 1; /* the header page */
	setup_clusters(si);
	/* setup_swap_extents: one extent over the usable pages */
	si->nr_extents = 1;
	si->span = si->pages;
	/* enable_swap_info */
	setup_swap_info(m, si, prio);
	si->flags |= SWP_WRITEOK;
	g->nr_swap_pages += (long)si->pages;
	g->total_swap_pages += (long)si->pages;
	g->swap_active_head = plist_add(g->swap_active_head, si, active_key, 0);
	add_to_avail_list(m, si);
	printk(m, "Adding %luk swap on %s.  Priority:%d extents:%u across:%luk %s%s%s%s",
	       si->pages << (PAGE_SHIFT - 10), si->swap_file, si->prio, si->nr_extents,
	       si->span << (PAGE_SHIFT - 10), (si->flags & SWP_SOLIDSTATE) ? "SS" : "",
	       (si->flags & SWP_DISCARDABLE) ? "D" : "", "", "");
	return 0;
}

int sys_swapoff(struct machine *m, const char *path)
{
	struct swap_globals *g = m->swap;
	struct swap_info_struct *p = path ? swap_info_by_path(m, path) : NULL;
	GList *l;

	if (!p || !(p->flags & SWP_WRITEOK))
		return -EINVAL;
	/* security_vm_enough_memory_mm: Committed_AS must fit without it */
	if (__vm_enough_memory(m, m->current, (long)p->pages))
		return -ENOMEM;
	if (p->inuse_pages) {
		/* try_to_unuse: no new slots here; every page comes back in */
		int err;

		del_from_avail_list(m, p);
		p->flags &= ~SWP_WRITEOK;
		err = try_to_unuse(m, p->type);
		p->flags |= SWP_WRITEOK;
		if (err || p->inuse_pages) {
			/* reinsert_swap_info */
			add_to_avail_list(m, p);
			vm_unacct_memory(m, (long)p->pages);
			return err ? err : -ENOMEM;
		}
	}
	vm_unacct_memory(m, (long)p->pages);
	del_from_avail_list(m, p);
	if (p->prio < 0) {
		/* the default priorities below it move up one */
		for (l = g_list_find(g->swap_active_head, p)->next; l; l = l->next) {
			struct swap_info_struct *si = l->data;

			si->prio++;
			for (int nid = 0; nid < MAX_NUMNODES; nid++)
				if (si->avail_prio[nid] != 1)
					si->avail_prio[nid]--;
		}
		g->least_priority++;
	}
	g->swap_active_head = g_list_remove(g->swap_active_head, p);
	g->nr_swap_pages -= (long)p->pages;
	g->total_swap_pages -= (long)p->pages;
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		if (g->pcp_type[cpu] == p->type) {
			g->pcp_type[cpu] = -1;
			g->pcp_offset[cpu] = SWAP_NEXT_INVALID;
		}
	free_swap_info(p);
	p->flags = 0;
	return 0;
}

/* The preset's device, swapped on as the boot's swapon -a would: Debian's
 * guided msdos partitioning puts swap on the logical partition sda5 */
void swap_init(struct machine *m)
{
	struct swap_globals *g = g_new0(struct swap_globals, 1);

	m->swap = g;
	g->least_priority = -1;
	g->pcp_type = g_new(int, (gsize)m->nr_cpus);
	g->pcp_offset = g_new0(unsigned long, (gsize)m->nr_cpus);
	for (int cpu = 0; cpu < m->nr_cpus; cpu++)
		g->pcp_type[cpu] = -1;
	if (m->cfg.swap_bytes) {
		g_autofree char *path = disk_swap_partition_path(m);
		int err = sys_swapon(m, path, m->cfg.swap_bytes, -1);

		if (err)
			printk(m, "swapon: %s: swapon failed: %s", path, g_strerror(-err));
	}
}

void swap_destroy(struct machine *m)
{
	struct swap_globals *g = m->swap;

	if (!g)
		return;
	for (unsigned int i = 0; i < g->nr_swapfiles; i++) {
		if (g->swap_info[i])
			free_swap_info(g->swap_info[i]);
		g_free(g->swap_info[i]);
	}
	g_list_free(g->swap_active_head);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		g_list_free(g->swap_avail_heads[nid]);
	g_free(g->pcp_type);
	g_free(g->pcp_offset);
	g_free(g);
	m->swap = NULL;
}

/* --debug-vm: slot counts, cluster counts and lists, and the totals agree */
char *swap_check_invariants(struct machine *m)
{
	struct swap_globals *g = m->swap;
	long total = 0, nr_free = 0;

	if (!g)
		return NULL;
	for (GList *l = g->swap_active_head; l; l = l->next) {
		struct swap_info_struct *si = l->data;
		unsigned long inuse = 0, on_lists = 0;

		if (l->next && ((struct swap_info_struct *)l->next->data)->prio > si->prio)
			return g_strdup_printf("swap: %s: swap_active_head out of priority order", si->swap_file);
		for (unsigned long c = 0; c < si->nr_clusters; c++) {
			struct swap_cluster_info *ci = &si->cluster_info[c];
			unsigned long used = 0;

			for (unsigned long i = 0; ci->map && i < SWAPFILE_CLUSTER; i++) {
				unsigned long off = c * SWAPFILE_CLUSTER + i;

				if (off >= si->max || ci->map[i])
					used++;
				if (off && off < si->max && ci->map[i])
					inuse++;
			}
			if (used != ci->count)
				return g_strdup_printf("swap: %s: cluster %lu counts %u, its map %lu", si->swap_file, c,
						       ci->count, used);
			if (!ci->count != (ci->flags == CLUSTER_FLAG_FREE) ||
			    (ci->count == SWAPFILE_CLUSTER) != (ci->flags == CLUSTER_FLAG_FULL) ||
			    ci->flags == CLUSTER_FLAG_NONE)
				return g_strdup_printf("swap: %s: cluster %lu (count %u) on the wrong list (%u)",
						       si->swap_file, c, ci->count, ci->flags);
		}
		for (int f = CLUSTER_FLAG_FREE; f < CLUSTER_FLAG_NR; f++) {
			struct swap_cluster_list *cl = cluster_list(si, f);
			unsigned long n = 0;

			for (uint32_t i = cl->head; i != SWAP_CLUSTER_NONE; i = si->cluster_info[i].next) {
				if (si->cluster_info[i].flags != f || n > si->nr_clusters)
					return g_strdup_printf("swap: %s: cluster list %d broken", si->swap_file, f);
				n++;
			}
			if (n != cl->nr)
				return g_strdup_printf("swap: %s: cluster list %d holds %lu, counts %lu", si->swap_file,
						       f, n, cl->nr);
			on_lists += n;
		}
		if (on_lists != si->nr_clusters)
			return g_strdup_printf("swap: %s: %lu of %lu clusters on lists", si->swap_file, on_lists,
					       si->nr_clusters);
		if (inuse != si->inuse_pages)
			return g_strdup_printf("swap: %s: inuse_pages %lu, map says %lu", si->swap_file,
					       si->inuse_pages, inuse);
		for_each_online_node(m, nid)
			if ((g_list_find(g->swap_avail_heads[nid], si) != NULL) != (si->inuse_pages < si->pages))
				return g_strdup_printf("swap: %s: on node %d's avail list: wrong", si->swap_file, nid);
		total += (long)si->pages;
		nr_free += (long)(si->pages - si->inuse_pages);
	}
	if (total != g->total_swap_pages || nr_free != g->nr_swap_pages)
		return g_strdup_printf("swap: total %ld free %ld, devices say %ld and %ld", g->total_swap_pages,
				       g->nr_swap_pages, total, nr_free);
	return NULL;
}
