/*
 * theme.c - the XSLT theme: finds it, loads page.xsl once per build, and
 * applies it to each page document to make HTML. The theme may not write
 * files, make folders, use the network or read a file outside its own
 * folder and the default theme's (libxslt security preferences);
 * a custom theme overrides single named templates of the default one with
 * xsl:import.
 *
 * Pages are made on several threads at once, all applying the one
 * compiled stylesheet: libxslt allows that when each application has its
 * own transformation context, and the parser and libxslt are initialised
 * once, before any thread starts (site_theme_load). The security
 * preferences are only read while pages are made.
 *
 * libxslt reports a loading error through its global callback, which only
 * the loading thread borrows; while a page is made, its messages go to
 * the transformation context's own callback and libxml2's (one per
 * thread), and from there into the message the caller gets.
 *
 * The HTML goes straight into the caller's buffer.
 *
 * The theme's words come from its strings files, strings/<lang>.xml, one
 * per language: read once when the theme is loaded (English first, then
 * the library's language over it; the default theme's, then the theme's
 * own over them), held in one hash table, and given to the stylesheet by
 * extension functions in the namespace THEME_NS, h:t(id, ...),
 * h:date(iso) and h:size(bytes), that only read it. A page never parses a
 * strings file, and a fixed word (h:t('id') alone) is put into the
 * stylesheet as text when it is parsed (bake), so it costs a page nothing.
 *
 * A theme of a library imports the default one as "hearth:default/page.xsl"
 * (the loader below maps that name to the default theme's folder); a theme
 * folder without a page.xsl takes the default's, with its own strings and
 * style sheet.
 */
#define _GNU_SOURCE /* realpath */
#include "siteInt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/xpathInternals.h>
#include <libxslt/documents.h>
#include <libxslt/extensions.h>
#include <libxslt/imports.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/variables.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

/* The namespace of the functions a theme calls for its words. */
#define THEME_NS "urn:hearth:theme"

struct site_theme {
	char *dir;
	char *def;  /* the default theme's folder, or NULL */
	char *real_dir, *real_def; /* both as realpath() has them, for what document() may read */
	char *css;  /* path of the style sheet to publish */
	char *xsl;  /* the page.xsl parsed: the theme's or the default's */
	xsltStylesheetPtr style;
	xsltSecurityPrefsPtr sec;
	xmlHashTablePtr strings; /* id -> text (xmlChar *), read only while pages are made */
	char lang[16];           /* the strings' language: "en", "fr" */
};

/* ---- finding the theme --------------------------------------------------- */

char *site_default_theme(void)
{
	return path_default_theme("/proc/self/exe");
}

/* ---- errors from libxslt ------------------------------------------------- */

static void collect(void *ctx, const char *fmt, ...) HEARTH_PRINTF(2, 3);
static void collect(void *ctx, const char *fmt, ...)
{
	struct buf *b = ctx;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (b->len < 600)
		buf_puts(b, line);
}

/* While a theme loads: libxslt's callback (global) and libxml2's (this thread's). */
static void capture(struct buf *b)
{
	xsltSetGenericErrorFunc(b, collect);
	xmlSetGenericErrorFunc(b, collect);
}

static void release_capture(void)
{
	xsltSetGenericErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
}

/* The collected messages on one line, for err. Borrows b, changes it. */
static const char *one_line(struct buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] == '\n' || b->data[i] == '\t')
			b->data[i] = ' ';
	return b->data ? str_trim(b->data) : "";
}

/* ---- the strings --------------------------------------------------------- */

/*
 * Reads the <s id="...">text</s> of the strings file at path into h, over
 * what h holds. A missing file is no error (a theme may leave a language,
 * or every word, to the default theme).
 */
