/*
 * test_serve.c - the parts of serve/ that read a request: one byte range,
 * If-None-Match lists, HTTP dates, media types, and the path rules that
 * keep every answer inside the site folder; the HTML writer's escaping;
 * rate limits and form tokens; and requests as page handlers see them,
 * on a real server on loopback whose pages (defined here, in place of
 * the real ones) say what they were given.
 */
#define _GNU_SOURCE
#include "t.h"
#include "../../serve/serveInt.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void ranges(void)
{
	uint64_t from = 0, len = 0;
	CHECK(static_range("bytes=0-9", 100, &from, &len) == RANGE_ONE);
	CHECK(from == 0 && len == 10);
	CHECK(static_range("bytes=90-", 100, &from, &len) == RANGE_ONE);
	CHECK(from == 90 && len == 10);
	CHECK(static_range("bytes=-30", 100, &from, &len) == RANGE_ONE);
	CHECK(from == 70 && len == 30);
	CHECK(static_range("bytes=-300", 100, &from, &len) == RANGE_ONE);
	CHECK(from == 0 && len == 100);
	CHECK(static_range("bytes=50-500", 100, &from, &len) == RANGE_ONE);
	CHECK(from == 50 && len == 50);
	CHECK(static_range("bytes=100-", 100, &from, &len) == RANGE_UNSAT);
	CHECK(static_range("bytes=-0", 100, &from, &len) == RANGE_UNSAT);
	CHECK(static_range("bytes=0-0", 0, &from, &len) == RANGE_UNSAT);
	CHECK(static_range(NULL, 100, &from, &len) == RANGE_NONE);
	CHECK(static_range("bytes=9-3", 100, &from, &len) == RANGE_NONE);
	CHECK(static_range("bytes=0-1,4-5", 100, &from, &len) == RANGE_NONE);
	CHECK(static_range("bytes=-", 100, &from, &len) == RANGE_NONE);
	CHECK(static_range("lines=0-1", 100, &from, &len) == RANGE_NONE);
	CHECK(static_range("bytes=99999999999999999999999-", 100, &from, &len) == RANGE_NONE);
}

static void etag_lists(void)
{
	CHECK(static_etag_listed("\"a\"", "\"a\""));
	CHECK(static_etag_listed("\"x\", W/\"a\"", "\"a\""));
	CHECK(static_etag_listed("*", "\"a\""));
	CHECK(!static_etag_listed("\"ab\"", "\"a\""));
	CHECK(!static_etag_listed("", "\"a\""));
}

static void dates(void)
{
	char d[40];
	time_t t = 0;
	static_http_date(784111777, d);
	CHECK_STR(d, "Sun, 06 Nov 1994 08:49:37 GMT");
	CHECK(static_parse_date(d, &t) && t == 784111777);
	CHECK(!static_parse_date("Sunday, 06-Nov-94 08:49:37 GMT", &t));
	CHECK(!static_parse_date("Sun, 06 Nov 1994 08:49:37 GMT trailing", &t));
	/* what make fuzz found: a year of INT_MIN overflowed year - 1900 (UBSan
	 * stops here on the old code); fields out of range, and days a month
	 * lacks, are no date */
	CHECK(!static_parse_date("Sun, 01 Jan -2147483648 00:00:00 GMT", &t));
	CHECK(!static_parse_date("Sun, 01 Jan 2147483647 00:00:00 GMT", &t));
	CHECK(!static_parse_date("Sun, 00 Jan 2024 00:00:00 GMT", &t));
	CHECK(!static_parse_date("Sun, 01 Jan 2024 24:00:00 GMT", &t));
	CHECK(!static_parse_date("Sun, 01 Jan 2024 00:60:00 GMT", &t));
	CHECK(!static_parse_date("Sun, 01 Jan 2024 00:00:-1 GMT", &t));
	CHECK(!static_parse_date("Sat, 31 Feb 2024 00:00:00 GMT", &t));
	CHECK(static_parse_date("Thu, 29 Feb 2024 12:00:00 GMT", &t) && t == 1709208000);
}

