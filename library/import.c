/*
 * import.c - the import's one write transaction, the same for every import
 * whichever program runs it (the lean hearth's import of text, media/'s
 * import of everything): the stories already read and taken in, what was
 * seen of their bundles, the collections, then the settings file. It sits
 * above the files whose calls it strings together (story.c, bundle.c,
 * collection.c, settings.c), and none of them calls it.
 */
#include "libraryInt.h"

int lib_import_record(hearth_lib *lib, char *const *bundles, struct lib_story *const *stories,
		      size_t nb, char *const *coll_paths, struct lib_collection *const *colls,
		      size_t nc, const char *settings_path, const struct lib_settings *set,
		      struct buf *report, size_t *n_changed, size_t *n_coll_changed,
		      struct hearth_err *err)
{
	int rc = lib_begin(lib, err);

	*n_changed = *n_coll_changed = 0;
	if (rc)
		return rc;
	for (size_t i = 0; i < nb && !rc; i++) {
		bool changed = false;
		rc = lib_story_import(lib, stories[i], &changed, report, err);
		*n_changed += changed;
	}
	if (!rc)
		rc = lib_bundles_seen(lib, bundles, stories, nb, set, err);
	for (size_t i = 0; i < nc && !rc; i++) {
		bool changed = false;
		if ((rc = lib_collection_import(lib, colls[i], &changed, err)))
			herr_prefix(err, "%s", coll_paths[i]);
		*n_coll_changed += changed;
	}
	/* the settings file is taken last: it is the one write outside the catalogue */
	if (!rc && settings_path)
		rc = lib_settings_import(lib, settings_path, err);
	if ((rc = lib_end(lib, rc, err))) {
		*n_changed = *n_coll_changed = 0;
		buf_release(report);
	}
	return rc;
}
