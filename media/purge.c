/*
 * purge.c - removing what came from originals that must go: the cached
 * renditions of a withdrawn story's originals, and, with the store's
 * sweep, the originals no asset refers to any more (`hearth gc`, run
 * after every import and build) and those of an erased story.
 *
 * Every cache entry made from a source lives in cache/<ab>/ with a name
 * that starts with the source's SHA-256 and a dash (see render.c: the
 * renditions, and the loudness measurements beside them), so all that
 * came from one source is found by its hash alone; the deleting is
 * library/cache.c's (lib_cache_purge), which the lean hearth's withdraw
 * uses too.
 */
#define _GNU_SOURCE
#include "mediaInt.h"

#include <stdlib.h>
#include <string.h>

int media_purge_story(hearth_lib *lib, const char *slug, size_t *n_removed,
		      struct hearth_err *err)
{
	return lib_cache_purge_story(lib, slug, n_removed, err);
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
	rc = lib_cache_purge(lib, removed, &s.renditions, err);
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
	rc = lib_cache_purge(lib, own, &n, err);
	if (st)
		st->renditions += n;
end:
	strv_free(own);
	return rc;
}
