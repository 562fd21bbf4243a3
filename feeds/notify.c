/*
 * notify.c - `hearth notify` and the notify step of a build: tells WebSub
 * hubs and the Podcast Index that feeds of a built site changed, with
 * libcurl. It reads the site, not the catalogue: each feed file's bytes
 * (their SHA-256 decides whether it changed) and its own atom:link
 * rel=self (the address announced, so it is the address the feed was
 * built for, whatever --base-url said). What was accepted is recorded in
 * ".hearth-notified.<name>" beside the output folder, one line per feed
 * and place told, written atomically after the sends.
 *
 * The network is the outside world: every address is checked before the
 * first request (https, or http to loopback only), redirects are followed
 * only to https, each request has a connect and a total timeout, and a
 * place that does not answer is not asked again in the same run. Nothing
 * here prints; the report says what happened to each request.
 */
#define _GNU_SOURCE
#include "notify.h"
#include "../library/public.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <libxml/xmlreader.h>

#define NS_ATOM "http://www.w3.org/2005/Atom"
#define RECORD_HEAD "hearth notified 1\n"
/* a feed larger than this is not a feed this program wrote */
#define FEED_MAX ((int64_t)512 * 1024 * 1024)
/* how much of an answer's body a message quotes */
#define ANSWER_QUOTE 160

/* ---- addresses --------------------------------------------------------- */

static bool loopback_host(const char *host)
{
	char h[256];
	size_t n = strlen(host);
	unsigned char a[16];

	if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
		return true;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n >= sizeof h)
		return false;
	memcpy(h, host, n);
	h[n] = '\0';
	if (inet_pton(AF_INET, h, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, h, a) == 1) {
		static const unsigned char one[16] = {[15] = 1};
		return !memcmp(a, one, 16);
	}
	return false;
}

/* The scheme and host of url into new allocations, or an error. */
static int url_parts(const char *url, char **scheme, char **host, bool *loopback,
		     struct hearth_err *err)
{
	CURLU *u = NULL;
	char *part = NULL;
	int rc = 0;

	*scheme = *host = NULL;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("\"'<>\\`{}|^", *p))
			return herr(err, HEARTH_EINVAL, "'%s': a space, quote, control or "
				    "non-ASCII character is not allowed in the address", url);
	if (!(u = curl_url()))
		return herr(err, HEARTH_EIO, "out of memory reading an address");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		rc = herr(err, HEARTH_EINVAL, "'%s': not an http or https address", url);
		goto end;
	}
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK) {
		rc = herr(err, HEARTH_EINVAL, "'%s': a user name or password in the "
			  "address is not allowed", url);
		goto end;
	}
	if (curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
		rc = herr(err, HEARTH_EINVAL, "'%s': a fragment (#...) is not allowed", url);
		goto end;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK) {
		rc = herr(err, HEARTH_EINVAL, "'%s': not an http or https address", url);
		goto end;
	}
	*loopback = loopback_host(*host);
end:
	curl_free(part);
	if (rc) {
		curl_free(*scheme);
		curl_free(*host);
		*scheme = *host = NULL;
	}
	curl_url_cleanup(u);
	return rc;
}

/*
 * An http or https address; with need_https, http only to loopback. The
 * places told need https; a feed's own address may be plain http (a site
 * served so is announced as it is).
 */
static int check_address(const char *url, bool need_https, struct hearth_err *err)
{
	char *scheme = NULL, *host = NULL;
	bool loopback = false;
	int rc;

	if (!url || !*url)
		return herr(err, HEARTH_EINVAL, "an empty address");
	if ((rc = url_parts(url, &scheme, &host, &loopback, err)))
		return rc;
	if (!strcasecmp(scheme, "https"))
		rc = 0;
	else if (!strcasecmp(scheme, "http") && (loopback || !need_https))
		rc = 0;
	else if (!strcasecmp(scheme, "http"))
		rc = herr(err, HEARTH_EINVAL, "'%s': https is required (http only to a "
			  "loopback address such as 127.0.0.1)", url);
	else
		rc = herr(err, HEARTH_EINVAL, "'%s': not an http or https address", url);
	curl_free(scheme);
	curl_free(host);
	return rc;
}

int feed_notify_check_url(const char *url, struct hearth_err *err)
{
	return check_address(url, true, err);
}

/* s percent-encoded for a query or a form: all but RFC 3986's unreserved. */
static void put_encoded(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			buf_putc(b, (char)*p);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[*p >> 4]);
			buf_putc(b, hex[*p & 15]);
		}
	}
}

