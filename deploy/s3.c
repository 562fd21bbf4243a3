/*
 * s3.c - deploying to S3-compatible object storage (AWS S3, Cloudflare R2,
 * Backblaze B2, MinIO, Garage): s3://bucket/prefix at the endpoint of
 * deploy.s3_endpoint (AWS's regional one when unset), addressed by path
 * (endpoint/bucket/key) unless deploy.s3_path_style is off (bucket.host/key).
 *
 * Requests are signed by libcurl (CURLOPT_AWS_SIGV4, "aws:amz:REGION:s3").
 * What libcurl 7.88 does, and what this file therefore does itself: it
 * signs the path and the query exactly as they are in the URL, so keys are
 * escaped here the way SigV4 wants (every byte but A-Z a-z 0-9 - . _ ~ and
 * '/'), and a query is written with its parameters already sorted and
 * escaped; it signs every header set with CURLOPT_HTTPHEADER, so none is
 * set that curl will not send (no "Expect:" to drop one); and it hashes
 * only POSTFIELDS as the payload, so every request carries its own
 * x-amz-content-sha256 (the SHA-256 of the file for a PUT, of nothing
 * otherwise), which libcurl then uses, and which S3 requires anyway. The
 * session token, when there is one, goes in x-amz-security-token (signed
 * with the rest). Credentials come from the environment only.
 *
 * The prefix is listed with ListObjectsV2, page by page (continuation
 * tokens); an object whose ETag is the MD5 of the file (a single-part
 * upload's) is not sent again. Every file goes up in one PUT with its
 * Content-Type and Cache-Control; then what the site no longer has is
 * deleted, one DELETE each.
 */
#define _GNU_SOURCE
#include "deployInt.h"

#include <curl/curl.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <nettle/md5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef HEARTH_VERSION
#define HEARTH_VERSION "0.1.0"
#endif

/* The SHA-256 of nothing: the payload of a GET or a DELETE. */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/* The most an answer (a page of a listing, an error) may hold. */
#define MAX_ANSWER (32 * 1024 * 1024)

/* ---- pieces the unit tests see ----------------------------------------- */

void dep_uri_escape(struct buf *b, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || (c == '/' && keep_slash)) {
			buf_putc(b, (char)c);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

bool dep_etag_matches(const char *etag, const unsigned char md5[16])
{
	static const char hex[] = "0123456789abcdef";
	const char *e = etag;
	size_t n;

	if (!e)
		return false;
	if (!strncmp(e, "W/", 2))
		return false; /* a weak tag says nothing of the bytes */
	if (*e == '"')
		e++;
	n = strcspn(e, "\"");
	if (n != 32 || (e[n] == '"' && e[n + 1] != '\0'))
		return false;
	for (size_t i = 0; i < 16; i++) {
		char hi = (char)(e[2 * i] | 0x20), lo = (char)(e[2 * i + 1] | 0x20);
		if (hi != hex[md5[i] >> 4] || lo != hex[md5[i] & 15])
			return false;
	}
	return true;
}

void dep_listing_release(struct dep_listing *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->objects[i].rel);
		free(l->objects[i].etag);
	}
	free(l->objects);
	memset(l, 0, sizeof *l);
}

