/*
 * purge.c - removing what came from originals that must go: the cached
 * renditions of a withdrawn story's originals, and, with the store's
 * sweep, the originals no asset refers to any more (`hearth gc`, run
 * after every import and build) and those of an erased story.
 *
 * Every cache entry made from a source lives in cache/<ab>/ with a name
 * that starts with the source's SHA-256 and a dash (see render.c: the
 * renditions, and the loudness measurements beside them), so all that
 * came from one source is found by its hash alone.
 */
#define _GNU_SOURCE
#include "mediaInt.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_sha256(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* Removes cache/<ab>/<sha>-* ; adds to *n. */
static int purge_one(const char *cache, const char *sha, size_t *n, struct hearth_err *err)
{
	char *dir = xasprintf("%s/%.2s", cache, sha);
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		if (errno != ENOENT)
			rc = herr(err, HEARTH_EIO, "cannot read '%s': %s", dir, strerror(errno));
		goto end;
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, sha, 64) || de->d_name[64] != '-')
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			(*n)++;
		else if (errno != ENOENT) {
			rc = herr(err, HEARTH_EIO, "cannot remove '%s/%s': %s", dir, de->d_name,
				  strerror(errno));
			break;
		}
	}
	closedir(d);
	rmdir(dir); /* only when it is empty now */
end:
	free(dir);
	return rc;
}

/*
 * Deletes every cache entry made from the sources with the given hashes
 * (a strv, borrowed; may be NULL): renditions and measurements alike.
 * *n_removed (may be NULL) counts the files.
 */
static int cache_purge(hearth_lib *lib, char *const *hashes, size_t *n_removed,
		       struct hearth_err *err)
{

	char *cache = path_join(lib_dir(lib), "cache");
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; hashes && hashes[i] && !rc; i++) {
		if (!is_sha256(hashes[i])) {
			rc = herr(err, HEARTH_EINVAL, "'%s' is not a SHA-256", hashes[i]);
			break;
		}
		rc = purge_one(cache, hashes[i], &n, err);
	}
	if (n_removed)
		*n_removed = n;
	free(cache);
	return rc;
}

int media_purge_story(hearth_lib *lib, const char *slug, size_t *n_removed,
		      struct hearth_err *err)
{
	char **own = NULL;
	int rc = lib_store_story_objects(lib, slug, true, &own, err);
	if (n_removed)
		*n_removed = 0;
	if (!rc)
		rc = cache_purge(lib, own, n_removed, err);
	strv_free(own);
	return rc;
}

int media_gc(hearth_lib *lib, bool wait, struct media_gc_stats *st, struct hearth_err *err)
{
	struct media_gc_stats s = {0};
	struct lib_store_lock *l = NULL;
	char **removed = NULL;
	int rc = lib_store_lock(lib, LIB_LOCK_EXCLUSIVE, wait, &l, err);

	if (rc)
		goto end;
	if (!l) {
		s.busy = true;
		goto end;
	}
	if ((rc = lib_store_sweep(lib, l, &removed, &s.temporary, err)))
		goto end;
	s.objects = strv_len(removed);
	/* under the lock still: nobody can store these again meanwhile */
	rc = cache_purge(lib, removed, &s.renditions, err);
end:
	lib_store_unlock(&l);
	strv_free(removed);
	if (st)
		*st = s;
	return rc;
}

int media_erase(hearth_lib *lib, const char *slug, struct media_gc_stats *st,
		struct hearth_err *err)
{
	char **own = NULL;
	size_t n = 0;
	int rc;

	if (st)
		memset(st, 0, sizeof *st);
	/* what only this story used, before its assets are gone */
	if ((rc = lib_store_story_objects(lib, slug, true, &own, err)))
		goto end;
	if ((rc = lib_story_erase(lib, slug, err)))
		goto end;
	if ((rc = media_gc(lib, true, st, err)))
		goto end;
	/* renditions made since the withdrawal, of objects the sweep kept */
	rc = cache_purge(lib, own, &n, err);
	if (st)
		st->renditions += n;
end:
	strv_free(own);
	return rc;
}
