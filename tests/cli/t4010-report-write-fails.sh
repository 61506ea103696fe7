# A workbook or a CSV file that cannot be written fails the report with the file named and
# exit 3; the sheets' temporary files keep their stdio buffers (reports/tables.c) whether the
# workbook was closed, failed to close or was never closed, and nothing is leaked or used
# after it was freed (ASan at exit, when glibc flushes the files the library left open).
. "$(dirname "$0")/lib.sh"

R="$DATA/reports"
parindex init --definition "$DATA/definitions/mini.xml" --communes "$R/communes.csv" >/dev/null
sqlite3 parindex.db ".read $R/mini-tally.sql"

# the workbook's path taken by a folder: the CSV files are written (the tables come first),
# the pages are not
mkdir -p book/report.xlsx
golden workbook-fails parindex report --out book --formats html,xlsx,csv
ok "workbook fails: the CSV files written" test -s book/csv/survey.csv
ok "workbook fails: no pages" test ! -e book/index.html

# a CSV file's path taken by a folder: the report fails on it
mkdir -p table/csv/questions.csv
golden csv-fails parindex report --out table --formats html,xlsx,csv
ok "csv fails: the tables before it written" test -s table/csv/criteria.csv
ok "csv fails: none after it" test ! -e table/csv/survey.csv

# both: the CSV file is named
mkdir -p both/report.xlsx both/csv/ranking.csv
golden both-fail parindex report --out both --formats xlsx,csv
finish