static bool named(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* The text of the first child element called name, or NULL; new allocation. */
static char *child_text(const xmlNode *parent, const char *name)
{
	for (const xmlNode *c = parent->children; c; c = c->next)
		if (named(c, name)) {
			xmlChar *t = xmlNodeGetContent(c);
			char *s = xstrdup(t ? (const char *)t : "");
			xmlFree(t);
			return s;
		}
	return NULL;
}

int dep_s3_parse_list(const char *xml, size_t n, const char *prefix,
		      struct dep_listing *list, char **next, struct hearth_err *err)
{
	xmlDoc *doc = NULL;
	const xmlNode *root;
	char *truncated = NULL;
	size_t pn = strlen(prefix);
	int rc = 0;

	*next = NULL;
	if (n > (size_t)MAX_ANSWER ||
	    !(doc = xmlReadMemory(xml, (int)n, "list.xml", NULL,
				  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING))) {
		rc = herr(err, HEARTH_EINVAL, "the object store's listing is not XML");
		goto end;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || !named(root, "ListBucketResult")) {
		rc = herr(err, HEARTH_EINVAL,
			  "the object store's listing is not a ListBucketResult");
		goto end;
	}
	for (const xmlNode *c = root->children; c; c = c->next) {
		if (!named(c, "Contents"))
			continue;
		char *key = child_text(c, "Key"), *etag = child_text(c, "ETag");
		char *size = child_text(c, "Size");
		if (key && strlen(key) > pn && !strncmp(key, prefix, pn)) {
			list->objects = xrealloc(list->objects,
						 (list->n + 1) * sizeof *list->objects);
			list->objects[list->n++] = (struct dep_object){
				.rel = xstrdup(key + pn), .etag = etag,
				.size = size ? strtoll(size, NULL, 10) : -1};
			etag = NULL;
		}
		free(key);
		free(etag);
		free(size);
	}
	truncated = child_text(root, "IsTruncated");
	if (truncated && !strcmp(truncated, "true")) {
		*next = child_text(root, "NextContinuationToken");
		if (!*next || !**next) {
			xfree(next);
			rc = herr(err, HEARTH_EINVAL,
				  "the object store's listing is cut short without a "
				  "continuation token");
		}
	}
end:
	free(truncated);
	xmlFreeDoc(doc);
	return rc;
}

int dep_s3_check_env(struct hearth_err *err)
{
	const char *id = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
	if (!id || !*id || !secret || !*secret)
		return herr(err, HEARTH_EINVAL,
			    "s3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the "
			    "environment (AWS_SESSION_TOKEN too for temporary credentials); "
			    "credentials are never read from the library");
	if (strchr(id, '\n') || strchr(secret, '\n'))
		return herr(err, HEARTH_EINVAL, "s3: the credentials hold a line break");
	const char *token = getenv("AWS_SESSION_TOKEN");
	if (token && (strchr(token, '\n') || strchr(token, '\r')))
		return herr(err, HEARTH_EINVAL, "s3: AWS_SESSION_TOKEN holds a line break");
	return 0;
}

/* ---- requests ------------------------------------------------------------ */

struct s3 {
	CURL *h;
	char *base;        /* "scheme://host[:port]/bucket" or "scheme://bucket.host[:port]" */
	char *sigv4;       /* "aws:amz:REGION:s3" */
	char *prefix;      /* "" or "prefix/" */
	const char *token; /* AWS_SESSION_TOKEN, or NULL */
	long timeout;
	const char *user_agent;
};

static size_t take_answer(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	if (b->len + size * n > MAX_ANSWER)
		return 0;
	buf_add(b, data, size * n);
	return size * n;
}

/* What an error answer says (<Code>: <Message>), or ""; new allocation. */
static char *answer_error(const struct buf *a)
{
	xmlDoc *doc = a->len && a->len < MAX_ANSWER
		? xmlReadMemory(a->data, (int)a->len, "error.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
		: NULL;
	const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	char *code = root ? child_text(root, "Code") : NULL;
	char *msg = root ? child_text(root, "Message") : NULL;
	char *out = code ? xasprintf(": %s%s%s", code, msg && *msg ? ": " : "", msg ? msg : "")
			 : xstrdup("");
	free(code);
	free(msg);
	xmlFreeDoc(doc);
	return out;
}

struct put {
	FILE *body;
	int64_t size;
	const char *sha256;
	const char *type;
	const char *cache;
};

/*
 * One request: method on the object at prefix + rel (escaped here; rel
 * NULL for the bucket itself), with query (already canonical) when not NULL, and the body of
 * put for a PUT. The answer goes into answer; *status gets the HTTP status.
 * Fails only when no answer came.
 */
static int request(struct s3 *s, const char *method, const char *rel, const char *query,
		   const struct put *put, struct buf *answer, long *status,
		   struct hearth_err *err)
{
	struct buf url = BUF_INIT, hdr = BUF_INIT;
	struct curl_slist *headers = NULL;
	char curl_msg[CURL_ERROR_SIZE] = "";
	CURLcode cc;
	int rc = 0;

	*status = 0;
	buf_puts(&url, s->base);
	buf_putc(&url, '/');
	if (rel) {
		struct buf key = BUF_INIT;
		buf_puts(&key, s->prefix);
		buf_puts(&key, rel);
		dep_uri_escape(&url, buf_cstr(&key), true);
		buf_release(&key);
	}
	if (query) {
		buf_putc(&url, '?');
		buf_puts(&url, query);
	}
	buf_printf(&hdr, "x-amz-content-sha256: %s", put ? put->sha256 : EMPTY_SHA256);
	headers = curl_slist_append(headers, buf_cstr(&hdr));
	if (s->token) {
		buf_reset(&hdr);
		buf_printf(&hdr, "x-amz-security-token: %s", s->token);
		headers = curl_slist_append(headers, buf_cstr(&hdr));
	}
	if (put) {
		buf_reset(&hdr);
		buf_printf(&hdr, "content-type: %s", put->type);
		headers = curl_slist_append(headers, buf_cstr(&hdr));
		buf_reset(&hdr);
		buf_printf(&hdr, "cache-control: %s", put->cache);
		headers = curl_slist_append(headers, buf_cstr(&hdr));
	}
	if (!headers) {
		rc = herr(err, HEARTH_EIO, "s3: out of memory");
		goto end;
	}

	CURL *h = s->h;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, buf_cstr(&url));
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, s->timeout < 10 ? s->timeout : 10L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, s->timeout);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_msg);
	curl_easy_setopt(h, CURLOPT_USERAGENT, s->user_agent);
	curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_AWS_SIGV4);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, s->sigv4);
	curl_easy_setopt(h, CURLOPT_USERNAME, getenv("AWS_ACCESS_KEY_ID"));
	curl_easy_setopt(h, CURLOPT_PASSWORD, getenv("AWS_SECRET_ACCESS_KEY"));
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, take_answer);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, answer);
	if (put) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READDATA, put->body);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)put->size);
	} else if (strcmp(method, "GET")) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		if (!strcmp(method, "DELETE"))
			curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
	}
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		rc = herr(err, HEARTH_EIO, "s3: %s %s: %s", method, buf_cstr(&url),
			  curl_msg[0] ? curl_msg : curl_easy_strerror(cc));
		goto end;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