static int strings_read(xmlHashTablePtr h, const char *path, struct hearth_err *err)
{
	xmlDocPtr doc = NULL;
	struct buf msgs = BUF_INIT;
	int rc = 0;

	if (!path_is_file(path))
		return 0;
	capture(&msgs);
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	release_capture();
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || xmlStrcmp(root->name, BAD_CAST "strings")) {
		rc = herr(err, HEARTH_EINVAL, "strings file '%s': expected <strings> of <s id>: %s",
			  path, one_line(&msgs));
		goto end;
	}
	for (xmlNodePtr n = root->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		xmlChar *id = xmlGetProp(n, BAD_CAST "id");
		if (xmlStrcmp(n->name, BAD_CAST "s") || !id || !*id) {
			rc = herr(err, HEARTH_EINVAL, "strings file '%s', line %ld: expected <s id=\"...\">",
				  path, xmlGetLineNo(n));
			xmlFree(id);
			goto end;
		}
		xmlHashUpdateEntry(h, id, xmlNodeGetContent(n), xmlHashDefaultDeallocator);
		xmlFree(id);
	}
end:
	if (doc)
		xmlFreeDoc(doc);
	buf_release(&msgs);
	return rc;
}

/* "fr" of "fr-CA", lowercase, into out (16 bytes); "en" for anything odd. */
static void primary_subtag(const char *lang, char out[16])
{
	size_t n = 0;
	for (const char *p = lang ? lang : ""; *p && *p != '-' && *p != '_' && n < 8; p++) {
		char ch = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		if (ch < 'a' || ch > 'z') {
			n = 0;
			break;
		}
		out[n++] = ch;
	}
	if (n < 2)
		memcpy(out, "en", 3);
	else
		out[n] = '\0';
}

/* Reads dir/strings/<lang>.xml into h (nothing when dir is NULL). */
static int strings_of(xmlHashTablePtr h, const char *dir, const char *lang,
		      struct hearth_err *err)
{
	if (!dir)
		return 0;
	char *name = xasprintf("strings/%s.xml", lang);
	char *path = path_join(dir, name);
	int rc = strings_read(h, path, err);
	free(path);
	free(name);
	return rc;
}

/* True when the folder holds a strings file for lang. */
static bool has_strings(const char *dir, const char *lang)
{
	if (!dir)
		return false;
	char *name = xasprintf("strings/%s.xml", lang);
	char *path = path_join(dir, name);
	bool yes = path_is_file(path);
	free(path);
	free(name);
	return yes;
}

/* Reads t's strings for lang (see site_theme_language); *found: lang has a file. */
static int read_strings(struct site_theme *t, const char *lang, bool *found,
			struct hearth_err *err)
{
	char want[16];
	const char *own = t->def && !strcmp(t->def, t->dir) ? NULL : t->dir;
	xmlHashTablePtr h = xmlHashCreate(256);
	int rc = 0;

	primary_subtag(lang, want);
	bool have = !strcmp(want, "en") || has_strings(t->def, want) || has_strings(own, want);
	*found = have;
	/* English under everything: a word a language lacks is said in English */
	if ((rc = strings_of(h, t->def, "en", err)) || (rc = strings_of(h, own, "en", err)))
		goto end;
	if (strcmp(want, "en") &&
	    ((rc = strings_of(h, t->def, want, err)) || (rc = strings_of(h, own, want, err))))
		goto end;
	if (!have)
		memcpy(want, "en", 3);
	memcpy(t->lang, want, sizeof want);
	xmlHashFree(t->strings, xmlHashDefaultDeallocator);
	t->strings = h;
	h = NULL;
end:
	if (h)
		xmlHashFree(h, xmlHashDefaultDeallocator);
	return rc;
}

/* The text of id, or NULL; borrows from t. */
static const char *word(const struct site_theme *t, const char *id)
{
	return t && t->strings ? (const char *)xmlHashLookup(t->strings, BAD_CAST id) : NULL;
}

/* True when s is a whole number ("-12", "2024"), as a count or a page is. */
static bool is_count(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s || strlen(s) > 18)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A count as the language writes it: "10,000", "10 000" (number.group). */
static void put_count(struct buf *out, const struct site_theme *t, const char *s)
{
	const char *sep = word(t, "number.group");
	size_t n;
	if (*s == '-')
		buf_putc(out, *s++);
	n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0 && n > 4 && sep)
			buf_puts(out, sep);
		buf_putc(out, s[i]);
	}
}

/*
 * The text with "{1}".."{9}" replaced by args[0..]: counts as the
 * language writes them, anything else as it is.
 */
