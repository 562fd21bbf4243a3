/*
 * serve.c - the daemon: starts libmicrohttpd with its limits and sends
 * each request where it belongs. With a library, the peers' and editors'
 * pages (/submit, /receipt..., /feedback, /editor...) go to their
 * handlers through a struct req (http.c), and /_hearth/serve.css comes
 * from the theme; everything else is the built site, GET and HEAD only
 * (static.c finds the file). Files are handed to libmicrohttpd as file
 * descriptors, so nothing is read whole into memory. The library's
 * settings are read once, at start, and a killed server's quarantine is
 * cleared then.
 */
#define _GNU_SOURCE
#include "serveInt.h"

/* serve.max_upload when hearth.yaml does not say: 200 MB */
#define SERVE_MAX_UPLOAD 200000000

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct serve_server {
	struct MHD_Daemon *daemon;
	char *root;
	struct http_conf conf;
	page_route route;
	void (*log)(void *arg, const char *msg);
	void *log_arg;
};

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

/* 404 with the site's own 404.html when it has one. */
static enum MHD_Result not_found(struct serve_server *s, struct MHD_Connection *conn)
{
	struct static_file f;
	struct MHD_Response *r;

	if (static_open(s->root, "/404.html", &f) != STATIC_FILE)
		return http_answer(conn, MHD_HTTP_NOT_FOUND, "not found\n", NULL, NULL) ? MHD_YES
											 : MHD_NO;
	r = MHD_create_response_from_fd_at_offset64((uint64_t)f.st.st_size, f.fd, 0);
	if (!r) {
		close(f.fd);
		return MHD_NO;
	}
	http_common(r, "no-store");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, f.type);
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_NOT_FOUND, r);
	MHD_destroy_response(r);
	return ret;
}

/* A folder asked for without its '/': send the client to the folder. */
static enum MHD_Result to_folder(struct MHD_Connection *conn, const char *url)
{
	char *where = xasprintf("%s/", url);
	struct MHD_Response *r =
		MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_NO;
	if (r) {
		http_common(r, "no-cache");
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, where);
		ret = MHD_queue_response(conn, MHD_HTTP_MOVED_PERMANENTLY, r);
		MHD_destroy_response(r);
	}
	free(where);
	return ret;
}

static enum MHD_Result result(bool queued)
{
	return queued ? MHD_YES : MHD_NO;
}

/* The page handler for a decoded path, or NULL when it is the site's. */
static page_fn page_for(const char *p)
{
	if (!strcmp(p, "/submit"))
		return page_submit;
	if (!strcmp(p, "/receipt") || str_starts(p, "/receipt/"))
		return page_receipt;
	if (!strcmp(p, "/feedback"))
		return page_feedback;
	if (!strcmp(p, "/editor") || str_starts(p, "/editor/"))
		return page_editor;
	return NULL;
}

/* A page path holds no empty, "." or ".." component and no backslash. */
static bool page_path_ok(const char *p)
{
	if (strchr(p, '\\') || strstr(p, "//"))
		return false;
	for (const char *c = p; (c = strchr(c, '/')); c++) {
		size_t n = strcspn(c + 1, "/");
		if ((n == 1 && c[1] == '.') || (n == 2 && c[1] == '.' && c[2] == '.'))
			return false;
	}
	return true;
}

/* The theme's serve.css, the pages' one style sheet. */
static enum MHD_Result serve_css(struct serve_server *s, struct MHD_Connection *conn, bool head)
{
	struct static_file f;
	if (!s->conf.theme || static_open(s->conf.theme, "/serve.css", &f) != STATIC_FILE)
		return result(http_answer(conn, MHD_HTTP_NOT_FOUND, "not found\n", NULL, NULL));
	f.cache = "no-cache";
	return result(http_send_file(conn, &f, head));
}

/*
 * The first call for a page: 405 for another method, else the request is
 * made (an early refusal answered at once) and waits for its body.
 */
static enum MHD_Result page_start(struct serve_server *s, struct MHD_Connection *conn,
				  char *path, const char *method, void **con_cls)
{
	struct req *r;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD) &&
	    strcmp(method, MHD_HTTP_METHOD_POST)) {
		free(path);
		return result(http_answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n",
					  MHD_HTTP_HEADER_ALLOW, "GET, HEAD, POST"));
	}
	if (!page_path_ok(path)) {
		free(path);
		return result(http_answer(conn, MHD_HTTP_BAD_REQUEST, "bad request\n", NULL, NULL));
	}
	r = http_req_new(&s->conf, conn, path, method);
	*con_cls = r;
	http_req_refuse_early(r);
	return MHD_YES;
}

/*
 * Called with the headers read (*con_cls is NULL the first time), then for
 * each piece of a page's body, then once more at its end. The site's
 * answers are queued at once; a request body, which GET and HEAD do not
 * have, is discarded by libmicrohttpd after the answer. A page request
 * lives in *con_cls until on_completed frees it.
 */
/* *con_cls of a request for a site file between its two calls. */
static char STATIC_MARK;

