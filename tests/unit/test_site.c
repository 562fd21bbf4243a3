/*
 * test_site.c - the build: the public view as XML (only public fields),
 * cmark's safe mode, the theme's HTML, the atomic swap and the marker file,
 * and a whole build from hand-made records with stand-in media functions.
 */
#define _GNU_SOURCE /* realpath */
#include "../../core/core.h"
#include "../../site-gen/siteInt.h"
#include "../../pipeline/pipelineInt.h"
#include "t.h"

#include <dirent.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxslt/xsltutils.h>

/* ---- fixtures ------------------------------------------------------------ */

static char s_title[] = "Hearth Stories", s_desc[] = "Peer stories of getting through",
	    s_base[] = "https://stories.example.org/", s_lang[] = "en",
	    s_author[] = "Hearth Peer Network", s_cat[] = "Health & Fitness",
	    s_sub[] = "Mental Health", s_lic[] = "CC-BY-NC-ND-4.0",
	    s_owner[] = "The editors", s_email[] = "editors@stories.example.org";

static struct lib_settings settings(void)
{
	struct lib_settings s;
	memset(&s, 0, sizeof s);
	s.title = s_title;
	s.description = s_desc;
	s.base_url = s_base;
	s.language = s_lang;
	s.author = s_author;
	s.category = s_cat;
	s.subcategory = s_sub;
	s.license = s_lic;
	s.owner_name = s_owner;   /* a podcast with episodes needs its owner */
	s.owner_email = s_email;
	s.locked = true;
	s.archive_after = 300;
	return s;
}

static char w1[] = "self-harm", w2[] = "hospital stay", th1[] = "recovery",
	    tg1[] = "night", tg2[] = "family";
static char *warnings[] = {w1, w2, NULL};
static char *themes_v[] = {th1, NULL};
static char *tags_v[] = {tg1, tg2, NULL};

static struct pub_asset night_assets[] = {
	{.role = ROLE_AUDIO, .sha256 = "aaaa", .mime = "audio/flac", .duration = 125.6, .index = 1},
	{.role = ROLE_ART, .sha256 = "bbbb", .mime = "image/png", .alt = "A lamp in a dark window",
	 .width = 3000, .height = 2000, .index = 1},
	{.role = ROLE_TRANSCRIPT, .sha256 = "cccc", .mime = "text/vtt", .index = 1},
};

static struct pub_chapter night_chapters[] = {{0, "Opening"}, {65.5, "The <long> night"}};

static struct pub_story night = {
	.slug = "night-shift",
	.guid = "6d1f3a8e-0000-4000-8000-000000000001",
	.title = "Night <shift> & after",
	.summary = "How the nights got shorter.",
	.body = "# A heading\n\nFirst *paragraph*.\n\n<script>alert('x')</script>\n\n"
		"[click](javascript:alert(1)) and [ok](https://example.org/help)\n\n"
		"![tracker](https://evil.example/pixel.gif)\n",
	.byline = "Sky",
	.language = "en",
	.license = "CC-BY-4.0",
	.published_at = 1715342400, /* 10 May 2024 */
	.updated_at = 1715342400,
	.on_site = true,
	.on_podcast = true,
	.warnings = warnings,
	.themes = themes_v,
	.tags = tags_v,
	.season = 1,
	.episode = 2,
	.assets = night_assets,
	.n_assets = 3,
	.sound = &night_assets[0],
	.chapters = night_chapters,
	.n_chapters = 2,
};

static struct pub_asset song_assets[] = {
	{.role = ROLE_MUSIC, .sha256 = "dddd", .mime = "audio/wav", .duration = 61, .index = 1},
};

/* only in the podcast view: no site consent */
static struct pub_story song = {
	.slug = "morning-song",
	.guid = "6d1f3a8e-0000-4000-8000-000000000002",
	.title = "Morning song",
	.summary = "A song.",
	.body = "Words.",
	.byline = "Anonymous",
	.language = "en",
	.published_at = 1715428800,
	.updated_at = 1715428800,
	.on_podcast = true,
	.assets = song_assets,
	.n_assets = 1,
	.sound = &song_assets[0],
};

/* only in the site view: text only */
static struct pub_story letter = {
	.slug = "a-letter",
	.guid = "6d1f3a8e-0000-4000-8000-000000000003",
	.title = "A letter",
	.summary = "To myself, a year ago.",
	.body = "Dear me,\n\nIt gets *better*.",
	.byline = "Anonymous",
	.language = "en",
	.published_at = 1715256000,
	.updated_at = 1715256000,
	.on_site = true,
};

static char c_slug[] = "first-nights", c_title[] = "First nights",
	    c_desc[] = "Stories about nights", c_s1[] = "night-shift", c_s2[] = "morning-song",
	    c_s3[] = "a-letter";
static char *c_stories[] = {c_s1, c_s2, c_s3, NULL};
static struct pub_collection coll = {
	.slug = c_slug, .title = c_title, .description = c_desc, .stories = c_stories};

static const char *theme_dir(void)
{
	const char *d = getenv("HEARTH_THEME_DIR");
	return d && *d ? d : "themes/default";
}

/* ---- stand-in media ------------------------------------------------------ */

static int64_t fake_mp3_bytes(const char *sha)
{
	return 1000 + (int64_t)strlen(sha) * 111 + (sha[0] == 'd' ? 7 : 0);
}

static int write_n(const char *path, int64_t n, struct hearth_err *err)
{
	char *data = xmalloc((size_t)n);
	memset(data, 'x', (size_t)n);
	int rc = file_write_atomic(path, data, (size_t)n, err);
	free(data);
	return rc;
}

/* What the MP3 rendition was given as chapters for night-shift's audio ("aaaa"), and for song's. */
static size_t aaaa_chapters = 99, dddd_chapters = 99;
static char aaaa_title2[64];

/* Notes the chapters an MP3 job carries, for the tests that look at them. */
static void note_chapters(const char *sha, const struct media_tags *tags)
{
	size_t n = tags ? tags->n_chapters : 0;
	if (!strcmp(sha, "aaaa")) {
		aaaa_chapters = n;
		if (n > 1)
			snprintf(aaaa_title2, sizeof aaaa_title2, "%.3f %s", tags->chapters[1].start,
				 tags->chapters[1].title);
	} else if (!strcmp(sha, "dddd")) {
		dddd_chapters = n;
	}
}

/* When set, every MP3 rendition comes out empty (a file of no bytes). */
static bool empty_mp3;

/*
 * Every rendition media_cached makes, as a file of a known size. Stand-in
 * pictures are 3000 x 2000, like night-shift's art; "ffff" is 700 x 500.
 */
static int fake_cached(hearth_lib *lib, const char *src, const char *sha,
		       const struct media_job *job, struct media_result *res,
		       struct hearth_err *err)
{
	static const char *const ext[] = {"mp3", "m4a", "json", "svg", "jpg", "webp",
					  "cover.jpg"};
	(void)lib;
	(void)src;
	memset(res, 0, sizeof *res);
	if (job->kind == MEDIA_MP3)
		note_chapters(sha, job->tags);
	if (job->kind >= MEDIA_JPEG) {
		int sw = sha[0] == 'f' ? 700 : 3000, sh = sha[0] == 'f' ? 500 : 2000;
		if (job->kind == MEDIA_COVER) {
			res->width = res->height = job->width;
		} else {
			res->width = job->width < sw ? job->width : sw;
			res->height = res->width * sh / sw;
		}
	}
	bool empty = empty_mp3 && job->kind == MEDIA_MP3;
	res->path = xasprintf("%s/cache/%s-%d-%d%s.%s", t_tmpdir(), sha, (int)job->kind,
			      job->width, empty ? "-empty" : "", ext[job->kind]);
	res->made = !path_exists(res->path);
	res->size = empty ? 0
		    : job->kind == MEDIA_MP3 ? fake_mp3_bytes(sha)
		    : job->kind == MEDIA_M4A ? 2 * fake_mp3_bytes(sha)
		    : 300 + (int64_t)job->kind;
	return write_n(res->path, res->size, err);
}

/* A show image "small.png" is refused, any other passes as 2000 x 2000. */
static int fake_cover_check(hearth_lib *lib, const char *salt, const char *path,
			    const char *sha256, const char *name,
			    const struct media_limits *limits, struct media_info *info,
			    struct hearth_err *err)
{
	(void)lib, (void)salt, (void)sha256;
	(void)limits;
	if (!path_is_file(path))
		return herr(err, HEARTH_ENOENT, "%s: no such file", name);
	if (str_ends(path, "small.png"))
		return herr(err, HEARTH_EINVAL, "%s: the podcast image must be at least "
			    "1400\u00d71400 pixels, but it is 800\u00d7600", name);
	memset(info, 0, sizeof *info);
	info->width = info->height = 2000;
	return 0;
}

