/* parindex forms: generate, lint, write and register the survey forms of the active
   definition; parindex forms lint: check XForms from anywhere. */
#include "forms.h"
#include "cmd.h"
#include "db.h"
#include "escape.h"
#include "merge.h"
#include "store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_forms_lint(int argc, char **argv)
{
	enum lint_for mode = LINT_COLLECT;
	int rc = PERR_OK, first = 1;

	if (argc >= 2 && !strncmp(argv[1], "--for", 5)) {
		const char *what = argv[1][5] == '=' ? argv[1] + 6 : argv[1][5] ? NULL : argv[2];

		if (!what || (strcmp(what, "collect") && strcmp(what, "central")))
			return cmd_usage_error("forms", "lint: --for takes collect or central");
		mode = strcmp(what, "central") ? LINT_COLLECT : LINT_CENTRAL;
		first = argv[1][5] ? 2 : 3;
	}
	if (argc <= first)
		return cmd_usage_error("forms", "lint: name at least one FILE");
	for (int i = first; i < argc; i++) {
		struct strbuf sb = STRBUF_INIT;
		struct diag diag = { 0 }, warn = { 0 };
		char *shown = escape_term_dup(argv[i]); /* the operator's file name, as text */

		if (strbuf_read_file(&sb, argv[i], 16 << 20) < 0) {
			fprintf(stderr, "parindex: forms: %s: cannot read: %s\n", shown,
				strerror(errno));
			if (rc < PERR_USAGE)
				rc = PERR_USAGE;
		} else {
			int bad = form_lint_for(sb.buf ? sb.buf : "", sb.len, argv[i], mode, &diag,
						&warn) < 0;

			diag_print(&warn, "forms");
			if (bad) {
				diag_print(&diag, "forms");
				fprintf(stderr, "parindex: forms: %s: %zu problem%s\n", shown, diag.n,
					diag.n == 1 ? "" : "s");
				if (rc < PERR_DATA)
					rc = PERR_DATA;
			} else if (warn.n) {
				printf("%s: ok, %zu warning%s\n", shown, warn.n,
				       warn.n == 1 ? "" : "s");
			} else {
				printf("%s: ok\n", shown);
			}
		}
		free(shown);
		diag_release(&diag);
		diag_release(&warn);
		strbuf_release(&sb);
	}
	return rc;
}

static const char *const stored_name[] = {
	[FORM_ADDED] = "registered",
	[FORM_UNCHANGED] = "already registered, unchanged",
	[FORM_REPLACED] = "registered again, CHANGED",
};

