/*
 * html5.c - a theme's HTML result written as HTML5, into the caller's
 * buffer (theme.c calls it for every page made with method="html").
 *
 * libxml2's own HTML serialiser knows HTML 4: it wrote an end tag after
 * HTML5's void elements it did not know (<source>, <track>, <wbr>), which
 * had to be taken out again afterwards, and it looked every element and
 * attribute up in its tables of HTML 4 by name, case-insensitively, on
 * every page. This writer follows HTML5's serialisation: void elements
 * (the list below) have a start tag only; the text of <script> and
 * <style> and text the theme wrote with disable-output-escaping go out
 * as they are; other text has &, < and > escaped, attribute values &, ",
 * < and > (and tab, line feed and carriage return as character references,
 * as libxml2 wrote them). What it kept from libxml2, so a page reads the
 * same: HTML 4's boolean attributes are written by their name alone
 * (defer, not defer="defer"), and a URL in href, src or action (or an
 * <a>'s name) has its leading blanks dropped and the bytes no URL may hold
 * (spaces, controls, non-ASCII, and "<>\^`{|}) written as %XX.
 *
 * A document type node of the result is not written: the caller writes
 * HTML5's <!DOCTYPE html> before the page. The page ends with a line
 * feed.
 */
#include "siteInt.h"

#include <libxml/parserInternals.h> /* xmlStringTextNoenc */
#include <libxml/tree.h>
#include <string.h>

/*
 * Copies name, in ASCII lower case, into low; false when it is too long
 * to be one of the names looked for here. Each page asks this of every
 * element and attribute, so the lists below are matched on the copy with
 * a first-byte test before any comparison.
 */
