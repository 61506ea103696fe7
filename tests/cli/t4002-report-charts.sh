# Every chart of the report drawn by gnuplot: each PNG decodes, has the size its script asks
# for, weighs more than a few KB and is not blank; each SVG is well-formed and carries its
# Vietnamese title; each script redraws on its own. The checker itself must catch a blank PNG.
. "$(dirname "$0")/lib.sh"

R="$DATA/reports"
CHECK="python3 $R/pngcheck.py"
parindex init --definition "$DATA/definitions/mini.xml" --communes "$R/communes.csv" >/dev/null
sqlite3 parindex.db ".read $R/mini-tally.sql"
ok "report with charts" parindex report --out out --formats png,svg

n=0
for gp in out/charts/*.gp; do
	name=$(basename "$gp" .gp)
	size=$(sed -n 's/^set terminal pngcairo size \([0-9]*\),\([0-9]*\) .*/\1x\2/p' "$gp")
	got=$($CHECK --min-bytes 8000 --min-colours 8 "out/charts/$name.png")
	same "$name.png decodes, its size, not blank" "$?|$(echo "$got" | cut -d' ' -f2)" "0|$size"
	ok "$name.svg is well-formed" xmllint --noout "out/charts/$name.svg"
	title=$(sed -n 's/^set title "\([^"\\]*\).*/\1/p' "$gp")
	ok "$name.svg has its title '$title'" grep -q -F "$title" "out/charts/$name.svg"
	n=$((n + 1))
done
same "every chart checked" "$n" 12
ok "the ranking draws its three thresholds" test "$(grep -c '^set arrow' out/charts/ranking.gp)" = 3

# a script redraws its chart by itself, from its folder
rm out/charts/quota.png
ok "a script redraws by itself" sh -c 'cd out/charts && gnuplot quota.gp'
ok "redrawn chart checks" $CHECK --min-bytes 8000 --min-colours 8 out/charts/quota.png

# a tally with no tally_group rows: the quota chart says there is nothing to draw instead of
# stopping gnuplot (and the charts after it)
parindex init --db nogroups.db --definition "$DATA/definitions/mini.xml" --communes "$R/communes.csv" >/dev/null
sqlite3 nogroups.db ".read $R/mini-tally.sql" ".read $R/no-groups.sql"
same "no tally_group rows in the fixture" "$(sqlite3 nogroups.db 'SELECT count(*) FROM tally_group')" 0
ok "report without groups' rows" parindex report --db nogroups.db --out nogroups --formats png,svg
same "every chart drawn" "$(ls nogroups/charts/*.png | wc -l) $(ls nogroups/charts/*.svg | wc -l)" "12 12"
got=$($CHECK --min-bytes 4000 --min-colours 8 nogroups/charts/quota.png)
same "quota.png decodes, its size" "$?|$(echo "$got" | cut -d' ' -f2)" \
	"0|$(sed -n 's/^set terminal pngcairo size \([0-9]*\),\([0-9]*\) .*/\1x\2/p' nogroups/charts/quota.gp)"
ok "quota.svg is well-formed" xmllint --noout nogroups/charts/quota.svg
ok "quota.svg says there is nothing to draw" grep -q -F "Không có số phiếu theo nhóm" nogroups/charts/quota.svg
ok "no gnuplot log left" test ! -e nogroups/charts/quota.log

# the checker fails a blank image and a file that is not a PNG
printf 'set terminal pngcairo size 400,300\nset output "blank.png"\nunset border\nunset tics\nunset key\nset yrange [0:1]\nplot [0:1] -1\n' >blank.gp
ok "blank image drawn" gnuplot blank.gp
not_ok "a blank PNG is caught" $CHECK blank.png
echo "not a png" >fake.png
not_ok "a non-PNG is caught" $CHECK fake.png
finish
