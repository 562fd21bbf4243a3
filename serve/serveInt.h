/*
 * serveInt.h - what the files of serve/ share and nobody outside includes.
 * static.c turns a request path into an open file inside the site folder
 * and reads the request's validators and range; serve.c runs the daemon
 * and writes the responses. static.c knows nothing of libmicrohttpd.
 */
#ifndef HEARTH_SERVE_INT_H
#define HEARTH_SERVE_INT_H

#include "serve.h"
#include "../library/library.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

enum static_result {
	STATIC_FILE,      /* f is filled, f->fd is open */
	STATIC_REDIRECT,  /* a folder named without its final '/' */
	STATIC_NOTFOUND,  /* missing, hidden, a link, or not a plain file */
	STATIC_BAD        /* a path no site file can have: '..', NUL, '\', %2F */
};

struct static_file {
	int fd;             /* owned by the caller once returned */
	struct stat st;
	const char *type;   /* Content-Type; static */
	const char *cache;  /* Cache-Control; static */
};

/*
 * Opens the file the raw request path (still %-escaped, query removed)
 * names under root. Decodes %-escapes once; each component is opened
 * with openat and O_NOFOLLOW from the folder before it, so neither '..'
 * nor a link can lead out of root. Names starting with '.' are not found.
 */
enum static_result static_open(const char *root, const char *raw, struct static_file *f);

/* The value of a hexadecimal digit, or -1 (for %-escapes, here and in http.c). */
int static_hexval(int c);

/* The Content-Type and Cache-Control for a file name, by its extension. */
void static_type(const char *name, const char **type, const char **cache);

enum static_range {
	RANGE_NONE,  /* no usable Range: send the whole file */
	RANGE_ONE,   /* one satisfiable range: *from and *len */
	RANGE_UNSAT  /* a valid range that lies beyond the end: 416 */
};

/* Reads a Range header (NULL allowed) for a file of size bytes. A list of
 * ranges, or a malformed one, is RANGE_NONE. */
enum static_range static_range(const char *hdr, uint64_t size, uint64_t *from,
			       uint64_t *len);

/* The quoted strong entity tag of a file: size, change time and inode. */
void static_etag(const struct stat *st, char out[80]);

/* True when an If-None-Match list names etag (weakly) or is "*". */
bool static_etag_listed(const char *list, const char *etag);

/* An HTTP date (IMF-fixdate) for t, and back. */
void static_http_date(time_t t, char out[40]);
bool static_parse_date(const char *s, time_t *t);

/* ---- requests and responses (http.c) ----------------------------------- */

/*
 * Besides the site, the server answers the peers' and editors' pages. The
 * server knows the library folder (to open the catalogue per request) and
 * the theme folder (its serve.css is sent as /_hearth/serve.css).
 */
struct upload {
	char *field;      /* the form field it came in ("audio", "art", ...) */
	char *filename;   /* the name the browser sent (for messages only; may be "") */
	char *path;       /* the file in the request's quarantine folder; NULL when too_big */
	int64_t size;     /* bytes received */
	/*
	 * Over limits.max_file_size: not kept (path NULL), the rest of its
	 * bytes read and dropped, so the page can still answer with the form.
	 */
	bool too_big;
};

struct req;  /* one request, owned by http.c; valid during the handler */

/* What the request is. */
const char *req_method(const struct req *r);   /* "GET", "HEAD" or "POST" */
const char *req_path(const struct req *r);     /* decoded path, no query */
const char *req_ip(const struct req *r);       /* the client (X-Forwarded-For of a trusted proxy) */
bool req_secure(const struct req *r);          /* came through TLS (trusted proxy said https) */
const char *req_header(const struct req *r, const char *name); /* NULL when absent */
const char *req_cookie(const struct req *r, const char *name); /* NULL when absent */

/*
 * A field of the query (GET) or of the body (POST, url-encoded or
 * multipart), NUL-free UTF-8 with CR LF turned into LF, trimmed of nothing;
 * NULL when absent. The first value when a field repeats.
 */
