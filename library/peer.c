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

/* ---- not yet written: each says so ------------------------------------ */

static int later(struct hearth_err *err)
{
	return herr(err, HEARTH_ESTATE, "not available in this version yet");
}

int lib_story_peer_get(hearth_lib *lib, const char *slug, struct lib_story_peer *out,
		       struct hearth_err *err)
{
	(void)lib; (void)slug;
	memset(out, 0, sizeof *out);
	return later(err);
}
void lib_story_peer_release(struct lib_story_peer *p)
{
	if (p) {
		free(p->via);
		p->via = NULL;
	}
}
int lib_story_review(hearth_lib *lib, const char *slug, enum lib_status to,
		     const char *note, const char *message, struct hearth_err *err)
{
	(void)lib; (void)slug; (void)to; (void)note; (void)message;
	return later(err);
}
int lib_story_confirm(hearth_lib *lib, const char *slug, int64_t version,
		      struct hearth_err *err)
{
	(void)lib; (void)slug; (void)version;
	return later(err);
}
void lib_message_list_free(struct lib_message *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].body);
	free(v);
}
int lib_message_add(hearth_lib *lib, const char *slug, bool from_peer, const char *body,
		    struct hearth_err *err)
{
	(void)lib; (void)slug; (void)from_peer; (void)body;
	return later(err);
}
int lib_message_list(hearth_lib *lib, const char *slug, struct lib_message **out,
		     size_t *n, struct hearth_err *err)
{
	(void)lib; (void)slug;
	*out = NULL;
	*n = 0;
	return later(err);
}
int lib_story_revise(hearth_lib *lib, const char *slug, const struct lib_story *in,
		     const char *message, bool *held, struct hearth_err *err)
{
	(void)lib; (void)slug; (void)in; (void)message; (void)held;
	return later(err);
}
int lib_revision_get(hearth_lib *lib, const char *slug, struct lib_story **out,
		     struct hearth_err *err)
{
	(void)lib; (void)slug;
	*out = NULL;
	return later(err);
}
int lib_revision_decide(hearth_lib *lib, const char *slug, bool approve,
			const char *message, struct hearth_err *err)
{
	(void)lib; (void)slug; (void)approve; (void)message;
	return later(err);
}
int lib_story_withdraw_channels(hearth_lib *lib, const char *slug, bool site, bool podcast,
				const char *by, bool *now_withdrawn, struct hearth_err *err)
{
	(void)lib; (void)slug; (void)site; (void)podcast; (void)by; (void)now_withdrawn;
	return later(err);
}
int lib_story_request_erasure(hearth_lib *lib, const char *slug, struct hearth_err *err)
{
	(void)lib; (void)slug;
	return later(err);
}
void lib_feedback_list_free(struct lib_feedback *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].page);
		free(v[i].body);
		free(v[i].contact);
	}
	free(v);
}
int lib_feedback_add(hearth_lib *lib, const char *page, const char *body,
		     const char *contact, struct hearth_err *err)
{
	(void)lib; (void)page; (void)body; (void)contact;
	return later(err);
}
int lib_feedback_list(hearth_lib *lib, struct lib_feedback **out, size_t *n,
		      struct hearth_err *err)
{
	(void)lib;
	*out = NULL;
	*n = 0;
	return later(err);
}
