# The fuzz corpora and past crashers of the instance parser, the zip reader and the Central
# CSV reader, replayed through the libFuzzer entry points without libFuzzer (ASan + UBSan under
# make check). The zip reader twice: from memory (zipin) and from a file (zipin_file: the pread windows that
# capture import reads through), the latter on both corpora.
. "$(dirname "$0")/lib.sh"
: "${FUZZ_REPLAY:?run through make check}"

for t in instance zipin central manifest; do
	ok "$t corpus" "$FUZZ_REPLAY/replay-$t" "$TOP/fuzz/corpus/$t" "$TOP/fuzz/regressions/$t"
	ok "$t corpus not empty" test -n "$(ls "$TOP/fuzz/corpus/$t")"
done
# from a file: the zipin corpus and zipin_file's own (records as long as they can be, a
# directory over several windows), each input replayed and nothing said
set -- "$TOP/fuzz/corpus/zipin" "$TOP/fuzz/corpus/zipin_file" "$TOP/fuzz/regressions/zipin_file"
n=$(ls "$@" | grep -c -v -e '^$' -e ':$')
ok "zipin_file corpus not empty" test "$(ls "$TOP/fuzz/corpus/zipin_file" | wc -l)" -gt 0
out=$("$FUZZ_REPLAY/replay-zipin_file" "$@" 2>"$T/zipin_file.err")
same "zipin_file: every input replayed" "$? $out" "0 replayed $n inputs"
same "zipin_file: nothing said" "$(cat "$T/zipin_file.err")" ""
# the replayer itself fails on a missing input, so a wrong path cannot pass silently
not_ok "missing input fails" "$FUZZ_REPLAY/replay-zipin" "$T/nothing"

finish
