/*
 * import.c - `hearth import PATH...`: story bundles, collections and
 * settings into the library, all or nothing. This file works out what each
 * PATH holds (a content folder, a stories/ folder, one bundle, a
 * collection file, a settings file); media_import does the rest, by the
 * same rules as every other way in, and the store is swept after it.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "../media/intake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct plan {
	char *settings;       /* a hearth.yaml to take, or NULL */
	char **bundles;       /* story bundle folders */
	char **collections;   /* collection files */
};

/* Adds the bundles in a stories/ folder (room made once: it may hold thousands). */
static void add_stories_dir(struct plan *p, const char *dir)
{
	char **names = dir_list(dir, false);
	size_t n = strv_len(p->bundles);

	p->bundles = xrealloc(p->bundles, (n + strv_len(names) + 1) * sizeof *p->bundles);
	p->bundles[n] = NULL;
	for (size_t i = 0; names && names[i]; i++) {
		char *b = path_join(dir, names[i]);
		char *md = path_join(b, "story.md");
		if (path_is_dir(b) && path_exists(md)) {
			p->bundles[n++] = b;
			p->bundles[n] = NULL;
			b = NULL;
		}
		free(md);
		free(b);
	}
	strv_free(names);
}

static void add_collections_dir(struct plan *p, const char *dir)
{
	char **names = dir_list(dir, false);
	for (size_t i = 0; names && names[i]; i++)
		if (str_ends(names[i], ".yaml") || str_ends(names[i], ".yml")) {
			char *f = path_join(dir, names[i]);
			p->collections = strv_push(p->collections, f);
			free(f);
		}
	strv_free(names);
}

/* Works out what one PATH holds. */
static int plan_path(struct cli *c, struct plan *p, const char *path)
{
	char *md = path_join(path, "story.md");
	char *yaml = path_join(path, "hearth.yaml");
	char *stories = path_join(path, "stories");
	char *colls = path_join(path, "collections");
	int rc = 0;

	if (path_is_file(path) && (str_ends(path, ".yaml") || str_ends(path, ".yml"))) {
		if (!strcmp(path_base(path), "hearth.yaml")) {
			free(p->settings);
			p->settings = xstrdup(path);
		} else {
			p->collections = strv_push(p->collections, path);
		}
	} else if (!path_exists(path)) {
		rc = cli_fail(c, "'%s' does not exist", path);
	} else if (!path_is_dir(path)) {
		rc = cli_fail(c, "'%s' is neither a folder nor a collection file (.yaml)", path);
	} else if (path_exists(md)) {
		p->bundles = strv_push(p->bundles, path);
	} else if (path_exists(yaml) || path_is_dir(stories) || path_is_dir(colls)) {
		if (path_exists(yaml)) {
			free(p->settings);
			p->settings = xstrdup(yaml);
		}
		if (path_is_dir(stories))
			add_stories_dir(p, stories);
		if (path_is_dir(colls))
			add_collections_dir(p, colls);
	} else {
		size_t before = strv_len(p->bundles);
		add_stories_dir(p, path);
		if (strv_len(p->bundles) == before)
			rc = cli_fail(c, "'%s' holds no story bundle (a folder with story.md), "
				      "no stories/ and no hearth.yaml", path);
	}
	free(md);
	free(yaml);
	free(stories);
	free(colls);
	return rc;
}

int cmd_import(struct cli *c, int argc, char **argv)
{
	const char **ops = NULL;
	size_t n_ops = 0;
	bool helped;
	struct plan p = {0};
	struct hearth_err err = {0};
	struct media_import im = {0};
	hearth_lib *lib = NULL;
	int rc = cli_parse(c, argc, argv, NULL, &ops, &n_ops, &helped);

	if (rc || helped)
		goto end;
	if (!n_ops) {
		rc = cli_usage(c, "expected a content folder, a story bundle or a collection file");
		goto end;
	}
	for (size_t i = 0; i < n_ops && !rc; i++)
		rc = plan_path(c, &p, ops[i]);
	if (rc || (rc = cli_open(c, &lib)))
		goto end;
	im.bundles = p.bundles;
	im.collections = p.collections;
	im.settings = p.settings;
	rc = media_import(lib, &im, &err);
	for (size_t i = 0; im.notes && im.notes[i]; i++)
		fprintf(stderr, "hearth: import: note: %s\n", im.notes[i]);
	if (rc) {
		rc = cli_fail_err(c, &err);
		fprintf(stderr, "hearth: import: nothing was imported; the library is unchanged\n");
		goto end;
	}
	fputs(buf_cstr(&im.report), stdout);
	printf("imported %zu stor%s (%zu new or changed, %zu unchanged)", im.n_stories,
	       im.n_stories == 1 ? "y" : "ies", im.n_changed, im.n_stories - im.n_changed);
	if (im.n_collections)
		printf(", %zu collection%s (%zu changed)", im.n_collections,
		       im.n_collections == 1 ? "" : "s", im.n_coll_changed);
	if (p.settings)
		printf(", settings from %s", p.settings);
	printf("\n");
end:
	media_import_release(&im);
	strv_free(p.bundles);
	strv_free(p.collections);
	free(p.settings);
	free(ops);
	lib_close(&lib);
	return rc;
}
