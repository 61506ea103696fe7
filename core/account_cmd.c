/* parindex user add|list|disable|passwd: arguments, reading passwords, output and exit
   status. The accounts themselves are core/account.c. */
#include "account.h"

#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "db.h"
#include "escape.h"
#include "strbuf.h"

/* The system user at the command line, for the audit log. */
const char *account_cli_user(char buf[64])
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw && pw->pw_name)
		snprintf(buf, 64, "%s", pw->pw_name);
	else
		snprintf(buf, 64, "uid %u", (unsigned)geteuid());
	return buf;
}

/* One line from f without its line end, at most ACCOUNT_PASSWORD_MAX + 1 bytes kept (so an
   overlong one is refused by the check, not cut); NULL at end of input. */
static char *read_line(FILE *f)
{
	struct strbuf sb = STRBUF_INIT;
	int c;

	while ((c = getc(f)) != EOF && c != '\n')
		if (sb.len <= ACCOUNT_PASSWORD_MAX)
			strbuf_addc(&sb, (char)c);
	if (c == EOF && !sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	if (sb.len && sb.buf[sb.len - 1] == '\r')
		sb.buf[--sb.len] = '\0';
	strbuf_addc(&sb, '\0'); /* an empty line is "" */
	return strbuf_detach(&sb, NULL);
}

/* The terminal as it was, put back if Ctrl-C (or a kill) interrupts a prompt: a shell left
   without echo looks broken. */
static struct termios saved_tty;

static void restore_tty(int sig)
{
	tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Ask on the terminal (standard input) without echo. */
static char *ask(const char *prompt)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
	void (*old_handler[5])(int);
	struct termios quiet;
	char *line;
	int echo_off;

	fputs(prompt, stderr);
	fflush(stderr);
	echo_off = tcgetattr(STDIN_FILENO, &saved_tty) == 0;
	if (echo_off) {
		for (int i = 0; i < 5; i++)
			old_handler[i] = signal(sigs[i], restore_tty);
		quiet = saved_tty;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	line = read_line(stdin);
	if (echo_off) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
		for (int i = 0; i < 5; i++)
			signal(sigs[i], old_handler[i]);
	}
	return line;
}

/* The new password: one line of standard input with --password-stdin, else asked twice on
   the terminal. NULL with err when there is none. */
static char *get_password(const char *name, int from_stdin, struct perr *err)
{
	char prompt[200], *a, *b;

	if (from_stdin) {
		a = read_line(stdin);
		if (!a)
			perr_set(err, PERR_USAGE, "--password-stdin",
				 "no password: standard input was empty");
		return a;
	}
	if (!isatty(STDIN_FILENO)) {
		perr_set(err, PERR_USAGE, "", "standard input is not a terminal to ask the password on; give it on standard input with --password-stdin");
		return NULL;
	}
	snprintf(prompt, sizeof(prompt), "new password for %s: ", name);
	if (!(a = ask(prompt))) {
		perr_set(err, PERR_USAGE, "", "no password given");
		return NULL;
	}
	b = ask("the same password again: ");
	if (!b || strcmp(a, b)) {
		perr_set(err, PERR_USAGE, "", "the two passwords differ; nothing changed");
		free(a);
		a = NULL;
	}
	free(b);
	return a;
}

/* "a,b, c" into codes (pointers into s, which is changed); empty items skipped */
static size_t split_codes(char *s, const char ***codes)
{
	size_t n = 0, alloc = 0;

	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		char *end;

		tok += strspn(tok, " ");
		end = tok + strlen(tok);
		while (end > tok && end[-1] == ' ')
			*--end = '\0';
		if (!*tok)
			continue;
		xgrow(codes, &alloc, n + 1, sizeof(**codes));
		(*codes)[n++] = tok;
	}
	return n;
}

/* codes joined by ',' as the audit log shows them */
static char *join_codes(const char *const *codes, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addc(&sb, ',');
		strbuf_adds(&sb, codes[i]);
	}
	strbuf_addc(&sb, '\0');
	return strbuf_detach(&sb, NULL);
}

