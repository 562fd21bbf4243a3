/*
 * static.c - the built site on disk as the preview server sees it: a
 * request path becomes an open file that cannot lie outside the site
 * folder, with its media type and cache policy; and the parts of a
 * request that decide what of it is sent (validators, one byte range).
 * serve.c calls it; nothing here knows HTTP libraries.
 *
 * The site folder is opened afresh for every request: `hearth build`
 * replaces public/ whole by a rename, and a folder held open would keep
 * serving the old site.
 */
#define _GNU_SOURCE
#include "serveInt.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int static_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes %-escapes once into out. An escaped '/' or '\' would let a name
 * carry a separator, and a NUL or control byte has no place in a file
 * name of the site: all are refused rather than guessed at.
 */
static bool decode(const char *raw, struct buf *out)
{
	for (const char *p = raw; *p; p++) {
		int c = (unsigned char)*p;
		if (c == '%') {
			int h = static_hexval((unsigned char)p[1]);
			int l = h < 0 ? -1 : static_hexval((unsigned char)p[2]);
			if (h < 0 || l < 0)
				return false;
			c = h * 16 + l;
			p += 2;
			if (c == '/')
				return false;
		}
		if (c < 0x20 || c == 0x7f || c == '\\')
			return false;
		buf_putc(out, (char)c);
	}
	return true;
}

/* Opens name in folder dfd, never through a link; a FIFO cannot block it. */
static int open_in(int dfd, const char *name, struct stat *st)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode))) {
		close(fd);
		return -1;
	}
	return fd;
}

enum static_result static_open(const char *root, const char *raw, struct static_file *f)
{
	struct buf path = BUF_INIT;
	enum static_result rc = STATIC_NOTFOUND;
	const char *last = "index.html";
	int dfd = -1, fd = -1;
	bool slash_end;
	char *p, *seg;