static void fill(struct buf *out, const struct site_theme *t, const char *text, char **args,
		 int n)
{
	for (const char *p = text; *p; p++) {
		if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}') {
			int k = p[1] - '1';
			if (k < n && args[k]) {
				if (is_count(args[k]))
					put_count(out, t, args[k]);
				else
					buf_puts(out, args[k]);
			}
			p += 2;
			continue;
		}
		buf_putc(out, *p);
	}
}

/* The theme of the transformation that calls an extension function. */
static const struct site_theme *caller(xmlXPathParserContextPtr ctxt)
{
	xsltTransformContextPtr tc = xsltXPathGetTransformContext(ctxt);
	return tc ? tc->_private : NULL;
}

/*
 * h:t(id, arg1, ...): the text of id in the site's language, with {1}..{9}
 * replaced by the arguments. When the first argument is a count n that
 * the language says in the singular (1 in English; 0 and 1 in French) and
 * "<id>.one" exists, that text is taken. An unknown id is itself.
 */
static void fn_t(xmlXPathParserContextPtr ctxt, int nargs)
{
	const struct site_theme *t = caller(ctxt);
	char *args[9] = {0};
	struct buf out = BUF_INIT;

	if (nargs < 1 || nargs > 10) {
		xmlXPathSetArityError(ctxt);
		return;
	}
	for (int i = nargs - 2; i >= 0; i--)
		args[i] = (char *)xmlXPathPopString(ctxt);
	char *id = (char *)xmlXPathPopString(ctxt);
	const char *text = NULL;
	if (nargs > 1 && args[0] && is_count(args[0])) {
		long long n = strtoll(args[0], NULL, 10);
		bool one = t && !strcmp(t->lang, "fr") ? (n == 0 || n == 1) : n == 1;
		if (one) {
			char *alt = xasprintf("%s.one", id ? id : "");
			text = word(t, alt);
			free(alt);
		}
	}
	if (!text)
		text = word(t, id ? id : "");
	fill(&out, t, text ? text : id ? id : "", args, nargs - 1);
	valuePush(ctxt, xmlXPathNewString(BAD_CAST(out.data ? out.data : "")));
	buf_release(&out);
	for (int i = 0; i < nargs - 1; i++)
		xmlFree(args[i]);
	xmlFree(id);
}

/*
 * h:date(iso): a date as the language writes it, from "2024-05-10..."
 * and the strings date.format ("{d} {month} {y}"), date.month.<1..12>
 * and, when there is one, date.day.<d> ("1er"). Anything that is not
 * such a date comes back as it is.
 */
static void fn_date(xmlXPathParserContextPtr ctxt, int nargs)
{
	const struct site_theme *t = caller(ctxt);
	struct buf out = BUF_INIT;
	int y, m, d;
	char id[32], day[8], year[8];

	if (nargs != 1) {
		xmlXPathSetArityError(ctxt);
		return;
	}
	char *iso = (char *)xmlXPathPopString(ctxt);
	const char *fmt = word(t, "date.format");
	if (iso && fmt && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12 &&
	    d >= 1 && d <= 31) {
		snprintf(id, sizeof id, "date.month.%d", m);
		const char *month = word(t, id);
		snprintf(id, sizeof id, "date.day.%d", d);
		const char *dayw = word(t, id);
		snprintf(day, sizeof day, "%d", d);
		snprintf(year, sizeof year, "%d", y);
		char *args[3] = {(char *)(dayw ? dayw : day), (char *)(month ? month : ""), year};
		for (const char *p = fmt; *p; p++) {
			if (!strncmp(p, "{d}", 3) || !strncmp(p, "{y}", 3)) {
				buf_puts(&out, p[1] == 'd' ? args[0] : args[2]);
				p += 2;
			} else if (!strncmp(p, "{month}", 7)) {
				buf_puts(&out, args[1]);
				p += 6;
			} else {
				buf_putc(&out, *p);
			}
		}
	} else {
		buf_puts(&out, iso ? iso : "");
	}
	valuePush(ctxt, xmlXPathNewString(BAD_CAST(out.data ? out.data : "")));
	buf_release(&out);
	xmlFree(iso);
}

/*
 * h:size(bytes): a file's size as fmt_size writes it ("12.3 MB",
 * "480 kB") in the language's words: size.mb, size.kb and its decimal
 * mark, size.point.
 */
