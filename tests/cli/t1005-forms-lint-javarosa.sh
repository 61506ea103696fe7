# parindex forms lint agrees with JavaRosa (ODK Collect's engine): each fixture under
# tests/data/forms/javarosa/ is 00-valid.xml with one change, said in a comment at the top.
# 2x, 3x: forms JavaRosa loads, which the lint passes (warnings allowed, exit 0);
# 4x, 6x: forms JavaRosa (or Central) refuses, which the lint refuses with the reason (XPath
# syntax, dependency cycles, paths JavaRosa cannot read, actions, ranges);
# 5x: forms JavaRosa parses but Collect fails on later or Central refuses: a warning.
. "$(dirname "$0")/lib.sh"

cp "$DATA"/forms/javarosa/*.xml .
for f in [0-9]*.xml; do
	golden "${f%.xml}" parindex forms lint "$f"
done
for f in 00-*.xml [23][0-9]-*.xml; do
	ok "$f loads in JavaRosa: passes" parindex forms lint "$f"
	ok "$f passes for Central too" parindex forms lint --for central "$f"
done
for f in 4[0-13-9]-*.xml 6[0-9]-*.xml; do
	not_ok "$f refused by JavaRosa: refused" parindex forms lint "$f"
done
for f in 5[0-9]-*.xml; do
	ok "$f parsed by JavaRosa: passes" parindex forms lint "$f"
	parindex forms lint "$f" >/dev/null 2>"$f.err"
	ok "$f: one warning" test "$(grep -c ': warning: ' "$f.err")" -eq 1
done
# Central needs the form's id
not_ok "50-root-without-id.xml refused for Central" parindex forms lint --for central 50-root-without-id.xml

# each fixture differs from the base in one place only (64 moves the head: it is the change)
for f in [235][0-9]-*.xml 4[0-9]-*.xml 6[0-35-9]-*.xml; do
	n=$(diff 00-valid.xml "$f" | grep -v '^[<>] <!--' | grep -c '^[<>]')
	ok "$f: one change ($n changed lines)" test "$n" -le 8
done

# Collect makes up an instanceID when the form has none; Central needs it
golden 42-no-instance-id-central parindex forms lint --for central 42-no-instance-id.xml
golden for-equals parindex forms lint --for=central 00-valid.xml 42-no-instance-id.xml
golden for-unknown parindex forms lint --for kobo 00-valid.xml
golden for-no-file parindex forms lint --for central

# parindex's own forms are held to more: what is a warning on a foreign form is an error on
# them (checked in the unit tests); the generated forms still pass for Collect and Central
parindex init --definition "$DATA/definitions/mini.xml" --communes "$DATA/forms/communes-999.csv" >/dev/null
parindex forms --out out >/dev/null
golden generated-central parindex forms lint --for central out/mini-A.xml out/mini-B.xml

finish