end:
	curl_slist_free_all(headers);
	buf_release(&url);
	buf_release(&hdr);
	return rc;
}

/* A request that must answer 2xx; the message names the object and what S3 said. */
static int request_ok(struct s3 *s, const char *method, const char *rel, const char *query,
		      const struct put *put, struct buf *answer, struct hearth_err *err)
{
	long status;
	int rc = request(s, method, rel, query, put, answer, &status, err);
	if (rc)
		return rc;
	if (status >= 200 && status < 300)
		return 0;
	if (!strcmp(method, "DELETE") && status == 404)
		return 0; /* gone already */
	char *why = answer_error(answer);
	if (rel)
		rc = herr(err, HEARTH_EIO, "s3: %s %s%s: HTTP %ld%s", method, s->prefix, rel,
			  status, why);
	else
		rc = herr(err, HEARTH_EIO, "s3: listing the bucket: HTTP %ld%s", status, why);
	free(why);
	return rc;
}

static int by_object_rel(const void *a, const void *b)
{
	const struct dep_object *x = a, *y = b;
	return strcmp(x->rel, y->rel);
}

/* Every object under the prefix, sorted by rel, page by page. */
static int list_all(struct s3 *s, struct dep_listing *list, struct hearth_err *err)
{
	const char *max = getenv("HEARTH_DEPLOY_LIST_MAX"); /* pages this small: tests */
	long max_keys = 0;
	char *token = NULL;
	struct buf q = BUF_INIT, answer = BUF_INIT;
	int rc = 0;

	if (max && *max)
		max_keys = strtol(max, NULL, 10);
	for (int page = 0; page < 1000000; page++) {
		/* the parameters sorted by name, escaped as SigV4 wants */
		buf_reset(&q);
		if (token) {
			buf_puts(&q, "continuation-token=");
			dep_uri_escape(&q, token, false);
			buf_putc(&q, '&');
		}
		buf_puts(&q, "list-type=2");
		if (max_keys > 0 && max_keys <= 1000)
			buf_printf(&q, "&max-keys=%ld", max_keys);
		buf_puts(&q, "&prefix=");
		dep_uri_escape(&q, s->prefix, false);
		buf_reset(&answer);
		xfree(&token);
		if ((rc = request_ok(s, "GET", NULL, buf_cstr(&q), NULL, &answer, err)) ||
		    (rc = dep_s3_parse_list(answer.data ? answer.data : "", answer.len, s->prefix,
					    list, &token, err)))
			goto end;
		if (!token)
			break;
	}
	if (list->n > 1)
		qsort(list->objects, list->n, sizeof *list->objects, by_object_rel);
end:
	free(token);
	buf_release(&q);
	buf_release(&answer);
	return rc;
}

