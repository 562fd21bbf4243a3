/*
 * http.c - a request as the page handlers see it, and the answers they
 * give. serve.c makes a struct req when a page's headers are read, feeds
 * it the body, then runs the handler; the request is freed when
 * libmicrohttpd says it is over (answered, or the client went away).
 *
 * The fields of the query and of a form body (url-encoded or multipart,
 * through libmicrohttpd's post processor) are kept in memory with caps;
 * file parts are never held: they stream to a quarantine folder of the
 * request (<library>/quarantine/<random>/, mode 0700, names of our
 * making), removed when the request ends. What crosses a limit is
 * decided here: a body announced over serve.max_upload is refused before
 * it is read; one that crosses it while streaming (a chunked body) drops
 * the connection, since libmicrohttpd 0.9.75 cannot queue an answer while
 * it hands over body data; text over its caps, a NUL or bad UTF-8 are
 * answered once the body is read (413, 400). A file over
 * limits.max_file_size is deleted and marked too_big, and the form goes
 * on being read so the page can answer with it.
 *
 * The responses carry the security headers of every answer; pages are
 * never cached.
 */
#define _GNU_SOURCE
#include "serveInt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The site has no inline script; the theme's style sheet is a file. Images
 * may also be data: URIs (the theme's icon is one), which run nothing.
 */
static const char CSP[] = "default-src 'self'; img-src 'self' data:; object-src 'none'; "
			  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
static const char TEXT[] = "text/plain; charset=utf-8";
static const char HTML[] = "text/html; charset=utf-8";

/* Caps on what a request may make us hold in memory. */
#define FIELD_MAX (64 * 1024)       /* bytes of one text field */
#define FIELDS_MAX (256 * 1024)     /* bytes of every text field together */
#define FIELD_COUNT_MAX 256         /* fields of the query and the body */
#define NAME_MAX_LEN 64             /* bytes of a field's name */
#define FILES_MAX 32                /* uploaded files */
#define FILENAME_MAX_LEN 255        /* bytes of the name the browser sent */
#define POST_BUFFER (16 * 1024)     /* the post processor's own buffer */

struct field {
	char *name;
	struct buf value;
};

struct req {
	const struct http_conf *conf;
	struct MHD_Connection *conn;
	char method[8];
	char *path;
	char ip[INET6_ADDRSTRLEN];
	bool secure;

	struct field *fields;
	size_t n_fields;
	size_t text_bytes;        /* of every text field */
	struct field *cur_text;   /* the text field being read */

	struct upload *files;
	size_t n_files;
	int fd;                   /* the file part being written, or -1 */
	char *qdir;               /* this request's quarantine folder, once made */

	struct MHD_PostProcessor *pp;
	int64_t body_bytes;
	unsigned refuse;          /* a status decided while reading, 0 when none */
	const char *refuse_msg;   /* static text */

	hearth_lib *lib;
	char **cookies;           /* Set-Cookie values (strv) */
	bool answered;
};

/* ---- responses shared with serve.c -------------------------------------- */

void http_common(struct MHD_Response *r, const char *cache)
{
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_SECURITY_POLICY, CSP);
	MHD_add_response_header(r, MHD_HTTP_HEADER_X_CONTENT_TYPE_OPTIONS, "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, MHD_HTTP_HEADER_X_FRAME_OPTIONS, "DENY");
	MHD_add_response_header(r, "Permissions-Policy",
				"camera=(), microphone=(), geolocation=()");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
}

static bool queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *r)
{
	enum MHD_Result ret;
	if (!r)
		return false;
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret == MHD_YES;
}

bool http_answer(struct MHD_Connection *conn, unsigned status, const char *body,
		 const char *name, const char *value)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return false;
	http_common(r, "no-store");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, TEXT);
	if (name)
		MHD_add_response_header(r, name, value);
	return queue(conn, status, r);
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/*
 * The validators decide first: If-None-Match when the client sent one,
 * else If-Modified-Since (RFC 9110 13.2.2). Only then a Range, which is
 * dropped when an If-Range names another version.
 */
