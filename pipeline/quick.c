/*
 * quick.c - a build with nothing to do, decided without the public view.
 *
 * A full build (build.c) finds that nothing changed by reading both public
 * views, with every body, and comparing the key of everything it read with
 * the one the current site was made from. That is most of a second on a
 * large library, plus loading FFmpeg to get there. The quick record the
 * full build leaves in its state (state.c) says the same thing more
 * cheaply: the site was made from the catalogue at generation G (every
 * committed change raises it), from settings, theme, program, cover and
 * options whose key is K, and no story held until its date comes due
 * before T. When the catalogue is still at G, K is unchanged, the clock
 * is before T, the build was clean and every file of the site is as it
 * was made, a build would make nothing: site_build_quick says so. It
 * runs in the lean hearth (no FFmpeg, no libxslt), under the build lock,
 * and writes nothing. Any doubt is "cannot tell", and the full build
 * decides.
 *
 * The full build's key (pipe_quick_key) is computed here too, so both
 * sides hash the same fields the same way.
 */
#define _GNU_SOURCE
#include "pipelineInt.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

void pipe_quick_key(const struct pipe_quick_in *q, char out[65])
{
	struct sha256 h;
	sha256_init(&h);
	key_str(&h, "hearth quick 1");
	{
		/* the program by its identity: the two sides name it differently */
		char id[65];
		key_rendition(q->program, id);
		key_str(&h, id);
	}
	key_settings(&h, q->set, true);
	key_str(&h, q->base_url_opt);
	key_str(&h, q->out_dir);
	key_tree(&h, q->theme_dir);
	key_tree(&h, q->def_theme);
	key_file_id(&h, q->cover_path);
	key_int(&h, hearth_source_date_epoch());
	key_hex(&h, out);
}

/* A copy of s without trailing slashes, as build.c names the output. */
static char *strip_slashes(const char *s)
{
	char *r = xstrdup(s);
	size_t n = strlen(r);
	while (n > 1 && r[n - 1] == '/')
		r[--n] = '\0';
	return r;
}

static char *theme_if_there(char *dir)
{
	char *xsl = path_join(dir, "page.xsl");
	bool ok = path_is_file(xsl);
	free(xsl);
	if (ok)
		return dir;
	free(dir);
	return NULL;
}

/*
 * The default theme as site_default_theme finds it when run by program:
 * $HEARTH_THEME_DIR, else beside the program, else under the prefix it is
 * installed in, else the data folder. Should the two ever disagree, the
 * key differs from the recorded one and the full build decides: never a
 * wrong answer, only a slower one.
 */
static char *default_theme(const char *program)
{
	const char *env = getenv("HEARTH_THEME_DIR");
	char *dir = NULL, *exe;

	if (env && *env)
		return xstrdup(env);
	if ((exe = realpath(program, NULL))) {
		char *bin = path_dir(exe);
		dir = theme_if_there(path_join(bin, "themes/default"));
		if (!dir)
			dir = theme_if_there(path_join(bin, "../share/hearth/themes/default"));
		free(bin);
		free(exe);
		if (dir)
			return dir;
	}
	return theme_if_there(xstrdup(HEARTH_DATADIR "/themes/default"));
}

/* True when a killed build left a staging folder beside out_dir (tidy's work). */
static bool leftovers(const char *out_dir)
{
	char *parent = path_dir(out_dir);
	char *fresh = xasprintf(".%s.new-", path_base(out_dir));
	char *old = xasprintf(".%s.old-", path_base(out_dir));
	DIR *d = opendir(parent);
	bool found = d == NULL;
	struct dirent *e;

	while (d && !found && (e = readdir(d)))
		found = str_starts(e->d_name, fresh) || str_starts(e->d_name, old);
	if (d)
		closedir(d);
	free(parent);
	free(fresh);
	free(old);
	return found;
}

/* The checks, under the build lock; 1: nothing to do, 0: cannot tell. */
static int check(hearth_lib *lib, const struct site_opts *opts, const char *program,
		 const char *out_dir, struct pipe_state *s, struct hearth_err *err)
{
	struct lib_settings set;
	struct hearth_err ignored;
	char *theme_dir = NULL, *def_theme = NULL, *cover = NULL;
	char key[65];
	int64_t gen = 0;
	int rc = 0;

	memset(&set, 0, sizeof set);
	if (leftovers(out_dir) || site_out_check(out_dir, &ignored) != 0)
		goto end;
	/* a change committed before this read is seen; one after it is after the build */
	if ((rc = lib_generation(lib, &gen, err)))
		goto end;
	pipe_state_load(out_dir, s);
	if (!s->n || !s->clean || !s->has_quick || s->generation != gen ||
	    (s->next_due >= 0 && hearth_now() >= s->next_due))
		goto end;
	if (lib_settings_load(lib, &set, &ignored) != 0)
		goto end;
	theme_dir = opts->theme_dir ? xstrdup(opts->theme_dir) : default_theme(program);
	def_theme = default_theme(program);
	if (!theme_dir)
		goto end;
	if (set.image && *set.image) {
		if (!path_is_safe_rel(set.image))
			goto end;
		cover = path_join(lib_dir(lib), set.image);
	}
	struct pipe_quick_in q = {
		.program = program,
		.set = &set,
		.base_url_opt = opts->base_url,
		.out_dir = out_dir,
		.theme_dir = theme_dir,
		.def_theme = def_theme,
		.cover_path = cover,
	};
	pipe_quick_key(&q, key);
	if (strcmp(key, s->quick) == 0 && pipe_state_intact(s))
		rc = 1;
end:
	lib_settings_release(&set);
	free(theme_dir);
	free(def_theme);
	free(cover);
	return rc;
}

int site_build_quick(hearth_lib *lib, const struct site_opts *opts, const char *program,
		     struct site_stats *stats, struct hearth_err *err)
{
	struct pipe_state s = {0};
	lib_build_lock *lock = NULL;
	char *out_dir = opts->out_dir ? strip_slashes(opts->out_dir)
				      : path_join(lib_dir(lib), "public");
	int rc;

	/* as a build does: a build under way finishes first, and none starts meanwhile */
	if ((rc = lib_build_lock_take(lib, !opts->no_wait, opts->waiting, opts->waiting_arg,
				      &lock, err)))
		goto end;
	rc = check(lib, opts, program, out_dir, &s, err);
	if (rc == 1 && stats) {
		memset(stats, 0, sizeof *stats);
		stats->stories = s.stories;
		stats->collections = s.collections;
		stats->feed_items = s.feed_items;
		stats->media_cached = s.media;
		stats->rounds = 1;
	}
end:
	lib_build_unlock(&lock);
	pipe_state_release(&s);
	free(out_dir);
	return rc;
}
