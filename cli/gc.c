/*
 * gc.c - `hearth gc`: deletes the originals in the store that no story
 * refers to, with their cached renditions (media_gc, under the store
 * lock). Also run, without waiting, after every import and build.
 */
#include "cli.h"
#include "../media/intake.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_gc(struct cli *c, int argc, char **argv)
{
	bool helped;
	struct hearth_err err = {0};
	struct media_gc_stats st = {0};
	hearth_lib *lib = NULL;
	int rc = cli_no_operands(c, argc, argv, NULL, &helped);

	if (rc || helped)
		return rc;
	if ((rc = cli_open(c, &lib)))
		return rc;
	rc = media_gc(lib, false, &st, &err);
	if (!rc && st.busy) {
		fprintf(stderr, "hearth: gc: another hearth holds the store lock (an import "
				"in progress); waiting for it to finish\n");
		rc = media_gc(lib, true, &st, &err);
	}
	if (rc)
		rc = cli_fail_err(c, &err);
	else
		printf("deleted %zu original%s nothing refers to, %zu unfinished file%s and "
		       "%zu cached rendition%s\n",
		       st.objects, st.objects == 1 ? "" : "s", st.temporary,
		       st.temporary == 1 ? "" : "s", st.renditions, st.renditions == 1 ? "" : "s");
	lib_close(&lib);
	return rc;
}
