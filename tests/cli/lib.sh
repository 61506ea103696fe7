# Sourced by every CLI test script. Runs the script in a fresh temporary folder with a fixed
# locale, clock and time zone, and gives:
#   golden NAME CMD...   run CMD; compare its status, stdout and stderr with
#                        tests/cli/golden/SCRIPT/NAME (UPDATE_GOLDEN=1 rewrites the file)
#   ok DESC CMD...       pass when CMD exits 0
#   not_ok DESC CMD...   pass when CMD exits non-zero
#   same DESC A B        pass when strings A and B are equal
#   finish               print the count line that tests/run reads; call it last
#   need_browser         end the script as failed when tests/browser's node modules are missing
# Paths inside outputs are written as $T (the temporary folder) and $TOP (the checkout).
set -u
: "${TOP:?run through tests/run}"
: "${PARINDEX:?run through tests/run}"
LC_ALL=C
TZ=UTC
PARINDEX_NOW=2026-01-15T08:00:00Z
export LC_ALL TZ PARINDEX_NOW
unset PARINDEX_DB
TEST_NAME=$(basename "$0" .sh)
GOLDEN_DIR="$TOP/tests/cli/golden/$TEST_NAME"
T=$(mktemp -d "${TMPDIR:-/tmp}/parindex-$TEST_NAME.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 3
DATA="$TOP/tests/data"
_passed=0
_failed=0

parindex() { "$PARINDEX" "$@"; }

pass() { _passed=$((_passed + 1)); }
fail() { _failed=$((_failed + 1)); echo "FAIL $TEST_NAME: $*"; }

golden() {
	_name=$1
	shift
	"$@" >"$T/.out" 2>"$T/.err"
	_status=$?
	{
		echo "status: $_status"
		echo "--- stdout"
		cat "$T/.out"
		echo "--- stderr"
		cat "$T/.err"
	} | sed -e "s|$T|\$T|g" -e "s|$TOP|\$TOP|g" >"$T/.got"
	if [ -n "${UPDATE_GOLDEN:-}" ]; then
		mkdir -p "$GOLDEN_DIR"
		cp "$T/.got" "$GOLDEN_DIR/$_name"
		pass
	elif [ ! -f "$GOLDEN_DIR/$_name" ]; then
		fail "$_name: no golden file (run make check UPDATE_GOLDEN=1)"
		cat "$T/.got"
	elif diff -u "$GOLDEN_DIR/$_name" "$T/.got" >"$T/.diff"; then
		pass
	else
		fail "$_name: output differs from $GOLDEN_DIR/$_name"
		cat "$T/.diff"
	fi
}

ok() {
	_desc=$1
	shift
	if "$@" >"$T/.log" 2>&1; then pass; else fail "$_desc"; tail -n 20 "$T/.log"; fi
}

not_ok() {
	_desc=$1
	shift
	if "$@" >"$T/.log" 2>&1; then fail "$_desc (succeeded)"; tail -n 20 "$T/.log"; else pass; fi
}

same() {
	if [ "$2" = "$3" ]; then pass; else fail "$1: got '$2', expected '$3'"; fi
}

finish() {
	echo "# passed=$_passed failed=$_failed"
	[ "$_failed" = 0 ]
}

need_browser() {
	[ -d "$TOP/tests/browser/node_modules/playwright-core" ] && return 0
	fail "tests/browser/node_modules is missing: run 'make deps' (npm ci in tests/browser)"
	finish
	exit 1
}
