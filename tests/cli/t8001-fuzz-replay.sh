# The fuzz corpora and past crashers of the definition, the commune register, the scores
# sheet (CSV and XLSX), the XForm lint, its XPath parser and the output escaping, replayed through the libFuzzer
# entry points without libFuzzer (ASan + UBSan under make check). Each entry point aborts when
# an input breaks an invariant (a loaded definition that does not store, a register that reads
# back different, a CSV cell that reads as a formula).
. "$(dirname "$0")/lib.sh"
: "${FUZZ_REPLAY:?run through make check}"

for t in definition communes scores_csv scores_xlsx lint xpath escape serve_http serve_parse merges; do
	n=$(ls "$TOP/fuzz/corpus/$t" "$TOP/fuzz/regressions/$t" | grep -c -v -e '^$' -e ':$')
	ok "$t corpus not empty" test "$n" -gt 0
	out=$("$FUZZ_REPLAY/replay-$t" "$TOP/fuzz/corpus/$t" "$TOP/fuzz/regressions/$t" 2>"$T/$t.err")
	same "$t: every input replayed" "$? $out" "0 replayed $n inputs"
	same "$t: nothing said" "$(cat "$T/$t.err")" ""
done
# the replayer fails on a missing input, so a wrong path cannot pass silently
not_ok "missing input fails" "$FUZZ_REPLAY/replay-definition" "$T/nothing"

finish
