# Control characters in what the operator types (file and folder names, a command, an option)
# and in the texts capture's summary quotes from a zip (an unknown commune, an unknown form id)
# reach the terminal escaped, on stdout and stderr alike (issue 16, finding 3), on every command
# that prints a name.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

N=$(printf 'n\033]0;owned\007\r')  # sets the window title, then goes back to the line's start
# no control byte: only line feeds, printable ASCII and UTF-8 bytes
clean() { same "$1: no control byte" "$(tr -d '\n\040-\176\200-\377' <"$2" | wc -c)" 0; }

ok "database" setup_db
python3 - "$I/a1.xml" <<'PY'
import sys, zipfile
a1 = open(sys.argv[1], encoding="utf-8").read()
commune = a1.replace("<commune>90001</commune>", "<commune>9&#13;parindex: all OK&#x9b;2J</commune>")
form = a1.replace('id="mini-A"', 'id="mini-&#x9b;2J"')
for out, text in (("commune.zip", commune), ("form.zip", form), ("good.zip", a1)):
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("a.xml", date_time=(2026, 1, 10, 8, 0, 0)), text)
PY
cp good.zip "$N.zip"
golden capture-names parindex capture import --db t.db --dry-run commune.zip form.zip "$N.zip" "$N-missing.zip"
parindex capture import --db t.db commune.zip form.zip "$N.zip" "$N-missing.zip" >capture.out 2>capture.err
clean "capture stdout" capture.out
clean "capture stderr" capture.err
same "the zip named with control characters stored" "$(q 'SELECT count(*) FROM submission')" 1
printf 'PK\003\004' >"$N-bad.zip"
golden capture-refused parindex capture import --db t.db "$N-bad.zip"

cp "$T/forms/mini-A.xml" "$N.xml"
golden forms-lint parindex forms lint "$N.xml" "$N-missing.xml"
golden forms-out parindex forms --db t.db --out "$N-forms"

golden scores-template parindex scores template --db t.db --out "$N.csv"
printf 'code,name\n' >"$N-bad.csv"
golden scores-bad parindex scores import --db t.db "$N-bad.csv"
cp "$DATA/scores/mini.csv" "$N-ok.csv"
parindex scores import --db t.db "$N-ok.csv" >scores.out 2>scores.err
clean "scores import stdout" scores.out
same "scores import said where" "$(cat scores.out)" \
	'n\x1b]0;owned\x07\r-ok.csv: import 1: 3 rows for 1 commune stored; 1 commune left blank, skipped'
ok "tally" parindex tally --db t.db
golden report parindex report --db t.db --out "$N-report" --formats csv,xlsx,svg,html
golden init-db parindex init --db "$N.db" --definition "$DATA/definitions/mini.xml"
cp "$DATA/definitions/mini.xml" "$N-def.xml"
golden definition-check parindex definition check "$N-def.xml" "$N-missing.xml"

# a name longer than a message's 256-byte place is cut on a character, ending with "…" (it
# was cut inside the 86th 'ệ', shown as \xe1\xbb)
golden long-name parindex capture import --db t.db "a$(python3 -c 'print("ệ" * 100)').zip"
golden not-a-command parindex "$N"
golden unknown-option parindex "-$N"
golden db-first parindex --db "$N.db" tally "$N"
golden command-option parindex tally "--$N"
finish