static int fake_transcript(hearth_lib *lib, const char *salt, const char *src,
			   const char *sha256, double duration, struct buf *vtt, struct buf *text,
			   bool *made, struct hearth_err *err)
{
	(void)lib, (void)salt, (void)sha256, (void)made;
	(void)src;
	(void)err;
	if (duration < 100)
		return herr(err, HEARTH_EINVAL, "transcript timed without its audio");
	buf_puts(vtt, "WEBVTT\n\n00:00.000 --> 00:02.000\nHello & welcome.\n");
	buf_puts(text, "Hello & welcome.\nThe <second> line.\n");
	return 0;
}

static char *fake_store_path(const hearth_lib *lib, const char *sha)
{
	(void)lib;
	return xasprintf("%s/store/%s", t_tmpdir(), sha);
}

static const struct site_media_ops fake_ops = {
	.cached = fake_cached,
	.cover_check = fake_cover_check,
	.transcript = fake_transcript,
	.store_path = fake_store_path,
};

/* ---- helpers ------------------------------------------------------------- */

/* A ctx over night (site+podcast), song (podcast), letter (site). */
static void make_ctx(struct site_ctx *c, const struct lib_settings *set,
		     struct pub_collection **colls)
{
	static struct pub_story *site_v[] = {&night, &letter};
	static struct pub_story *pod_v[] = {&song, &night};
	memset(c, 0, sizeof *c);
	c->set = set;
	c->base_url = "https://stories.example.org";
	c->cover_src = "cover.jpg";
	site_ctx_entries(c, site_v, 2, pod_v, 2);
	c->colls = colls;
	c->n_colls = colls ? 1 : 0;
	site_ctx_lists(c);
}

static char *doc_string(xmlDocPtr d)
{
	xmlChar *s = NULL;
	int n = 0;
	xmlDocDumpMemoryEnc(d, &s, &n, "UTF-8");
	char *r = xstrndup((const char *)s, (size_t)n);
	xmlFree(s);
	return r;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static char *read_text(const char *path)
{
	struct buf b = BUF_INIT;
	struct hearth_err err;
	if (file_read(path, &b, &err) != 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static char *read_in(const char *dir, const char *rel)
{
	char *p = path_join(dir, rel);
	char *t = read_text(p);
	free(p);
	return t;
}

/* True when some entry of dir starts with prefix. */
static bool dir_has_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;
	if (!d)
		return false;
	while ((de = readdir(d)))
		if (str_starts(de->d_name, prefix))
			found = true;
	closedir(d);
	return found;
}

/* ---- the XML view -------------------------------------------------------- */

/*
 * The names the view may use outside a story's <body>. Each stands for a
 * field of pub_story, of the site settings, or of a rendition; a new name
 * has to be added here on purpose.
 */
static const char *const allowed[] = {
	/* elements */
	"page", "site", "title", "description", "language", "author", "license", "feed",
	"cover", "story", "summary", "byline", "published", "warnings", "warning", "themes",
	"theme", "tags", "tag", "season", "episode", "audio", "art", "image", "body",
	"transcript", "line", "stories", "collections", "collection", "chapters",
	"chapter", "pager", "prev", "next", "link", "gap",
	/* attributes */
	"type", "base", "collections", "href", "url", "src", "slug", "anonymous", "iso", "n",
	"start",
	"role", "duration", "clock", "size", "size-human", "alt", "width", "height", "count",
	"pages", "current", "byline-href",
	"jsonld",
	NULL};

static bool is_allowed(const xmlChar *name)
{
	for (const char *const *p = allowed; *p; p++)
		if (!strcmp(*p, (const char *)name))
			return true;
	return false;
}

/* The first name outside <body> that is not allowed, or NULL. */
static const xmlChar *stray_name(xmlNodePtr n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!is_allowed(n->name))
			return n->name;
		for (xmlAttrPtr a = n->properties; a; a = a->next)
			if (!is_allowed(a->name))
				return a->name;
		if (!strcmp((const char *)n->name, "body"))
			continue;
		const xmlChar *s = stray_name(n->children);
		if (s)
			return s;
	}
	return NULL;
}

static void view_holds_only_public_fields(void)
{
	struct lib_settings set = settings();
	struct pub_collection *colls[] = {&coll};
	struct site_ctx c;
	make_ctx(&c, &set, colls);

	struct site_entry *e = (struct site_entry *)site_ctx_find(&c, "night-shift");
	CHECK(e && e->on_site && e->on_podcast);
	/* as if its audio were made: the page lists chapters beside the player */
	e->m.audio[0].src = xstrdup("media/night-shift/night-shift.mp3");
	e->m.audio[0].role = ROLE_AUDIO;
	e->m.n_audio = 1;
	xmlDocPtr pages[] = {site_page_story(&c, e), site_page_home(&c),
			     site_page_collection(&c, 0, 1), site_page_404(&c)};
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		const xmlChar *bad = stray_name(xmlDocGetRootElement(pages[i]));
		if (bad)
			printf("  unexpected name in the view: %s\n", (const char *)bad);
		CHECK(bad == NULL);
	}

	char *story = doc_string(pages[0]);
	CHECK(strstr(story, "<title>Night &lt;shift&gt; &amp; after</title>") != NULL);
	CHECK(strstr(story, "<published iso=\"2024-05-10T12:00:00Z\">10 May 2024</published>"));
	CHECK(strstr(story, "<warning>self-harm</warning>") != NULL);
	CHECK(strstr(story, "<byline>Sky</byline>") != NULL);
	CHECK(strstr(story, "<chapters><chapter start=\"0\" clock=\"0:00\" duration=\"PT0S\">"
			    "Opening</chapter><chapter start=\"65.500\" clock=\"1:05\" "
			    "duration=\"PT65.500S\">The &lt;long&gt; night</chapter></chapters>"));
	/* the guid is for the feed; the page has no use for it */
	CHECK(strstr(story, night.guid) == NULL);
	free(story);

	/* a podcast-only story is in no listing */
	char *home = doc_string(pages[1]);
	CHECK(strstr(home, "morning-song") == NULL);
	CHECK(strstr(home, "night-shift") != NULL && strstr(home, "a-letter") != NULL);
	CHECK(strstr(home, "count=\"2\"") != NULL);
	CHECK(strstr(home, "night-shift") < strstr(home, "a-letter")); /* newest first */
	free(home);
	char *cp = doc_string(pages[2]);
	CHECK(strstr(cp, "morning-song") == NULL);
	free(cp);

	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
		xmlFreeDoc(pages[i]);
	site_ctx_release(&c);
}

static void markdown_is_safe(void)
{
	xmlDocPtr d = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr body = xmlNewDocNode(d, NULL, BAD_CAST "body", NULL);
	xmlDocSetRootElement(d, body);
	site_markdown_nodes(body, night.body);
	char *s = doc_string(d);

	CHECK(strstr(s, "<script") == NULL);
	CHECK(strstr(s, "alert(") == NULL);
	CHECK(strstr(s, "javascript:") == NULL);
	CHECK(strstr(s, "href=\"\"") == NULL);
	CHECK(strstr(s, "<p>click and <a") != NULL);
	CHECK(strstr(s, "<h1") == NULL);
	CHECK(strstr(s, "<h2>A heading</h2>") != NULL);
	CHECK(strstr(s, "<em>paragraph</em>") != NULL);
	CHECK(strstr(s, "href=\"https://example.org/help\" rel=\"ugc nofollow\"") != NULL);
	CHECK(strstr(s, "evil.example") == NULL);
	CHECK(strstr(s, "tracker") != NULL);
	CHECK(strstr(s, "<!--") == NULL);
	free(s);
	xmlFreeDoc(d);

	/* raw HTML in any form stays out */
	d = xmlNewDoc(BAD_CAST "1.0");
	body = xmlNewDocNode(d, NULL, BAD_CAST "body", NULL);
	xmlDocSetRootElement(d, body);
	site_markdown_nodes(body, "<div onclick=\"x()\">hi</div>\n\n"
				  "a <b onmouseover=\"y()\">b</b> <iframe src=\"//x\"></iframe>\n\n"
				  "[x](JAVASCRIPT:z()) [d](data:text/html;base64,AAAA) &amp; &copy;\n");
	s = doc_string(d);
	CHECK(strstr(s, "onclick") == NULL);
	CHECK(strstr(s, "onmouseover") == NULL);
	CHECK(strstr(s, "iframe") == NULL);
	CHECK(strstr(s, "JAVASCRIPT") == NULL);
	CHECK(strstr(s, "data:text/html") == NULL);
	CHECK(strstr(s, "\xc2\xa9") != NULL); /* &copy; became the character */
	free(s);
	xmlFreeDoc(d);
}

/* ---- the theme ----------------------------------------------------------- */

