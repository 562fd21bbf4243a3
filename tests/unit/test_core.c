/* test_core.c - the shared pieces: buffers, paths, hashes, YAML, JSON, dates. */
#include "../../core/core.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static void buffer_grows_and_formats(void)
{
	struct buf b = BUF_INIT;
	CHECK_STR(buf_cstr(&b), "");
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	CHECK(b.len > 3000);
	CHECK(strncmp(b.data, "0,1,2,", 6) == 0);
	char *s = buf_detach(&b);
	CHECK(b.data == NULL && b.len == 0);
	free(s);
}

/*
 * strv_first_repeat names the first string equal to one before it, as
 * comparing each with every earlier one does: checked against that, on
 * lists with repeats in every arrangement of three letters and on a long
 * list whose only repeat comes last
 */
static size_t first_repeat_slowly(char *const *v, size_t n)
{
	for (size_t j = 0; j < n; j++)
		for (size_t q = 0; q < j; q++)
			if (!strcmp(v[q], v[j]))
				return j;
	return n;
}

static void strv_first_repeats(void)
{
	static char a[] = "a", b[] = "b", c[] = "c", x[] = "x", y[] = "y", z[] = "z",
		    y2[] = "y", x2[] = "x";
	char *none[] = {a, b, c, NULL};
	CHECK(strv_first_repeat(none, 3) == 3);
	CHECK(strv_first_repeat(NULL, 0) == 0);
	CHECK(strv_first_repeat(none, 1) == 1);
	char *later[] = {x, y, z, y2, x2, NULL};
	CHECK(strv_first_repeat(later, 5) == 3); /* y again at 3, before x again at 4 */
	/* every list of four over {a, b, c} */
	char *const letters[] = {a, b, c};
	for (int code = 0; code < 81; code++) {
		char *v[5];
		for (int k = 0, d = code; k < 4; k++, d /= 3)
			v[k] = letters[d % 3];
		v[4] = NULL;
		CHECK(strv_first_repeat(v, 4) == first_repeat_slowly(v, 4));
	}
	/* 30,000 slugs, the one repeat the last */
	size_t n = 30000, cap = 0, have = 0;
	char **big = NULL, s[16];
	for (size_t i = 0; i < n; i++) {
		snprintf(s, sizeof s, "story-%zu", (i * 7919) % (n - 1));
		strv_append(&big, &have, &cap, s);
	}
	CHECK(strv_first_repeat(big, n) == n - 1);
	strv_free(big);
}

/* strv_append grows by doubling, keeps the NULL at the end and copies each string */
static void strv_appends(void)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	char s[16];
	for (int i = 0; i < 1000; i++) {
		snprintf(s, sizeof s, "s%d", i);
		strv_append(&v, &n, &cap, s);
		CHECK(v[n] == NULL);
	}
	s[0] = 'x'; /* the list holds copies */
	CHECK(n == 1000 && strv_len(v) == 1000);
	CHECK(cap >= n + 1 && cap <= 2 * (n + 1));
	CHECK_STR(v[0], "s0");
	CHECK_STR(v[999], "s999");
	strv_free(v);
}

static void safe_paths(void)
{
	CHECK(path_is_safe_rel("a.flac"));
	CHECK(path_is_safe_rel("media/a.flac"));
	CHECK(!path_is_safe_rel("../a.flac"));
	CHECK(!path_is_safe_rel("media/../../a"));
	CHECK(!path_is_safe_rel("/etc/passwd"));
	CHECK(!path_is_safe_rel(""));
	CHECK(!path_is_safe_rel("a//b"));
	CHECK(!path_is_safe_rel("a/"));
	CHECK(!path_is_safe_rel("./a"));
	CHECK(!path_is_safe_rel("a\\b"));
	CHECK(!path_is_safe_rel("a/./b"));
	CHECK(!path_is_safe_rel("a/.."));
	CHECK(!path_is_safe_rel("a\001b"));
	CHECK(!path_is_safe_rel(NULL));
	CHECK(path_is_safe_rel("..."));
	CHECK(path_is_safe_rel("a/..b/.c"));
	CHECK(path_is_safe_rel(".hearth-site"));
	CHECK(!path_is_safe_rel("a\nb"));
	CHECK(path_is_safe_rel("..a"));
}

