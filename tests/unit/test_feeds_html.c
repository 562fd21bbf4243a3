/*
 * test_feeds_html.c - the story text the feeds carry (pipeline/feeds.c):
 * every feed is written by pipe_feeds_write from stories whose Markdown
 * holds what the HTML serialisation must get right (characters past
 * ASCII in text and in attributes, quotes, ampersands, "]]>", line
 * endings, control characters, raw HTML, images, nesting past site-gen's
 * limit), and the HTML read back from content:encoded (CDATA) and from
 * Atom's content (escaped) must be byte for byte what libxml2's
 * xmlNodeDump writes for the same nodes. The documents are made on
 * several threads; writing them twice gives the same bytes.
 */
#include "../../pipeline/pipelineInt.h"
#include "t.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

static const char *const bodies[] = {
	"Plain words, then *emphasis* and **strong** and `code`.\n",
	"Caf\xc3\xa9 cr\xc3\xa8me \xe2\x80\x94 \xf0\x9f\x98\x80 and \xe2\x80\x9cquotes\xe2\x80\x9d "
	"& <angles> \"double\" 'single' ]]> and ]]]]>>\n",
	"[a link](https://example.org/a?b=1&c=\"2\" \"T\xc3\xaftle & <more> \\\"q\\\"\") and "
	"[bad](javascript:alert(1)) and [empty]() and <https://example.org/auto>\n",
	"![alt \xc3\xa9 & <x>](https://example.org/i.png) and ![](local.png)\n\n![only]()\n",
	"```c++ \xc3\xa9xtra\nint a = 1 < 2 && 3 > 2;\n]]>\n```\n\n    indented <code>\n",
	"line one\r\nline two\rline three  \nhard break\\\nend\x01 with a control\n",
	"<div onclick=\"x\">raw block</div>\n\ninline <b>raw</b> html <!-- c -->\n",
	"# H1\n## H2\n###### H6\n\n---\n\n1. one\n2. two\n\n5. five\n\n- a\n\n- b\n\n"
	"> quoted\n> > deeper\n",
	"\xc3\xa9tat &amp; &lt; &#1; &#xD; &#9731; &copy; \t tab\n",
	"",
};
#define N_BODIES (sizeof bodies / sizeof bodies[0])

static char w1[] = "self-harm & <grief>", w2[] = "d\xc3\xa9tresse";
static char *warnings[] = {w1, w2, NULL};

/* What the feeds must carry for story s: the same nodes, dumped by libxml2. */
static char *expected_html(const struct pub_story *s, const char *link, bool transcript)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr div = xmlNewDocNode(doc, NULL, BAD_CAST "div", NULL);
	xmlBufferPtr xb = xmlBufferCreate();
	xmlDocSetRootElement(doc, div);
	if (s->warnings && s->warnings[0]) {
		char *w = strv_join(s->warnings, ", ");
		char *t = xasprintf("Content warning: %s.", w);
		xmlNewTextChild(div, NULL, BAD_CAST "p", BAD_CAST t);
		free(t);
		free(w);
	}
	site_markdown_nodes(div, s->body);
	xmlNodePtr p = xmlNewChild(div, NULL, BAD_CAST "p", NULL);
	xmlNodePtr a = xmlNewTextChild(p, NULL, BAD_CAST "a",
				       BAD_CAST(transcript ? "Read the story and its transcript"
							   : "Read the story on the site"));
	xmlSetProp(a, BAD_CAST "href", BAD_CAST link);
	for (xmlNodePtr n = div->children; n; n = n->next)
		xmlNodeDump(xb, doc, n, 0, 0);
	char *html = xstrdup((const char *)xmlBufferContent(xb));
	xmlBufferFree(xb);
	xmlFreeDoc(doc);
	return html;
}

/* The text of every node expr selects in the file at path, in order. */
static char **texts(const char *path, const char *expr)
{
	char **v = NULL;
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	if (!doc)
		return NULL;
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, BAD_CAST "a", BAD_CAST "http://www.w3.org/2005/Atom");
	xmlXPathRegisterNs(x, BAD_CAST "content",
			   BAD_CAST "http://purl.org/rss/1.0/modules/content/");
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, x);
	for (int i = 0; o && o->nodesetval && i < o->nodesetval->nodeNr; i++) {
		xmlChar *t = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
		v = strv_push(v, (const char *)t);
		xmlFree(t);
	}
	if (!v)
		v = xcalloc(1, sizeof *v);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	return v;
}