static void theme_makes_accessible_html(void)
{
	struct lib_settings set = settings();
	struct pub_collection *colls[] = {&coll};
	struct site_ctx c;
	struct hearth_err err;
	site_theme *t = NULL;
	struct buf html = BUF_INIT;

	make_ctx(&c, &set, colls);
	struct site_entry *e = (struct site_entry *)site_ctx_find(&c, "night-shift");
	/* what the media step would have filled */
	e->m.audio[0].src = xstrdup("media/night-shift/night-shift.mp3");
	e->m.audio[0].role = ROLE_AUDIO;
	e->m.audio[0].size = 1234567;
	e->m.audio[0].duration = 125.6;
	e->m.audio[0].m4a_src = xstrdup("media/night-shift/night-shift.m4a");
	e->m.audio[0].m4a_size = 1434567;
	e->m.audio[0].peaks_src = xstrdup("media/night-shift/night-shift-peaks.json");
	e->m.audio[0].waveform_src = xstrdup("media/night-shift/night-shift-waveform.svg");
	e->m.n_audio = 1;
	e->m.vtt_src = xstrdup("media/night-shift/night-shift.vtt");
	e->m.transcript = xstrdup("Hello & welcome.\nThe <second> line.\n");

	CHECK_OK(site_theme_load(theme_dir(), &t, &err), &err);
	xmlDocPtr d = site_page_story(&c, e);
	int rc = site_theme_apply(t, d, "../../", &html, &err);
	xmlFreeDoc(d);
	CHECK_OK(rc, &err);
	const char *h = html.data;
	char *p = path_join(t_tmpdir(), "story.html");
	file_write_atomic(p, html.data, html.len, &err);
	free(p);

	CHECK(str_starts(h, "<!DOCTYPE html>\n<html lang=\"en\">"));
	CHECK(count_of(h, "<h1") == 1);
	CHECK(count_of(h, "<main") == 1);
	CHECK(strstr(h, "<main id=\"main\"") != NULL);
	CHECK(strstr(h, "href=\"#main\"") != NULL);
	CHECK(count_of(h, "charset") == 1);
	CHECK(strstr(h, "<meta name=\"viewport\"") != NULL);
	CHECK(strstr(h, "<title>Night &lt;shift&gt; &amp; after – Hearth Stories</title>"));
	CHECK(strstr(h, "type=\"application/rss+xml\" href=\"../../feed.xml\"") != NULL);
	CHECK(strstr(h, "href=\"../../style.css\"") != NULL);
	CHECK(strstr(h, "By <a href=\"../../contributors/sky/index.html\">Sky</a>") != NULL);
	CHECK(strstr(h, "<time datetime=\"2024-05-10T12:00:00Z\">10 May 2024</time>"));

	/* the warning comes before the player and the story */
	const char *warn = strstr(h, "role=\"note\"");
	const char *audio = strstr(h, "<audio");
	const char *body = strstr(h, "First <em>paragraph</em>");
	const char *trans = strstr(h, "Transcript</h2>");
	CHECK(warn && audio && body && trans);
	CHECK(warn < audio && audio < body && body < trans);
	CHECK(strstr(h, "This story talks about self-harm, hospital stay.") != NULL);
	CHECK(strstr(h, "preload=\"metadata\"") != NULL);
	CHECK(strstr(h, "src=\"../../media/night-shift/night-shift.mp3\"") != NULL);
	CHECK(strstr(h, "download") != NULL);
	/* the MP3 plays, the AAC is a download too; the waveform decorates */
	CHECK(strstr(h, "<a href=\"../../media/night-shift/night-shift.m4a\" download=\"\">"
			"AAC (1.4 MB)</a>") != NULL);
	const char *wave = strstr(h, "<img class=\"waveform\" "
				     "src=\"../../media/night-shift/night-shift-waveform.svg\" alt=\"\"");
	CHECK(wave && wave < audio);
	CHECK(strstr(h, "Length <time class=\"audio-length\" datetime=\"PT126S\">2:06</time>") != NULL);
	CHECK(strstr(h, "1.2 MB") != NULL);
	CHECK(strstr(h, "<p>The &lt;second&gt; line.</p>") != NULL);
	/* the one program, for the player, only enhances it; the other script is data */
	CHECK(count_of(h, "<script") == 2);
	CHECK(count_of(h, "<script type=\"application/ld+json\">") == 1);
	CHECK(strstr(h, "<script src=\"../../player.js\" defer") != NULL);
	CHECK(strstr(h, "Storytellers can withdraw at any time.") != NULL);
	CHECK(strstr(h, "crisis line") != NULL);
	buf_reset(&html);

	/* home: one h1, links relative to the root, anonymous byline */
	d = site_page_home(&c);
	rc = site_theme_apply(t, d, "", &html, &err);
	xmlFreeDoc(d);
	CHECK_OK(rc, &err);
	h = html.data;
	CHECK(count_of(h, "<h1") == 1);
	CHECK(strstr(h, "href=\"stories/night-shift/index.html\"") != NULL);
	CHECK(strstr(h, "href=\"collections/first-nights/index.html\"") != NULL);
	CHECK(strstr(h, "Shared anonymously") != NULL);
	CHECK(strstr(h, "aria-current=\"page\"") != NULL);
	CHECK(strstr(h, "morning-song") == NULL);
	buf_reset(&html);

	d = site_page_404(&c);
	rc = site_theme_apply(t, d, "https://stories.example.org/", &html, &err);
	xmlFreeDoc(d);
	CHECK_OK(rc, &err);
	CHECK(strstr(html.data, "href=\"https://stories.example.org/style.css\"") != NULL);

	buf_release(&html);
	site_theme_free(&t);
	site_ctx_release(&c);
}

/* ---- output folder ------------------------------------------------------- */

static const char *mkdir_in(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", t_tmpdir(), name);
	return out;
}

static int build(const char *out, const char *theme, struct pub_story **site, size_t n_site,
		 struct pub_story **pod, size_t n_pod, struct site_stats *st,
		 struct hearth_err *err)
{
	struct lib_settings set = settings();
	struct pub_collection *colls[] = {&coll};
	char *lib = path_join(t_tmpdir(), "lib");
	struct site_input in = {lib, &set, site, n_site, pod, n_pod, colls, 1};
	static char image[] = "cover.png";
	struct site_opts o = {.out_dir = out, .theme_dir = theme, .jobs = 3};
	char *cover = path_join(lib, image);
	set.image = image;
	int rc = path_is_file(cover) ? 0 : file_write_atomic(cover, "png", 3, err);
	if (!rc)
		rc = site_build_input(NULL, &in, &o, &fake_ops, st, err);
	free(cover);
	free(lib);
	return rc;
}

