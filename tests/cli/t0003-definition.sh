# parindex definition check: the shipped definitions pass; every broken one is refused with
# file, line and defect, all errors of a file reported.
. "$(dirname "$0")/lib.sh"

golden shipped parindex definition check "$TOP"/schemas/definitions/*.xml "$DATA/definitions/mini.xml"
for f in "$DATA"/definitions/bad/*.xml; do
	golden "$(basename "$f" .xml)" parindex definition check "$f"
done
# a province's definition: its area, ranking groups, bonus and penalty, reserve forms; one
# without a survey; a group of 3 officials without a per-commune total passes
golden province parindex definition check "$DATA/definitions/province.xml" "$DATA/definitions/self-only.xml"
# a year in the titles other than the year attribute: a warning, and the file is accepted
golden title-year parindex definition check "$DATA/definitions/title-year.xml"
# with an error too: the warning among the errors in line order, counted apart
sed 's|<district code="999">|<district>|' "$DATA/definitions/title-year.xml" >title-year-no-code.xml
golden title-year-and-error parindex definition check title-year-no-code.xml
golden two-files parindex definition check "$DATA/definitions/mini.xml" "$DATA/definitions/bad/07-criteria-sum.xml"
parindex definition default >default.xml
ok "default prints the shipped definition byte for byte" cmp default.xml "$TOP/schemas/definitions/hai-duong-2021.xml"
golden no-file parindex definition check
golden bad-subcommand parindex definition frob
golden missing parindex definition check nosuch.xml

finish
