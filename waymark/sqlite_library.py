"""SQLite's memory statistics off, before the first connection (issue 18 point 7).

By default SQLite counts every allocation under one mutex for the whole process
(SQLITE_CONFIG_MEMSTATUS), so statements running at once on two connections of one
process queue for it. SQLite's own advice is to build without it (SQLITE_DEFAULT_MEMSTATUS=0,
"Recommended Compile-time Options", sqlite.org/compile.html: it "helps to make the entire
library faster"); Debian's library is built with it. The outcomes dashboard runs its
figures on two connections at once (`outcomes/lanes.py`): with the statistics on, each
statement ran 12-15 % slower beside the other than alone; with them off, as fast as alone
(10,000 patients × a year: days abstinent 331 ms beside the missed list, 324-343 alone).

The setting can only change while the library holds nothing: it is shut down and started
again with the statistics off, once per process, and only if no allocation is outstanding
(no connection is open; with the statistics on, an open connection always holds some).
A library built with them off is left alone: it reports nothing outstanding either way.
The library is the one Python's own `_sqlite3` module uses (its symbols looked up through
that module), never another copy found by name. Nothing in Waymark reads the statistics.
"""

from __future__ import annotations

import ctypes
import logging

SQLITE_CONFIG_MEMSTATUS = 9  # sqlite3.h
logger = logging.getLogger(__name__)
_done = False


def stop_memory_statistics() -> bool:
    """True when the statistics are now off; False when they could not be turned off."""
    global _done
    if _done:  # once: off, the statistics can no longer tell whether a connection is open
        return True
    library = python_sqlite()
    if library is None:
        return False
    built_with = getattr(library, "sqlite3_compileoption_used", None)
    if built_with is None:  # built without its options' list: how it counts is unknown
        return False
    if built_with(b"DEFAULT_MEMSTATUS=0"):
        _done = True  # built without them: nothing to do, and no shutdown
        return True
    library.sqlite3_memory_used.restype = ctypes.c_int64
    if library.sqlite3_memory_used() != 0:
        logger.warning("SQLite is in use already; its memory statistics stay on.")
        return False
    if library.sqlite3_shutdown() != 0:
        return False
    configured = library.sqlite3_config(SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == 0
    library.sqlite3_initialize()
    _done = configured
    return configured


def python_sqlite() -> ctypes.CDLL | None:
    """SQLite's functions as Python's sqlite3 module has them: looked up through its
    extension module, which finds them in the library it is linked against (or in itself,
    where SQLite is built in); None where they cannot be reached."""
    import _sqlite3

    try:
        library = ctypes.CDLL(_sqlite3.__file__)
        library.sqlite3_memory_used  # noqa: B018 -- AttributeError if not exported
    except (OSError, AttributeError):
        return None
    return library
