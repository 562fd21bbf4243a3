/*
 * test_deploy.c - deploy/ without a destination: reading destinations,
 * the order files are sent and deleted in, what each file is served as,
 * the ETag comparison, the escaping SigV4 signs, the S3 listing parser,
 * the deploy.* settings, and a deploy between two local folders.
 * Deploying over rsync and to S3 is checked end to end by
 * tests/cli/deploy.sh.
 */
#include "t.h"
#include "../../deploy/deployInt.h"
#include "../../library/library.h"

#include <libxml/parser.h>
#include <nettle/md5.h>
#include <sys/stat.h>

static void put(const char *path, const char *text)
{
	struct hearth_err err;
	char *dir = path_dir(path);
	if (mkdir_p(dir, &err) || file_write_atomic(path, text, strlen(text), &err)) {
		printf("cannot write %s: %s\n", path, err.msg);
		exit(1);
	}
	free(dir);
}

static void destinations(void)
{
	struct deploy_dest d;
	struct hearth_err err;

	CHECK_OK(deploy_dest_parse("s3://my-site/www/", &d, &err), &err);
	CHECK(d.kind == DEPLOY_S3);
	CHECK_STR(d.bucket, "my-site");
	CHECK_STR(d.prefix, "www");
	deploy_dest_release(&d);
	CHECK_OK(deploy_dest_parse("s3://my-site", &d, &err), &err);
	CHECK_STR(d.prefix, "");
	deploy_dest_release(&d);
	CHECK_OK(deploy_dest_parse("web@static.example.net:/srv/www", &d, &err), &err);
	CHECK(d.kind == DEPLOY_RSYNC);
	deploy_dest_release(&d);
	CHECK_OK(deploy_dest_parse("/srv/www", &d, &err), &err);
	CHECK(d.kind == DEPLOY_FOLDER);
	deploy_dest_release(&d);
	/* a colon after a slash is part of a folder's name */
	CHECK_OK(deploy_dest_parse("./a:b", &d, &err), &err);
	CHECK(d.kind == DEPLOY_FOLDER);
	deploy_dest_release(&d);
	CHECK(deploy_dest_parse("s3://Bad_Bucket/x", &d, &err) == HEARTH_EINVAL);
	CHECK(deploy_dest_parse("s3://ok-bucket/../x", &d, &err) == HEARTH_EINVAL);
	CHECK(deploy_dest_parse("https://example.org/", &d, &err) == HEARTH_EINVAL);
	CHECK(deploy_dest_parse("-e:x", &d, &err) == HEARTH_EINVAL);
	CHECK(deploy_dest_parse("", &d, &err) == HEARTH_EINVAL);
}

static void types_and_caching(void)
{
	CHECK_STR(deploy_content_type("stories/a/index.html"), "text/html; charset=utf-8");
	CHECK_STR(deploy_content_type("feed.xml"), "application/rss+xml");
	CHECK_STR(deploy_content_type("collections/c/feed.xml"), "application/rss+xml");
	CHECK_STR(deploy_content_type("archive/feed-2.xml"), "application/rss+xml");
	CHECK_STR(deploy_content_type("atom.xml"), "application/atom+xml");
	CHECK_STR(deploy_content_type("archive/atom-12.xml"), "application/atom+xml");
	CHECK_STR(deploy_content_type("sitemap.xml"), "application/xml");
	CHECK_STR(deploy_content_type("feeds.opml"), "text/x-opml; charset=utf-8");
	CHECK_STR(deploy_content_type("media/a/a.vtt"), "text/vtt; charset=utf-8");
	CHECK_STR(deploy_content_type("media/a/a.chapters.json"), "application/json+chapters");
	CHECK_STR(deploy_content_type("media/a/a-peaks.json"), "application/json");
	CHECK_STR(deploy_content_type("media/a/a.mp3"), "audio/mpeg");
	CHECK_STR(deploy_content_type("media/a/a.m4a"), "audio/mp4");
	CHECK_STR(deploy_content_type("media/a/a-waveform.svg"), "image/svg+xml");
	CHECK_STR(deploy_content_type("media/a/cover.JPG"), "image/jpeg");
	CHECK_STR(deploy_content_type("CNAME"), "application/octet-stream");
	CHECK_STR(deploy_cache_control("index.html"), "no-cache");
	CHECK_STR(deploy_cache_control("feed.xml"), "no-cache");
	CHECK_STR(deploy_cache_control("media/a/a.vtt"), "no-cache");
	CHECK_STR(deploy_cache_control("media/a/a.mp3"), "public, max-age=300");
	CHECK_STR(deploy_cache_control("style.css"), "public, max-age=300");
}

