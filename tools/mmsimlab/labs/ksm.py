"""KSM: identical pages of two processes merged into one."""
from ..lab import Delta, Meminfo, Number, Step, Value, Vmstat

NAME = 'ksm'
TITLE = 'KSM: merging the identical pages of two virtual machines'
OPTIONS = []
PARAMS = {'size': [16, 32, 48, 64], 'fill': [7, 42, 99], 'brk': [1, 2, 4]}


def DERIVED(p):
    return {'pages': 2 * p['size'] * 256}


_K = 'sys/kernel/mm/ksm/'
_SETUP = []
for _pid in (1000, 1001):
    _SETUP += ['sim: spawn qemu pid=%d' % _pid, '%d: mmap {size}M name=guest' % _pid,
               '%d: madvise guest mergeable' % _pid, '%d: write guest fill={fill}' % _pid]

STEPS = [
    Step('two guests with the same image',
         say='Two programs each map {size} MiB, mark it mergeable and fill it with the same contents.',
         do=_SETUP),
    Step('run ksmd for two seconds',
         do=['> ' + _K + 'pages_to_scan 1000', '> ' + _K + 'run 1', 'sim: tick 2s'],
         ask=[Number('How many KSM pages hold them (pages_shared)?', Value(_K + 'pages_shared'),
                     expect=lambda p, f: -(-p['pages'] // f(Value(_K + 'max_page_sharing'))), tol=0,
                     explain='ksm_do_scan() merges pages whose checksum stayed the same over a scan '
                             'into write-protected KSM pages (try_to_merge_with_ksm_page()); one '
                             'KSM page takes at most max_page_sharing mappings, so the {pages} '
                             'identical pages need {pages} / max_page_sharing of them.'),
              Number('How many mappings share them (pages_sharing)?', Value(_K + 'pages_sharing'),
                     expect=lambda p, f: p['pages'] - f(Value(_K + 'pages_shared')), tol=0,
                     explain='Every other mapped page saved one page of RAM (ksm_pages_sharing, counted in stable_tree_append()).'),
              Number('By how many kB does MemFree grow?', Delta(Meminfo('MemFree')),
                     explain='The duplicates were freed after their page table entries pointed at '
                             'the KSM pages (replace_page()).')]),
    Step('a guest writes {brk} MiB',
         do=['1000: write guest len={brk}M'],
         ask=[Number('How many copy-on-write breaks of KSM pages (cow_ksm) happen?', Delta(Vmstat('cow_ksm')),
                     expect=lambda p: p['brk'] * 256, tol=0,
                     explain='A KSM page is write-protected: the write fault copies it '
                             '(do_wp_page(), wp_page_copy()) and counts cow_ksm.')],
         show=[Value(_K + 'pages_sharing')]),
]
