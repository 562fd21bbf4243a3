/*
 * editor.c - editors' accounts and their sessions in the console. A
 * password is kept only as its Argon2id hash (libsodium's
 * crypto_pwhash_str, interactive limits); a sign-in with an unknown name
 * is checked against a fixed dummy hash of the same cost, so the time an
 * answer takes does not tell which names exist, and every refusal is the
 * same. A session is a random token in the editor's cookie; the catalogue
 * keeps only its BLAKE2b hash and when it expires. Removing an editor or
 * changing their password ends their sessions. Sessions are bookkeeping,
 * not a change to what is published: they do not raise the generation.
 */
#include "libraryInt.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS 64
#define PASSWORD_MAX_BYTES 1024
#define SESSION_BYTES 32
/* Longer than any token we make: refused before it is even hashed. */
#define SESSION_TOKEN_MAX 128

/*
 * An Argon2id hash, at the interactive limits, of a random password nobody
 * knows: what an unknown name's password is checked against.
 */
static const char dummy_hash[crypto_pwhash_STRBYTES] =
	"$argon2id$v=19$m=65536,t=2,p=1$phtpuuEvl080EEWWWsEiFw$"
	"PHmJtRi3kuMtXooFSnJu+9XLNs2LCLam9N/iIhwbyec";

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n < 1 || n > NAME_MAX_CHARS)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return false;
	return true;
}

static int check_name(const char *name, struct hearth_err *err)
{
	if (!name_ok(name))
		return herr(err, HEARTH_EINVAL,
			    "editor name '%s': use 1 to %d letters, digits, '.', '_' and '-'",
			    name ? name : "", NAME_MAX_CHARS);
	return 0;
}

static int check_password(const char *password, struct hearth_err *err)
{
	size_t n = password ? strlen(password) : 0;
	if (n > PASSWORD_MAX_BYTES)
		return herr(err, HEARTH_EINVAL, "password: longer than %d bytes",
			    PASSWORD_MAX_BYTES);
	if (!password || !text_valid(password, n) || utf8_chars(password) < LIB_PASSWORD_MIN)
		return herr(err, HEARTH_EINVAL, "password: use at least %d characters",
			    LIB_PASSWORD_MIN);
	return 0;
}

