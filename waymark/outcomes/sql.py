"""The few SQL snippets that SQLite and PostgreSQL spell differently, for the outcomes
queries written as SQL text (measures, missed, BAM, engagement, substance use): one
function per idea, each returning this database's SQL for a column or expression."""

from __future__ import annotations

from typing import Any

from django.db import connection


def _spelled(sqlite: str, postgresql: str) -> str:
    """This database's spelling of one snippet."""
    return sqlite if connection.vendor == "sqlite" else postgresql


def days_sql(later: str, earlier: str) -> str:
    """Whole days from one date column to another."""
    return _spelled(
        f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)", f"({later} - {earlier})"
    )


def date_plus_sql(column: str, days: int) -> str:
    """A date column `days` days later (an index can range on it)."""
    return _spelled(f"date({column}, '{days:+d} days')", f"({column} + {days:d})")


def date_of_sql(column: str) -> str:
    """A timestamp column's date (UTC: Waymark's connections' time zone)."""
    return _spelled(f"date({column})", f"CAST({column} AS DATE)")


def day_number_sql(column: str) -> str:
    """A date column as its day number (`date.toordinal()`)."""
    return _spelled(
        f"CAST(julianday({column}) - 1721424.5 AS INTEGER)", f"({column} - DATE '0001-01-01' + 1)"
    )


def day_number_date_sql(day: str) -> str:
    """A day number (`day_number_sql`) back to a date."""
    return _spelled(f"date({day} + 1721424.5)", f"(DATE '0001-01-01' + ({day} - 1))")


def date_sql(text: str) -> str:
    """A 'YYYY-MM-DD' text as a date (SQLite keeps dates as that text)."""
    return _spelled(text, f"CAST({text} AS DATE)")


def time_text_sql(column: str) -> str:
    """A timestamp column as a text that sorts as the time ('#' sorts below every character
    that can follow it: SQLite stores no microseconds when they are 0)."""
    fixed_width = f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    return _spelled(column, fixed_width)


def text_sql(column: str) -> str:
    """A column as text (a date: 'YYYY-MM-DD')."""
    return _spelled(f"CAST({column} AS TEXT)", f"{column}::text")


def number_sql(text: str) -> str:
    """A text as a number (a score: REAL on SQLite, NUMERIC on PostgreSQL)."""
    return f"CAST({text} AS {_spelled('REAL', 'NUMERIC')})"


def after_hash_sql(column: str) -> str:
    """The text after the first '#' of a text column."""
    return _spelled(f"substr({column}, instr({column}, '#') + 1)", f"split_part({column}, '#', 2)")


def uuid_sql(column: str) -> str:
    """A UUID written as text with hyphens (an audit row's object id) as a UUID column of
    this database compares (SQLite stores UUIDs as 32 hex digits; the CAST gives the
    expression TEXT affinity, without which SQLite will not index a join on it)."""
    return _spelled(f"CAST(REPLACE({column}, '-', '') AS TEXT)", f"CAST({column} AS uuid)")


def bit_count_sql(column: str) -> str:
    """How many bits are set in a column of integers below 2^32 (`CheckInDays.days`, masked).
    PostgreSQL counts them itself; SQLite has no such function, so it adds them up the
    parallel way (pairs, nibbles, bytes: Hacker's Delight, Warren 2012, §5-1), in which the
    column appears 8 times: give it a column, not an expression to recompute."""
    c = column
    pairs = f"({c} - (({c} >> 1) & 1431655765))"  # 0x55555555: each pair's count
    nibbles = f"(({pairs} & 858993459) + (({pairs} >> 2) & 858993459))"  # 0x33333333
    bytes_ = f"(({nibbles} + ({nibbles} >> 4)) & 252645135)"  # 0x0F0F0F0F
    return _spelled(
        f"((({bytes_} * 16843009) & 4294967295) >> 24)",  # 0x01010101: the bytes' sum on top
        f"bit_count(CAST({c} AS bit(32)))",
    )


def indexed_by(index: str) -> str:
    """After a table in FROM: read it by this index on SQLite (its planner otherwise picks
    the (organization, questionnaire, day) index of a period's responses and jumps between
    every questionnaire's range, reading rows out of patient order and sorting them all to
    group them: 2.0 s rather than 0.5 s for a year of 10,000 patients' responses).
    PostgreSQL has no such clause and chooses well by itself."""
    return _spelled(f"INDEXED BY {index}", "")


def unflattened() -> str:
    """At the end of a subquery in FROM: keep it a subquery of its own, so each column it
    computes is computed once per row. SQLite otherwise folds it into the query around it
    and copies the column's expression wherever the column is used (a date parsed seven
    times per row); a LIMIT stops that (-1: no limit), as OFFSET 0 does on PostgreSQL."""
    return _spelled("LIMIT -1", "OFFSET 0")


def outer_first_join() -> str:
    """An inner join whose left table SQLite must loop over outside the right one (SQLite's
    CROSS JOIN fixes the order; rows then come out in the left table's index order, which a
    GROUP BY on it uses instead of sorting them). PostgreSQL plans the join itself."""
    return _spelled("CROSS JOIN", "JOIN")


def dict_rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """The rows of one statement as dicts by column name."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        header = [column[0] for column in cursor.description]
        return [dict(zip(header, row, strict=True)) for row in cursor.fetchall()]
