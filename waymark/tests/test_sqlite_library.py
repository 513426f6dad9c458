"""SQLite's memory statistics are turned off before the first connection, and never under
an open one (`waymark/sqlite_library.py`): each case in a fresh interpreter of its own."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import ctypes, sqlite3
from waymark import sqlite_library
library = sqlite_library.python_sqlite()
library.sqlite3_memory_used.restype = ctypes.c_int64
{before}
stopped = sqlite_library.stop_memory_statistics()
connection = sqlite3.connect(":memory:")
connection.execute("CREATE TABLE t (x)")
connection.execute("INSERT INTO t VALUES (1)")
print(stopped, library.sqlite3_memory_used() > 0, connection.execute("SELECT x FROM t").fetchone())
"""


def probe(before: str = "") -> str:
    from waymark.sqlite_library import python_sqlite

    library = python_sqlite()
    if library is None or library.sqlite3_compileoption_used(b"DEFAULT_MEMSTATUS=0"):
        pytest.skip("SQLite's functions cannot be reached here, or it counts nothing anyway")
    script = PROBE.format(before=before)
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_it_turns_the_statistics_off_before_any_connection() -> None:
    assert probe() == "True False (1,)"  # nothing counted, and SQLite works


def test_it_leaves_them_on_when_a_connection_is_open_already() -> None:
    opened = "early = sqlite3.connect(':memory:'); early.execute('SELECT 1')"

    assert probe(opened) == "False True (1,)"
