# The charts' faster PNG encoding (reports/pngfast.c, issue 13): the report puts the shared
# object built beside parindex in LD_PRELOAD for its gnuplot children only. Every PNG it draws
# holds the same pixels as plain gnuplot's (decoded by libpng, tests/gen/pngpixels.c) and is
# encoded as the shared object says (zlib level 1 in the zlib header, the Up filter on every
# row), so this fails when it is not loaded; the SVGs are unchanged; a batch still draws byte
# for byte what 'gnuplot NAME.gp' draws with the same environment; an LD_PRELOAD already set is
# kept; a parindex without the shared object, or with a damaged one, still draws every chart.
. "$(dirname "$0")/lib.sh"

R="$DATA/reports"
: "${PNGPIXELS:?run through make check}"
FAST="$(dirname "$PARINDEX_REAL")/parindex-pngfast.so"
ok "the shared object is built beside parindex" test -s "$FAST"
parindex init --definition "$DATA/definitions/mini.xml" --communes "$R/communes.csv" >/dev/null
sqlite3 parindex.db ".read $R/mini-tally.sql"

# a gnuplot that notes the LD_PRELOAD it was given, then runs the real one
mkdir bin
printf '#!/bin/sh\nprintf "%%s\\n" "$LD_PRELOAD" >>"%s/preload"\nexec "%s" "$@"\n' "$T" "$(command -v gnuplot)" >bin/gnuplot
chmod +x bin/gnuplot

ok "report with the shared object" env -u LD_PRELOAD PATH="$T/bin:$PATH" "$PARINDEX" report --out fast --formats png,svg
same "gnuplot was given it, and only it" "$(sort -u preload)" "$FAST"
rm preload

# the same binary alone in a folder: no shared object beside it (nor installed for it)
mkdir alone
cp "$PARINDEX_REAL" alone/parindex
golden alone-report env -u LD_PRELOAD PATH="$T/bin:$PATH" alone/parindex report --out plain --formats png,svg
same "gnuplot was given no LD_PRELOAD" "$(sort -u preload)" ""
rm preload

n=0
for f in plain/charts/*.png; do
	name=$(basename "$f" .png)
	set -- $("$PNGPIXELS" "fast/charts/$name.png")
	fast_size=$2 fast_level=$4 fast_filters=$6 fast_rgb=$8
	set -- $("$PNGPIXELS" "plain/charts/$name.png")
	same "$name.png: the same pixels" "$fast_size $fast_rgb" "$2 $8"
	same "$name.png: encoded with zlib level 1, the Up filter alone" "$fast_level $fast_filters" "0 2"
	same "$name.png without it: libpng's defaults (level 6, the filters chosen per row)" \
		"$4 $(test "$6" != 2 && echo several)" "2 several"
	ok "$name.svg: the same" cmp "fast/charts/$name.svg" "plain/charts/$name.svg"
	n=$((n + 1))
done
same "every chart compared" "$n" 12
not_ok "the files differ" cmp fast/charts/ranking.png plain/charts/ranking.png

# a batch draws what the script draws alone, byte for byte, in the same environment
cp -r fast/charts lone
rm lone/*.png lone/*.svg lone/*.log 2>/dev/null
for f in lone/*.gp; do
	(cd lone && env LD_PRELOAD="$FAST" gnuplot "$(basename "$f")") >>lone.log 2>&1
done
same "gnuplot said nothing" "$(cat lone.log)" ""
for f in fast/charts/*.png fast/charts/*.svg; do
	ok "$(basename "$f"): batch and lone script the same bytes" cmp "$f" "lone/$(basename "$f")"
done

# an LD_PRELOAD already set is kept, the shared object after it (zlib: a library that gnuplot
# loads anyway and that defines no png_ function; the sanitizers' runtime told not to insist on
# coming first)
LIBZ=$(ldd "$FAST" | awk '/libz\.so/ { print $3 }')
ok "zlib's path" test -f "$LIBZ"
ok "report with LD_PRELOAD set" env LD_PRELOAD="$LIBZ" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	PATH="$T/bin:$PATH" "$PARINDEX" report --out kept --formats png
same "gnuplot was given both, ours last" "$(sort -u preload)" "$LIBZ:$FAST"
same "and used ours" "$("$PNGPIXELS" kept/charts/ranking.png | cut -d' ' -f4,6)" "0 2"
rm preload
ok "without the shared object: kept as it is" env LD_PRELOAD="$LIBZ" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	PATH="$T/bin:$PATH" alone/parindex report --out kept-alone --formats png
same "gnuplot was given it alone" "$(sort -u preload)" "$LIBZ"
rm preload

# a damaged shared object: the dynamic loader says so and goes on without it; every chart drawn
: >alone/parindex-pngfast.so
golden damaged-report env -u LD_PRELOAD alone/parindex report --out damaged --formats png
same "every chart drawn" "$(ls damaged/charts/*.png | wc -l)" 12
same "with libpng's defaults" "$("$PNGPIXELS" damaged/charts/ranking.png | cut -d' ' -f4)" 2
ok "the loader's words kept beside the script" grep -q 'parindex-pngfast.so' damaged/charts/ranking.log
finish