static void sha256_known_vectors(void)
{
	char hex[65];
	sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(m, strlen(m), hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* streaming in odd pieces gives the same answer */
	struct sha256 s;
	unsigned char d[32];
	sha256_init(&s);
	for (size_t i = 0; i < strlen(m); i += 7)
		sha256_update(&s, m + i, strlen(m) - i < 7 ? strlen(m) - i : 7);
	sha256_final(&s, d);
	CHECK(d[0] == 0x24 && d[31] == 0xc1);
}

static void uuid5_matches_podcast_namespace_example(void)
{
	char u[37];
	/* the Podcasting 2.0 spec's own example */
	CHECK(uuid5("ead4c236-bf58-58c6-a2c6-a6b28d128cb6", "podnews.net/rss", u) == 0);
	CHECK_STR(u, "9b024349-ccf0-5f69-a609-6b82873eab3c");
}

/* The GUIDs already stored and published must not change with the library. */
static void uuid5_keeps_stored_guids(void)
{
	static const char *const story_ns = "d6d024d8-e448-4f80-8b1e-9c0d5ef293e4";
	static const char *const podcast_ns = "ead4c236-bf58-58c6-a2c6-a6b28d128cb6";
	char u[37];

	CHECK(uuid5(story_ns, "story:finding-my-voice", u) == 0);
	CHECK_STR(u, "dd39c6d5-f7c1-5fd8-9588-6ef8a7ad1323");
	CHECK(uuid5(story_ns, "story:zo\xc3\xab", u) == 0);
	CHECK_STR(u, "83ce316f-8a91-524b-82aa-a38104fdb92b");
	CHECK(uuid5(podcast_ns, "stories.example.net/feed.xml", u) == 0);
	CHECK_STR(u, "476780c6-ab98-57b3-ac8a-ba37a6de1651");
	CHECK(uuid5(podcast_ns, "", u) == 0);
	CHECK_STR(u, "c9c7bad3-4712-514e-9ebd-d1e208fa1b76");
	CHECK(uuid5("not-a-uuid", "x", u) == HEARTH_EINVAL);
}

/* A file's hash is the hash of its bytes, read in pieces larger than one read. */
static void sha256_of_a_file(void)
{
	struct hearth_err err;
	char *p = xasprintf("%s/sha-file", t_tmpdir()), a[65], b[65];
	struct buf data = BUF_INIT;

	for (int i = 0; i < 200000; i++)
		buf_putc(&data, (char)(i * 31 + (i >> 8)));
	CHECK_OK(file_write_atomic(p, data.data, data.len, &err), &err);
	CHECK_OK(sha256_file(p, a, &err), &err);
	sha256_hex(data.data, data.len, b);
	CHECK_STR(a, b);
	CHECK(sha256_file("/no/such/file", a, &err) == HEARTH_EIO);
	unlink(p);
	free(p);
	buf_release(&data);
}

/* Sets a file's modification time to a fixed moment long past. */
static void set_mtime(const char *path, time_t when)
{
	struct timespec ts[2] = {{.tv_sec = when}, {.tv_sec = when}};
	CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
}

/* Overwrites a file's bytes in place: same inode, same size. */
static void overwrite_in_place(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(write(fd, data, strlen(data)) == (ssize_t)strlen(data));
	CHECK(close(fd) == 0);
}

/* Copies src to dst against id and expects it refused, dst and no temporary left. */
static void check_copy_refused(const char *src, const char *dst, const struct file_id *id)
{
	struct hearth_err err;

	CHECK(file_copy_unchanged(src, dst, id, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "changed while it was being imported; import again") != NULL);
	CHECK(strstr(err.msg, src) != NULL);
	CHECK(!path_exists(dst));
	char *dir = path_dir(dst);
	int gone = rmdir(dir) == 0 || errno == ENOENT; /* no temporary file beside it */
	free(dir);
	CHECK(gone);
}

/*
 * A copy made against the identity taken when the file was hashed: kept
 * when the file is the one hashed, refused with the destination untouched
 * when it was replaced, rewritten in place (same size) or only touched.
 */
static void copy_against_an_earlier_read(void)
{
	struct hearth_err err;
	char *src = xasprintf("%s/copy-src", t_tmpdir());
	char *dst = xasprintf("%s/copy-dir/dst", t_tmpdir());
	char hex[65], want[65];
	struct file_id id, again;
	struct buf got = BUF_INIT;

	CHECK_OK(file_write_atomic(src, "first", 5, &err), &err);
	set_mtime(src, 1000000000);
	CHECK_OK(sha256_file_id(src, hex, &id, &err), &err);
	sha256_hex("first", 5, want);
	CHECK_STR(hex, want);
	CHECK(id.size == 5 && id.mtime_sec == 1000000000 && id.ino != 0);
	CHECK_OK(sha256_file_id(src, hex, &again, &err), &err);
	CHECK(file_id_same(&id, &again)); /* reading does not change it */
	CHECK_OK(file_copy_unchanged(src, dst, &id, &err), &err);
	CHECK_OK(file_read(dst, &got, &err), &err);
	CHECK_STR(buf_cstr(&got), "first");
	unlink(dst);

	/* the same bytes, only touched: refused all the same */
	set_mtime(src, 1000000001);
	check_copy_refused(src, dst, &id);

	/* rewritten in place with other bytes of the same size */
	CHECK_OK(file_write_atomic(src, "first", 5, &err), &err);
	set_mtime(src, 1000000000);
	CHECK_OK(sha256_file_id(src, hex, &id, &err), &err);
	overwrite_in_place(src, "FIRST");
	check_copy_refused(src, dst, &id);

	/* replaced by another file (a new inode) with other bytes */
	CHECK_OK(sha256_file_id(src, hex, &id, &err), &err);
	CHECK_OK(file_write_atomic(src, "second", 6, &err), &err);
	check_copy_refused(src, dst, &id);

	/* a plain copy asks nothing of the source */
	CHECK_OK(file_copy(src, dst, &err), &err);
	buf_reset(&got);
	CHECK_OK(file_read(dst, &got, &err), &err);
	CHECK_STR(buf_cstr(&got), "second");
	unlink(dst);
	char *dir = path_dir(dst);
	rmdir(dir);
	free(dir);
	unlink(src);
	free(src);
	free(dst);
	buf_release(&got);
}

static void yaml_tree_and_errors(void)
{
	struct hearth_err err;
	struct ynode *y = NULL;
	const char *doc = "title: Hello\nlist: [a, b]\nmap: {x: 1, y: \"two\"}\n";
	CHECK_OK(yaml_parse(doc, strlen(doc), "t.yaml", 0, &y, &err), &err);
	CHECK_STR(ymap_str(y, "title"), "Hello");
	const struct ynode *l = ymap_get(y, "list");
	CHECK(l && l->kind == Y_SEQ && l->n == 2);
	CHECK_STR(l->items[1]->str, "b");
	CHECK_STR(ymap_str(ymap_get(y, "map"), "y"), "two");
	CHECK(ymap_get(ymap_get(y, "map"), "y")->quoted);
	ynode_free(y);

	const char *bad = "title: [unclosed\n";
	CHECK(yaml_parse(bad, strlen(bad), "bad.yaml", 0, &y, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "bad.yaml") != NULL);
	const char *dup = "a: 1\na: 2\n";
	CHECK(yaml_parse(dup, strlen(dup), "dup.yaml", 0, &y, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "twice") != NULL);
	const char *alias = "a: &x [1,2]\nb: *x\n";
	CHECK(yaml_parse(alias, strlen(alias), "al.yaml", 0, &y, &err) == HEARTH_EINVAL);
	CHECK(yaml_bool("Yes") == 1 && yaml_bool("off") == 0 && yaml_bool("maybe") == -1);
}

static void front_matter(void)
{
	struct hearth_err err;
	const char *t = "---\ntitle: A\n---\nBody text\n";
	const char *y, *b;
	size_t yl, bl;
	int line;
	CHECK_OK(frontmatter_split(t, strlen(t), "s.md", &y, &yl, &b, &bl, &line, &err), &err);
	CHECK(yl == strlen("title: A\n") && !strncmp(y, "title: A\n", yl));
	CHECK_STR(b, "Body text\n");
	CHECK(line == 4);
	const char *open = "---\ntitle: A\n";
	CHECK(frontmatter_split(open, strlen(open), "s.md", &y, &yl, &b, &bl, &line, &err) ==
	      HEARTH_EINVAL);
	CHECK(frontmatter_split("hi", 2, "s.md", &y, &yl, &b, &bl, &line, &err) == HEARTH_EINVAL);
}

static void json_writer(void)
{
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b, false);
	jw_obj(&w);
	jw_key(&w, "a");
	jw_str(&w, "x\"y\n");
	jw_key(&w, "n");
	jw_arr(&w);
	jw_int(&w, 1);
	jw_num(&w, 2.5);
	jw_bool(&w, true);
	jw_null(&w);
	jw_arr_end(&w);
	jw_key(&w, "e");
	jw_obj(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	CHECK_STR(buf_cstr(&b), "{\"a\":\"x\\\"y\\n\",\"n\":[1,2.500,true,null],\"e\":{}}");
	CHECK(jw_end(&w, NULL) == 0);
	buf_release(&b);
}

/* Past the deepest nesting the writer refuses rather than writing wrong JSON. */
static void json_writer_refuses_too_deep(void)
{
	struct hearth_err err;
	struct buf b = BUF_INIT;
	struct jw w;

	/* as deep as allowed: well-formed */
	jw_init(&w, &b, true);
	for (int i = 0; i < JW_MAX_DEPTH; i++)
		jw_arr(&w);
	jw_int(&w, 7);
	for (int i = 0; i < JW_MAX_DEPTH; i++)
		jw_arr_end(&w);
	CHECK_OK(jw_end(&w, &err), &err);
	size_t opens = 0, closes = 0;
	for (size_t i = 0; i < b.len; i++)
		opens += b.data[i] == '[', closes += b.data[i] == ']';
	CHECK(opens == JW_MAX_DEPTH && closes == JW_MAX_DEPTH);

	/* one deeper: refused, and nothing past the refusal is written */
	buf_reset(&b);
	jw_init(&w, &b, false);
	for (int i = 0; i < JW_MAX_DEPTH + 1; i++)
		jw_obj(&w), jw_key(&w, "k");
	size_t len = b.len;
	jw_int(&w, 1);
	for (int i = 0; i < JW_MAX_DEPTH + 1; i++)
		jw_obj_end(&w);
	CHECK(b.len == len);
	CHECK(jw_end(&w, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "deeper than 31 levels") != NULL);

	/* a close with nothing open, and something left open, are refused too */
	buf_reset(&b);
	jw_init(&w, &b, false);
	jw_arr_end(&w);
	CHECK(jw_end(&w, &err) == HEARTH_EINVAL);
	jw_init(&w, &b, false);
	jw_arr(&w);
	CHECK(jw_end(&w, &err) == HEARTH_EINVAL && strstr(err.msg, "left open"));
	buf_release(&b);
}

static void dates(void)
{
	int64_t t;
	char s[32];
	CHECK(date_parse("2024-05-10", &t) == 0 && t == 1715299200);
	CHECK(date_parse("2024-05-10T12:30:00Z", &t) == 0 && t == 1715299200 + 45000);
	CHECK(date_parse("2024-05-10T14:30+02:00", &t) == 0 && t == 1715299200 + 45000);
	CHECK(date_parse("2024-02-30", &t) == HEARTH_EINVAL);
	CHECK(date_parse("10/05/2024", &t) == HEARTH_EINVAL);
	CHECK(date_parse("2024-05-10x", &t) == HEARTH_EINVAL);
	date_rfc2822(1715299200, s);
	CHECK_STR(s, "Fri, 10 May 2024 00:00:00 +0000");
	date_iso(1715299200 + 45000, s);
	CHECK_STR(s, "2024-05-10T12:30:00Z");
	/* written by hand: as strftime writes them, over the whole range of years */
	uint64_t seed = 7;
	for (int i = 0; i < 4000; i++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		int64_t when = i < 3 ? (int64_t[]){0, -1, 253402300799}[i]
				     : (int64_t)((seed >> 11) % 253402300800u) - 86400 * 365;
		time_t tt = (time_t)when;
		struct tm tm;
		char want[64];
		gmtime_r(&tt, &tm);
		strftime(want, sizeof want, "%a, %d %b %Y %H:%M:%S +0000", &tm);
		date_rfc2822(when, s);
		CHECK_STR(s, want);
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
		date_iso(when, s);
		CHECK_STR(s, want);
	}
	/* the day alone, written by hand: as "%04d-%02d-%02d" would */
	char d[11];
	date_ymd(1715299200 + 45000, d);
	CHECK_STR(d, "2024-05-10");
	date_ymd(0, d);
	CHECK_STR(d, "1970-01-01");
	date_ymd(-86400, d);
	CHECK_STR(d, "1969-12-31");
	date_ymd(253402300799, d); /* the last second of 9999 */
	CHECK_STR(d, "9999-12-31");
	date_ymd(951782400, d); /* a leap day */
	CHECK_STR(d, "2000-02-29");
}

static void slugs_and_text(void)
{
	char *s = slugify("Finding my Voice: a story!");
	CHECK_STR(s, "finding-my-voice-a-story");
	free(s);
	s = slugify("I'm here");
	CHECK_STR(s, "im-here");
	free(s);
	s = slugify("!!!");
	CHECK_STR(s, "story");
	free(s);
	/* accents and other scripts are transliterated, not dropped */
	s = slugify("Zo\xc3\xab's caf\xc3\xa9 in \xc5\x81\xc3\xb3" "d\xc5\xba");
	CHECK_STR(s, "zoes-cafe-in-lodz");
	free(s);
	s = slugify("\xce\x9a\xce\xb1\xce\xbb\xce\xb7\xce\xbc\xce\xad\xcf\x81\xce\xb1 "
		    "\xce\xba\xcf\x8c\xcf\x83\xce\xbc\xce\xb5"); /* Greek */
	CHECK_STR(s, "kalemera-kosme");
	free(s);
	s = slugify("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
		    "\xd0\xbc\xd0\xb8\xd1\x80"); /* Cyrillic */
	CHECK_STR(s, "privet-mir");
	free(s);
	s = slugify("\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf"); /* hiragana */
	CHECK_STR(s, "konnichiha");
	free(s);
	s = slugify("It\xe2\x80\x99s \xe2\x80\x94 Stra\xc3\x9f" "e"); /* curly quote, dash, sharp s */
	CHECK_STR(s, "its-strasse");
	free(s);
	s = slugify("\xf0\x9f\x8e\xb5\xf0\x9f\x8e\xb6"); /* only symbols */
	CHECK_STR(s, "story");
	free(s);
	CHECK(slug_valid("a-b-1"));
	CHECK(!slug_valid("A"));
	CHECK(!slug_valid("-a"));
	CHECK(!slug_valid("a/b"));
	CHECK(text_valid("caf\xc3\xa9", 5));
	CHECK(!text_valid("\xc3", 1));
	CHECK(!text_valid("a\x01", 2));
	CHECK(!text_valid("\xed\xa0\x80", 3));
}

static void atomic_files(void)
{
	struct hearth_err err;
	struct buf b = BUF_INIT;
	char *p = path_join(t_tmpdir(), "deep/er/file.txt");
	CHECK_OK(file_write_atomic(p, "hello", 5, &err), &err);
	CHECK_OK(file_read(p, &b, &err), &err);
	CHECK_STR(buf_cstr(&b), "hello");
	CHECK(file_size(p) == 5);
	char *q = path_join(t_tmpdir(), "copy.txt");
	CHECK_OK(file_copy(p, q, &err), &err);
	CHECK(file_size(q) == 5);
	char hex[65];
	CHECK_OK(sha256_file(q, hex, &err), &err);
	CHECK_STR(hex, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	char *d = path_join(t_tmpdir(), "deep");
	CHECK_OK(rm_rf(d, &err), &err);
	CHECK(!path_exists(p));
	CHECK(file_read(p, &b, &err) == HEARTH_ENOENT);
	free(p);
	free(q);
	free(d);
	buf_release(&b);
}

/* The one clock and the one size for people, the page's forms unchanged. */
static void numbers_for_people(void)
{
	static const struct {
		double s;
		int places;
		const char *want;
	} clocks[] = {
		{0, 0, "0:00"},        {125.6, 0, "2:06"},      {59.5, 0, "1:00"},
		{3723, 0, "1:02:03"},  {90.5, 3, "1:30.500"},   {90, 3, "1:30"},
		{1.2, 3, "0:01.200"},  {3725.25, 3, "1:02:05.250"}, {123.45, 1, "2:03.5"},
		{119.96, 1, "2:00"},   {3.0, 1, "0:03"},        {0.1, 1, "0:00.1"},
		{5.9996, 3, "0:06"},   {-2, 1, "0:00"},         {4500.05, 1, "1:15:00.1"},
	};
	static const struct {
		int64_t n;
		const char *want;
	} sizes[] = {
		{0, "0 kB"},          {1, "1 kB"},          {1000, "1 kB"},
		{264900, "265 kB"},   {999999, "1000 kB"},  {1000000, "1.0 MB"},
		{1249999, "1.2 MB"},  {1250000, "1.3 MB"},  {500000000, "500.0 MB"},
	};
	char out[32];

	for (size_t i = 0; i < sizeof clocks / sizeof *clocks; i++) {
		fmt_clock(clocks[i].s, clocks[i].places, out);
		CHECK_STR(out, clocks[i].want);
	}
	/* NaN reads as nothing */
	fmt_clock(NAN, 3, out);
	CHECK_STR(out, "0:00");
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		fmt_size(sizes[i].n, out);
		CHECK_STR(out, sizes[i].want);
	}
}

/* One reading of SOURCE_DATE_EPOCH: only whole non-negative seconds count. */
static void source_date_epoch(void)
{
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	CHECK(hearth_source_date_epoch() == 1700000000);
	CHECK(hearth_now() == 1700000000);
	setenv("SOURCE_DATE_EPOCH", "17e8", 1);
	CHECK(hearth_source_date_epoch() == -1);
	setenv("SOURCE_DATE_EPOCH", "-5", 1);
	CHECK(hearth_source_date_epoch() == -1);
	CHECK(hearth_now() > 1700000000);
	setenv("SOURCE_DATE_EPOCH", "", 1);
	CHECK(hearth_source_date_epoch() == -1);
	unsetenv("SOURCE_DATE_EPOCH");
	CHECK(hearth_source_date_epoch() == -1);
}

/* Output written by name: commit renames it in place, abort leaves nothing. */
static void temp_files_by_name(void)
{
	struct hearth_err err;
	struct buf b = BUF_INIT;
	char *dst = path_join(t_tmpdir(), "tmpdir/a/out.bin"), *tmp = NULL, *kept = NULL;
	int fd = -1;

	CHECK_OK(file_tmp_open(dst, &tmp, NULL, &err), &err);
	CHECK(tmp && str_starts(tmp, dst) && file_is_tmp_name(path_base(tmp)));
	CHECK(!file_is_tmp_name("out.bin") && !file_is_tmp_name("out.bin.tmp-abc"));
	CHECK_OK(file_write_atomic(tmp, "x", 1, &err), &err); /* written by name */
	CHECK_OK(file_tmp_commit(-1, &tmp, dst, &err), &err);
	CHECK(tmp == NULL && file_size(dst) == 1);
	CHECK(file_tmp_commit(-1, &tmp, dst, &err) == HEARTH_EIO);

	CHECK_OK(file_tmp_open(dst, &tmp, &fd, &err), &err);
	CHECK(fd >= 0);
	kept = xstrdup(tmp);
	file_tmp_abort(fd, &tmp);
	CHECK(tmp == NULL && !path_exists(kept));
	file_tmp_abort(-1, &tmp); /* twice is fine */
	CHECK_OK(file_read(dst, &b, &err), &err);
	CHECK_STR(buf_cstr(&b), "x");
	free(dst);
	free(kept);
	buf_release(&b);
}

/* Every form of bad address from the report, and the good ones around them. */
static void urls_are_checked(void)
{
	static const char *const good[] = {
		"https://example.net", "http://example.net/", "https://stories.example.net/a/b",
		"http://localhost:8000", "http://127.0.0.1:8080/x", "http://[::1]:8000/",
		"https://[2001:db8::1]", "https://EXAMPLE.net/a%20b", "https://xn--bcher-kva.example",
	};
	static const struct {
		const char *url, *why;
	} bad[] = {
		{"https://", "no host"},
		{"http://", "no host"},
		{"http://[::1", "not closed"},
		{"http://[::1/x", "not closed"},
		{"http://[nope]/", "IPv6"},
		{"http://[::1]x/", "only a port"},
		{"https://exa mple.net", "space"},
		{"https://example.net/a b", "space"},
		{"https://example.net/\"x", "quote"},
		{"https://example.net/'x", "quote"},
		{"https://example.net/<x>", "angle"},
		{"https://example.net\\x", "backslash"},
		{"https://example.net/\x01", "control"},
		{"https://user:pass@example.net", "password"},
		{"https://user@example.net", "password"},
		{"https://example.net/?q=1", "query"},
		{"https://example.net/#top", "fragment"},
		{"ftp://example.net", "http://"},
		{"example.net", "http://"},
		{"https://-bad.example", "host name"},
		{"https://bad..example", "host name"},
		{"https://ex_ample.net", "host name"},
		{"https://999.1.1.1", "IPv4"},
		{"https://example.net:0", "port"},
		{"https://example.net:99999", "port"},
		{"https://example.net:", "port"},
		{"https://example.net:8a", "port"},
		{"https://example.net/%zz", "escape"},
		{"", "empty"},
	};
	struct hearth_err err;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		CHECK_OK(url_check(good[i], &err), &err);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		int rc = url_check(bad[i].url, &err);
		if (rc != HEARTH_EINVAL || !strstr(err.msg, bad[i].why)) {
			printf("FAIL %s: '%s' gave %d \"%s\", expected \"%s\"\n", t_name_,
			       bad[i].url, rc, err.msg, bad[i].why);
			t_failed_ = 1;
			return;
		}
	}
}