bool http_send_file(struct MHD_Connection *conn, struct static_file *f, bool head)
{
	char etag[80], date[40], span[96];
	const char *inm = header(conn, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *ims = header(conn, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	const char *range = head ? NULL : header(conn, MHD_HTTP_HEADER_RANGE);
	const char *if_range = header(conn, MHD_HTTP_HEADER_IF_RANGE);
	uint64_t size = (uint64_t)f->st.st_size, from = 0, len = size;
	unsigned status = MHD_HTTP_OK;
	struct MHD_Response *r;
	time_t since;

	static_etag(&f->st, etag);
	static_http_date(f->st.st_mtim.tv_sec, date);
	if (inm ? static_etag_listed(inm, etag)
		: ims && static_parse_date(ims, &since) && f->st.st_mtim.tv_sec <= since) {
		close(f->fd);
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		status = MHD_HTTP_NOT_MODIFIED;
		goto headers;
	}
	if (range && if_range && strcmp(if_range, etag) && strcmp(if_range, date))
		range = NULL;
	switch (static_range(range, size, &from, &len)) {
	case RANGE_UNSAT:
		close(f->fd);
		f->fd = -1;
		snprintf(span, sizeof span, "bytes */%" PRIu64, size);
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (r) {
			http_common(r, "no-store");
			MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, span);
		}
		return queue(conn, MHD_HTTP_RANGE_NOT_SATISFIABLE, r);
	case RANGE_ONE:
		status = MHD_HTTP_PARTIAL_CONTENT;
		snprintf(span, sizeof span, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, from,
			 from + len - 1, size);
		break;
	case RANGE_NONE:
		break;
	}
	r = MHD_create_response_from_fd_at_offset64(len, f->fd, from);
	if (!r)
		close(f->fd);
	else if (status == MHD_HTTP_PARTIAL_CONTENT)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, span);
headers:
	f->fd = -1;
	if (!r)
		return false;
	http_common(r, f->cache);
	if (status != MHD_HTTP_NOT_MODIFIED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, f->type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	return queue(conn, status, r);
}

/* ---- decoding ------------------------------------------------------------- */

/* %-decodes s (n bytes) into out; false for a bad escape. */
static bool pct_decode(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			buf_putc(out, s[i]);
			continue;
		}
		if (i + 2 >= n)
			return false;
		int hi = static_hexval((unsigned char)s[i + 1]),
		    lo = static_hexval((unsigned char)s[i + 2]);
		if (hi < 0 || lo < 0)
			return false;
		buf_putc(out, (char)(hi * 16 + lo));
		i += 2;
	}
	return true;
}

/* True when s (n bytes) is UTF-8 without NUL (RFC 3629: no overlongs,
 * no surrogates, nothing past U+10FFFF). */
static bool utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i], need, min, cp;
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			need = 1, min = 0x80, cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			need = 2, min = 0x800, cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			need = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return false;
		}
		if (i + need >= n)
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += need + 1;
	}
	return true;
}

char *http_decode_path(const char *raw)
{
	struct buf b = BUF_INIT;
	if (!pct_decode(raw, strlen(raw), &b))
		goto bad;
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			goto bad;
	if (!b.len || b.data[0] != '/' || !utf8_ok(b.data, b.len))
		goto bad;
	return buf_detach(&b);
bad:
	buf_release(&b);
	return NULL;
}

/* ---- fields ------------------------------------------------------------------ */

static void refuse(struct req *r, unsigned status, const char *msg)
{
	if (!r->refuse) {
		r->refuse = status;
		r->refuse_msg = msg;
	}
}

static struct field *field_add(struct req *r, const char *name)
{
	if (strlen(name) > NAME_MAX_LEN || r->n_fields >= FIELD_COUNT_MAX) {
		refuse(r, MHD_HTTP_CONTENT_TOO_LARGE, "the form has too many fields, or too long a name\n");
		return NULL;
	}
	r->fields = xrealloc(r->fields, (r->n_fields + 1) * sizeof *r->fields);
	struct field *f = &r->fields[r->n_fields++];
	f->name = xstrdup(name);
	f->value = (struct buf)BUF_INIT;
	buf_puts(&f->value, "");
	return f;
}

