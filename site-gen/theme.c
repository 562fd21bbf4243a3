/*
 * theme.c - the XSLT theme: finds it, loads page.xsl once per build, and
 * applies it to each page document to make HTML. The theme may not write
 * files, make folders or use the network (libxslt security preferences);
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
 */
#include "siteInt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/variables.h>
#include <libxslt/xslt.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

struct site_theme {
	char *dir;
	char *css;  /* path of the style sheet to publish */
	xsltStylesheetPtr style;
	xsltSecurityPrefsPtr sec;
};

/* ---- finding the theme --------------------------------------------------- */

static char *theme_if_there(char *dir)
{
	char *xsl = path_join(dir, "page.xsl");
	bool ok = path_is_file(xsl);
	free(xsl);
	if (ok)
		return dir;
	free(dir);
	return NULL;
}

char *site_default_theme(void)
{
	const char *env = getenv("HEARTH_THEME_DIR");
	char *dir;

	if (env && *env)
		return xstrdup(env);

	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *bin = path_dir(exe);
		/* a build tree or an unpacked release, then an install under any prefix */
		dir = theme_if_there(path_join(bin, "themes/default"));
		if (!dir)
			dir = theme_if_there(path_join(bin, "../share/hearth/themes/default"));
		free(bin);
		if (dir)
			return dir;
	}
	return theme_if_there(xstrdup(HEARTH_DATADIR "/themes/default"));
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

/* ---- loading and applying ------------------------------------------------ */

int site_theme_load(const char *dir, site_theme **out, struct hearth_err *err)
{
	struct site_theme *t = xcalloc(1, sizeof *t);
	struct buf msgs = BUF_INIT;
	char *xsl = path_join(dir, "page.xsl");
	int rc = 0;

	*out = NULL;
	/* once, before the threads that apply the theme start */
	xmlInitParser();
	xsltInit();
	t->dir = xstrdup(dir);
	if (!path_is_file(xsl)) {
		rc = herr(err, HEARTH_ENOENT, "theme '%s': no page.xsl in it", dir);
		goto end;
	}
	capture(&msgs);
	t->style = xsltParseStylesheetFile(BAD_CAST xsl);
	release_capture();
	if (!t->style || t->style->errors) {
		rc = herr(err, HEARTH_EINVAL, "theme '%s': page.xsl is not a usable XSLT stylesheet: %s",
			  dir, one_line(&msgs));
		goto end;
	}
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
	    xsltSetSecurityPrefs(t->sec, XSLT_SECPREF_READ_NETWORK, xsltSecurityForbid))
		rc = herr(err, HEARTH_EIO, "theme '%s': cannot set the security policy", dir);
end:
	free(xsl);
	buf_release(&msgs);
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
	free(t->css);
	free(t->dir);
	free(t);
	*tp = NULL;
}

const char *site_theme_css(const site_theme *t)
{
	return t->css;
}

/*
 * The HTML of a result, as xsltSaveResultToString() writes it for
 * method="html" but without its htmlSetMetaEncoding() step: that step adds
 * <meta http-equiv="Content-Type"> beside the theme's own <meta charset>,
 * and HTML allows only one of them. UTF-8 needs no encoder, as in libxslt.
 */
static int dump_html(xmlDocPtr res, xmlChar **html, int *len)
{
	xmlOutputBufferPtr ob = xmlAllocOutputBuffer(NULL);
	if (!ob)
		return -1;
	htmlDocContentDumpFormatOutput(ob, res, "UTF-8", 0);
	xmlOutputBufferFlush(ob);
	const xmlChar *data = xmlOutputBufferGetContent(ob);
	*len = (int)xmlOutputBufferGetSize(ob);
	*html = xmlStrndup(data, *len);
	return xmlOutputBufferClose(ob) < 0 || !*html ? -1 : 0;
}

/*
 * Appends html to out without the end tags of HTML5's void elements that
 * libxml2's HTML 4 serialiser does not know (<source>, <track>, <wbr>): it
 * writes "<source ...></source>", and an end tag there is an error in
 * HTML5. In serialised HTML a literal "</source>" can only be such a tag,
 * since text and attribute values have their "<" escaped.
 */
static void add_html5(struct buf *out, const char *html, size_t len)
{
	static const char *const ends[] = {"</source>", "</track>", "</wbr>"};
	size_t i = 0, from = 0;

	while (i < len) {
		const char *lt = memchr(html + i, '<', len - i);
		if (!lt)
			break;
		i = (size_t)(lt - html);
		size_t skip = 0;
		for (size_t k = 0; k < sizeof ends / sizeof ends[0] && !skip; k++) {
			size_t n = strlen(ends[k]);
			if (len - i >= n && !memcmp(html + i, ends[k], n))
				skip = n;
		}
		if (skip) {
			buf_add(out, html + from, i - from);
			from = i + skip;
			i = from;
		} else {
			i++;
		}
	}
	buf_add(out, html + from, len - from);
}

int site_theme_apply(site_theme *t, xmlDocPtr page, const char *root, struct buf *out,
		     struct hearth_err *err)
{
	struct buf msgs = BUF_INIT;
	xsltTransformContextPtr tc = NULL;
	xmlDocPtr res = NULL;
	xmlChar *html = NULL;
	int len = 0, rc = 0;

	xmlSetGenericErrorFunc(&msgs, collect); /* this thread's; libxslt's below */
	tc = xsltNewTransformContext(t->style, page);
	if (!tc) {
		rc = herr(err, HEARTH_EIO, "theme '%s': cannot start a transformation", t->dir);
		goto end;
	}
	xsltSetCtxtSecurityPrefs(t->sec, tc);
	xsltSetTransformErrorFunc(tc, &msgs, collect);
	xsltQuoteOneUserParam(tc, BAD_CAST "root", BAD_CAST root);
	res = xsltApplyStylesheetUser(t->style, page, NULL, NULL, NULL, tc);
	if (!res || tc->state != XSLT_STATE_OK) {
		rc = herr(err, HEARTH_EINVAL, "theme '%s': page.xsl failed: %s", t->dir,
			  one_line(&msgs));
		goto end;
	}
	if (res->type == XML_HTML_DOCUMENT_NODE)
		rc = dump_html(res, &html, &len);
	else
		rc = xsltSaveResultToString(&html, &len, res, t->style);
	if (rc != 0) {
		rc = herr(err, HEARTH_EIO, "theme '%s': cannot write the page", t->dir);
		goto end;
	}
	buf_puts(out, "<!DOCTYPE html>\n");
	if (html && res->type == XML_HTML_DOCUMENT_NODE)
		add_html5(out, (const char *)html, (size_t)len);
	else if (html)
		buf_add(out, html, (size_t)len);
end:
	xmlSetGenericErrorFunc(NULL, NULL);
	xmlFree(html);
	if (res)
		xmlFreeDoc(res);
	if (tc)
		xsltFreeTransformContext(tc);
	buf_release(&msgs);
	return rc;
}
