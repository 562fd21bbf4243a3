/*
 * collection.c - `hearth collection new|add|remove|move|list|show`: curate
 * ordered collections of stories. Positions are 1-based for people and
 * 0-based in the library.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int show(struct cli *c, hearth_lib *lib, const char *slug)
{
	struct hearth_err err = {0};
	struct lib_collection *col = NULL;
	if (lib_collection_get(lib, slug, &col, &err) != 0)
		return cli_fail_err(c, &err);
	printf("%s\n%-12s %s\n%-12s %s\n", col->title, "slug", col->slug, "podcast",
	       col->podcast ? "yes" : "no");
	if (col->description && *col->description)
		printf("%-12s %s\n", "description", col->description);
	for (size_t i = 0; col->stories && col->stories[i]; i++)
		printf("  %zu. %s\n", i + 1, col->stories[i]);
	lib_collection_free(&col);
	return EXIT_OK;
}

static int list(struct cli *c, hearth_lib *lib)
{
	struct hearth_err err = {0};
	struct lib_collection **v = NULL;
	size_t n = 0;
	if (lib_collection_list(lib, &v, &n, &err) != 0)
		return cli_fail_err(c, &err);
	for (size_t i = 0; i < n; i++)
		printf("%-32s %3zu stories  %s%s\n", v[i]->slug, strv_len(v[i]->stories),
		       v[i]->title, v[i]->podcast ? "  (podcast)" : "");
	lib_collection_list_free(v, n);
	return EXIT_OK;
}

int cmd_collection(struct cli *c, int argc, char **argv)
{
	const char *title = NULL, *desc = NULL, *at = NULL;
	bool podcast = false, helped;
	struct cli_opt opts[] = {
		{"title", 0, true, false, &title, NULL, NULL},
		{"description", 0, true, false, &desc, NULL, NULL},
		{"podcast", 0, false, false, NULL, NULL, &podcast},
		{"at", 0, true, false, &at, NULL, NULL},
		{0},
	};
	const char **ops = NULL;
	size_t n = 0;
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	long pos = 0;
	int rc = cli_parse(c, argc, argv, opts, &ops, &n, &helped);
	if (rc || helped)
		goto end;
	if (n == 0) {
		rc = cli_usage(c, "expected new, add, remove, move, list or show");
		goto end;
	}
	const char *verb = ops[0];
	struct {
		const char *verb;
		size_t operands;
	} shapes[] = {{"new", 2}, {"add", 3}, {"remove", 3}, {"move", 4},
		      {"list", 1}, {"show", 2}};
	size_t k;
	for (k = 0; k < sizeof shapes / sizeof *shapes; k++)
		if (!strcmp(shapes[k].verb, verb))
			break;
	if (k == sizeof shapes / sizeof *shapes) {
		rc = cli_usage(c, "unknown action '%s' (expected new, add, remove, move, "
				  "list or show)", verb);
		goto end;
	}
	if (n != shapes[k].operands) {
		rc = cli_usage(c, "'collection %s' takes %zu operand%s", verb,
			       shapes[k].operands - 1, shapes[k].operands == 2 ? "" : "s");
		goto end;
	}
	if (!strcmp(verb, "new") && (!title || !*title)) {
		rc = cli_usage(c, "--title is required for a new collection");
		goto end;
	}
	if (!strcmp(verb, "new") && !slug_valid(ops[1])) {
		rc = cli_usage(c, "'%s' is not a valid slug (lowercase letters, digits and "
				  "hyphens)", ops[1]);
		goto end;
	}
	if (at && (!cli_int(at, &pos) || pos < 1)) {
		rc = cli_usage(c, "--at: expected a position from 1, got '%s'", at);
		goto end;
	}
	if (!strcmp(verb, "move") && (!cli_int(ops[3], &pos) || pos < 1)) {
		rc = cli_usage(c, "expected a position from 1, got '%s'", ops[3]);
		goto end;
	}
	if ((rc = cli_open(c, &lib)))
		goto end;
	if (!strcmp(verb, "list")) {
		rc = list(c, lib);
		goto end;
	}
	if (!strcmp(verb, "show")) {
		rc = show(c, lib, ops[1]);
		goto end;
	}
	rc = lib_begin(lib, &err);
	if (rc == 0) {
		if (!strcmp(verb, "new"))
			rc = lib_collection_new(lib, ops[1], title, desc, podcast, &err);
		else if (!strcmp(verb, "add"))
			rc = lib_collection_add(lib, ops[1], ops[2], at ? (int)pos - 1 : -1,
						&err);
		else if (!strcmp(verb, "remove"))
			rc = lib_collection_remove(lib, ops[1], ops[2], &err);
		else
			rc = lib_collection_move(lib, ops[1], ops[2], (int)pos - 1, &err);
	}
	if ((rc = lib_end(lib, rc, &err))) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	rc = show(c, lib, ops[1]);
end:
	free(ops);
	lib_close(&lib);
	return rc;
}
