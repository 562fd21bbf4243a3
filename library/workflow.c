/*
 * workflow.c - the review workflow and consent: which status may follow
 * which, moving a story through review, publishing (only with consent),
 * withdrawal (at any time, by the peer's right) and recording consent per
 * channel. Every move is audited; notes and reasons are kept privately.
 * Which status may follow which is status.c's table.
 *
 * Two corrections stand outside the table, each with its own function and
 * audit row: a published story's date may be moved (reschedule), and a
 * story whose date is still in the future may be taken off the schedule,
 * back to approved (unschedule). Neither touches consent; a live story
 * leaves the site only by withdrawal. Published again, a story keeps the
 * date it had unless the editor gives a new one, and its guid always.
 */
#include "libraryInt.h"

#include <stdlib.h>
#include <string.h>

/* "story 'x' is submitted; it cannot move to published (allowed: ...)" */
static int refuse_move(const char *slug, enum lib_status from, enum lib_status to,
		       struct hearth_err *err)
{
	/* withdrawal, always possible until the end, is named last */
	static const enum lib_status order[ST_COUNT] = {
		ST_SUBMITTED, ST_IN_REVIEW, ST_CHANGES_REQUESTED, ST_APPROVED,
		ST_PUBLISHED, ST_REJECTED,  ST_WITHDRAWN,
	};
	struct buf allowed = BUF_INIT;
	for (int i = 0; i < ST_COUNT; i++)
		if (lib_status_can_move(from, order[i]))
			buf_printf(&allowed, "%s%s", allowed.len ? ", " : "",
				   lib_status_name(order[i]));
	if (!allowed.len)
		buf_printf(&allowed, "none; %s is final", lib_status_name(from));
	int rc = herr(err, HEARTH_ESTATE, "story '%s' is %s; it cannot move to %s (allowed: %s)",
		      slug, lib_status_name(from), lib_status_name(to), buf_cstr(&allowed));
	buf_release(&allowed);
	return rc;
}

/* Finds the story and checks the move; both inside the caller's transaction. */
static int find_for_move(hearth_lib *lib, const char *slug, enum lib_status to, int64_t *id,
			 enum lib_status *from, struct hearth_err *err)
{
	int rc = lib_story_find(lib, slug, id, from, err);
	if (rc)
		return rc;
	if (!lib_status_can_move(*from, to))
		return refuse_move(slug, *from, to, err);
	return 0;
}

static int set_status(hearth_lib *lib, int64_t id, enum lib_status to, struct hearth_err *err)
{
	return lib_db_exec(lib, err,
			   "UPDATE stories SET status = ?1, updated_at = ?2 WHERE id = ?3", "sII",
			   lib_status_name(to), hearth_now(), id);
}

/*
 * The date a story published again keeps: the one it had when it was
 * taken off the schedule. *at stays 0 for a story never taken off.
 */
static int kept_date(hearth_lib *lib, int64_t id, int64_t *at, bool *kept,
		     struct hearth_err *err)
{
	int64_t off = 0, was = 0;
	int rc = lib_db_int(lib, err, &off,
			    "SELECT count(*) FROM audit WHERE story_id = ?1 AND "
			    "action = 'unschedule'",
			    "I", id);
	if (rc < 0)
		return rc;
	if (off && (rc = lib_db_int(lib, err, &was,
				    "SELECT coalesce(published_at, 0) FROM stories WHERE id = ?1",
				    "I", id)) < 0)
		return rc;
	*at = off ? was : 0;
	*kept = *at != 0;
	return 0;
}

/*
 * A story whose storyteller confirms before it is published (a web
 * submission) waits until they have confirmed the version it has now.
 */
static int check_confirmed(hearth_lib *lib, const char *slug, int64_t id,
			   struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t version = 0, confirmed = 0;
	bool waits = false;
	int rc = lib_db_prepare(lib, err, &st,
				"SELECT peer_confirms, version, confirmed_version FROM stories "
				"WHERE id = ?1",
				"I", id);
	if (rc)
		return rc;
	if ((rc = lib_db_step(lib, st, err)) == 1) {
		waits = sqlite3_column_int(st, 0) != 0;
		version = sqlite3_column_int64(st, 1);
		confirmed = sqlite3_column_int64(st, 2);
		rc = 0;
	}
	sqlite3_finalize(st);
	if (rc || !waits || confirmed == version)
		return rc;
	if (confirmed)
		return herr(err, HEARTH_ESTATE,
			    "story '%s' cannot be published yet: its storyteller confirmed "
			    "version %lld, but the story has changed since (it is version %lld "
			    "now); they must confirm this version first",
			    slug, (long long)confirmed, (long long)version);
	return herr(err, HEARTH_ESTATE,
		    "story '%s' cannot be published yet: its storyteller has not confirmed "
		    "the approved version (%lld); they confirm it with their receipt",
		    slug, (long long)version);
}

