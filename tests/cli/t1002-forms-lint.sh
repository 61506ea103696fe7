# parindex forms lint: each defect that ODK Collect refuses (or that leaves a form impossible to
# finish) is named with file and line; the fixtures under tests/data/forms/lint/ are the
# generated mini-A.xml with exactly one defect each (said in a comment at the top).
. "$(dirname "$0")/lib.sh"

LINT="$DATA/forms/lint"
cp "$LINT"/*.xml .
for f in [0-9]*.xml; do
	golden "${f%.xml}" parindex forms lint "$f"
done

# every fixture is refused, and differs from the generated form in one place only
parindex init --definition "$DATA/definitions/mini.xml" --communes "$DATA/forms/communes-999.csv" >/dev/null
parindex forms --out out >/dev/null
for f in [0-9]*.xml; do
	case $f in
	06-*|12-*) # Collect makes up an instanceID, loads a form without an id; Central
		# needs both
		ok "$f passes for Collect" parindex forms lint "$f"
		not_ok "$f refused for Central" parindex forms lint --for central "$f" ;;
	05-*|07-*|11-*) # JavaRosa loads these (ignores the bind, falls back to the
		# default language, never asks the node): a warning
		ok "$f passes (a warning)" parindex forms lint "$f" ;;
	*) not_ok "$f refused" parindex forms lint "$f" ;;
	esac
	case $f in
	09-*|10-*) continue ;; # the defect is the document itself
	esac
	n=$(diff out/mini-A.xml "$f" | grep -v '^> <!--' | grep -c '^[<>]')
	ok "$f: one defect ($n changed lines)" test "$n" -le 8
done

golden 06-no-instance-id-central parindex forms lint --for central 06-no-instance-id.xml

# several files: the good ones are reported ok, the status is that of the worst
golden several parindex forms lint out/mini-A.xml 04-duplicate-option-values.xml out/mini-B.xml
# not an XForm at all
printf '' >empty.xml
golden empty parindex forms lint empty.xml
golden not-xform parindex forms lint out/formList.xml

finish