static void types(void)
{
	const char *type, *cache;
	static_type("feed.xml", &type, &cache);
	CHECK(!strncmp(type, "application/rss+xml", 19));
	static_type("a.MP3", &type, &cache);
	CHECK_STR(type, "audio/mpeg");
	static_type("a.vtt", &type, &cache);
	CHECK(!strncmp(type, "text/vtt", 8));
	static_type("a.m4a", &type, &cache);
	CHECK_STR(type, "audio/mp4");
	static_type("noext", &type, &cache);
	CHECK_STR(type, "application/octet-stream");
}

static void paths(void)
{
	char root[512], *sub, *outside, *lnk;
	struct static_file f;
	int fd;

	snprintf(root, sizeof root, "%s/site", t_tmpdir());
	sub = xasprintf("%s/a", root);
	outside = xasprintf("%s/outside.txt", t_tmpdir());
	lnk = xasprintf("%s/link.html", root);
	mkdir(root, 0755);
	mkdir(sub, 0755);
	fd = open(outside, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(fd);
	free(outside);
	outside = xasprintf("%s/a/index.html", root);
	fd = open(outside, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(fd);
	free(outside);
	outside = xasprintf("%s/outside.txt", t_tmpdir());
	CHECK(symlink(outside, lnk) == 0);

	CHECK(static_open(root, "/a/", &f) == STATIC_FILE);
	close(f.fd);
	CHECK(static_open(root, "/%61/index.html", &f) == STATIC_FILE);
	close(f.fd);
	CHECK(static_open(root, "/a", &f) == STATIC_REDIRECT);
	CHECK(static_open(root, "/link.html", &f) == STATIC_NOTFOUND);
	CHECK(static_open(root, "/a/index.html/", &f) == STATIC_NOTFOUND);
	CHECK(static_open(root, "/.hidden", &f) == STATIC_NOTFOUND);
	CHECK(static_open(root, "/../outside.txt", &f) == STATIC_BAD);
	CHECK(static_open(root, "/%2e%2e/outside.txt", &f) == STATIC_BAD);
	CHECK(static_open(root, "/a%2findex.html", &f) == STATIC_BAD);
	CHECK(static_open(root, "/a%5cindex.html", &f) == STATIC_BAD);
	CHECK(static_open(root, "/a%00", &f) == STATIC_BAD);
	CHECK(static_open(root, "/a%2", &f) == STATIC_BAD);
	CHECK(static_open(root, "//a/", &f) == STATIC_BAD);
	CHECK(static_open(root, "a/", &f) == STATIC_BAD);
	/* decoded once: %252e stays the name "%2e", which does not exist */
	CHECK(static_open(root, "/%252e%252e/outside.txt", &f) == STATIC_NOTFOUND);
	free(sub);
	free(outside);
	free(lnk);
}

/* ---- the HTML writer ------------------------------------------------------ */

static void html_escapes(void)
{
	struct html h = {BUF_INIT, {0}, 0};
	html_elem(&h, "p", "a & b < c > d \" e ' f", "title", "x\"><script>alert(1)</script>",
		  NULL);
	CHECK_STR(buf_cstr(&h.out), "<p title=\"x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">"
				    "a &amp; b &lt; c &gt; d &quot; e &#39; f</p>\n");
	buf_reset(&h.out);
	html_void(&h, "input", "value", "' onfocus='x", "required", "", "hidden", NULL, NULL);
	CHECK_STR(buf_cstr(&h.out), "<input value=\"&#39; onfocus=&#39;x\" required>");
	buf_reset(&h.out);
	/* names that are not plain lowercase literals are dropped */
	html_open(&h, "p onclick=x", NULL);
	html_text(&h, "t");
	html_close(&h);
	html_void(&h, "img", "src", "/a", "on load", "x", "Alt", "y", NULL);
	CHECK_STR(buf_cstr(&h.out), "t<img src=\"/a\">");
	buf_reset(&h.out);
	/* control characters go, bad UTF-8 becomes U+FFFD, good UTF-8 stays */
	html_text(&h, "a\x01" "b\x7f" "\xff" "\xc3\xa9\r\n");
	CHECK_STR(buf_cstr(&h.out), "ab\xef\xbf\xbd\xc3\xa9\n");
	buf_reset(&h.out);
	html_textf(&h, "%d <%s>", 3, "&");
	CHECK_STR(buf_cstr(&h.out), "3 &lt;&amp;&gt;");
	html_release(&h);
}

static void html_pages(void)
{
	struct html h = {BUF_INIT, {0}, 0};
	const char *s;
	html_begin(&h, "en", "Site <b>", "Page & co");
	html_open(&h, "div", "class", "x", NULL);
	html_paragraphs(&h, "one\ntwo <i>\n\n  \nthree");
	html_end(&h);
	s = buf_cstr(&h.out);
	CHECK(str_starts(s, "<!doctype html>\n<html lang=\"en\">"));
	CHECK(strstr(s, "<meta charset=\"utf-8\">"));
	CHECK(strstr(s, "<title>Page &amp; co \xe2\x80\x94 Site &lt;b&gt;</title>"));
	CHECK(strstr(s, "<link rel=\"stylesheet\" href=\"/_hearth/serve.css\">"));
	CHECK(strstr(s, "<a class=\"skip\" href=\"#main\">"));
	CHECK(strstr(s, "<main id=\"main\">"));
	CHECK(strstr(s, "<p>one<br>\ntwo &lt;i&gt;</p>\n<p>three</p>\n</div>\n</main>\n<footer>"));
	CHECK(str_ends(s, "</footer>\n</body>\n</html>"));
	CHECK(h.depth == 0);
	html_release(&h);
}

/* ---- guards ------------------------------------------------------------------- */

static void rates(void)
{
	unsigned retry = 0;
	int ok = 0;
	for (int i = 0; i < 30; i++)
		ok += guard_rate_at("192.0.2.1", RATE_CODE, 1000, &retry);
	CHECK(ok == 20);
	CHECK(retry >= 1 && retry <= 3);
	/* another address, another kind: their own buckets */
	CHECK(guard_rate_at("192.0.2.2", RATE_CODE, 1000, NULL));
	CHECK(guard_rate_at("192.0.2.1", RATE_SIGNIN, 1000, NULL));
	/* a token comes back every 3 seconds */
	CHECK(!guard_rate_at("192.0.2.1", RATE_CODE, 2000, NULL));
	CHECK(guard_rate_at("192.0.2.1", RATE_CODE, 4100, NULL));
	CHECK(!guard_rate_at("192.0.2.1", RATE_CODE, 4200, NULL));
	/* many addresses: the table keeps its size, the oldest make room */
	for (int i = 0; i < 5000; i++) {
		char ip[32];
		snprintf(ip, sizeof ip, "10.0.%d.%d", i / 256, i % 256);
		guard_rate_at(ip, RATE_SUBMIT, 5000 + i, NULL);
	}
	/* 192.0.2.1 was evicted, so it starts afresh */
	CHECK(guard_rate_at("192.0.2.1", RATE_CODE, 20000, NULL));
}

static void tokens(void)
{
	char a[48], b[48], c[48];
	guard_token_new(NULL, 100, a);
	CHECK(strlen(a) == 32);
	CHECK(guard_token_spend(a, NULL, 101));
	CHECK(!guard_token_spend(a, NULL, 102)); /* spent */
	guard_token_new("session-1", 100, b);
	CHECK(!guard_token_spend(b, "session-2", 101)); /* another session's */
	CHECK(!guard_token_spend(b, "session-1", 101)); /* and spent by trying */
	guard_token_new("session-1", 100, b);
	CHECK(!guard_token_spend(b, NULL, 101));
	guard_token_new(NULL, 100, c);
	CHECK(!guard_token_spend(c, NULL, 100 + 2 * 3600 + 1)); /* expired */
	CHECK(!guard_token_spend(NULL, NULL, 100));
	CHECK(!guard_token_spend("", NULL, 100));
	CHECK(!guard_token_spend("short", NULL, 100));
	guard_token_new(NULL, 100, c);
	c[5] = c[5] == 'A' ? 'B' : 'A';
	CHECK(!guard_token_spend(c, NULL, 101)); /* forged */
}

/* ---- requests on a real server ---------------------------------------------------- */

static char last_upload[4096]; /* a file a page was given, to see it gone afterwards */

/* The pages: each says what it was given, or does what its path asks. */
static void echo(struct req *r)
{
	struct buf b = BUF_INIT;
	size_t n;
	const struct upload *u = req_all_files(r, &n);
	const char *p = req_path(r);
	static const char *const names[] = {"title", "text", "q", "a b", "empty", NULL};

	if (!strcmp(p, "/editor/forget"))
		return;
	if (!strcmp(p, "/editor/redirect")) {
		resp_redirect(r, "/receipt/ABCD?new=1");
		return;
	}
	if (!strcmp(p, "/editor/away")) {
		resp_redirect(r, "//example.com/");
		return;
	}
	if (!strcmp(p, "/editor/slow")) {
		resp_slow_down(r, 7);
		return;
	}
	if (!strcmp(p, "/editor/cookie")) {
		resp_cookie(r, "hearth_session", "tok-1", "/editor", 60);
		resp_cookie(r, "bad", "a;b", "/editor", 60);
		resp_text(r, 200, "cookie\n");
		resp_text(r, 500, "twice\n");
		return;
	}
	if (!strcmp(p, "/editor/page")) {
		struct html h = {BUF_INIT, {0}, 0};
		html_begin(&h, "en", "Site", "Form");
		html_form(&h, r, "/feedback", true);
		html_end(&h);
		resp_html(r, 200, &h);
		html_release(&h);
		return;
	}
	if (!strcmp(p, "/feedback") && !strcmp(req_method(r), "POST")) {
		resp_text(r, guard_form_ok(r) ? 200 : 403, "form\n");
		return;
	}
	buf_printf(&b, "%s %s ip=%s secure=%d lib=%d self=%s cookie=%s\n", req_method(r), p,
		   req_ip(r), req_secure(r), req_lib_dir(r) != NULL, req_self(r) ? req_self(r) : "-",
		   req_cookie(r, "c") ? req_cookie(r, "c") : "-");
	for (int i = 0; names[i]; i++)
		if (req_field(r, names[i]))
			buf_printf(&b, "field %s=[%s]\n", names[i], req_field(r, names[i]));
	for (size_t i = 0; i < n; i++) {
		buf_printf(&b, "file %s name=[%s] size=%lld too_big=%d kept=%d\n", u[i].field,
			   u[i].filename, (long long)u[i].size, u[i].too_big,
			   u[i].path && file_size(u[i].path) == u[i].size);
		if (u[i].path)
			snprintf(last_upload, sizeof last_upload, "%s", u[i].path);
	}
	if (req_files(r, "art", &n))
		buf_printf(&b, "art %zu\n", n);
	resp_text(r, 200, buf_cstr(&b));
	buf_release(&b);
}

/* Every page of the real server is echo here. */
static page_fn echo_route(const char *p)
{
	if (!strcmp(p, "/submit") || !strcmp(p, "/receipt") || str_starts(p, "/receipt/") ||
	    !strcmp(p, "/feedback") || !strcmp(p, "/editor") || str_starts(p, "/editor/"))
		return echo;
	return NULL;
}

static unsigned port;

/* Sends a whole request, reads the whole answer (the server closes). */
static int ask(const char *req, size_t n, struct buf *out)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct timeval tv = {10, 0};
	char chunk[8192];
	ssize_t got;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	buf_reset(out);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	while (n) {
		ssize_t w = send(fd, req, n, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		req += w;
		n -= (size_t)w;
	}
	while ((got = recv(fd, chunk, sizeof chunk, 0)) > 0)
		buf_add(out, chunk, (size_t)got);
	close(fd);
	buf_puts(out, "");
	return atoi(out->len > 9 ? out->data + 9 : "0");
}

static int ask_s(const char *req, struct buf *out)
{
	return ask(req, strlen(req), out);
}

/* A POST of body with type, and extra header lines (may be ""). */
static int post(const char *path, const char *type, const char *extra, const char *body,
		size_t n, struct buf *out)
{
	struct buf q = BUF_INIT;
	int rc;
	buf_printf(&q, "POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		       "Content-Type: %s\r\nContent-Length: %zu\r\n%s\r\n", path, type, n, extra);
	buf_add(&q, body, n);
	rc = ask(q.data, q.len, out);
	buf_release(&q);
	return rc;
}

static serve_server *srv;
static char qdir[600];

static bool quarantine_empty(void)
{
	/* the request is freed just after its answer is sent: allow a moment */
	for (int i = 0; i < 100; i++) {
		char **v = dir_list(qdir, true);
		bool empty = !v;
		strv_free(v);
		if (empty)
			return true;
		usleep(20000);
	}
	return false;
}

static void start_server(void)
{
	struct serve_opts o;
	struct hearth_err err = {0};
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof a;
	char lib[512], yaml[600];
	int fd;

	snprintf(lib, sizeof lib, "%s/srvlib", t_tmpdir());
	snprintf(qdir, sizeof qdir, "%s/quarantine/stale", lib);
	CHECK_OK(lib_init(lib, &err), &err);
	snprintf(yaml, sizeof yaml, "%s/hearth.yaml", lib);
	CHECK(sh("printf 'limits:\\n  max_file_size: 1000\\n' >>'%s'", yaml) == 0);
	CHECK(sh("mkdir -p '%s/public' '%s'", lib, qdir) == 0);
	CHECK(sh("touch '%s/left-by-a-killed-server'", qdir) == 0);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
	CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	port = ntohs(a.sin_port);
	close(fd);

	serve_opts_default(&o);
	o.port = port;
	o.root = tp("srvlib/public");
	o.library = lib;
	o.self = "/usr/bin/hearth";
	o.max_upload = 100000;
	CHECK_OK(serve_start_routed(&o, echo_route, &srv, &err), &err);
	/* what a killed server left is gone */
	CHECK(!path_exists(qdir));
	snprintf(qdir, sizeof qdir, "%s/quarantine", lib);
	CHECK(path_is_dir(qdir));
}

static void fields(void)
{
	struct buf b = BUF_INIT;
	const char *form = "title=Caf%C3%A9+%26+more&text=one%0D%0Atwo%0Dthree&a+b=%2B&empty=";
	CHECK(srv);
	CHECK(ask_s("GET /submit?q=a%20b+c%26&title=first&title=second HTTP/1.1\r\nHost: x\r\n"
		    "Cookie: c=v1\r\nConnection: close\r\n\r\n", &b) == 200);
	CHECK(strstr(b.data, "GET /submit ip=127.0.0.1 secure=0 lib=1 self=/usr/bin/hearth cookie=v1"));
	CHECK(strstr(b.data, "field q=[a b c&]"));
	CHECK(strstr(b.data, "field title=[first]"));
	CHECK(strstr(b.data, "Cache-Control: no-store"));
	CHECK(strstr(b.data, "X-Content-Type-Options: nosniff"));
	CHECK(strstr(b.data, "Content-Security-Policy: default-src 'self'"));
	CHECK(post("/submit", "application/x-www-form-urlencoded", "", form, strlen(form), &b) == 200);
	CHECK(strstr(b.data, "field title=[Caf\xc3\xa9 & more]"));
	CHECK(strstr(b.data, "field text=[one\ntwo\nthree]"));
	CHECK(strstr(b.data, "field a b=[+]"));
	CHECK(strstr(b.data, "field empty=[]"));
	/* a forwarded address is not believed without a trusted proxy */
	CHECK(ask_s("GET /editor HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\n"
		    "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n", &b) == 200);
	CHECK(strstr(b.data, "ip=127.0.0.1 secure=0"));
	/* refused: a NUL, bad UTF-8, a field over 64 KiB */
	CHECK(post("/submit", "application/x-www-form-urlencoded", "", "text=a%00b", 10, &b) == 400);
	CHECK(post("/submit", "application/x-www-form-urlencoded", "", "text=%FF", 8, &b) == 400);
	CHECK(ask_s("GET /submit?q=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &b) ==
	      400);
	{
		struct buf big = BUF_INIT;
		buf_puts(&big, "text=");
		for (int i = 0; i < 70000; i++)
			buf_putc(&big, 'a');
		CHECK(post("/submit", "application/x-www-form-urlencoded", "", big.data, big.len,
			   &b) == 413);
		buf_release(&big);
	}
	CHECK(post("/submit", "application/json", "", "{}", 2, &b) == 415);
	buf_release(&b);
}

static void uploads(void)
{
	struct buf b = BUF_INIT, body = BUF_INIT;
	const char *t = "multipart/form-data; boundary=XyZ";
	CHECK(srv);
	buf_puts(&body, "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n"
			"A title\r\nwith lines\r\n"
			"--XyZ\r\nContent-Disposition: form-data; name=\"art\"; filename=\"../../etc/x.PNG\"\r\n"
			"Content-Type: image/png\r\n\r\n");
	for (int i = 0; i < 600; i++)
		buf_putc(&body, (char)(i & 0xff));
	buf_puts(&body, "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"art\"; filename=\"b.png\"\r\n"
			"Content-Type: image/png\r\n\r\n");
	for (int i = 0; i < 1500; i++)
		buf_putc(&body, 'z');
	buf_puts(&body, "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"\"\r\n"
			"Content-Type: application/octet-stream\r\n\r\n"
			"\r\n--XyZ--\r\n");
	CHECK(post("/submit", t, "", body.data, body.len, &b) == 200);
	CHECK(strstr(b.data, "field title=[A title\nwith lines]"));
	CHECK(strstr(b.data, "file art name=[../../etc/x.PNG] size=600 too_big=0 kept=1"));
	/* over limits.max_file_size (1000 here): not kept, marked, the form still read */
	CHECK(strstr(b.data, "file art name=[b.png] size=1500 too_big=1 kept=0"));
	CHECK(strstr(b.data, "art 2"));
	/* an empty file input is no file */
	CHECK(!strstr(b.data, "file audio"));
	/* the file was named by the server, inside the request's folder */
	CHECK(str_starts(last_upload, qdir));
	CHECK(!strstr(last_upload, "x.PNG") && !strstr(last_upload + strlen(qdir), ".."));
	CHECK(quarantine_empty());

	/* announced over serve.max_upload: 413 before the body is sent */
	CHECK(ask_s("POST /submit HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		    "Content-Type: multipart/form-data; boundary=XyZ\r\n"
		    "Content-Length: 100001\r\n\r\n", &b) == 413);
	/* a chunked body that crosses it: the connection is dropped */
	{
		struct buf q = BUF_INIT;
		buf_puts(&q, "POST /submit HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
			     "Content-Type: multipart/form-data; boundary=XyZ\r\n"
			     "Transfer-Encoding: chunked\r\n\r\n");
		const char *head = "--XyZ\r\nContent-Disposition: form-data; name=\"audio\"; "
				   "filename=\"a\"\r\n\r\n";
		buf_printf(&q, "%zx\r\n%s\r\n", strlen(head), head);
		for (int i = 0; i < 30; i++) {
			buf_puts(&q, "1000\r\n");
			for (int k = 0; k < 4096; k++)
				buf_putc(&q, 'x');
			buf_puts(&q, "\r\n");
		}
		buf_puts(&q, "0\r\n\r\n");
		CHECK(ask(q.data, q.len, &b) == 0);
		buf_release(&q);
	}
	CHECK(quarantine_empty());
	buf_release(&b);
	buf_release(&body);
}

static void answers(void)
{
	struct buf b = BUF_INIT;
	CHECK(srv);
	CHECK(ask_s("GET /editor/forget HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &b) ==
	      500);
	CHECK(ask_s("GET /editor/redirect HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &b) ==
	      303);
	CHECK(strstr(b.data, "Location: /receipt/ABCD?new=1\r\n"));
	CHECK(ask_s("GET /editor/away HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &b) ==
	      500);
	CHECK(!strstr(b.data, "example.com"));
	CHECK(ask_s("GET /editor/slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &b) ==
	      429);
	CHECK(strstr(b.data, "Retry-After: 7\r\n"));
	CHECK(ask_s("GET /editor/cookie HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &b) ==
	      200);
	CHECK(strstr(b.data, "Set-Cookie: hearth_session=tok-1; HttpOnly; SameSite=Strict; "
			     "Path=/editor; Max-Age=60\r\n"));
	CHECK(!strstr(b.data, "bad="));
	CHECK(!strstr(b.data, "twice"));
	CHECK(ask_s("PUT /editor HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &b) == 405);
	CHECK(strstr(b.data, "Allow: GET, HEAD, POST\r\n"));
	CHECK(ask_s("DELETE /submit HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &b) == 405);
	CHECK(ask_s("GET /receipt/../editor HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		    &b) == 400);
	CHECK(ask_s("GET /receipt/%2e%2e/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		    &b) == 400);
	CHECK(ask_s("GET /receipt/AB%2FCD HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		    &b) == 200);
	CHECK(ask_s("HEAD /submit HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &b) == 200);
	CHECK(str_ends(b.data, "\r\n\r\n"));
	buf_release(&b);
}

static void form_tokens(void)
{
	struct buf b = BUF_INIT;
	char tok[64], form[128];
	const char *at;
	CHECK(srv);
	CHECK(ask_s("GET /editor/page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &b) ==
	      200);
	CHECK(strstr(b.data, "Content-Type: text/html; charset=utf-8\r\n"));
	CHECK(strstr(b.data, "<form method=\"post\" action=\"/feedback\" "
			     "enctype=\"multipart/form-data\">"));
	CHECK((at = strstr(b.data, "name=\"csrf\" value=\"")));
	at += strlen("name=\"csrf\" value=\"");
	CHECK(strlen(at) > 32 && at[32] == '"');
	memcpy(tok, at, 32);
	tok[32] = 0;
	snprintf(form, sizeof form, "csrf=%s", tok);
	CHECK(post("/feedback", "application/x-www-form-urlencoded", "", form, strlen(form), &b) ==
	      200);
	/* replayed */
	CHECK(post("/feedback", "application/x-www-form-urlencoded", "", form, strlen(form), &b) ==
	      403);
	/* missing */
	CHECK(post("/feedback", "application/x-www-form-urlencoded", "", "x=1", 3, &b) == 403);
	buf_release(&b);
}

static void stop_server(void)
{
	serve_stop(&srv);
	CHECK(!srv);
}

int main(void)
{
	RUN(ranges);
	RUN(etag_lists);
	RUN(dates);
	RUN(types);
	RUN(paths);
	RUN(html_escapes);
	RUN(html_pages);
	RUN(rates);
	RUN(tokens);
	RUN(start_server);
	RUN(fields);
	RUN(uploads);
	RUN(answers);
	RUN(form_tokens);
	RUN(stop_server);
	return 0;
}

