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
 * is before T, the build was clean and left no patch unfinished, and the
 * renditions the site copied are still in the cache as they were, a build
 * would make nothing: site_build_quick says so (the site's files are the
 * build's own, taken as made: state.c). It
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
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
	key_str(&h, q->themes);
	key_file_id(&h, q->cover_path);
	key_int(&h, hearth_source_date_epoch());
	key_hex(&h, out);
}

/*
 * True when the folder name in parent (".<base>.gone-*") has no remover
 * holding its lock: the remover was killed, and tidying (a full build's)
 * removes it.
 */
static bool gone_unheld(const char *parent, const char *name)
{
	char *p = path_join(parent, name);
	int fd = site_gone_lock(p);
	free(p);
	if (fd < 0)
		return false;
	close(fd); /* and with it the lock */
	return true;
}

/*
 * True when a killed build left a staging folder beside out_dir, or a
 * killed remover an old site (tidy's work).
 */
static bool leftovers(const char *out_dir)
{
	char *parent = path_dir(out_dir);
	char *fresh = xasprintf(".%s.new-", path_base(out_dir));
	char *old = xasprintf(".%s.old-", path_base(out_dir));
	char *gone = xasprintf(".%s.gone-", path_base(out_dir));
	DIR *d = opendir(parent);
	bool found = d == NULL;
	struct dirent *e;

	while (d && !found && (e = readdir(d)))
		found = str_starts(e->d_name, fresh) || str_starts(e->d_name, old) ||
			(str_starts(e->d_name, gone) && gone_unheld(parent, e->d_name));
	if (d)
		closedir(d);
	free(parent);
	free(fresh);
	free(old);
	free(gone);
	return found;
}

/*
 * The build state read for the quick question alone, in one pass and
 * without a copy of any line: pipe_state_load keeps every file (a string and a record each) for a build to look up,
 * which on a large site costs as much as looking at the files. The file
 * is mapped, not read: on a large site it is megabytes, and memory the
 * process has not touched before costs more to fill than the page cache
 * costs to map. Nothing writes into the mapping; a rendition's path is
 * copied out to be looked at. The format is state.c's; anything this
 * reader does not know, a line it cannot parse or another first line, is
 * "cannot tell", and the full build (which reads the state with
 * pipe_state_load) decides.
 */
#define QUICK_STATE_HEAD "hearth build state 2\n"

struct quick_state {
	const char *map;        /* the state file, mapped read-only, or NULL */
	size_t map_len;
	uint64_t dev, ino;
	bool clean, has_quick;
	char quick[65];
	int64_t generation, next_due;
	size_t stories, collections, feed_items, media;
	const char *files;      /* the file lines, to the end of the text */
	size_t files_len;
};

static void quick_state_release(struct quick_state *q)
{
	if (q->map)
		munmap((void *)q->map, q->map_len);
	q->map = NULL;
}

/* Maps the state file at path into q; false when it cannot be (or is empty). */
static bool quick_state_map(const char *path, struct quick_state *q)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	void *m;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return false;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return false;
	q->map = m;
	q->map_len = (size_t)st.st_size;
	return true;
}

/* The lines before the files, as pipe_state_load reads them; false: cannot tell. */
static bool quick_state_head(const char *out_dir, struct quick_state *q)
{
	char *p = pipe_state_path(out_dir);
	struct stat st;
	bool ok = false;
	int clean = 0;

	if (stat(out_dir, &st) != 0 || !S_ISDIR(st.st_mode) || !quick_state_map(p, q))
		goto end;
	/*
	 * Only the head is read here: a build the catalogue's generation sends
	 * on touches nothing more of a file of megabytes, whose every page
	 * costs a fault. The text ends at a NUL, as pipe_state_load reads it
	 * (a string): a head line with one in it is "cannot tell", and the
	 * file lines are cut at the first (quick_intact).
	 */
	const char *end = q->map + q->map_len;
	const char *line = q->map, *next;
	size_t head = strlen(QUICK_STATE_HEAD);
	if ((size_t)(end - line) < head || memcmp(line, QUICK_STATE_HEAD, head) != 0)
		goto end;
	line += head;
	for (int k = 0; k < 5; k++, line = next) {
		char l[256];
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl || (size_t)(nl - line) >= sizeof l || memchr(line, '\0', (size_t)(nl - line)))
			goto end;
		memcpy(l, line, (size_t)(nl - line));
		l[nl - line] = '\0';
		next = nl + 1;
		if ((k == 0 && sscanf(l, "dir %" SCNu64 " %" SCNu64, &q->dev, &q->ino) != 2) ||
		    (k == 2 && sscanf(l, "clean %d", &clean) != 1) ||
		    (k == 3 && sscanf(l, "counts %zu %zu %zu %zu", &q->stories,
				      &q->collections, &q->feed_items, &q->media) != 4) ||
		    (k == 4 && sscanf(l, "quick %64s %" SCNd64 " %" SCNd64, q->quick,
				      &q->generation, &q->next_due) != 3))
			goto end;
		if (k == 1 && (!str_starts(l, "inputs ") || strlen(l) != 7 + 64))
			goto end;
	}
	q->has_quick = strlen(q->quick) == 64;
	q->clean = clean == 1;
	q->files = line;
	q->files_len = (size_t)(end - line);
	/* the state of another folder (a build killed before its swap) is no use */
	ok = q->dev == (uint64_t)st.st_dev && q->ino == (uint64_t)st.st_ino && q->files_len > 0;