/* ---- the feeds of a site ----------------------------------------------- */

struct feed {
	char *rel;      /* path in the site */
	char *url;      /* its atom:link rel=self */
	char sha[65];
	bool podcast;   /* an RSS feed: a show, for the Podcast Index too */
};

static void feeds_free(struct feed *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].rel);
		free(f[i].url);
	}
	free(f);
}

static bool attr_is(xmlTextReaderPtr r, const char *name, const char *want)
{
	xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
	bool same = v && !strcmp((const char *)v, want);
	xmlFree(v);
	return same;
}

/*
 * The feed's kind (RSS or Atom, from its root) and its own address, the
 * first atom:link rel="self" among the channel's (RSS) or the feed's
 * (Atom) children; reading stops there, before the items.
 */
static int feed_self(const struct buf *b, const char *rel, struct feed *f,
		     struct hearth_err *err)
{
	xmlTextReaderPtr r = xmlReaderForMemory(b->data, (int)b->len, rel, NULL,
						XML_PARSE_NONET | XML_PARSE_NOERROR |
							XML_PARSE_NOWARNING);
	int rc = 0, ret, root = -1; /* root: 1 RSS, 0 Atom */

	if (!r)
		return herr(err, HEARTH_EIO, "%s: cannot read it as XML", rel);
	while (!f->url && (ret = xmlTextReaderRead(r)) == 1) {
		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
			continue;
		int depth = xmlTextReaderDepth(r);
		const char *name = (const char *)xmlTextReaderConstLocalName(r);
		const char *ns = (const char *)xmlTextReaderConstNamespaceUri(r);
		if (depth == 0) {
			if (!strcmp(name, "rss") && !ns)
				root = 1;
			else if (!strcmp(name, "feed") && ns && !strcmp(ns, NS_ATOM))
				root = 0;
			else
				break;
			continue;
		}
		if (depth != (root == 1 ? 2 : 1))
			continue;
		if (!strcmp(name, "item") || !strcmp(name, "entry"))
			break;
		if (!strcmp(name, "link") && ns && !strcmp(ns, NS_ATOM) &&
		    attr_is(r, "rel", "self")) {
			xmlChar *href = xmlTextReaderGetAttribute(r, (const xmlChar *)"href");
			if (href)
				f->url = xstrdup((const char *)href);
			xmlFree(href);
		}
	}
	if (root < 0)
		rc = herr(err, HEARTH_EINVAL, "%s: neither an RSS nor an Atom feed", rel);
	else if (!f->url)
		rc = herr(err, HEARTH_EINVAL, "%s: no atom:link rel=\"self\": the feed does "
			  "not say its own address", rel);
	f->podcast = root == 1;
	xmlFreeTextReader(r);
	return rc;
}

/* One feed of the site into *f (its rel taken over); 1 when it is not there. */
static int feed_read(const char *out_dir, char *rel, struct feed *f, struct hearth_err *err)
{
	char *path = path_join(out_dir, rel);
	struct buf b = BUF_INIT;
	int rc;

	memset(f, 0, sizeof *f);
	f->rel = rel;
	if (!path_is_file(path)) {
		rc = 1;
		goto end;
	}
	if ((rc = file_read_max(path, FEED_MAX, NULL, &b, err)))
		goto end;
	sha256_hex(b.data ? b.data : "", b.len, f->sha);
	if ((rc = feed_self(&b, rel, f, err)))
		goto end;
	struct hearth_err why;
	if (check_address(f->url, false, &why)) {
		rc = herr(err, HEARTH_EINVAL, "%s: its address: %s", rel, why.msg);
		goto end;
	}
	size_t ph = strlen(LIB_PLACEHOLDER_BASE_URL);
	if (!strncasecmp(f->url, LIB_PLACEHOLDER_BASE_URL, ph) &&
	    (f->url[ph] == '/' || !f->url[ph]))
		rc = herr(err, HEARTH_EINVAL, "%s: its address %s is the placeholder "
			  "'hearth init' writes: set base_url in hearth.yaml and build again",
			  rel, f->url);
end:
	free(path);
	buf_release(&b);
	return rc;
}

/*
 * The feeds of the site: feed.xml, atom.xml, then collections/<slug>/feed.xml
 * in the order of the slugs. New allocation in *out (free with feeds_free).
 */