/*
 * A map of 200,000 keys parses (the duplicate check used to compare each
 * key with all before it: hours for a large front matter), and a duplicate
 * at the very end is still found.
 */
static void yaml_large_map_is_linear(void)
{
	struct buf b = BUF_INIT;
	struct hearth_err err;
	struct ynode *y = NULL;
	for (int i = 0; i < 200000; i++)
		buf_printf(&b, "key%d: v\n", i);
	CHECK_OK(yaml_parse(b.data, b.len, "big.yaml", 0, &y, &err), &err);
	CHECK(y->kind == Y_MAP && y->n == 200000);
	CHECK_STR(ymap_str(y, "key199999"), "v");
	ynode_free(y);
	buf_puts(&b, "key123456: again\n");
	CHECK(yaml_parse(b.data, b.len, "big.yaml", 0, &y, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "key 'key123456' appears twice") != NULL);
	buf_release(&b);
}

/* A bounded read refuses a big file by its size, before reading it. */
static void bounded_reads(void)
{
	struct hearth_err err;
	struct buf b = BUF_INIT;
	char *p = path_join(t_tmpdir(), "bounded.txt");
	CHECK_OK(file_write_atomic(p, "0123456789", 10, &err), &err);
	CHECK_OK(file_read_max(p, 10, "limits.x", &b, &err), &err);
	CHECK_STR(buf_cstr(&b), "0123456789");
	buf_reset(&b);
	CHECK(file_read_max(p, 9, "limits.x in hearth.yaml", &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "larger than 9 bytes") && strstr(err.msg, "limits.x in hearth.yaml"));
	CHECK(b.len == 0);
	/* a sparse gigabyte is refused at once: nothing of it is read */
	CHECK(truncate(p, (off_t)1 << 30) == 0);
	CHECK(file_read_max(p, 1000, NULL, &b, &err) == HEARTH_EINVAL);
	CHECK(b.len == 0 && strstr(err.msg, "the most Hearth reads"));
	unlink(p);
	free(p);
	buf_release(&b);
}

