/*
 * backup.c - `hearth backup DEST`: a consistent copy of the catalogue
 * (lib_backup, SQLite's online backup) taken while other hearth commands
 * and the server keep working, and what else to copy beside it.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_backup(struct cli *c, int argc, char **argv)
{
	bool helped;
	const char **ops = NULL;
	size_t n = 0;
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	int rc = cli_parse(c, argc, argv, NULL, &ops, &n, &helped);

	if (rc || helped)
		goto end;
	if (n != 1) {
		rc = cli_usage(c, n ? "expected one destination, got %zu" : "expected a destination",
			       n);
		goto end;
	}
	if ((rc = cli_open_read(c, &lib)))
		goto end;
	if (lib_backup(lib, ops[0], &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	printf("backed up the catalogue to %s\n", ops[0]);
	/* the show's cover is a file of the library that no build can make again */
	struct lib_settings set = {0};
	struct hearth_err ignored = {0};
	char *cover = lib_settings_load(lib, &set, &ignored) == 0 && set.image && *set.image
			      ? xasprintf(" and %s/%s (the show's cover)", c->dir, set.image)
			      : xstrdup("");
	printf("copy beside it, as they are: %s/store/ (the originals), %s/hearth.yaml "
	       "(the settings)%s; cache/ and public/ are made again by 'hearth build'\n",
	       c->dir, c->dir, cover);
	free(cover);
	lib_settings_release(&set);
end:
	lib_close(&lib);
	free(ops);
	return rc;
}
