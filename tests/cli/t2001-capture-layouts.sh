# parindex capture import: every zip layout ODK tools write, both instance serializations
# (JavaRosa and ODK Web Forms), media and form files listed as ignored.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

setup_db
# ODK Collect: instances/<form title>_<stamp>/<same>.xml, titles with spaces and Vietnamese
mkzip collect.zip \
	"instances/Phiếu khảo sát nhóm A_2026-01-10_08-00-00/Phiếu khảo sát nhóm A_2026-01-10_08-00-00.xml=$I/a1.xml" \
	"instances/Phiếu khảo sát nhóm A_2026-01-10_08-00-00/1736496000000.jpg=$CAP/communes.csv" \
	"instances/Phiếu khảo sát nhóm B_2026-01-11_09-00-00/Phiếu khảo sát nhóm B_2026-01-11_09-00-00.xml=$I/b1.xml"
golden collect parindex capture import --db t.db --receipt collect.csv collect.zip
golden collect-receipt cat collect.csv
same "collect: stored" "$(q "SELECT group_concat(instance_id || ' ' || form_id || ' ' || commune_code || ' ' || answers, ';') FROM submission ORDER BY id")" \
	'uuid:00000000-0000-4000-8000-000000000001 mini-A 90001 {"sex":"2","qa":"a","qb":"b"};uuid:00000000-0000-4000-8000-000000000031 mini-B 90002 {"sex":"2","qa":"a","qc":"x"}'
same "collect: fields" "$(q "SELECT surveyor, started, ended, device_id, comment IS NULL FROM submission WHERE form_id = 'mini-A'")" \
	"Nguyễn Thị Hoa|2026-01-10T08:00:00.000+07:00|2026-01-10T08:05:00.000+07:00|collect:abc123|1"

# ODK Collect projects: projects/<uuid>/instances/...
rm -f t.db* && setup_db
mkzip projects.zip \
	"projects/5b2a8c1e-0d1f-4e1a-9d6b-2f0c3e4a5b6c/instances/Phiếu A_2026-01-10_08-00-00/Phiếu A_2026-01-10_08-00-00.xml=$I/a1.xml" \
	"projects/5b2a8c1e-0d1f-4e1a-9d6b-2f0c3e4a5b6c/instances/Phiếu A_2026-01-10_08-10-00/Phiếu A_2026-01-10_08-10-00.xml=$I/a2.xml"
golden projects parindex capture import --db t.db projects.zip
same "projects: comment kept" "$(q "SELECT comment FROM submission WHERE instance_id LIKE '%0002'")" "Cán bộ một cửa nhiệt tình."

# ODK Briefcase storage: forms/<title>/instances/uuid<id>/submission.xml, plus the form itself
rm -f t.db* && setup_db
mkzip briefcase.zip \
	"ODK Briefcase Storage/forms/Phiếu khảo sát nhóm B/Phiếu khảo sát nhóm B.xml=$T/forms/mini-B.xml" \
	"ODK Briefcase Storage/forms/Phiếu khảo sát nhóm B/instances/uuid00000000-0000-4000-8000-000000000031/submission.xml=$I/b1.xml" \
	"ODK Briefcase Storage/forms/Phiếu khảo sát nhóm A/instances/uuid00000000-0000-4000-8000-000000000001/submission.xml=$I/a1.xml"
golden briefcase parindex capture import --db t.db --receipt briefcase.csv briefcase.zip
golden briefcase-receipt cat briefcase.csv

# flat and nested zips of XML files; macOS metadata
rm -f t.db* && setup_db
mkzip flat.zip "a1.xml=$I/a1.xml" "b1.xml=$I/b1.xml" "__MACOSX/._a1.xml=$I/a1.xml" "ghi chú.txt=$CAP/communes.csv"
golden flat parindex capture import --db t.db --receipt flat.csv flat.zip
golden flat-receipt cat flat.csv
rm -f t.db* && setup_db
mkzip nested.zip "đợt 1/xã 90001/a1.xml=$I/a1.xml" "đợt 1/xã 90002/sâu/hơn/b1.xml=$I/b1.xml"
golden nested parindex capture import --db t.db nested.zip
same "nested: both stored" "$(q "SELECT count(*) FROM current_submission")" "2"