/* Open the database and begin a write; run fn; record what in the audit log; commit. */
static int change(const char *dbopt, const char *what,
		  int (*fn)(sqlite3 *db, const void *arg, struct perr *err), const void *arg)
{
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	char who[64];

	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0)
		return perr_print(&err, "user");
	if (db_exec(db, "BEGIN IMMEDIATE", &err) < 0)
		goto fail;
	if (fn(db, arg, &err) < 0 || audit_record(db, account_cli_user(who), "cli", what, &err) < 0 ||
	    db_exec(db, "COMMIT", &err) < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	db_close(db);
	return 0;
fail:
	db_close(db);
	return perr_print(&err, "user");
}

/* user add and passwd check the account (a, or name for passwd) before the password is
   asked; the same checks run again in the write transaction. Returns 0 or the exit status
   with the message printed. */
static int precheck(const char *dbopt, const struct account_new *a, const char *name)
{
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	int rc;

	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0)
		return perr_print(&err, "user");
	rc = a ? account_check_new(db, a, &err) : account_check_enabled(db, name, &err);
	db_close(db);
	return rc < 0 ? perr_print(&err, "user") : 0;
}

struct add_arg {
	const struct account_new *a;
	const char *password;
};

static int do_add(sqlite3 *db, const void *arg, struct perr *err)
{
	const struct add_arg *x = arg;

	return account_add(db, x->a, x->password, err);
}

static int do_passwd(sqlite3 *db, const void *arg, struct perr *err)
{
	const char *const *x = arg;

	return account_set_password(db, x[0], x[1], err);
}

static int do_disable(sqlite3 *db, const void *arg, struct perr *err)
{
	return account_disable(db, arg, err);
}

static const struct option change_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "role", required_argument, NULL, 'r' },
	{ "communes", required_argument, NULL, 'c' },
	{ "groups", required_argument, NULL, 'g' },
	{ "password-stdin", no_argument, NULL, 'p' },
	{ 0 },
};

/* user add|passwd|disable: argv[0] is the subcommand */
static int user_change(int argc, char **argv)
{
	const char *sub = argv[0], *dbopt = NULL, *role = NULL, *name;
	char *communes = NULL, *groups = NULL, *password = NULL, *what = NULL;
	char *communes_text = NULL, *groups_text = NULL;
	const char **ccodes = NULL, **gcodes = NULL;
	struct account_new a = { 0 };
	struct perr err = { 0 };
	int c, from_stdin = 0, rc, is_add = !strcmp(sub, "add");
	int is_passwd = !strcmp(sub, "passwd");

	while ((c = getopt_long(argc, argv, "", change_opts, NULL)) != -1) {
		if (c == 'd')
			dbopt = optarg;
		else if (c == 'p' && !strcmp(sub, "disable"))
			return cmd_usage_error("user", "disable: --password-stdin is for add and passwd");
		else if (c == 'p')
			from_stdin = 1;
		else if (c != '?' && !is_add)
			return cmd_usage_error("user", "%s: --%s is for add", sub,
					       change_opts[c == 'r' ? 1 : c == 'c' ? 2 : 3].name);
		else if (c == 'r')
			role = optarg;
		else if (c == 'c')
			communes = optarg;
		else if (c == 'g')
			groups = optarg;
		else
			return cmd_bad_option("user", argv);
	}
	if (optind >= argc)
		return cmd_usage_error("user", "%s: name the account", sub);
	if (optind + 1 < argc)
		return cmd_usage_error("user", "%s: unexpected argument '%s'", sub, argv[optind + 1]);
	name = argv[optind];
	if (is_add && !role)
		return cmd_usage_error("user", "add: say the account's --role (surveyor, office, analyst or keyer)");
	if (account_check_name(name, &err) < 0)
		return perr_print(&err, "user");
	if (is_add) {
		char *cs = communes ? xstrdup(communes) : NULL, *gs = groups ? xstrdup(groups) : NULL;

		a.name = name;
		a.role = role;
		a.ncommunes = cs ? split_codes(cs, &ccodes) : 0;
		a.ngroups = gs ? split_codes(gs, &gcodes) : 0;
		a.communes = ccodes;
		a.groups = gcodes;
		communes_text = join_codes(ccodes, a.ncommunes);
		groups_text = join_codes(gcodes, a.ngroups);
		communes = cs;
		groups = gs;
	}
	/* refuse what will be refused before asking for a password */
	if ((is_add || is_passwd) && (rc = precheck(dbopt, is_add ? &a : NULL, name)) != 0)
		goto done;
	if ((is_add || is_passwd) && !(password = get_password(name, from_stdin, &err))) {
		rc = perr_print(&err, "user");
		goto done;
	}
	if (is_add) {
		struct add_arg x = { &a, password };

		what = xasprintf("user add %s (%s%s%s%s%s)", name, role,
				 a.ncommunes ? "; communes " : "", a.ncommunes ? communes_text : "",
				 account_role_scoped(role) ? "; groups " : "",
				 account_role_scoped(role) ? (a.ngroups ? groups_text : "all") : "");
		rc = change(dbopt, what, do_add, &x);
		if (rc == 0)
			printf("account %s: added (%s)\n", name, role);
	} else if (is_passwd) {
		const char *x[2] = { name, password };

		what = xasprintf("user passwd %s", name);
		rc = change(dbopt, what, do_passwd, x);
		if (rc == 0)
			printf("account %s: password changed\n", name);
	} else {
		what = xasprintf("user disable %s", name);
		rc = change(dbopt, what, do_disable, name);
		if (rc == 0)
			printf("account %s: disabled\n", name);
	}
done:
	if (password) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	free(what);
	free(communes);
	free(groups);
	free(ccodes);
	free(gcodes);
	free(communes_text);
	free(groups_text);
	return rc;
}

