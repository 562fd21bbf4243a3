/*
 * guard.c - what stands between a page and a stranger: rate limits per
 * address, one-time form tokens against cross-site forms, and the editor's
 * session cookie.
 *
 * Both tables are fixed in size and live for the server's life, behind
 * one mutex each, so memory stays flat whatever the number of clients:
 * the rate table evicts the address seen longest ago, the token table
 * the token nearest its expiry. Tokens are random (libsodium), compared
 * in constant time, spent on their first check, and bound to the hash of
 * the session cookie that came with the form's page (none for peers).
 * Sessions themselves are the library's (lib_session_*): the cookie holds
 * the token, the catalogue only its hash.
 */
#define _GNU_SOURCE
#include "serveInt.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SESSION_COOKIE "hearth_session"
#define SESSION_TTL (12 * 3600)
#define TOKEN_TTL (2 * 3600)
#define TOKEN_LEN 32   /* 24 random bytes in URL-safe base64 */
#define RATE_SLOTS 2048
#define TOKEN_SLOTS 8192

/* ---- rate limits ----------------------------------------------------------- */

static const struct {
	double burst;    /* tokens when full */
	double per_sec;  /* refill */
} RATES[RATE_KINDS] = {
	[RATE_CODE] = {20, 20.0 / 60},
	[RATE_SUBMIT] = {10, 10.0 / 3600},
	[RATE_FEEDBACK] = {5, 5.0 / 3600},
	[RATE_SIGNIN] = {5, 5.0 / 60},
};

struct bucket {
	char ip[48];
	int kind;        /* -1: free */
	double tokens;
	int64_t last_ms; /* when it was last filled and seen */
};

static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bucket buckets[RATE_SLOTS];
static bool buckets_ready;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool guard_rate_at(const char *ip, enum rate_kind k, int64_t now_ms, unsigned *retry_after)
{
	struct bucket *b = NULL, *oldest = NULL;
	bool ok;

	if ((int)k < 0 || k >= RATE_KINDS)
		return false;
	pthread_mutex_lock(&rate_lock);
	if (!buckets_ready) {
		for (size_t i = 0; i < RATE_SLOTS; i++)
			buckets[i].kind = -1;
		buckets_ready = true;
	}
	for (size_t i = 0; i < RATE_SLOTS; i++) {
		struct bucket *c = &buckets[i];
		if (c->kind == (int)k && !strcmp(c->ip, ip)) {
			b = c;
			break;
		}
		if (c->kind < 0) {
			if (!oldest || oldest->kind >= 0)
				oldest = c;
		} else if (!oldest || (oldest->kind >= 0 && c->last_ms < oldest->last_ms)) {
			oldest = c;
		}
	}
	if (!b) {
		b = oldest;
		snprintf(b->ip, sizeof b->ip, "%s", ip);
		b->kind = (int)k;
		b->tokens = RATES[k].burst;
		b->last_ms = now_ms;
	}
	if (now_ms > b->last_ms) {
		b->tokens += (double)(now_ms - b->last_ms) / 1000.0 * RATES[k].per_sec;
		if (b->tokens > RATES[k].burst)
			b->tokens = RATES[k].burst;
	}
	b->last_ms = now_ms > b->last_ms ? now_ms : b->last_ms;
	ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	else if (retry_after) {
		double secs = (1.0 - b->tokens) / RATES[k].per_sec;
		*retry_after = (unsigned)secs + (secs > (unsigned)secs || secs < 1);
	}
	pthread_mutex_unlock(&rate_lock);
	return ok;
}

bool guard_rate(struct req *r, enum rate_kind k, unsigned *retry_after)
{
	return guard_rate_at(req_ip(r), k, mono_ms(), retry_after);
}

/* ---- one-time form tokens ------------------------------------------------------ */

struct token {
	char tok[TOKEN_LEN];
	unsigned char bound[crypto_generichash_BYTES]; /* zeros: not bound */
	int64_t expires;                               /* 0: free */
};

static pthread_mutex_t token_lock = PTHREAD_MUTEX_INITIALIZER;
static struct token tokens[TOKEN_SLOTS];