/* The Argon2id hash of password into out (crypto_pwhash_STRBYTES). */
static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES],
			 struct hearth_err *err)
{
	int rc = lib_crypto_ready(err);
	if (rc)
		return rc;
	if (crypto_pwhash_str_alg(out, password, strlen(password),
				  crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return herr(err, HEARTH_EIO, "cannot hash the password: out of memory");
	return 0;
}

void lib_editor_release(struct lib_editor *e)
{
	if (e) {
		free(e->name);
		e->name = NULL;
	}
}

void lib_editor_list_free(struct lib_editor *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		lib_editor_release(&v[i]);
	free(v);
}

int lib_editor_add(hearth_lib *lib, const char *name, const char *password,
		   struct hearth_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	int64_t taken = 0;
	int rc;

	if ((rc = check_name(name, err)) || (rc = check_password(password, err)))
		return rc;
	/* the slow hash before the transaction, so nobody waits for it */
	if ((rc = hash_password(password, hash, err)))
		return rc;
	if ((rc = lib_begin(lib, err)))
		return rc;
	rc = lib_db_int(lib, err, &taken, "SELECT id FROM editors WHERE name = ?1", "s", name);
	if (rc == 1)
		rc = herr(err, HEARTH_EEXIST, "editor '%s' already exists", name);
	if (!rc)
		rc = lib_db_exec(lib, err,
				 "INSERT INTO editors (name, password_hash, created_at) "
				 "VALUES (?1, ?2, ?3)",
				 "ssI", name, hash, hearth_now());
	if (!rc) {
		char *detail = xasprintf("editor '%s' added", name);
		rc = lib_audit_add(lib, 0, "editor_add", detail, err);
		free(detail);
	}
	sodium_memzero(hash, sizeof hash);
	return lib_end(lib, rc, err);
}

/* The id of editor name, inside the caller's transaction; HEARTH_ENOENT when none. */
static int find_editor(hearth_lib *lib, const char *name, int64_t *id, struct hearth_err *err)
{
	int rc = lib_db_int(lib, err, id, "SELECT id FROM editors WHERE name = ?1", "s", name);
	if (rc == 0)
		return herr(err, HEARTH_ENOENT, "there is no editor '%s'", name ? name : "");
	return rc < 0 ? rc : 0;
}

int lib_editor_remove(hearth_lib *lib, const char *name, struct hearth_err *err)
{
	int64_t id = 0;
	int rc;

	if ((rc = lib_begin(lib, err)))
		return rc;
	if (!(rc = find_editor(lib, name, &id, err)) &&
	    !(rc = lib_db_exec(lib, err, "DELETE FROM sessions WHERE editor_id = ?1", "I", id)) &&
	    !(rc = lib_db_exec(lib, err, "DELETE FROM editors WHERE id = ?1", "I", id))) {
		char *detail = xasprintf("editor '%s' removed; their sessions ended", name);
		rc = lib_audit_add(lib, 0, "editor_remove", detail, err);
		free(detail);
	}
	return lib_end(lib, rc, err);
}

int lib_editor_passwd(hearth_lib *lib, const char *name, const char *password,
		      struct hearth_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	int64_t id = 0;
	int rc;

	if ((rc = check_password(password, err)) || (rc = hash_password(password, hash, err)))
		return rc;
	if ((rc = lib_begin(lib, err)))
		return rc;
	if (!(rc = find_editor(lib, name, &id, err)) &&
	    !(rc = lib_db_exec(lib, err, "UPDATE editors SET password_hash = ?1 WHERE id = ?2",
			       "sI", hash, id)) &&
	    !(rc = lib_db_exec(lib, err, "DELETE FROM sessions WHERE editor_id = ?1", "I", id))) {
		char *detail = xasprintf("password of editor '%s' changed; their sessions ended",
					 name);
		rc = lib_audit_add(lib, 0, "editor_passwd", detail, err);
		free(detail);
	}
	sodium_memzero(hash, sizeof hash);
	return lib_end(lib, rc, err);
}

int lib_editor_list(hearth_lib *lib, struct lib_editor **out, size_t *n,
		    struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	struct lib_editor *v = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = lib_begin_read(lib, err)))
		return rc;
	rc = lib_db_prepare(lib, err, &st,
			    "SELECT id, name, created_at FROM editors ORDER BY name", "");
	while (!rc && (rc = lib_db_step(lib, st, err)) == 1) {
		v = xrealloc(v, (len + 1) * sizeof *v);
		v[len].id = sqlite3_column_int64(st, 0);
		v[len].name = lib_col_str(st, 1);
		v[len].created_at = sqlite3_column_int64(st, 2);
		len++;
		rc = 0;
	}
	sqlite3_finalize(st);
	if ((rc = lib_end(lib, rc, err))) {
		lib_editor_list_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

int lib_editor_check(hearth_lib *lib, const char *name, const char *password,
		     struct lib_editor *out, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	char *hash = NULL;
	char stored[crypto_pwhash_STRBYTES];
	struct lib_editor e = {0};
	bool known = false, match;
	size_t plen = password ? strlen(password) : 0;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = lib_crypto_ready(err)))
		return rc;
	if (name_ok(name)) {
		if ((rc = lib_begin_read(lib, err)))
			return rc;
		rc = lib_db_prepare(lib, err, &st,
				    "SELECT id, name, created_at, password_hash FROM editors "
				    "WHERE name = ?1",
				    "s", name);
		if (!rc && (rc = lib_db_step(lib, st, err)) == 1) {
			known = true;
			e.id = sqlite3_column_int64(st, 0);
			e.name = lib_col_str(st, 1);
			e.created_at = sqlite3_column_int64(st, 2);
			hash = lib_col_str(st, 3);
			rc = 0;
		}
		sqlite3_finalize(st);
		if ((rc = lib_end(lib, rc, err))) {
			free(hash);
			lib_editor_release(&e);
			return rc;
		}
	}
	/* the same work whether the name is known or not */
	memcpy(stored, dummy_hash, sizeof stored);
	if (known && hash && strlen(hash) < sizeof stored) {
		memset(stored, 0, sizeof stored);
		memcpy(stored, hash, strlen(hash));
	}
	match = password && plen <= PASSWORD_MAX_BYTES &&
		crypto_pwhash_str_verify(stored, password, plen) == 0 && known;
	sodium_memzero(stored, sizeof stored);
	free(hash);
	if (!known || !match) {
		lib_editor_release(&e);
		return herr(err, HEARTH_EPERM, "%s", LIB_SIGNIN_REFUSED);
	}
	*out = e;
	return 0;
}