static int do_publish(hearth_lib *lib, const char *slug, int64_t id, int64_t at,
		      struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	bool site = false, podcast = false, kept = false;
	char when[21];
	int rc;

	if ((rc = lib_db_prepare(lib, err, &st,
				 "SELECT site, podcast FROM consent WHERE story_id = ?1", "I", id)))
		return rc;
	if ((rc = lib_db_step(lib, st, err)) == 1) {
		site = sqlite3_column_int(st, 0) != 0;
		podcast = sqlite3_column_int(st, 1) != 0;
		rc = 0;
	}
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if (!site && !podcast)
		return herr(err, HEARTH_ECONSENT,
			    "story '%s' has no consent for the site or the podcast; record "
			    "consent first",
			    slug);
	if ((rc = check_confirmed(lib, slug, id, err)))
		return rc;
	if (!at && (rc = kept_date(lib, id, &at, &kept, err)))
		return rc;
	if (!at)
		at = hearth_now();
	if ((rc = lib_db_exec(lib, err,
			      "UPDATE stories SET status = 'published', published_at = ?1, "
			      "updated_at = ?2 WHERE id = ?3",
			      "III", at, hearth_now(), id)))
		return rc;
	date_iso(at, when);
	char *detail = xasprintf("published at %s%s; site %s, podcast %s", when,
				 kept ? " (the date it had before it was taken off the schedule)"
				      : "",
				 site ? "yes" : "no", podcast ? "yes" : "no");
	rc = lib_audit_add(lib, id, "publish", detail, err);
	free(detail);
	return rc;
}

static int do_withdraw(hearth_lib *lib, int64_t id, const char *reason,
		       struct hearth_err *err)
{
	int64_t now = hearth_now();
	int rc = set_status(lib, id, ST_WITHDRAWN, err);
	if (!rc)
		rc = lib_db_exec(lib, err,
				 "INSERT INTO consent (story_id, site, podcast, withdrawn_at) "
				 "VALUES (?1, 0, 0, ?2) ON CONFLICT (story_id) DO UPDATE SET "
				 "site = 0, podcast = 0, withdrawn_at = excluded.withdrawn_at",
				 "II", id, now);
	/* nothing the peer sent waits for a story that is gone */
	if (!rc)
		rc = lib_db_exec(lib, err, "DELETE FROM revisions WHERE story_id = ?1", "I", id);
	if (!rc)
		rc = lib_audit_add(lib, id, "withdraw", reason, err);
	return rc;
}

int lib_message_write(hearth_lib *lib, int64_t id, bool from_peer, const char *body,
		      struct hearth_err *err)
{
	if (!body || !*body)
		return 0;
	if (!text_valid(body, strlen(body)))
		return herr(err, HEARTH_EINVAL, "message: is not valid UTF-8");
	if (utf8_chars(body) > LIB_MAX_MESSAGE_CHARS)
		return herr(err, HEARTH_EINVAL, "message: is longer than %d characters",
			    LIB_MAX_MESSAGE_CHARS);
	return lib_db_exec(lib, err,
			   "INSERT INTO messages (story_id, at, from_peer, author, body) "
			   "VALUES (?1, ?2, ?3, ?4, ?5)",
			   "IIbss", id, hearth_now(), (int)from_peer,
			   from_peer ? NULL : lib->actor, body);
}

