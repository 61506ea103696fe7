# parindex quality: each check with submissions built to trip it and others built not to
# (instances written here, zipped, imported), the table, CSV and JSON outputs, --commune, the
# flags stored, thresholds from the definition's <quality> element; flags leave the tally as
# it was.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

# mini.xml with thresholds: 60 s per scored question (2 asked of each group: 120 s), a
# window 2026-01-05 to 2026-01-31 (now is 2026-01-15T08:00:00Z), 3 forms in 10 minutes a
# burst, "x" is don't know and more than 40 % of them unusual, 2 equal answers straight
sed 's|^  <classification>|  <quality min-seconds-per-question="60" window-start="2026-01-05" window-end="2026-01-31" burst-forms="3" burst-minutes="10" near-duplicate="true" dont-know="x" dont-know-share="0.4" straight-lining="2"/>\n  <classification>|' \
	"$DATA/definitions/mini.xml" >quality.xml
ok "the definition with thresholds checks" parindex definition check quality.xml
ok "init" parindex init --db t.db --definition quality.xml --communes "$CAP/communes.csv"
ok "forms" parindex forms --db t.db --out forms

D=2026-01-10
# controls: none of them trips a check (each its own surveyor and device, 5 minutes, answers
# varied, a day apart or more)
instance ok-1 A 90001 "Nguyễn Thị Hoa" dev-1 ${D}T08:00:00 ${D}T08:05:00 1 a b
instance ok-2 B 90001 "Lê Văn Nam" dev-2 ${D}T09:00:00 ${D}T09:05:00 2 b c
instance ok-3 A 90002 "Phạm Thu Hương" "" ${D}T10:00:00 ${D}T10:05:00 1 c a
# too-short: 60 s (flagged); exactly 120 s (not)
instance short A 90001 "Short One" dev-s1 ${D}T11:00:00 ${D}T11:01:00 1 a c
instance short-not A 90001 "Short Two" dev-s2 ${D}T11:00:00 ${D}T11:02:00 1 c b
# a surveyor's name is data: a CSV cell that cannot become a formula
instance short-formula A 90002 "=2+3" dev-s3 ${D}T11:00:00 ${D}T11:00:30 1 b a
# impossible times: ends before it starts; starts before the window; ends after it; starts in
# the future (2026-01-15T16:00+07:00 is 09:00Z, after now); not: on the window's first day,
# and earlier today (14:00+07:00 is 07:00Z)
instance backwards A 90002 "Time One" dev-t1 ${D}T12:00:00 ${D}T11:50:00 2 a b
instance early A 90002 "Time Two" dev-t2 2026-01-04T23:50:00 2026-01-05T00:10:00 2 b a
instance late A 90002 "Time Three" dev-t3 2026-01-31T23:55:00 2026-02-01T00:05:00 2 a c
instance future A 90002 "Time Four" dev-t4 2026-01-15T16:00:00 2026-01-15T16:05:00 2 c a
instance first-day A 90002 "Time Five" dev-t5 2026-01-05T00:00:00 2026-01-05T00:05:00 2 b c
instance today A 90002 "Time Six" dev-t6 2026-01-15T14:00:00 2026-01-15T14:05:00 2 c b
# straight-lining: every scored answer b (flagged); a then b (not)
instance straight B 90002 "Straight One" dev-l1 ${D}T13:00:00 ${D}T13:05:00 1 b b
instance straight-not B 90002 "Straight Two" dev-l2 ${D}T13:00:00 ${D}T13:05:00 1 b a
# bursts: device dev-b1, 3 forms within 9 minutes (all flagged); device dev-b2, 3 forms 12
# minutes apart end to end (none); surveyor "Burst Three" on 3 devices within 10 minutes
# (all flagged)
instance burst-1 A 90001 "Burst One" dev-b1 ${D}T14:00:00 ${D}T14:05:00 1 b a
instance burst-2 B 90001 "Burst One" dev-b1 ${D}T14:04:00 ${D}T14:09:00 2 a b
instance burst-3 A 90002 "Burst Two" dev-b1 ${D}T14:09:00 ${D}T14:14:00 1 a b
instance burst-not-1 A 90001 "Burst Four" dev-b2 ${D}T15:00:00 ${D}T15:05:00 1 b c
instance burst-not-2 A 90001 "Burst Five" dev-b2 ${D}T15:06:00 ${D}T15:11:00 2 c b
instance burst-not-3 A 90001 "Burst Six" dev-b2 ${D}T15:12:00 ${D}T15:17:00 1 c a
instance burst-s1 A 90001 "Burst Three" dev-b3 ${D}T16:00:00 ${D}T16:05:00 2 c a
instance burst-s2 A 90001 "Burst Three" dev-b4 ${D}T16:05:00 ${D}T16:10:00 2 b c
instance burst-s3 A 90001 "Burst Three" dev-b5 ${D}T16:10:00 ${D}T16:15:00 2 a b
# a burst that does not start with the device's first form: dev-b6 at 17:00 (alone, not
# flagged), 17:20, 17:25, 17:29 (flagged, from 17:20)
instance window-1 A 90002 "Window One" dev-b6 ${D}T17:00:00 ${D}T17:05:00 1 b c
instance window-2 A 90002 "Window Two" dev-b6 ${D}T17:20:00 ${D}T17:25:00 1 c b
instance window-3 B 90002 "Window Three" dev-b6 ${D}T17:25:00 ${D}T17:30:00 2 c b
instance window-4 B 90002 "Window Four" dev-b6 ${D}T17:29:00 ${D}T17:34:00 2 a b
# near-duplicates: the same sex and answers in commune 90002 (both flagged); the same
# answers in the other commune (not); the same answers with the other sex (not)
instance dup-1 B 90002 "Dup One" dev-d1 2026-01-11T08:00:00 2026-01-11T08:05:00 1 c a
instance dup-2 B 90002 "Dup Two" dev-d2 2026-01-12T08:00:00 2026-01-12T08:05:00 1 c a
instance dup-not-commune B 90001 "Dup Three" dev-d3 2026-01-13T08:00:00 2026-01-13T08:05:00 1 c a
instance dup-not-sex B 90002 "Dup Four" dev-d4 2026-01-14T08:00:00 2026-01-14T08:05:00 2 c a
# outside the assigned communes: the account "Trần Giao" surveys 90002 only
instance outside A 90001 "Trần Giao" dev-o1 2026-01-11T09:00:00 2026-01-11T09:05:00 2 a c
instance inside A 90002 "Trần Giao" dev-o2 2026-01-11T10:00:00 2026-01-11T10:05:00 1 a c
# don't know: 1 of 2 scored answers x, 50 % above 40 % (flagged); none (not)
instance dont-know B 90001 "Dont Know" dev-k1 2026-01-12T09:00:00 2026-01-12T09:05:00 1 x a
instance dont-know-not B 90001 "Dont Know Not" dev-k2 2026-01-12T10:00:00 2026-01-12T10:05:00 2 a c
set --
for f in in/*.xml; do set -- "$@" "$(basename "$f")=$T/$f"; done
mkzip all.zip "$@"
ok "import" parindex capture import --db t.db all.zip
printf 'secret-password-1\n' >pw
ok "a surveyor account for 90002" sh -c '"$PARINDEX" user add --db t.db --role surveyor --communes 90002 --password-stdin "Trần Giao" <pw'

ok "scores for the tally" parindex scores import --db t.db "$DATA/scores/mini.csv"
ok "tally before" parindex tally --db t.db
ok "tally tables before" sh -c "sqlite3 t.db '.dump tally_commune tally_field tally_group tally_detail' >tally-before.sql"

# the report says nothing of quality before a quality run (existing reports stay as they were)
ok "report before any quality run" parindex report --db t.db --out report-none --formats html
not_ok "no quality section without a run" grep -q 'Chất lượng khảo sát' report-none/index.html report-none/communes/90002.html

golden table parindex quality --db t.db
same "flags stored: one row per submission and check" \
	"$(q "SELECT group_concat(substr(instance_id, 6) || ':' || check_code, ' ') FROM (SELECT * FROM quality_flag ORDER BY instance_id, check_code)")" \
	"backwards:impossible-time burst-1:burst burst-2:burst burst-3:burst burst-s1:burst burst-s2:burst burst-s3:burst dont-know:dont-know dup-1:near-duplicate dup-2:near-duplicate early:impossible-time future:impossible-time late:impossible-time outside:outside-assignment short:too-short short-formula:too-short straight:straight-lining window-2:burst window-3:burst window-4:burst"
same "the run recorded" "$(q "SELECT computed_at, def_id, submissions, flagged FROM quality_run")" \
	"2026-01-15T08:00:00Z|mini|35|20"
golden csv parindex quality --db t.db --format csv
same "a formula-like name stays text in the CSV" "$("$PARINDEX" quality --db t.db --format csv | grep '^uuid:short-formula,' | cut -d, -f4)" "\"'=2+3\""
golden json parindex quality --db t.db --format json
ok "the JSON parses" sh -c '"$PARINDEX" quality --db t.db --format json | python3 -c "import json, sys; d = json.load(sys.stdin); assert d[\"flagged\"] == 20 and len(d[\"flags\"]) == 20 and sum(s[\"forms\"] for s in d[\"surveyors\"]) == 35 and [(c[\"commune\"], c[\"flag_rate\"]) for c in d[\"communes\"]] == [(\"90001\", 50.0), (\"90002\", 63.2)], d[\"communes\"]"'
golden commune parindex quality --db t.db --commune 90002
golden commune-unknown parindex quality --db t.db --commune 99999
golden bad-format parindex quality --db t.db --format xml

ok "a second run" parindex quality --db t.db
same "a second run replaces the flags" "$(q "SELECT count(*) FROM quality_flag") $(q "SELECT count(*) FROM quality_run")" "20 1"
ok "tally after" parindex tally --db t.db
ok "tally tables after" sh -c "sqlite3 t.db '.dump tally_commune tally_field tally_group tally_detail' >tally-after.sql"
ok "flags never change a tally" cmp tally-before.sql tally-after.sql

# the report's section: the last run's forms per check (its time), each commune's own count,
# and that flags do not change the tally
ok "report after a quality run" parindex report --db t.db --out report --formats html
golden report-index sed -n '/<section class="quality">/,/<\/section>/p' report/index.html
golden report-commune sed -n '/<section class="quality">/,/<\/section>/p' report/communes/90002.html
same "per check as the stored flags" \
	"$(sed -n 's|^<tr><td>[^<]*</td><td class="num">\([0-9]*\)</td></tr>$|\1|p' report/index.html | paste -sd' ')" \
	"$(for c in too-short impossible-time straight-lining burst near-duplicate outside-assignment dont-know; do q "SELECT count(*) FROM quality_flag WHERE check_code = '$c'"; done | paste -sd' ')"
same "commune 90002's flagged forms as stored" \
	"$(grep -o '([^)]*): [0-9]* phiếu của xã' report/communes/90002.html | sed 's/.*: \([0-9]*\) phiếu.*/\1/')" \
	"$(q "SELECT count(DISTINCT f.instance_id) FROM quality_flag f JOIN submission s USING (instance_id) WHERE s.commune_code = '90002'")"

# an excluded submission is still checked, and marked
ok "exclude short" parindex capture exclude --db t.db --reason "quá ngắn" uuid:short
same "marked excluded" "$("$PARINDEX" quality --db t.db --format csv | grep '^uuid:short,')" \
	"uuid:short,90001,A,Short One,dev-s1,yes,too-short,\"60 s for 2 scored questions, under 60 s each\""

# a definition without <quality>: the defaults (5 s a question, no window, 5 forms in 10
# minutes, near-duplicates, no don't-know codes, straight-lining from 5 answers)
ok "init default thresholds" parindex init --db d.db --definition "$DATA/definitions/mini.xml" --communes "$CAP/communes.csv"
ok "forms" parindex forms --db d.db --out forms-d
ok "import" parindex capture import --db d.db all.zip
golden defaults parindex quality --db d.db --format csv

# thresholds the definition check refuses
sed 's|^  <classification>|  <quality window-start="2026-02-01" window-end="2026-01-31" burst-forms="1" dont-know="x zz"/>\n  <classification>|' \
	"$DATA/definitions/mini.xml" >bad-quality.xml
golden bad-definition parindex definition check bad-quality.xml

finish