static void whole_build(void)
{
	char out[512], again[512];
	struct hearth_err err;
	struct site_stats st;
	struct pub_story *site_v[] = {&letter, &night};
	struct pub_story *pod_v[] = {&night, &song};

	mkdir_in("public", out, sizeof out);
	CHECK_OK(build(out, theme_dir(), site_v, 2, pod_v, 2, &st, &err), &err);
	CHECK(st.stories == 2 && st.collections == 1 && st.feed_items == 2);
	/*
	 * 2 recordings x (mp3, m4a, peaks, waveform), art at 3 widths in 2
	 * formats, its episode cover, 1 vtt, the show's cover
	 */
	CHECK(st.media_made + st.media_cached == 17);

	const char *files[] = {"index.html", "404.html", "style.css", "feed.xml", "cover.jpg",
			       SITE_MARKER, "stories/night-shift/index.html",
			       "stories/a-letter/index.html", "collections/first-nights/index.html",
			       "media/night-shift/night-shift.mp3",
			       "media/night-shift/art-1-480.jpg", "media/night-shift/art-1-960.jpg",
			       "media/night-shift/art-1-1600.jpg", "media/night-shift/art-1-480.webp",
			       "media/night-shift/art-1-960.webp", "media/night-shift/art-1-1600.webp",
			       "media/night-shift/cover.jpg",
			       "media/night-shift/night-shift.vtt",
			       "media/morning-song/morning-song.mp3",
			       "media/night-shift/night-shift.m4a",
			       "media/night-shift/night-shift-peaks.json",
			       "media/night-shift/night-shift-waveform.svg"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *p = path_join(out, files[i]);
		if (!path_is_file(p))
			printf("  missing %s\n", files[i]);
		CHECK(path_is_file(p));
		free(p);
	}
	/* no page for the story without site consent */
	char *p = path_join(out, "stories/morning-song");
	CHECK(!path_exists(p));
	free(p);

	char *feed = read_in(out, "feed.xml");
	CHECK(feed != NULL);
	xmlDocPtr fd = xmlReadMemory(feed, (int)strlen(feed), "feed.xml", NULL, XML_PARSE_NONET);
	CHECK(fd != NULL);
	xmlFreeDoc(fd);
	char want[256];
	snprintf(want, sizeof want,
		 "<enclosure url=\"https://stories.example.org/media/night-shift/night-shift.mp3\" "
		 "length=\"%lld\" type=\"audio/mpeg\"/>",
		 (long long)(1000 + 4 * 111));
	CHECK(strstr(feed, want) != NULL);
	CHECK(strstr(feed, "<link>https://stories.example.org/stories/night-shift/</link>"));
	CHECK(strstr(feed, "stories/morning-song") == NULL); /* no page, no link */
	CHECK(strstr(feed, "media/morning-song/morning-song.mp3") != NULL);
	/* the M4A as the alternate: 2888 bytes over the asset's 125.6 s */
	const char *alt = strstr(feed, "<podcast:alternateEnclosure type=\"audio/mp4\" "
				       "length=\"2888\" bitrate=\"184\" codecs=\"mp4a.40.2\">");
	const char *alt_src = strstr(feed, "<podcast:source uri=\"https://stories.example.org/"
					   "media/night-shift/night-shift.m4a\"/>");
	CHECK(alt && alt_src && alt < alt_src && alt_src - alt < 120);
	CHECK(strstr(feed, "a-letter") == NULL);                 /* no podcast consent */
	CHECK(strstr(feed, "morning-song") < strstr(feed, "night-shift")); /* newest first */
	CHECK(strstr(feed, "<lastBuildDate>Sat, 11 May 2024 12:00:00 +0000</lastBuildDate>"));
	CHECK(strstr(feed, "<itunes:image href=\"https://stories.example.org/cover.jpg\"/>"));
	/* the episode with big art has its own cover; the other has the show's */
	CHECK(strstr(feed, "<itunes:image href=\"https://stories.example.org/media/night-shift/"
			   "cover.jpg\"/>") != NULL);
	CHECK(count_of(feed, "<itunes:image href=\"https://stories.example.org/cover.jpg\"/>") == 2);
	CHECK(strstr(feed, "art-1") == NULL);
	CHECK(strstr(feed, "night-shift.vtt\" type=\"text/vtt\" language=\"en\"") != NULL);
	CHECK(strstr(feed, "<itunes:duration>126</itunes:duration>") != NULL);
	CHECK(strstr(feed, "<podcast:guid>") != NULL);
	/* chapters: JSON for the feed, marks in the episode's tags, a list on the page */
	CHECK(strstr(feed, "<podcast:chapters url=\"https://stories.example.org/media/night-shift/"
			   "night-shift.chapters.json\" type=\"application/json+chapters\"/>"));
	CHECK(count_of(feed, "<podcast:chapters") == 1);
	char *json = read_in(out, "media/night-shift/night-shift.chapters.json");
	CHECK(json && strstr(json, "\"version\": \"1.2.0\"") &&
	      strstr(json, "\"podcastName\": \"Hearth Stories\"") &&
	      strstr(json, "\"startTime\": 65.500,\n      \"title\": \"The <long> night\""));
	free(json);
	p = path_join(out, "media/morning-song/morning-song.chapters.json");
	CHECK(!path_exists(p));
	free(p);
	CHECK(aaaa_chapters == 2 && dddd_chapters == 0);
	CHECK_STR(aaaa_title2, "65.500 The <long> night");

	char *story = read_in(out, "stories/night-shift/index.html");
	CHECK(story && strstr(story, "width=\"1600\" height=\"1066\"") != NULL);
	CHECK(strstr(story, "alt=\"A lamp in a dark window\"") != NULL);
	CHECK(strstr(story, "loading=\"lazy\"") != NULL);
	CHECK(strstr(story, "<picture><source type=\"image/webp\" sizes=\"(max-width: 42.5rem) "
			    "calc(100vw - 2.5rem), 40rem\" srcset=\"../../media/night-shift/"
			    "art-1-480.webp 480w, ../../media/night-shift/art-1-960.webp 960w, "
			    "../../media/night-shift/art-1-1600.webp 1600w\"><img ") != NULL);
	/* <source> is void in HTML5: libxml2's serialiser would close it */
	CHECK(strstr(story, "</source>") == NULL && strstr(story, "</picture>") != NULL);
	CHECK(strstr(story, "<img src=\"../../media/night-shift/art-1-1600.jpg\" ") != NULL);
	CHECK(strstr(story, "srcset=\"../../media/night-shift/art-1-480.jpg 480w, "
			    "../../media/night-shift/art-1-960.jpg 960w, "
			    "../../media/night-shift/art-1-1600.jpg 1600w\"") != NULL);
	CHECK(strstr(story, "<h3 id=\"chapters-title\">Chapters</h3>"));
	CHECK(strstr(story, "<time class=\"chapter-time\" datetime=\"PT65.500S\">1:05</time> "
			    "<span class=\"chapter-title\">The &lt;long&gt; night</span>"));
	free(story);

	/* the same input gives the same bytes */
	mkdir_in("public-again", again, sizeof again);
	CHECK_OK(build(again, theme_dir(), site_v, 2, pod_v, 2, &st, &err), &err);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *a = read_in(out, files[i]), *b = read_in(again, files[i]);
		CHECK(a && b && strcmp(a, b) == 0);
		free(a);
		free(b);
	}

	/* withdrawn: gone from every output at the next build */
	struct pub_story *site_w[] = {&letter};
	struct pub_story *pod_w[] = {&song};
	CHECK_OK(build(out, theme_dir(), site_w, 1, pod_w, 1, &st, &err), &err);
	p = path_join(out, "stories/night-shift");
	CHECK(!path_exists(p));
	free(p);
	p = path_join(out, "media/night-shift");
	CHECK(!path_exists(p));
	free(p);
	char *home = read_in(out, "index.html");
	char *feed2 = read_in(out, "feed.xml");
	CHECK(home && strstr(home, "night-shift") == NULL);
	CHECK(feed2 && strstr(feed2, "night-shift") == NULL);
	CHECK(!dir_has_prefix(t_tmpdir(), ".public.new-"));
	free(home);
	free(feed2);
	free(feed);
}

static void failed_build_keeps_the_old_site(void)
{
	char out[512], bad[512], fails[512];
	struct hearth_err err;
	struct pub_story *site_v[] = {&letter};
	struct pub_story *pod_v[] = {&song};

	mkdir_in("kept", out, sizeof out);
	CHECK_OK(build(out, theme_dir(), site_v, 1, pod_v, 1, NULL, &err), &err);
	char *before = read_in(out, "index.html");
	CHECK(before != NULL);

	/* a theme that does not parse */
	mkdir_in("bad-theme", bad, sizeof bad);
	char *x = path_join(bad, "page.xsl");
	const char broken[] = "<xsl:stylesheet version=\"1.0\" "
			      "xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"><xsl:template>";
	CHECK_OK(file_write_atomic(x, broken, sizeof broken - 1, &err), &err);
	free(x);
	CHECK(build(out, bad, site_v, 1, pod_v, 1, NULL, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "page.xsl") != NULL);

	/* a theme that fails half-way, after media and some pages are written */
	mkdir_in("failing-theme", fails, sizeof fails);
	x = path_join(fails, "page.xsl");
	const char stops[] =
		"<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">"
		"<xsl:template match=\"/\"><xsl:if test=\"/page/@type = 'home'\">"
		"<xsl:message terminate=\"yes\">no home today</xsl:message></xsl:if>"
		"<html><body>x</body></html></xsl:template></xsl:stylesheet>";
	CHECK_OK(file_write_atomic(x, stops, sizeof stops - 1, &err), &err);
	free(x);
	CHECK(build(out, fails, site_v, 1, pod_v, 1, NULL, &err) != 0);
	CHECK(strstr(err.msg, "index.html") != NULL);

	/* an episode whose MP3 came out empty: the story and the field, nothing published */
	empty_mp3 = true;
	CHECK(build(out, theme_dir(), site_v, 1, pod_v, 1, NULL, &err) == HEARTH_EINVAL);
	empty_mp3 = false;
	CHECK(strstr(err.msg, "story 'morning-song': music: its MP3 rendition is empty") != NULL);

	char *after = read_in(out, "index.html");
	CHECK(after && strcmp(before, after) == 0);
	CHECK(!dir_has_prefix(t_tmpdir(), ".kept.new-"));
	free(before);
	free(after);
}

static void refuses_a_folder_it_did_not_make(void)
{
	char out[512], empty[512];
	struct hearth_err err;
	struct pub_story *site_v[] = {&letter};

	mkdir_in("mine", out, sizeof out);
	char *f = path_join(out, "thesis.txt");
	CHECK_OK(file_write_atomic(f, "keep me", 7, &err), &err);
	CHECK(build(out, theme_dir(), site_v, 1, NULL, 0, NULL, &err) == HEARTH_EEXIST);
	CHECK(strstr(err.msg, SITE_MARKER) != NULL);
	CHECK(path_is_file(f));
	CHECK(!dir_has_prefix(t_tmpdir(), ".mine.new-"));
	free(f);

	/* an empty folder is fine, and a built one carries the marker */
	mkdir_in("empty", empty, sizeof empty);
	CHECK(mkdir(empty, 0755) == 0);
	CHECK_OK(build(empty, theme_dir(), site_v, 1, NULL, 0, NULL, &err), &err);
	CHECK_OK(site_out_check(empty, &err), &err);
	char *m = path_join(empty, SITE_MARKER);
	CHECK(path_is_file(m));
	free(m);

	/* a file in the way */
	char *file = path_join(t_tmpdir(), "a-file");
	CHECK_OK(file_write_atomic(file, "x", 1, &err), &err);
	CHECK(site_out_check(file, &err) == HEARTH_EEXIST);
	free(file);
}

