# The documents and the set-up tell the truth: every repository path README.md and HACKING.md
# name exists, neither names anything outside the repository, and the Debian packages are split
# into what building and running need (make demo) and what testing needs on top (make check).
. "$(dirname "$0")/lib.sh"

cat >paths.py <<'PY'
import os, re, subprocess, sys
top, doc = sys.argv[1], sys.argv[2]
text = open(os.path.join(top, doc), encoding="utf-8").read()
try:
    tracked = set(subprocess.run(["git", "-C", top, "ls-files"], capture_output=True,
                                 text=True).stdout.split())
except OSError:
    tracked = set()
if not tracked:  # not a git checkout: what is on disk, less what building makes
    for d, subdirs, files in os.walk(top):
        subdirs[:] = [x for x in subdirs if not x.startswith((".git", "build")) and x != "node_modules"]
        tracked |= {os.path.relpath(os.path.join(d, f), top) for f in files}
tops = {p.split("/")[0] for p in tracked}
dirs = {os.path.dirname(p) for p in tracked}
while True:
    more = {os.path.dirname(d) for d in dirs} - dirs
    if not more:
        break
    dirs |= more
# made by the build or by running it, never in the repository
made = ("build/", "demo/out", "tests/browser/node_modules")
bad = 0
for m in re.finditer(r"(?<![\w./$-])(\.\./)?[\w.-]+(?:/[\w.*-]+)+/?|(?<![\w/.$-])[\w-]+\.(?:md|c|h|sh|1)\b", text):
    p = m.group(0).rstrip(".")
    line = text.count("\n", 0, m.start()) + 1
    if p.startswith("../"):
        print(f"{doc}:{line}: {p} is outside the repository"); bad = 1
        continue
    if "/" not in p:
        # a file named alone, in the folder the text is about: it must be somewhere
        if re.fullmatch(r"[\d.]+", p) or p in {os.path.basename(t) for t in tracked}:
            continue
        print(f"{doc}:{line}: {p} is not in the repository"); bad = 1
        continue
    if p.split("/")[0] not in tops:
        continue  # not a repository path: an output folder, a zip entry, a URL part
    if re.search(r"(^|/)[A-Z][A-Z_]*(?=$|[./-])|\*|\.\.\.", p) or p.startswith(made):
        continue  # a placeholder (CODE, DIR, NNNN, T), a glob, or something the build makes
    q = p.rstrip("/")
    if q in tracked or q in dirs or q + ".c" in tracked:
        continue  # a file, a folder, or a module (core/csvin)
    print(f"{doc}:{line}: {p} is not in the repository"); bad = 1
sys.exit(bad)
PY
ok "every path README.md names is in the repository" python3 paths.py "$TOP" README.md
ok "every path HACKING.md names is in the repository" python3 paths.py "$TOP" HACKING.md
# the guard itself: a made-up path and a path outside the repository are caught
mkdir -p fake && printf 'See `core/nosuch.c`, REFERENCE.md and ../shared/x.md.\n' >fake/README.md
git -C fake init -q && git -C fake add README.md && mkdir -p fake/core && touch fake/core/a.c && git -C fake add core/a.c
python3 paths.py fake README.md >guard.txt
same "the guard names each missing path" "$(cat guard.txt)" "README.md:1: core/nosuch.c is not in the repository
README.md:1: REFERENCE.md is not in the repository
README.md:1: ../shared/x.md is outside the repository"

# make demo installs the packages to build and run, and no test tool; make check the test ones
make -s -n -C "$TOP" deps-run >run.txt
make -s -n -C "$TOP" deps-test >test.txt
for p in build-essential libxml2-dev libsqlite3-dev gnuplot-nox fonts-dejavu-core; do
	ok "make deps-run installs $p" grep -qw -- "$p" run.txt
done
for p in chromium nodejs clang valgrind sqlite3 libxml2-utils man-db python3-lxml; do
	not_ok "make deps-run does not install $p" grep -qw -- "$p" run.txt
	ok "make deps-test installs $p" grep -qw -- "$p" test.txt
done
ok "make deps-test installs playwright-core" grep -q "npm ci" test.txt
ok "make demo runs deps-run" sh -c 'make -n -C "$1" demo | grep -q "deps.sh \"build and run\""' sh "$TOP"
not_ok "make demo does not run deps-test" sh -c 'make -n -C "$1" demo | grep -q "deps.sh \"test\""' sh "$TOP"
ok "make check runs deps-test first" sh -c 'make -n -C "$1" check | head -3 | grep -q "deps.sh \"test\""' sh "$TOP"

# not root and a package missing: the exact apt-get line, exit 1
mkdir bin
printf '#!/bin/sh\necho 1000\n' >bin/id
printf '#!/bin/sh\n[ "$3" = present ] && echo "install ok installed"\nexit 0\n' >bin/dpkg-query
chmod +x bin/id bin/dpkg-query
golden deps-not-root env PATH="$T/bin:$PATH" sh "$TOP/tests/deps.sh" test present absent-one absent-two
golden deps-all-there env PATH="$T/bin:$PATH" sh "$TOP/tests/deps.sh" test present

finish
