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
 *
 * The HTML goes straight into the caller's buffer.
 */
#include "siteInt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxslt/imports.h>
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
 * Serialises a result to the end of out through an output buffer that
 * writes straight into it. HTML as xsltSaveResultToString() writes it for
 * method="html" but without its htmlSetMetaEncoding() step: that step
 * adds <meta http-equiv="Content-Type"> beside the theme's own <meta
 * charset>, and HTML allows only one of them; UTF-8 needs no encoder, as
 * in libxslt. Any other method as xsltSaveResultToString() does, in the
 * theme's encoding.
 */
static int dump_result(xmlDocPtr res, xsltStylesheetPtr style, struct buf *out)
{
	xmlCharEncodingHandlerPtr enc = NULL;
	const xmlChar *encoding = NULL;

	if (res->type != XML_HTML_DOCUMENT_NODE) {
		XSLT_GET_IMPORT_PTR(encoding, style, encoding);
		if (encoding) {
			enc = xmlFindCharEncodingHandler((const char *)encoding);
			if (enc && !xmlStrcasecmp(BAD_CAST enc->name, BAD_CAST "UTF-8")) {
				xmlCharEncCloseFunc(enc);
				enc = NULL;
			}
		}
	}
	xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(write_buf, NULL, out, enc);
	if (!ob)
		return -1;
	int rc = 0;
	if (res->type == XML_HTML_DOCUMENT_NODE)
		htmlDocContentDumpFormatOutput(ob, res, "UTF-8", 0);
	else
		rc = xsltSaveResultTo(ob, res, style) < 0 ? -1 : 0;
	if (ob->error)
		rc = -1;
	return xmlOutputBufferClose(ob) < 0 ? -1 : rc;
}

/*
 * Takes out of out, from byte from on, the end tags of HTML5's void
 * elements that libxml2's HTML 4 serialiser does not know (<source>,
 * <track>, <wbr>): it writes "<source ...></source>", and an end tag
 * there is an error in HTML5. In serialised HTML a literal "</source>"
 * can only be such a tag, since text and attribute values have their "<"
 * escaped. Works in place: what stays only moves towards the start.
 */
static void drop_void_end_tags(struct buf *out, size_t from)
{
	static const char *const ends[] = {"</source>", "</track>", "</wbr>"};
	char *d = out->data;
	const char *lt;
	size_t len = out->len, r = from, w = from, kept = from; /* d[kept, r) stays */

	while ((lt = memchr(d + r, '<', len - r))) {
		r = (size_t)(lt - d);
		size_t skip = 0;
		for (size_t k = 0; k < sizeof ends / sizeof ends[0] && !skip; k++) {
			size_t n = strlen(ends[k]);
			if (len - r >= n && !memcmp(d + r, ends[k], n))
				skip = n;
		}
		if (!skip) {
			r++;
			continue;
		}
		if (w != kept)
			memmove(d + w, d + kept, r - kept);
		w += r - kept;
		r += skip;
		kept = r;
	}
	if (w != kept)
		memmove(d + w, d + kept, len - kept);
	w += len - kept;
	out->len = w;
	d[w] = '\0';
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
	if (res->type == XML_HTML_DOCUMENT_NODE)
		drop_void_end_tags(out, start);
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