static int feeds_find(const char *out_dir, struct feed **out, size_t *n,
		      struct hearth_err *err)
{
	char **slugs = NULL, *coll = NULL, *rel = NULL;
	struct feed *v = NULL;
	size_t count = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!path_is_dir(out_dir))
		return herr(err, HEARTH_ENOENT, "'%s': no built site there (run 'hearth build' "
			    "first)", out_dir);
	coll = path_join(out_dir, "collections");
	slugs = dir_list(coll, false);
	for (size_t i = 0; !rc && i < 2 + strv_len(slugs); i++) {
		if (i == 0)
			rel = xstrdup("feed.xml");
		else if (i == 1)
			rel = xstrdup("atom.xml");
		else
			rel = xasprintf("collections/%s/feed.xml", slugs[i - 2]);
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			v = xrealloc(v, cap * sizeof *v);
		}
		rc = feed_read(out_dir, rel, &v[count], err);
		if (rc == 0)
			count++;
		else
			free(v[count].url);
		if (rc != 0)
			free(v[count].rel);
		if (rc == 1)
			rc = 0;
	}
	strv_free(slugs);
	free(coll);
	if (rc) {
		feeds_free(v, count);
		return rc;
	}
	*out = v;
	*n = count;
	return 0;
}

/* ---- the record of what was announced ---------------------------------- */

struct said {
	char sha[65];
	char *kind, *endpoint, *feed_url;
};

struct record {
	struct said *v;
	size_t n, cap;
};

static void record_release(struct record *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].kind);
		free(r->v[i].endpoint);
		free(r->v[i].feed_url);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

static void record_add(struct record *r, const char *sha, const char *kind,
		       const char *endpoint, const char *feed_url)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->v = xrealloc(r->v, r->cap * sizeof *r->v);
	}
	struct said *s = &r->v[r->n++];
	memcpy(s->sha, sha, 65);
	s->kind = xstrdup(kind);
	s->endpoint = xstrdup(endpoint);
	s->feed_url = xstrdup(feed_url);
}

static const struct said *record_find(const struct record *r, const char *kind,
				      const char *endpoint, const char *feed_url)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].kind, kind) && !strcmp(r->v[i].endpoint, endpoint) &&
		    !strcmp(r->v[i].feed_url, feed_url))
			return &r->v[i];
	return NULL;
}

char *feed_notify_record_path(const char *out_dir)
{
	char *clean = path_strip_slashes(out_dir);
	char *dir = path_dir(clean);
	char *name = xasprintf(".hearth-notified.%s", path_base(clean));
	char *p = path_join(dir, name);
	free(clean);
	free(dir);
	free(name);
	return p;
}

static bool is_hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

/*
 * Reads the record; a missing one is empty. A line that is not four
 * fields, or a file with another first line, counts for nothing: the
 * feeds it would have named are announced again, which is harmless.
 */
static int record_load(const char *path, struct record *r, struct hearth_err *err)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	if (!path_exists(path))
		return 0;
	if ((rc = file_read_max(path, FEED_MAX, NULL, &b, err)))
		return rc;
	const char *p = buf_cstr(&b);
	if (strncmp(p, RECORD_HEAD, strlen(RECORD_HEAD)))
		goto end;
	p += strlen(RECORD_HEAD);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len), *save = NULL;
		char *f[4];
		int k = 0;
		for (char *t = strtok_r(line, " ", &save); t && k < 5; t = strtok_r(NULL, " ", &save))
			if (k < 4)
				f[k++] = t;
			else
				k = 5;
		if (k == 4 && is_hex64(f[0], strlen(f[0])))
			record_add(r, f[0], f[1], f[2], f[3]);
		free(line);
		p += len + (nl ? 1 : 0);
	}
end:
	buf_release(&b);
	return rc;
}

static int record_save(const char *path, const struct record *r, struct hearth_err *err)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, RECORD_HEAD);
	for (size_t i = 0; i < r->n; i++)
		buf_printf(&b, "%s %s %s %s\n", r->v[i].sha, r->v[i].kind, r->v[i].endpoint,
			   r->v[i].feed_url);
	int rc = file_write_atomic(path, b.data, b.len, err);
	if (rc)
		herr_prefix(err, "the record of what was announced");
	buf_release(&b);
	return rc;
}

/* ---- sending ----------------------------------------------------------- */

static const char *kind_name(enum feed_notify_kind k)
{
	return k == NOTIFY_WEBSUB ? "websub" : "podcastindex";
}

/* What an answer's body says, kept short for a message. */
struct answer {
	char text[ANSWER_QUOTE + 1];
	size_t len;
};