int cmd_forms(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "base-url", required_argument, NULL, 'u' },
		{ "encrypt", required_argument, NULL, 'e' },
		{ 0 },
	};
	const char *dbopt = NULL, *out = FORM_DEFAULT_OUT, *base_url = NULL, *public_key = NULL;
	struct strbuf rsa = STRBUF_INIT;
	struct def d = { 0 };
	struct commune_list cl = { 0 };
	const struct commune **cv = NULL;
	struct form *fs = NULL;
	enum form_stored *how = NULL;
	struct strbuf list = STRBUF_INIT, codebook = STRBUF_INIT;
	struct perr err = { 0 };
	sqlite3 *db = NULL;
	int c, rc = PERR_OK;
	size_t nc;

	if (argc >= 2 && !strcmp(argv[1], "lint"))
		return cmd_forms_lint(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 'o': out = optarg; break;
		case 'u': base_url = optarg; break;
		case 'e': public_key = optarg; break;
		default: return cmd_bad_option("forms", argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error("forms", "unexpected argument '%s'", argv[optind]);
	if (!*out)
		return cmd_usage_error("forms", "--out needs a folder name");
	/* ODK Collect downloads each form from its absolute URL */
	if (base_url && ((strncmp(base_url, "http://", 7) && strncmp(base_url, "https://", 8)) ||
			 strpbrk(base_url, " \t\r\n\"<>?#")))
		return cmd_usage_error("forms",
				       "--base-url must be an http:// or https:// URL of the folder, without spaces, query or fragment: '%s'",
				       base_url);

	if (public_key && form_public_key(public_key, &rsa, &err) < 0)
		goto fail;
	if (db_open(&db, db_path(dbopt), DB_EXISTING, &err) < 0 ||
	    store_active_definition(db, &d, &err) < 0)
		goto fail;
	/* a self-assessment-only index has no survey: nothing to write, the folder untouched */
	if (!d.has_survey) {
		printf("definition %s %s has no survey (self-assessment only): no forms to write\n",
		       d.id, d.version);
		goto done;
	}
	/* the units of the definition's year: none merged away by then (core/merge.h) */
	if (store_load_communes(db, &cl, &err) < 0 || merge_year_units(db, d.year, &cl, &err) < 0)
		goto fail;
	nc = form_communes(&d, &cl, &cv);
	if (!nc) {
		if (d.district_code)
			perr_set(&err, PERR_USAGE, db_path(dbopt),
				 "the register has no commune of district %s (%s); load them with 'parindex init --communes FILE'",
				 d.district_code, d.district);
		else
			perr_set(&err, PERR_USAGE, db_path(dbopt),
				 "the register has no commune; load it with 'parindex init --communes FILE'");
		goto fail;
	}

	/* build and lint everything before touching the database or the folder */
	fs = xcalloc(d.ngroups, sizeof(*fs));
	how = xcalloc(d.ngroups, sizeof(*how));
	for (size_t g = 0; g < d.ngroups; g++) {
		struct diag diag = { 0 };

		form_build(&fs[g], &d, g, &cl);
		if (public_key)
			form_encrypt(&fs[g], rsa.buf);
		if (form_lint(fs[g].xml.buf, fs[g].xml.len, fs[g].file, &diag) < 0) {
			diag_print(&diag, "forms");
			perr_set(&err, PERR_DATA, fs[g].file,
				 "the generated form fails its own lint; nothing was written");
			diag_release(&diag);
			goto fail;
		}
	}
	form_list(&list, fs, d.ngroups, base_url);
	form_codebook(&codebook, &d, fs, d.ngroups, &cl);

	if (db_exec(db, "BEGIN IMMEDIATE", &err) < 0)
		goto fail;
	for (size_t g = 0; g < d.ngroups; g++) {
		struct strbuf html = STRBUF_INIT;
		char *name = xasprintf("%s.html", fs[g].id);
		int bad;

		form_html(&html, &d, g);
		bad = form_register(db, &d, &fs[g], &how[g], &err) < 0 ||
		      form_write_file(out, fs[g].file, fs[g].xml.buf, fs[g].xml.len, &err) < 0 ||
		      form_write_file(out, name, html.buf, html.len, &err) < 0;
		free(name);
		strbuf_release(&html);
		if (bad)
			goto rollback;
	}
	if (form_write_file(out, "formList.xml", list.buf, list.len, &err) < 0 ||
	    form_write_file(out, "codebook.csv", codebook.buf, codebook.len, &err) < 0 ||
	    db_exec(db, "COMMIT", &err) < 0)
		goto rollback;

	for (size_t g = 0; g < d.ngroups; g++) {
		size_t nprofile = 0, nscored = 0;

		for (size_t i = 0; i < d.nquestions; i++)
			if ((d.questions[i].groups >> g) & 1u)
				*(d.questions[i].is_profile ? &nprofile : &nscored) += 1;
		printf("%s %s (group %s: %zu profile and %zu scored questions, %zu communes): %s\n",
		       fs[g].id, fs[g].version, d.groups[g].id, nprofile, nscored, nc,
		       stored_name[how[g]]);
		if (how[g] == FORM_REPLACED)
			fprintf(stderr,
				"parindex: forms: warning: %s version %s differs from the form registered before (the commune register changed?); devices that downloaded it must download it again\n",
				fs[g].id, fs[g].version);
	}
	escape_term_fputs(stdout, out);
	printf(": %zu XForms, formList.xml, %zu printable forms, codebook.csv\n", d.ngroups,
	       d.ngroups);
	goto done;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
fail:
	rc = perr_print(&err, "forms");
done:
	if (fs)
		for (size_t g = 0; g < d.ngroups; g++)
			form_release(&fs[g]);
	free(fs);
	free(how);
	free(cv);
	strbuf_release(&list);
	strbuf_release(&codebook);
	strbuf_release(&rsa);
	commune_list_release(&cl);
	def_release(&d);
	db_close(db);
	return rc;
}
