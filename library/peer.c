/*
 * peer.c - peers on the web, who have no account but a receipt: finding a
 * story by its receipt code, the state a receipt page shows (versions,
 * confirmation, pending revision), messages between editors and the peer,
 * revisions, withdrawal by channel and erasure requests; and the feedback
 * readers send. The catalogue owns consent and workflow: nothing here
 * widens consent or revives a withdrawn or rejected story, and every
 * change is audited. Messages, contacts and feedback are personal: they
 * never reach the public view.
 */
#include "libraryInt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- receipts ---------------------------------------------------------- */

int lib_receipt_find(hearth_lib *lib, const char *code, char **slug, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	char letters[33], hash[65];
	int rc;

	*slug = NULL;
	if (!lib_receipt_normalize(code, letters))
		return herr(err, HEARTH_ENOENT, "%s", LIB_RECEIPT_REFUSED);
	if ((rc = lib_crypto_ready(err)))
		return rc;
	lib_token_hash(letters, strlen(letters), hash);
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	rc = lib_db_prepare(lib, err, &st, "SELECT slug FROM stories WHERE receipt_hash = ?1",
			    "s", hash);
	if (!rc && (rc = lib_db_step(lib, st, err)) == 1) {
		*slug = lib_col_str(st, 0);
		rc = 0;
	} else if (rc == 0) {
		rc = herr(err, HEARTH_ENOENT, "%s", LIB_RECEIPT_REFUSED);
	}
	sqlite3_finalize(st);
	return lib_end(lib, rc, err);
}

/* ---- the peer's view of the state ------------------------------------- */

int lib_story_peer_get(hearth_lib *lib, const char *slug, struct lib_story_peer *out,
		       struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	rc = lib_db_prepare(lib, err, &st,
			    "SELECT version, approved_version, confirmed_version, peer_confirms, "
			    "EXISTS (SELECT 1 FROM revisions r WHERE r.story_id = s.id), "
			    "coalesce(erasure_requested_at, 0), via FROM stories s WHERE slug = ?1",
			    "s", slug);
	if (!rc && (rc = lib_db_step(lib, st, err)) == 1) {
		out->version = sqlite3_column_int64(st, 0);
		out->approved_version = sqlite3_column_int64(st, 1);
		out->confirmed_version = sqlite3_column_int64(st, 2);
		out->peer_confirms = sqlite3_column_int(st, 3) != 0;
		out->has_revision = sqlite3_column_int(st, 4) != 0;
		out->erasure_requested_at = sqlite3_column_int64(st, 5);
		out->via = lib_col_str(st, 6);
		rc = 0;
	} else if (rc == 0) {
		rc = herr(err, HEARTH_ENOENT, "story '%s' does not exist", slug ? slug : "");
	}
	sqlite3_finalize(st);
	if ((rc = lib_end(lib, rc, err)))
		lib_story_peer_release(out);
	return rc;
}

void lib_story_peer_release(struct lib_story_peer *p)
{
	if (p) {
		free(p->via);
		p->via = NULL;
	}
}

/* ---- messages ---------------------------------------------------------- */

void lib_message_list_free(struct lib_message *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].body);
	free(v);
}

int lib_message_add(hearth_lib *lib, const char *slug, bool from_peer, const char *body,
		    struct hearth_err *err)
{
	int64_t id = 0;
	int rc;

	if (!body || !*body)
		return herr(err, HEARTH_EINVAL, "message: is empty");
	if ((rc = lib_begin(lib, err)))
		return rc;
	if (!(rc = lib_story_find(lib, slug, &id, NULL, err)) &&
	    !(rc = lib_message_write(lib, id, from_peer, body, err)))
		rc = lib_audit_add(lib, id, "message",
				   from_peer ? "a message from the storyteller"
					     : "a message for the storyteller",
				   err);
	return lib_end(lib, rc, err);
}