static void fn_size(xmlXPathParserContextPtr ctxt, int nargs)
{
	const struct site_theme *t = caller(ctxt);
	struct buf out = BUF_INIT;
	char num[32];

	if (nargs != 1) {
		xmlXPathSetArityError(ctxt);
		return;
	}
	double v = xmlXPathPopNumber(ctxt);
	long long bytes = v > 0 && v < 1e18 ? (long long)v : 0;
	const char *point = word(t, "size.point");
	const char *text;
	if (bytes >= 1000000) {
		long long tenths = (bytes + 50000) / 100000;
		snprintf(num, sizeof num, "%lld%s%d", tenths / 10, point ? point : ".",
			 (int)(tenths % 10));
		text = word(t, "size.mb");
		if (!text)
			text = "{1} MB";
	} else {
		snprintf(num, sizeof num, "%lld", (bytes + 999) / 1000);
		text = word(t, "size.kb");
		if (!text)
			text = "{1} kB";
	}
	char *args[1] = {num};
	fill(&out, t, text, args, 1);
	valuePush(ctxt, xmlXPathNewString(BAD_CAST(out.data ? out.data : "")));
	buf_release(&out);
}

/* ---- words put in when the theme is parsed --------------------------------- */

/* The theme whose stylesheets are being parsed (one thread, before any page). */
static const struct site_theme *parsing;
/* An element found there that would write another file (xsl:result-document), or NULL. */
static const char *writes_file;

/*
 * The id of an XPath expression that is only h:t('id') (with h bound to
 * THEME_NS at n), as a new allocation; NULL for anything else.
 */
static char *only_t(xmlNodePtr n, const char *expr)
{
	const char *p = expr, *colon, *q, *end;
	while (*p == ' ')
		p++;
	if (!(colon = strchr(p, ':')) || strncmp(colon, ":t(", 3))
		return NULL;
	q = colon + 3;
	if ((*q != '\'' && *q != '"') || !(end = strchr(q + 1, *q)))
		return NULL;
	p = end + 1;
	while (*p == ' ')
		p++;
	if (*p++ != ')')
		return NULL;
	while (*p == ' ')
		p++;
	if (*p)
		return NULL;
	char *prefix = xstrndup(expr + strspn(expr, " "), (size_t)(colon - expr) - strspn(expr, " "));
	xmlNsPtr ns = xmlSearchNs(n->doc, n, BAD_CAST prefix);
	free(prefix);
	if (!ns || strcmp((const char *)ns->href, THEME_NS))
		return NULL;
	return xstrndup(q + 1, (size_t)(end - q - 1));
}

/* The word of id when the theme being parsed has it, else id (as h:t says it). */
static const char *baked(const char *id)
{
	const char *w = word(parsing, id);
	return w ? w : id;
}

/*
 * An attribute value template with each {h:t('id')} replaced by its word
 * (braces doubled); NULL when there is none. New allocation.
 */
static char *bake_avt(xmlNodePtr n, const char *v)
{
	struct buf out = BUF_INIT;
	bool any = false;
	for (const char *p = v; *p;) {
		const char *close;
		if (p[0] == '{' && p[1] != '{' && (close = strchr(p, '}'))) {
			char *inner = xstrndup(p + 1, (size_t)(close - p - 1));
			char *id = only_t(n, inner);
			free(inner);
			if (id) {
				for (const char *w = baked(id); *w; w++) {
					if (*w == '{' || *w == '}')
						buf_putc(&out, *w);
					buf_putc(&out, *w);
				}
				free(id);
				any = true;
			} else {
				buf_add(&out, p, (size_t)(close - p + 1));
			}
			p = close + 1;
		} else if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			buf_add(&out, p, 2);
			p += 2;
		} else {
			buf_putc(&out, *p++);
		}
	}
	if (!any) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out);
}

/*
 * Puts the words of the theme being parsed into a stylesheet where they
 * cannot change: <xsl:value-of select="h:t('id')"/> becomes <xsl:text>
 * of the word, and {h:t('id')} in an attribute of the page the word
 * itself. The page then says them as it says any literal text, with no
 * XPath to evaluate: what h:t would say, at no cost per page. Calls with
 * arguments, and template t, stay for when the page is made.
 */
