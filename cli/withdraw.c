/* withdraw.c - `hearth withdraw SLUG`: consent withdrawn; the story leaves every output. */
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
	int rc = cli_one_slug(c, argc, argv, opts, &slug, &helped);
	if (rc || helped)
		return rc;
	if ((rc = cli_open(c, &lib)))
		return rc;
	rc = lib_begin(lib, &err);
	if (!rc)
		rc = lib_story_withdraw(lib, slug, reason, &err);
	rc = cli_finish(c, lib, rc, &err);
	if (rc == EXIT_OK)
		printf("%s is withdrawn; run 'hearth build' now to remove it from the site "
		       "and every feed\n", slug);
	lib_close(&lib);
	return rc;
}
