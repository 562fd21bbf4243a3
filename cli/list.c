/*
 * list.c - `hearth list`: the stories, one line each or as JSON. The lines
 * come one at a time from the catalogue (lib_story_lines: no bodies, no
 * files), each text line is put together by hand in one buffer written out
 * in large pieces (printf's parsing of the format was a good part of the
 * time), and a date is formatted once for the stories of the same day, so
 * a library of ten thousand stories lists in a few milliseconds and a few
 * megabytes.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct listing {
	bool json;
	struct jw w;
	struct buf line;    /* text lines not yet written out */
	int64_t day;        /* the day date holds, or -1 */
	char date[21];
};

/* s, then spaces up to width bytes (as printf's "%-*s" pads) and one more. */
static void put_col(struct buf *b, const char *s, size_t width)
{
	static const char spaces[] = "                                 "; /* 33 */
	size_t n = strlen(s), pad = n < width ? width - n + 1 : 1;
	buf_add(b, s, n);
	while (pad) {
		size_t k = pad < sizeof spaces - 1 ? pad : sizeof spaces - 1;
		buf_add(b, spaces, k);
		pad -= k;
	}
}

/* "slug status date title", as "%-32s %-17s %-10s %s\n" writes it. */
static void put_text(struct listing *ls, const struct lib_story_line *l)
{
	const char *d = "-";
	if (l->published_at) {
		int64_t day = l->published_at / 86400 - (l->published_at % 86400 < 0);
		if (day != ls->day) {
			date_ymd(l->published_at, ls->date);
			ls->day = day;
		}
		d = ls->date;
	}
	put_col(&ls->line, l->slug, 32);
	put_col(&ls->line, lib_status_name(l->status), 17);
	put_col(&ls->line, d, 10);
	buf_puts(&ls->line, l->title);
	buf_putc(&ls->line, '\n');
	if (ls->line.len >= (1 << 16)) {
		fwrite(ls->line.data, 1, ls->line.len, stdout);
		buf_reset(&ls->line);
	}
}

static int put_line(const struct lib_story_line *l, void *arg)
{
	struct listing *ls = arg;
	char d[21] = "-";

	if (!ls->json) {
		put_text(ls, l);
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
	struct listing ls = {.day = -1, .line = BUF_INIT};
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
	if (lib_story_lines(lib, filter, json, put_line, &ls, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	if (ls.line.len)
		fwrite(ls.line.data, 1, ls.line.len, stdout);
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
	buf_release(&ls.line);
	lib_close(&lib);
	return rc;
}
