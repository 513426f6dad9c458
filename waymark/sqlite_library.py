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
(no connection is open). Nothing in Waymark reads the statistics. Where the library cannot
be found (another platform, SQLite built into Python), nothing changes.
"""

from __future__ import annotations

import ctypes
import logging

SQLITE_CONFIG_MEMSTATUS = 9  # sqlite3.h
LIBRARY = "libsqlite3.so.0"  # the one Python's sqlite3 module is linked against on Linux
logger = logging.getLogger(__name__)
_done = False


def stop_memory_statistics() -> bool:
    """True when the statistics are now off; False when they could not be turned off."""
    global _done
    if _done:  # once: off, the statistics can no longer tell whether a connection is open
        return True
    try:
        library = ctypes.CDLL(LIBRARY)
    except OSError:
        return False
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
