# Progress on a terminal (entries done, rate, time left) for batches over 2,000 entries, and
# nothing of it when standard error is not a terminal.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

setup_db
ok "generate 2500" "$GEN_BATCH" --definition "$DATA/definitions/mini.xml" \
	--communes "$CAP/communes.csv" --count 2500 --out big.zip
ok "generate 100" "$GEN_BATCH" --definition "$DATA/definitions/mini.xml" \
	--communes "$CAP/communes.csv" --count 100 --seed 2 --out small.zip
cp t.db t2.db
# script(1) gives the command a terminal
ok "import on a terminal" script -qec "'$PARINDEX' capture import --db t.db --dry-run big.zip" tty.log
ok "progress shown" grep -q 'capture: 2500/2500 entries, [0-9]*/s, 0:00 left' tty.log
ok "import on a terminal, small batch" script -qec "'$PARINDEX' capture import --db t.db --dry-run small.zip" tty-small.log
not_ok "no progress for a small batch" grep -q 'entries, [0-9]*/s' tty-small.log
golden not-a-terminal parindex capture import --db t2.db big.zip

finish