/* A build with the show image image (made in the library folder). */
static int build_with_image(const char *out, char *image, struct pub_story **site, size_t n_site,
			    struct pub_story **pod, size_t n_pod, struct hearth_err *err)
{
	struct lib_settings set = settings();
	char *lib = path_join(t_tmpdir(), "lib");
	char *cover = path_join(lib, image);
	struct site_input in = {lib, &set, site, n_site, pod, n_pod, NULL, 0};
	struct site_opts o = {.out_dir = out, .theme_dir = theme_dir(), .jobs = 2};
	set.image = image;
	int rc = file_write_atomic(cover, "png", 3, err);
	if (!rc)
		rc = site_build_input(NULL, &in, &o, &fake_ops, NULL, err);
	free(cover);
	free(lib);
	return rc;
}

/*
 * Art 700 px wide: 480 and its own 700, never wider; too small for an
 * episode cover, so the feed item shows the show's. A show image too
 * small for a cover stops the build and keeps the old site.
 */
static void art_follows_the_source(void)
{
	char out[512];
	struct hearth_err err;
	static struct pub_asset small_art[] = {
		{.role = ROLE_AUDIO, .sha256 = "aaaa", .mime = "audio/flac", .duration = 125.6,
		 .index = 1},
		{.role = ROLE_ART, .sha256 = "ffff", .mime = "image/jpeg", .alt = "A small sketch",
		 .width = 700, .height = 500, .index = 1},
	};
	static char cover_png[] = "cover.png", small_png[] = "small.png";
	struct pub_story s = night;
	s.slug = "small-art";
	s.assets = small_art;
	s.n_assets = 2;
	s.sound = &small_art[0];
	struct pub_story *v[] = {&s};

	mkdir_in("small-art", out, sizeof out);
	CHECK_OK(build_with_image(out, cover_png, v, 1, v, 1, &err), &err);
	static const char *const there[] = {"art-1-480.jpg", "art-1-700.jpg", "art-1-480.webp",
					    "art-1-700.webp"};
	static const char *const not_there[] = {"art-1-960.jpg", "art-1-1600.jpg",
						"art-1-960.webp", "art-1-1600.webp", "cover.jpg"};
	for (size_t i = 0; i < 4; i++) {
		char *p = xasprintf("%s/media/small-art/%s", out, there[i]);
		bool ok = path_is_file(p);
		free(p);
		CHECK(ok);
	}
	for (size_t i = 0; i < 5; i++) {
		char *p = xasprintf("%s/media/small-art/%s", out, not_there[i]);
		bool ok = !path_exists(p);
		free(p);
		CHECK(ok);
	}
	char *page = read_in(out, "stories/small-art/index.html");
	char *feed = read_in(out, "feed.xml");
	bool page_ok = page && strstr(page, "<img src=\"../../media/small-art/art-1-700.jpg\" "
					    "alt=\"A small sketch\" width=\"700\" height=\"500\"") &&
		       strstr(page, "art-1-480.webp 480w, ../../media/small-art/art-1-700.webp 700w\"");
	bool feed_ok = feed && count_of(feed, "<itunes:image href=\"https://stories.example.org/"
					      "cover.jpg\"/>") == 2;
	free(page);
	free(feed);
	CHECK(page_ok);
	CHECK(feed_ok);

	/* the show image too small: refused, named, and the old site stays */
	char *before = read_in(out, "index.html");
	int rc = build_with_image(out, small_png, v, 1, v, 1, &err);
	char *after = read_in(out, "index.html");
	bool kept = before && after && !strcmp(before, after);
	free(before);
	free(after);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(str_starts(err.msg, "small.png: the podcast image must be at least"));
	CHECK(kept);
}

static void media_error_names_the_story(void)
{
	char out[512];
	struct hearth_err err;
	static struct pub_asset only_transcript[] = {
		{.role = ROLE_TRANSCRIPT, .sha256 = "eeee", .mime = "text/vtt", .index = 1},
	};
	struct pub_story s = letter;
	s.slug = "no-audio";
	s.assets = only_transcript;
	s.n_assets = 1;

	/* the story is left out and named with the reason; the rest is built */
	struct pub_story *both[] = {&s, &letter};
	struct site_stats st = {0};
	mkdir_in("media-error", out, sizeof out);
	CHECK_OK(build(out, theme_dir(), both, 2, NULL, 0, &st, &err), &err);
	CHECK(st.n_failed == 1 && st.stories == 1);
	CHECK(st.n_failed == 1 && !strcmp(st.failed[0].slug, "no-audio") &&
	      strstr(st.failed[0].reason, "transcript timed without its audio") != NULL);
	char *home = read_in(out, "index.html");
	char *page = path_join(out, "stories/no-audio/index.html");
	char *media = path_join(out, "media/no-audio");
	CHECK(home && !strstr(home, "no-audio"));
	CHECK(!path_exists(page) && !path_exists(media));
	char *kept = path_join(out, "stories/a-letter/index.html");
	CHECK(path_exists(kept));
	free(kept);
	free(home);
	free(page);
	free(media);
	site_stats_release(&st);
}

static void custom_theme_overrides_one_template(void)
{
	char dir[512], out[512];
	struct hearth_err err;
	struct pub_story *site_v[] = {&night};
	char *def = realpath(theme_dir(), NULL);
	CHECK(def != NULL);

	mkdir_in("custom-theme", dir, sizeof dir);
	char *xsl = path_join(dir, "page.xsl");
	char *text = xasprintf(
		"<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">"
		"<xsl:import href=\"%s/page.xsl\"/>"
		"<xsl:template name=\"site-footer\"><footer><p>Our own footer</p></footer>"
		"</xsl:template></xsl:stylesheet>",
		def);
	CHECK_OK(file_write_atomic(xsl, text, strlen(text), &err), &err);
	free(text);
	free(xsl);

	/* no style.css of its own: the default theme's is published */
	const char *old = getenv("HEARTH_THEME_DIR");
	char *keep = old ? xstrdup(old) : NULL;
	setenv("HEARTH_THEME_DIR", def, 1);
	mkdir_in("custom-out", out, sizeof out);
	int rc = build(out, dir, site_v, 1, NULL, 0, NULL, &err);
	if (keep)
		setenv("HEARTH_THEME_DIR", keep, 1);
	else
		unsetenv("HEARTH_THEME_DIR");
	free(keep);
	free(def);
	CHECK_OK(rc, &err);

	char *page = read_in(out, "stories/night-shift/index.html");
	CHECK(page && strstr(page, "<footer><p>Our own footer</p></footer>") != NULL);
	CHECK(strstr(page, "crisis line") == NULL);
	CHECK(strstr(page, "role=\"note\"") != NULL); /* the rest is the default theme */
	free(page);
	char *css = path_join(out, "style.css");
	CHECK(path_is_file(css));
	free(css);
}

static void theme_may_not_write_files(void)
{
	char dir[512], out[512];
	struct hearth_err err;
	struct pub_story *site_v[] = {&letter};

	mkdir_in("writing-theme", dir, sizeof dir);
	mkdir_in("written-by-theme.html", out, sizeof out);
	char *xsl = path_join(dir, "page.xsl");
	char *text = xasprintf(
		"<xsl:stylesheet version=\"1.1\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">"
		"<xsl:template match=\"/\"><xsl:document href=\"%s\"><p>x</p></xsl:document>"
		"<html><body>x</body></html></xsl:template></xsl:stylesheet>",
		out);
	CHECK_OK(file_write_atomic(xsl, text, strlen(text), &err), &err);
	free(text);
	free(xsl);

	char site[512];
	mkdir_in("site-of-writing-theme", site, sizeof site);
	CHECK(build(site, dir, site_v, 1, NULL, 0, NULL, &err) != 0);
	CHECK(strstr(err.msg, "refused") != NULL);
	CHECK(!path_exists(out));
	CHECK(!path_exists(site));
}

static void source_date_epoch_sets_the_build_date(void)
{
	char out[512];
	struct hearth_err err;
	struct pub_story *site_v[] = {&letter};
	struct pub_story *pod_v[] = {&song};

	mkdir_in("sde", out, sizeof out);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	int rc = build(out, theme_dir(), site_v, 1, pod_v, 1, NULL, &err);
	unsetenv("SOURCE_DATE_EPOCH");
	CHECK_OK(rc, &err);
	char *feed = read_in(out, "feed.xml");
	CHECK(feed && strstr(feed, "<lastBuildDate>Tue, 14 Nov 2023 22:13:20 +0000</lastBuildDate>"));
	free(feed);
}

static void default_theme_from_environment(void)
{
	const char *old = getenv("HEARTH_THEME_DIR");
	char *keep = old ? xstrdup(old) : NULL;
	setenv("HEARTH_THEME_DIR", "/some/theme", 1);
	char *d = site_default_theme();
	CHECK_STR(d, "/some/theme");
	free(d);
	if (keep)
		setenv("HEARTH_THEME_DIR", keep, 1);
	else
		unsetenv("HEARTH_THEME_DIR");
	free(keep);
}

static uint64_t inode_of(const char *dir, const char *rel)
{
	char *p = rel ? path_join(dir, rel) : xstrdup(dir);
	struct stat st;
	uint64_t ino = stat(p, &st) == 0 ? (uint64_t)st.st_ino : 0;
	free(p);
	return ino;
}