static void field_append(struct req *r, struct field *f, const char *data, size_t n)
{
	if (!f || !n)
		return;
	if (f->value.len + n > FIELD_MAX || r->text_bytes + n > FIELDS_MAX) {
		refuse(r, MHD_HTTP_CONTENT_TOO_LARGE, "a text field of the form is too long\n");
		return;
	}
	if (memchr(data, 0, n)) {
		refuse(r, MHD_HTTP_BAD_REQUEST, "the form holds a NUL character\n");
		return;
	}
	buf_add(&f->value, data, n);
	r->text_bytes += n;
}

/* CR LF and lone CR become LF, in place; the value must be UTF-8. */
static void field_finish(struct req *r, struct field *f)
{
	char *s = f->value.data;
	size_t j = 0;
	for (size_t i = 0; i < f->value.len; i++) {
		if (s[i] == '\r') {
			s[j++] = '\n';
			if (i + 1 < f->value.len && s[i + 1] == '\n')
				i++;
		} else {
			s[j++] = s[i];
		}
	}
	f->value.len = j;
	s[j] = 0;
	if (!utf8_ok(s, j))
		refuse(r, MHD_HTTP_BAD_REQUEST, "the form's text is not UTF-8\n");
}

/* One query argument; libmicrohttpd has turned '+' into ' ' and left the %-escapes. */
static enum MHD_Result on_query(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	struct req *r = cls;
	struct buf k = BUF_INIT, v = BUF_INIT;
	(void)kind;
	if (!pct_decode(key, strlen(key), &k) || !pct_decode(value ? value : "",
							  value ? strlen(value) : 0, &v)) {
		refuse(r, MHD_HTTP_BAD_REQUEST, "bad %-escape in the query\n");
	} else if (memchr(buf_cstr(&k), 0, k.len) || k.len == 0) {
		refuse(r, MHD_HTTP_BAD_REQUEST, "bad field name in the query\n");
	} else {
		struct field *f = field_add(r, buf_cstr(&k));
		field_append(r, f, buf_cstr(&v), v.len);
		if (f)
			field_finish(r, f);
	}
	buf_release(&k);
	buf_release(&v);
	return r->refuse ? MHD_NO : MHD_YES;
}

/* ---- uploads --------------------------------------------------------------------- */