/* A review move inside the caller's transaction; *id gets the story's id. */
static int move(hearth_lib *lib, const char *slug, enum lib_status to, const char *note,
		int64_t *id, struct hearth_err *err)
{
	enum lib_status from;
	int rc;

	if ((unsigned)to >= ST_COUNT)
		return herr(err, HEARTH_EINVAL, "unknown status %d", (int)to);
	if ((rc = find_for_move(lib, slug, to, id, &from, err)))
		return rc;
	/* publishing and withdrawal have their own rules */
	if (to == ST_PUBLISHED)
		return do_publish(lib, slug, *id, 0, err);
	if (to == ST_WITHDRAWN)
		return do_withdraw(lib, *id, note, err);

	rc = lib_db_exec(lib, err,
			 "UPDATE stories SET status = ?1, updated_at = ?2, "
			 "review_note = coalesce(?3, review_note) WHERE id = ?4",
			 "sIsI", lib_status_name(to), hearth_now(), note, *id);
	/* an approval is of the version the editor read */
	if (!rc && to == ST_APPROVED)
		rc = lib_db_exec(lib, err,
				 "UPDATE stories SET approved_version = version WHERE id = ?1", "I",
				 *id);
	if (!rc) {
		char *detail = xasprintf("%s -> %s%s%s", lib_status_name(from),
					 lib_status_name(to), note ? ": " : "", note ? note : "");
		rc = lib_audit_add(lib, *id, lib_status_name(to), detail, err);
		free(detail);
	}
	return rc;
}

int lib_story_move(hearth_lib *lib, const char *slug, enum lib_status to,
		   const char *note, struct hearth_err *err)
{
	int64_t id = 0;
	int rc;

	if ((unsigned)to >= ST_COUNT)
		return herr(err, HEARTH_EINVAL, "unknown status %d", (int)to);
	if ((rc = lib_begin(lib, err)))
		return rc;
	return lib_end(lib, move(lib, slug, to, note, &id, err), err);
}

int lib_story_review(hearth_lib *lib, const char *slug, enum lib_status to,
		     const char *note, const char *message, struct hearth_err *err)
{
	int64_t id = 0;
	int rc;

	if (note && !*note)
		note = NULL;
	if ((rc = lib_begin(lib, err)))
		return rc;
	rc = move(lib, slug, to, note, &id, err);
	if (!rc && message && *message) {
		rc = lib_message_write(lib, id, false, message, err);
		if (!rc)
			rc = lib_audit_add(lib, id, "message", "a message for the storyteller", err);
	}
	return lib_end(lib, rc, err);
}

int lib_story_confirm(hearth_lib *lib, const char *slug, int64_t version,
		      struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	enum lib_status status;
	int64_t id = 0, current = 0, approved = 0;
	int rc;

	if ((rc = lib_begin(lib, err)))
		return rc;
	if ((rc = lib_story_find(lib, slug, &id, &status, err)))
		goto end;
	if ((rc = lib_db_prepare(lib, err, &st,
				 "SELECT version, approved_version FROM stories WHERE id = ?1", "I",
				 id)))
		goto end;
	if ((rc = lib_db_step(lib, st, err)) == 1) {
		current = sqlite3_column_int64(st, 0);
		approved = sqlite3_column_int64(st, 1);
		rc = 0;
	}
	sqlite3_finalize(st);
	if (rc)
		goto end;
	if (status != ST_APPROVED) {
		rc = herr(err, HEARTH_ESTATE,
			  "there is nothing to confirm: the story is %s, and only a version an "
			  "editor has approved can be confirmed",
			  lib_status_name(status));
	} else if (version != current) {
		rc = herr(err, HEARTH_ESTATE,
			  "version %lld can no longer be confirmed: the story has changed since "
			  "(it is version %lld now); read it again and confirm that one",
			  (long long)version, (long long)current);
	} else if (approved != current) {
		rc = herr(err, HEARTH_ESTATE,
			  "version %lld has not been approved by an editor, so it cannot be "
			  "confirmed yet",
			  (long long)version);
	} else {
		char *detail = xasprintf("the storyteller confirmed version %lld",
					 (long long)version);
		rc = lib_db_exec(lib, err,
				 "UPDATE stories SET confirmed_version = ?1, updated_at = ?2 "
				 "WHERE id = ?3",
				 "III", version, hearth_now(), id);
		if (!rc)
			rc = lib_audit_add(lib, id, "confirm", detail, err);
		free(detail);
	}
end:
	return lib_end(lib, rc, err);
}

/* A published story's date, and whether it is live (not in the future). */
static int published_date(hearth_lib *lib, int64_t id, int64_t *at, bool *live,
			  struct hearth_err *err)
{
	int rc = lib_db_int(lib, err, at,
			    "SELECT coalesce(published_at, 0) FROM stories WHERE id = ?1", "I",
			    id);
	if (rc < 0)
		return rc;
	*live = *at <= hearth_now();
	return 0;
}

/* "story 'x' is already published (live since D)": the date, said plainly. */
static void describe_date(struct buf *b, int64_t at, bool live)
{
	char when[21];
	date_iso(at, when);
	buf_printf(b, "%s %s", live ? "live since" : "scheduled for", when);
}

