/*
 * test_site_theme.c - applying a theme (site-gen/theme.c): the HTML goes
 * straight into the caller's buffer after what it holds, HTML5's void
 * elements have no end tag, the HTML is written as HTML5 (escaping, raw
 * text, URLs, boolean attributes, one document type, a tree of any
 * depth; site-gen/html5.c), a failed page leaves
 * the buffer as it was, another output method keeps its encoding, one
 * loaded theme serves several threads at once, each with its own messages,
 * and a theme says its words in the library's language.
 */
#include "../../core/core.h"
#include "../../site-gen/siteInt.h"
#include "t.h"

#include <pthread.h>

#include <libxml/parser.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltutils.h>

/* Writes dir/page.xsl with the given templates; returns dir (borrowed ring). */
static const char *theme(const char *name, const char *output, const char *templates)
{
	const char *dir = tp(name);
	struct hearth_err err;
	struct buf b = BUF_INIT;
	mkdir_p(dir, &err);
	buf_printf(&b,
		   "<?xml version=\"1.0\"?>\n"
		   "<xsl:stylesheet version=\"1.0\" "
		   "xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">\n"
		   "%s\n<xsl:param name=\"root\"/>\n%s\n</xsl:stylesheet>\n",
		   output, templates);
	char *xsl = path_join(dir, "page.xsl");
	file_write_atomic(xsl, b.data, b.len, &err);
	free(xsl);
	buf_release(&b);
	return dir;
}

/*
 * <page type="story" id="id"><story><title/><body>Markdown as
 * nodes</body></story></page>: enough of a story page for the default
 * theme.
 */
static xmlDocPtr page(const char *id, const char *markdown)
{
	xmlDocPtr d = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr p = xmlNewDocNode(d, NULL, BAD_CAST "page", NULL);
	xmlDocSetRootElement(d, p);
	xmlSetProp(p, BAD_CAST "type", BAD_CAST "story");
	xmlSetProp(p, BAD_CAST "id", BAD_CAST id);
	xmlNodePtr s = xmlNewTextChild(p, NULL, BAD_CAST "story", NULL);
	xmlNewTextChild(s, NULL, BAD_CAST "title", BAD_CAST id);
	site_markdown_nodes(xmlNewTextChild(s, NULL, BAD_CAST "body", NULL), markdown);
	return d;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0, k = strlen(needle);
	/* not strstr: under ASan each call measures the rest of a large page */
	for (const char *p = hay; *p; p++)
		if (*p == *needle && !strncmp(p, needle, k))
			n++;
	return n;
}

static const char html_out[] = "<xsl:output method=\"html\" encoding=\"UTF-8\" indent=\"no\"/>";

static void appends_and_drops_void_end_tags(void)
{
	const char *dir = theme("void", html_out,
				"<xsl:template match=\"/\"><html><body>"
				"<xsl:for-each select=\"/page/story/body/p\">"
				"<video><source src=\"{$root}a.webm\"/><track src=\"t.vtt\"/></video>"
				"<p>x<wbr/>y &lt;/source&gt; <xsl:copy-of select=\"node()\"/></p>"
				"</xsl:for-each></body></html></xsl:template>");
	struct hearth_err err;
	site_theme *t = NULL;
	struct buf out = BUF_INIT, md = BUF_INIT;

	CHECK_OK(site_theme_load(dir, &t, &err), &err);
	for (int i = 0; i < 400; i++) /* well past the output buffer's chunks */
		buf_printf(&md, "paragraph %d with `</track>` in code\n\n", i);
	xmlDocPtr d = page("p", buf_cstr(&md));
	buf_puts(&out, "before|");
	int rc = site_theme_apply(t, d, "../", &out, &err);
	xmlFreeDoc(d);
	buf_release(&md);
	CHECK_OK(rc, &err);
	CHECK(!strncmp(out.data, "before|<!DOCTYPE html>\n<html><body>", 35));
	CHECK(strlen(out.data) == out.len);
	CHECK(count_of(out.data, "<source src=\"../a.webm\">") == 400);
	CHECK(count_of(out.data, "<track src=\"t.vtt\">") == 400);
	CHECK(count_of(out.data, "<wbr>") == 400);
	CHECK(strstr(out.data, "</source>") == NULL && strstr(out.data, "</track>") == NULL &&
	      strstr(out.data, "</wbr>") == NULL);
	CHECK(count_of(out.data, "&lt;/source&gt;") == 400);
	CHECK(count_of(out.data, "<code>&lt;/track&gt;</code>") == 400);
	CHECK(strstr(out.data, "</video>") != NULL);
	CHECK(out.len > 30000 && !strcmp(out.data + out.len - 15, "</body></html>\n"));
	buf_release(&out);
	site_theme_free(&t);
}

