"""Life of a file read: the page cache, readahead windows, a second read from RAM."""
from ..lab import Delta, Direction, Meminfo, Number, Step, Vmstat

NAME = 'fileread'
TITLE = 'life of a file read: page cache and the readahead window'
OPTIONS = []
PARAMS = {'ra': [128, 256, 512], 'size': [8, 16, 32]}


def DERIVED(p):
    return {'size_kb': p['size'] * 1024}


def get_next_ra_size(cur, max_pages):
    """mm/readahead.c: the next window, in pages."""
    return min(max_pages, cur * 4 if cur < max_pages // 16 else cur * 2)


def _window(n):
    """kB read ahead by the n-th window after the first (4 pages)."""
    def kb(p):
        cur = 4
        for _ in range(n):
            cur = get_next_ra_size(cur, p['ra'] // 4)
        return cur * 4
    return kb


def _read(n, off, ask_expect=None, explain=''):
    return Step('read number %d: 4 KiB at offset %d KiB' % (n, off),
                do=['2000: pread /data/log %dK 4K' % off],
                ask=[Number('How many kB does the disk read (pgpgin grows by)?', Delta(Vmstat('pgpgin', 'kB')),
                            expect=ask_expect, explain=explain)])


STEPS = [
    Step('a file and a reader',
         say='A {size} MiB file /data/log on the simulated disk; a program (pid 2000) will read it '
             '4 KiB at a time from the start. The device\'s read_ahead_kb is set to {ra}.',
         do=['sim: file /data/log {size}M', 'sim: spawn reader pid=2000',
             '> sys/class/bdi/8:0/read_ahead_kb {ra}']),
    _read(1, 0, 16, 'A miss at offset 0 starts readahead: page_cache_sync_ra() sizes the first '
                    'window with get_init_ra_size(): a 1-page request is quadrupled to 4 pages '
                    '(16 kB), since it is at most a 32nd of the largest window.'),
    _read(2, 4, _window(1), 'Page 1 carries PG_readahead: hitting it calls page_cache_async_ra(), which '
                      'reads the next window ahead, sized by get_next_ra_size(): 4x the last window '
                      'while it is small against the maximum, else 2x.'),
    _read(3, 8, 0, 'Already in the page cache: filemap_get_pages() finds it, no I/O.'),
    _read(4, 12, 0, 'Still inside the window read ahead: filemap_get_pages() finds the page cached.'),
    _read(5, 16, _window(2), 'The fifth read reaches the next PG_readahead mark: page_cache_async_ra() '
                       'reads the next window, grown again by get_next_ra_size(), up to read_ahead_kb.'),
    Step('read the whole file',
         say='Now the program reads all {size} MiB.',
         do=['2000: pread /data/log 0 {size}M'],
         ask=[Number('By how many kB does Cached grow?', Delta(Meminfo('Cached')),
                     expect=lambda p: p['size_kb'], tol=512,
                     explain='filemap_add_folio() put every page read into the page cache '
                             '(the pages read ahead before were there already).')]),
    Step('read it all again',
         do=['2000: pread /data/log 0 {size}M'],
         ask=[Number('How many kB does the disk read this time?', Delta(Vmstat('pgpgin', 'kB')), expect=0,
                     explain='Every page is cached: filemap_read() copies from RAM.'),
              Direction('Does Active(file) grow?', Delta(Meminfo('Active(file)')), expect='up',
                        explain='folio_mark_accessed() promotes a page found referenced twice to '
                                'the active list: the file is part of the workingset now.')],
         show=[Meminfo('Active(file)')]),
]
