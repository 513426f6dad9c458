"""Days with a check-in between two days, counted from the roll-up `CheckInDays`.

A patient's year of check-ins is about 300 rows; its roll-up is 12 rows of 32 bits, one per
block of 32 days (bit i of block b: day number 32·b + i, `date.toordinal()`). Counting the
days from `first` to `last` reads the blocks that overlap them, keeps each block's bits
inside the range and counts them. The days abstinent and the adherence per week of care read
this rather than the 3.1 M check-ins of a year of 10,000 patients (issue 18 point 7).

Two steps, as the statements use them: `blocks_join` joins each row naming a patient and a
range to the blocks that overlap it, and `bits_sql` gives each block's bits in the range,
to be kept in a column (a MATERIALIZED CTE) and counted with `sql.bit_count_sql`, which
reads its column eight times on SQLite.
"""

from __future__ import annotations

ROLL_UP = "outcomes_checkindays"
BLOCK_DAYS = 32  # the migration's triggers say the same (outcomes/0003)


def blocks_join(alias: str, patient: str, first: str, last: str) -> str:
    """JOIN of the blocks of `patient` (an SQL column) that overlap day numbers `first` to
    `last` (SQL integer expressions, first <= last); one parameter: the organization."""
    return (
        f"JOIN {ROLL_UP} {alias} ON {alias}.organization_id = %s "
        f"AND {alias}.patient_id = {patient} AND {alias}.block >= ({first}) / {BLOCK_DAYS} "
        f"AND {alias}.block <= ({last}) / {BLOCK_DAYS}"
    )


def bits_sql(alias: str, first: str, last: str) -> str:
    """The bits of block `alias` (joined by `blocks_join`) for the days `first` to `last`:
    from the range's first day in the block (or its day 0) to its last (or its day 31)."""
    start, top = f"{alias}.block * {BLOCK_DAYS}", BLOCK_DAYS - 1  # top: the block's last bit
    low = f"CASE WHEN ({first}) > {start} THEN ({first}) - {start} ELSE 0 END"
    high = f"CASE WHEN ({last}) < {start} + {top} THEN ({last}) - {start} ELSE {top} END"
    one = "CAST(1 AS BIGINT)"  # PostgreSQL's integer 1 << 31 would overflow
    return f"({alias}.days & (({one} << (({high}) + 1)) - ({one} << ({low}))))"
