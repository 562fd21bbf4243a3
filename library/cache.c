/*
 * cache.c - dropping cached renditions by the hash of the original they
 * were made from, in plain file terms, so that a withdrawal can take a
 * story's renditions out of cache/ at once without the media libraries
 * (the lean hearth runs `withdraw`; media/purge.c calls the same code for
 * gc and erase).
 *
 * Every cache entry made from a source lives in cache/<ab>/ with a name
 * that starts with the source's SHA-256 and a dash (media/render.c names
 * them so: the renditions and the loudness measurements beside them), so
 * all that came from one source is found by its hash alone.
 */
#define _GNU_SOURCE
#include "libraryInt.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int lib_cache_purge(hearth_lib *lib, char *const *hashes, size_t *n_removed,
		    struct hearth_err *err)
{
	char *cache = path_join(lib_dir(lib), "cache");
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; hashes && hashes[i] && !rc; i++) {
		if (!sha256_is_hex(hashes[i])) {
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

int lib_cache_purge_story(hearth_lib *lib, const char *slug, size_t *n_removed,
			  struct hearth_err *err)
{
	char **own = NULL;
	int rc = lib_store_story_objects(lib, slug, true, &own, err);
	if (n_removed)
		*n_removed = 0;
	if (!rc)
		rc = lib_cache_purge(lib, own, n_removed, err);
	strv_free(own);
	return rc;
}