/* ---- sessions ---------------------------------------------------------- */

int lib_session_new(hearth_lib *lib, int64_t editor_id, int64_t ttl, char **token,
		    struct hearth_err *err)
{
	char hex[65];
	char *tok = NULL;
	int64_t now = hearth_now(), there = 0;
	int rc;

	*token = NULL;
	if (ttl <= 0)
		return herr(err, HEARTH_EINVAL, "session: a lifetime in seconds is needed");
	if ((rc = lib_crypto_ready(err)))
		return rc;
	tok = lib_token_new(SESSION_BYTES);
	lib_token_hash(tok, strlen(tok), hex);
	if ((rc = lib_begin(lib, err)))
		goto end;
	rc = lib_db_int(lib, err, &there, "SELECT id FROM editors WHERE id = ?1", "I", editor_id);
	if (rc == 0)
		rc = herr(err, HEARTH_ENOENT, "there is no editor %lld", (long long)editor_id);
	else if (rc == 1)
		rc = lib_db_exec(lib, err,
				 "INSERT INTO sessions (token_hash, editor_id, created_at, "
				 "expires_at) VALUES (?1, ?2, ?3, ?4)",
				 "sIII", hex, editor_id, now, now + ttl);
	if (!rc)
		lib_db_not_a_change(lib);
	rc = lib_end(lib, rc, err);
end:
	if (rc) {
		free(tok);
		return rc;
	}
	*token = tok;
	return 0;
}

int lib_session_find(hearth_lib *lib, const char *token, struct lib_editor *out,
		     struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	char hex[65];
	int64_t now = hearth_now();
	int rc;

	memset(out, 0, sizeof *out);
	if (!token || !*token || strlen(token) > SESSION_TOKEN_MAX)
		return herr(err, HEARTH_ENOENT, "no such session");
	if ((rc = lib_crypto_ready(err)))
		return rc;
	lib_token_hash(token, strlen(token), hex);
	if ((rc = lib_begin(lib, err)))
		return rc;
	rc = lib_db_exec(lib, err, "DELETE FROM sessions WHERE expires_at <= ?1", "I", now);
	if (!rc)
		lib_db_not_a_change(lib);
	if (!rc)
		rc = lib_db_prepare(lib, err, &st,
				    "SELECT e.id, e.name, e.created_at FROM sessions s JOIN editors e "
				    "ON e.id = s.editor_id WHERE s.token_hash = ?1 AND s.expires_at > ?2",
				    "sI", hex, now);
	if (!rc && (rc = lib_db_step(lib, st, err)) == 1) {
		out->id = sqlite3_column_int64(st, 0);
		out->name = lib_col_str(st, 1);
		out->created_at = sqlite3_column_int64(st, 2);
		rc = 0;
	} else if (rc == 0) {
		rc = herr(err, HEARTH_ENOENT, "no such session");
	}
	sqlite3_finalize(st);
	if ((rc = lib_end(lib, rc, err)))
		lib_editor_release(out);
	return rc;
}

int lib_session_end(hearth_lib *lib, const char *token, struct hearth_err *err)
{
	char hex[65];
	int rc;

	if (!token || !*token || strlen(token) > SESSION_TOKEN_MAX)
		return 0;
	if ((rc = lib_crypto_ready(err)))
		return rc;
	lib_token_hash(token, strlen(token), hex);
	if ((rc = lib_begin(lib, err)))
		return rc;
	rc = lib_db_exec(lib, err, "DELETE FROM sessions WHERE token_hash = ?1", "s", hex);
	if (!rc)
		lib_db_not_a_change(lib);
	return lib_end(lib, rc, err);
}