/* What site_html5_write makes of each kind of node a theme can write. */
static void writes_html5(void)
{
	const char *dir = theme(
		"html5",
		"<xsl:output method=\"html\" encoding=\"UTF-8\" doctype-system=\"about:legacy-compat\"/>",
		"<xsl:template match=\"/\"><html><head>"
		"<script defer=\"defer\" src=\"  a b/\u00e9.js?x=1&amp;y=&lt;2&gt;\"></script>"
		"<script>if (a &lt; b &amp;&amp; c) {}</script>"
		"<style>p &gt; a { color: red }</style></head>"
		"<body><p title=\"&quot;q&quot; &amp; &lt;t&gt;&#10;&#9;x\" hidden=\"hidden\">"
		"1 &lt; 2 &amp; 3 &gt; 2 caf\u00e9&#13;</p>"
		"<xsl:comment> a note </xsl:comment>"
		"<p><xsl:text disable-output-escaping=\"yes\">&lt;b&gt;raw&lt;/b&gt;</xsl:text></p>"
		"<a name=\"x y\" href=\"#top\">up</a><input type=\"checkbox\" checked=\"checked\"/>"
		"<img src=\"i.png\" alt=\"a &amp; b\"/><div></div>"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><rect width=\"1\"/></svg>"
		"</body></html></xsl:template>");
	struct hearth_err err;
	site_theme *t = NULL;
	struct buf out = BUF_INIT;

	CHECK_OK(site_theme_load(dir, &t, &err), &err);
	xmlDocPtr d = page("p", "text");
	int rc = site_theme_apply(t, d, "", &out, &err);
	xmlFreeDoc(d);
	CHECK_OK(rc, &err);
	const char *o = buf_cstr(&out);
	printf("# %s", o);
	CHECK(count_of(o, "<!DOCTYPE") == 1 && !strncmp(o, "<!DOCTYPE html>\n<html><head>", 28));
	/* a URL: blanks before it dropped, what no URL may hold as %XX, & escaped */
	CHECK(strstr(o, "<script defer src=\"a%20b/%C3%A9.js?x=1&amp;y=%3C2%3E\"></script>"));
	CHECK(strstr(o, "<script>if (a < b && c) {}</script>"));
	CHECK(strstr(o, "<style>p > a { color: red }</style>"));
	CHECK(strstr(o, "<p title=\"&quot;q&quot; &amp; &lt;t&gt;&#10;&#9;x\" hidden=\"hidden\">"
			"1 &lt; 2 &amp; 3 &gt; 2 caf\u00e9&#13;</p>"));
	CHECK(strstr(o, "<!-- a note -->"));
	CHECK(strstr(o, "<p><b>raw</b></p>"));
	CHECK(strstr(o, "<a name=\"x%20y\" href=\"#top\">up</a><input type=\"checkbox\" checked>"));
	CHECK(strstr(o, "<img src=\"i.png\" alt=\"a &amp; b\"><div></div>"));
	CHECK(strstr(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\">"
			"<rect width=\"1\"></rect></svg>"));
	CHECK(out.len > 0 && !strcmp(o + out.len - 15, "</body></html>\n"));
	buf_release(&out);
	site_theme_free(&t);

	/* a tree deeper than any stack would take by recursion */
	xmlDocPtr deep = xmlNewDoc(BAD_CAST "1.0");
	deep->type = XML_HTML_DOCUMENT_NODE;
	xmlNodePtr n = xmlNewDocNode(deep, NULL, BAD_CAST "div", NULL);
	xmlDocSetRootElement(deep, n);
	enum { DEPTH = 200000 };
	for (int i = 1; i < DEPTH; i++)
		n = xmlNewChild(n, NULL, BAD_CAST (i % 2 ? "span" : "div"), NULL);
	xmlNodeAddContent(n, BAD_CAST "&");
	site_html5_write(deep, &out);
	CHECK(count_of(out.data, "<span>") == DEPTH / 2 && count_of(out.data, "</div>") == DEPTH / 2);
	CHECK(strstr(out.data, "<span>&amp;</span></div></span>") != NULL);
	CHECK(!strcmp(out.data + out.len - 7, "</div>\n"));
	/* libxml2 frees a tree by recursion too: take it apart from the bottom */
	while (n != deep->children) {
		xmlNodePtr up = n->parent;
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		n = up;
	}
	xmlFreeDoc(deep);
	buf_release(&out);
}

