# parindex user: accounts for the server. Added with a role and, for a surveyor, a scope checked
# against the register and the definition; no password stored, only the Digest HA1 values and a
# PBKDF2 hash; listed without secrets; disabled but kept; every change in the audit log.
. "$(dirname "$0")/lib.sh"
. "$DATA/capture/setup.sh"

# give the password on standard input
pw() { _p=$1; shift; printf '%s\n' "$_p" | "$@"; }
me=$(id -un)
setup_db

golden add-surveyor pw 'correct horse' parindex user add --db t.db --role surveyor \
	--communes 90001,90002 --groups A lan --password-stdin
golden add-office pw 'Mật khẩu văn phòng' parindex user add --db t.db --role office \
	--password-stdin 'Nguyễn Văn Hòa'
golden add-analyst pw 'battery staple' parindex user add --db t.db --role analyst minh \
	--password-stdin
golden add-all-groups pw 'correct horse' parindex user add --db t.db --role surveyor \
	--communes 90002 --password-stdin tuan

# what is stored: HA1 = H(name:realm:password), MD5 and SHA-256, with the database's realm
realm=$(q "SELECT value FROM setting WHERE key = 'digest_realm'")
ok "realm is parindex and a random id" sh -c 'echo "$1" | grep -qx "parindex-[0-9a-f]\{16\}"' sh "$realm"
same "MD5 HA1" "$(q "SELECT ha1_md5 FROM account WHERE name = 'lan'")" \
	"$(printf 'lan:%s:correct horse' "$realm" | md5sum | cut -d' ' -f1)"
same "SHA-256 HA1" "$(q "SELECT ha1_sha256 FROM account WHERE name = 'lan'")" \
	"$(printf 'lan:%s:correct horse' "$realm" | sha256sum | cut -d' ' -f1)"
same "Vietnamese name's HA1 over its UTF-8 bytes" \
	"$(q "SELECT ha1_md5 FROM account WHERE role = 'office'")" \
	"$(printf 'Nguyễn Văn Hòa:%s:Mật khẩu văn phòng' "$realm" | md5sum | cut -d' ' -f1)"
ok "web hash: PBKDF2-SHA256, 600000 iterations, 16-byte salt, 32-byte hash" sh -c \
	'[ "$(sqlite3 t.db "SELECT count(*) FROM account WHERE web_hash GLOB '"'"'pbkdf2-sha256\$600000\$*'"'"' AND length(web_hash) = 14 + 6 + 1 + 32 + 1 + 64")" = 4 ]'
python3 - t.db >web.txt <<'PY'
import hashlib, sqlite3, sys
for name, h in sqlite3.connect(sys.argv[1]).execute("SELECT name, web_hash FROM account WHERE name IN ('lan', 'minh')"):
    _, n, salt, want = h.split("$")
    pw = {"lan": "correct horse", "minh": "battery staple"}[name]
    print(name, hashlib.pbkdf2_hmac("sha256", pw.encode(), bytes.fromhex(salt), int(n)).hex() == want)
PY
same "web hashes check with Python's PBKDF2" "$(cat web.txt)" "lan True
minh True"
same "salts differ for the same password" \
	"$(q "SELECT count(DISTINCT substr(web_hash, 1, 53)) FROM account WHERE name IN ('lan', 'tuan')")" 2
not_ok "no password in the database's files" grep -q -e 'correct horse' -e 'battery staple' t.db*
not_ok "nor in its dump" sh -c 'sqlite3 t.db .dump | grep -q -e "correct horse" -e "battery staple"'
same "scopes" "$(q "SELECT a.name, c.code FROM account_commune c JOIN account a ON a.id = c.account_id ORDER BY 1, 2")" "lan|90001
lan|90002
tuan|90002"
same "groups" "$(q "SELECT a.name, g.group_id FROM account_group g JOIN account a ON a.id = g.account_id")" "lan|A"

# refused, nothing stored
dump >before.sql
golden duplicate pw 'correct horse' parindex user add --db t.db --role office lan --password-stdin
golden duplicate-case pw 'correct horse' parindex user add --db t.db --role office LAN --password-stdin
golden unknown-communes pw 'correct horse' parindex user add --db t.db --role surveyor \
	--communes 90001,99999,1234 hai --password-stdin
golden unknown-groups pw 'correct horse' parindex user add --db t.db --role surveyor \
	--communes 90001 --groups A,Z,C hai --password-stdin
golden surveyor-no-communes pw 'correct horse' parindex user add --db t.db --role surveyor hai \
	--password-stdin
golden office-scoped pw 'correct horse' parindex user add --db t.db --role office \
	--communes 90001 hai --password-stdin
golden bad-role pw 'correct horse' parindex user add --db t.db --role admin hai --password-stdin
golden no-role pw 'correct horse' parindex user add --db t.db hai --password-stdin
golden name-colon pw 'correct horse' parindex user add --db t.db --role office 'a:b' --password-stdin
golden name-quote pw 'correct horse' parindex user add --db t.db --role office 'a"b' --password-stdin
golden name-control pw 'correct horse' parindex user add --db t.db --role office "$(printf 'a\033[2Jb')" --password-stdin
golden name-long pw 'correct horse' parindex user add --db t.db --role office \
	"$(printf '%065d' 0)" --password-stdin