static bool keep_none(void *arg, const char *rel, const char key[65])
{
	(void)arg, (void)rel, (void)key;
	return false;
}

/* The library of N_BODIES * copies stories, each body `copies` times. */
struct lib {
	struct lib_settings set;
	struct site_ctx c;
	struct pub_story *s;
	struct pub_story **view;
	struct pub_asset *sound;
	char **strs;
	size_t n;
};

static void lib_make(struct lib *l, size_t copies)
{
	static char title[] = "Hearth", base[] = "https://stories.example.org", lang[] = "en",
		    author[] = "The editors", cat[] = "Health & Fitness",
		    sub[] = "Mental Health", lic[] = "CC-BY-4.0", email[] = "e@example.org",
		    guid[] = "0a6c1c1e-5a2f-5c43-9d34-6d1f7b4a2e11";

	memset(l, 0, sizeof *l);
	l->n = N_BODIES * copies;
	l->set = (struct lib_settings){.title = title, .base_url = base, .language = lang,
				       .author = author, .category = cat, .subcategory = sub,
				       .license = lic, .owner_name = author,
				       .owner_email = email, .podcast_guid = guid,
				       .media_origin = base, .archive_after = 4};
	l->s = xcalloc(l->n, sizeof *l->s);
	l->view = xcalloc(l->n, sizeof *l->view);
	l->sound = xcalloc(l->n, sizeof *l->sound);
	for (size_t i = 0; i < l->n; i++) {
		struct pub_story *s = &l->s[i];
		char g[37];
		s->slug = xasprintf("story-%03zu", i);
		l->strs = strv_push(l->strs, s->slug);
		free((char *)s->slug);
		s->slug = l->strs[strv_len(l->strs) - 1];
		uuid5("ead4c236-bf58-58c6-a2c6-a6b28d128cb6", s->slug, g);
		l->strs = strv_push(l->strs, g);
		s->guid = l->strs[strv_len(l->strs) - 1];
		s->title = s->slug;
		s->summary = "A summary & <more>";
		s->body = bodies[i % N_BODIES];
		s->byline = "Casey";
		s->language = "en";
		s->warnings = i % 3 ? NULL : warnings;
		s->published_at = 1700000000 - (int64_t)i * 3600;
		s->on_site = s->on_podcast = true;
		l->sound[i] = (struct pub_asset){.role = ROLE_AUDIO, .size = 1000, .duration = 60};
		s->assets = &l->sound[i];
		s->n_assets = 1;
		s->sound = &l->sound[i];
		l->view[i] = s;
	}
	site_ctx_entries(&l->c, l->view, l->n, l->view, l->n);
	for (size_t i = 0; i < l->c.n; i++) {
		struct site_media *m = &l->c.e[i].m;
		m->n_audio = 1;
		m->audio[0] = (struct site_audio){
			.src = xasprintf("media/%s.mp3", l->c.e[i].s->slug),
			.role = ROLE_AUDIO, .size = 3600, .duration = 60};
		if (i % 2)
			m->transcript = xstrdup("WEBVTT");
	}
	l->c.set = &l->set;
	l->c.base_url = base;
	l->c.cover_src = "cover.jpg";
	site_ctx_lists(&l->c);
}

static void lib_free(struct lib *l)
{
	site_ctx_release(&l->c);
	free(l->s);
	free(l->view);
	free(l->sound);
	strv_free(l->strs);
}

/*
 * Reads back every story's HTML from the document rel (expr selects it)
 * and compares it with libxml2's; *seen counts the stories read so far
 * (the documents are read newest first, as l->c.e is), *wrong the
 * differences, each printed.
 */
static void check_doc(const struct lib *l, const char *dir, const char *rel, const char *expr,
		      size_t *seen, size_t *wrong)
{
	char *path = path_join(dir, rel);
	char **got = path_exists(path) ? texts(path, expr) : NULL;
	free(path);
	for (size_t k = 0; got && got[k] && *seen < l->n; k++, (*seen)++) {
		const struct site_entry *e = &l->c.e[*seen];
		char *link = xasprintf("%s/stories/%s/", l->c.base_url, e->s->slug);
		char *want = expected_html(e->s, link, e->m.transcript != NULL);
		if (strcmp(got[k], want)) {
			printf("  %s item %zu:\n    got      \"%s\"\n    expected \"%s\"\n", rel,
			       k, got[k], want);
			(*wrong)++;
		}
		free(want);
		free(link);
	}
	strv_free(got);
}