static void failed_page_leaves_the_buffer(void)
{
	const char *dir = theme("fails", html_out,
				"<xsl:template match=\"/\"><html><body>"
				"<xsl:message terminate=\"yes\">no page for "
				"<xsl:value-of select=\"/page/@id\"/></xsl:message>"
				"</body></html></xsl:template>");
	struct hearth_err err;
	site_theme *t = NULL;
	struct buf out = BUF_INIT;

	CHECK_OK(site_theme_load(dir, &t, &err), &err);
	xmlDocPtr d = page("the-id", "text");
	buf_puts(&out, "kept");
	int rc = site_theme_apply(t, d, "", &out, &err);
	xmlFreeDoc(d);
	CHECK(rc != 0);
	CHECK(strstr(err.msg, "no page for the-id") != NULL);
	CHECK_STR(out.data, "kept");
	CHECK(out.len == 4);
	buf_release(&out);
	site_theme_free(&t);
}

/* A theme with another output method keeps its encoding, as before. */
static void xml_output_keeps_its_encoding(void)
{
	const char *dir = theme("xml",
			       "<xsl:output method=\"xml\" encoding=\"ISO-8859-1\" "
			       "omit-xml-declaration=\"yes\"/>",
			       "<xsl:template match=\"/\"><out><xsl:copy-of select=\"/page/story/body/node()\"/>"
			       "</out></xsl:template>");
	struct hearth_err err;
	site_theme *t = NULL;
	struct buf out = BUF_INIT;

	CHECK_OK(site_theme_load(dir, &t, &err), &err);
	xmlDocPtr d = page("x", "caf\xc3\xa9 `</source>`");
	int rc = site_theme_apply(t, d, "", &out, &err);
	xmlFreeDoc(d);
	CHECK_OK(rc, &err);
	CHECK_STR(out.data, "<!DOCTYPE html>\n<out><p>caf\xe9 <code>&lt;/source&gt;</code></p>\n</out>\n");
	buf_release(&out);
	site_theme_free(&t);
}

/* ---- several threads, one theme ----------------------------------------- */

#define THREADS 4
#define ROUNDS 60

struct job {
	site_theme *good, *bad;
	int n;
	char *want;       /* the good page, made on one thread first */
	const char *fail; /* what went wrong, or NULL */
};

static char *render(site_theme *t, const char *id, const char *md, struct hearth_err *err)
{
	struct buf out = BUF_INIT;
	xmlDocPtr d = page(id, md);
	int rc = site_theme_apply(t, d, "../../", &out, err);
	xmlFreeDoc(d);
	if (rc) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out);
}

static void markdown_of(int n, char *md, size_t size)
{
	snprintf(md, size,
		 "## Story %d\n\n*one* **two** [link](https://example.org/%d) ![alt %d](x.png)\n\n"
		 "- a\n- b\n\n```c\nint x = %d;\n```\n",
		 n, n, n, n);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	char id[16], md[256], want_msg[64];
	struct hearth_err err;

	snprintf(id, sizeof id, "t%d", j->n);
	snprintf(want_msg, sizeof want_msg, "no page for t%d", j->n);
	markdown_of(j->n, md, sizeof md);
	for (int r = 0; r < ROUNDS && !j->fail; r++) {
		char *got = render(j->good, id, md, &err);
		if (!got || strcmp(got, j->want))
			j->fail = "a page differs from the one made alone";
		free(got);
		got = render(j->bad, id, md, &err);
		if (got || !strstr(err.msg, want_msg))
			j->fail = "a failed page did not get its own message";
		free(got);
	}
	return NULL;
}

