/*
 * erase.c - `hearth erase SLUG`: after a withdrawal, the contributor's
 * story is erased: its originals (unless another story uses the same
 * file), their cached renditions, and its personal fields (media_erase).
 */
#include "cli.h"
#include "../media/intake.h"

#include <stdio.h>

int cmd_erase(struct cli *c, int argc, char **argv)
{
	const char *slug;
	bool helped;
	struct hearth_err err = {0};
	struct media_gc_stats st = {0};
	hearth_lib *lib = NULL;
	int rc = cli_one_slug(c, argc, argv, NULL, &slug, &helped);

	if (rc || helped)
		return rc;
	if ((rc = cli_open(c, &lib)))
		return rc;
	if (media_erase(lib, slug, &st, &err) != 0)
		rc = cli_fail_err(c, &err);
	else
		printf("%s is erased: its personal fields are cleared and %zu original%s and "
		       "%zu cached rendition%s deleted\n",
		       slug, st.objects, st.objects == 1 ? "" : "s", st.renditions,
		       st.renditions == 1 ? "" : "s");
	lib_close(&lib);
	return rc;
}