static void bake(xmlNodePtr n)
{
	for (xmlNodePtr c = n->children, next; c; c = next) {
		next = c->next;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		bool xsl = c->ns && !strcmp((const char *)c->ns->href, (const char *)XSLT_NAMESPACE);
		/* XSLT 2.0's, which libxslt would pass over with a message on stderr */
		if (xsl && !strcmp((const char *)c->name, "result-document"))
			writes_file = "xsl:result-document";
		if (xsl && !strcmp((const char *)c->name, "value-of") &&
		    !xmlHasProp(c, BAD_CAST "disable-output-escaping")) {
			xmlChar *sel = xmlGetProp(c, BAD_CAST "select");
			char *id = sel ? only_t(c, (const char *)sel) : NULL;
			xmlFree(sel);
			if (id) {
				xmlNodePtr text = xmlNewDocNode(c->doc, c->ns, BAD_CAST "text", NULL);
				xmlNodeAddContent(text, BAD_CAST baked(id));
				xmlReplaceNode(c, text);
				xmlFreeNode(c);
				free(id);
				continue;
			}
		}
		if (!xsl) {
			for (xmlAttrPtr a = c->properties; a; a = a->next) {
				xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
				char *nv = v && strchr((const char *)v, '{') ? bake_avt(c, (const char *)v) : NULL;
				if (nv)
					xmlSetNsProp(c, a->ns, a->name, BAD_CAST nv);
				free(nv);
				xmlFree(v);
			}
		}
		bake(c);
	}
}

/* ---- importing the default theme ----------------------------------------- */

static xsltDocLoaderFunc base_loader;

/*
 * libxslt's loader, but "hearth:default/<path>" is <path> in the default
 * theme's folder, so a library's theme can import the default one
 * wherever hearth is installed.
 */
static xmlDocPtr load_doc(const xmlChar *uri, xmlDictPtr dict, int options, void *ctxt,
			  xsltLoadType type)
{
	static const char prefix[] = "hearth:default/";
	if (uri && !strncmp((const char *)uri, prefix, sizeof prefix - 1)) {
		const char *rel = (const char *)uri + sizeof prefix - 1;
		char *def = site_default_theme(), *path = NULL;
		xmlDocPtr doc = NULL;
		if (def && path_is_safe_rel(rel)) {
			path = path_join(def, rel);
			doc = base_loader(BAD_CAST path, dict, options, ctxt, type);
		}
		free(path);
		free(def);
		if (doc && parsing && (type == XSLT_LOAD_START || type == XSLT_LOAD_STYLESHEET))
			bake((xmlNodePtr)doc);
		return doc;
	}
	xmlDocPtr doc = base_loader(uri, dict, options, ctxt, type);
	if (doc && parsing && (type == XSLT_LOAD_START || type == XSLT_LOAD_STYLESHEET))
		bake((xmlNodePtr)doc);
	return doc;
}

/* Once, before any theme is parsed: the functions and the loader. */
static void register_once(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	xsltRegisterExtModuleFunction(BAD_CAST "t", BAD_CAST THEME_NS, fn_t);
	xsltRegisterExtModuleFunction(BAD_CAST "date", BAD_CAST THEME_NS, fn_date);
	xsltRegisterExtModuleFunction(BAD_CAST "size", BAD_CAST THEME_NS, fn_size);
	base_loader = xsltDocDefaultLoader;
	xsltSetLoaderFunc(load_doc);
}

/* ---- what a theme may read ----------------------------------------------- */

/* True when path is in the folder real (a realpath), or is it. */
static bool inside(const char *path, const char *real)
{
	if (!real)
		return false;
	char *p = realpath(path, NULL);
	size_t n = strlen(real);
	bool yes = p && !strncmp(p, real, n) && (p[n] == '/' || p[n] == '\0');
	free(p);
	return yes;
}

/*
 * libxslt asks before document() reads a file: only the theme's files
 * and the default theme's. Anything else stops the page, and with it
 * the build, with libxslt's message naming the file.
 */
