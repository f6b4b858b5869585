"""What a customer sheet may hold, checked before anything is allocated for it.

A workbook is a zip of XML: a 5 KB file can declare a cell at XFD1048576 (and a
reader that fills the grid allocates 17 billion cells), or pack a gigabyte of
zeros. The limits below are far above any real batch (sales export hundreds of
customers at a time) and keep every sheet within a few hundred megabytes.
"""

from __future__ import annotations

MAX_FILE_BYTES = 8 * 1024 * 1024  # the .xlsx or .csv file itself
MAX_UNPACKED_BYTES = 32 * 1024 * 1024  # all parts of a workbook once decompressed
MAX_DATA_ROWS = 5000  # customers in one sheet
MAX_COLUMNS = 64  # the template has 16; notes columns fit too
MAX_CELL_CHARS = 2000  # the longest field (附录一's purpose) allows 500