const char *req_field(const struct req *r, const char *name);
/* The files uploaded in field name, in order; *n gets how many. */
const struct upload *req_files(const struct req *r, const char *name, size_t *n);
/* Every file uploaded, in order. */
const struct upload *req_all_files(const struct req *r, size_t *n);

/*
 * The catalogue for this request, opened on first use and closed when the
 * request ends; the actor is set to who (borrowed; e.g. "peer (web form)"
 * or the signed-in editor's name). 0, or an error for a 500 page.
 */
int req_lib(struct req *r, const char *who, hearth_lib **out, struct hearth_err *err);
/* The library folder and the settings loaded at start (borrowed). */
const char *req_lib_dir(const struct req *r);
const struct lib_settings *req_settings(const struct req *r);
/* This program (serve_opts.self), for the console's builds (borrowed). */
const char *req_self(const struct req *r);

/*
 * The answer. Exactly one resp_* per request; the security headers are
 * added to every one. resp_html takes the page's bytes (the writer's buf is
 * emptied). Cookies are added before the answer (resp_cookie).
 */
struct html;
void resp_html(struct req *r, unsigned status, struct html *h);
void resp_text(struct req *r, unsigned status, const char *text);
/* 303 See Other to a path on this server (a local path starting with '/'). */
void resp_redirect(struct req *r, const char *location);
/* A file (the store's originals for the console): ranges and validators as
 * for the site; fd is taken. */
void resp_file(struct req *r, int fd, const char *type);
/* 429 with Retry-After: seconds. */
void resp_slow_down(struct req *r, unsigned seconds);
/* Adds Set-Cookie: name=value; HttpOnly; SameSite=Strict; Path=path;
 * Max-Age=max_age (0 with an empty value clears it); Secure when secure. */
void resp_cookie(struct req *r, const char *name, const char *value, const char *path,
		 long max_age);

/* ---- page handlers (peer.c, console.c) ---------------------------------- */

/* /submit */
void page_submit(struct req *r);
/* /receipt, /receipt/CODE, /receipt/CODE/ACTION */
void page_receipt(struct req *r);
/* /feedback */
void page_feedback(struct req *r);
/* /editor and everything under it */
void page_editor(struct req *r);

/* ---- the HTML writer (html.c) ------------------------------------------- */

/*
 * Builds a page element by element. Tag and attribute names are literals
 * of the program; every text and every attribute value is escaped, so no
 * value anyone typed can become markup. Attribute lists are name, value
 * pairs ended by NULL; a NULL value leaves the attribute out, "" writes it
 * bare (e.g. "required", "").
 */
struct html {
	struct buf out;
	const char *open[64];  /* the elements open, innermost last */
	int depth;
};
/* <!doctype html>, <html lang>, <head> with title, the style sheet, the
 * header with the site's title; leaves <main> open. */
void html_begin(struct html *h, const char *lang, const char *site_title,
		const char *page_title);
/* html_begin for a page that reloads itself every `refresh` seconds (a
 * <meta http-equiv="refresh"> in its head; 0: never), as the console's
 * build page does while a build runs. */
void html_begin_refresh(struct html *h, const char *lang, const char *site_title,
			const char *page_title, unsigned refresh);
