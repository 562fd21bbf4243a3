/*
 * test_site_markdown.c - story bodies as XHTML nodes (site-gen/markdown.c).
 *
 * The nodes are made by walking cmark's tree. They must be the tree the
 * earlier way gave: cmark's HTML in its safe mode, parsed back as XML and
 * tidied. That way is kept here as the reference (reference() below), and
 * a corpus of Markdown, hostile cases among it, plus a few thousand
 * generated documents, are run through both and compared byte for byte.
 * Where the reference could not parse cmark's HTML (characters XML cannot
 * hold, nesting deeper than libxml2 allows) it fell back to plain
 * paragraphs; there the nodes are checked for what must always hold
 * instead: well-formed, only the elements and attributes a Markdown body
 * makes, no unsafe link, nothing nested too deep. One difference is
 * wanted and taken out of the reference: an empty title attribute.
 *
 * Every document of the corpus is also written by site_markdown_html,
 * the same walk writing HTML text for the feeds, which must be the bytes
 * xmlNodeDump writes for the walk's nodes.
 */
#include "../../core/core.h"
#include "../../site-gen/siteInt.h"
#include "t.h"

#include <strings.h>

#include <cmark.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

/* ---- the reference: render, parse back, tidy ----------------------------- */

static void tidy(xmlNodePtr n)
{
	xmlNodePtr next;
	for (; n; n = next) {
		next = n->next;
		if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)n->name;
		if (name[0] == 'h' && name[1] >= '1' && name[1] <= '5' && !name[2]) {
			char h[3] = {'h', (char)(name[1] + 1), 0};
			xmlNodeSetName(n, BAD_CAST h);
		} else if (!strcmp(name, "a")) {
			xmlChar *href = xmlGetProp(n, BAD_CAST "href");
			bool dropped = !href || !*href;
			xmlFree(href);
			if (dropped) {
				tidy(n->children);
				while (n->children) {
					xmlNodePtr ch = n->children;
					xmlUnlinkNode(ch);
					xmlAddPrevSibling(n, ch);
				}
				xmlUnlinkNode(n);
				xmlFreeNode(n);
				continue;
			}
			/*
			 * cmark writes title="" for an explicit empty title
			 * ([a](/u "")), which its node API cannot tell from
			 * none; the walk leaves both out
			 */
			xmlChar *title = xmlGetProp(n, BAD_CAST "title");
			if (title && !*title)
				xmlUnsetProp(n, BAD_CAST "title");
			xmlFree(title);
			xmlSetProp(n, BAD_CAST "rel", BAD_CAST "ugc nofollow");
		} else if (!strcmp(name, "img")) {
			xmlChar *alt = xmlGetProp(n, BAD_CAST "alt");
			xmlNodePtr t = xmlNewDocText(n->doc, alt ? alt : BAD_CAST "");
			xmlReplaceNode(n, t);
			xmlFreeNode(n);
			xmlFree(alt);
			continue;
		}
		tidy(n->children);
	}
}

