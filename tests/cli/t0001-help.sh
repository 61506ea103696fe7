# The command table, help, version and exit statuses.
. "$(dirname "$0")/lib.sh"

golden help parindex --help
golden help-init parindex help init
golden init-help parindex init --help
golden no-args parindex
golden unknown-command parindex frobnicate
golden help-unknown parindex help frobnicate
golden init-bad-option parindex init --bogus
ok "version names the program" sh -c '"$PARINDEX" --version | grep -q "^parindex [0-9]"'

finish