static const struct dep_object *find_object(const struct dep_listing *l, const char *rel)
{
	struct dep_object key = {.rel = (char *)(uintptr_t)rel};
	return l->n ? bsearch(&key, l->objects, l->n, sizeof *l->objects, by_object_rel) : NULL;
}

/* The MD5 of a file (md5 set) or its SHA-256 in hex (sha set), from the start. */
static int hash_file(FILE *f, const char *path, unsigned char *md5, char *sha,
		     struct hearth_err *err)
{
	struct md5_ctx m;
	struct sha256 h;
	char chunk[1 << 16];
	size_t n;

	rewind(f);
	md5_init(&m);
	sha256_init(&h);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (md5)
			md5_update(&m, n, (const uint8_t *)chunk);
		if (sha)
			sha256_update(&h, chunk, n);
	}
	if (ferror(f))
		return herr(err, HEARTH_EIO, "cannot read '%s': %s", path, strerror(errno));
	if (md5)
		md5_digest(&m, MD5_DIGEST_SIZE, md5);
	if (sha)
		sha256_final_hex(&h, sha);
	rewind(f);
	return 0;
}

/*
 * Sends the file at path (size bytes) as rel unless the object there has
 * its bytes: an object of another size is not hashed for, only one of the
 * same size is compared by MD5. What is sent is hashed (SHA-256) for the
 * signature.
 */
static int send_file(struct s3 *s, const struct dep_listing *remote, const char *path,
		     const char *rel, int64_t size, bool *sent, struct hearth_err *err)
{
	FILE *f = fopen(path, "rb");
	unsigned char md5[16];
	char sha[65];
	struct buf answer = BUF_INIT;
	const struct dep_object *obj = find_object(remote, rel);
	int rc = 0;

	*sent = false;
	if (!f)
		return herr(err, HEARTH_EIO, "cannot read '%s': %s", path, strerror(errno));
	if (obj && obj->size == size) {
		if ((rc = hash_file(f, path, md5, NULL, err)))
			goto end;
		if (dep_etag_matches(obj->etag, md5))
			goto end;
	}
	if ((rc = hash_file(f, path, NULL, sha, err)))
		goto end;
	struct put put = {.body = f, .size = size, .sha256 = sha,
			  .type = deploy_content_type(rel), .cache = deploy_cache_control(rel)};
	if ((rc = request_ok(s, "PUT", rel, NULL, &put, &answer, err)))
		goto end;
	*sent = true;
end:
	fclose(f);
	buf_release(&answer);
	return rc;
}

/* Fills s from the settings: the base address, the signing string, the prefix. */
static int s3_open(struct s3 *s, const struct deploy_dest *d, const struct deploy_opts *o,
		   struct hearth_err *err)
{
	const struct lib_settings *set = o->settings;
	const char *region = set && set->deploy_s3_region ? set->deploy_s3_region : "us-east-1";
	bool path_style = set ? set->deploy_s3_path_style : true;
	char *endpoint = set && set->deploy_s3_endpoint
		? xstrdup(set->deploy_s3_endpoint)
		: xasprintf("https://s3.%s.amazonaws.com", region);
	int rc = 0;

	memset(s, 0, sizeof *s);
	for (const char *p = region; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) {
			rc = herr(err, HEARTH_EINVAL,
				  "deploy.s3_region: '%s' is not a region name (like eu-west-1)",
				  region);
			goto end;
		}
	if ((rc = url_check(endpoint, err))) {
		herr_prefix(err, "deploy.s3_endpoint: '%s'", endpoint);
		goto end;
	}
	const char *auth = strstr(endpoint, "://") + 3;
	size_t an = strcspn(auth, "/");
	if (auth[an] && strcmp(auth + an, "/")) {
		rc = herr(err, HEARTH_EINVAL,
			  "deploy.s3_endpoint: '%s': an endpoint is a scheme and a host, no path",
			  endpoint);
		goto end;
	}
	if (path_style)
		s->base = xasprintf("%.*s/%s", (int)(auth - endpoint + an), endpoint, d->bucket);
	else
		s->base = xasprintf("%.*s%s.%.*s", (int)(auth - endpoint), endpoint, d->bucket,
				    (int)an, auth);
	s->sigv4 = xasprintf("aws:amz:%s:s3", region);
	s->prefix = *d->prefix ? xasprintf("%s/", d->prefix) : xstrdup("");
	s->token = getenv("AWS_SESSION_TOKEN");
	if (s->token && !*s->token)
		s->token = NULL;
	s->timeout = o->timeout > 0 ? o->timeout : DEPLOY_TIMEOUT;
	s->user_agent = o->user_agent ? o->user_agent : "hearth/" HEARTH_VERSION;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(s->h = curl_easy_init()))
		rc = herr(err, HEARTH_EIO, "s3: cannot start libcurl");