static bool lower(const xmlChar *name, char low[static 16])
{
	size_t i = 0;
	for (; name[i]; i++) {
		if (i == 15)
			return false;
		unsigned char c = name[i];
		low[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	low[i] = '\0';
	return true;
}

static bool in_list(const char *low, const char *const *list)
{
	for (; *list; list++)
		if (low[0] == (*list)[0] && !strcmp(low + 1, *list + 1))
			return true;
	return false;
}

static bool is_void(const xmlChar *name)
{
	static const char *const v[] = {"area",	 "base",   "basefont", "bgsound", "br",
					"col",	 "embed",  "frame",    "hr",	  "img",
					"input", "keygen", "link",     "meta",	  "param",
					"source", "track", "wbr",      NULL};
	char low[16];
	return lower(name, low) && in_list(low, v);
}

static bool is_boolean(const xmlChar *name)
{
	static const char *const b[] = {"checked",  "compact", "declare",  "defer",
					"disabled", "ismap",   "multiple", "nohref",
					"noresize", "noshade", "nowrap",   "readonly",
					"selected", NULL};
	char low[16];
	return lower(name, low) && in_list(low, b);
}

static bool is_raw_text(const xmlNode *el)
{
	char low[16];
	return el && el->type == XML_ELEMENT_NODE && el->ns == NULL && lower(el->name, low) &&
	       (!strcmp(low, "script") || !strcmp(low, "style"));
}

/* Is a, an attribute of el, one whose value is a URL? */
static bool is_url_attr(const xmlAttr *a, const xmlNode *el)
{
	char n[16], e[16];
	if (a->ns || el->ns || !lower(a->name, n))
		return false;
	return !strcmp(n, "href") || !strcmp(n, "src") || !strcmp(n, "action") ||
	       (!strcmp(n, "name") && lower(el->name, e) && !strcmp(e, "a"));
}

/*
 * Appends s with the characters of HTML markup escaped: &, < and > always,
 * " in an attribute's value, where tab, line feed and carriage return
 * become references too; a carriage return in text as well, since a
 * parser would turn a raw one into a line feed.
 */
static void put_escaped(struct buf *out, const xmlChar *s, bool attr)
{
	/* 1: escaped everywhere; 2: in an attribute's value only */
	static const unsigned char special[256] = {
		['&'] = 1, ['<'] = 1, ['>'] = 1, ['\r'] = 1, ['"'] = 2, ['\n'] = 2, ['\t'] = 2,
	};
	const unsigned char level = attr ? 2 : 1;
	const xmlChar *run = s;
	for (; *s; s++) {
		if (!special[*s] || special[*s] > level)
			continue;
		const char *rep;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '\r': rep = "&#13;"; break;
		case '"': rep = "&quot;"; break;
		case '\n': rep = "&#10;"; break;
		default: rep = "&#9;"; break;
		}
		buf_add(out, run, (size_t)(s - run));
		buf_puts(out, rep);
		run = s + 1;
	}
	buf_add(out, run, (size_t)(s - run));
}

/* Appends the URL s as an attribute's value: see the top of the file. */
static void put_url(struct buf *out, const xmlChar *s, bool first)
{
	static const char hex[] = "0123456789ABCDEF";
	while (first && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	const xmlChar *run = s;
	for (; *s; s++) {
		unsigned c = *s;
		if (c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\' &&
		    c != '^' && c != '`' && c != '{' && c != '|' && c != '}' && c != '&')
			continue;
		buf_add(out, run, (size_t)(s - run));
		if (c == '&') {
			buf_puts(out, "&amp;");
		} else {
			char pct[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_add(out, pct, sizeof pct);
		}
		run = s + 1;
	}
	buf_add(out, run, (size_t)(s - run));
}

/* Appends the name of a node, with its namespace's prefix when it has one. */
static void put_name(struct buf *out, const xmlNs *ns, const xmlChar *name)
{
	if (ns && ns->prefix) {
		buf_puts(out, (const char *)ns->prefix);
		buf_putc(out, ':');
	}
	buf_puts(out, (const char *)name);
}

static void put_start_tag(struct buf *out, const xmlNode *el)
{
	buf_putc(out, '<');
	put_name(out, el->ns, el->name);
	for (const xmlNs *ns = el->nsDef; ns; ns = ns->next) {
		buf_puts(out, ns->prefix ? " xmlns:" : " xmlns");
		if (ns->prefix)
			buf_puts(out, (const char *)ns->prefix);
		buf_puts(out, "=\"");
		put_escaped(out, ns->href ? ns->href : BAD_CAST "", true);
		buf_putc(out, '"');
	}
	for (const xmlAttr *a = el->properties; a; a = a->next) {
		buf_putc(out, ' ');
		put_name(out, a->ns, a->name);
		if (!a->ns && is_boolean(a->name))
			continue;
		/* an attribute's value is its text children, most often one */
		bool url = is_url_attr(a, el);
		buf_puts(out, "=\"");
		for (const xmlNode *v = a->children; v; v = v->next) {
			if (v->type != XML_TEXT_NODE || !v->content)
				continue;
			if (url)
				put_url(out, v->content, v == a->children);
			else
				put_escaped(out, v->content, true);
		}
		buf_putc(out, '"');
	}
	buf_putc(out, '>');
}

/*
 * Appends the nodes from first on and everything under them, walking the
 * tree without recursion (a page's depth is the theme's to choose).
 */
static void put_nodes(struct buf *out, const xmlNode *first)
{
	const xmlNode *n = first, *top = first ? first->parent : NULL;

	while (n) {
		bool down = false;
		switch (n->type) {
		case XML_ELEMENT_NODE:
			put_start_tag(out, n);
			if (is_void(n->name))
				break;
			if (n->children) {
				n = n->children;
				continue;
			}
			down = true; /* nothing inside: the end tag at once */
			break;
		case XML_TEXT_NODE:
			if (!n->content)
				break;
			if (n->name == xmlStringTextNoenc || is_raw_text(n->parent))
				buf_puts(out, (const char *)n->content);
			else
				put_escaped(out, n->content, false);
			break;
		case XML_CDATA_SECTION_NODE:
			if (n->content)
				buf_puts(out, (const char *)n->content);
			break;
		case XML_COMMENT_NODE:
			buf_puts(out, "<!--");
			if (n->content)
				buf_puts(out, (const char *)n->content);
			buf_puts(out, "-->");
			break;
		case XML_ENTITY_REF_NODE:
			buf_printf(out, "&%s;", (const char *)n->name);
			break;
		case XML_PI_NODE:
			buf_printf(out, "<?%s%s%s>", (const char *)n->name, n->content ? " " : "",
				   n->content ? (const char *)n->content : "");
			break;
		default: /* the document type, and nothing else a result holds */
			break;
		}
		/* the end tag of an empty element, then of each element left */
		for (;;) {
			if (down) {
				buf_puts(out, "</");
				put_name(out, n->ns, n->name);
				buf_putc(out, '>');
			}
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (!n || n == top)
				return;
			down = true;
		}
	}
}

void site_html5_write(const xmlDoc *doc, struct buf *out)
{
	put_nodes(out, doc->children);
	buf_putc(out, '\n');
}