/* the account's codes from one scope table, comma-separated, or NULL for none */
static char *scope_codes(sqlite3 *db, const char *sql, long long id)
{
	struct strbuf sb = STRBUF_INIT;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (sb.len)
			strbuf_addc(&sb, ',');
		strbuf_adds(&sb, (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return sb.len ? strbuf_detach(&sb, NULL) : NULL;
}

static int user_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ 0 },
	};
	const char *dbopt = NULL;
	struct perr err = { 0 };
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'd')
			return cmd_bad_option("user", argv);
		dbopt = optarg;
	}
	if (optind < argc)
		return cmd_usage_error("user", "list: unexpected argument '%s'", argv[optind]);
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0)
		return perr_print(&err, "user");
	/* never a secret: the HA1 and web hash columns are not read */
	if (db_prepare(db, &st, "SELECT id, name, role, coalesce(disabled_at, ''), created_at "
				"FROM account ORDER BY id", &err) < 0)
		goto fail;
	printf("name\trole\tscope\tdisabled\tcreated\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *role = (const char *)sqlite3_column_text(st, 2);
		long long id = sqlite3_column_int64(st, 0);

		escape_term_fputs(stdout, (const char *)sqlite3_column_text(st, 1));
		printf("\t%s\t", role);
		if (account_role_scoped(role)) {
			char *cs = scope_codes(db, "SELECT code FROM account_commune WHERE account_id = ? ORDER BY code", id);
			char *gs = scope_codes(db, "SELECT group_id FROM account_group WHERE account_id = ? ORDER BY group_id", id);

			fputs("communes ", stdout);
			escape_term_fputs(stdout, cs ? cs : "none");
			fputs("; groups ", stdout);
			escape_term_fputs(stdout, gs ? gs : "all");
			free(cs);
			free(gs);
		} else {
			fputs("all", stdout);
		}
		printf("\t%s\t%s\n", (const char *)sqlite3_column_text(st, 3),
		       (const char *)sqlite3_column_text(st, 4));
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, &err, "reading accounts");
		goto fail;
	}
	sqlite3_finalize(st);
	db_close(db);
	return 0;
fail:
	sqlite3_finalize(st);
	db_close(db);
	return perr_print(&err, "user");
}

int cmd_user(int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error("user", "say 'add', 'list', 'disable' or 'passwd'");
	if (!strcmp(argv[1], "list"))
		return user_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "add") || !strcmp(argv[1], "disable") || !strcmp(argv[1], "passwd"))
		return user_change(argc - 1, argv + 1);
	return cmd_usage_error("user", "no subcommand '%s'", argv[1]);
}