/* Both folders hold rel with the same bytes. */
static bool same_file(const char *a, const char *b, const char *rel)
{
	char *x = read_in(a, rel), *y = read_in(b, rel);
	bool same = x && y && !strcmp(x, y);
	free(x);
	free(y);
	return same;
}

static void incremental_build_makes_only_what_changed(void)
{
	char out[512], clean[512];
	struct hearth_err err;
	struct site_stats st;
	struct pub_story *site_v[] = {&letter, &night};
	struct pub_story *pod_v[] = {&night, &song};
	const char *pages[] = {"index.html", "404.html", "feed.xml", "style.css",
			       "stories/a-letter/index.html", "stories/night-shift/index.html",
			       "collections/first-nights/index.html"};

	mkdir_in("incr", out, sizeof out);
	mkdir_in("incr-clean", clean, sizeof clean);
	CHECK_OK(build(out, theme_dir(), site_v, 2, pod_v, 2, &st, &err), &err);
	site_stats_release(&st);

	/* nothing changed: no staging, no swap, not one file written */
	uint64_t dir = inode_of(out, NULL), home = inode_of(out, "index.html");
	CHECK_OK(build(out, theme_dir(), site_v, 2, pod_v, 2, &st, &err), &err);
	CHECK(st.stories == 2 && st.collections == 1 && st.feed_items == 2);
	site_stats_release(&st);
	CHECK(inode_of(out, NULL) == dir && inode_of(out, "index.html") == home);

	/* one story's title: its page and the lists that show it, nothing else */
	uint64_t night_page = inode_of(out, "stories/night-shift/index.html");
	uint64_t letter_page = inode_of(out, "stories/a-letter/index.html");
	uint64_t not_found = inode_of(out, "404.html");
	const char *title = letter.title;
	letter.title = "A letter, read again";
	CHECK_OK(build(out, theme_dir(), site_v, 2, pod_v, 2, &st, &err), &err);
	site_stats_release(&st);
	CHECK(inode_of(out, NULL) == dir); /* a small change is patched in place */
	CHECK(inode_of(out, "stories/a-letter/index.html") != letter_page);
	CHECK(inode_of(out, "index.html") != home);
	CHECK(inode_of(out, "stories/night-shift/index.html") == night_page);
	CHECK(inode_of(out, "404.html") == not_found);
	CHECK_OK(build(clean, theme_dir(), site_v, 2, pod_v, 2, &st, &err), &err);
	site_stats_release(&st);
	for (size_t i = 0; i < sizeof pages / sizeof *pages; i++)
		CHECK(same_file(out, clean, pages[i]));
	letter.title = title;

	/* a state that is not this folder's is not trusted */
	char *state = pipe_state_path(out);
	CHECK_OK(file_write_atomic(state, "hearth build state 1\ndir 1 2\n", 28, &err), &err);
	night_page = inode_of(out, "stories/night-shift/index.html");
	CHECK_OK(build(out, theme_dir(), site_v, 2, pod_v, 2, &st, &err), &err);
	site_stats_release(&st);
	CHECK(inode_of(out, "stories/night-shift/index.html") != night_page);
	/* a withdrawn story's page and media go at the next build */
	struct pub_story *only_letter[] = {&letter};
	CHECK_OK(build(out, theme_dir(), only_letter, 1, NULL, 0, &st, &err), &err);
	site_stats_release(&st);
	char *gone = path_join(out, "stories/night-shift"), *media = path_join(out, "media/night-shift");
	CHECK(!path_exists(gone) && !path_exists(media));
	free(gone);
	free(media);
	free(state);
}

/*
 * A patch list a killed patch left: every file it names is untrusted when
 * the state is loaded, a file the state lacks is added (so the next build
 * removes it), none twice, the rest as the state had them; a list that
 * cannot be read leaves nothing trusted; once it goes, all is as before.
 */
static void patch_list_distrusts_its_files(void)
{
	struct hearth_err err;
	struct pipe_state s = {0}, got;
	char out[512], key[65], rel[64];
	struct stat st;
	struct buf list = BUF_INIT;
	size_t listed = 0, added = 0;

	snprintf(out, sizeof out, "%s/patched", t_tmpdir());
	memset(key, 'a', 64);
	key[64] = '\0';
	for (int i = 0; i < 300; i++) {
		snprintf(rel, sizeof rel, "d/f%03d", i);
		char *path = path_join(out, rel);
		CHECK_OK(file_write_atomic(path, "x", 1, &err), &err);
		free(path);
		pipe_state_note(&s, rel, key, NULL);
	}
	CHECK(stat(out, &st) == 0);
	pipe_state_fill(&s, out);
	s.clean = true;
	memcpy(s.inputs, key, sizeof key);
	CHECK_OK(pipe_state_write(&s, (uint64_t)st.st_dev, (uint64_t)st.st_ino, out, &err), &err);
	pipe_state_release(&s);

	/*
	 * new files that sort before all the others (added to the end of the
	 * loaded files, out of their order, before the rest are looked up),
	 * then every third file, and a new one after each
	 */
	buf_puts(&list, "hearth patch list 1\n");
	for (int i = 0; i < 100; i++) {
		buf_printf(&list, "a/n%03d\n", i);
		added++;
	}
	for (int i = 0; i < 300; i += 3) {
		buf_printf(&list, "d/f%03d\nd/f%03dn\n", i, i);
		listed++;
		added++;
	}
	char *lp = pipe_patch_list_path(out);
	CHECK_OK(file_write_atomic(lp, list.data, list.len, &err), &err);
	pipe_state_load(out, &got);
	CHECK(got.n == 300 + added);
	CHECK(!got.clean && !got.has_quick);
	size_t untrusted = 0;
	for (size_t i = 0; i < got.n; i++) {
		bool zero = strspn(got.f[i].key, "0") == 64;
		untrusted += zero;
		const char *r = got.f[i].rel;
		bool new = r[0] == 'a' || r[strlen(r) - 1] == 'n';
		CHECK(zero == (new || atoi(r + 3) % 3 == 0));
		if (i)
			CHECK(strcmp(got.f[i - 1].rel, r) < 0);
		if (new)
			CHECK(pipe_state_find(&got, r) == &got.f[i]);
	}
	CHECK(untrusted == listed + added);
	pipe_state_release(&got);

	/* a list that cannot be understood: nothing of the state is trusted */
	CHECK_OK(file_write_atomic(lp, "hearth patch list 1\n../x\n", 25, &err), &err);
	pipe_state_load(out, &got);
	CHECK(got.n == 0);
	pipe_state_release(&got);

	/* the list gone: the state as written */
	pipe_state_trust(out);
	CHECK(!pipe_patch_list_left(out));
	pipe_state_load(out, &got);
	CHECK(got.n == 300 && got.clean);
	pipe_state_release(&got);
	buf_release(&list);
	free(lp);
}

/*
 * A state larger than the window it is written through, with more keys
 * than one block of the state's own holds: loaded back, every file is as
 * noted (key, identity, rendition), in order, and so again after the
 * quick record's rewrite.
 */
/* pipe_read_ahead's items: "item <k>", failing at fail_at (SIZE_MAX: never). */
struct ahead_test {
	size_t fail_at, taken, fetched;
	bool in_order, slow_take;
};

static int ahead_fetch(void *arg, size_t k, char **item, struct hearth_err *err)
{
	struct ahead_test *t = arg;
	__atomic_add_fetch(&t->fetched, 1, __ATOMIC_RELAXED);
	if (k == t->fail_at)
		return herr(err, HEARTH_EINVAL, "item %zu cannot be read", k);
	*item = xasprintf("item %zu", k);
	return 0;
}

static void ahead_take(void *arg, size_t k, char *item)
{
	struct ahead_test *t = arg;
	char want[32];
	snprintf(want, sizeof want, "item %zu", k);
	if (k != t->taken || !item || strcmp(item, want))
		t->in_order = false;
	t->taken++;
	if (t->slow_take && k % 100 == 0) /* the ring fills while this one waits */
		usleep(2000);
	free(item);
}

/*
 * pipe_read_ahead, as the search index reads bodies ahead: every item
 * taken once, in order, on one thread or two; a failure anywhere (the
 * first item, inside the ring, after a full ring) returns its error, with
 * exactly the items before it taken and none after it fetched.
 */
static void read_ahead_in_order(void)
{
	const size_t n = 1000, fails[] = {SIZE_MAX, 0, 1, 31, 32, 33, 500, 999};
	for (int beside = 0; beside < 2; beside++)
		for (size_t f = 0; f < sizeof fails / sizeof fails[0]; f++) {
			struct ahead_test t = {.fail_at = fails[f], .in_order = true,
					       .slow_take = f == 6};
			struct hearth_err err = {0};
			int rc = pipe_read_ahead(n, beside, ahead_fetch, &t, ahead_take, &t, &err);
			size_t want = fails[f] == SIZE_MAX ? n : fails[f];
			CHECK(t.in_order && t.taken == want);
			if (fails[f] == SIZE_MAX) {
				CHECK(rc == 0 && t.fetched == n);
			} else {
				CHECK(rc == HEARTH_EINVAL && strstr(err.msg, "cannot be read"));
				/* the reader stops at the item that failed */
				CHECK(t.fetched == want + 1);
			}
		}
}