static size_t take_answer(char *data, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t total = size * n;
	for (size_t i = 0; i < total && a->len < ANSWER_QUOTE; i++) {
		unsigned char c = (unsigned char)data[i];
		a->text[a->len++] = (c >= 0x20 && c < 0x7f) ? (char)c : ' ';
	}
	a->text[a->len] = '\0';
	return total;
}

/*
 * Makes one request with the handle h (reused, so one connection serves
 * a place's requests); fills s->status and, on failure, s->error.
 * Returns true when the place answered at all.
 */
static bool send_one(CURL *h, const struct feed_notify_opts *o, struct feed_notify_send *s)
{
	char curl_msg[CURL_ERROR_SIZE] = "";
	struct answer a = {.len = 0};
	long timeout = o->timeout > 0 ? o->timeout : FEED_NOTIFY_TIMEOUT;
	char *scheme = NULL, *host = NULL;
	bool loopback = false;
	struct hearth_err ignored;
	CURLcode cc;

	curl_easy_reset(h);
	url_parts(s->url, &scheme, &host, &loopback, &ignored);
	curl_easy_setopt(h, CURLOPT_URL, s->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(h, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_msg);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, take_answer);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
	if (o->user_agent)
		curl_easy_setopt(h, CURLOPT_USERAGENT, o->user_agent);
	if (loopback) /* a proxy from the environment must not see a local request */
		curl_easy_setopt(h, CURLOPT_PROXY, "");
	if (s->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, s->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(s->body));
	}
	cc = curl_easy_perform(h);
	curl_free(scheme);
	curl_free(host);
	if (cc != CURLE_OK) {
		if (cc == CURLE_UNSUPPORTED_PROTOCOL || cc == CURLE_TOO_MANY_REDIRECTS)
			s->error = xasprintf("redirected where it may not go (only https, three "
					     "times at most): %s",
					     curl_msg[0] ? curl_msg : curl_easy_strerror(cc));
		else if (cc == CURLE_OPERATION_TIMEDOUT)
			s->error = xasprintf("no answer within %ld s: %s", timeout,
					     curl_msg[0] ? curl_msg : curl_easy_strerror(cc));
		else
			s->error = xasprintf("%s", curl_msg[0] ? curl_msg : curl_easy_strerror(cc));
		return false;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &s->status);
	if (s->status < 200 || s->status > 299)
		s->error = xasprintf("answered %ld%s%s", s->status, a.len ? ": " : "",
				     a.len ? a.text : "");
	return true;
}

/* ---- the run ----------------------------------------------------------- */

static struct feed_notify_send *add_send(struct feed_notify_report *r, size_t *cap)
{
	if (r->n_sends == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		r->sends = xrealloc(r->sends, *cap * sizeof *r->sends);
	}
	struct feed_notify_send *s = &r->sends[r->n_sends++];
	memset(s, 0, sizeof *s);
	return s;
}

/* The requests to make: every feed to every place, unless announced already. */
static void plan(const struct feed *feeds, size_t n, const struct feed_notify_opts *o,
		 const struct record *said, struct feed_notify_report *r)
{
	size_t cap = 0;
	for (size_t i = 0; i < n; i++) {
		const struct feed *f = &feeds[i];
		bool any = false;
		size_t nh = o->hubs ? strv_len(o->hubs) : 0;
		for (size_t k = 0; k < nh + 1; k++) {
			enum feed_notify_kind kind = k < nh ? NOTIFY_WEBSUB : NOTIFY_PODCASTINDEX;
			const char *ep = k < nh ? o->hubs[k] : o->podcastindex_url;
			bool again = false; /* a hub named twice is told once */
			for (size_t j = 0; kind == NOTIFY_WEBSUB && j < k; j++)
				again = again || !strcmp(o->hubs[j], ep);
			if (!ep || again || (kind == NOTIFY_PODCASTINDEX && !f->podcast))
				continue;
			const struct said *was = record_find(said, kind_name(kind), ep, f->url);
			if (!o->all && was && !strcmp(was->sha, f->sha))
				continue;
			struct feed_notify_send *s = add_send(r, &cap);
			struct buf b = BUF_INIT;
			s->kind = kind;
			s->endpoint = xstrdup(ep);
			s->feed = xstrdup(f->rel);
			s->feed_url = xstrdup(f->url);
			if (kind == NOTIFY_WEBSUB) {
				s->method = xstrdup("POST");
				s->url = xstrdup(ep);
				buf_puts(&b, "hub.mode=publish&hub.url=");
				put_encoded(&b, f->url);
				s->body = buf_detach(&b);
			} else {
				s->method = xstrdup("GET");
				buf_puts(&b, ep);
				buf_puts(&b, strchr(ep, '?') ? "&url=" : "?url=");
				put_encoded(&b, f->url);
				s->url = buf_detach(&b);
			}
			any = true;
		}
		r->changed += any;
	}
}

