/*
 * invite.c - invitations to submit: the links `hearth invite` prints and the
 * submission form will accept. A token is 32 random bytes from libsodium in
 * URL-safe base64; the catalogue keeps only its BLAKE2b hash (hex), so
 * neither the catalogue, its export nor a listing can give a token back.
 * Spending a use checks and counts in one statement inside one transaction.
 */
#include "libraryInt.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_BYTES 32
#define HASH_BYTES 32
/* Longer than any token we make: refused before it is even hashed. */
#define TOKEN_MAX 256

/* The hex BLAKE2b-256 of token, as stored in invites.token_hash. */
static void token_hash(const char *token, char hex[2 * HASH_BYTES + 1])
{
	unsigned char h[HASH_BYTES];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(hex, 2 * HASH_BYTES + 1, h, sizeof h);
	sodium_memzero(h, sizeof h);
}

int lib_invite_new(hearth_lib *lib, const char *note, int64_t expires_at, int64_t uses,
		   char **token, int64_t *id, struct hearth_err *err)
{
	unsigned char raw[TOKEN_BYTES];
	char hex[2 * HASH_BYTES + 1];
	size_t len = sodium_base64_ENCODED_LEN(TOKEN_BYTES,
					       sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *tok = NULL;
	int64_t new_id = 0;
	int rc;

	*token = NULL;
	if (uses == 0 || uses < -1)
		return herr(err, HEARTH_EINVAL, "invite: uses: expected at least 1, got %lld",
			    (long long)uses);
	if (expires_at < 0)
		return herr(err, HEARTH_EINVAL, "invite: expires: not a valid time");
	if ((rc = lib_crypto_ready(err)))
		return rc;
	randombytes_buf(raw, sizeof raw);
	tok = xmalloc(len);
	sodium_bin2base64(tok, len, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	token_hash(tok, hex);

	if ((rc = lib_begin(lib, err)))
		goto end;
	rc = lib_db_exec(lib, err,
			 "INSERT INTO invites (token_hash, note, created_at, created_by, "
			 "expires_at, uses_left) VALUES (?1, ?2, ?3, ?4, ?5, "
			 "CASE WHEN ?6 < 0 THEN NULL ELSE ?6 END)",
			 "ssIszI", hex, note && *note ? note : NULL, hearth_now(), lib->actor,
			 expires_at, uses);
	if (!rc) {
		new_id = sqlite3_last_insert_rowid(lib->db);
		char detail[64];
		snprintf(detail, sizeof detail, "invite %lld created", (long long)new_id);
		rc = lib_audit_add(lib, 0, "invite", detail, err);
	}
	rc = lib_end(lib, rc, err);
end:
	if (rc) {
		free(tok);
		return rc;
	}
	if (id)
		*id = new_id;
	*token = tok;
	return 0;
}

void lib_invite_list_free(struct lib_invite *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].note);
		free(v[i].created_by);
	}
	free(v);
}

int lib_invite_list(hearth_lib *lib, struct lib_invite **out, size_t *n,
		    struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lib_invite *v = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	rc = lib_db_prepare(lib, err, &st,
			    "SELECT id, note, created_at, created_by, expires_at, uses_left, "
			    "revoked_at FROM invites ORDER BY id",
			    "");
	while (!rc && (rc = lib_db_step(lib, st, err)) == 1) {
		v = xrealloc(v, (len + 1) * sizeof *v);
		struct lib_invite *iv = &v[len++];
		iv->id = sqlite3_column_int64(st, 0);
		iv->note = lib_col_str(st, 1);
		iv->created_at = sqlite3_column_int64(st, 2);
		iv->created_by = lib_col_str(st, 3);
		iv->expires_at = sqlite3_column_int64(st, 4);
		iv->uses_left = sqlite3_column_type(st, 5) == SQLITE_NULL
					? -1
					: sqlite3_column_int64(st, 5);
		iv->revoked_at = sqlite3_column_int64(st, 6);
		rc = 0;
	}
	sqlite3_finalize(st);
	rc = lib_end(lib, rc, err);
	if (rc) {
		lib_invite_list_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int lib_invite_revoke(hearth_lib *lib, int64_t id, struct hearth_err *err)
{
	int64_t revoked = 0;
	int rc;

	if ((rc = lib_begin(lib, err)))
		return rc;
	rc = lib_db_int(lib, err, &revoked,
			"SELECT coalesce(revoked_at, 0) FROM invites WHERE id = ?1", "I", id);
	if (rc == 0)
		rc = herr(err, HEARTH_ENOENT, "invite %lld does not exist", (long long)id);
	else if (rc == 1 && revoked)
		rc = herr(err, HEARTH_ESTATE, "invite %lld is already revoked", (long long)id);
	else if (rc == 1)
		rc = lib_db_exec(lib, err, "UPDATE invites SET revoked_at = ?1 WHERE id = ?2", "II",
				 hearth_now(), id);
	if (!rc) {
		char detail[64];
		snprintf(detail, sizeof detail, "invite %lld revoked", (long long)id);
		rc = lib_audit_add(lib, 0, "invite_revoke", detail, err);
	}
	return lib_end(lib, rc, err);
}

/*
 * The invitation a token names, if it can be used now: with spend, one
 * use is taken in the same statement (so no use is spent twice) and
 * audited, in a write transaction; without, only looked at. Every refusal
 * is the one LIB_INVITE_REFUSED.
 */
static int invite_match(hearth_lib *lib, const char *token, bool spend, int64_t *id,
			struct hearth_err *err)
{
	static const char usable[] =
		"token_hash = ?1 AND revoked_at IS NULL "
		"AND (expires_at IS NULL OR expires_at > ?2) "
		"AND (uses_left IS NULL OR uses_left > 0)";
	char hex[2 * HASH_BYTES + 1], sql[320];
	int64_t got = 0;
	int rc;

	if (!token || !*token || strlen(token) > TOKEN_MAX)
		return herr(err, HEARTH_ENOENT, "%s", LIB_INVITE_REFUSED);
	if ((rc = lib_crypto_ready(err)))
		return rc;
	token_hash(token, hex);
	if ((rc = spend ? lib_begin(lib, err) : lib_begin_read(lib, err)))
		return rc;
	snprintf(sql, sizeof sql,
		 spend ? "UPDATE invites SET uses_left = uses_left - 1 WHERE %s RETURNING id"
		       : "SELECT id FROM invites WHERE %s",
		 usable);
	rc = lib_db_int(lib, err, &got, sql, "sI", hex, hearth_now());
	if (rc == 0) {
		rc = herr(err, HEARTH_ENOENT, "%s", LIB_INVITE_REFUSED);
	} else if (rc == 1 && spend) {
		char detail[64];
		snprintf(detail, sizeof detail, "invite %lld used", (long long)got);
		rc = lib_audit_add(lib, 0, "invite_use", detail, err);
	} else if (rc == 1) {
		rc = 0;
	}
	rc = lib_end(lib, rc, err);
	if (!rc && id)
		*id = got;
	return rc;
}

int lib_invite_use(hearth_lib *lib, const char *token, int64_t *id,
		   struct hearth_err *err)
{
	return invite_match(lib, token, true, id, err);
}

int lib_invite_check(hearth_lib *lib, const char *token, struct hearth_err *err)
{
	return invite_match(lib, token, false, NULL, err);
}