golden short-password pw 'short' parindex user add --db t.db --role office hai --password-stdin
golden empty-stdin parindex user add --db t.db --role office hai --password-stdin </dev/null
golden not-a-terminal parindex user add --db t.db --role office hai </dev/null
golden no-name parindex user add --db t.db --role office
golden no-subcommand parindex user
golden bad-subcommand parindex user remove lan
golden no-db pw 'correct horse' parindex user add --db none.db --role office hai --password-stdin
ok "nothing stored by the refusals" cmp -s before.sql "$(dump >now.sql; echo now.sql)"
ok "no database made" test ! -e none.db

# on a terminal (script(1) gives one): asked twice, without echo; each line typed once its
# prompt is shown, as a person would
typed() {
	for _w in prompt again; do
		_i=0
		while [ $_i -lt 300 ] && ! grep -q "$([ $_w = prompt ] && echo 'new password for' || echo 'again:')" "$3" 2>/dev/null; do
			sleep 0.1
			_i=$((_i + 1))
		done
		[ $_w = prompt ] && printf '%s\n' "$1" || printf '%s\n' "$2"
	done
	sleep 0.5
}
typed 'secret words' 'secret words' tty.log | script -qefc "'$PARINDEX' user add --db t.db --role analyst hanh" tty.log >/dev/null
ok "asked twice" sh -c 'grep -q "new password for hanh:" tty.log && grep -q "the same password again:" tty.log'
not_ok "the password is not echoed" grep -q 'secret words' tty.log
same "terminal add stored" "$(q "SELECT ha1_md5 FROM account WHERE name = 'hanh'")" \
	"$(printf 'hanh:%s:secret words' "$realm" | md5sum | cut -d' ' -f1)"
typed 'secret words' 'secret wordz' tty2.log | script -qefc "'$PARINDEX' user add --db t.db --role analyst hanh2" tty2.log >/dev/null
script -qefc "'$PARINDEX' user add --db t.db --role surveyor --communes 90001,99999 hanh3" tty3.log </dev/null >/dev/null
ok "a refused account is refused before the password is asked" sh -c \
	'grep -q "unknown commune code .99999." tty3.log && ! grep -q "new password" tty3.log'
ok "two different passwords refused" grep -q 'the two passwords differ; nothing changed' tty2.log
same "nothing stored for them" "$(q "SELECT count(*) FROM account WHERE name = 'hanh2'")" 0

# Ctrl-C at the prompt: the terminal gets its echo back
interrupt() {
	_i=0
	while [ $_i -lt 300 ] && ! grep -q 'new password for intr' tty4.log 2>/dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -INT $(pgrep -f '^/.*parindex user add --db t.db --role analyst intr$')
	sleep 1
}
interrupt | script -qefc "sh -c '\"\$PARINDEX\" user add --db t.db --role analyst intr; stty -a'" tty4.log >/dev/null
ok "interrupted at the prompt" grep -q 'new password for intr' tty4.log
ok "the terminal echoes again after Ctrl-C at the prompt" sh -c \
	'grep -q " echo " tty4.log && ! grep -q -- " -echo " tty4.log'
same "nothing stored on Ctrl-C" "$(q "SELECT count(*) FROM account WHERE name = 'intr'")" 0

# list: never a secret
golden list parindex user list --db t.db
for h in $(q "SELECT ha1_md5 || ' ' || ha1_sha256 || ' ' || web_hash FROM account"); do
	not_ok "list shows no secret" grep -qF -e "$h" "$GOLDEN_DIR/list"
done

# a new password: new HA1 and hash; disable keeps the account
old=$(q "SELECT ha1_md5 || web_hash FROM account WHERE name = 'lan'")
golden passwd pw 'horse battery' parindex user passwd --db t.db lan --password-stdin
same "new HA1" "$(q "SELECT ha1_md5 FROM account WHERE name = 'lan'")" \
	"$(printf 'lan:%s:horse battery' "$realm" | md5sum | cut -d' ' -f1)"
ok "secrets changed" sh -c '[ "$(sqlite3 t.db "SELECT ha1_md5 || web_hash FROM account WHERE name = '"'lan'"'")" != "$1" ]' sh "$old"
golden passwd-unknown pw 'horse battery' parindex user passwd --db t.db nobody --password-stdin
golden passwd-role pw 'horse battery' parindex user passwd --db t.db --role office lan --password-stdin
golden disable parindex user disable --db t.db minh
golden disable-again parindex user disable --db t.db minh
golden passwd-disabled pw 'horse battery' parindex user passwd --db t.db minh --password-stdin
golden add-disabled-name pw 'correct horse' parindex user add --db t.db --role analyst minh --password-stdin
golden list-disabled parindex user list --db t.db

# the audit log: each change, by whom, from the command line
same "audit" "$(q "SELECT at, who = '$me', address, what FROM audit ORDER BY id")" \
"2026-01-15T08:00:00Z|1|cli|user add lan (surveyor; communes 90001,90002; groups A)
2026-01-15T08:00:00Z|1|cli|user add Nguyễn Văn Hòa (office)
2026-01-15T08:00:00Z|1|cli|user add minh (analyst)
2026-01-15T08:00:00Z|1|cli|user add tuan (surveyor; communes 90002; groups all)
2026-01-15T08:00:00Z|1|cli|user add hanh (analyst)
2026-01-15T08:00:00Z|1|cli|user passwd lan
2026-01-15T08:00:00Z|1|cli|user disable minh"

finish