/*
 * pipe_state_note_rest on a site of many folders, walked on two threads:
 * every file the state lacks is noted with the key, at every depth, each
 * once; every file it has gets its identity; a symbolic link is neither.
 */
static void rest_is_found_on_two_threads(void)
{
	enum { N = 3000 };
	struct hearth_err err;
	struct pipe_state s = {0};
	char out[512], rel[96], key[65];
	struct stat st;

	memset(key, 'a', 64);
	key[64] = '\0';
	snprintf(out, sizeof out, "%s/rest", t_tmpdir());
	for (int i = 0; i < N; i++) {
		/* a story's folder two levels down, a deeper one in every tenth */
		snprintf(rel, sizeof rel, i % 10 ? "stories/s-%04d/index.html" : "media/s-%04d/a/t.vtt", i);
		char *path = path_join(out, rel);
		CHECK_OK(file_write_atomic(path, rel, (size_t)(i % 13), &err), &err);
		free(path);
		if (i % 3) /* two in three noted by the build; the rest are not */
			pipe_state_note(&s, rel, "0000000000000000000000000000000000000000000000000000000000000000", NULL);
	}
	char *top = path_join(out, "robots.txt");
	CHECK_OK(file_write_atomic(top, "x", 1, &err), &err);
	char *link = path_join(out, "stories/s-0001/link");
	CHECK(symlink("index.html", link) == 0);
	pipe_state_note_rest(&s, out, key);
	CHECK(s.n == N + 1);
	pipe_state_sort(&s);
	size_t noted = 0;
	for (int i = 0; i < N; i++) {
		snprintf(rel, sizeof rel, i % 10 ? "stories/s-%04d/index.html" : "media/s-%04d/a/t.vtt", i);
		const struct pipe_file *f = pipe_state_find(&s, rel);
		CHECK(f != NULL);
		if (!f)
			continue;
		char *path = path_join(out, rel);
		CHECK(stat(path, &st) == 0);
		free(path);
		if (i % 3) { /* noted before: its identity taken on the way */
			CHECK(f->filled && f->ino == (uint64_t)st.st_ino && f->size == i % 13);
		} else {
			noted++;
			CHECK(!strcmp(f->key, key) && !f->filled);
		}
	}
	CHECK(noted == (N + 2) / 3);
	CHECK(pipe_state_find(&s, "robots.txt") && !pipe_state_find(&s, "stories/s-0001/link"));
	pipe_state_release(&s);
	free(top);
	free(link);
}

static void state_round_trips_through_windows(void)
{
	enum { N = 2100 };
	struct hearth_err err;
	struct pipe_state s = {0}, got, again;
	char out[512], key[65], rel[64];
	struct stat st;

	snprintf(out, sizeof out, "%s/large", t_tmpdir());
	for (int i = 0; i < N; i++) {
		snprintf(rel, sizeof rel, "stories/story-%04d-with-a-long-slug/index.html", i);
		char *path = path_join(out, rel);
		CHECK_OK(file_write_atomic(path, rel, strlen(rel) % 7, &err), &err);
		free(path);
		for (int k = 0; k < 64; k++)
			key[k] = "0123456789abcdef"[(i * 7 + k * 13) % 16];
		key[64] = '\0';
		pipe_state_note(&s, rel, key, i % 5 == 0 ? "cache/ab/rendition.mp3" : NULL);
	}
	CHECK(stat(out, &st) == 0);
	pipe_state_fill(&s, out);
	s.clean = true;
	memcpy(s.inputs, key, sizeof key);
	CHECK_OK(pipe_state_write(&s, (uint64_t)st.st_dev, (uint64_t)st.st_ino, out, &err), &err);
	char *sp = pipe_state_path(out);
	CHECK(file_size(sp) > (int64_t)(2 * (128 << 10)));
	free(sp);

	pipe_state_load(out, &got);
	CHECK(got.n == N && got.clean && !strcmp(got.inputs, key));
	for (size_t i = 0; i < got.n && got.n == N; i++) {
		const struct pipe_file *a = &s.f[i], *b = &got.f[i];
		CHECK(!strcmp(a->rel, b->rel) && !strcmp(a->key, b->key) && strlen(b->key) == 64);
		CHECK(a->ino == b->ino && a->size == b->size && a->mtime_sec == b->mtime_sec &&
		      a->mtime_nsec == b->mtime_nsec);
		CHECK((a->src == NULL) == (b->src == NULL));
		CHECK(pipe_state_match(&got, a->rel, a->key) == b);
	}

	/*
	 * a next state of kept files, out of order, and new ones among them:
	 * sorted by the loaded text's order where it can, it is in rel's order
	 */
	struct pipe_state next = {0};
	for (size_t i = got.n; i-- > 0;) {
		if (i % 3)
			pipe_state_note_kept(&next, &got.f[i], NULL);
		snprintf(rel, sizeof rel, i % 2 ? "stories/story-%04zu-new/index.html" : "z/%zu", i);
		if (i % 7 == 0)
			pipe_state_note(&next, rel, key, NULL);
	}
	pipe_state_order_from(&next, &got);
	pipe_state_sort(&next);
	for (size_t i = 1; i < next.n; i++)
		CHECK(strcmp(next.f[i - 1].rel, next.f[i].rel) < 0);
	pipe_state_release(&next);

	/* the quick record's rewrite keeps every file as loaded */
	CHECK_OK(pipe_state_requick(&got, out, &err), &err);
	pipe_state_load(out, &again);
	CHECK(again.n == N);
	for (size_t i = 0; i < again.n && again.n == N; i++)
		CHECK(!strcmp(again.f[i].rel, got.f[i].rel) &&
		      !strcmp(again.f[i].key, got.f[i].key) && again.f[i].ino == got.f[i].ino);
	pipe_state_release(&again);
	pipe_state_release(&got);
	pipe_state_release(&s);
}

/* ---- the records and the groups in memory -------------------------------- */

/* A small seeded generator, so a failure can be run again. */
static uint64_t rnd_state;

static size_t rnd(size_t n)
{
	rnd_state = rnd_state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (size_t)(rnd_state >> 33) % n;
}

/* n stories with unique slugs that share long prefixes, and dates that tie. */
static struct pub_story *rnd_stories(size_t n)
{
	static const char *const stem[] = {"a", "b", "story-", "same-prefix-of-many-",
					   "\xc3\xa9t\xc3\xa9-", "z"};
	static const int64_t when[] = {INT64_MIN / 2, -86400, 0, 1, 1700000000, INT64_MAX / 2};
	struct pub_story *v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		v[i].slug = xasprintf("%s%zu", stem[rnd(6)], i);
		v[i].published_at = when[rnd(6)] + (int64_t)rnd(3);
	}
	return v;
}

static void rnd_stories_free(struct pub_story *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)v[i].slug);
		strv_free(v[i].themes);
		strv_free(v[i].tags);
		free((char *)v[i].byline);
	}
	free(v);
}

static int ref_entry_cmp(const void *pa, const void *pb)
{
	const struct site_entry *a = pa, *b = pb;
	if (a->s->published_at != b->s->published_at)
		return a->s->published_at > b->s->published_at ? -1 : 1;
	return strcmp(a->s->slug, b->s->slug);
}

/* site_ctx_entries against the plain way: a union by search, then one sort. */
static void entries_check(size_t n)
{
	struct pub_story *v = rnd_stories(n);
	struct pub_story **site = xcalloc(n + 1, sizeof *site), **pod = xcalloc(n + 1, sizeof *pod);
	struct site_entry *want = xcalloc(n + 1, sizeof *want);
	size_t n_site = 0, n_pod = 0, n_want = 0;
	struct site_ctx c = {0};

	for (size_t i = 0; i < n; i++) {
		size_t where = rnd(3); /* 0: site, 1: podcast, 2: both */
		if (where != 1)
			site[n_site++] = &v[i];
		if (where != 0)
			pod[n_pod++] = &v[i];
		want[n_want++] = (struct site_entry){.s = &v[i], .on_site = where != 1,
						     .on_podcast = where != 0};
	}
	/* the podcast's order differs from the site's */
	for (size_t i = n_pod; i > 1; i--) {
		size_t j = rnd(i);
		struct pub_story *t = pod[i - 1];
		pod[i - 1] = pod[j];
		pod[j] = t;
	}
	qsort(want, n_want, sizeof *want, ref_entry_cmp);
	site_ctx_entries(&c, site, n_site, pod, n_pod);
	bool same = c.n == n_want;
	for (size_t i = 0; same && i < n_want; i++)
		same = c.e[i].s == want[i].s && c.e[i].on_site == want[i].on_site &&
		       c.e[i].on_podcast == want[i].on_podcast;
	site_ctx_release(&c);
	free(want);
	free(site);
	free(pod);
	rnd_stories_free(v, n);
	CHECK(same);
}

