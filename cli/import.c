/*
 * import.c - `hearth import PATH...`: story bundles, collections and
 * settings into the library, all or nothing.
 *
 * Everything named is read and checked before anything is written (the
 * podcast image a settings file names too: it must make a cover of at
 * least 1400 px); then every file goes through intake (media/) and every
 * record into the catalogue inside one transaction. If anything fails, the transaction is
 * rolled back and the objects this run added to the store are removed, so
 * the library is exactly as it was.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "../media/media.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct plan {
	char *settings;       /* a hearth.yaml to take, or NULL */
	char **bundles;       /* story bundle folders */
	char **collections;   /* collection files */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir (not . and ..), sorted; NULL when it cannot be read. */
static char **list_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	if (!d)
		return NULL;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			v = strv_push(v, de->d_name);
	closedir(d);
	if (v)
		qsort(v, strv_len(v), sizeof *v, cmp_str);
	return v;
}

static void add_stories_dir(struct plan *p, const char *dir)
{
	char **names = list_dir(dir);
	for (size_t i = 0; names && names[i]; i++) {
		char *b = path_join(dir, names[i]);
		char *md = path_join(b, "story.md");
		if (path_is_dir(b) && path_exists(md))
			p->bundles = strv_push(p->bundles, b);
		free(md);
		free(b);
	}
	strv_free(names);
}