# a name in a legacy code page (no UTF-8 flag, not UTF-8): read, shown with \xNN escapes
rm -f t.db* && setup_db
python3 -c "
import zipfile
z = zipfile.ZipFile('legacy.zip', 'w', zipfile.ZIP_DEFLATED)
z.writestr('phi_u A.xml', open('$I/a1.xml').read())
z.close()
d = open('legacy.zip', 'rb').read().replace(b'phi_u A.xml', b'phi\xe1u A.xml')
open('legacy.zip', 'wb').write(d)"
golden legacy-name parindex capture import --db t.db --receipt legacy.csv legacy.zip
golden legacy-name-receipt cat legacy.csv

# the generator's three layouts and the Web Forms serialization, at a bigger size
for layout in collect briefcase flat; do
	rm -f t.db* && setup_db
	ok "gen-batch $layout" "$GEN_BATCH" --definition "$DATA/definitions/mini.xml" \
		--communes "$DATA/capture/communes.csv" --count 60 --seed 7 --layout $layout --out gen.zip
	ok "import $layout" parindex capture import --db t.db gen.zip
	same "$layout: all stored" "$(q "SELECT count(*), sum(status = 'accepted') FROM batch_entry")" "60|60"
done
rm -f t.db* && setup_db
ok "gen-batch web forms" "$GEN_BATCH" --definition "$DATA/definitions/mini.xml" \
	--communes "$DATA/capture/communes.csv" --count 40 --web-forms --out web.zip
golden web-forms parindex capture import --db t.db web.zip
same "web forms: groups in quota proportion" "$(q "SELECT group_concat(n, ' ') FROM (SELECT count(*) AS n FROM submission GROUP BY group_id ORDER BY group_id)")" "20 20"

# instances made by ODK's own XForms engine from the forms 'parindex forms' writes for the
# shipped definition (tests/data/forms/submissions, see its README)
rm -f t.db*
ok "init default" parindex init --db t.db --communes "$DATA/communes/cam-giang.csv"
ok "forms default" parindex forms --db t.db --out forms-default
S="$DATA/forms/submissions"
mkzip engine.zip "instances/G1/G1.xml=$S/hai-duong-commune-par-G1-a.xml" \
	"instances/G2/G2.xml=$S/hai-duong-commune-par-G2-d.xml" \
	"instances/G4/G4.xml=$S/hai-duong-commune-par-G4-b.xml" \
	"instances/G5/G5.xml=$S/hai-duong-commune-par-G5-c.xml"
golden engine parindex capture import --db t.db engine.zip
same "engine: G1 answers" "$(q "SELECT answers FROM submission WHERE group_id = 'G1'")" \
	'{"sex":"2","age":"3","q01":"4","q02":"9","q03":"1","q04":"2","q10":"3","q17":"4","q18":"9","q19":"1","q20":"2","q21":"1","q22":"2"}'
same "engine: surveyors and comments" "$(q "SELECT group_concat(group_id || ' ' || commune_code || ' ' || surveyor || ' ' || coalesce(comment, '-'), '; ') FROM (SELECT * FROM submission ORDER BY group_id)")" \
	"G1 10888 ĐTV-07 Nguyễn Thị Thu Hằng Đề nghị niêm yết đầy đủ thủ tục; cán bộ một cửa rất nhiệt tình, chu đáo.; G2 10897 ĐTV-12 Phạm Văn Đức -; G4 10891 ĐTV-07 Nguyễn Thị Thu Hằng Đề nghị niêm yết đầy đủ thủ tục; cán bộ một cửa rất nhiệt tình, chu đáo.; G5 10894 ĐTV-07 Nguyễn Thị Thu Hằng Đề nghị niêm yết đầy đủ thủ tục; cán bộ một cửa rất nhiệt tình, chu đáo."

finish
