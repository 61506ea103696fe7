# The command table, help, version and exit statuses.
. "$(dirname "$0")/lib.sh"

golden help parindex --help
golden help-init parindex help init
golden init-help parindex init --help
golden no-args parindex
golden unknown-command parindex frobnicate
golden help-unknown parindex help frobnicate
golden init-bad-option parindex init --bogus
# every command's --help lists each option of its synopsis, with its default
for c in init definition forms capture export quality scores tally report user backup serve help; do
	golden "help-$c" parindex "$c" --help
	parindex "$c" --help >h.txt
	sed -n '/^options:/,$p' h.txt | grep -o -e '^  --[a-z-]*' | sed 's/^  //' | sort -u >listed.txt
	sed '/^$/,$d' h.txt | grep -o -e '--[a-z-]*' | sort -u >synopsis.txt
	ok "$c --help describes every option of its synopsis" diff -u synopsis.txt listed.txt
	ok "$c --help gives a default for every option" awk '
		/^options:/ { on = 1; next }
		on && /^  --/ { if (opt && !dflt) bad = 1; opt = 1; dflt = 0 }
		on && /default: / { dflt = 1 }
		END { exit bad || (opt && !dflt) }' h.txt
	for o in $(cat listed.txt); do
		m=$(printf '%s' "$o" | sed 's/-/\\-/g')
		ok "$c: $o is in the man page" sh -c 'grep -e "^\.BI* " "$2" | grep -qF -e "$1"' sh "$m" "$TOP/parindex.1"
	done
done

# --db belongs after the command: say so, with the corrected command line
golden db-before-command parindex --db x.db init --communes c.csv
golden db-before-no-command parindex --db x.db
golden option-before-command parindex --frob init
ok "nothing created for --db before the command" test ! -e x.db
ok "version names the program" sh -c '"$PARINDEX" --version | grep -q "^parindex [0-9]"'

finish
