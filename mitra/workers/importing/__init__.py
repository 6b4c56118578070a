"""Importing workers from the spreadsheets regencies already keep (xlsx, xls, ods, csv).

The steps, the same for the pages (views.py), background jobs (jobs.py) and `mitra import-workers`
(service.py):

1. **Store and inspect** (sources.py, columns.py). The file is kept under a random name, its kind is
   read from its bytes, zip-based files pass the zip-bomb guard. The header row is looked for in the
   first 15 rows (title rows above it are skipped), and its cells are matched with the usual
   Indonesian headers; the user can correct the column mapping.
2. **Check** (engine.check, rows.py). Every row is validated: NIK (mitra.core.nik, with sex and date of birth;
   NIKs kept as numbers or in scientific notation are refused, never repaired), dates (Excel serial
   numbers, date cells, 17-08-1985, 17/08/1985, 1985-08-17, 17 Agustus 1985), the village by code or
   by name inside the importer's area, and the rest. The result is a per-row report (row number as
   the spreadsheet shows it, column, reason in Indonesian) and counts: rows read, valid (new),
   unchanged (NIK registered with the same data: not an error, nothing to do), registered (NIK
   registered with other data or in another area: the stored worker is not changed), duplicates
   (NIK repeated in the file: the first row counts, later ones are skipped) and invalid.
   A row whose village lies outside the importer's area is refused.
3. **Confirm and write** (writer.write). The user sees the report and confirms writing the valid
   rows; rows with problems are skipped and stay in the report, to be fixed and imported again.
   "All or nothing" means the write: one transaction inserts every valid row, with a change-history
   entry summarising the import, or, on any failure (a database error, a NIK registered by someone
   else in the meantime, a killed process), nothing at all. Stored workers are never updated by an
   import, so bad input can neither lose nor half-write stored data, and importing the same file
   again changes nothing (rows are matched by the NIK's keyed hash).

Imported workers start with status "application" (an SK is needed before they become active).
"""