/*
 * file_read_max reads into the caller's buffer after what it holds,
 * sized from the file: a file larger than one read, an empty one (a
 * string all the same), and a buffer that already holds text.
 */
static void reads_whole_files_into_the_buffer(void)
{
	struct hearth_err err;
	struct buf b = BUF_INIT;
	char *p = path_join(t_tmpdir(), "whole.txt");
	size_t n = 200000;
	char *text = xmalloc(n);

	for (size_t i = 0; i < n; i++)
		text[i] = (char)('a' + i % 26);
	CHECK_OK(file_write_atomic(p, text, n, &err), &err);
	buf_puts(&b, "before:");
	CHECK_OK(file_read_max(p, (int64_t)n, NULL, &b, &err), &err);
	CHECK(b.len == 7 + n && !memcmp(b.data, "before:", 7) && !memcmp(b.data + 7, text, n));
	CHECK(b.data[b.len] == '\0');
	buf_release(&b);
	CHECK_OK(file_write_atomic(p, "", 0, &err), &err);
	CHECK_OK(file_read_max(p, 10, NULL, &b, &err), &err);
	CHECK(b.data && b.len == 0 && b.data[0] == '\0');
	buf_release(&b);
	buf_reserve(&b, 5);
	CHECK(b.data && b.len == 0 && b.cap >= 6 && b.data[0] == '\0');
	unlink(p);
	free(p);
	free(text);
	buf_release(&b);
}