static void bound_hash(const char *bound, unsigned char out[crypto_generichash_BYTES])
{
	memset(out, 0, crypto_generichash_BYTES);
	if (bound && *bound)
		crypto_generichash(out, crypto_generichash_BYTES, (const unsigned char *)bound,
				   strlen(bound), NULL, 0);
}

void guard_token_new(const char *bound, int64_t now, char out[48])
{
	unsigned char rnd[24];
	struct token *slot = NULL;

	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2base64(out, 48, rnd, sizeof rnd, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	pthread_mutex_lock(&token_lock);
	for (size_t i = 0; i < TOKEN_SLOTS; i++) {
		struct token *t = &tokens[i];
		if (t->expires <= now) {
			slot = t;
			break;
		}
		if (!slot || t->expires < slot->expires)
			slot = t;
	}
	memcpy(slot->tok, out, TOKEN_LEN);
	bound_hash(bound, slot->bound);
	slot->expires = now + TOKEN_TTL;
	pthread_mutex_unlock(&token_lock);
}

bool guard_token_spend(const char *token, const char *bound, int64_t now)
{
	unsigned char want[crypto_generichash_BYTES];
	struct token found = {0};
	bool hit = false;

	if (!token || strlen(token) != TOKEN_LEN)
		return false;
	bound_hash(bound, want);
	pthread_mutex_lock(&token_lock);
	for (size_t i = 0; i < TOKEN_SLOTS; i++) {
		struct token *t = &tokens[i];
		if (t->expires && !sodium_memcmp(t->tok, token, TOKEN_LEN) && !hit) {
			found = *t;
			memset(t, 0, sizeof *t);
			hit = true;
		}
	}
	pthread_mutex_unlock(&token_lock);
	return hit && found.expires > now &&
	       !sodium_memcmp(found.bound, want, crypto_generichash_BYTES);
}

static int64_t mono_s(void)
{
	return mono_ms() / 1000;
}

void guard_form_token(struct req *r, char out[48])
{
	guard_token_new(req_cookie(r, SESSION_COOKIE), mono_s(), out);
}

bool guard_form_ok(struct req *r)
{
	return guard_token_spend(req_field(r, "csrf"), req_cookie(r, SESSION_COOKIE), mono_s());
}

void html_form(struct html *h, struct req *r, const char *action, bool multipart)
{
	char tok[48];
	guard_form_token(r, tok);
	html_open(h, "form", "method", "post", "action", action, "enctype",
		  multipart ? "multipart/form-data" : NULL, NULL);
	html_void(h, "input", "type", "hidden", "name", "csrf", "value", tok, NULL);
}

/* ---- editors' sessions ------------------------------------------------------------ */

bool guard_editor(struct req *r, struct lib_editor *e)
{
	struct hearth_err err = {0};
	const char *token = req_cookie(r, SESSION_COOKIE);
	hearth_lib *lib;

	memset(e, 0, sizeof *e);
	if (!token || !*token || req_lib(r, NULL, &lib, &err))
		return false;
	if (lib_session_find(lib, token, e, &err)) {
		memset(e, 0, sizeof *e);
		return false;
	}
	lib_set_actor(lib, e->name);
	return true;
}

int guard_sign_in(struct req *r, int64_t editor_id, struct hearth_err *err)
{
	hearth_lib *lib;
	char *token = NULL;
	int rc;

	if ((rc = req_lib(r, NULL, &lib, err)) ||
	    (rc = lib_session_new(lib, editor_id, SESSION_TTL, &token, err)))
		return rc;
	resp_cookie(r, SESSION_COOKIE, token, "/editor", SESSION_TTL);
	sodium_memzero(token, strlen(token));
	free(token);
	return 0;
}

void guard_sign_out(struct req *r)
{
	struct hearth_err err = {0};
	const char *token = req_cookie(r, SESSION_COOKIE);
	hearth_lib *lib;

	if (token && *token && !req_lib(r, NULL, &lib, &err))
		lib_session_end(lib, token, &err);
	resp_cookie(r, SESSION_COOKIE, "", "/editor", 0);
}
