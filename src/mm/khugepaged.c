/*
 * mm/khugepaged.c: the daemon that collapses small pages into huge ones,
 * its start and stop with the THP settings, and what it does to
 * min_free_kbytes.
 *
 * Models:
 * - hugepage_pmd_enabled: some setting lets anon PMD-size THPs be used;
 * - start_stop_khugepaged with set_recommended_min_free_kbytes: while THP
 *   is on, min_free_kbytes keeps two free pageblocks per zone plus
 *   MIGRATE_PCPTYPES^2 for fallbacks, at most 5% of lowmem; off again,
 *   calculate_min_free_kbytes's value comes back;
 * - hugepage_madvise: MADV_HUGEPAGE/MADV_NOHUGEPAGE's VM flags.
 * Simplifies:
 * - the khugepaged task exists from boot whatever the setting: stopping
 *   only stops its work;
 * - CONFIG_READ_ONLY_THP_FOR_FS is off, so only anon settings count.
 */
#include "mm_internal.h"
#include "mmsim/huge_mm.h"

bool hugepage_pmd_enabled(const struct machine *m)
{
	const struct thp_state *thp = m->thp;
	unsigned long pmd = 1UL << HPAGE_PMD_ORDER;

	if ((thp->huge_anon_orders_always & pmd) || (thp->huge_anon_orders_madvise & pmd))
		return true;
	return (thp->huge_anon_orders_inherit & pmd) && hugepage_global_enabled(m);
}

void set_recommended_min_free_kbytes(struct machine *m)
{
	unsigned long recommended_min;
	int nr_zones = 0;

	if (!hugepage_pmd_enabled(m)) {
		calculate_min_free_kbytes(m);
		goto update_wmarks;
	}
	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			/* ZONE_MOVABLE only has movable pages: no fragmentation to fight */
			if (populated_zone(zone) && zone->zone_idx <= ZONE_NORMAL)
				nr_zones++;
	/* two free pageblocks per zone to help fragmentation avoidance */
	recommended_min = pageblock_nr_pages * nr_zones * 2;
	/* on average two pageblocks almost free of each other type, per type */
	recommended_min += pageblock_nr_pages * nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
	/* never more than 5% of lowmem */
	recommended_min = MIN(recommended_min, nr_free_buffer_pages(m) / 20);
	recommended_min <<= PAGE_SHIFT - 10;
	if (recommended_min > (unsigned long)m->sysctl.min_free_kbytes) {
		if (m->sysctl.user_min_free_kbytes >= 0)
			printk(m, "khugepaged: raising min_free_kbytes from %d to %lu to help transparent hugepage allocations",
			       m->sysctl.min_free_kbytes, recommended_min);
		m->sysctl.min_free_kbytes = (int)recommended_min;
	}
update_wmarks:
	setup_per_zone_wmarks(m);
}

/* start_stop_khugepaged: runs at boot and after each change of enabled */
int start_stop_khugepaged(struct machine *m)
{
	m->thp->khugepaged_running = hugepage_pmd_enabled(m);
	set_recommended_min_free_kbytes(m);
	return 0;
}

int hugepage_madvise(struct machine *m, struct vm_area_struct *vma, unsigned long *vm_flags, int advice)
{
	if (advice == MADV_HUGEPAGE) {
		*vm_flags &= ~VM_NOHUGEPAGE;
		*vm_flags |= VM_HUGEPAGE;
		/* register the mm now rather than at a fault that may not come */
		khugepaged_enter_vma(m, vma, *vm_flags);
	} else if (advice == MADV_NOHUGEPAGE) {
		*vm_flags &= ~VM_HUGEPAGE;
		*vm_flags |= VM_NOHUGEPAGE;
	}
	return 0;
}

void khugepaged_enter_vma(struct machine *m, struct vm_area_struct *vma, unsigned long vm_flags)
{
	/* the scan list comes with khugepaged's scanning */
	(void)m;
	(void)vma;
	(void)vm_flags;
}