static void phases_and_hidden(void)
{
	char a[] = "media/a/a.mp3", b[] = "index.html", c[] = "feed.xml", d[] = "style.css",
	     e[] = "stories/a/index.html", f[] = "media/a/a.vtt";
	char *paths[] = {a, b, c, d, e, f};
	CHECK(dep_phase_of("media/a/a.mp3") == DEP_MEDIA);
	CHECK(dep_phase_of("style.css") == DEP_FILES);
	CHECK(dep_phase_of("stories/a/index.html") == DEP_PAGES);
	CHECK(dep_phase_of("feeds.opml") == DEP_FEEDS);
	CHECK(dep_phase_of("collections/c/feed.xml") == DEP_FEEDS);
	dep_sort_for_deletion(paths, 6);
	CHECK_STR(paths[0], "feed.xml");
	CHECK_STR(paths[1], "index.html");
	CHECK_STR(paths[2], "stories/a/index.html");
	CHECK_STR(paths[3], "style.css");
	CHECK_STR(paths[4], "media/a/a.mp3");
	CHECK_STR(paths[5], "media/a/a.vtt");
	CHECK(dep_hidden(".hearth-site"));
	CHECK(dep_hidden(".well-known/x"));
	CHECK(dep_hidden("a/.b/c"));
	CHECK(!dep_hidden("a/b.c"));
	CHECK(!dep_hidden("index.html"));
}

static void etags(void)
{
	struct md5_ctx m;
	unsigned char d[16];
	md5_init(&m);
	md5_update(&m, 5, (const uint8_t *)"hello");
	md5_digest(&m, sizeof d, d);
	/* md5("hello") = 5d41402abc4b2a76b9719d911017c592 */
	CHECK(dep_etag_matches("\"5d41402abc4b2a76b9719d911017c592\"", d));
	CHECK(dep_etag_matches("5d41402abc4b2a76b9719d911017c592", d));
	CHECK(dep_etag_matches("\"5D41402ABC4B2A76B9719D911017C592\"", d));
	CHECK(!dep_etag_matches("\"5d41402abc4b2a76b9719d911017c593\"", d));
	CHECK(!dep_etag_matches("\"5d41402abc4b2a76b9719d911017c592-2\"", d)); /* multipart */
	CHECK(!dep_etag_matches("W/\"5d41402abc4b2a76b9719d911017c592\"", d));
	CHECK(!dep_etag_matches("", d));
	CHECK(!dep_etag_matches(NULL, d));
}

static void escaping(void)
{
	struct buf b = BUF_INIT;
	dep_uri_escape(&b, "www/media/a b/é~x_y-z.mp3", true);
	CHECK_STR(buf_cstr(&b), "www/media/a%20b/%C3%A9~x_y-z.mp3");
	buf_reset(&b);
	dep_uri_escape(&b, "www/+=", false);
	CHECK_STR(buf_cstr(&b), "www%2F%2B%3D");
	buf_release(&b);
}