/* content:encoded and Atom's content hold libxml2's bytes, archives too. */
static void html_is_libxml2s(void)
{
	struct lib l;
	struct hearth_err err;
	const char *dir = tp("html");
	struct pipe_feed_out o = {dir, keep_none, NULL};
	const char *const kinds[][3] = {{"feed.xml", "feed", "//item/content:encoded"},
					{"atom.xml", "atom", "//a:entry/a:content"}};
	size_t seen[2] = {0, 0}, wrong = 0;
	int rc;

	lib_make(&l, 2);
	rc = pipe_feeds_write(NULL, &l.c, &o, NULL, &err);
	for (size_t k = 0; !rc && k < 2; k++) {
		check_doc(&l, dir, kinds[k][0], kinds[k][2], &seen[k], &wrong);
		/* 4 items an archive: the highest number holds the newest of them */
		for (size_t a = l.n / 4; a >= 1; a--) {
			char *rel = xasprintf("archive/%s-%zu.xml", kinds[k][1], a);
			check_doc(&l, dir, rel, kinds[k][2], &seen[k], &wrong);
			free(rel);
		}
	}
	lib_free(&l);
	CHECK_OK(rc, &err);
	CHECK(seen[0] == N_BODIES * 2 && seen[1] == N_BODIES * 2);
	CHECK(wrong == 0);
}

/* The same records give the same bytes, whichever thread made what. */
static void same_bytes_twice(void)
{
	struct lib l;
	struct hearth_err err;
	struct pipe_feed_out a = {tp("twice-a"), keep_none, NULL},
			     b = {tp("twice-b"), keep_none, NULL};

	lib_make(&l, 5);
	CHECK_OK(pipe_feeds_write(NULL, &l.c, &a, NULL, &err), &err);
	CHECK_OK(pipe_feeds_write(NULL, &l.c, &b, NULL, &err), &err);
	lib_free(&l);
	char *cmd = xasprintf("diff -r '%s' '%s' >/dev/null", a.staging, b.staging);
	int same = system(cmd);
	free(cmd);
	CHECK(same == 0);
}


/* The keys a run gave its documents, and which one it makes (all when make is NULL). */
struct keys {
	char **rel, **key;
	const char *make;
};

static bool keep_note(void *arg, const char *rel, const char key[65])
{
	struct keys *k = arg;
	k->rel = strv_push(k->rel, rel);
	k->key = strv_push(k->key, key);
	return k->make && strcmp(rel, k->make) != 0;
}

static void keys_free(struct keys *k)
{
	strv_free(k->rel);
	strv_free(k->key);
	memset(k, 0, sizeof *k);
}

/* The key of rel in k, or NULL. */
static const char *key_of(const struct keys *k, const char *rel)
{
	for (size_t i = 0; k->rel && k->rel[i]; i++)
		if (!strcmp(k->rel[i], rel))
			return k->key[i];
	return NULL;
}

/* Every even entry becomes a text story: no sound, no media. */
static void lib_half_text(struct lib *l)
{
	for (size_t i = 0; i < l->c.n; i += 2) {
		struct site_entry *e = &l->c.e[i];
		struct pub_story *s = (struct pub_story *)e->s;
		free(e->m.audio[0].src);
		free(e->m.transcript);
		memset(&e->m, 0, sizeof e->m);
		s->sound = NULL;
		s->assets = NULL;
		s->n_assets = 0;
	}
	key_entries(l->c.e, l->c.n);
}

/* The documents of run b whose keys differ from run a's, as one string. */
static char *changed(const struct keys *a, const struct keys *b)
{
	struct buf out = BUF_INIT;
	for (size_t i = 0; b->rel && b->rel[i]; i++) {
		const char *was = key_of(a, b->rel[i]);
		if (!was || strcmp(was, b->key[i]))
			buf_printf(&out, "%s%s", out.len ? " " : "", b->rel[i]);
	}
	return buf_detach(&out);
}