/* Sends the planned requests; a place that did not answer is skipped after. */
static int send_all(const struct feed_notify_opts *o, struct feed_notify_report *r,
		    struct hearth_err *err)
{
	char **dead = NULL;
	CURL *h = NULL;
	int rc = 0;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return herr(err, HEARTH_EIO, "libcurl cannot start");
	if (!(h = curl_easy_init())) {
		rc = herr(err, HEARTH_EIO, "libcurl cannot start");
		goto end;
	}
	for (size_t i = 0; i < r->n_sends; i++) {
		struct feed_notify_send *s = &r->sends[i];
		bool skip = false;
		for (size_t k = 0; dead && dead[k]; k++)
			skip = skip || !strcmp(dead[k], s->endpoint);
		if (skip)
			s->error = xstrdup("not sent: it did not answer an earlier request of this run");
		else if (!send_one(h, o, s))
			dead = strv_push(dead, s->endpoint);
		r->failed += s->error != NULL;
	}
end:
	curl_easy_cleanup(h);
	curl_global_cleanup();
	strv_free(dead);
	return rc;
}

/*
 * The record after the run: what stood before, with what was accepted now
 * put in. Nothing is dropped, so a place named again after a while, or a
 * feed back at an old address, is not told of what it already knows.
 */
static void record_next(const struct feed *feeds, size_t n, const struct record *was,
			const struct feed_notify_report *r, struct record *next)
{
	for (size_t i = 0; i < was->n; i++)
		record_add(next, was->v[i].sha, was->v[i].kind, was->v[i].endpoint,
			   was->v[i].feed_url);
	for (size_t j = 0; j < r->n_sends; j++) {
		const struct feed_notify_send *s = &r->sends[j];
		const char *sha = NULL;
		if (s->error)
			continue; /* the old record stands: tried again next time */
		for (size_t i = 0; i < n && !sha; i++)
			if (!strcmp(feeds[i].rel, s->feed))
				sha = feeds[i].sha;
		struct said *old = (struct said *)record_find(next, kind_name(s->kind),
							      s->endpoint, s->feed_url);
		if (old)
			memcpy(old->sha, sha, 65);
		else
			record_add(next, sha, kind_name(s->kind), s->endpoint, s->feed_url);
	}
}

int feed_notify(const char *out_dir, const struct feed_notify_opts *o,
		struct feed_notify_report *r, struct hearth_err *err)
{
	struct record said = {0}, next = {0};
	struct feed *feeds = NULL;
	size_t n = 0;
	char *path = NULL;
	int rc = 0;

	memset(r, 0, sizeof *r);
	for (size_t k = 0; o->hubs && o->hubs[k]; k++)
		if ((rc = feed_notify_check_url(o->hubs[k], err)))
			return herr_prefix(err, "the WebSub hub");
	if (o->podcastindex_url && (rc = feed_notify_check_url(o->podcastindex_url, err)))
		return herr_prefix(err, "the Podcast Index endpoint");
	xmlInitParser();
	path = feed_notify_record_path(out_dir);
	if ((rc = feeds_find(out_dir, &feeds, &n, err)))
		goto end;
	if ((rc = record_load(path, &said, err)))
		goto end;
	r->feeds = n;
	plan(feeds, n, o, &said, r);
	if (o->dry_run || r->n_sends == 0)
		goto end;
	if ((rc = send_all(o, r, err)))
		goto end;
	record_next(feeds, n, &said, r, &next);
	rc = record_save(path, &next, err);
end:
	if (rc)
		feed_notify_report_release(r);
	record_release(&said);
	record_release(&next);
	feeds_free(feeds, n);
	free(path);
	return rc;
}

void feed_notify_report_release(struct feed_notify_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_sends; i++) {
		struct feed_notify_send *s = &r->sends[i];
		free(s->endpoint);
		free(s->feed);
		free(s->feed_url);
		free(s->method);
		free(s->url);
		free(s->body);
		free(s->error);
	}
	free(r->sends);
	memset(r, 0, sizeof *r);
}