static void close_file(struct req *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* The extension of the browser's name when it is short and plain, else "". */
static const char *plain_ext(const char *filename)
{
	const char *dot = strrchr(filename, '.');
	size_t n;
	if (!dot || dot == filename)
		return "";
	n = strlen(++dot);
	if (n < 1 || n > 8)
		return "";
	for (size_t i = 0; i < n; i++)
		if (!((dot[i] >= 'a' && dot[i] <= 'z') || (dot[i] >= '0' && dot[i] <= '9')))
			return "";
	return dot - 1;
}

static bool make_qdir(struct req *r)
{
	unsigned char rnd[16];
	char hex[33];
	if (r->qdir)
		return true;
	if (!r->conf->quarantine)
		return false;
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	r->qdir = path_join(r->conf->quarantine, hex);
	if (mkdir(r->qdir, 0700) != 0) {
		xfree(&r->qdir);
		return false;
	}
	return true;
}

/* A new file part: its record, and its file in the quarantine folder. */
static void file_start(struct req *r, const char *field, const char *filename)
{
	struct upload *u;
	char name[32];

	close_file(r);
	if (r->n_files >= FILES_MAX || strlen(field) > NAME_MAX_LEN) {
		refuse(r, MHD_HTTP_CONTENT_TOO_LARGE, "the form has too many files\n");
		return;
	}
	r->files = xrealloc(r->files, (r->n_files + 1) * sizeof *r->files);
	u = &r->files[r->n_files++];
	memset(u, 0, sizeof *u);
	u->field = xstrdup(field);
	u->filename = strlen(filename) <= FILENAME_MAX_LEN && utf8_ok(filename, strlen(filename))
			      ? xstrdup(filename)
			      : xstrdup("");
	if (!make_qdir(r)) {
		refuse(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "the upload could not be stored\n");
		return;
	}
	snprintf(name, sizeof name, "%zu%s", r->n_files, plain_ext(u->filename));
	u->path = path_join(r->qdir, name);
	r->fd = open(u->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (r->fd < 0) {
		xfree(&u->path);
		refuse(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "the upload could not be stored\n");
	}
}

static void file_write(struct req *r, const char *data, size_t n)
{
	struct upload *u = r->n_files ? &r->files[r->n_files - 1] : NULL;
	if (!u)
		return;
	u->size += (int64_t)n;
	if (u->too_big || !u->path)
		return;
	if (u->size > r->conf->max_file_size) {
		close_file(r);
		unlink(u->path);
		xfree(&u->path);
		u->too_big = true;
		return;
	}
	while (n) {
		ssize_t w = write(r->fd, data, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close_file(r);
			unlink(u->path);
			xfree(&u->path);
			refuse(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "the upload could not be stored\n");
			return;
		}
		data += w;
		n -= (size_t)w;
	}
}

/*
 * The post processor's pieces: off 0 starts a value (a new part), later
 * pieces continue it. Parts with a file name are files, the rest text.
 */
static enum MHD_Result on_post(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	struct req *r = cls;
	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (!key)
		return MHD_YES;
	if (filename) {
		if (off == 0 || !r->n_files || strcmp(r->files[r->n_files - 1].field, key))
			file_start(r, key, filename);
		if (size && r->fd >= 0)
			file_write(r, data, size);
		else if (size && r->n_files)
			r->files[r->n_files - 1].size += (int64_t)size;
		r->cur_text = NULL;
		return MHD_YES;
	}
	if (off == 0 || !r->cur_text || strcmp(r->cur_text->name, key)) {
		close_file(r);
		r->cur_text = field_add(r, key);
	}
	field_append(r, r->cur_text, data, size);
	return MHD_YES;
}

/* ---- the request's life ----------------------------------------------------------- */

static void client_address(struct req *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	const char *proxy = r->conf->settings.serve_trusted_proxy;
	const char *xff, *xfp, *last;
	unsigned char want[sizeof(struct in6_addr)], got[sizeof(struct in6_addr)];
	char hop[INET6_ADDRSTRLEN + 1];
	size_t n;

	snprintf(r->ip, sizeof r->ip, "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->ip, sizeof r->ip);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->ip,
			  sizeof r->ip);
	if (!proxy || !*proxy || !sa)
		return;
	/* the socket's address must be the proxy's, compared as addresses */
	if (sa->sa_family == AF_INET) {
		if (inet_pton(AF_INET, proxy, want) != 1 ||
		    memcmp(want, &((const struct sockaddr_in *)sa)->sin_addr, 4))
			return;
	} else if (sa->sa_family == AF_INET6) {
		if (inet_pton(AF_INET6, proxy, want) != 1 ||
		    memcmp(want, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16))
			return;
	} else {
		return;
	}
	xfp = header(r->conn, "X-Forwarded-Proto");
	r->secure = xfp && !strcasecmp(xfp, "https");
	if (!(xff = header(r->conn, "X-Forwarded-For")))
		return;
	last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	n = strcspn(last, " \t");
	if (n == 0 || n >= sizeof hop || n >= sizeof r->ip)
		return;
	memcpy(hop, last, n);
	hop[n] = 0;
	if (inet_pton(AF_INET, hop, got) == 1 || inet_pton(AF_INET6, hop, got) == 1)
		memcpy(r->ip, hop, n + 1);
}

struct req *http_req_new(const struct http_conf *c, struct MHD_Connection *conn, char *path,
			 const char *method)
{
	struct req *r = xcalloc(1, sizeof *r);
	const char *len_s, *type;

	r->conf = c;
	r->conn = conn;
	r->path = path;
	r->fd = -1;
	snprintf(r->method, sizeof r->method, "%s", method);
	client_address(r);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, on_query, r);
	if (strcmp(method, MHD_HTTP_METHOD_POST))
		return r;

	len_s = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (len_s) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(len_s, &end, 10);
		if (errno || *end || end == len_s || n > (unsigned long long)c->max_upload)
			refuse(r, MHD_HTTP_CONTENT_TOO_LARGE,
			       "the upload is larger than this server takes\n");
		if (n == 0)
			return r;
	}
	type = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!type)
		return r;
	r->pp = MHD_create_post_processor(conn, POST_BUFFER, on_post, r);
	if (!r->pp)
		refuse(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
		       "a form is sent as application/x-www-form-urlencoded or multipart/form-data\n");
	return r;
}

bool http_req_refuse_early(struct req *r)
{
	if (!r->refuse)
		return false;
	resp_text(r, r->refuse, r->refuse_msg);
	return true;
}