int lib_message_list(hearth_lib *lib, const char *slug, struct lib_message **out,
		     size_t *n, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lib_message *v = NULL;
	size_t len = 0;
	int64_t id = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	if (!(rc = lib_story_find(lib, slug, &id, NULL, err)))
		rc = lib_db_prepare(lib, err, &st,
				    "SELECT at, from_peer, body FROM messages WHERE story_id = ?1 "
				    "ORDER BY id",
				    "I", id);
	while (!rc && (rc = lib_db_step(lib, st, err)) == 1) {
		v = xrealloc(v, (len + 1) * sizeof *v);
		v[len].at = sqlite3_column_int64(st, 0);
		v[len].from_peer = sqlite3_column_int(st, 1) != 0;
		v[len].body = lib_col_str(st, 2);
		len++;
		rc = 0;
	}
	sqlite3_finalize(st);
	if ((rc = lib_end(lib, rc, err))) {
		lib_message_list_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

/* ---- revisions --------------------------------------------------------- */

/* What a revision must hold, whoever sends it: the checks a submission has. */
static int check_revision(hearth_lib *lib, const struct lib_story *in, const char *slug,
			  struct hearth_err *err)
{
	int rc;

	if ((rc = lib_check_words(in, slug, err)))
		return rc;
	if ((!in->body || !*in->body) && !in->n_assets)
		return herr(err, HEARTH_EINVAL,
			    "story '%s': a story needs its text or at least one recording or "
			    "picture",
			    slug);
	for (size_t i = 0; i < in->n_assets; i++) {
		const struct lib_asset *a = &in->assets[i];
		const char *name = a->filename ? a->filename : "(unnamed)";
		char *p;
		bool there;
		if ((unsigned)a->role >= ROLE_COUNT || !a->sha256 || strlen(a->sha256) != 64)
			return herr(err, HEARTH_EINVAL, "story '%s': file '%s': not in the store",
				    slug, name);
		p = lib_store_path(lib, a->sha256);
		there = path_is_file(p);
		free(p);
		if (!there)
			return herr(err, HEARTH_ENOENT,
				    "story '%s': file '%s': object %s is missing from the store", slug,
				    name, a->sha256);
		if (a->role == ROLE_ART && (!a->alt || !*a->alt))
			return herr(err, HEARTH_EINVAL, "story '%s': art '%s': alt text is missing",
				    slug, name);
	}
	return 0;
}

/* The hash of a story's sound (first audio, else first music) in s; "" if none. */
static const char *sound_of(const struct lib_story *s)
{
	const struct lib_asset *a = lib_story_sound(s);
	return a && a->sha256 ? a->sha256 : "";
}

/* The live story's sound, inside the caller's transaction (new allocation or NULL). */
static int live_sound(hearth_lib *lib, int64_t id, char **out, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = lib_db_prepare(lib, err, &st,
				"SELECT sha256 FROM assets WHERE story_id = ?1 AND role IN "
				"('audio', 'music') ORDER BY role = 'music', position LIMIT 1",
				"I", id);
	*out = NULL;
	if (rc)
		return rc;
	if ((rc = lib_db_step(lib, st, err)) == 1) {
		*out = lib_col_str(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * The live content of story id becomes in's: title, summary, text,
 * warnings and files, with the version raised. Chapters go with the sound
 * they mark: in's own when it has some, else the old ones while the sound
 * is the same one, else none. Inside the caller's transaction.
 */
static int replace_content(hearth_lib *lib, int64_t id, const struct lib_story *in,
			   struct hearth_err *err)
{
	char *old_sound = NULL;
	int rc;

	if ((rc = live_sound(lib, id, &old_sound, err)))
		return rc;
	rc = lib_db_exec(lib, err,
			 "UPDATE stories SET title = ?1, summary = ?2, body = ?3, "
			 "version = version + 1, updated_at = ?4 WHERE id = ?5",
			 "sssII", in->title, in->summary, in->body ? in->body : "", hearth_now(),
			 id);
	if (!rc)
		rc = lib_db_exec(lib, err,
				 "DELETE FROM story_terms WHERE story_id = ?1 AND kind = 'warning'",
				 "I", id);
	for (int i = 0; !rc && in->warnings && in->warnings[i]; i++)
		rc = lib_db_exec(lib, err,
				 "INSERT INTO story_terms (story_id, kind, position, value) "
				 "VALUES (?1, 'warning', ?2, ?3)",
				 "Iis", id, i, in->warnings[i]);
	if (!rc)
		rc = lib_story_write_assets(lib, id, in, false, err);
	if (!rc && (in->n_chapters || strcmp(old_sound ? old_sound : "", sound_of(in))))
		rc = lib_db_exec(lib, err, "DELETE FROM chapters WHERE story_id = ?1", "I", id);
	for (size_t i = 0; !rc && i < in->n_chapters; i++)
		rc = lib_db_exec(lib, err,
				 "INSERT INTO chapters (story_id, position, start, title) "
				 "VALUES (?1, ?2, ?3, ?4)",
				 "Iids", id, (int)i, in->chapters[i].start, in->chapters[i].title);
	free(old_sound);
	return rc;
}

/* Holds in as the published story id's pending revision, replacing any. */
static int hold_revision(hearth_lib *lib, int64_t id, const struct lib_story *in,
			 struct hearth_err *err)
{
	int rc = lib_db_exec(lib, err, "DELETE FROM revisions WHERE story_id = ?1", "I", id);
	if (!rc)
		rc = lib_db_exec(lib, err,
				 "INSERT INTO revisions (story_id, at, title, summary, body) "
				 "VALUES (?1, ?2, ?3, ?4, ?5)",
				 "IIsss", id, hearth_now(), in->title, in->summary,
				 in->body ? in->body : "");
	for (int i = 0; !rc && in->warnings && in->warnings[i]; i++)
		rc = lib_db_exec(lib, err,
				 "INSERT INTO revision_terms (story_id, position, value) "
				 "VALUES (?1, ?2, ?3)",
				 "Iis", id, i, in->warnings[i]);
	if (!rc)
		rc = lib_story_write_assets(lib, id, in, true, err);
	return rc;
}

int lib_story_revise(hearth_lib *lib, const char *slug, const struct lib_story *in,
		     const char *message, bool *held, struct hearth_err *err)
{
	enum lib_status status;
	int64_t id = 0;
	bool hold = false;
	int rc;

	if (held)
		*held = false;
	if ((rc = check_revision(lib, in, slug, err)))
		return rc;
	if ((rc = lib_begin(lib, err)))
		return rc;
	if ((rc = lib_story_find(lib, slug, &id, &status, err)))
		goto end;
	switch (status) {
	case ST_SUBMITTED:
	case ST_IN_REVIEW:
	case ST_CHANGES_REQUESTED:
	case ST_APPROVED:
		/* taken at once; whatever was approved or confirmed was another version */
		if (!(rc = replace_content(lib, id, in, err)))
			rc = lib_db_exec(lib, err,
					 "UPDATE stories SET status = 'submitted', approved_version = 0, "
					 "confirmed_version = 0 WHERE id = ?1",
					 "I", id);
		break;
	case ST_PUBLISHED:
		hold = true;
		rc = hold_revision(lib, id, in, err);
		break;
	default:
		rc = herr(err, HEARTH_ESTATE,
			  "story '%s' is %s; it can no longer be revised", slug,
			  lib_status_name(status));
		break;
	}
	if (!rc)
		rc = lib_message_write(lib, id, true, message, err);
	if (!rc)
		rc = lib_audit_add(lib, id, "revise",
				   hold ? "a revision of the published story, held for review"
					: "revised by the storyteller; back to submitted",
				   err);
end:
	rc = lib_end(lib, rc, err);
	if (!rc && held)
		*held = hold;
	return rc;
}

int lib_revision_get(hearth_lib *lib, const char *slug, struct lib_story **out,
		     struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lib_story *s = NULL;
	int64_t id = 0;
	int rc;

	*out = NULL;
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	if ((rc = lib_story_find(lib, slug, &id, NULL, err)) ||
	    (rc = lib_db_prepare(lib, err, &st,
				 "SELECT title, summary, body, at FROM revisions WHERE story_id = ?1",
				 "I", id)))
		goto end;
	if ((rc = lib_db_step(lib, st, err)) != 1)
		goto end; /* none pending (0), or an error */
	s = xcalloc(1, sizeof *s);
	s->id = id;
	s->slug = xstrdup(slug);
	s->title = lib_col_str(st, 0);
	s->summary = lib_col_str(st, 1);
	s->body = lib_col_str(st, 2);
	s->updated_at = sqlite3_column_int64(st, 3);
	s->status = ST_SUBMITTED;
	s->attribution = ATTR_ANONYMOUS;
	sqlite3_finalize(st);
	st = NULL;
	rc = lib_db_prepare(lib, err, &st,
			    "SELECT value FROM revision_terms WHERE story_id = ?1 ORDER BY position",
			    "I", id);
	while (!rc && (rc = lib_db_step(lib, st, err)) == 1) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		s->warnings = strv_push(s->warnings, v ? v : "");
		rc = 0;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc)
		goto end;
	rc = lib_db_prepare(lib, err, &st,
			    "SELECT role, sha256, mime, filename, alt, size, duration, width, "
			    "height, codec, sample_rate, channels FROM revision_assets "
			    "WHERE story_id = ?1 ORDER BY CASE role WHEN 'audio' THEN 0 "
			    "WHEN 'music' THEN 1 WHEN 'art' THEN 2 ELSE 3 END, position",
			    "I", id);
	while (!rc && (rc = lib_db_step(lib, st, err)) == 1) {
		enum lib_role r;
		rc = 0;
		if (lib_role_parse((const char *)sqlite3_column_text(st, 0), &r)) {
			rc = herr(err, HEARTH_EDB, "story '%s': a revised file has an unknown role",
				  slug);
			break;
		}
		s->assets = xrealloc(s->assets, (s->n_assets + 1) * sizeof *s->assets);
		struct lib_asset *a = &s->assets[s->n_assets++];
		memset(a, 0, sizeof *a);
		a->role = r;
		a->sha256 = lib_col_str(st, 1);
		a->mime = lib_col_str(st, 2);
		a->filename = lib_col_str(st, 3);
		a->alt = lib_col_str(st, 4);
		a->size = sqlite3_column_int64(st, 5);
		a->duration = sqlite3_column_double(st, 6);
		a->width = sqlite3_column_int(st, 7);
		a->height = sqlite3_column_int(st, 8);
		a->codec = lib_col_str(st, 9);
		a->sample_rate = sqlite3_column_int(st, 10);
		a->channels = sqlite3_column_int(st, 11);
	}
end:
	sqlite3_finalize(st);
	if ((rc = lib_end(lib, rc, err))) {
		lib_story_free(&s);
		return rc;
	}
	*out = s;
	return 0;
}

int lib_revision_decide(hearth_lib *lib, const char *slug, bool approve,
			const char *message, struct hearth_err *err)
{
	struct lib_story *rev = NULL;
	enum lib_status status;
	int64_t id = 0;
	int rc;

	if ((rc = lib_begin(lib, err)))
		return rc;
	if ((rc = lib_story_find(lib, slug, &id, &status, err)) ||
	    (rc = lib_revision_get(lib, slug, &rev, err)))
		goto end;
	if (!rev) {
		rc = herr(err, HEARTH_ENOENT, "story '%s' has no revision waiting", slug);
		goto end;
	}
	if (approve) {
		/* the storyteller wrote it, so this version is theirs as confirmed */
		if (!(rc = replace_content(lib, id, rev, err)))
			rc = lib_db_exec(lib, err,
					 "UPDATE stories SET approved_version = version, "
					 "confirmed_version = version WHERE id = ?1",
					 "I", id);
	}
	if (!rc)
		rc = lib_db_exec(lib, err, "DELETE FROM revisions WHERE story_id = ?1", "I", id);
	if (!rc)
		rc = lib_message_write(lib, id, false, message, err);
	if (!rc)
		rc = lib_audit_add(lib, id, approve ? "revision_approve" : "revision_reject",
				   approve ? "the storyteller's revision replaces the live version"
					   : "the storyteller's revision is not taken; the live "
					     "version stays",
				   err);
end:
	lib_story_free(&rev);
	return lib_end(lib, rc, err);
}

/* ---- withdrawal by channel, erasure requests --------------------------- */

/*
 * Withdraws story id (status and both channels) when the workflow allows
 * it; a story that cannot move (rejected) keeps its status with consent off.
 */
static int withdraw_all(hearth_lib *lib, const char *slug, int64_t id, enum lib_status status,
			const char *reason, struct hearth_err *err)
{
	if (status == ST_WITHDRAWN)
		return 0;
	if (lib_status_can_move(status, ST_WITHDRAWN))
		return lib_story_withdraw(lib, slug, reason, err);
	int rc = lib_db_exec(lib, err,
			     "INSERT INTO consent (story_id, site, podcast, withdrawn_at) "
			     "VALUES (?1, 0, 0, ?2) ON CONFLICT (story_id) DO UPDATE SET "
			     "site = 0, podcast = 0, withdrawn_at = excluded.withdrawn_at",
			     "II", id, hearth_now());
	if (!rc)
		rc = lib_db_exec(lib, err, "DELETE FROM revisions WHERE story_id = ?1", "I", id);
	if (!rc)
		rc = lib_audit_add(lib, id, "withdraw", reason, err);
	return rc;
}

int lib_story_withdraw_channels(hearth_lib *lib, const char *slug, bool site, bool podcast,
				const char *by, bool *now_withdrawn, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	enum lib_status status;
	int64_t id = 0;
	bool has_site = false, has_podcast = false, gone = false;
	char *detail = NULL;
	int rc;

	if (now_withdrawn)
		*now_withdrawn = false;
	if (!site && !podcast)
		return herr(err, HEARTH_EINVAL, "withdraw: name the site, the podcast or both");
	if ((rc = lib_begin(lib, err)))
		return rc;
	if ((rc = lib_story_find(lib, slug, &id, &status, err)) ||
	    (rc = lib_db_prepare(lib, err, &st,
				 "SELECT site, podcast FROM consent WHERE story_id = ?1", "I", id)))
		goto end;
	if ((rc = lib_db_step(lib, st, err)) == 1) {
		has_site = sqlite3_column_int(st, 0) != 0;
		has_podcast = sqlite3_column_int(st, 1) != 0;
		rc = 0;
	}
	sqlite3_finalize(st);
	if (rc)
		goto end;
	/* only ever narrowed: what remains is what was there and not withdrawn */
	has_site = has_site && !site;
	has_podcast = has_podcast && !podcast;
	detail = xasprintf("by %s: %s withdrawn; the site %s, the podcast %s",
			   by && *by ? by : "the storyteller",
			   site && podcast ? "both channels" : site ? "the site" : "the podcast",
			   has_site ? "kept" : "off", has_podcast ? "kept" : "off");
	if (!has_site && !has_podcast) {
		rc = withdraw_all(lib, slug, id, status, detail, err);
		gone = true;
	} else {
		rc = lib_db_exec(lib, err,
				 "UPDATE consent SET site = ?1, podcast = ?2 WHERE story_id = ?3",
				 "bbI", (int)has_site, (int)has_podcast, id);
		if (!rc)
			rc = lib_db_exec(lib, err,
					 "UPDATE stories SET updated_at = ?1 WHERE id = ?2", "II",
					 hearth_now(), id);
		if (!rc)
			rc = lib_audit_add(lib, id, "withdraw_channel", detail, err);
	}
end:
	free(detail);
	rc = lib_end(lib, rc, err);
	if (!rc && now_withdrawn)
		*now_withdrawn = gone;
	return rc;
}

int lib_story_request_erasure(hearth_lib *lib, const char *slug, struct hearth_err *err)
{
	enum lib_status status;
	int64_t id = 0, asked = 0;
	int rc;

	if ((rc = lib_begin(lib, err)))
		return rc;
	if ((rc = lib_story_find(lib, slug, &id, &status, err)))
		goto end;
	if ((rc = lib_db_int(lib, err, &asked,
			     "SELECT coalesce(erasure_requested_at, 0) FROM stories WHERE id = ?1",
			     "I", id)) < 0)
		goto end;
	rc = 0;
	if (asked)
		goto end; /* asked before: nothing more to do */
	if ((rc = withdraw_all(lib, slug, id, status, "the storyteller asked for erasure",
			       err)) ||
	    (rc = lib_db_exec(lib, err,
			      "UPDATE stories SET erasure_requested_at = ?1 WHERE id = ?2", "II",
			      hearth_now(), id)))
		goto end;
	rc = lib_audit_add(lib, id, "erasure_request",
			   "the storyteller asked for their story to be erased", err);
end:
	return lib_end(lib, rc, err);
}

/* ---- feedback ---------------------------------------------------------- */

void lib_feedback_list_free(struct lib_feedback *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].page);
		free(v[i].body);
		free(v[i].contact);
	}
	free(v);
}

/* A short optional field: valid UTF-8 and at most 500 characters. */
static int check_short(const char *what, const char *v, struct hearth_err *err)
{
	if (v && (!text_valid(v, strlen(v)) || utf8_chars(v) > 500))
		return herr(err, HEARTH_EINVAL, "%s: at most 500 characters of text", what);
	return 0;
}

int lib_feedback_add(hearth_lib *lib, const char *page, const char *body,
		     const char *contact, struct hearth_err *err)
{
	int rc;

	if (!body || !*body)
		return herr(err, HEARTH_EINVAL, "message: is empty");
	if (!text_valid(body, strlen(body)) || utf8_chars(body) > LIB_MAX_FEEDBACK_CHARS)
		return herr(err, HEARTH_EINVAL, "message: at most %d characters of text",
			    LIB_MAX_FEEDBACK_CHARS);
	if ((rc = check_short("page", page, err)) || (rc = check_short("contact", contact, err)))
		return rc;
	if ((rc = lib_begin(lib, err)))
		return rc;
	rc = lib_db_exec(lib, err,
			 "INSERT INTO feedback (at, page, body, contact) VALUES (?1, ?2, ?3, ?4)",
			 "Isss", hearth_now(), page && *page ? page : NULL, body,
			 contact && *contact ? contact : NULL);
	/* feedback is read by editors; nothing published changes */
	if (!rc)
		lib_db_not_a_change(lib);
	return lib_end(lib, rc, err);
}

int lib_feedback_list(hearth_lib *lib, struct lib_feedback **out, size_t *n,
		      struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lib_feedback *v = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	rc = lib_db_prepare(lib, err, &st,
			    "SELECT id, at, page, body, contact FROM feedback ORDER BY id DESC", "");
	while (!rc && (rc = lib_db_step(lib, st, err)) == 1) {
		v = xrealloc(v, (len + 1) * sizeof *v);
		v[len].id = sqlite3_column_int64(st, 0);
		v[len].at = sqlite3_column_int64(st, 1);
		v[len].page = lib_col_str(st, 2);
		v[len].body = lib_col_str(st, 3);
		v[len].contact = lib_col_str(st, 4);
		len++;
		rc = 0;
	}
	sqlite3_finalize(st);
	if ((rc = lib_end(lib, rc, err))) {
		lib_feedback_list_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}
