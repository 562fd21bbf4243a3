/*
 * erase.c - erasing a withdrawn story: the last step of a contributor's
 * right to withdraw. The story's rows stay (its slug and GUID, so that a
 * feed reader is never handed the same identity for something else, and
 * its history), but every personal field is cleared: the title becomes
 * "(erased)", the summary, body, terms and chapters go, the contributor's
 * name, pseudonym and contact, the consent and review notes, and the
 * assets (whose filenames are the contributor's own), any pending revision
 * and the messages between editors and the storyteller. Feedback is not
 * tied to a story and stays. The audit rows of
 * the story keep who did what and when, but no details, which may quote
 * notes and reasons; one row "erase" says that it happened.
 *
 * The originals the assets named are deleted by the store's sweep (see
 * store.c), once no other asset refers to them, and their renditions by
 * media/ (media_erase does both). Which originals are a story's own,
 * for those renditions, is lib_store_story_objects below.
 */
#include "libraryInt.h"

#include <stdlib.h>
#include <string.h>

int lib_story_erase(hearth_lib *lib, const char *slug, struct hearth_err *err)
{
	enum lib_status status;
	int64_t id = 0, now = hearth_now();
	int rc;

	/*
	 * What is cleared is overwritten, not only unlinked: SQLite zeroes the
	 * space deleted content leaves in the catalogue's pages (Debian builds
	 * it so by default; said here so that no other build of SQLite keeps
	 * an erased story's words in free space).
	 */
	if ((rc = lib_db_exec(lib, err, "PRAGMA secure_delete = ON", "")))
		return rc;
	if ((rc = lib_begin(lib, err)))
		return rc;
	if ((rc = lib_story_find(lib, slug, &id, &status, err)))
		goto end;
	if (status != ST_WITHDRAWN) {
		rc = herr(err, HEARTH_ESTATE,
			  "story '%s' is %s; only a withdrawn story can be erased (withdraw it "
			  "first)",
			  slug, lib_status_name(status));
		goto end;
	}
	if ((rc = lib_db_exec(lib, err, "DELETE FROM assets WHERE story_id = ?1", "I", id)) ||
	    (rc = lib_db_exec(lib, err, "DELETE FROM chapters WHERE story_id = ?1", "I", id)) ||
	    (rc = lib_db_exec(lib, err, "DELETE FROM story_terms WHERE story_id = ?1", "I", id)) ||
	    (rc = lib_db_exec(lib, err, "DELETE FROM revisions WHERE story_id = ?1", "I", id)) ||
	    (rc = lib_db_exec(lib, err, "DELETE FROM messages WHERE story_id = ?1", "I", id)) ||
	    (rc = lib_db_exec(lib, err,
			      "UPDATE people SET name = NULL, pseudonym = NULL, "
			      "attribution = 'anonymous', contact = NULL WHERE id = "
			      "(SELECT person_id FROM stories WHERE id = ?1)",
			      "I", id)) ||
	    (rc = lib_db_exec(lib, err,
			      "UPDATE consent SET site = 0, podcast = 0, recorded_by = NULL, "
			      "note = NULL WHERE story_id = ?1",
			      "I", id)) ||
	    (rc = lib_db_exec(lib, err,
			      "UPDATE stories SET title = '(erased)', summary = NULL, body = '', "
			      "review_note = NULL, license = NULL, season = NULL, episode = NULL, "
			      "source_hash = NULL, updated_at = ?1 WHERE id = ?2",
			      "II", now, id)) ||
	    (rc = lib_db_exec(lib, err, "UPDATE audit SET detail = NULL WHERE story_id = ?1", "I",
			      id)))
		goto end;
	rc = lib_audit_add(lib, id, "erase",
			   "originals, renditions and personal fields erased", err);
end:
	rc = lib_end(lib, rc, err);
	/*
	 * The erased words are still in hearth.db's pages as they were, and
	 * perhaps in older copies in the write-ahead log, until a checkpoint;
	 * closing the last connection makes one, but another may be open (a
	 * build, serve): made now.
	 */
	if (!rc)
		lib_db_checkpoint(lib);
	return rc;
}

/* ---- a story's objects ------------------------------------------------- */

int lib_store_story_objects(hearth_lib *lib, const char *slug, bool only_its_own,
			    char ***out, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int rc;

	*out = NULL;
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	if ((rc = lib_story_find(lib, slug, &id, NULL, err)))
		goto end;
	rc = lib_db_prepare(lib, err, &st,
			    "SELECT DISTINCT a.sha256 FROM assets a WHERE a.story_id = ?1 "
			    "AND (?2 = 0 OR NOT EXISTS (SELECT 1 FROM assets b WHERE "
			    "b.sha256 = a.sha256 AND b.story_id <> a.story_id)) ORDER BY a.sha256",
			    "Ib", id, (int)only_its_own);
	if (rc)
		goto end;
	while ((rc = lib_db_step(lib, st, err)) == 1) {
		const char *h = (const char *)sqlite3_column_text(st, 0);
		*out = strv_push(*out, h ? h : "");
	}
end:
	sqlite3_finalize(st);
	if ((rc = lib_end(lib, rc, err))) {
		strv_free(*out);
		*out = NULL;
	}
	return rc;
}