bool http_req_body(struct req *r, const char *data, size_t n)
{
	r->body_bytes += (int64_t)n;
	if (r->body_bytes > r->conf->max_upload) {
		if (r->conf->log)
			r->conf->log(r->conf->log_arg, "a request body crossed serve.max_upload: "
						       "connection dropped");
		return false;
	}
	if (r->pp && !r->refuse && MHD_post_process(r->pp, data, n) != MHD_YES)
		refuse(r, MHD_HTTP_BAD_REQUEST, "the form could not be read\n");
	return true;
}

/* The body is read: the files closed, empty file inputs dropped, text checked. */
static void body_done(struct req *r)
{
	size_t j = 0;
	close_file(r);
	if (r->pp && MHD_destroy_post_processor(r->pp) != MHD_YES)
		refuse(r, MHD_HTTP_BAD_REQUEST, "the form could not be read\n");
	r->pp = NULL;
	for (size_t i = 0; i < r->n_files; i++) {
		struct upload *u = &r->files[i];
		if (u->size == 0 && !*u->filename) {
			if (u->path)
				unlink(u->path);
			free(u->field);
			free(u->filename);
			free(u->path);
			continue;
		}
		r->files[j++] = *u;
	}
	r->n_files = j;
	for (size_t i = 0; i < r->n_fields; i++)
		field_finish(r, &r->fields[i]);
}

bool http_req_run(struct req *r, void (*handler)(struct req *r))
{
	body_done(r);
	if (r->refuse)
		resp_text(r, r->refuse, r->refuse_msg);
	else
		handler(r);
	if (!r->answered) {
		if (r->conf->log)
			r->conf->log(r->conf->log_arg, "a page gave no answer");
		resp_text(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "the server could not answer\n");
	}
	return r->answered;
}

void http_req_free(struct req **rp)
{
	struct req *r = rp ? *rp : NULL;
	struct hearth_err err = {0};
	if (!r)
		return;
	close_file(r);
	if (r->pp)
		MHD_destroy_post_processor(r->pp);
	if (r->qdir)
		rm_rf(r->qdir, &err);
	for (size_t i = 0; i < r->n_fields; i++) {
		free(r->fields[i].name);
		buf_release(&r->fields[i].value);
	}
	free(r->fields);
	for (size_t i = 0; i < r->n_files; i++) {
		free(r->files[i].field);
		free(r->files[i].filename);
		free(r->files[i].path);
	}
	free(r->files);
	lib_close(&r->lib);
	strv_free(r->cookies);
	free(r->qdir);
	free(r->path);
	free(r);
	*rp = NULL;
}

/* ---- what handlers read ------------------------------------------------------------ */

const char *req_method(const struct req *r)
{
	return r->method;
}

const char *req_path(const struct req *r)
{
	return r->path;
}

const char *req_ip(const struct req *r)
{
	return r->ip;
}

bool req_secure(const struct req *r)
{
	return r->secure;
}

const char *req_header(const struct req *r, const char *name)
{
	return header(r->conn, name);
}

