"""The page cache: dirty pages, writeback on time, drop_caches."""
from ..lab import Delta, Meminfo, Number, Step

NAME = 'pagecache'
TITLE = 'page cache: dirty pages, the flusher, drop_caches'
OPTIONS = []
PARAMS = {'size': [1, 2, 4, 8], 'big': [16, 32, 64]}


def DERIVED(p):
    return {'size_kb': p['size'] * 1024, 'big_kb': p['big'] * 1024}


STEPS = [
    Step('write {size} MiB',
         do=['sim: file /data/log {size}M', 'sim: spawn db pid=2000', '2000: pwrite /data/log 0 {size}M'],
         ask=[Number('What is Dirty in meminfo (kB)?', Meminfo('Dirty'),
                     expect=lambda p: p['size_kb'], tol=0,
                     explain='generic_perform_write() copies into page-cache pages and '
                             'folio_mark_dirty() marks them: nothing is on disk yet.')]),
    Step('wait 35 seconds',
         do=['sim: tick 35s'],
         ask=[Number('What is Dirty now (kB)?', Meminfo('Dirty'), expect=0,
                     explain='The flusher (wb_workfn(), wb_check_old_data_flush()) writes back '
                             'pages dirty for longer than dirty_expire_centisecs (30 s).')]),
    Step('a mapped file and drop_caches',
         say='The program reads a {big} MiB file and maps it; then we drop the caches.',
         do=['sim: file /data/big {big}M', '2000: mmap {big}M file=/data/big prot=r name=big',
             '2000: read big', '> proc/sys/vm/drop_caches 1'],
         ask=[Number('By how many kB does Cached change (from before the read)?', Delta(Meminfo('Cached')),
                     expect=lambda p: p['big_kb'] - p['size_kb'], tol=64,
                     explain="drop_caches runs invalidate_mapping_pages() on every file: clean, "
                             'unmapped pages go ({size} MiB of /data/log), mapped ones stay '
                             '(the {big} MiB of /data/big).')],
         show=[Meminfo('Mapped')]),
]