end:
	free(p);
	return ok;
}

static bool is_hex64(const char *s)
{
	unsigned bad = 0;
	for (int i = 0; i < 64; i++) {
		unsigned c = (unsigned char)s[i];
		bad |= (c - '0' > 9u) & (c - 'a' > 5u);
	}
	return !bad;
}

/*
 * The decimal number at *p (with neg, perhaps negative) and the one space
 * after it, as state.c writes them; false when none or out of range.
 */
static bool quick_num(const char **p, bool neg, int64_t *out)
{
	const char *s = *p;
	bool minus = neg && *s == '-';
	uint64_t v = 0, d;
	int n = 0;

	s += minus;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		d = (uint64_t)(*s - '0');
		/* nineteen digits always fit; the twentieth may not */
		if (n == 20 || (n == 19 && v > (UINT64_MAX - d) / 10))
			return false;
		v = v * 10 + d;
	}
	if (*s != ' ' || (neg && v > (uint64_t)INT64_MAX + minus))
		return false;
	*out = minus ? (int64_t)(0 - v) : (int64_t)v;
	*p = s + 1;
	return true;
}

/* The text from s to e as a string in out (cap bytes); false when too long. */
static bool copy_out(const char *s, const char *e, char *out, size_t cap)
{
	size_t n = (size_t)(e - s);
	if (n >= cap || memchr(s, '\0', n))
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/*
 * True when every file line of the state reads as state.c writes it, and
 * the rendition each copy was placed from is still in the cache, the
 * same. The site's files themselves are the build's own, trusted as made
 * (state.c): `hearth build --verify`, which this program leaves to
 * hearth-site, looks at them.
 */
static bool quick_intact(const struct quick_state *q)
{
	const char *prev_key = NULL; /* the last file line's key, while it has no "from" */
	const char *line = q->files, *nl;
	const char *nul = memchr(q->files, '\0', q->files_len);
	const char *end = nul ? nul : q->files + q->files_len;

	if (end == q->files)
		return false; /* no file: pipe_state_load would find none */
	char key[65], rel[PATH_MAX];

	for (; line < end; line = nl + 1) {
		if (!(nl = memchr(line, '\n', (size_t)(end - line))))
			return false;
		if ((size_t)(nl - line) >= 5 && !memcmp(line, "from ", 5)) {
			if (!prev_key || !copy_out(line + 5, nl, rel, sizeof rel))
				return false;
			key_rendition(rel, key);
			if (memcmp(key, prev_key, 64) != 0)
				return false;
			prev_key = NULL;
			continue;
		}
		/* "key ino size sec nsec rel" */
		const char *p = line + 65;
		int64_t ino, size, sec, nsec;
		if ((size_t)(nl - line) < 66 || line[64] != ' ' || !is_hex64(line) ||
		    !quick_num(&p, false, &ino) || !quick_num(&p, true, &size) ||
		    !quick_num(&p, true, &sec) || !quick_num(&p, true, &nsec) ||
		    !copy_out(p, nl, rel, sizeof rel) || !path_is_safe_rel(rel))
			return false;
		prev_key = line;
	}
	return true;
}

/* The checks, under the build lock; 1: nothing to do, 0: cannot tell. */
static int check(hearth_lib *lib, const struct site_opts *opts, const char *program,
		 const char *out_dir, struct quick_state *s, struct hearth_err *err)
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
	/* a patch that did not finish left its list (state.c): cannot tell */
	if (pipe_patch_list_left(out_dir) || !quick_state_head(out_dir, s) || !s->clean ||
	    !s->has_quick ||
	    s->generation != gen || (s->next_due >= 0 && hearth_now() >= s->next_due))
		goto end;
	if (lib_settings_load(lib, &set, &ignored) != 0)
		goto end;
	def_theme = path_default_theme(program);
	theme_dir = pipe_theme_dir(opts->theme_dir, &set, lib_dir(lib), def_theme);
	if (!theme_dir)
		goto end;
	if (set.image && *set.image) {
		if (!path_is_safe_rel(set.image))
			goto end;
		cover = path_join(lib_dir(lib), set.image);
	}
	char themes[65];
	key_themes(theme_dir, def_theme, themes);
	struct pipe_quick_in q = {
		.program = program,
		.set = &set,
		.base_url_opt = opts->base_url,
		.out_dir = out_dir,
		.themes = themes,
		.cover_path = cover,
	};
	pipe_quick_key(&q, key);
	if (strcmp(key, s->quick) == 0 && quick_intact(s))
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
	struct quick_state s = {0};
	lib_build_lock *lock = NULL;
	char *out_dir = opts->out_dir ? path_strip_slashes(opts->out_dir)
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
	quick_state_release(&s);
	free(out_dir);
	return rc;
}