	f->fd = -1;
	if (raw[0] != '/' || !decode(raw, &path)) {
		rc = STATIC_BAD;
		goto end;
	}
	/* "//" would make the redirect to a folder point at another host */
	if (strstr(path.data, "//")) {
		rc = STATIC_BAD;
		goto end;
	}
	slash_end = path.data[path.len - 1] == '/';
	p = path.data;
	/* refuse every '..' before opening anything */
	for (char *q = p; *q;) {
		size_t n = strcspn(q, "/");
		if (n == 2 && q[0] == '.' && q[1] == '.') {
			rc = STATIC_BAD;
			goto end;
		}
		q += n + (q[n] == '/');
	}
	if ((dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto end;
	if (fstat(dfd, &f->st) != 0)
		goto end;
	while ((seg = strsep(&p, "/"))) {
		if (!*seg)
			continue;
		if (seg[0] == '.' || S_ISREG(f->st.st_mode))
			goto end;  /* hidden, or a file used as a folder */
		if ((fd = open_in(dfd, seg, &f->st)) < 0)
			goto end;
		close(dfd);
		dfd = fd;
		fd = -1;
		last = seg;
	}
	if (S_ISDIR(f->st.st_mode)) {
		if (!slash_end) {
			rc = STATIC_REDIRECT;
			goto end;
		}
		last = "index.html";
		if ((fd = open_in(dfd, last, &f->st)) < 0 || !S_ISREG(f->st.st_mode))
			goto end;
		close(dfd);
		dfd = fd;
		fd = -1;
	} else if (slash_end) {
		goto end;  /* a file named as a folder */
	}
	/* the file is plain: reads need not be non-blocking */
	fcntl(dfd, F_SETFL, 0);
	static_type(last, &f->type, &f->cache);
	f->fd = dfd;
	dfd = -1;
	rc = STATIC_FILE;
end:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	buf_release(&path);
	return rc;
}

/*
 * Pages, the feed, chapters and transcripts change from one build to the
 * next under the same name: always revalidated (cheap with the ETag).
 * Media, pictures and the style sheet keep their names too, so they are
 * cached for a short while only.
 */
static const char REVALIDATE[] = "no-cache";
static const char SHORT[] = "public, max-age=300";

static const struct {
	const char *ext;
	const char *type;
	const char *cache;
} types[] = {
	{"html", "text/html; charset=utf-8", REVALIDATE},
	{"css", "text/css; charset=utf-8", SHORT},
	{"js", "text/javascript; charset=utf-8", SHORT},
	{"json", "application/json", REVALIDATE},
	{"xml", "application/xml; charset=utf-8", REVALIDATE},
	{"opml", "text/x-opml; charset=utf-8", REVALIDATE},
	{"vtt", "text/vtt; charset=utf-8", REVALIDATE},
	{"txt", "text/plain; charset=utf-8", REVALIDATE},
	{"svg", "image/svg+xml", SHORT},
	{"jpg", "image/jpeg", SHORT},
	{"jpeg", "image/jpeg", SHORT},
	{"png", "image/png", SHORT},
	{"webp", "image/webp", SHORT},
	{"ico", "image/x-icon", SHORT},
	{"mp3", "audio/mpeg", SHORT},
	{"m4a", "audio/mp4", SHORT},
};

void static_type(const char *name, const char **type, const char **cache)
{
	const char *dot = strrchr(name, '.');
	*type = "application/octet-stream";
	*cache = SHORT;
	if (!strcmp(name, "feed.xml")) {
		*type = "application/rss+xml; charset=utf-8";
		*cache = REVALIDATE;
		return;
	}
	if (!dot)
		return;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (!strcasecmp(dot + 1, types[i].ext)) {
			*type = types[i].type;
			*cache = types[i].cache;
			return;
		}
}

/* Reads decimal digits at *s into *v; false when none or too many. */
static bool digits(const char **s, uint64_t *v)
{
	const char *p = *s;
	*v = 0;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		if (*v > (UINT64_MAX - 9) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(*p - '0');
	}
	*s = p;
	return true;
}

enum static_range static_range(const char *hdr, uint64_t size, uint64_t *from,
			       uint64_t *len)
{
	const char *p = hdr;
	uint64_t a = 0, b = 0;
	bool have_a, have_b;

	if (!p || strncasecmp(p, "bytes=", 6))
		return RANGE_NONE;
	p += 6;
	if (strchr(p, ','))
		return RANGE_NONE;  /* several ranges: the whole file is a fine answer */
	while (*p == ' ' || *p == '\t')
		p++;
	have_a = digits(&p, &a);
	if (*p++ != '-')
		return RANGE_NONE;
	have_b = digits(&p, &b);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p || (!have_a && !have_b) || (have_a && have_b && b < a))
		return RANGE_NONE;
	if (!have_a) {  /* the last b bytes */
		if (b == 0 || size == 0)
			return RANGE_UNSAT;
		*len = b < size ? b : size;
		*from = size - *len;
		return RANGE_ONE;
	}
	if (a >= size)
		return RANGE_UNSAT;
	if (!have_b || b >= size)
		b = size - 1;
	*from = a;
	*len = b - a + 1;
	return RANGE_ONE;
}

void static_etag(const struct stat *st, char out[80])
{
	snprintf(out, 80, "\"%" PRIx64 "-%" PRIx64 ".%lx-%" PRIx64 "\"", (uint64_t)st->st_size,
		 (uint64_t)st->st_mtim.tv_sec, (unsigned long)st->st_mtim.tv_nsec,
		 (uint64_t)st->st_ino);
}

bool static_etag_listed(const char *list, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = list;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		size_t n = strcspn(p, ",");
		size_t m = n;
		while (m && (p[m - 1] == ' ' || p[m - 1] == '\t'))
			m--;
		const char *t = p;
		if (m == 1 && t[0] == '*')
			return true;
		if (m > 2 && t[0] == 'W' && t[1] == '/') {
			t += 2;
			m -= 2;
		}
		if (m == elen && !memcmp(t, etag, elen))
			return true;
		p += n;
	}
	return false;
}

void static_http_date(time_t t, char out[40])
{
	struct tm tm;
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	gmtime_r(&t, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
		 tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		 tm.tm_sec);
}

bool static_parse_date(const char *s, time_t *t)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm = {0};
	char wday[4], mon[4];
	int day, year, h, m, sec, used = 0;

	/* IMF-fixdate only: the form every current client sends */
	if (sscanf(s, "%3s, %d %3s %d %d:%d:%d GMT%n", wday, &day, mon, &year, &h, &m, &sec,
		   &used) != 7 || !used || s[used])
		return false;
	const char *at = strstr(months, mon);
	if (!at || strlen(mon) != 3 || (at - months) % 3)
		return false;
	/* each field in its range (a hostile header's -2147483648 as the year
	 * overflowed year - 1900), and a day the month has: no 31 Feb read
	 * as 3 March */
	if (day < 1 || day > 31 || year < 1 || year > 9999 || h < 0 || h > 23 || m < 0 ||
	    m > 59 || sec < 0 || sec > 60)
		return false;
	tm.tm_mon = (int)(at - months) / 3;
	tm.tm_mday = day;
	tm.tm_year = year - 1900;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	*t = timegm(&tm);
	return *t != (time_t)-1 && tm.tm_mday == day && tm.tm_mon == (int)(at - months) / 3;
}
