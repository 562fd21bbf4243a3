/*
 * serve.c - the daemon: starts libmicrohttpd with its limits, answers GET
 * and HEAD for the built site (static.c finds the file), and puts the
 * security headers on every response. Files are handed to libmicrohttpd
 * as file descriptors, so nothing is read whole into memory.
 */
#define _GNU_SOURCE
#include "serveInt.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct serve_server {
	struct MHD_Daemon *daemon;
	char *root;
	void (*log)(void *arg, const char *msg);
	void *log_arg;
};

/* The site has no inline script; the theme's style sheet is a file. */
static const char CSP[] = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; "
			  "base-uri 'none'; form-action 'self'";
static const char TEXT[] = "text/plain; charset=utf-8";

void serve_opts_default(struct serve_opts *o)
{
	memset(o, 0, sizeof *o);
	o->bind = "127.0.0.1";
	o->port = 8080;
	o->threads = 4;
	o->max_conns = 512;
	o->max_per_ip = 64;
	o->idle_timeout = 15;
	o->conn_memory = 32 * 1024;
}

/* Headers every response carries, whatever its status. */
static void add_common(struct MHD_Response *r, const char *cache)
{
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_SECURITY_POLICY, CSP);
	MHD_add_response_header(r, MHD_HTTP_HEADER_X_CONTENT_TYPE_OPTIONS, "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, MHD_HTTP_HEADER_X_FRAME_OPTIONS, "DENY");
	MHD_add_response_header(r, "Permissions-Policy",
				"camera=(), microphone=(), geolocation=()");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
}

static enum MHD_Result queue(struct MHD_Connection *conn, unsigned status,
			     struct MHD_Response *r)
{
	enum MHD_Result ret;
	if (!r)
		return MHD_NO;
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A short fixed answer; name and value add one header when not NULL. */
static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, const char *body,
			      const char *name, const char *value)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	add_common(r, "no-store");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, TEXT);
	if (name)
		MHD_add_response_header(r, name, value);
	return queue(conn, status, r);
}

/* 404 with the site's own 404.html when it has one. */
static enum MHD_Result not_found(struct serve_server *s, struct MHD_Connection *conn)
{
	struct static_file f;
	struct MHD_Response *r;

	if (static_open(s->root, "/404.html", &f) != STATIC_FILE)
		return answer(conn, MHD_HTTP_NOT_FOUND, "not found\n", NULL, NULL);
	r = MHD_create_response_from_fd_at_offset64((uint64_t)f.st.st_size, f.fd, 0);
	if (!r) {
		close(f.fd);
		return MHD_NO;
	}
	add_common(r, "no-store");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, f.type);
	return queue(conn, MHD_HTTP_NOT_FOUND, r);
}

/* A folder asked for without its '/': send the client to the folder. */
static enum MHD_Result to_folder(struct MHD_Connection *conn, const char *url)
{
	char *where = xasprintf("%s/", url);
	struct MHD_Response *r =
		MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_NO;
	if (r) {
		add_common(r, "no-cache");
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, where);
		ret = queue(conn, MHD_HTTP_MOVED_PERMANENTLY, r);
	}
	free(where);
	return ret;
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
static enum MHD_Result send_file(struct MHD_Connection *conn, struct static_file *f,
				 bool head)
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
		snprintf(span, sizeof span, "bytes */%" PRIu64, size);
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (r) {
			add_common(r, "no-store");
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
		return MHD_NO;
	add_common(r, f->cache);
	if (status != MHD_HTTP_NOT_MODIFIED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, f->type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	return queue(conn, status, r);
}

/*
 * Called once per request, with the headers read (*con_cls is NULL the
 * first time); every answer is queued at once. A request body, which GET
 * and HEAD do not have, is discarded by libmicrohttpd after the answer.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct serve_server *s = cls;
	struct static_file f;
	bool head = !strcmp(method, MHD_HTTP_METHOD_HEAD);

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (!head && strcmp(method, MHD_HTTP_METHOD_GET))
		return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n",
			      MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	switch (static_open(s->root, url, &f)) {
	case STATIC_FILE:
		return send_file(conn, &f, head);
	case STATIC_REDIRECT:
		return to_folder(conn, url);
	case STATIC_BAD:
		return answer(conn, MHD_HTTP_BAD_REQUEST, "bad request\n", NULL, NULL);
	case STATIC_NOTFOUND:
		break;
	}
	return not_found(s, conn);
}

/* Leaves the path as the client sent it: static.c decodes it, once. */
static size_t keep_escaped(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	return strlen(s);
}

__attribute__((format(printf, 2, 0))) static void on_log(void *cls, const char *fmt,
							  va_list ap)
{
	struct serve_server *s = cls;
	char msg[512];
	size_t n;

	if (!s->log)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = 0;
	s->log(s->log_arg, msg);
}

int serve_start(const struct serve_opts *o, serve_server **out, struct hearth_err *err)
{
	struct serve_server *s = NULL;
	struct sockaddr_in v4 = {0};
	struct sockaddr_in6 v6 = {0};
	struct sockaddr *addr;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

	*out = NULL;
	if (!o->port || o->port > 65535)
		return herr(err, HEARTH_EINVAL, "port %u is not between 1 and 65535", o->port);
	if (inet_pton(AF_INET, o->bind, &v4.sin_addr) == 1) {
		v4.sin_family = AF_INET;
		v4.sin_port = htons((uint16_t)o->port);
		addr = (struct sockaddr *)&v4;
	} else if (inet_pton(AF_INET6, o->bind, &v6.sin6_addr) == 1) {
		v6.sin6_family = AF_INET6;
		v6.sin6_port = htons((uint16_t)o->port);
		addr = (struct sockaddr *)&v6;
		flags |= MHD_USE_IPv6;
	} else {
		return herr(err, HEARTH_EINVAL, "'%s' is not an IPv4 or IPv6 address", o->bind);
	}
	if (!path_is_dir(o->root))
		return herr(err, HEARTH_ENOENT, "%s: no built site (run 'hearth build' first)",
			    o->root);
	s = xcalloc(1, sizeof *s);
	s->root = xstrdup(o->root);
	s->log = o->log;
	s->log_arg = o->log_arg;
	s->daemon = MHD_start_daemon(
		flags, (uint16_t)o->port, NULL, NULL, &on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, &on_log, s,
		MHD_OPTION_SOCK_ADDR, addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)o->threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)o->max_conns,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)o->max_per_ip,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)o->idle_timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)o->conn_memory,
		MHD_OPTION_UNESCAPE_CALLBACK, &keep_escaped, NULL,
		MHD_OPTION_END);
	if (!s->daemon) {
		int rc = herr(err, HEARTH_EIO, "cannot listen on %s port %u (in use, or not "
					       "allowed)", o->bind, o->port);
		serve_stop(&s);
		return rc;
	}
	*out = s;
	return 0;
}

void serve_stop(serve_server **sp)
{
	struct serve_server *s = sp ? *sp : NULL;
	if (!s)
		return;
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	free(s->root);
	free(s);
	*sp = NULL;
}
