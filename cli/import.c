/*
 * import.c - `hearth import PATH...`: story bundles, collections and
 * settings into the library, all or nothing. This file works out what each
 * PATH holds (a content folder, a stories/ folder, one bundle, a
 * collection file, a settings file); media_import does the rest, by the
 * same rules as every other way in, and the store is swept after it.
 *
 * Compiled twice (LEAN_TWICE in the Makefile). In the lean hearth, an
 * import of text is finished here, without FFmpeg: the bundles that
 * changed since the last import saw them (lib_bundles_unchanged: stat()
 * only) are read and checked, and when none of them names a file (a
 * recording, music, art, a transcript: media/'s intake) there is nothing
 * to store, only records to write, which is library work, done as
 * media_import does it. A settings file that names a podcast image is
 * taken here when media/ checked that image before (its memo,
 * media_show_image_lookup). Anything else (a bundle with files, two
 * bundles of one slug, an image not checked yet) goes to hearth-media,
 * which reads again from the start.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "../pipeline/pipeline.h" /* site_programs_salt */
#ifdef HEARTH_LEAN
#include "../media/media.h" /* media_show_image_lookup: the memo, without FFmpeg */
#else
#include "../media/intake.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		/* b/story.md is there only when b is a folder: one stat, not two */
		if (path_exists(md)) {
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

/* What an import did, as media_import reports it. */
struct done {
	size_t n_stories, n_changed, n_collections, n_coll_changed;
	struct buf report;
	char **notes; /* strv */
};

/* The notes of an import, as they come: before what it did or why it failed. */
static void say_notes(char *const *notes)
{
	for (size_t i = 0; notes && notes[i]; i++)
		fprintf(stderr, "hearth: import: note: %s\n", notes[i]);
}

static void say_imported(const struct plan *p, const struct done *d)
{
	fputs(buf_cstr(&d->report), stdout);
	printf("imported %zu stor%s (%zu new or changed, %zu unchanged)", d->n_stories,
	       d->n_stories == 1 ? "y" : "ies", d->n_changed, d->n_stories - d->n_changed);
	if (d->n_collections)
		printf(", %zu collection%s (%zu changed)", d->n_collections,
		       d->n_collections == 1 ? "" : "s", d->n_coll_changed);
	if (p->settings)
		printf(", settings from %s", p->settings);
	printf("\n");
}

/* Frees what plan_path gathered. */
static void plan_release(struct plan *p)
{
	strv_free(p->bundles);
	strv_free(p->collections);
	free(p->settings);
}

/*
 * What both sides of import do first: the options, the paths planned and
 * the library opened. Nonzero (an exit status) when that went wrong;
 * *helped when --help was asked and answered.
 */
static int start(struct cli *c, int argc, char **argv, struct plan *p, hearth_lib **lib,
		 bool *helped)
{
	const char **ops = NULL;
	size_t n_ops = 0;
	int rc = cli_parse(c, argc, argv, NULL, &ops, &n_ops, helped);

	if (!rc && !*helped && !n_ops)
		rc = cli_usage(c, "expected a content folder, a story bundle or a collection file");
	for (size_t i = 0; !rc && !*helped && i < n_ops; i++)
		rc = plan_path(c, p, ops[i]);
	if (!rc && !*helped)
		rc = cli_open(c, lib);
	free(ops);
	return rc;
}

#ifdef HEARTH_LEAN
static int by_base(const void *pa, const void *pb)
{
	return strcmp(path_base(*(char *const *)pa), path_base(*(char *const *)pb));
}

/*
 * Whether the podcast image the settings file yaml names (if any) is one
 * hearth-media's check passed before, under the programs it would run
 * with: its note, if any, onto *notes.
 */
static bool show_image_known(hearth_lib *lib, const char *yaml, const struct lib_settings *set,
			     char ***notes)
{
	char *media = cli_media_path(), salt[65];
	if (!media)
		return false; /* hearth-media is missing: exec says so */
	site_programs_salt(media, salt);
	free(media);
	return media_show_image_lookup(lib, salt, yaml, set, notes) == 0;
}

/*
 * After an import, as media_import ends one: the objects nobody refers to
 * any more (a re-imported story may have dropped its files) leave the
 * store, with their renditions, unless another hearth holds the store.
 */
static void sweep_store(hearth_lib *lib)
{
	struct hearth_err ignored = {0};
	struct lib_store_lock *l = NULL;
	char **removed = NULL;

	if (lib_store_lock(lib, LIB_LOCK_EXCLUSIVE, false, &l, &ignored) == 0 && l &&
	    lib_store_sweep(lib, l, &removed, NULL, &ignored) == 0)
		lib_cache_purge(lib, removed, NULL, &ignored);
	lib_store_unlock(&l);
	strv_free(removed);
}

/*
 * The bundles to read, shared by the threads that read them: each takes
 * the next from a cursor. The first bundle, in their order, that cannot
 * be read or that names a file decides the result, as reading them one
 * by one would: a thread stops at its first such bundle and lowers the
 * stop to it, and no thread reads a bundle past the stop.
 */
struct bundles_read {
	char *const *dirs;
	size_t n;
	size_t next, stop;       /* atomic */
	const struct lib_settings *set;
	struct lib_story **stories;
};

/* One thread's part: where it stopped (n: nowhere) and why. */
struct bundles_part {
	struct bundles_read *all;
	size_t at;
	int rc;                  /* an error, or 0 for a bundle that names a file */
	struct hearth_err err;
};

static void *read_bundles_part(void *arg)
{
	struct bundles_part *p = arg;
	struct bundles_read *a = p->all;

	p->at = a->n;
	for (;;) {
		size_t i = __atomic_fetch_add(&a->next, 1, __ATOMIC_RELAXED);
		if (i >= __atomic_load_n(&a->stop, __ATOMIC_ACQUIRE))
			return NULL;
		p->rc = lib_bundle_read(a->dirs[i], a->set, &a->stories[i], &p->err);
		if (!p->rc && !a->stories[i]->n_assets)
			continue;
		p->at = i;
		size_t stop = __atomic_load_n(&a->stop, __ATOMIC_RELAXED);
		while (i < stop && !__atomic_compare_exchange_n(&a->stop, &stop, i, false,
								__ATOMIC_RELEASE, __ATOMIC_RELAXED))
			;
		return NULL;
	}
}

/* Bundles at which a second thread pays for itself. */
#define READ_PAIR_MIN 64

/*
 * The changed bundles, read as media_import reads them, into stories (a
 * new array), on two threads when they are many. 1 when every one is
 * text alone, 0 when one names a file (hearth-media takes those in), or
 * an error, the one hearth-media would give.
 */
static int read_text_bundles(char *const *dirs, size_t n, const struct lib_settings *set,
			     struct lib_story ***stories, struct hearth_err *err)
{
	struct bundles_read a = {.dirs = dirs, .n = n, .stop = n, .set = set};
	struct bundles_part one = {.all = &a}, two = {.all = &a};

	a.stories = *stories = xcalloc(n + 1, sizeof **stories);
	run_pair(read_bundles_part, &one, &two, n >= READ_PAIR_MIN);
	const struct bundles_part *first = two.at < one.at ? &two : &one;
	if (first->at == n)
		return 1;
	if (first->rc)
		*err = first->err;
	return first->rc;
}

/*
 * An import of text: the bundles that changed (none of which names a
 * file), the collections and the settings file, recorded in one
 * transaction as media_import records them, after everything was read
 * and checked. 1 when done (d filled), 0 when hearth-media must do it,
 * or an error.
 */
static int import_text(hearth_lib *lib, const struct plan *p, struct done *d,
		       struct hearth_err *err)
{
	struct lib_settings set;
	struct lib_collection **colls = NULL;
	struct lib_story **stories = NULL;
	size_t nb = strv_len(p->bundles), nc = strv_len(p->collections), nt = 0;
	char **sorted = xcalloc(nb + 1, sizeof *sorted), **full = NULL, *cwd = NULL;
	char **todo = xcalloc(nb + 1, sizeof *todo), **todo_full = xcalloc(nb + 1, sizeof *todo);
	bool *same = xcalloc(nb + 1, sizeof *same);
	int rc;

	memset(&set, 0, sizeof set);
	memset(d, 0, sizeof *d);
	d->n_stories = nb;
	d->n_collections = nc;
	if (lib_settings_load(lib, &set, err) != 0 ||
	    (p->settings && !show_image_known(lib, p->settings, &set, &d->notes))) {
		rc = 0;
		goto end;
	}
	/* two bundles of one slug: hearth-media names them */
	if (nb)
		memcpy(sorted, p->bundles, nb * sizeof *sorted);
	qsort(sorted, nb, sizeof *sorted, by_base);
	for (size_t i = 0; i + 1 < nb; i++)
		if (!strcmp(path_base(sorted[i]), path_base(sorted[i + 1]))) {
			rc = 0;
			goto end;
		}
	/* full paths, as the record names them: the folder is asked for once */
	if (!(cwd = getcwd(NULL, 0))) {
		rc = 0;
		goto end;
	}
	full = xcalloc(nb + 1, sizeof *full);
	for (size_t i = 0; i < nb; i++)
		full[i] = p->bundles[i][0] == '/' ? xstrdup(p->bundles[i])
						  : path_join(cwd, p->bundles[i]);
	if (lib_bundles_unchanged(lib, full, nb, &set, same, err) != 0) {
		rc = 0;
		goto end;
	}
	/* the bundles to read, named as given (messages name them so) */
	for (size_t i = 0; i < nb; i++)
		if (!same[i]) {
			todo[nt] = p->bundles[i];
			todo_full[nt++] = full[i];
		}
	if ((rc = read_text_bundles(todo, nt, &set, &stories, err)) != 1)
		goto end;
	colls = xcalloc(nc + 1, sizeof *colls);
	for (size_t i = 0; i < nc; i++)
		if ((rc = lib_collection_read(p->collections[i], &set, &colls[i], err)))
			goto end;
	if ((rc = lib_import_record(lib, todo_full, stories, nt, p->collections, colls, nc,
				    p->settings, &set, &d->report, &d->n_changed,
				    &d->n_coll_changed, err)) == 0)
		rc = 1;
	if (nt)
		sweep_store(lib);
end:
	for (size_t i = 0; stories && i < nt; i++)
		lib_story_free(&stories[i]);
	free(stories);
	for (size_t i = 0; colls && i < nc; i++)
		lib_collection_free(&colls[i]);
	free(colls);
	free(sorted);
	free(todo);
	free(todo_full);
	strv_free(full);
	free(cwd);
	free(same);
	lib_settings_release(&set);
	return rc;
}

int cmd_import(struct cli *c, int argc, char **argv)
{
	struct plan p = {0};
	struct hearth_err err = {0};
	struct done d = {0};
	hearth_lib *lib = NULL;
	bool helped;
	int rc = start(c, argc, argv, &p, &lib, &helped);

	if (rc || helped)
		goto end;
	rc = import_text(lib, &p, &d, &err);
	if (rc != 0)
		say_notes(d.notes);
	if (rc < 0) {
		rc = cli_fail_err(c, &err);
		fprintf(stderr, "hearth: import: nothing was imported; the library is unchanged\n");
	} else if (rc == 1) {
		say_imported(&p, &d);
		rc = EXIT_OK;
	} else {
		lib_close(&lib);
		buf_release(&d.report);
		strv_free(d.notes);
		d.notes = NULL;
		rc = cli_exec_media(c, c->argv);
	}
end:
	buf_release(&d.report);
	strv_free(d.notes);
	plan_release(&p);
	lib_close(&lib);
	return rc;
}
#else
int cmd_import(struct cli *c, int argc, char **argv)
{
	struct plan p = {0};
	struct hearth_err err = {0};
	struct media_import im = {0};
	hearth_lib *lib = NULL;
	bool helped;
	int rc = start(c, argc, argv, &p, &lib, &helped);

	if (rc || helped)
		goto end;
	im.bundles = p.bundles;
	im.collections = p.collections;
	im.settings = p.settings;
	char salt[65];
	site_programs_salt(NULL, salt);
	im.salt = salt; /* its image's check remembered, for the lean hearth's next import */
	rc = media_import(lib, &im, &err);
	say_notes(im.notes);
	if (rc) {
		rc = cli_fail_err(c, &err);
		fprintf(stderr, "hearth: import: nothing was imported; the library is unchanged\n");
		goto end;
	}
	struct done d = {im.n_stories, im.n_changed, im.n_collections, im.n_coll_changed,
			 im.report, NULL};
	say_imported(&p, &d);
end:
	media_import_release(&im);
	plan_release(&p);
	lib_close(&lib);
	return rc;
}
#endif
