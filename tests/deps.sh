#!/bin/sh
# Usage: deps.sh PURPOSE PACKAGE...
# Installs the Debian packages named on the command line that are missing: with apt-get when
# run as root, otherwise prints the exact command to run and fails. PURPOSE ("build and run",
# "test") says in the message what they are for.
# Node.js may come from Debian or from elsewhere: a working `node` and `npm` count as installed.
set -eu
purpose=$1
shift
missing=
for p in "$@"; do
	case $p in
	nodejs)
		command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && continue
		p="nodejs npm"
		;;
	esac
	for q in $p; do
		if ! dpkg-query -W -f='${Status}\n' "$q" 2>/dev/null | grep -q '^install ok installed$'; then
			missing="$missing $q"
		fi
	done
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "installing, to $purpose parindex:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
else
	echo "to $purpose parindex, these Debian packages are needed:$missing" >&2
	echo "run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