static void add_collections_dir(struct plan *p, const char *dir)
{
	char **names = list_dir(dir);
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

/* Every object in store/, as relative paths, sorted. */
static void list_store(const char *store, char ***out)
{
	char **top = list_dir(store);
	for (size_t i = 0; top && top[i]; i++) {
		char *sub = path_join(store, top[i]);
		char **objs = list_dir(sub);
		for (size_t j = 0; objs && objs[j]; j++) {
			char *rel = xasprintf("%s/%s", top[i], objs[j]);
			*out = strv_push(*out, rel);
			free(rel);
		}
		strv_free(objs);
		free(sub);
	}
	strv_free(top);
	if (*out)
		qsort(*out, strv_len(*out), sizeof **out, cmp_str);
}

/* Removes the objects that are in the store now but were not in before. */
static void undo_store(const char *store, char **before)
{
	char **now = NULL;
	size_t nb = strv_len(before);
	list_store(store, &now);
	for (size_t i = 0; now && now[i]; i++) {
		if (bsearch(&now[i], before, nb, sizeof *before, cmp_str))
			continue;
		char *p = path_join(store, now[i]);
		unlink(p);
		free(p);
	}
	strv_free(now);
}

/*
 * The podcast image the settings file yaml names, checked as a cover
 * before anything is written: too small, it is refused with its name and
 * size; not square, it is taken with a note that the cover is its centre.
 * A file that does not parse, an unsafe path or a missing image is left to
 * lib_settings_import, which says what is wrong with it.
 */
static int check_show_image(struct cli *c, const char *yaml, const struct media_limits *lim)
{
	struct hearth_err err = {0};
	struct buf text = BUF_INIT;
	struct ynode *y = NULL;
	struct media_info info;
	char *dir = NULL, *img = NULL;
	const char *rel;
	int rc = 0;

	if (file_read(yaml, &text, &err) != 0 ||
	    yaml_parse(text.data ? text.data : "", text.len, yaml, 0, &y, &err) != 0)
		goto end;
	rel = ymap_str(ymap_get(y, "podcast"), "image");
	if (!rel || !path_is_safe_rel(rel))
		goto end;
	dir = path_dir(yaml);
	img = strcmp(dir, ".") ? path_join(dir, rel) : xstrdup(rel);
	if (!path_exists(img))
		goto end;
	if (media_cover_check(img, img, lim, &info, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	if (info.width != info.height) {
		int side = media_cover_side(info.width, info.height);
		fprintf(stderr,
			"hearth: import: note: %s is %d\u00d7%d, not square; the podcast cover "
			"is its centre, %d\u00d7%d\n",
			img, info.width, info.height, side, side);
	}
end:
	ynode_free(y);
	buf_release(&text);
	free(dir);
	free(img);
	return rc;
}

static int take_bundle(struct cli *c, hearth_lib *lib, const struct media_limits *lim,
		       struct lib_story *s, const char *dir, bool *changed, struct buf *report)
{
	struct hearth_err err = {0};
	for (size_t i = 0; i < s->n_assets; i++) {
		struct lib_asset *a = &s->assets[i];
		char *path = path_join(dir, a->filename);
		int rc = media_intake(lib, path, path, lim, a, &err);
		free(path);
		if (rc)
			return cli_fail_err(c, &err);
	}
	/* chapters from the sound file, when the front matter gives none */
	const struct lib_asset *sound = cli_story_sound(s);
	if (sound && !s->n_chapters) {
		char *path = path_join(dir, sound->filename);
		int rc = cli_embedded_chapters(s, path, &err);
		free(path);
		if (rc)
			return cli_fail_err(c, &err);
	}
	/* the transcript against the sound, now that intake knows its length */
	for (size_t i = 0; i < s->n_assets; i++) {
		if (strcmp(s->assets[i].role, "transcript"))
			continue;
		char *path = path_join(dir, s->assets[i].filename);
		int rc = cli_transcript_fits(s, path, &err);
		free(path);
		if (rc)
			return cli_fail_err(c, &err);
	}
	if (lib_story_import(lib, s, changed, report, &err) != 0)
		return cli_fail_err(c, &err);
	return 0;
}

int cmd_import(struct cli *c, int argc, char **argv)
{
	const char **ops = NULL;
	size_t n_ops = 0, n_bundles = 0, n_changed = 0, n_coll_changed = 0;
	bool helped;
	struct plan p = {0};
	struct hearth_err err = {0};
	struct lib_story **stories = NULL;
	struct lib_collection **colls = NULL;
	struct media_limits lim = {0};
	struct buf report = BUF_INIT; /* per story: what changed, what was kept */
	hearth_lib *lib = NULL;
	char **store_before = NULL, *store = NULL;
	bool began = false;
	int rc = cli_parse(c, argc, argv, NULL, &ops, &n_ops, &helped);

	if (rc || helped)
		goto end;
	if (!n_ops) {
		rc = cli_usage(c, "expected a content folder, a story bundle or a collection file");
		goto end;
	}
	for (size_t i = 0; i < n_ops && !rc; i++)
		rc = plan_path(c, &p, ops[i]);
	if (rc)
		goto end;

	/* read and check everything before writing anything */
	n_bundles = strv_len(p.bundles);
	stories = xcalloc(n_bundles + 1, sizeof *stories);
	for (size_t i = 0; i < n_bundles; i++)
		if (lib_bundle_read(p.bundles[i], &stories[i], &err) != 0) {
			rc = cli_fail_err(c, &err);
			goto end;
		}
	for (size_t i = 0; i + 1 < n_bundles; i++)
		for (size_t j = i + 1; j < n_bundles; j++)
			if (!strcmp(stories[i]->slug, stories[j]->slug)) {
				rc = cli_fail(c, "two bundles have the slug '%s': %s and %s",
					      stories[i]->slug, p.bundles[i], p.bundles[j]);
				goto end;
			}
	size_t n_colls = strv_len(p.collections);
	colls = xcalloc(n_colls + 1, sizeof *colls);
	for (size_t i = 0; i < n_colls; i++)
		if (lib_collection_read(p.collections[i], &colls[i], &err) != 0) {
			rc = cli_fail_err(c, &err);
			goto end;
		}

	if ((rc = cli_open(c, &lib)))
		goto end;
	if (cli_limits(lib, &lim, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	if (p.settings && (rc = check_show_image(c, p.settings, &lim)))
		goto end;
	store = path_join(lib_dir(lib), "store");
	list_store(store, &store_before);
	if (lib_begin(lib, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	began = true;
	for (size_t i = 0; i < n_bundles && !rc; i++) {
		bool changed = false;
		rc = take_bundle(c, lib, &lim, stories[i], p.bundles[i], &changed, &report);
		n_changed += changed;
	}
	for (size_t i = 0; i < n_colls && !rc; i++) {
		bool changed = false;
		if (lib_collection_import(lib, colls[i], &changed, &err) != 0)
			rc = cli_fail(c, "%s: %s", p.collections[i], err.msg);
		n_coll_changed += changed;
	}
	/* the settings file is taken last: it is the one write outside the catalogue */
	if (!rc && p.settings && lib_settings_import(lib, p.settings, &err) != 0)
		rc = cli_fail_err(c, &err);
	if (!rc && lib_commit(lib, &err) != 0)
		rc = cli_fail_err(c, &err);
	if (rc) {
		lib_rollback(lib);
		undo_store(store, store_before);
		fprintf(stderr, "hearth: import: nothing was imported; the library is unchanged\n");
		goto end;
	}
	began = false;
	fputs(buf_cstr(&report), stdout);
	printf("imported %zu stor%s (%zu new or changed, %zu unchanged)", n_bundles,
	       n_bundles == 1 ? "y" : "ies", n_changed, n_bundles - n_changed);
	if (n_colls)
		printf(", %zu collection%s (%zu changed)", n_colls, n_colls == 1 ? "" : "s",
		       n_coll_changed);
	if (p.settings)
		printf(", settings from %s", p.settings);
	printf("\n");
end:
	if (began)
		lib_rollback(lib);
	for (size_t i = 0; stories && i < n_bundles; i++)
		lib_story_free(&stories[i]);
	free(stories);
	for (size_t i = 0; colls && colls[i]; i++)
		lib_collection_free(&colls[i]);
	free(colls);
	strv_free(p.bundles);
	strv_free(p.collections);
	free(p.settings);
	strv_free(store_before);
	free(store);
	free(ops);
	buf_release(&report);
	lib_close(&lib);
	return rc;
}
