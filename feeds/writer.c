/*
 * writer.c - the XML writer the RSS, Atom and OPML files share (see
 * writer.h), and the text helpers they have in common: the HTML escape of
 * plain text and the description with its content warnings first.
 *
 * Determinism: no clock, no environment; libxml2 writes attributes in the
 * order they are given.
 */
#include "writer.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef const xmlChar *X;

int fw_open(struct fw *w, struct hearth_err *err)
{
	w->failed = 0;
	w->buf = xmlBufferCreate();
	w->x = w->buf ? xmlNewTextWriterMemory(w->buf, 0) : NULL;
	if (!w->x)
		return herr(err, HEARTH_EIO, "feed: cannot start the XML writer");
	xmlTextWriterSetIndent(w->x, 1);
	xmlTextWriterSetIndentString(w->x, (X) "  ");
	if (xmlTextWriterStartDocument(w->x, "1.0", "UTF-8", NULL) < 0)
		w->failed = 1;
	return 0;
}

int fw_close(struct fw *w, struct buf *out, struct hearth_err *err)
{
	int rc = 0;
	if (w->x) {
		if (!w->failed && xmlTextWriterEndDocument(w->x) < 0)
			w->failed = 1;
		xmlFreeTextWriter(w->x); /* flushes into buf */
		w->x = NULL;
		if (w->failed)
			rc = herr(err, HEARTH_EIO, "feed: the XML writer failed");
		else
			buf_add(out, xmlBufferContent(w->buf), (size_t)xmlBufferLength(w->buf));
	}
	if (w->buf)
		xmlBufferFree(w->buf);
	w->buf = NULL;
	return rc;
}

void fw_start(struct fw *w, const char *name)
{
	if (!w->failed && xmlTextWriterStartElement(w->x, (X)name) < 0)
		w->failed = 1;
}

void fw_end(struct fw *w)
{
	if (!w->failed && xmlTextWriterEndElement(w->x) < 0)
		w->failed = 1;
}

void fw_attr(struct fw *w, const char *name, const char *value)
{
	if (value && !w->failed && xmlTextWriterWriteAttribute(w->x, (X)name, (X)value) < 0)
		w->failed = 1;
}

void fw_attr_int(struct fw *w, const char *name, int64_t v)
{
	char s[32];
	snprintf(s, sizeof s, "%" PRId64, v);
	fw_attr(w, name, s);
}

void fw_text(struct fw *w, const char *text)
{
	if (text && !w->failed && xmlTextWriterWriteString(w->x, (X)text) < 0)
		w->failed = 1;
}

void fw_elem(struct fw *w, const char *name, const char *text)
{
	if (!text || w->failed)
		return;
	if (xmlTextWriterWriteElement(w->x, (X)name, (X)text) < 0)
		w->failed = 1;
}

void fw_elem_int(struct fw *w, const char *name, int64_t v)
{
	char s[32];
	snprintf(s, sizeof s, "%" PRId64, v);
	fw_elem(w, name, s);
}

void fw_elem_attr(struct fw *w, const char *name, const char *a, const char *v)
{
	if (!v)
		return;
	fw_start(w, name);
	fw_attr(w, a, v);
	fw_end(w);
}

/*
 * A CDATA section cannot hold "]]>", so the text is split there: "]]" ends
 * one section and ">" starts the next.
 */
void fw_cdata(struct fw *w, const char *html)
{
	const char *p = html;
	for (;;) {
		const char *q = strstr(p, "]]>");
		size_t n = q ? (size_t)(q - p) + 2 : strlen(p);
		char *part = xstrndup(p, n);
		if (!w->failed && xmlTextWriterWriteCDATA(w->x, (X)part) < 0)
			w->failed = 1;
		free(part);
		if (!q)
			break;
		p = q + 2;
	}
}

bool fw_text_ok(const char *s)
{
	return !s || text_valid(s, strlen(s));
}

void fw_html_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_putc(b, *s);
		}
	}
}

char *fw_description(char *const *warnings, const char *summary)
{
	struct buf b = BUF_INIT;
	if (warnings && warnings[0]) {
		buf_puts(&b, "Content warning: ");
		for (size_t i = 0; warnings[i]; i++) {
			if (i)
				buf_puts(&b, ", ");
			fw_html_escape(&b, warnings[i]);
		}
		buf_puts(&b, ". ");
	}
	if (summary)
		fw_html_escape(&b, summary);
	buf_puts(&b, "");
	return buf_detach(&b);
}

bool fw_url_ok(const char *url)
{
	const char *rest;
	if (!url)
		return false;
	if (!strncasecmp(url, "https://", 8))
		rest = url + 8;
	else if (!strncasecmp(url, "http://", 7))
		rest = url + 7;
	else
		return false;
	if (!*rest || *rest == '/')
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' ||
		    *p == '\\' || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}
