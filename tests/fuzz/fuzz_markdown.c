/*
 * fuzz_markdown.c - a libFuzzer target for what a story's Markdown body
 * goes through on its way to a page and a feed: cmark's parse and the
 * walk of site-gen/markdown.c, as XHTML nodes (site_markdown_nodes, the
 * page) and as HTML text (site_markdown_html, the feeds), and the page's
 * HTML5 writer (site-gen/html5.c). A body is whatever a peer typed, so
 * any bytes.
 *
 * Besides "no crash, no leak, no undefined behaviour" it checks what a
 * listener's safety rests on:
 *   - the nodes hold only the elements and attributes the walk makes
 *     (no raw HTML gets through), and no link leads to a script or a
 *     file (javascript:, vbscript:, file:, data: but images);
 *   - every text and attribute value is UTF-8 that XML can hold;
 *   - the feeds' text is, byte for byte, what libxml2 writes for the
 *     page's nodes (one walk decides both, so they cannot disagree), and
 *     it reads back as XML;
 *   - the HTML5 writer writes each element the nodes hold, and no
 *     element the nodes do not hold.
 *
 * Built and run by tools/fuzz.sh (make fuzz); make check replays the
 * inputs of tests/fuzz/regress/markdown/ and a few of its own through
 * the same function (tests/fuzz/replay.c, tests/cli/fuzz_replay.sh).
 */
#include "../../site-gen/siteInt.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>


/* prefix, lower case, begins s in any case (an oracle of its own, not the walk's) */
static bool lower_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

static bool url_safe(const char *url)
{
	static const char *const images[] = {"data:image/png", "data:image/gif",
					     "data:image/jpeg", "data:image/webp", NULL};
	static const char *const bad[] = {"javascript:", "vbscript:", "file:", "data:", NULL};
	for (const char *const *p = images; *p; p++)
		if (lower_prefix(url, *p))
			return true;
	for (const char *const *p = bad; *p; p++)
		if (lower_prefix(url, *p))
			return false;
	return true;
}

/* Counts "<name" followed by '>', ' ' or '/' in html. */
static size_t tags_in(const char *html, const char *name)
{
	size_t n = 0, len = strlen(name);
	for (const char *p = html; (p = strchr(p, '<')); p++)
		if (!strncmp(p + 1, name, len) && strchr("> /", p[1 + len]))
			n++;
	return n;
}

static const char *const ELEMENTS[] = {"p", "h2", "h3", "h4", "h5", "h6", "blockquote",
				       "ul", "ol", "li", "pre", "code", "em", "strong",
				       "a", "hr", "br", NULL};
static const char *const ATTRS[] = {"href", "rel", "title", "class", "start", NULL};

/* Checks every node under parent; counts each element name in counts[]. */
static void check_nodes(xmlNodePtr parent, size_t *counts)
{
	xmlNodePtr n = parent->children;
	while (n && n != parent) {
		if (n->type == XML_ELEMENT_NODE) {
			const char *name = (const char *)n->name;
			if (!in_list(name, ELEMENTS) || n->ns)
				abort(); /* an element the walk never makes: raw HTML got in */
			for (size_t i = 0; ELEMENTS[i]; i++)
				if (!strcmp(name, ELEMENTS[i]))
					counts[i]++;
			for (xmlAttrPtr a = n->properties; a; a = a->next) {
				if (!in_list((const char *)a->name, ATTRS))
					abort();
				xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
				if (!v || xmlCheckUTF8(v) == 0)
					abort();
				if (!strcmp((const char *)a->name, "href") &&
				    (!*v || !url_safe((const char *)v)))
					abort(); /* a link to a script or a file */
				xmlFree(v);
			}
		} else if (n->type == XML_TEXT_NODE) {
			if (!n->content || xmlCheckUTF8(n->content) == 0)
				abort();
			for (const unsigned char *c = n->content; *c; c++)
				if (*c < 0x20 && *c != '\n' && *c != '\t' && *c != '\r')
					abort(); /* XML 1.0 cannot hold it */
		} else {
			abort(); /* no comment, no processing instruction, no CDATA */
		}
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n != parent && !n->next)
			n = n->parent;
		if (n != parent)
			n = n->next;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *md = xmalloc(size + 1);
	memcpy(md, data, size);
	md[size] = '\0';

	/* the page: <html><body><div>nodes</div></body></html> */
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr html = xmlNewDocNode(doc, NULL, BAD_CAST "html", NULL);
	xmlDocSetRootElement(doc, html);
	xmlNodePtr body = xmlNewChild(html, NULL, BAD_CAST "body", NULL);
	xmlNodePtr div = xmlNewChild(body, NULL, BAD_CAST "div", NULL);
	site_markdown_nodes(div, md);

	size_t counts[sizeof ELEMENTS / sizeof ELEMENTS[0]] = {0};
	check_nodes(div, counts);

	/* the feeds' text is what libxml2 writes for the page's nodes */
	struct buf text = BUF_INIT, dumped = BUF_INIT;
	site_markdown_html(&text, md);
	xmlBufferPtr xb = xmlBufferCreate();
	for (xmlNodePtr n = div->children; n; n = n->next)
		xmlNodeDump(xb, doc, n, 0, 0);
	buf_add(&dumped, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
	if (text.len != dumped.len || memcmp(buf_cstr(&text), buf_cstr(&dumped), text.len))
		abort();

	/* and reads back as XML */
	struct buf wrapped = BUF_INIT;
	buf_add(&wrapped, "<div>", 5);
	buf_add(&wrapped, buf_cstr(&text), text.len);
	buf_add(&wrapped, "</div>", 6);
	xmlDocPtr back = xmlReadMemory(buf_cstr(&wrapped), (int)wrapped.len, "feed.xml", "UTF-8",
				       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!back)
		abort();
	xmlFreeDoc(back);

	/* the page's HTML5: every element the nodes hold, no other */
	struct buf page = BUF_INIT;
	site_html5_write(doc, &page);
	const char *p = buf_cstr(&page);
	if (strlen(p) != page.len)
		abort(); /* a NUL in the page */
	for (size_t i = 0; ELEMENTS[i]; i++)
		if (tags_in(p, ELEMENTS[i]) != counts[i])
			abort();
	for (const char *bad = p; (bad = strchr(bad, '<')); bad++)
		if (lower_prefix(bad + 1, "script") || lower_prefix(bad + 1, "style") ||
		    lower_prefix(bad + 1, "iframe") || lower_prefix(bad + 1, "!--"))
			abort();

	buf_release(&page);
	buf_release(&wrapped);
	buf_release(&text);
	buf_release(&dumped);
	xmlFreeDoc(doc);
	free(md);
	return 0;
}