/*
 * A document's key follows what its items show: a text story (keyed by
 * its record's digest and its consent) and a story with media (keyed by
 * a digest of its own) change the keys of exactly the documents that
 * hold them, and nothing else does.
 */
static void keys_follow_entries(void)
{
	struct lib l;
	struct hearth_err err;
	struct keys a = {0}, b = {0};
	struct pipe_feed_out oa = {tp("keys-a"), keep_note, &a}, ob = {tp("keys-b"), keep_note, &b};
	char *d;

	lib_make(&l, 2); /* 20 stories, 4 items an archive: atom.xml holds the newest 4 to 7 */
	lib_half_text(&l);
	CHECK_OK(pipe_feeds_write(NULL, &l.c, &oa, NULL, &err), &err);
	CHECK_OK(pipe_feeds_write(NULL, &l.c, &ob, NULL, &err), &err);
	d = changed(&a, &b);
	CHECK_STR(d, ""); /* the same records, the same keys */
	free(d);
	CHECK(key_of(&a, "atom.xml") && key_of(&a, "archive/atom-1.xml") && key_of(&a, "feed.xml"));

	/* the oldest story, a text one (c.e is newest first): its record changed */
	size_t old = l.c.n - 2;
	CHECK(l.c.e[old].m.n_audio == 0);
	l.c.e[old].key[5] ^= 1;
	keys_free(&b);
	CHECK_OK(pipe_feeds_write(NULL, &l.c, &ob, NULL, &err), &err);
	d = changed(&a, &b);
	CHECK_STR(d, "archive/atom-1.xml");
	free(d);
	l.c.e[old].key[5] ^= 1;

	/* its podcast consent: it is not an episode, but its entry says so */
	l.c.e[old].on_podcast = !l.c.e[old].on_podcast;
	keys_free(&b);
	CHECK_OK(pipe_feeds_write(NULL, &l.c, &ob, NULL, &err), &err);
	d = changed(&a, &b);
	CHECK_STR(d, "archive/atom-1.xml");
	free(d);
	l.c.e[old].on_podcast = !l.c.e[old].on_podcast;

	/* chapters alone are media: the entry is keyed by its own digest */
	static char chapters[] = "media/x.chapters.json";
	l.c.e[old].m.chapters_src = chapters;
	keys_free(&b);
	CHECK_OK(pipe_feeds_write(NULL, &l.c, &ob, NULL, &err), &err);
	d = changed(&a, &b);
	CHECK_STR(d, "archive/atom-1.xml");
	free(d);
	l.c.e[old].m.chapters_src = NULL;

	/* the newest episode's rendition: in feed.xml and atom.xml */
	CHECK(l.c.e[1].m.n_audio == 1);
	l.c.e[1].m.audio[0].size++;
	keys_free(&b);
	CHECK_OK(pipe_feeds_write(NULL, &l.c, &ob, NULL, &err), &err);
	d = changed(&a, &b);
	CHECK_STR(d, "feed.xml atom.xml");
	free(d);
	l.c.e[1].m.audio[0].size--;

	/* one document made alone has the bytes it has when every one is made */
	static const char *const one[] = {"archive/atom-1.xml", "archive/feed-1.xml", "atom.xml"};
	for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
		struct keys c = {.make = one[i]};
		struct pipe_feed_out oc = {tp("keys-c"), keep_note, &c};
		char *cmd = xasprintf("rm -rf '%s' && mkdir -p '%s'", oc.staging, oc.staging);
		CHECK(system(cmd) == 0);
		free(cmd);
		CHECK_OK(pipe_feeds_write(NULL, &l.c, &oc, NULL, &err), &err);
		cmd = xasprintf("cmp -s '%s/%s' '%s/%s' && test \"$(find '%s' -type f | wc -l)\" = 1",
				oa.staging, one[i], oc.staging, one[i], oc.staging);
		CHECK(system(cmd) == 0);
		free(cmd);
		keys_free(&c);
	}
	keys_free(&a);
	keys_free(&b);
	lib_free(&l);
}

int main(void)
{
	xmlInitParser();
	RUN(html_is_libxml2s);
	RUN(same_bytes_twice);
	RUN(keys_follow_entries);
	xmlCleanupParser();
	return 0;
}