static int may_read(xsltSecurityPrefsPtr sec, xsltTransformContextPtr tc, const char *path)
{
	(void)sec;
	const struct site_theme *t = tc ? tc->_private : NULL;
	if (t && (inside(path, t->real_dir) || inside(path, t->real_def)))
		return 1;
	if (tc)
		tc->state = XSLT_STATE_STOPPED;
	return 0;
}

/* ---- loading and applying ------------------------------------------------ */

/* Parses t->xsl (again) with t's words put in (bake). */
static int parse_style(struct site_theme *t, struct hearth_err *err)
{
	struct buf msgs = BUF_INIT;
	int rc = 0;
	if (t->style)
		xsltFreeStylesheet(t->style);
	capture(&msgs);
	parsing = t;
	writes_file = NULL;
	t->style = xsltParseStylesheetFile(BAD_CAST t->xsl);
	parsing = NULL;
	release_capture();
	if (!t->style || t->style->errors)
		rc = herr(err, HEARTH_EINVAL, "theme '%s': page.xsl is not a usable XSLT stylesheet: %s",
			  t->dir, one_line(&msgs));
	else if (writes_file)
		rc = herr(err, HEARTH_EINVAL,
			  "theme '%s': page.xsl uses %s: a theme makes one page and writes no file",
			  t->dir, writes_file);
	buf_release(&msgs);
	return rc;
}

int site_theme_language(site_theme *t, const char *lang, bool *found, struct hearth_err *err)
{
	char was[16];
	bool have;
	memcpy(was, t->lang, sizeof was);
	int rc = read_strings(t, lang, &have, err);
	if (found)
		*found = have;
	if (!rc && strcmp(was, t->lang))
		rc = parse_style(t, err);
	return rc;
}

int site_theme_load(const char *dir, site_theme **out, struct hearth_err *err)
{
	struct site_theme *t = xcalloc(1, sizeof *t);
	char *xsl = path_join(dir, "page.xsl");
	int rc = 0;

	*out = NULL;
	/* once, before the threads that apply the theme start */
	xmlInitParser();
	xsltInit();
	register_once();
	t->dir = xstrdup(dir);
	t->def = site_default_theme();
	t->real_dir = realpath(dir, NULL);
	t->real_def = t->def ? realpath(t->def, NULL) : NULL;
	if (!path_is_file(xsl) && t->def && strcmp(t->def, dir) && path_is_dir(dir)) {
		/* a theme of strings and style only: the default's templates */
		free(xsl);
		xsl = path_join(t->def, "page.xsl");
	}
	if (!path_is_file(xsl)) {
		rc = herr(err, HEARTH_ENOENT, "theme '%s': no page.xsl in it", dir);
		goto end;
	}
	t->xsl = xsl;
	xsl = NULL;
	bool found;
	if ((rc = read_strings(t, "en", &found, err)) || (rc = parse_style(t, err)))
		goto end;
	t->css = path_join(dir, "style.css");
	if (!path_is_file(t->css)) {
		char *def = site_default_theme();
		xfree(&t->css);
		if (def)
			t->css = path_join(def, "style.css");
		free(def);
		if (t->css && !path_is_file(t->css))
			xfree(&t->css);
	}

	t->sec = xsltNewSecurityPrefs();
	if (!t->sec ||
	    xsltSetSecurityPrefs(t->sec, XSLT_SECPREF_WRITE_FILE, xsltSecurityForbid) ||
	    xsltSetSecurityPrefs(t->sec, XSLT_SECPREF_CREATE_DIRECTORY, xsltSecurityForbid) ||
	    xsltSetSecurityPrefs(t->sec, XSLT_SECPREF_WRITE_NETWORK, xsltSecurityForbid) ||
	    xsltSetSecurityPrefs(t->sec, XSLT_SECPREF_READ_NETWORK, xsltSecurityForbid) ||
	    xsltSetSecurityPrefs(t->sec, XSLT_SECPREF_READ_FILE, may_read))
		rc = herr(err, HEARTH_EIO, "theme '%s': cannot set the security policy", dir);
end:
	free(xsl);
	if (rc)
		site_theme_free(&t);
	*out = t;
	return rc;
}