/*
 * file_read reads into the caller's buffer after what it holds, with room
 * for the whole file from its size at once: a file larger than one read,
 * an empty one (a string all the same), and a file whose size stat does
 * not know (read to its end all the same).
 */
static void file_read_sizes(void)
{
	struct hearth_err err;
	struct buf b = BUF_INIT;
	char *p = path_join(t_tmpdir(), "read.txt");
	size_t n = 200001;
	char *text = xmalloc(n);

	for (size_t i = 0; i < n; i++)
		text[i] = (char)('A' + i % 26);
	CHECK_OK(file_write_atomic(p, text, n, &err), &err);
	buf_puts(&b, "head:");
	CHECK_OK(file_read(p, &b, &err), &err);
	CHECK(b.len == 5 + n && !memcmp(b.data, "head:", 5) && !memcmp(b.data + 5, text, n));
	CHECK(b.data[b.len] == '\0' && b.cap <= 2 * (b.len + 2));
	buf_release(&b);
	CHECK_OK(file_write_atomic(p, "", 0, &err), &err);
	CHECK_OK(file_read(p, &b, &err), &err);
	CHECK(b.data && b.len == 0 && b.data[0] == '\0');
	buf_release(&b);
	CHECK_OK(file_read("/proc/self/status", &b, &err), &err);
	CHECK(b.len > 0 && strlen(b.data) == b.len && strstr(b.data, "Name:"));
	CHECK(file_read(p, &b, &err) == 0); /* appends nothing */
	unlink(p);
	CHECK(file_read(p, &b, &err) == HEARTH_ENOENT);
	free(p);
	free(text);
	buf_release(&b);
}