/* The body the earlier way made, serialised; NULL when its parse failed. */
static char *reference(const char *md)
{
	char *html = cmark_markdown_to_html(md, strlen(md), CMARK_OPT_DEFAULT);
	struct buf b = BUF_INIT;
	buf_puts(&b, "<body>");
	buf_puts(&b, html);
	buf_puts(&b, "</body>");
	free(html);
	xmlDocPtr d = xmlReadMemory(b.data, (int)b.len, "body.html", "UTF-8",
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	buf_release(&b);
	if (!d || !xmlDocGetRootElement(d)) {
		xmlFreeDoc(d);
		return NULL;
	}
	xmlNodePtr root = xmlDocGetRootElement(d);
	tidy(root->children);
	xmlBufferPtr out = xmlBufferCreate();
	xmlNodeDump(out, d, root, 0, 0);
	char *s = xstrdup((const char *)xmlBufferContent(out));
	xmlBufferFree(out);
	xmlFreeDoc(d);
	return s;
}

/* ---- the tree walk --------------------------------------------------------- */

/*
 * The body site_markdown_nodes makes, serialised by libxml2: the whole
 * <body> in a UTF-8 document, as the parsed reference has it; or (feed)
 * each child of the body one after the other in a document without an
 * encoding, as the feeds carry it.
 */
static char *serialised(const char *md, bool feed)
{
	xmlDocPtr d = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr body = xmlNewDocNode(d, NULL, BAD_CAST "body", NULL);
	xmlDocSetRootElement(d, body);
	if (!feed)
		d->encoding = xmlStrdup(BAD_CAST "UTF-8");
	site_markdown_nodes(body, md);
	xmlBufferPtr out = xmlBufferCreate();
	for (xmlNodePtr n = feed ? body->children : body; n; n = feed ? n->next : NULL)
		xmlNodeDump(out, d, n, 0, 0);
	char *s = xstrdup((const char *)xmlBufferContent(out));
	xmlBufferFree(out);
	xmlFreeDoc(d);
	return s;
}

static char *walked(const char *md)
{
	return serialised(md, false);
}

/* The HTML site_markdown_html writes for md, without making nodes. */
static char *as_html(const char *md)
{
	struct buf b = BUF_INIT;
	site_markdown_html(&b, md);
	return b.data ? buf_detach(&b) : xstrdup("");
}

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static bool starts_nocase(const char *s, const char *p)
{
	return strncasecmp(s, p, strlen(p)) == 0;
}

/*
 * What holds for any body, checked on its serialised form read back:
 * well-formed, only the elements and attributes Markdown makes, hrefs
 * that are neither empty nor of an unsafe scheme, nothing nested deeper
 * than the limit. Returns NULL or what is wrong.
 */
static const char *check_tree(xmlNodePtr n, int depth)
{
	static const char *const elements[] = {"p", "h2", "h3", "h4", "h5", "h6", "em",
					       "strong", "code", "pre", "blockquote", "ul",
					       "ol", "li", "hr", "br", "a", NULL};
	static const char *const attrs[] = {"href", "title", "rel", "class", "start", NULL};
	if (depth > 101)
		return "nested too deep";
	for (; n; n = n->next) {
		if (n->type == XML_TEXT_NODE)
			continue;
		if (n->type != XML_ELEMENT_NODE)
			return "a node that is neither element nor text";
		if (!one_of((const char *)n->name, elements))
			return "an element Markdown does not make";
		for (xmlAttrPtr a = n->properties; a; a = a->next)
			if (!one_of((const char *)a->name, attrs))
				return "an attribute Markdown does not make";
		if (!strcmp((const char *)n->name, "a")) {
			xmlChar *href = xmlGetProp(n, BAD_CAST "href");
			xmlChar *rel = xmlGetProp(n, BAD_CAST "rel");
			const char *h = (const char *)href;
			bool bad = !h || !*h || starts_nocase(h, "javascript:") ||
				   starts_nocase(h, "vbscript:") || starts_nocase(h, "file:") ||
				   (starts_nocase(h, "data:") && !starts_nocase(h, "data:image/")) ||
				   !rel || strcmp((const char *)rel, "ugc nofollow");
			xmlFree(href);
			xmlFree(rel);
			if (bad)
				return "an unsafe or unmarked link";
		}
		const char *why = check_tree(n->children, depth + 1);
		if (why)
			return why;
	}
	return NULL;
}

static const char *check_body(const char *xml)
{
	xmlDocPtr d = xmlReadMemory(xml, (int)strlen(xml), "body.xml", "UTF-8",
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					    XML_PARSE_HUGE);
	if (!d)
		return "not well-formed";
	const char *why = check_tree(xmlDocGetRootElement(d)->children, 1);
	xmlFreeDoc(d);
	return why;
}

/*
 * Compares the walk with the reference for md. Where the reference
 * parsed, they must be the same bytes; where it did not, the walk's body
 * must pass check_body. Returns NULL or what is wrong (printed).
 */
static size_t n_exact; /* how many documents were compared byte for byte */

static const char *compare(const char *md)
{
	char *want = reference(md), *got = walked(md);
	char *nodes = serialised(md, true), *html = as_html(md);
	n_exact += want != NULL;
	const char *why = check_body(got);
	if (!why && want && strcmp(want, got))
		why = "differs from cmark's HTML read back";
	if (why)
		printf("# %s\n# markdown: %.300s\n# walk:      %.600s\n# reference: %.600s\n", why,
		       md, got, want ? want : "(did not parse)");
	/* the walk written as HTML is the walk's nodes dumped, always */
	if (strcmp(nodes, html)) {
		why = "site_markdown_html differs from the nodes dumped";
		printf("# %s\n# markdown: %.300s\n# html:  %.600s\n# nodes: %.600s\n", why, md,
		       html, nodes);
	}
	free(want);
	free(got);
	free(nodes);
	free(html);
	return why;
}

/* ---- the corpus ------------------------------------------------------------ */

static const char *const corpus[] = {
	"",
	"plain",
	"one\ntwo\n\nthree",
	"# h1\n## h2\n### h3\n#### h4\n##### h5\n###### h6\n####### seven",
	"Setext\n======\n\nand\n---",
	"*em* _em_ **strong** __strong__ ***both*** *a **b** c*",
	"`code` `` a`b `` ` spaced `",
	"    indented\n      code\n\n```\nfenced\n```\n",
	"```python extra words\nprint(1 < 2 && \"x\")\n```",
	"~~~ &lt;lang&gt;\nx\n~~~",
	"```\tc\nx\n```",
	"> quote\n> > nested\n>\n> back\nlazy",
	"- a\n- b\n  - c\n  - d\n- e",
	"- loose\n\n- list\n\n  second para",
	"1. one\n2. two",
	"3. three\n4. four",
	"0. zero",
	"1) paren\n\n\n2) split",
	"- \n- empty item\n-\n  later",
	"- a\n\n      code in item\n- b",
	"- a\n  > quote in item\n- b",
	"* * *\n---\n___",
	"hard  \nbreak\\\nback",
	"[link](http://example.org/a?b=c&d='e'#f \"the title\")",
	"[spaces](<http://x/a b>) [tilde](http://x/~u) [uni](http://x/é) [pct](http://x/%20)",
	"[ref][r] [collapsed][] [r]\n\n[r]: https://example.org/r 'T'\n[collapsed]: /c",
	"<https://example.org/auto> <mail@example.org> <irc://x>",
	"[empty]()",
	"[js](javascript:alert(1)) [JS](JaVaScRiPt:alert(1)) [v](vbscript:x) [f](file:///etc/passwd)",
	"[e](&#106;avascript:alert(1)) [h](java&#x73;cript:x) [c](javascript&colon;x)",
	"[sp](< javascript:alert(1)>) [tab](<java\tscript:x>) [nl](java\nscript:x)",
	"[d](data:text/html;base64,PHNjcmlwdD4=) [png](data:image/png;base64,AAAA) [svg](data:image/svg+xml,x)",
	"<javascript:alert(1)> <JAVASCRIPT:x> <data:text/html,x>",
	"![remote](https://tracker.example/p.png) ![local](art.jpg \"title\")",
	"![alt *with* `code` and <b>html</b>\nbreak](x.png)",
	"[![img in link](x.png)](https://example.org)",
	"![outer ![inner](i.png) [link](l)](o.png)",
	"![](empty-alt.png)",
	"<script>alert(1)</script>",
	"<div onclick=\"x()\">\nhi\n</div>\n\nafter",
	"a <b onmouseover=\"y()\">b</b> <iframe src=\"//x\"></iframe> c",
	"<!-- comment -->\n\ntext <!-- inline --> more",
	"<?php echo 1; ?>\n\n<![CDATA[ x ]]>\n\n<!DOCTYPE html>",
	"<style>p{}</style>\nstill html",
	"&copy; &amp; &nbsp; &lt;script&gt; &#60;b&#62; &#x26; &bogus; &#0;",
	"tabs\tin\ttext and [title](/t \"a\tb\nc\")",
	"crlf\r\nline\r\n\r\npara\r\n```\r\ncode\r\n```\r\n",
	"cr\ronly\r\rpara",
	"bad utf-8 \xff\xfe \xc0\xaf \xe2\x82 end",
	"nul \xef\xbf\xbd and \xed\xa0\x80 surrogate",
	"quotes \" ' < > & done",
	"\\*escaped\\* \\<b\\> \\[x\\]",
	"[unclosed *em\n\n**strong [x](y",
	"* a\n\n* b\n\n  * c\n\n    1. d\n\n       > e",
	"# heading with [link](l) and ![img](i)",
	NULL,
};

static void corpus_matches_the_reference(void)
{
	for (size_t i = 0; corpus[i]; i++)
		CHECK(compare(corpus[i]) == NULL);
}

/* Everything a story's author writes stays text or is left out. */
static void hostile_markup_stays_out(void)
{
	char *s = walked("<script>alert(1)</script>\n\n"
			 "x <img src=x onerror=alert(2)> [a](javascript:alert(3)) "
			 "[b](&#x6A;avascript:alert(4)) ![c](https://tracker.example/t.gif)\n\n"
			 "```\n</code></pre><script>alert(5)</script>\n```\n");
	CHECK(strstr(s, "<script") == NULL);
	CHECK(strstr(s, "<img") == NULL);
	CHECK(strstr(s, "javascript") == NULL);
	CHECK(strstr(s, "tracker") == NULL);
	CHECK(strstr(s, "<!--") == NULL);
	CHECK(strstr(s, "&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(5)") != NULL);
	CHECK(strstr(s, "alert(1)") == NULL && strstr(s, "alert(2)") == NULL);
	CHECK(strstr(s, "<p>x  a b c</p>") != NULL);
	free(s);

	s = walked("## Sub\n\n###### six\n\n[l](https://example.org/a \"t\")\n\n"
		   "```js x\ny\n```\n\n3. c\n");
	CHECK(strstr(s, "<h3>Sub</h3>") != NULL);
	CHECK(strstr(s, "<h6>six</h6>") != NULL);
	CHECK(strstr(s, "<a href=\"https://example.org/a\" title=\"t\" rel=\"ugc nofollow\">l</a>"));
	CHECK(strstr(s, "<pre><code class=\"language-js\">y\n</code></pre>") != NULL);
	CHECK(strstr(s, "<ol start=\"3\">") != NULL);
	free(s);
}

/* What XML cannot hold, which made the reference give up, is replaced. */
static void unrepresentable_characters_are_replaced(void)
{
	static const char *const cases[] = {
		"control \x01 char", "entity &#1; and &#x1F; and &#xFFFE;",
		"form\x0c" "feed and vertical\x0btab",
		"```\x01lang\ncode \x02\n```", "[t](/u \"ti\x03tle\")",
		"![alt\x04](x.png)",
		NULL,
	};
	for (size_t i = 0; cases[i]; i++) {
		CHECK(compare(cases[i]) == NULL);
		char *s = walked(cases[i]);
		CHECK(strstr(s, "\xef\xbf\xbd") != NULL);
		free(s);
	}
	char *s = walked("entity &#1; here");
	CHECK_STR(s, "<body><p>entity \xef\xbf\xbd here</p>\n</body>");
	free(s);
}

/* Deep nesting neither crashes nor makes a tree deeper than the limit. */
static void deep_nesting_is_flattened(void)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, '*');
	buf_puts(&b, "deep");
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, '*');
	CHECK(compare(buf_cstr(&b)) == NULL);
	char *s = walked(buf_cstr(&b));
	CHECK(strstr(s, "deep") != NULL);
	free(s);

	buf_reset(&b);
	for (int i = 0; i < 10000; i++)
		buf_puts(&b, "> ");
	buf_puts(&b, "quoted\n");
	CHECK(compare(buf_cstr(&b)) == NULL);

	buf_reset(&b);
	for (int i = 0; i < 2000; i++) {
		for (int k = 0; k < i * 2; k++)
			buf_putc(&b, ' ');
		buf_puts(&b, "- item\n");
	}
	CHECK(compare(buf_cstr(&b)) == NULL);

	buf_reset(&b);
	for (int i = 0; i < 5000; i++)
		buf_puts(&b, "[");
	buf_puts(&b, "x");
	for (int i = 0; i < 5000; i++)
		buf_puts(&b, "](https://example.org/)");
	CHECK(compare(buf_cstr(&b)) == NULL);
	buf_release(&b);
}

