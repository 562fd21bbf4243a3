/*
 * test_serve.c - the parts of serve/ that read a request: one byte range,
 * If-None-Match lists, HTTP dates, media types, and the path rules that
 * keep every answer inside the site folder.
 */
#include "t.h"
#include "../../serve/serveInt.h"

#include <fcntl.h>
#include <sys/stat.h>
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

int main(void)
{
	RUN(ranges);
	RUN(etag_lists);
	RUN(dates);
	RUN(types);
	RUN(paths);
	return 0;
}