int lib_story_publish(hearth_lib *lib, const char *slug, int64_t at,
		      struct hearth_err *err)
{
	enum lib_status from;
	int64_t id, was = 0;
	bool live = false;
	int rc;

	if (at < 0)
		return herr(err, HEARTH_EINVAL, "story '%s': publication time is negative", slug);
	if ((rc = lib_begin(lib, err)))
		return rc;
	if ((rc = lib_story_find(lib, slug, &id, &from, err)))
		return lib_end(lib, rc, err);
	if (from == ST_PUBLISHED) {
		struct buf b = BUF_INIT;
		if (!(rc = published_date(lib, id, &was, &live, err))) {
			describe_date(&b, was, live);
			rc = herr(err, HEARTH_ESTATE,
				  "story '%s' is already published (%s); give a new date to "
				  "move it",
				  slug, buf_cstr(&b));
		}
		buf_release(&b);
		return lib_end(lib, rc, err);
	}
	rc = find_for_move(lib, slug, ST_PUBLISHED, &id, &from, err);
	if (!rc)
		rc = do_publish(lib, slug, id, at, err);
	return lib_end(lib, rc, err);
}

/*
 * Inside the caller's transaction: the published story slug, its id, its
 * publication date and whether that date has come. what ends the refusal
 * for a story in any other state ("only a published story ...").
 */
static int find_published(hearth_lib *lib, const char *slug, const char *what, int64_t *id,
			  int64_t *was, bool *live, struct hearth_err *err)
{
	enum lib_status from;
	int rc = lib_story_find(lib, slug, id, &from, err);
	if (rc)
		return rc;
	if (from != ST_PUBLISHED)
		return herr(err, HEARTH_ESTATE, "story '%s' is %s; only a published story %s",
			    slug, lib_status_name(from), what);
	return published_date(lib, *id, was, live, err);
}

/* Moves a published story's date; inside the caller's transaction. */
static int reschedule(hearth_lib *lib, const char *slug, int64_t at, int64_t *old_at,
		      struct hearth_err *err)
{
	int64_t id, was = 0;
	bool live = false;
	char a[21], b[21];
	int rc = find_published(lib, slug, "can have its date moved", &id, &was, &live, err);

	if (rc)
		return rc;
	date_iso(was, a);
	date_iso(at, b);
	if (live && at > hearth_now())
		return herr(err, HEARTH_ESTATE,
			    "story '%s' has been live since %s; its date cannot move into the "
			    "future (%s), which would take it off the site; withdraw it to "
			    "remove it",
			    slug, a, b);
	if (old_at)
		*old_at = was;
	if (at == was)
		return 0;
	rc = lib_db_exec(lib, err,
			 "UPDATE stories SET published_at = ?1, updated_at = ?2 WHERE id = ?3",
			 "III", at, hearth_now(), id);
	if (!rc) {
		char *detail = xasprintf("publication date %s -> %s (%s); consent unchanged", a,
					 b, live ? "live" : "scheduled");
		rc = lib_audit_add(lib, id, "reschedule", detail, err);
		free(detail);
	}
	return rc;
}

int lib_story_reschedule(hearth_lib *lib, const char *slug, int64_t at, int64_t *old_at,
			 struct hearth_err *err)
{
	int rc;

	if (old_at)
		*old_at = 0;
	if (at <= 0)
		return herr(err, HEARTH_EINVAL, "story '%s': a new publication date is needed",
			    slug);
	if ((rc = lib_begin(lib, err)))
		return rc;
	return lib_end(lib, reschedule(lib, slug, at, old_at, err), err);
}

/* Takes a scheduled story off the schedule; inside the caller's transaction. */
static int unschedule(hearth_lib *lib, const char *slug, int64_t *was_at,
		      struct hearth_err *err)
{
	int64_t id, was = 0;
	bool live = false;
	char when[21];
	int rc = find_published(lib, slug,
				"whose date is still to come can be taken off the schedule", &id,
				&was, &live, err);

	if (rc)
		return rc;
	date_iso(was, when);
	if (live)
		return herr(err, HEARTH_ESTATE,
			    "story '%s' has been live since %s; it cannot be taken off the "
			    "schedule (withdraw it to remove it from the site)",
			    slug, when);
	if (was_at)
		*was_at = was;
	/* the date stays: published again, the story keeps it */
	rc = set_status(lib, id, ST_APPROVED, err);
	if (!rc) {
		char *detail = xasprintf("taken off the schedule (it was to be published at "
					 "%s); approved again, consent unchanged",
					 when);
		rc = lib_audit_add(lib, id, "unschedule", detail, err);
		free(detail);
	}
	return rc;
}

