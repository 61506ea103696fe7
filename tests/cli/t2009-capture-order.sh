# parindex capture import is order-free: an edit that comes before its original (a plain
# `zip -r` of a Collect folder does this) is kept, and the original comes in replaced; the same
# set of submissions (originals, edits, chains of edits, an edit whose original never comes,
# copies written differently) imported in 20 random orders, split into random batches, with a
# random batch undone and imported again, always gives the same submission table.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

# what the submission table says, without bookkeeping: row ids are shown as the instance
# ids they stand for; batch_id and sha256 (which copy came first) are left out
STATE_ROWS="SELECT s.instance_id, s.form_id, s.form_version, s.group_id, s.commune_code,
	s.surveyor, s.started, s.ended, s.device_id, s.comment, s.answers, s.deprecated_id,
	(SELECT r.instance_id FROM submission r WHERE r.id = s.replaces),
	(SELECT r.instance_id FROM submission r WHERE r.id = s.superseded_by)
	FROM submission s ORDER BY s.instance_id"
STATE_CURRENT="SELECT 'current ' || group_concat(instance_id, ' ') FROM
	(SELECT instance_id FROM current_submission ORDER BY instance_id)"
export STATE_ROWS STATE_CURRENT
state() { sqlite3 -batch -noheader "${1:-t.db}" "$STATE_ROWS; $STATE_CURRENT"; }

# ---- an edit and its chain before the original, in one zip
setup_db
cp t.db empty.db
mkzip reversed.zip "a1-edit2.xml=$I/a1-edit2.xml" "a1-edit.xml=$I/a1-edit.xml" "a1.xml=$I/a1.xml"
golden reversed parindex capture import --db t.db --receipt reversed.csv reversed.zip
golden reversed-receipt cat reversed.csv
same "reversed: current is the last edit" "$(q "SELECT substr(instance_id, -2) || '=' || answers FROM current_submission")" \
	'12={"sex":"2","qa":"c","qb":"a"}'
same "reversed: history a1 -> edit -> edit2" \
	"$(q "SELECT group_concat(substr(instance_id, -2) || ':' || coalesce(substr((SELECT instance_id FROM submission r WHERE r.id = s.replaces), -2), '-') || ':' || coalesce(substr((SELECT instance_id FROM submission r WHERE r.id = s.superseded_by), -2), '-'), ' ') FROM (SELECT * FROM submission ORDER BY instance_id) s")" \
	"01:-:11 11:01:12 12:11:-"
state >reversed.state
cp empty.db t.db
mkzip ordered.zip "a1.xml=$I/a1.xml" "a1-edit.xml=$I/a1-edit.xml" "a1-edit2.xml=$I/a1-edit2.xml"
ok "in order" parindex capture import --db t.db ordered.zip
ok "reversed and in order: the same state" cmp reversed.state "$(state >ordered.state; echo ordered.state)"

# ---- an edit whose original comes in a later batch; the waiting edit counts meanwhile
cp empty.db t.db
mkzip edit-first.zip "a1-edit.xml=$I/a1-edit.xml"
mkzip original-later.zip "a1.xml=$I/a1.xml"
golden edit-first parindex capture import --db t.db edit-first.zip
golden edit-first-list parindex capture list --db t.db
golden original-later parindex capture import --db t.db --receipt later.csv original-later.zip
golden original-later-receipt cat later.csv
same "original later: current is the edit" "$(q "SELECT substr(instance_id, -2) FROM current_submission")" "11"
golden undo-original parindex capture undo --db t.db 2
same "original undone: the edit waits again" "$(q "SELECT substr(instance_id, -2) || ':' || coalesce(replaces, '-') FROM submission")" "11:-"

# ---- first come: an edit on another form than its original, a second edit of one original
cp empty.db t.db
mkzip first-come.zip "edit-other-form.xml=$I/edit-other-form.xml" "a2.xml=$I/a2.xml" \
	"a1-edit.xml=$I/a1-edit.xml" "a1-edit-stale.xml=$I/a1-edit-stale.xml"
golden first-come parindex capture import --db t.db --receipt first-come.csv first-come.zip
golden first-come-receipt cat first-come.csv
same "first come: the edits that came first, waiting" \
	"$(q "SELECT group_concat(substr(instance_id, -2) || ':' || substr(deprecated_id, -2) || ':' || coalesce(replaces, '-'), ' ') FROM (SELECT * FROM submission ORDER BY instance_id)")" \
	"11:01:- 15:02:-"

# ---- the property: 20 random orders and batchings of one set
cp empty.db t.db
python3 - "$I" <<'PY' >property.log 2>&1
import os, random, re, shutil, sqlite3, subprocess, sys, zipfile
I = sys.argv[1]
a1 = open(os.path.join(I, "a1.xml"), encoding="utf-8").read()
b1 = open(os.path.join(I, "b1.xml"), encoding="utf-8").read()