static const char page1[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	"<Name>site</Name><Prefix>www/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
	"<IsTruncated>true</IsTruncated>"
	"<Contents><Key>www/.hearth-deploy</Key><ETag>&quot;aa&quot;</ETag><Size>10</Size></Contents>"
	"<Contents><Key>www/media/a/a &amp; b.mp3</Key>"
	"<ETag>\"5d41402abc4b2a76b9719d911017c592\"</ETag><Size>5</Size></Contents>"
	"<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
	"</ListBucketResult>";
static const char page2[] =
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	"<IsTruncated>false</IsTruncated>"
	"<Contents><Key>www/index.html</Key><ETag>\"x\"</ETag><Size>3</Size></Contents>"
	"<Contents><Key>wwwx/other.html</Key><ETag>\"y\"</ETag><Size>3</Size></Contents>"
	"</ListBucketResult>";

static void listing(void)
{
	struct dep_listing l = {0};
	struct hearth_err err;
	char *next = NULL;

	CHECK_OK(dep_s3_parse_list(page1, sizeof page1 - 1, "www/", &l, &next, &err), &err);
	CHECK(l.n == 2);
	CHECK_STR(l.objects[0].rel, ".hearth-deploy");
	CHECK_STR(l.objects[1].rel, "media/a/a & b.mp3");
	CHECK_STR(l.objects[1].etag, "\"5d41402abc4b2a76b9719d911017c592\"");
	CHECK(l.objects[1].size == 5);
	CHECK_STR(next, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	free(next);
	CHECK_OK(dep_s3_parse_list(page2, sizeof page2 - 1, "www/", &l, &next, &err), &err);
	CHECK(next == NULL);
	CHECK(l.n == 3); /* wwwx/ is not under www/ */
	CHECK_STR(l.objects[2].rel, "index.html");
	dep_listing_release(&l);

	/* cut short without a token, an error answer, not XML: refused */
	static const char cut[] = "<ListBucketResult><IsTruncated>true</IsTruncated>"
				  "</ListBucketResult>";
	CHECK(dep_s3_parse_list(cut, sizeof cut - 1, "", &l, &next, &err) == HEARTH_EINVAL);
	static const char error[] = "<Error><Code>AccessDenied</Code></Error>";
	CHECK(dep_s3_parse_list(error, sizeof error - 1, "", &l, &next, &err) == HEARTH_EINVAL);
	CHECK(dep_s3_parse_list("nope", 4, "", &l, &next, &err) == HEARTH_EINVAL);
	dep_listing_release(&l);
}

static void credentials(void)
{
	struct hearth_err err;
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	CHECK(dep_s3_check_env(&err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "AWS_ACCESS_KEY_ID") && strstr(err.msg, "never read from the library"));
	setenv("AWS_ACCESS_KEY_ID", "id", 1);
	CHECK(dep_s3_check_env(&err) == HEARTH_EINVAL);
	setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
	CHECK_OK(dep_s3_check_env(&err), &err);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
}

static void settings(void)
{
	struct hearth_err err;
	struct lib_settings s;
	hearth_lib *lib = NULL;
	const char *dir = tp("settings-lib");
	char *yaml = path_join(dir, "hearth.yaml");
	struct buf text = BUF_INIT;

	CHECK_OK(lib_init(dir, &err), &err);
	CHECK_OK(lib_open(dir, &lib, &err), &err);
	CHECK_OK(file_read(yaml, &text, &err), &err);
	CHECK(strstr(buf_cstr(&text), "# deploy:") && strstr(buf_cstr(&text), "s3_endpoint"));
	buf_release(&text);
	CHECK_OK(lib_settings_load(lib, &s, &err), &err);
	CHECK(s.deploy_rsh == NULL && s.deploy_s3_endpoint == NULL && s.deploy_s3_path_style);
	CHECK_STR(s.deploy_s3_region, "us-east-1");
	lib_settings_release(&s);
	put(yaml, "title: T\ndeploy:\n  rsh: ssh -p 2222\n  s3_endpoint: http://127.0.0.1:9000/\n"
		  "  s3_region: eu-west-3\n  s3_path_style: no\n");
	CHECK_OK(lib_settings_load(lib, &s, &err), &err);
	CHECK_STR(s.deploy_rsh, "ssh -p 2222");
	CHECK_STR(s.deploy_s3_endpoint, "http://127.0.0.1:9000");
	CHECK_STR(s.deploy_s3_region, "eu-west-3");
	CHECK(!s.deploy_s3_path_style);
	lib_settings_release(&s);
	put(yaml, "title: T\ndeploy:\n  s3_endpoint: ftp://x\n");
	CHECK(lib_settings_load(lib, &s, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "deploy.s3_endpoint"));
	put(yaml, "title: T\ndeploy:\n  secret_key: x\n");
	CHECK(lib_settings_load(lib, &s, &err) == HEARTH_EINVAL);
	lib_close(&lib);
	free(yaml);
}

/* A site of three files deployed to a folder, changed, and deployed again. */
static void folder_round_trip(void)
{
	struct hearth_err err;
	struct deploy_dest d;
	struct deploy_report r;
	const char *site = tp("rt-site"), *dest = tp("rt-dest");
	char *p;
	struct stat before, after;

	put(tp("rt-site/.hearth-site"), "x\n");
	put(tp("rt-site/index.html"), "<p>home</p>\n");
	put(tp("rt-site/media/a/a.mp3"), "sound");
	put(tp("rt-site/stories/a/index.html"), "<p>a</p>\n");
	CHECK_OK(deploy_dest_parse(dest, &d, &err), &err);
	CHECK_OK(deploy_run(site, &d, NULL, &r, &err), &err);
	CHECK(r.files == 3 && r.sent == 3 && r.deleted == 0 && r.marked);
	CHECK(stat(tp("rt-dest/index.html"), &before) == 0);

	/* a rewrite with the same bytes and size is compared, not sent */
	put(tp("rt-site/index.html"), "<p>home</p>\n");
	p = path_join(site, "stories/a/index.html");
	unlink(p);
	free(p);
	CHECK_OK(deploy_run(site, &d, NULL, &r, &err), &err);
	CHECK(r.files == 2 && r.sent == 0 && r.deleted == 1 && !r.marked);
	CHECK(stat(tp("rt-dest/index.html"), &after) == 0);
	CHECK(before.st_ino == after.st_ino);
	CHECK(access(tp("rt-dest/stories/a"), F_OK) != 0); /* the emptied folder too */
	CHECK(access(tp("rt-dest/.hearth-deploy"), F_OK) == 0);

	/* a folder without .hearth-site is not a site */
	CHECK(deploy_run(dest, &d, NULL, &r, &err) == HEARTH_EINVAL);
	deploy_dest_release(&d);
}

int main(void)
{
	RUN(destinations);
	RUN(types_and_caching);
	RUN(phases_and_hidden);
	RUN(etags);
	RUN(escaping);
	RUN(listing);
	RUN(credentials);
	RUN(settings);
	RUN(folder_round_trip);
	xmlCleanupParser();
	return 0;
}