/* A large body comes out as the reference makes it. */
static void huge_document(void)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 20000; i++)
		buf_printf(&b, "Paragraph %d with *some* `code` and [a link](https://example.org/%d).\n\n"
			       "- item %d\n- item\n\n",
			   i, i, i);
	CHECK(compare(buf_cstr(&b)) == NULL);
	buf_release(&b);
}

/*
 * A body whose tree would take cmark more than its arena's limit (bytes
 * of "[[", lines of a letter: hundreds of bytes a byte) is shown as it
 * is, a paragraph for each run of lines between blank ones, no markup
 * read, in the page and in the feeds alike; a body as large but of
 * ordinary Markdown is still read (huge_document).
 */
static void degenerate_markdown_is_plain(void)
{
	static const char *const fills[] = {"[[", "a\n", "- a\n", "> ", "***a", "`a` "};
	for (size_t f = 0; f < sizeof fills / sizeof *fills; f++) {
		struct buf md = BUF_INIT, want = BUF_INIT;
		buf_puts(&md, "\n  \n*first* & <last>\n");
		for (size_t n = 0; n < 1800000; n += strlen(fills[f]))
			buf_puts(&md, fills[f]);
		buf_puts(&md, "\n\n\n*second*\r\n\n");
		/* the first paragraph: its lines, the white space after the last taken off */
		buf_puts(&want, "<body><p>*first* &amp; &lt;last&gt;\n");
		size_t from = strlen("\n  \n*first* & <last>\n"), to = md.len - strlen("\n\n\n*second*\r\n\n");
		while (to > from && strchr(" \t\r\n", md.data[to - 1]))
			to--;
		struct buf body = BUF_INIT;
		buf_add(&body, md.data + from, to - from);
		site_html_escape(&want, buf_cstr(&body), false);
		buf_puts(&want, "</p>\n<p>*second*</p>\n</body>");
		char *got = walked(buf_cstr(&md));
		char *nodes = serialised(buf_cstr(&md), true), *html = as_html(buf_cstr(&md));
		bool same = !strcmp(got, buf_cstr(&want)), agree = !strcmp(nodes, html);
		const char *why = check_body(got);
		if (!same)
			printf("# fill %zu: got %.200s\n", f, got);
		free(got);
		free(nodes);
		free(html);
		buf_release(&body);
		buf_release(&md);
		buf_release(&want);
		CHECK(same);
		CHECK(agree);
		CHECK(why == NULL);
	}
}

