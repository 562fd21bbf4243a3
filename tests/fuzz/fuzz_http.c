/*
 * fuzz_http.c - a libFuzzer target for what `hearth serve` reads of a
 * request itself (libmicrohttpd parses the rest): the path of a page or
 * file (http_decode_path, static_open), a Range header (static_range),
 * an If-None-Match list (static_etag_listed) and an If-Modified-Since
 * date (static_parse_date). Anyone on the network can send any of them.
 *
 * The input is cut at its first three newlines into a path, a Range
 * header, an If-None-Match list and a date; the size of the file the
 * range is read against comes from the path's length, the range's and
 * the list's. static_open looks in a site made once: index.html,
 * stories/a/index.html, a hidden .hearth/ folder, a link to a file
 * outside the site, and that file beside the site.
 *
 * Besides "no crash, no leak, no undefined behaviour" it checks that:
 *   - a file opened is one of the site's own, never the hidden one or the
 *     one outside, however the path is written;
 *   - a range found lies inside the file (from + len <= size, len >= 1);
 *   - a date read reads back the same from the date written for it.
 *
 * Built and run by tools/fuzz.sh (make fuzz); make check replays its
 * seeds (tests/fuzz/seeds.sh) and tests/fuzz/regress/http/.
 */
#include "../../serve/serveInt.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


struct site {
	char *root;
	ino_t own[2];       /* index.html, stories/a/index.html */
	ino_t forbidden[2]; /* .hearth/state, the file outside */
};

static ino_t made(const char *dir, const char *rel, const char *text)
{
	char *p = path_join(dir, rel);
	struct hearth_err err;
	struct stat st;
	if (file_write_atomic(p, text, strlen(text), &err) != 0 || stat(p, &st) != 0)
		abort();
	free(p);
	return st.st_ino;
}

static const struct site *site(void)
{
	static struct site s;
	if (s.root)
		return &s;
	char *base = fuzz_folder();
	s.root = path_join(base, "public");
	s.own[0] = made(s.root, "index.html", "home");
	s.own[1] = made(s.root, "stories/a/index.html", "a story");
	s.forbidden[0] = made(s.root, ".hearth/state", "private");
	s.forbidden[1] = made(base, "secret.txt", "outside");
	char *link = path_join(s.root, "stories/out.txt");
	if (symlink("../../secret.txt", link) != 0)
		abort();
	free(link);
	free(base);
	return &s;
}

/* The next line of *p (cut at '\n'), or "" when there is none. */
static char *next_line(char **p)
{
	static char none[1];
	if (!*p)
		return none;
	char *line = *p, *nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = NULL;
	}
	return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct site *s = site();
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	char *rest = text;
	char *path = next_line(&rest), *range = next_line(&rest), *etags = next_line(&rest),
	     *date = next_line(&rest);

	/* the path, as the server decodes it and as the files are opened */
	char *decoded = http_decode_path(path);
	if (decoded && (decoded[0] != '/' || strlen(decoded) == 0))
		abort();
	free(decoded);
	struct static_file f;
	enum static_result r = static_open(s->root, path, &f);
	if (r == STATIC_FILE) {
		struct stat st;
		if (f.fd < 0 || fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode))
			abort();
		if (st.st_ino != s->own[0] && st.st_ino != s->own[1])
			abort(); /* a file that is not the site's own to give */
		if (!f.type || !f.cache)
			abort();
		close(f.fd);
	} else if (f.fd != -1) {
		abort();
	}

	/* a range of a file of some size */
	uint64_t file_size = (uint64_t)strlen(path) * 1000003u + strlen(range) * 31u + strlen(etags);
	uint64_t from = 0, len = 0;
	if (static_range(range, file_size, &from, &len) == RANGE_ONE &&
	    (len == 0 || from >= file_size || len > file_size - from))
		abort();

	/* If-None-Match against an entity tag of the site's */
	char tag[80];
	struct stat st0;
	if (stat(s->root, &st0) != 0)
		abort();
	static_etag(&st0, tag);
	(void)static_etag_listed(etags, tag);
	if (!static_etag_listed(tag, tag))
		abort();

	/* If-Modified-Since: a date read reads back the same */
	time_t t;
	if (static_parse_date(date, &t)) {
		char again[40];
		time_t t2;
		static_http_date(t, again);
		if (!static_parse_date(again, &t2) || t2 != t)
			abort();
	}

	free(text);
	return 0;
}
