"""The labs, in the order `tools/lab list` shows them: the walkthroughs,
the explainers, then one per mechanism chapter.  Each module is data read
by mmsimlab.lab (see its docstring for the fields)."""

import importlib

ORDER = [
    # walkthroughs
    'malloc', 'page', 'fork', 'oom', 'fileread', 'swapping',
    # explainers
    'rss', 'overcommit', 'brk', 'contiguous', 'cow',
    # mechanism chapters
    'slab', 'vmalloc', 'pagetables', 'reclaim', 'mglru', 'pagecache',
    'compaction', 'ksm', 'numa', 'hugetlb',
]


def load(name):
    if name not in ORDER:
        raise KeyError(name)
    return importlib.import_module('%s.%s' % (__name__, name))


def all_labs():
    return [load(n) for n in ORDER]