end:
	free(endpoint);
	return rc;
}

static void s3_close(struct s3 *s)
{
	if (s->h) {
		curl_easy_cleanup(s->h);
		curl_global_cleanup();
	}
	free(s->base);
	free(s->sigv4);
	free(s->prefix);
	memset(s, 0, sizeof *s);
}

static int put_marker(struct s3 *s, struct hearth_err *err)
{
	static const char text[] = "hearth deploy: this prefix is published by 'hearth deploy',\n"
				   "which deletes here what the site no longer has\n";
	char sha[65];
	struct buf answer = BUF_INIT;
	FILE *f = tmpfile();
	int rc;

	if (!f || fwrite(text, 1, sizeof text - 1, f) != sizeof text - 1) {
		if (f)
			fclose(f);
		return herr(err, HEARTH_EIO, "cannot make a temporary file: %s", strerror(errno));
	}
	rewind(f);
	sha256_hex(text, sizeof text - 1, sha);
	struct put put = {.body = f, .size = sizeof text - 1, .sha256 = sha,
			  .type = "text/plain; charset=utf-8", .cache = "no-cache"};
	rc = request_ok(s, "PUT", DEPLOY_MARKER, NULL, &put, &answer, err);
	fclose(f);
	buf_release(&answer);
	return rc;
}

int dep_s3_run(const struct dep_site *site, const struct deploy_dest *dest,
	       const struct deploy_opts *o, struct deploy_report *r,
	       struct hearth_err *err)
{
	struct s3 s;
	struct dep_listing remote = {0};
	struct buf answer = BUF_INIT;
	char **gone = NULL;
	bool marked = false, visible = false;
	int rc;

	if ((rc = s3_open(&s, dest, o, err)) || (rc = list_all(&s, &remote, err)))
		goto end;
	for (size_t i = 0; i < remote.n; i++) {
		const char *rel = remote.objects[i].rel;
		if (!strcmp(rel, DEPLOY_MARKER))
			marked = true;
		else if (!dep_hidden(rel))
			visible = true;
	}
	if (!marked) {
		if (visible && !o->force) {
			rc = herr(err, HEARTH_EEXIST,
				  "'%s' holds objects and was never a Hearth deploy (no %s): a "
				  "deploy deletes what the site does not have, so choose an empty "
				  "prefix, or use --force if everything there may go",
				  dest->where, DEPLOY_MARKER);
			goto end;
		}
		if ((rc = put_marker(&s, err)))
			goto end;
		r->marked = true;
	}
	r->started = true;
	for (size_t i = 0; i < site->n; i++) {
		const char *rel = site->files[i].rel;
		char *path = path_join(site->dir, rel);
		bool sent;
		rc = send_file(&s, &remote, path, rel, site->files[i].size, &sent, err);
		free(path);
		if (rc)
			goto end;
		if (sent) {
			r->sent++;
			dep_note(o, DEPLOY_SENT, rel);
		}
	}
	size_t n_gone = 0, cap_gone = 0;
	for (size_t i = 0; i < remote.n; i++) {
		const char *rel = remote.objects[i].rel;
		if (!dep_hidden(rel) && !dep_site_find(site, rel))
			strv_append(&gone, &n_gone, &cap_gone, rel);
	}
	dep_sort_for_deletion(gone, n_gone);
	for (size_t i = 0; gone && gone[i]; i++) {
		buf_reset(&answer);
		if ((rc = request_ok(&s, "DELETE", gone[i], NULL, NULL, &answer, err)))
			goto end;
		r->deleted++;
		dep_note(o, DEPLOY_DELETED, gone[i]);
	}
end:
	strv_free(gone);
	buf_release(&answer);
	dep_listing_release(&remote);
	s3_close(&s);
	return rc;
}