void site_theme_free(site_theme **tp)
{
	struct site_theme *t = *tp;
	if (!t)
		return;
	if (t->style)
		xsltFreeStylesheet(t->style);
	if (t->sec)
		xsltFreeSecurityPrefs(t->sec);
	if (t->strings)
		xmlHashFree(t->strings, xmlHashDefaultDeallocator);
	free(t->css);
	free(t->def);
	free(t->real_dir);
	free(t->real_def);
	free(t->xsl);
	free(t->dir);
	free(t);
	*tp = NULL;
}

const char *site_theme_css(const site_theme *t)
{
	return t->css;
}

char *site_theme_file(const site_theme *t, const char *name)
{
	char *path = path_join(t->dir, name);
	if (path_is_file(path))
		return path;
	free(path);
	char *def = site_default_theme();
	path = def ? path_join(def, name) : NULL;
	free(def);
	if (path && !path_is_file(path))
		xfree(&path);
	return path;
}

/* An output buffer's sink: appends to the struct buf in ctx. */
static int write_buf(void *ctx, const char *data, int len)
{
	buf_add(ctx, data, (size_t)len);
	return len;
}

/*
 * Serialises a result to the end of out. HTML through site_html5_write
 * (html5.c); any other method as xsltSaveResultToString() does, in the
 * theme's encoding, through an output buffer that writes straight into
 * out (UTF-8 needs no encoder, as in libxslt).
 */
static int dump_result(xmlDocPtr res, xsltStylesheetPtr style, struct buf *out)
{
	xmlCharEncodingHandlerPtr enc = NULL;
	const xmlChar *encoding = NULL;

	if (res->type == XML_HTML_DOCUMENT_NODE) {
		site_html5_write(res, out);
		return 0;
	}
	XSLT_GET_IMPORT_PTR(encoding, style, encoding);
	if (encoding) {
		enc = xmlFindCharEncodingHandler((const char *)encoding);
		if (enc && !xmlStrcasecmp(BAD_CAST enc->name, BAD_CAST "UTF-8")) {
			xmlCharEncCloseFunc(enc);
			enc = NULL;
		}
	}
	xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(write_buf, NULL, out, enc);
	if (!ob)
		return -1;
	int rc = xsltSaveResultTo(ob, res, style) < 0 ? -1 : 0;
	if (ob->error)
		rc = -1;
	return xmlOutputBufferClose(ob) < 0 ? -1 : rc;
}

int site_theme_apply(site_theme *t, xmlDocPtr page, const char *root, struct buf *out,
		     struct hearth_err *err)
{
	struct buf msgs = BUF_INIT;
	xsltTransformContextPtr tc = NULL;
	xmlDocPtr res = NULL;
	size_t start = out->len;
	int rc = 0;

	/*
	 * libxslt reports through the context; libxml2's own messages (XPath)
	 * go through its generic handler, which is the calling thread's
	 */
	xmlGenericErrorFunc old_fn = xmlGenericError;
	void *old_ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(&msgs, collect);
	tc = xsltNewTransformContext(t->style, page);
	if (!tc) {
		rc = herr(err, HEARTH_EIO, "theme '%s': cannot start a transformation", t->dir);
		goto end;
	}
	xsltSetCtxtSecurityPrefs(t->sec, tc);
	tc->_private = t; /* for h:t and h:date */
	xsltSetTransformErrorFunc(tc, &msgs, collect);
	xsltQuoteOneUserParam(tc, BAD_CAST "root", BAD_CAST root);
	res = xsltApplyStylesheetUser(t->style, page, NULL, NULL, NULL, tc);
	if (!res || tc->state != XSLT_STATE_OK) {
		rc = herr(err, HEARTH_EINVAL, "theme '%s': page.xsl failed: %s", t->dir,
			  one_line(&msgs));
		goto end;
	}
	buf_puts(out, "<!DOCTYPE html>\n");
	if (dump_result(res, t->style, out) != 0) {
		rc = herr(err, HEARTH_EIO, "theme '%s': cannot write the page", t->dir);
		goto end;
	}
end:
	xmlSetGenericErrorFunc(old_ctx, old_fn);
	if (rc && out->data) {
		out->len = start;
		out->data[start] = '\0';
	}
	if (res)
		xmlFreeDoc(res);
	if (tc)
		xsltFreeTransformContext(tc);
	buf_release(&msgs);
	return rc;
}