static void one_theme_on_several_threads(void)
{
	struct hearth_err err;
	struct job jobs[THREADS];
	pthread_t th[THREADS];
	site_theme *good = NULL, *bad = NULL;
	const char *dir = getenv("HEARTH_THEME_DIR");

	CHECK_OK(site_theme_load(dir && *dir ? dir : "themes/default", &good, &err), &err);
	CHECK_OK(site_theme_load(theme("bad", html_out,
				       "<xsl:template match=\"/\"><html><xsl:message "
				       "terminate=\"yes\">no page for <xsl:value-of "
				       "select=\"/page/@id\"/></xsl:message></html></xsl:template>"),
				 &bad, &err),
		 &err);
	for (int i = 0; i < THREADS; i++) {
		char id[16], md[256];
		snprintf(id, sizeof id, "t%d", i);
		markdown_of(i, md, sizeof md);
		jobs[i] = (struct job){.good = good, .bad = bad, .n = i};
		jobs[i].want = render(good, id, md, &err);
		CHECK_OK(jobs[i].want ? 0 : -1, &err);
	}
	CHECK(strstr(jobs[1].want, "<h3>Story 1</h3>") != NULL);
	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_create(&th[i], NULL, worker, &jobs[i]) == 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		if (jobs[i].fail)
			printf("# thread %d: %s\n", i, jobs[i].fail);
		CHECK(jobs[i].fail == NULL);
		free(jobs[i].want);
	}
	site_theme_free(&good);
	site_theme_free(&bad);
}

/*
 * The words of a theme in the library's language: counts in the singular
 * and grouped as the language writes them, dates, sizes, a fixed word
 * (put in when the theme is parsed) and the theme's own word over the
 * default theme's, and English again for the same theme.
 */
static void words_in_the_language(void)
{
	const char *dir = theme("words", html_out,
				"<xsl:template match=\"/\" xmlns:h=\"urn:hearth:theme\"><html><body><p>"
				"<xsl:value-of select=\"h:t('collection.count', '1')\"/>|"
				"<xsl:value-of select=\"h:t('collection.count', '0')\"/>|"
				"<xsl:value-of select=\"h:t('collection.count', 12345)\"/>|"
				"<xsl:value-of select=\"h:date('2024-05-01T00:00:00Z')\"/>|"
				"<xsl:value-of select=\"h:size(1234567)\"/>|"
				"<xsl:value-of select=\"h:t('nav.home')\"/>|"
				"<a title=\"{h:t('nav.feed')}\">x</a>|"
				"<xsl:value-of select=\"h:t('own.word')\"/>"
				"</p></body></html></xsl:template>");
	const char *fr_want = "1 récit|0 récit|12\u202f345 récits|1er mai 2024|1,2 Mo|Accueil|"
			      "<a title=\"Flux du podcast\">x</a>|À nous";
	const char *en_want = "1 story|0 stories|12,345 stories|1 May 2024|1.2 MB|Home|"
			      "<a title=\"Podcast feed\">x</a>|own.word";
	struct hearth_err err;
	site_theme *t = NULL;
	bool found = false;
	char *strings = path_join(dir, "strings"), *fr = path_join(strings, "fr.xml");
	static const char own[] = "<strings lang=\"fr\"><s id=\"own.word\">À nous</s></strings>\n";

	mkdir_p(strings, &err);
	CHECK_OK(file_write_atomic(fr, own, sizeof own - 1, &err), &err);
	CHECK_OK(site_theme_load(dir, &t, &err), &err);
	CHECK_OK(site_theme_language(t, "fr-CA", &found, &err), &err);
	CHECK(found);
	char *got = render(t, "w", "", &err);
	CHECK(got && strstr(got, fr_want));
	if (got && !strstr(got, fr_want))
		printf("# got %s\n", got);
	free(got);
	CHECK_OK(site_theme_language(t, "en", &found, &err), &err);
	got = render(t, "w", "", &err);
	CHECK(got && strstr(got, en_want));
	if (got && !strstr(got, en_want))
		printf("# got %s\n", got);
	free(got);
	CHECK_OK(site_theme_language(t, "xx", &found, &err), &err);
	CHECK(!found);
	site_theme_free(&t);
	free(fr);
	free(strings);
}

int main(void)
{
	RUN(appends_and_drops_void_end_tags);
	RUN(writes_html5);
	RUN(failed_page_leaves_the_buffer);
	RUN(xml_output_keeps_its_encoding);
	RUN(one_theme_on_several_threads);
	RUN(words_in_the_language);
	xsltCleanupGlobals();
	xmlCleanupParser();
	return 0;
}
