/* publish.c - `hearth publish SLUG`: publish an approved story with consent. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_publish(struct cli *c, int argc, char **argv)
{
	const char *slug, *at = NULL;
	bool helped;
	struct cli_opt opts[] = {{"at", 0, true, false, &at, NULL, NULL}, {0}};
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	int64_t when = 0;
	int rc = cli_one_slug(c, argc, argv, opts, &slug, &helped);
	if (rc || helped)
		return rc;
	if (at && date_parse(at, &when) != 0)
		return cli_usage(c, "--at: '%s' is not a date (expected YYYY-MM-DD or "
				    "YYYY-MM-DDTHH:MM:SSZ)", at);
	if ((rc = cli_open(c, &lib)))
		return rc;
	rc = lib_begin(lib, &err);
	if (!rc)
		rc = lib_story_publish(lib, slug, when, &err);
	rc = cli_finish(c, lib, rc, &err);
	if (rc == EXIT_OK)
		printf("%s is published; run 'hearth build' to update the site and feed\n", slug);
	lib_close(&lib);
	return rc;
}