/*
 * Documents put together from pieces of Markdown syntax by a seeded
 * generator: a bounded number, the same every run.
 */
static void generated_documents_match(void)
{
	static const char *const pieces[] = {
		"*", "_", "**", "`", "``", "[", "]", "](", ")", "(", "![", "<", ">", "&amp;",
		"&copy;", "\n", "\n\n", "  \n", "\\\n", "> ", "- ", "* ", "1. ", "7) ",
		"# ", "### ", "```", "~~~ x", "    ", "\t", "!", "javascript:", "JavaScript:",
		"http://x/", "data:image/png,", "\"", "'", "<b>", "</b>", "<div>", "<!--", "-->",
		"word", "two words", "é", "\r\n", "\r", "[r]", "[r]: /ref\n", "<http://a/b>",
		"---", "===", "&", "#", "|", "\\*",
		/* what XML cannot hold: only in the last thousand documents */
		"&#1;", "\xef\xbf\xbe", "\x0c", "\xff",
	};
	const size_t n_pieces = sizeof pieces / sizeof pieces[0];
	uint64_t seed = 0x9e3779b97f4a7c15u;
	struct buf b = BUF_INIT;
	size_t failed = 0;

	n_exact = 0;
	for (int doc = 0; doc < 3000 && failed < 3; doc++) {
		buf_reset(&b);
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		int len = 1 + (int)((seed >> 33) % 40);
		for (int i = 0; i < len; i++) {
			seed = seed * 6364136223846793005u + 1442695040888963407u;
			buf_puts(&b, pieces[(seed >> 33) % (doc < 2000 ? n_pieces - 4 : n_pieces)]);
		}
		if (compare(buf_cstr(&b)))
			failed++;
	}
	buf_release(&b);
	CHECK(failed == 0);
	printf("# %zu of 3000 compared byte for byte\n", n_exact);
	CHECK(n_exact >= 2000);
}

int main(void)
{
	RUN(corpus_matches_the_reference);
	RUN(hostile_markup_stays_out);
	RUN(unrepresentable_characters_are_replaced);
	RUN(deep_nesting_is_flattened);
	RUN(huge_document);
	RUN(degenerate_markdown_is_plain);
	RUN(generated_documents_match);
	xmlCleanupParser();
	return 0;
}
