/*
 * list.c - `hearth list`: the stories, one line each or as JSON. The lines
 * come one at a time from the catalogue (lib_story_lines: no bodies, no
 * files), and stdout is fully buffered, so a library of ten thousand
 * stories lists in a few milliseconds and a few megabytes.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

struct listing {
	bool json;
	struct jw w;
};

static int put_line(const struct lib_story_line *l, void *arg)
{
	struct listing *ls = arg;
	char d[21] = "-";

	if (!ls->json) {
		if (l->published_at)
			date_ymd(l->published_at, d);
		printf("%-32s %-17s %-10s %s\n", l->slug, lib_status_name(l->status), d,
		       l->title);
		return 0;
	}
	jw_obj(&ls->w);
	jw_key(&ls->w, "slug");
	jw_str(&ls->w, l->slug);
	jw_key(&ls->w, "title");
	jw_str(&ls->w, l->title);
	jw_key(&ls->w, "status");
	jw_str(&ls->w, lib_status_name(l->status));
	jw_key(&ls->w, "published");
	if (l->published_at) {
		date_iso(l->published_at, d);
		jw_str(&ls->w, d);
	} else {
		jw_null(&ls->w);
	}
	jw_key(&ls->w, "consent");
	jw_obj(&ls->w);
	jw_key(&ls->w, "site");
	jw_bool(&ls->w, l->consent_site);
	jw_key(&ls->w, "podcast");
	jw_bool(&ls->w, l->consent_podcast);
	jw_obj_end(&ls->w);
	jw_obj_end(&ls->w);
	return 0;
}

int cmd_list(struct cli *c, int argc, char **argv)
{
	static char out[1 << 16];
	const char *status = NULL;
	bool json = false, helped;
	struct cli_opt opts[] = {
		{"status", 0, true, false, &status, NULL, NULL},
		{"json", 0, false, false, NULL, NULL, &json},
		{0},
	};
	struct listing ls = {0};
	struct buf b = BUF_INIT;
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	enum lib_status st;
	int filter = -1;
	int rc = cli_no_operands(c, argc, argv, opts, &helped);
	if (rc || helped)
		return rc;
	if (status) {
		if (lib_status_parse(status, &st) != 0)
			return cli_usage(c, "--status: unknown status '%s' (expected submitted, "
					    "in_review, changes_requested, approved, published, "
					    "withdrawn or rejected)", status);
		filter = (int)st;
	}
	if ((rc = cli_open_read(c, &lib)))
		return rc;
	setvbuf(stdout, out, _IOFBF, sizeof out);
	ls.json = json;
	if (json) {
		jw_init(&ls.w, &b, true);
		jw_arr(&ls.w);
	}
	if (lib_story_lines(lib, filter, put_line, &ls, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	if (json) {
		jw_arr_end(&ls.w);
		if (jw_end(&ls.w, &err) != 0)
			rc = cli_fail_err(c, &err);
		else
			fputs(buf_cstr(&b), stdout);
	}
end:
	fflush(stdout);
	buf_release(&b);
	lib_close(&lib);
	return rc;
}
