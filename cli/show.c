/* show.c - `hearth show SLUG`: one story with its files, consent and history. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

static void print_list(const char *label, char **v)
{
	if (!v || !v[0])
		return;
	char *s = strv_join(v, ", ");
	printf("%-12s %s\n", label, s);
	free(s);
}

static void print_text(const struct lib_story *s, const struct lib_audit *h, size_t nh)
{
	char d[21];
	printf("%s\n", s->title);
	printf("%-12s %s\n", "slug", s->slug);
	printf("%-12s %s\n", "status", lib_status_name(s->status));
	if (s->published_at) {
		date_iso(s->published_at, d);
		printf("%-12s %s\n", "published", d);
	}
	if (s->summary && *s->summary)
		printf("%-12s %s\n", "summary", s->summary);
	printf("%-12s %s", "named as", lib_attribution_name(s->attribution));
	if (s->attribution == ATTR_PSEUDONYM && s->pseudonym)
		printf(" (%s)", s->pseudonym);
	printf("\n");
	if (s->name && *s->name)
		printf("%-12s %s (private)\n", "name", s->name);
	if (s->contact && *s->contact)
		printf("%-12s %s (private)\n", "contact", s->contact);
	printf("%-12s site %s, podcast %s", "consent", s->consent_site ? "yes" : "no",
	       s->consent_podcast ? "yes" : "no");
	if (s->consent_given) {
		date_ymd(s->consent_given, d);
		printf(", given %s", d);
	}
	if (s->consent_recorded_by && *s->consent_recorded_by)
		printf(", recorded by %s", s->consent_recorded_by);
	if (s->consent_withdrawn_at) {
		date_ymd(s->consent_withdrawn_at, d);
		printf(", WITHDRAWN %s", d);
	}
	printf("\n");
	if (s->consent_note && *s->consent_note)
		printf("%-12s %s (private)\n", "consent note", s->consent_note);
	if (s->review_note && *s->review_note)
		printf("%-12s %s (private)\n", "review note", s->review_note);
	print_list("warnings", s->warnings);
	print_list("themes", s->themes);
	print_list("tags", s->tags);
	if (s->season || s->episode)
		printf("%-12s season %d, episode %d\n", "podcast", s->season, s->episode);
	if (s->n_assets) {
		printf("\nfiles\n");
		for (size_t i = 0; i < s->n_assets; i++) {
			const struct lib_asset *a = &s->assets[i];
			printf("  %-10s %-24s %-12s %8lld bytes", lib_role_name(a->role),
			       a->filename ? a->filename : "", a->mime,
			       (long long)a->size);
			if (a->duration > 0)
				printf("  %.1f s", a->duration);
			if (a->width)
				printf("  %dx%d", a->width, a->height);
			printf("  %.12s\n", a->sha256);
		}
	}
	if (s->n_chapters) {
		printf("\nchapters\n");
		for (size_t i = 0; i < s->n_chapters; i++) {
			char at[32];
			fmt_clock(s->chapters[i].start, 3, at);
			printf("  %s  %s\n", at, s->chapters[i].title);
		}
	}
	if (nh) {
		printf("\nhistory\n");
		for (size_t i = 0; i < nh; i++) {
			date_iso(h[i].at, d);
			printf("  %s  %-10s %-12s %s\n", d, h[i].actor, h[i].action,
			       h[i].detail ? h[i].detail : "");
		}
	}
}

int cmd_show(struct cli *c, int argc, char **argv)
{
	bool json = false, helped;
	struct cli_opt opts[] = {{"json", 0, false, false, NULL, NULL, &json}, {0}};
	const char **ops = NULL;
	size_t n_ops = 0, nh = 0;
	struct hearth_err err = {0};
	struct lib_story *s = NULL;
	struct lib_audit *h = NULL;
	hearth_lib *lib = NULL;
	int rc = cli_parse(c, argc, argv, opts, &ops, &n_ops, &helped);
	const char *slug = n_ops == 1 ? ops[0] : NULL;
	free(ops);
	if (rc || helped)
		return rc;
	if (!slug)
		return cli_usage(c, "expected one story slug");
	if ((rc = cli_open_read(c, &lib)))
		return rc;
	if (lib_story_get(lib, slug, &s, &err) != 0 ||
	    lib_audit_list(lib, slug, &h, &nh, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	if (json) {
		/* the editor's own view: private fields included, as in the text */
		struct buf b = BUF_INIT;
		if (lib_story_json(lib, slug, true, &b, &err) != 0)
			rc = cli_fail_err(c, &err);
		else
			fputs(buf_cstr(&b), stdout);
		buf_release(&b);
	} else {
		print_text(s, h, nh);
	}
end:
	lib_audit_free(h, nh);
	lib_story_free(&s);
	lib_close(&lib);
	return rc;
}
