/*
 * withdraw.c - `hearth withdraw SLUG`: consent withdrawn; the story leaves
 * every output at the next build, and its cached renditions go now
 * (library/cache.c: plain file work, so the lean hearth can do it).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_withdraw(struct cli *c, int argc, char **argv)
{
	const char *slug, *reason = NULL;
	bool helped;
	struct cli_opt opts[] = {{"reason", 0, true, false, &reason, NULL, NULL}, {0}};
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	size_t purged = 0;
	int rc = cli_one_slug(c, argc, argv, opts, &slug, &helped);
	if (rc || helped)
		return rc;
	if ((rc = cli_open(c, &lib)))
		return rc;
	rc = lib_begin(lib, &err);
	if (!rc)
		rc = lib_story_withdraw(lib, slug, reason, &err);
	rc = cli_finish(c, lib, rc, &err);
	/* the renditions go once the withdrawal is committed, not before */
	if (rc == EXIT_OK && lib_cache_purge_story(lib, slug, &purged, &err) != 0)
		rc = cli_fail(c, "%s is withdrawn, but its cached renditions could not all be "
			      "deleted: %s", slug, err.msg);
	if (rc == EXIT_OK)
		printf("%s is withdrawn; run 'hearth build' now to remove it from the site "
		       "and every feed (%zu cached rendition%s deleted)\n", slug, purged,
		       purged == 1 ? "" : "s");
	lib_close(&lib);
	return rc;
}
