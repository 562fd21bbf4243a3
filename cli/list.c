/* list.c - `hearth list`: the stories, one line each or as JSON. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_list(struct cli *c, int argc, char **argv)
{
	const char *status = NULL;
	bool json = false, helped;
	struct cli_opt opts[] = {
		{"status", 0, true, false, &status, NULL, NULL},
		{"json", 0, false, false, NULL, NULL, &json},
		{0},
	};
	size_t n = 0;
	struct lib_story **v = NULL;
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
	if (lib_story_list(lib, filter, &v, &n, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	if (json) {
		struct buf b = BUF_INIT;
		struct jw w;
		jw_init(&w, &b, true);
		jw_arr(&w);
		for (size_t i = 0; i < n; i++) {
			char d[21];
			jw_obj(&w);
			jw_key(&w, "slug");
			jw_str(&w, v[i]->slug);
			jw_key(&w, "title");
			jw_str(&w, v[i]->title);
			jw_key(&w, "status");
			jw_str(&w, lib_status_name(v[i]->status));
			jw_key(&w, "published");
			if (v[i]->published_at) {
				date_iso(v[i]->published_at, d);
				jw_str(&w, d);
			} else {
				jw_null(&w);
			}
			jw_key(&w, "consent");
			jw_obj(&w);
			jw_key(&w, "site");
			jw_bool(&w, v[i]->consent_site);
			jw_key(&w, "podcast");
			jw_bool(&w, v[i]->consent_podcast);
			jw_obj_end(&w);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
		if (jw_end(&w, &err) != 0)
			rc = cli_fail_err(c, &err);
		else
			fputs(buf_cstr(&b), stdout);
		buf_release(&b);
	} else {
		for (size_t i = 0; i < n; i++) {
			char d[11] = "-";
			if (v[i]->published_at)
				date_ymd(v[i]->published_at, d);
			printf("%-32s %-17s %-10s %s\n", v[i]->slug,
			       lib_status_name(v[i]->status), d, v[i]->title);
		}
	}
end:
	lib_story_list_free(v, n);
	lib_close(&lib);
	return rc;
}
