# make install: binary, shipped definitions and a man page whose synopsis matches --help.
. "$(dirname "$0")/lib.sh"

# the synopsis of the man page, roff escapes removed, against the one --help prints
sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' "$TOP/parindex.1" | grep -v '^\.' | sed 's/\\-/-/g' >man.txt
{
	echo "parindex [--version] [--help] COMMAND [ARGS]"
	parindex --help | sed -n '/^synopsis:/,/^$/p' | sed -e '1d' -e '/^$/d' -e 's/^  //'
} >help.txt
ok "man page synopsis matches --help" diff -u help.txt man.txt
for c in $(parindex --help | sed -n '/^commands:/,/^$/p' | sed -e '1d' -e '/^$/d' | awk '{print $1}'); do
	ok "man page describes '$c'" grep -q "^\.B $c" "$TOP/parindex.1"
done

# install into a staging folder, from a copy of the build so the tree is not touched
make -s -C "$TOP" install DESTDIR="$T/stage" PREFIX=/opt/px BUILD="${BUILD:-build}" >make.log 2>&1
ok "make install succeeds" test -x "$T/stage/opt/px/bin/parindex"
ok "definitions installed" test -f "$T/stage/opt/px/share/parindex/definitions/hai-duong-2021.xml"
ok "schema installed" test -f "$T/stage/opt/px/share/parindex/definition.rng"
ok "man page installed" test -f "$T/stage/opt/px/share/man/man1/parindex.1"
ok "man page formats without warnings" sh -c 'LC_ALL=C.UTF-8 man --warnings -l "$1" >/dev/null 2>warn.txt || true; ! test -s warn.txt' sh "$T/stage/opt/px/share/man/man1/parindex.1"
ok "installed binary runs" "$T/stage/opt/px/bin/parindex" definition check "$T/stage/opt/px/share/parindex/definitions/hai-duong-2021.xml"
make -s -C "$TOP" uninstall DESTDIR="$T/stage" PREFIX=/opt/px >>make.log 2>&1
ok "uninstall removes the binary" test ! -e "$T/stage/opt/px/bin/parindex"

finish
