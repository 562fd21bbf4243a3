/* review.c - `hearth review SLUG`: take into review, approve, reject or ask for changes. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_review(struct cli *c, int argc, char **argv)
{
	const char *slug, *reject = NULL, *changes = NULL;
	bool approve = false, start = false, helped;
	struct cli_opt opts[] = {
		{"approve", 0, false, false, NULL, NULL, &approve},
		{"start", 0, false, false, NULL, NULL, &start},
		{"reject", 0, true, false, &reject, NULL, NULL},
		{"request-changes", 0, true, false, &changes, NULL, NULL},
		{0},
	};
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	struct lib_story *s = NULL;
	int rc = cli_one_slug(c, argc, argv, opts, &slug, &helped);
	if (rc || helped)
		return rc;
	int chosen = approve + start + (reject != NULL) + (changes != NULL);
	if (chosen != 1)
		return cli_usage(c, "choose one of --start, --approve, --reject REASON, "
				    "--request-changes NOTE");
	if ((reject && !*reject) || (changes && !*changes))
		return cli_usage(c, "a reason or note must not be empty");
	if ((rc = cli_open(c, &lib)))
		return rc;
	enum lib_status to = approve ? ST_APPROVED
			     : reject ? ST_REJECTED
			     : changes ? ST_CHANGES_REQUESTED : ST_IN_REVIEW;
	rc = lib_begin(lib, &err);
	if (!rc)
		rc = lib_story_get(lib, slug, &s, &err);
	/* a story waiting for review is taken into review first */
	if (!rc && to != ST_IN_REVIEW && to != ST_REJECTED &&
	    (s->status == ST_SUBMITTED || s->status == ST_CHANGES_REQUESTED))
		rc = lib_story_move(lib, slug, ST_IN_REVIEW, NULL, &err);
	if (!rc)
		rc = lib_story_move(lib, slug, to, reject ? reject : changes, &err);
	rc = cli_finish(c, lib, rc, &err);
	if (rc == EXIT_OK)
		printf("%s is now %s\n", slug, lib_status_name(to));
	lib_story_free(&s);
	lib_close(&lib);
	return rc;
}
