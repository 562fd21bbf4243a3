/*
 * html.c - the HTML writer of the peers' and editors' pages. A page is
 * built element by element into a buffer: tag and attribute names are
 * literals of the program, and every text and attribute value is escaped
 * (& < > " ' all of them, everywhere), so nothing anyone typed can become
 * markup. There is no call that writes raw markup.
 *
 * A tag or attribute name that is not a plain lowercase name ([a-z], then
 * [a-z0-9-]) is a mistake of the program; it is dropped (an element with
 * such a name is not written, nor is its closing tag; an attribute is
 * left out) rather than aborting a server that is answering others. The
 * unit tests see that it is dropped. Control characters that HTML does
 * not allow are dropped from text, and bytes that are not UTF-8 become
 * U+FFFD, so every page is valid for the Nu Html Checker.
 */
#define _GNU_SOURCE
#include "serveInt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The theme's icon (the same as the site's page.xsl gives). */
static const char ICON[] = "data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'%20"
			   "viewBox='0%200%2016%2016'%3E%3Ccircle%20cx='8'%20cy='8'%20r='7'%20"
			   "fill='%23b5542a'/%3E%3C/svg%3E";

static bool plain_name(const char *s)
{
	if (!s || !(*s >= 'a' && *s <= 'z'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

/* The length of the UTF-8 sequence at p (n bytes left), 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0], need, min, cp;
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0)
		need = 1, min = 0x80, cp = c & 0x1F;
	else if ((c & 0xF0) == 0xE0)
		need = 2, min = 0x800, cp = c & 0x0F;
	else if ((c & 0xF8) == 0xF0)
		need = 3, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	if (need >= n)
		return 0;
	for (unsigned k = 1; k <= need; k++) {
		if ((p[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
	    (cp >= 0x80 && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
	    (cp & 0xFFFE) == 0xFFFE)
		return 0;
	return need + 1;
}

/* s escaped for text and for attribute values in quotes alike. */
static void escape(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	while (n) {
		size_t k;
		switch (*p) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		case '\t': case '\n': buf_putc(b, (char)*p); break;
		case '\r': break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				break;
			if ((k = utf8_len(p, n)) == 0) {
				buf_puts(b, "\xEF\xBF\xBD");
				break;
			}
			buf_add(b, p, k);
			p += k;
			n -= k;
			continue;
		}
		p++;
		n--;
	}
}

/* " name="value"" for each pair up to the NULL name; NULL values left out. */
static void attrs(struct buf *b, va_list ap)
{
	const char *name, *value;
	while ((name = va_arg(ap, const char *))) {
		value = va_arg(ap, const char *);
		if (!value || !plain_name(name))
			continue;
		buf_putc(b, ' ');
		buf_puts(b, name);
		if (*value) {
			buf_puts(b, "=\"");
			escape(b, value);
			buf_putc(b, '"');
		}
	}
}

static void open_v(struct html *h, const char *tag, va_list ap)
{
	bool ok = plain_name(tag) && h->depth < (int)(sizeof h->open / sizeof h->open[0]);
	if (ok) {
		buf_putc(&h->out, '<');
		buf_puts(&h->out, tag);
		attrs(&h->out, ap);
		buf_putc(&h->out, '>');
	}
	if (h->depth < (int)(sizeof h->open / sizeof h->open[0]))
		h->open[h->depth] = ok ? tag : NULL;
	h->depth++;
}

void html_open(struct html *h, const char *tag, ...)
{
	va_list ap;
	va_start(ap, tag);
	open_v(h, tag, ap);
	va_end(ap);
}

void html_close(struct html *h)
{
	const char *tag;
	if (h->depth <= 0)
		return;
	h->depth--;
	if (h->depth >= (int)(sizeof h->open / sizeof h->open[0]))
		return;
	tag = h->open[h->depth];
	if (tag) {
		buf_puts(&h->out, "</");
		buf_puts(&h->out, tag);
		buf_putc(&h->out, '>');
		if (!strcmp(tag, "p") || !strcmp(tag, "li") || !strcmp(tag, "tr") ||
		    !strcmp(tag, "form") || !strcmp(tag, "fieldset") || !strcmp(tag, "div") ||
		    !strcmp(tag, "section") || !strcmp(tag, "ul") || !strcmp(tag, "ol") ||
		    !strcmp(tag, "table") || !strcmp(tag, "header") || !strcmp(tag, "main") ||
		    !strcmp(tag, "footer") || !strcmp(tag, "head") || !strcmp(tag, "body"))
			buf_putc(&h->out, '\n');
	}
}

void html_void(struct html *h, const char *tag, ...)
{
	va_list ap;
	if (!plain_name(tag))
		return;
	buf_putc(&h->out, '<');
	buf_puts(&h->out, tag);
	va_start(ap, tag);
	attrs(&h->out, ap);
	va_end(ap);
	buf_putc(&h->out, '>');
}

void html_text(struct html *h, const char *text)
{
	escape(&h->out, text);
}

void html_textf(struct html *h, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	escape(&h->out, s);
	free(s);
}

void html_elem(struct html *h, const char *tag, const char *text, ...)
{
	va_list ap;
	va_start(ap, text);
	open_v(h, tag, ap);
	va_end(ap);
	escape(&h->out, text);
	html_close(h);
}

/* The line at *s (up to '\n' or the end) is blank. */
static bool blank_line(const char *s)
{
	for (; *s && *s != '\n'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r')
			return false;
	return true;
}

void html_paragraphs(struct html *h, const char *text)
{
	const char *s = text ? text : "";
	bool in_p = false, line_open = false;
	struct buf line = BUF_INIT;

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		if (blank_line(s)) {
			if (in_p)
				html_close(h);
			in_p = line_open = false;
		} else {
			if (!in_p) {
				html_open(h, "p", NULL);
				in_p = true;
			} else if (line_open) {
				html_void(h, "br", NULL);
				buf_putc(&h->out, '\n');
			}
			buf_reset(&line);
			buf_add(&line, s, n);
			escape(&h->out, buf_cstr(&line));
			line_open = true;
		}
		s += n;
		if (*s == '\n')
			s++;
	}
	if (in_p)
		html_close(h);
	buf_release(&line);
}

void html_begin(struct html *h, const char *lang, const char *site_title,
		const char *page_title)
{
	html_begin_refresh(h, lang, site_title, page_title, 0);
}

void html_begin_refresh(struct html *h, const char *lang, const char *site_title,
			const char *page_title, unsigned refresh)
{
	struct buf title = BUF_INIT;
	if (page_title && *page_title && site_title && *site_title)
		buf_printf(&title, "%s \xE2\x80\x94 %s", page_title, site_title);
	else
		buf_puts(&title, page_title && *page_title ? page_title
				 : site_title && *site_title ? site_title : "Hearth");
	buf_puts(&h->out, "<!doctype html>\n");
	html_open(h, "html", "lang", lang && *lang ? lang : "en", NULL);
	buf_putc(&h->out, '\n');
	html_open(h, "head", NULL);
	html_void(h, "meta", "charset", "utf-8", NULL);
	html_void(h, "meta", "name", "viewport", "content", "width=device-width, initial-scale=1",
		  NULL);
	html_void(h, "meta", "name", "robots", "content", "noindex", NULL);
	if (refresh) {
		char every[16];
		snprintf(every, sizeof every, "%u", refresh);
		html_void(h, "meta", "http-equiv", "refresh", "content", every, NULL);
	}
	html_elem(h, "title", buf_cstr(&title), NULL);
	html_void(h, "link", "rel", "stylesheet", "href", "/_hearth/serve.css", NULL);
	/* the site's icon, so browsers do not ask for /favicon.ico */
	html_void(h, "link", "rel", "icon", "href", ICON, NULL);
	html_close(h);
	html_open(h, "body", NULL);
	html_elem(h, "a", "Skip to the content", "class", "skip", "href", "#main", NULL);
	html_open(h, "header", NULL);
	html_elem(h, "p", site_title && *site_title ? site_title : "Hearth", "class", "site",
		  NULL);
	html_close(h);
	html_open(h, "main", "id", "main", NULL);
	buf_release(&title);
}

void html_end(struct html *h)
{
	/* everything inside <body> closes, then the footer, </body> and </html> */
	while (h->depth > 2)
		html_close(h);
	html_open(h, "footer", NULL);
	html_open(h, "p", NULL);
	html_elem(h, "a", "Send feedback", "href", "/feedback", NULL);
	html_close(h);
	html_close(h);
	while (h->depth > 0)
		html_close(h);
}

void html_release(struct html *h)
{
	buf_release(&h->out);
	h->depth = 0;
}