/* The union of the views in order, small and past the size of a large block. */
static void entries_union_in_order(void)
{
	rnd_state = 9;
	entries_check(0);
	if (t_failed_)
		return;
	entries_check(1);
	if (t_failed_)
		return;
	entries_check(700);
	if (t_failed_)
		return;
	entries_check(12000);
}

/* One member of a group the plain way: every name, its slug, its story. */
struct ref_member {
	char *slug;
	const char *name;
	size_t pos, seq;
};

static int ref_member_cmp(const void *pa, const void *pb)
{
	const struct ref_member *a = pa, *b = pb;
	int d = strcmp(a->slug, b->slug);
	if (d)
		return d;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Checks c's groups of kind k against a sort of every member by slug, then story. */
static bool groups_as_sorted(const struct site_ctx *c, enum site_group_kind k)
{
	struct ref_member *m = NULL;
	size_t n = 0, cap = 0, gi = 0;
	bool ok = true;

	for (size_t i = 0; i < c->on_site.n; i++) {
		const struct pub_story *s = c->on_site.v[i]->s;
		char *one[2] = {NULL, NULL};
		char **names = k == SITE_THEMES ? s->themes : k == SITE_TAGS ? s->tags : one;
		if (k == SITE_PEOPLE && !s->anonymous && s->byline && *s->byline)
			one[0] = (char *)s->byline;
		for (size_t t = 0; names && names[t]; t++) {
			if (!*names[t])
				continue;
			if (n == cap)
				m = xrealloc(m, (cap = 2 * cap + 16) * sizeof *m);
			m[n] = (struct ref_member){site_group_slug(names[t]), names[t], i, n};
			n++;
		}
	}
	if (n)
		qsort(m, n, sizeof *m, ref_member_cmp);
	for (size_t i = 0; ok && i < n; gi++) {
		const struct site_group *g = gi < c->groups.n[k] ? &c->groups.v[k][gi] : NULL;
		size_t j = i, len = 0;
		ok = g && !strcmp(g->slug, m[i].slug) && !strcmp(g->name, m[i].name);
		for (; j < n && !strcmp(m[j].slug, m[i].slug); j++) {
			const struct site_entry *e = c->on_site.v[m[j].pos];
			if (len && ok && g->l.v[len - 1] == e)
				continue;
			ok = ok && len < g->l.n && g->l.v[len] == e;
			len++;
		}
		ok = ok && len == g->l.n;
		i = j;
	}
	ok = ok && gi == c->groups.n[k];
	for (size_t i = 0; i < n; i++)
		free(m[i].slug);
	free(m);
	return ok;
}

/*
 * The groups against the plain way of making them: spellings whose slugs
 * are the same are one group named as the newest story spells it, a story
 * naming a term twice is listed once, no anonymous byline makes a
 * contributor, and the groups come in slug order.
 */
static void groups_check(size_t n)
{
	static const char *const word[] = {
		"Hope", "hope", "HOPE!", "Work", "work", "", "\xc3\x9c" "ber", "uber",
		"Same prefix of many 1", "same-prefix-of-many-1", "Same prefix of many 12",
		"a", "A", "b's", "bs", "!!!"};
	struct pub_story *v = rnd_stories(n);
	struct pub_story **site = xcalloc(n + 1, sizeof *site);
	struct site_ctx c = {0};

	for (size_t i = 0; i < n; i++) {
		size_t nt = rnd(4), ng = rnd(4);
		v[i].themes = nt ? xcalloc(nt + 1, sizeof(char *)) : NULL;
		for (size_t t = 0; t < nt; t++)
			v[i].themes[t] = xstrdup(word[rnd(16)]);
		v[i].tags = xcalloc(ng + 1, sizeof(char *));
		for (size_t t = 0; t < ng; t++)
			v[i].tags[t] = xstrdup(word[rnd(16)]);
		size_t who = rnd(5);
		v[i].byline = who == 0 ? NULL : who == 1 ? xstrdup(word[rnd(16)])
						: xasprintf("Peer %zu", rnd(n));
		v[i].anonymous = rnd(8) == 0;
		site[i] = &v[i];
	}
	site_ctx_entries(&c, site, n, NULL, 0);
	site_ctx_lists(&c);
	site_ctx_groups(&c);
	bool ok = groups_as_sorted(&c, SITE_THEMES) && groups_as_sorted(&c, SITE_TAGS) &&
		  groups_as_sorted(&c, SITE_PEOPLE);
	/* made again from the same lists: the same groups, the old ones freed */
	site_ctx_groups(&c);
	ok = ok && groups_as_sorted(&c, SITE_PEOPLE);
	site_groups_release(&c.groups);
	site_ctx_release(&c);
	free(site);
	rnd_stories_free(v, n);
	CHECK(ok);
}

static void groups_are_made_as_sorted(void)
{
	rnd_state = 17;
	groups_check(0);
	if (t_failed_)
		return;
	groups_check(400);
	if (t_failed_)
		return;
	groups_check(12000); /* a contributor each: the groups' block is a large one */
}

/* The paging helper: every index on exactly one page, the paths and the way home. */
static void lists_come_in_pages(void)
{
	CHECK(site_list_pages(0) == 1);
	CHECK(site_list_pages(SITE_PER_PAGE) == 1);
	CHECK(site_list_pages(SITE_PER_PAGE + 1) == 2);
	size_t sizes[] = {0, 1, SITE_PER_PAGE - 1, SITE_PER_PAGE, SITE_PER_PAGE + 1,
			  3 * SITE_PER_PAGE + 7};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t n = sizes[k], next = 0, from, to;
		for (size_t pg = 1; pg <= site_list_pages(n); pg++) {
			site_list_range(n, pg, &from, &to);
			CHECK(from == next && to >= from && to - from <= SITE_PER_PAGE);
			CHECK(pg == site_list_pages(n) || to - from == SITE_PER_PAGE);
			next = to;
		}
		CHECK(next == n);
		site_list_range(n, site_list_pages(n) + 1, &from, &to);
		CHECK(from == n && to == n);
	}
	char *a = site_list_rel("stories", 1), *b = site_list_rel("collections/x", 3);
	char *ra = site_root_of(a), *rb = site_root_of(b), *rh = site_root_of("index.html");
	CHECK(!strcmp(a, "stories/index.html"));
	CHECK(!strcmp(b, "collections/x/page/3/index.html"));
	CHECK(!strcmp(ra, "../") && !strcmp(rb, "../../../../") && !strcmp(rh, ""));
	free(a);
	free(b);
	free(ra);
	free(rb);
	free(rh);
}

/*
 * The cues' starts go with the transcript's lines only when they pair up
 * one to one; otherwise the lines have no times at all.
 */
static void cue_times_pair_with_lines(void)
{
	struct site_media m = {0};
	m.transcript = xstrdup("Hello & welcome.\nThe <second> line.\n");
	site_media_cues(&m, "WEBVTT\n\n00:00.000 --> 00:02.000\nHello &amp; welcome.\n\n"
			    "01:01:05.250 --> 01:01:07.000 line:90%\nThe &lt;second&gt; line.\n");
	CHECK(m.n_cues == 2 && m.cue_ms[0] == 0 && m.cue_ms[1] == 3665250);
	/* a cue that left no plain text: more cues than lines */
	site_media_cues(&m, "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n\n"
			    "00:01.000 --> 00:02.000\n<i></i>\n\n00:02.000 --> 00:03.000\nBye\n");
	CHECK(m.n_cues == 0 && m.cue_ms == NULL);
	site_media_cues(&m, "WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n");
	CHECK(m.n_cues == 0 && m.cue_ms == NULL);
	site_media_cues(&m, "WEBVTT\n\nnot a time --> 00:01.000\nHello\n\n"
			    "00:02.000 --> 00:03.000\nBye\n");
	CHECK(m.n_cues == 0);
	site_media_cues(&m, NULL);
	CHECK(m.n_cues == 0);
	site_media_release(&m);
	CHECK(m.transcript == NULL && m.cue_ms == NULL);
}

int main(void)
{
	RUN(lists_come_in_pages);
	RUN(rest_is_found_on_two_threads);
	RUN(read_ahead_in_order);
	RUN(entries_union_in_order);
	RUN(groups_are_made_as_sorted);
	RUN(view_holds_only_public_fields);
	RUN(markdown_is_safe);
	RUN(theme_makes_accessible_html);
	RUN(cue_times_pair_with_lines);
	RUN(whole_build);
	RUN(incremental_build_makes_only_what_changed);
	RUN(patch_list_distrusts_its_files);
	RUN(state_round_trips_through_windows);
	RUN(failed_build_keeps_the_old_site);
	RUN(art_follows_the_source);
	RUN(refuses_a_folder_it_did_not_make);
	RUN(media_error_names_the_story);
	RUN(custom_theme_overrides_one_template);
	RUN(theme_may_not_write_files);
	RUN(source_date_epoch_sets_the_build_date);
	RUN(default_theme_from_environment);
	xsltCleanupGlobals();
	xmlCleanupParser();
	return 0;
}
