/*
 * serve.h - the HTTP server behind `hearth serve` (libmicrohttpd). For now
 * it serves one thing: the built site, read-only, for preview. Requests are
 * answered by a pool of threads (epoll) with limits on connections, on
 * connections per address, on idle time and on memory per connection.
 *
 * Only this folder includes microhttpd.h; callers see an opaque server and
 * the options below. The server never prints: what libmicrohttpd has to
 * say goes to the log callback.
 */
#ifndef HEARTH_SERVE_H
#define HEARTH_SERVE_H

#include "../core/core.h"

#include <stddef.h>

typedef struct serve_server serve_server;

struct serve_opts {
	const char *bind;       /* an IPv4 or IPv6 address; borrows */
	unsigned port;          /* 1..65535 */
	const char *root;       /* the built site (public/); borrows, copied at start */
	/*
	 * The library folder (borrowed): with it the server also answers the
	 * peers' and editors' pages (/submit, /receipt, /feedback, /editor);
	 * NULL: the site only.
	 */
	const char *library;
	const char *theme;      /* the theme folder, for serve.css (borrowed) */
	const char *self;       /* this program, for the console's builds (borrowed) */
	int64_t max_upload;     /* bytes of one request's body; 0: the settings' */
	unsigned threads;       /* worker threads */
	unsigned max_conns;     /* connections at once, in all */
	unsigned max_per_ip;    /* connections at once from one address */
	unsigned idle_timeout;  /* seconds a connection may stay silent */
	size_t conn_memory;     /* bytes per connection for the request head */
	/* where the server's own messages go (may be NULL): one line, no newline */
	void (*log)(void *arg, const char *msg);
	void *log_arg;
};

/* Fills o with the defaults: 127.0.0.1:8080, 4 threads, 512 connections,
 * 64 per address, 15 s idle, 32 KiB per connection; root and log NULL. */
void serve_opts_default(struct serve_opts *o);

/*
 * Starts serving o->root on o->bind:o->port; returns at once, the server
 * runs on its own threads. *out is a new server, stop and free it with
 * serve_stop. HEARTH_EINVAL for a bad address, HEARTH_ENOENT when root is
 * not a folder, HEARTH_EIO when the address cannot be listened on.
 */
int serve_start(const struct serve_opts *o, serve_server **out, struct hearth_err *err);

/* Closes the listening socket and every connection, waits for the
 * threads, frees the server and sets *s to NULL. Accepts NULL. */
void serve_stop(serve_server **s);

#endif