/* Closes everything open, adds the footer and </html>. */
void html_end(struct html *h);
void html_open(struct html *h, const char *tag, ...) __attribute__((sentinel));
void html_close(struct html *h);                /* the innermost open element */
void html_void(struct html *h, const char *tag, ...) __attribute__((sentinel));
void html_text(struct html *h, const char *text);
void html_textf(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* <tag attrs...>text</tag> */
void html_elem(struct html *h, const char *tag, const char *text, ...)
	__attribute__((sentinel));
/* Text with its line breaks kept: paragraphs at blank lines, <br> at single ones. */
void html_paragraphs(struct html *h, const char *text);
void html_release(struct html *h);

/* ---- guards (guard.c) ---------------------------------------------------- */

enum rate_kind {
	RATE_CODE,      /* invitation and receipt lookups: 20 a minute */
	RATE_SUBMIT,    /* submissions and revisions: 10 an hour */
	RATE_FEEDBACK,  /* 5 an hour */
	RATE_SIGNIN,    /* 5 a minute */
	RATE_KINDS
};
/*
 * True when the client may go on: a token bucket per kind and address, in
 * a table of fixed size (the least recently seen address makes room), so
 * memory stays flat whatever the number of addresses. When false,
 * *retry_after (may be NULL) gets the seconds to wait.
 */
bool guard_rate(struct req *r, enum rate_kind k, unsigned *retry_after);

/*
 * One-time form tokens. guard_form_token gives a token for a form (bound
 * to the editor's session when there is one); html_form writes the form
 * element with it as the hidden field "csrf". guard_form_ok checks and
 * spends the request's "csrf": false for a missing, unknown, spent,
 * expired (2 hours) or other session's token.
 */
void guard_form_token(struct req *r, char out[48]);
bool guard_form_ok(struct req *r);
/* <form method="post" action=action [enctype=multipart/form-data]> with the
 * hidden csrf field; leaves the form open. */
void html_form(struct html *h, struct req *r, const char *action, bool multipart);

/*
 * The signed-in editor of this request (from the hearth_session cookie,
 * through lib_session_find), or false. e is filled on true (release it).
 */
bool guard_editor(struct req *r, struct lib_editor *e);
/* Signs in: a session of 12 hours and its cookie; signs out: ends it and
 * clears the cookie. */
int guard_sign_in(struct req *r, int64_t editor_id, struct hearth_err *err);
void guard_sign_out(struct req *r);

/* ---- between the daemon and the requests (serve.c, http.c) ------------- */

struct MHD_Connection;
struct MHD_Response;

/* What every request of one server shares; set up by serve_start, read only after. */
struct http_conf {
	char *library;              /* NULL: the site only */
	char *theme;                /* may be NULL */
	char *self;                 /* may be NULL */
	char *quarantine;           /* <library>/quarantine */
	int64_t max_upload;         /* bytes of one request's body */
	int64_t max_file_size;      /* bytes of one uploaded file */
	struct lib_settings settings;
	void (*log)(void *arg, const char *msg);
	void *log_arg;
};

/* The response headers every answer carries, with Cache-Control cache. */
void http_common(struct MHD_Response *resp, const char *cache);
/* Queues a short text answer; name and value add one header when not NULL. True when queued. */
bool http_answer(struct MHD_Connection *conn, unsigned status, const char *body,
		 const char *name, const char *value);
/* Queues f (its fd is taken) with validators and one range, as for the site. */
bool http_send_file(struct MHD_Connection *conn, struct static_file *f, bool head);

/*
 * The request path decoded once: NULL (refuse with 400) for a bad escape,
 * a NUL or another control character. New allocation.
 */
char *http_decode_path(const char *raw);

/*
 * A page request: made when its headers are read (path taken), fed its
 * body, then run: the handler, or the refusal decided while reading. An
 * early refusal (a body announced over the limit, a type that is no form)
 * is answered at once by http_req_refuse_early. http_req_body returns
 * false when the connection must be dropped (a body crossing the limit).
 */
struct req *http_req_new(const struct http_conf *c, struct MHD_Connection *conn, char *path,
			 const char *method);
bool http_req_refuse_early(struct req *r);
bool http_req_body(struct req *r, const char *data, size_t n);
bool http_req_run(struct req *r, void (*handler)(struct req *r));
void http_req_free(struct req **r);

/* A page handler, and what chooses it for a decoded path (NULL: the site's). */
typedef void (*page_fn)(struct req *r);
typedef page_fn (*page_route)(const char *path);
/* serve_start with other pages than peer.c's and console.c's (the unit
 * tests' pages, which say what they were given). */
int serve_start_routed(const struct serve_opts *o, page_route route, serve_server **out,
		       struct hearth_err *err);

/* ---- pieces of the guards, apart from a request (for tests) -------------- */

/* The token bucket of ip and kind at now_ms (a monotonic clock). */
bool guard_rate_at(const char *ip, enum rate_kind k, int64_t now_ms, unsigned *retry_after);
/* A form token bound to bound (may be NULL), and its check (spends it). */
void guard_token_new(const char *bound, int64_t now, char out[48]);
bool guard_token_spend(const char *token, const char *bound, int64_t now);

#endif