const char *req_cookie(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *req_field(const struct req *r, const char *name)
{
	for (size_t i = 0; i < r->n_fields; i++)
		if (!strcmp(r->fields[i].name, name))
			return buf_cstr(&r->fields[i].value);
	return NULL;
}

const struct upload *req_files(const struct req *r, const char *name, size_t *n)
{
	size_t first = r->n_files, count = 0;
	/* the files of one field come together: a field is one input */
	for (size_t i = 0; i < r->n_files; i++) {
		if (!strcmp(r->files[i].field, name)) {
			if (first == r->n_files)
				first = i;
			count++;
		} else if (count) {
			break;
		}
	}
	*n = count;
	return count ? &r->files[first] : NULL;
}

const struct upload *req_all_files(const struct req *r, size_t *n)
{
	*n = r->n_files;
	return r->files;
}

int req_lib(struct req *r, const char *who, hearth_lib **out, struct hearth_err *err)
{
	int rc;
	*out = NULL;
	if (!r->conf->library)
		return herr(err, HEARTH_ENOENT, "this server has no library");
	if (!r->lib && (rc = lib_open_with(r->conf->library, NULL, &r->lib, err)))
		return rc;
	if (who)
		lib_set_actor(r->lib, who);
	*out = r->lib;
	return 0;
}

const char *req_lib_dir(const struct req *r)
{
	return r->conf->library;
}

const struct lib_settings *req_settings(const struct req *r)
{
	return &r->conf->settings;
}

const char *req_self(const struct req *r)
{
	return r->conf->self;
}

/* ---- answers ------------------------------------------------------------------------------ */

/* Queues resp with the page headers and the cookies; the one answer of r. */
static void answer_page(struct req *r, unsigned status, struct MHD_Response *resp,
			const char *type)
{
	if (r->answered) {
		if (r->conf->log)
			r->conf->log(r->conf->log_arg, "a page answered twice; the second is dropped");
		if (resp)
			MHD_destroy_response(resp);
		return;
	}
	if (!resp)
		return;
	http_common(resp, "no-store");
	if (type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	for (size_t i = 0; r->cookies && r->cookies[i]; i++)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->cookies[i]);
	r->answered = queue(r->conn, status, resp);
}

void resp_html(struct req *r, unsigned status, struct html *h)
{
	size_t n = h->out.len;
	char *body = buf_detach(&h->out);
	answer_page(r, status,
		    MHD_create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE), HTML);
}

void resp_text(struct req *r, unsigned status, const char *text)
{
	char *body = xstrdup(text);
	answer_page(r, status,
		    MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE),
		    TEXT);
}

/* True for a path of this server: '/' then no second '/' or '\' at its start,
 * no control characters or spaces. */
static bool local_path(const char *p)
{
	if (!p || p[0] != '/' || p[1] == '/' || p[1] == '\\')
		return false;
	for (; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '\\')
			return false;
	return true;
}

void resp_redirect(struct req *r, const char *location)
{
	struct MHD_Response *resp;
	if (!local_path(location)) {
		if (r->conf->log)
			r->conf->log(r->conf->log_arg, "a page asked to redirect elsewhere; refused");
		resp_text(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "the server could not answer\n");
		return;
	}
	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (resp && !r->answered)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
	answer_page(r, MHD_HTTP_SEE_OTHER, resp, NULL);
}

void resp_file(struct req *r, int fd, const char *type)
{
	struct static_file f = {.fd = fd, .type = type, .cache = "private, no-store"};
	if (r->answered) {
		close(fd);
		answer_page(r, 0, NULL, NULL);
		return;
	}
	if (fd < 0 || fstat(fd, &f.st) != 0 || !S_ISREG(f.st.st_mode)) {
		if (fd >= 0)
			close(fd);
		resp_text(r, MHD_HTTP_NOT_FOUND, "not found\n");
		return;
	}
	r->answered = http_send_file(r->conn, &f, !strcmp(r->method, MHD_HTTP_METHOD_HEAD));
}

void resp_slow_down(struct req *r, unsigned seconds)
{
	char text[96], secs[24];
	char *body;
	struct MHD_Response *resp;
	snprintf(secs, sizeof secs, "%u", seconds ? seconds : 1);
	snprintf(text, sizeof text, "too many attempts: try again in %s seconds\n", secs);
	body = xstrdup(text);
	resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (resp && !r->answered)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
	answer_page(r, MHD_HTTP_TOO_MANY_REQUESTS, resp, TEXT);
}

/* Letters a cookie's name, value or path may hold without quoting. */
static bool cookie_safe(const char *s, bool path)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || c == ';' || c == ',' || c == '"' || c == '\\' ||
		    (!path && c == '='))
			return false;
	}
	return true;
}

void resp_cookie(struct req *r, const char *name, const char *value, const char *path,
		 long max_age)
{
	char *c;
	if (!*name || !cookie_safe(name, false) || !cookie_safe(value, true) ||
	    !local_path(path) || !cookie_safe(path, true)) {
		if (r->conf->log)
			r->conf->log(r->conf->log_arg, "a cookie with unsafe characters was dropped");
		return;
	}
	c = xasprintf("%s=%s; HttpOnly; SameSite=Strict; Path=%s; Max-Age=%ld%s", name, value,
		      path, max_age < 0 ? 0 : max_age, r->secure ? "; Secure" : "");
	r->cookies = strv_push(r->cookies, c);
	free(c);
}
