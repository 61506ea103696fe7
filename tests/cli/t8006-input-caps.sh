# Inputs at the file caps. A register under the 64 MB file cap can hold millions of rows (issue 16: memory bounded by
# the input's size): a register of more than COMMUNE_MAX (100,000) communes is refused with
# the line where it went over, and nothing is stored; duplicate codes are found through a hash
# of the codes (the pairwise look took 225 s for 100,000 rows and hours at the cap).
# The whole country has about 10,600 communes. Then the XML a definition or a form is read
# from: 16 MB (the file cap) of "<a/>" was a tree of 564 MB; past 1,000,000 elements,
# attributes (counted twice) and texts the parse stops with a clear refusal (plain build:
# 165 MB peak at the limit, 564 MB before). Measured on the plain build: a 64 MB register
# of 3.4 million communes took 1.4 GB and 58 s before, 113 MB and 0.6 s now.
. "$(dirname "$0")/lib.sh"

register() { # register N [EXTRA]: N communes 1..N, then the line EXTRA if given
	awk -v n="$1" -v extra="${2:-}" 'BEGIN { print "code,name,type,district_code,district"
		for (i = 1; i <= n; i++) printf "%d,Xã %d,xã,999,Huyện Thử nghiệm\n", i, i
		if (extra != "") print extra }'
}
register 100001 >over.csv
golden over-the-cap parindex init --db over.db --definition "$DATA/definitions/mini.xml" --communes over.csv
ok "no database created" test ! -e over.db
register 100000 '7,Xã bảy lần hai,xã,999,Huyện Thử nghiệm' >dup.csv
golden duplicate-at-the-end parindex init --db dup.db --definition "$DATA/definitions/mini.xml" --communes dup.csv
ok "no database created for it either" test ! -e dup.db
register 100000 >cap.csv
ok "a register at the cap" parindex init --db cap.db --definition "$DATA/definitions/mini.xml" --communes cap.csv
same "every commune stored" \
	"$(sqlite3 cap.db "SELECT count(*), min(code + 0), max(code + 0) FROM commune")" "100000|1|100000"

peak() { # peak CMD...: the command's peak RSS in KB, its stderr in peak.err
	python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=open("peak.err", "w"))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
export ASAN_OPTIONS
python3 -c 'import sys
n = 16 * 2**20 - 200
open("elements.xml", "w").write("<h:html xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:head>" + "<a/>" * (n // 4) + "</h:head></h:html>")'
sed 's/h:html/definition/g' elements.xml >definition.xml
# what the binary takes before it reads anything (its libraries: libmicrohttpd and GnuTLS
# added 3 MB) is not the input's: the bound is on the peak above it
base=$(peak "$PARINDEX" --version)
for cmd in "forms lint elements.xml" "definition check definition.xml"; do
	# shellcheck disable=SC2086 # the words of the command
	kb=$(($(peak "$PARINDEX" $cmd) - base))
	same "$cmd: peak under 256 MB" "$([ "$kb" -lt 262144 ] && echo yes || echo "no: $kb KB")" yes
	same "$cmd: refused" "$(head -n 1 peak.err)" \
		"parindex: ${cmd%% *}: ${cmd##* }:1: more than 1000000 elements, attributes and texts: too large"
done
finish
