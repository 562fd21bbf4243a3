/*
 * publish.c - `hearth publish SLUG [--at DATE | --unschedule]`: publish an
 * approved story with consent, move a published story's date, or take a
 * scheduled story off the schedule. None of them touches consent.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The story's status now, for choosing between publishing and moving its date. */
static int status_of(hearth_lib *lib, const char *slug, enum lib_status *out,
		     struct hearth_err *err)
{
	struct lib_story *s = NULL;
	int rc = lib_story_get(lib, slug, &s, err);
	if (!rc)
		*out = s->status;
	lib_story_free(&s);
	return rc;
}

int cmd_publish(struct cli *c, int argc, char **argv)
{
	const char *slug, *at = NULL;
	bool helped, unschedule = false;
	struct cli_opt opts[] = {{"at", 0, true, false, &at, NULL, NULL},
				 {"unschedule", 0, false, false, NULL, NULL, &unschedule},
				 {0}};
	struct hearth_err err = {0};
	struct lib_story *s = NULL;
	hearth_lib *lib = NULL;
	enum lib_status status = ST_APPROVED;
	int64_t when = 0, before = 0;
	char d1[21], d2[21];
	int rc = cli_one_slug(c, argc, argv, opts, &slug, &helped);
	if (rc || helped)
		return rc;
	if (at && unschedule)
		return cli_usage(c, "--at and --unschedule do not go together");
	if (at && date_parse(at, &when) != 0)
		return cli_usage(c, "--at: '%s' is not a date (expected YYYY-MM-DD or "
				    "YYYY-MM-DDTHH:MM:SSZ)", at);
	if ((rc = cli_open(c, &lib)))
		return rc;
	rc = lib_begin(lib, &err);
	if (!rc && unschedule)
		rc = lib_story_unschedule(lib, slug, &before, &err);
	else if (!rc && at && !(rc = status_of(lib, slug, &status, &err)) &&
		 status == ST_PUBLISHED)
		rc = lib_story_reschedule(lib, slug, when, &before, &err);
	else if (!rc)
		rc = lib_story_publish(lib, slug, when, &err);
	rc = cli_finish(c, lib, rc, &err);
	if (rc != EXIT_OK)
		goto end;
	if (unschedule) {
		date_iso(before, d1);
		printf("%s is off the schedule (it was to be published at %s) and approved "
		       "again; its consent is unchanged\n",
		       slug, d1);
	} else if (status == ST_PUBLISHED) {
		date_iso(before, d1);
		date_iso(when, d2);
		if (before == when)
			printf("%s is already published at %s; nothing changed\n", slug, d2);
		else
			printf("%s: publication date moved from %s to %s; run 'hearth build' to "
			       "update the site and feed\n",
			       slug, d1, d2);
	} else if (lib_story_get(lib, slug, &s, &err) == 0) {
		date_iso(s->published_at, d1);
		printf("%s is published at %s; run 'hearth build' to update the site and "
		       "feed\n",
		       slug, d1);
	} else {
		printf("%s is published; run 'hearth build' to update the site and feed\n", slug);
	}
end:
	lib_story_free(&s);
	lib_close(&lib);
	return rc;
}