static enum MHD_Result static_answer(struct serve_server *s, struct MHD_Connection *conn,
				     const char *url, bool head);

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct serve_server *s = cls;
	struct req *r = *con_cls;
	bool head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
	char *path = NULL;
	page_fn page;

	(void)version;
	if (*con_cls == &STATIC_MARK) {
		/* a site file: the headers were seen; drop any body, then answer */
		if (*upload_data_size) {
			*upload_data_size = 0;
			return MHD_YES;
		}
		*con_cls = NULL;
		return static_answer(s, conn, url, head);
	}
	if (r) {
		if (*upload_data_size) {
			size_t n = *upload_data_size;
			*upload_data_size = 0;
			return result(http_req_body(r, upload_data, n));
		}
		path = xstrdup(req_path(r));
		page = s->route(path);
		free(path);
		return result(http_req_run(r, page));
	}
	if (s->conf.library && (path = http_decode_path(url)) && (page = s->route(path)))
		return page_start(s, conn, path, method, con_cls);
	if (s->conf.library)
		free(path);
	if (!head && strcmp(method, MHD_HTTP_METHOD_GET))
		return result(http_answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n",
					  MHD_HTTP_HEADER_ALLOW, "GET, HEAD"));
	/*
	 * Answered on the next call: libmicrohttpd closes a connection whose
	 * answer was queued before it knew the request had no body, so
	 * waiting one call keeps the connection alive for the next request.
	 */
	*con_cls = &STATIC_MARK;
	return MHD_YES;
}

/* A GET or HEAD for the site (or the server pages' style sheet). */
static enum MHD_Result static_answer(struct serve_server *s, struct MHD_Connection *conn,
				     const char *url, bool head)
{
	struct static_file f;

	if (!strcmp(url, "/_hearth/serve.css"))
		return serve_css(s, conn, head);
	switch (static_open(s->root, url, &f)) {
	case STATIC_FILE:
		return result(http_send_file(conn, &f, head));
	case STATIC_REDIRECT:
		return to_folder(conn, url);
	case STATIC_BAD:
		return result(http_answer(conn, MHD_HTTP_BAD_REQUEST, "bad request\n", NULL, NULL));
	case STATIC_NOTFOUND:
		break;
	}
	return not_found(s, conn);
}

/* A request is over (answered, or the client went away): a page's is freed. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls == &STATIC_MARK ? NULL : *con_cls;
	(void)cls;
	(void)conn;
	(void)toe;
	http_req_free(&r);
	*con_cls = NULL;
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

/*
 * The pages' side of the server: the library's settings (serve_opts
 * overriding them), and an empty quarantine folder, since whatever a
 * killed server left there belongs to no request any more.
 */
static int pages_start(struct serve_server *s, const struct serve_opts *o,
		       struct hearth_err *err)
{
	struct http_conf *c = &s->conf;
	hearth_lib *lib = NULL;
	int rc;

	if ((rc = lib_open(o->library, &lib, err)) ||
	    (rc = lib_settings_load(lib, &c->settings, err)))
		goto end;
	c->library = xstrdup(o->library);
	c->theme = xstrdup(o->theme);
	c->self = xstrdup(o->self);
	c->max_upload = o->max_upload > 0		  ? o->max_upload
			: c->settings.serve_max_upload > 0 ? c->settings.serve_max_upload
							   : SERVE_MAX_UPLOAD;
	c->max_file_size =
		c->settings.max_file_size > 0 ? c->settings.max_file_size : LIB_MAX_FILE_SIZE;
	c->quarantine = path_join(o->library, "quarantine");
	if ((rc = rm_rf(c->quarantine, err)))
		goto end;
	if (mkdir(c->quarantine, 0700) != 0) {
		rc = herr(err, HEARTH_EIO, "%s: cannot make the quarantine folder: %s",
			  c->quarantine, strerror(errno));
		goto end;
	}
end:
	lib_close(&lib);
	return rc;
}

int serve_start(const struct serve_opts *o, serve_server **out, struct hearth_err *err)
{
	return serve_start_routed(o, page_for, out, err);
}

int serve_start_routed(const struct serve_opts *o, page_route route, serve_server **out,
		       struct hearth_err *err)
{
	struct serve_server *s = NULL;
	struct sockaddr_in v4 = {0};
	struct sockaddr_in6 v6 = {0};
	struct sockaddr *addr;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	int rc;

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
	s->route = route;
	s->log = o->log;
	s->log_arg = o->log_arg;
	s->conf.log = o->log;
	s->conf.log_arg = o->log_arg;
	if (o->library && (rc = pages_start(s, o, err))) {
		serve_stop(&s);
		return rc;
	}
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
		MHD_OPTION_NOTIFY_COMPLETED, &on_completed, NULL,
		MHD_OPTION_END);
	if (!s->daemon) {
		rc = herr(err, HEARTH_EIO, "cannot listen on %s port %u (in use, or not "
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
	free(s->conf.library);
	free(s->conf.theme);
	free(s->conf.self);
	free(s->conf.quarantine);
	lib_settings_release(&s->conf.settings);
	free(s);
	*sp = NULL;
}
