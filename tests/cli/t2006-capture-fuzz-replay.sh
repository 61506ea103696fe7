# The fuzz corpora and past crashers of the instance parser and the zip reader, replayed
# through the libFuzzer entry points without libFuzzer (ASan + UBSan under make check).
. "$(dirname "$0")/lib.sh"
: "${FUZZ_REPLAY:?run through make check}"

for t in instance zipin; do
	ok "$t corpus" "$FUZZ_REPLAY/replay-$t" "$TOP/fuzz/corpus/$t" "$TOP/fuzz/regressions/$t"
	ok "$t corpus not empty" test -n "$(ls "$TOP/fuzz/corpus/$t")"
done
# the replayer itself fails on a missing input, so a wrong path cannot pass silently
not_ok "missing input fails" "$FUZZ_REPLAY/replay-zipin" "$T/nothing"

finish