int lib_story_unschedule(hearth_lib *lib, const char *slug, int64_t *was_at,
			 struct hearth_err *err)
{
	int rc;

	if (was_at)
		*was_at = 0;
	if ((rc = lib_begin(lib, err)))
		return rc;
	return lib_end(lib, unschedule(lib, slug, was_at, err), err);
}

int lib_story_withdraw(hearth_lib *lib, const char *slug, const char *reason,
		       struct hearth_err *err)
{
	enum lib_status from;
	int64_t id;
	int rc;

	if ((rc = lib_begin(lib, err)))
		return rc;
	rc = find_for_move(lib, slug, ST_WITHDRAWN, &id, &from, err);
	if (!rc)
		rc = do_withdraw(lib, id, reason, err);
	return lib_end(lib, rc, err);
}

int lib_story_set_consent(hearth_lib *lib, const char *slug, bool site, bool podcast,
			  const char *recorded_by, const char *note,
			  struct hearth_err *err)
{
	enum lib_status status;
	int64_t id, now = hearth_now();
	int rc;

	if ((rc = lib_begin(lib, err)))
		return rc;
	if ((rc = lib_story_find(lib, slug, &id, &status, err)))
		return lib_end(lib, rc, err);
	if ((site || podcast) && status == ST_WITHDRAWN)
		return lib_end(lib,
			      herr(err, HEARTH_ESTATE,
				   "story '%s' is withdrawn; its consent cannot be given again "
				   "(the contributor withdrew it)",
				   slug),
			      err);
	/* given_at is when consent was last given; turning it off keeps the date */
	rc = lib_db_exec(lib, err,
			 "INSERT INTO consent (story_id, site, podcast, given_at, recorded_by, "
			 "note) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (story_id) DO "
			 "UPDATE SET site = excluded.site, podcast = excluded.podcast, "
			 "given_at = coalesce(excluded.given_at, consent.given_at), "
			 "recorded_by = excluded.recorded_by, note = excluded.note",
			 "Ibbzss", id, (int)site, (int)podcast, (site || podcast) ? now : (int64_t)0,
			 recorded_by, note);
	if (!rc)
		rc = lib_db_exec(lib, err, "UPDATE stories SET updated_at = ?1 WHERE id = ?2",
				 "II", now, id);
	if (!rc) {
		char *detail = xasprintf("site %s, podcast %s; recorded by %s%s%s",
					 site ? "yes" : "no", podcast ? "yes" : "no",
					 recorded_by ? recorded_by : "(nobody named)",
					 note ? ": " : "", note ? note : "");
		rc = lib_audit_add(lib, id, "consent", detail, err);
		free(detail);
	}
	return lib_end(lib, rc, err);
}

/* ---- the audit log ---------------------------------------------------- */

/* The whole log when slug is NULL, else the rows of one story; oldest first. */
int lib_audit_list(hearth_lib *lib, const char *slug, struct lib_audit **out,
		   size_t *n, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lib_audit *v = NULL;
	size_t len = 0;
	int64_t id = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (slug && (rc = lib_story_find(lib, slug, &id, NULL, err)))
		return rc;
	if (slug)
		rc = lib_db_prepare(lib, err, &st,
				    "SELECT at, actor, action, detail FROM audit "
				    "WHERE story_id = ?1 ORDER BY id",
				    "I", id);
	else
		rc = lib_db_prepare(lib, err, &st,
				    "SELECT at, actor, action, detail FROM audit ORDER BY id", "");
	if (rc)
		goto end;
	while ((rc = lib_db_step(lib, st, err)) == 1) {
		v = xrealloc(v, (len + 1) * sizeof *v);
		v[len].at = sqlite3_column_int64(st, 0);
		v[len].actor = lib_col_str(st, 1);
		v[len].action = lib_col_str(st, 2);
		v[len].detail = lib_col_str(st, 3);
		len++;
	}
end:
	sqlite3_finalize(st);
	if (rc) {
		lib_audit_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

void lib_audit_free(struct lib_audit *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].actor);
		free(v[i].action);
		free(v[i].detail);
	}
	free(v);
}
