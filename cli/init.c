/* init.c - `hearth init [DIR]`: create a library. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_init(struct cli *c, int argc, char **argv)
{
	const char **ops = NULL;
	size_t n = 0;
	bool helped;
	struct hearth_err err = {0};
	int rc = cli_parse(c, argc, argv, NULL, &ops, &n, &helped);
	if (rc || helped)
		goto end;
	if (n > 1) {
		rc = cli_usage(c, "expected at most one folder");
		goto end;
	}
	const char *dir = n ? ops[0] : c->dir;
	if (lib_init(dir, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	printf("created a Hearth library in %s\n", dir);
	printf("private: hearth.db, store/ and cache/ hold contributors' personal data and are "
	       "readable by you only; public/ is what the world sees\n");
	printf("next: set base_url in %s/hearth.yaml to your site's address (it is '%s' "
	       "until you do, and a podcast cannot be built from it), then 'hearth -C %s "
	       "import FOLDER' or 'hearth submit'\n",
	       dir, LIB_PLACEHOLDER_BASE_URL, dir);
end:
	free(ops);
	return rc;
}
