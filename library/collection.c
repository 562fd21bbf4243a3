/*
 * collection.c - curated, ordered lists of stories (a series, a theme, a
 * podcast season). Positions are kept dense, 0 to n-1, by every change, so
 * the order is simply the position. Changes are audited with no story.
 */
#include "libraryInt.h"

#include <stdlib.h>
#include <string.h>

void lib_collection_free(struct lib_collection **pc)
{
	struct lib_collection *c = pc ? *pc : NULL;
	if (!c)
		return;
	free(c->slug);
	free(c->title);
	free(c->description);
	strv_free(c->stories);
	free(c);
	*pc = NULL;
}

void lib_collection_list_free(struct lib_collection **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		lib_collection_free(&v[i]);
	free(v);
}

/*
 * Loads every collection (with its stories) that stmt selects: id, slug,
 * title, description, podcast, type.
 */
static int load_all(hearth_lib *lib, sqlite3_stmt *stmt, struct lib_collection ***out,
		    size_t *n, struct hearth_err *err)
{
	sqlite3_stmt *items = NULL;
	struct lib_collection **v = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = lib_db_prepare(lib, err, &items,
				 "SELECT s.slug FROM collection_items ci JOIN stories s ON "
				 "s.id = ci.story_id WHERE ci.collection_id = ?1 ORDER BY "
				 "ci.position",
				 "")))
		return rc;
	while ((rc = lib_db_step(lib, stmt, err)) == 1) {
		struct lib_collection *c = xcalloc(1, sizeof *c);
		v = xrealloc(v, (len + 1) * sizeof *v);
		v[len++] = c;
		c->slug = lib_col_str(stmt, 1);
		c->title = lib_col_str(stmt, 2);
		c->description = lib_col_str(stmt, 3);
		c->podcast = sqlite3_column_int(stmt, 4) != 0;
		c->serial = !strcmp((const char *)sqlite3_column_text(stmt, 5), "serial");
		sqlite3_reset(items);
		sqlite3_bind_int64(items, 1, sqlite3_column_int64(stmt, 0));
		size_t n_stories = 0, cap = 0; /* a collection may hold thousands */
		while ((rc = lib_db_step(lib, items, err)) == 1)
			strv_append(&c->stories, &n_stories, &cap,
				    (const char *)sqlite3_column_text(items, 0));
		if (rc)
			break;
	}
	sqlite3_finalize(items);
	if (rc) {
		lib_collection_list_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int lib_collection_get(hearth_lib *lib, const char *slug, struct lib_collection **out,
		       struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lib_collection **v = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	rc = lib_db_prepare(lib, err, &st,
			    "SELECT id, slug, title, description, podcast, type FROM collections "
			    "WHERE slug = ?1",
			    "s", slug);
	if (!rc)
		rc = load_all(lib, st, &v, &n, err);
	if (!rc && n == 0)
		rc = herr(err, HEARTH_ENOENT, "collection '%s' does not exist", slug);
	if (!rc) {
		*out = v[0];
		v[0] = NULL;
	}
	sqlite3_finalize(st);
	lib_collection_list_free(v, n);
	return lib_end(lib, rc, err);
}

int lib_collection_list(hearth_lib *lib, struct lib_collection ***out, size_t *n,
			struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	rc = lib_db_prepare(lib, err, &st,
			    "SELECT id, slug, title, description, podcast, type FROM collections "
			    "ORDER BY slug",
			    "");
	if (!rc)
		rc = load_all(lib, st, out, n, err);
	sqlite3_finalize(st);
	return lib_end(lib, rc, err);
}

/* ---- changes ----------------------------------------------------------- */

static int find_collection(hearth_lib *lib, const char *slug, int64_t *id,
			   struct hearth_err *err)
{
	int rc = lib_db_int(lib, err, id, "SELECT id FROM collections WHERE slug = ?1", "s",
			    slug);
	if (rc == 0)
		return herr(err, HEARTH_ENOENT, "collection '%s' does not exist", slug);
	return rc < 0 ? rc : 0;
}

/*
 * One story's place in one collection, as add, remove and move find it:
 * the ids, its position (-1 when it is not in the collection) and how many
 * stories the collection holds.
 */
struct item {
	const char *coll, *story;
	int64_t cid, sid, cur, n;
};

static int find_item(hearth_lib *lib, struct item *it, struct hearth_err *err)
{
	int rc;
	if ((rc = find_collection(lib, it->coll, &it->cid, err)) ||
	    (rc = lib_story_find(lib, it->story, &it->sid, NULL, err)))
		return rc;
	rc = lib_db_int(lib, err, &it->cur,
			"SELECT position FROM collection_items WHERE collection_id = ?1 AND "
			"story_id = ?2",
			"II", it->cid, it->sid);
	if (rc < 0)
		return rc;
	if (rc == 0)
		it->cur = -1;
	rc = lib_db_int(lib, err, &it->n,
			"SELECT count(*) FROM collection_items WHERE collection_id = ?1", "I",
			it->cid);
	return rc < 0 ? rc : 0;
}

static int audit_collection(hearth_lib *lib, const char *action, const char *coll,
			    const char *story, int64_t pos, struct hearth_err *err)
{
	char *detail = story ? xasprintf("collection '%s': story '%s' at %lld", coll, story,
					 (long long)pos)
			     : xasprintf("collection '%s'", coll);
	int rc = lib_audit_add(lib, 0, action, detail, err);
	free(detail);
	return rc;
}

int lib_collection_new(hearth_lib *lib, const char *slug, const char *title,
		       const char *description, bool podcast, struct hearth_err *err)
{
	int64_t id;
	int rc;

	if (!slug_valid(slug))
		return herr(err, HEARTH_EINVAL,
			    "collection slug '%s' is not valid: use 1 to 80 of a-z, 0-9 and '-'",
			    slug ? slug : "");
	if (!title || !*title)
		return herr(err, HEARTH_EINVAL, "collection '%s': title: is missing", slug);
	if ((rc = lib_begin(lib, err)))
		return rc;
	rc = lib_db_int(lib, err, &id, "SELECT id FROM collections WHERE slug = ?1", "s", slug);
	if (rc == 1)
		rc = herr(err, HEARTH_EEXIST, "collection '%s' already exists", slug);
	if (!rc)
		rc = lib_db_exec(lib, err,
				 "INSERT INTO collections (slug, title, description, podcast) "
				 "VALUES (?1, ?2, ?3, ?4)",
				 "sssb", slug, title, description, (int)podcast);
	if (!rc)
		rc = audit_collection(lib, "collection_new", slug, NULL, 0, err);
	return lib_end(lib, rc, err);
}

static int out_of_range(const struct item *it, int pos, int64_t last, const char *what,
			struct hearth_err *err)
{
	return herr(err, HEARTH_EINVAL,
		    "collection '%s': position %d is out of range: it holds %lld stor%s, so %s1 "
		    "to %lld",
		    it->coll, pos + 1, (long long)it->n, it->n == 1 ? "y" : "ies", what,
		    (long long)last);
}

static int add_item(hearth_lib *lib, struct item *it, int pos, struct hearth_err *err)
{
	int rc;
	if (it->cur >= 0)
		return herr(err, HEARTH_EEXIST, "story '%s' is already in collection '%s'",
			    it->story, it->coll);
	if (pos == -1)
		pos = (int)it->n;
	if (pos < 0 || pos > it->n)
		return out_of_range(it, pos, it->n + 1, "a new one goes at ", err);
	rc = lib_db_exec(lib, err,
			 "UPDATE collection_items SET position = position + 1 WHERE "
			 "collection_id = ?1 AND position >= ?2",
			 "Ii", it->cid, pos);
	if (!rc)
		rc = lib_db_exec(lib, err,
				 "INSERT INTO collection_items (collection_id, story_id, position) "
				 "VALUES (?1, ?2, ?3)",
				 "IIi", it->cid, it->sid, pos);
	return rc ? rc : audit_collection(lib, "collection_add", it->coll, it->story, pos, err);
}

static int remove_item(hearth_lib *lib, struct item *it, int pos, struct hearth_err *err)
{
	(void)pos;
	int rc = lib_db_exec(lib, err,
			     "DELETE FROM collection_items WHERE collection_id = ?1 AND "
			     "story_id = ?2",
			     "II", it->cid, it->sid);
	if (!rc)
		rc = lib_db_exec(lib, err,
				 "UPDATE collection_items SET position = position - 1 WHERE "
				 "collection_id = ?1 AND position > ?2",
				 "II", it->cid, it->cur);
	return rc ? rc
		  : audit_collection(lib, "collection_remove", it->coll, it->story, it->cur,
				     err);
}

static int move_item(hearth_lib *lib, struct item *it, int pos, struct hearth_err *err)
{
	int rc;
	if (pos < 0 || pos >= it->n)
		return out_of_range(it, pos, it->n, "", err);
	if (pos == it->cur)
		return 0;
	if (pos < it->cur)
		rc = lib_db_exec(lib, err,
				 "UPDATE collection_items SET position = position + 1 WHERE "
				 "collection_id = ?1 AND position >= ?2 AND position < ?3",
				 "IiI", it->cid, pos, it->cur);
	else
		rc = lib_db_exec(lib, err,
				 "UPDATE collection_items SET position = position - 1 WHERE "
				 "collection_id = ?1 AND position > ?2 AND position <= ?3",
				 "IIi", it->cid, it->cur, pos);
	if (!rc)
		rc = lib_db_exec(lib, err,
				 "UPDATE collection_items SET position = ?1 WHERE "
				 "collection_id = ?2 AND story_id = ?3",
				 "iII", pos, it->cid, it->sid);
	return rc ? rc : audit_collection(lib, "collection_move", it->coll, it->story, pos, err);
}

/*
 * Add, remove and move in one transaction each: finds the item (a story
 * that must already be in the collection when member is set), then op.
 */
static int edit_item(hearth_lib *lib, const char *coll, const char *story, bool member,
		     int (*op)(hearth_lib *, struct item *, int, struct hearth_err *), int pos,
		     struct hearth_err *err)
{
	struct item it = {.coll = coll, .story = story};
	int rc = lib_begin(lib, err);
	if (rc)
		return rc;
	rc = find_item(lib, &it, err);
	if (!rc && member && it.cur < 0)
		rc = herr(err, HEARTH_ENOENT, "story '%s' is not in collection '%s'", story, coll);
	if (!rc)
		rc = op(lib, &it, pos, err);
	return lib_end(lib, rc, err);
}

int lib_collection_add(hearth_lib *lib, const char *coll, const char *story, int pos,
		       struct hearth_err *err)
{
	return edit_item(lib, coll, story, false, add_item, pos, err);
}

int lib_collection_remove(hearth_lib *lib, const char *coll, const char *story,
			  struct hearth_err *err)
{
	return edit_item(lib, coll, story, true, remove_item, 0, err);
}

int lib_collection_move(hearth_lib *lib, const char *coll, const char *story, int pos,
			struct hearth_err *err)
{
	return edit_item(lib, coll, story, true, move_item, pos, err);
}

static bool same_text(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static bool same_collection(const struct lib_collection *a, const struct lib_collection *b)
{
	size_t n = strv_len(a->stories);
	if (!same_text(a->title, b->title) || !same_text(a->description, b->description) ||
	    a->podcast != b->podcast || a->serial != b->serial || n != strv_len(b->stories))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(a->stories[i], b->stories[i]))
			return false;
	return true;
}

int lib_collection_import(hearth_lib *lib, const struct lib_collection *in, bool *changed,
			  struct hearth_err *err)
{
	struct lib_collection *old = NULL;
	int64_t cid, sid;
	int rc;

	*changed = false;
	if (!in->slug || !slug_valid(in->slug))
		return herr(err, HEARTH_EINVAL, "collection slug '%s' is not valid",
			    in->slug ? in->slug : "");
	if (!in->title || !*in->title)
		return herr(err, HEARTH_EINVAL, "collection '%s': title: is missing", in->slug);
	if ((rc = lib_begin(lib, err)))
		return rc;
	size_t n = strv_len(in->stories), again = strv_first_repeat(in->stories, n);
	for (size_t i = 0; i < n; i++) {
		if ((rc = lib_story_find(lib, in->stories[i], &sid, NULL, err))) {
			if (rc == HEARTH_ENOENT)
				herr(err, rc, "collection '%s': story '%s' does not exist", in->slug,
				     in->stories[i]);
			return lib_end(lib, rc, err);
		}
		if (i == again)
			return lib_end(lib,
				      herr(err, HEARTH_EINVAL,
					   "collection '%s': story '%s' is listed twice",
					   in->slug, in->stories[i]),
				      err);
	}
	rc = lib_collection_get(lib, in->slug, &old, err);
	if (rc && rc != HEARTH_ENOENT)
		return lib_end(lib, rc, err);
	if (old && same_collection(old, in)) {
		lib_collection_free(&old);
		return lib_end(lib, 0, err);
	}
	rc = lib_db_exec(lib, err,
			 "INSERT INTO collections (slug, title, description, podcast, type) "
			 "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (slug) DO UPDATE SET title = "
			 "excluded.title, description = excluded.description, podcast = "
			 "excluded.podcast, type = excluded.type",
			 "sssbs", in->slug, in->title, in->description, (int)in->podcast,
			 in->serial ? "serial" : "episodic");
	if (!rc)
		rc = find_collection(lib, in->slug, &cid, err);
	if (!rc)
		rc = lib_db_exec(lib, err, "DELETE FROM collection_items WHERE collection_id = ?1",
				 "I", cid);
	for (size_t i = 0; !rc && in->stories && in->stories[i]; i++)
		rc = lib_db_exec(lib, err,
				 "INSERT INTO collection_items (collection_id, story_id, position) "
				 "SELECT ?1, id, ?2 FROM stories WHERE slug = ?3",
				 "Iis", cid, (int)i, in->stories[i]);
	if (!rc)
		rc = audit_collection(lib, old ? "collection_update" : "collection_import",
				      in->slug, NULL, 0, err);
	lib_collection_free(&old);
	if (!rc)
		*changed = true;
	return lib_end(lib, rc, err);
}