/* One half of run_pair's work: counts its calls, and which thread made them. */
struct half {
	int calls;
	pthread_t by;
};

static void *count_half(void *arg)
{
	struct half *h = arg;
	h->calls++;
	h->by = pthread_self();
	return NULL;
}

/* run_pair runs each part once: the second on a thread of its own when asked, else here. */
static void pairs_run_each_part_once(void)
{
	struct half a = {0}, b = {0};
	run_pair(count_half, &a, &b, true);
	CHECK(a.calls == 1 && b.calls == 1);
	CHECK(pthread_equal(a.by, pthread_self()) && !pthread_equal(b.by, pthread_self()));
	a = (struct half){0};
	b = (struct half){0};
	run_pair(count_half, &a, &b, false);
	CHECK(a.calls == 1 && b.calls == 1);
	CHECK(pthread_equal(a.by, pthread_self()) && pthread_equal(b.by, pthread_self()));
}

int main(void)
{
	RUN(buffer_grows_and_formats);
	RUN(strv_appends);
	RUN(strv_first_repeats);
	RUN(safe_paths);
	RUN(sha256_known_vectors);
	RUN(uuid5_matches_podcast_namespace_example);
	RUN(uuid5_keeps_stored_guids);
	RUN(sha256_of_a_file);
	RUN(copy_against_an_earlier_read);
	RUN(yaml_tree_and_errors);
	RUN(front_matter);
	RUN(json_writer);
	RUN(json_writer_refuses_too_deep);
	RUN(dates);
	RUN(slugs_and_text);
	RUN(atomic_files);
	RUN(numbers_for_people);
	RUN(source_date_epoch);
	RUN(temp_files_by_name);
	RUN(urls_are_checked);
	RUN(yaml_large_map_is_linear);
	RUN(bounded_reads);
	RUN(reads_whole_files_into_the_buffer);
	RUN(file_read_sizes);
	RUN(pairs_run_each_part_once);
	return 0;
}