def uuid(n):
    return "uuid:00000000-0000-4000-8000-%012d" % n

def make(base, n, answers, commune=None, did=None, pretty=False):
    x = re.sub(r"uuid:00000000-0000-4000-8000-0000000000\d\d", uuid(n), base)
    for q, v in answers.items():
        x = re.sub(r"<%s>[^<]*</%s>" % (q, q), "<%s>%s</%s>" % (q, v, q), x)
    if commune:
        x = x.replace("<commune>90001</commune>", "<commune>%s</commune>" % commune)
    if did:
        x = re.sub(r"(</(orx:)?instanceID>)", r"\1<deprecatedID>%s</deprecatedID>" % uuid(did), x)
    if pretty:
        x = x.replace("><", ">\n  <")
    return x

files = {}
def add(name, text):
    files[name] = text.encode("utf-8")
# originals, each with its own answers
for n in range(1, 7):
    base = a1 if n % 2 else b1
    add("o%d.xml" % n, make(base, n, {"qa": "abc"[n % 3]}, commune="9000%d" % (1 + n % 2)))
add("e1.xml", make(a1, 101, {"qa": "x"}, did=1, commune="90002"))                 # O1 <- E1
add("e3a.xml", make(a1, 103, {"qa": "c"}, did=3, commune="90002"))                # O3 <- E3a <- E3b
add("e3b.xml", make(a1, 203, {"qa": "b"}, did=103, commune="90002"))
add("e5a.xml", make(a1, 105, {"qb": "x"}, did=5, commune="90002"))                # O5 <- a <- b <- c
add("e5b.xml", make(a1, 205, {"qb": "c"}, did=105, commune="90002"))
add("e5c.xml", make(a1, 305, {"qb": "a"}, did=205, commune="90002"))
add("e9.xml", make(a1, 109, {"qa": "b"}, did=9))                                  # original never comes
add("e4b.xml", make(b1, 204, {"qc": "a"}, did=104))                               # O4 <- (missing) <- E4b
add("o2-pretty.xml", make(b1, 2, {"qa": "c"}, commune="90001", pretty=True))       # O2 written differently
add("e1-again.xml", make(a1, 101, {"qa": "x"}, did=1, commune="90002", pretty=True))
names = sorted(files)
parindex = os.environ["PARINDEX"]

def run(*args):
    return subprocess.run([parindex, *args], capture_output=True, text=True)

def state(db):
    con = sqlite3.connect(db)
    rows = [repr(r) for r in con.execute(os.environ["STATE_ROWS"])]
    rows += [r[0] for r in con.execute(os.environ["STATE_CURRENT"])]
    con.close()
    return "\n".join(rows) + "\n"

first = None
bad = 0
for seed in range(20):
    rnd = random.Random(seed)
    order = names[:]
    rnd.shuffle(order)
    cuts = sorted(rnd.sample(range(1, len(order)), rnd.randint(0, 3)))
    parts = [order[i:j] for i, j in zip([0] + cuts, cuts + [len(order)])]
    db = "p%d.db" % seed
    shutil.copy("empty.db", db)
    zips = []
    for k, part in enumerate(parts):
        z = "p%d-%d.zip" % (seed, k)
        with zipfile.ZipFile(z, "w") as zf:
            for name in part:
                zf.writestr("instances/%s/%s" % (name[:-4], name), files[name])
        zips.append(z)
        r = run("capture", "import", "--db", db, z)
        if r.returncode not in (0, 1):
            print("seed %d: import %s: exit %d %s" % (seed, z, r.returncode, r.stderr))
    if seed % 2 and len(zips) > 1:
        k = rnd.randrange(len(zips))
        r = run("capture", "undo", "--db", db, str(k + 1))
        r2 = run("capture", "import", "--db", db, zips[k])
        if r.returncode or r2.returncode not in (0, 1):
            print("seed %d: undo/import of batch %d: %s %s" % (seed, k + 1, r.stderr, r2.stderr))
    s = state(db)
    if first is None:
        first = s
        open("first.state", "w").write(s)
    elif s != first:
        bad += 1
        open("bad-%d.state" % seed, "w").write(s)
        print("seed %d: %s differs" % (seed, parts))
    os.remove(db)
print("orders %d, different %d" % (20, bad))
PY
same "property: every order gives the same state" "$(tail -n 1 property.log)" "orders 20, different 0"
same "property: nothing else said" "$(wc -l <property.log)" "1"
same "property: the state (current submissions)" "$(grep '^current' first.state)" \
	"current uuid:00000000-0000-4000-8000-000000000002 uuid:00000000-0000-4000-8000-000000000004 uuid:00000000-0000-4000-8000-000000000006 uuid:00000000-0000-4000-8000-000000000101 uuid:00000000-0000-4000-8000-000000000109 uuid:00000000-0000-4000-8000-000000000203 uuid:00000000-0000-4000-8000-000000000204 uuid:00000000-0000-4000-8000-000000000305"

finish
