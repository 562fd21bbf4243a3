/*
 * writer.c - the XML writer the RSS, Atom and OPML files share (see
 * writer.h), and the text helpers they have in common: the HTML escape of
 * plain text and the description with its content warnings first.
 *
 * The writer emits straight into a struct buf: element names are the
 * callers' literals, and every text and attribute value is escaped here
 * (& < > in text; & < > " and the white-space characters in attributes),
 * so the output is well-formed whatever a title holds; the tests parse
 * every feed back with libxml2. It replaced libxml2's xmlTextWriter, whose
 * per-call overhead and buffer copies made a feed of 10,000 items several
 * times slower than writing the bytes themselves. The layout matches what
 * the xmlTextWriter wrote: two-space indent, an element holding text on
 * one line, an empty element closed with "/>".
 *
 * Determinism: no clock, no environment; attributes in the order given.
 */
#include "writer.h"
#include "feeds.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- appending: inline, the buffer grown only when it is full ---------- */

/* Appends n bytes of s to b; b->data stays NUL-terminated. */
static inline void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
		buf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* A string literal, its length known at compile time. */
#define PUT_LIT(b, lit) put((b), (lit), sizeof(lit) - 1)

static inline void put_c(struct buf *b, char c)
{
	put(b, &c, 1);
}

/* v in decimal, without the printf machinery a feed would call 60,000 times. */
static void put_int(struct buf *b, int64_t v)
{
	char s[24], *p = s + sizeof s;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	put(b, p, (size_t)(s + sizeof s - p));
}

/* ---- text XML can carry ---------------------------------------------------- */

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/*
 * text_valid (core/) without its byte-at-a-time cost on ASCII: sixteen
 * bytes at once (eight without SSE2) while none is past 0x7e or below
 * 0x20 but tab, line feed and carriage return, and each character the
 * block test stops at checked by text_valid itself, so what passes is
 * what text_valid passes. A feed checks several megabytes of story text.
 */
static bool valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
#ifdef __SSE2__
		if (end - p >= 16) {
			const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
			/* signed: bytes past 0x7f are below 0x20 too */
			__m128i bad = _mm_cmplt_epi8(x, _mm_set1_epi8(0x20));
			bad = _mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')), bad);
			bad = _mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\t')), bad);
			bad = _mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\r')), bad);
			bad = _mm_or_si128(bad, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
			if (!_mm_movemask_epi8(bad)) {
				p += 16;
				continue;
			}
		}
#endif
		const unsigned char *stop = end - p > 8 ? p + 8 : end;
		if (stop - p == 8) {
			uint64_t x, d;
			memcpy(&x, p, 8);
			d = x ^ (ONES * 0x7f);
			/* a high bit, a byte below 0x20, a byte 0x7f: look closer */
			if (!((x | ((x - ONES * 0x20) & ~x) | ((d - ONES) & ~d)) & HIGHS)) {
				p += 8;
				continue;
			}
		}
		/* these bytes one by one (a sequence may end past them) */
		while (p < stop) {
			unsigned c = *p;
			if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || c == '\r') {
				p++;
				continue;
			}
			size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
			if (len > (size_t)(end - p))
				len = (size_t)(end - p);
			if (!text_valid((const char *)p, len))
				return false;
			p += len;
		}
	}
	return true;
}

int fw_open(struct fw *w, struct buf *out, struct hearth_err *err)
{
	(void)err;
	memset(w, 0, sizeof *w);
	w->out = out;
	w->start = out->len;
	PUT_LIT(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	return 0;
}

int fw_close(struct fw *w, bool failed, struct hearth_err *err)
{
	int rc = 0;
	if (!w->out)
		return 0;
	if (!w->failed && w->depth != 0)
		w->failed = 1;
	if (w->failed)
		rc = herr(err, HEARTH_EIO, "feed: the XML writer failed");
	else
		put_c(w->out, '\n');
	if (rc || failed) {
		w->out->len = w->start;
		if (w->out->data)
			w->out->data[w->start] = '\0';
	}
	w->out = NULL;
	return rc;
}

/* A line feed and the indent of the current depth. */
static void indent(struct fw *w)
{
	static const char sp[] = "\n                                ";
	put(w->out, sp, (size_t)(2 * w->depth) < sizeof sp - 2 ? (size_t)(2 * w->depth) + 1
							       : sizeof sp - 1);
}

/* Ends an open start tag with '>' before content. */
static void close_tag(struct fw *w)
{
	if (w->in_tag) {
		put_c(w->out, '>');
		w->in_tag = false;
	}
}

/*
 * Appends s to b with each character of special written as its character
 * reference; runs without one are copied whole. Every special must be one
 * the switch knows. Stops at the first NUL.
 */
static void escape_chars(struct buf *b, const char *s, const char *special)
{
	for (;;) {
		size_t n = strcspn(s, special);
		put(b, s, n);
		s += n;
		switch (*s) {
		case '\0': return;
		case '&': PUT_LIT(b, "&amp;"); break;
		case '<': PUT_LIT(b, "&lt;"); break;
		case '>': PUT_LIT(b, "&gt;"); break;
		case '"': PUT_LIT(b, "&quot;"); break;
		case '\'': PUT_LIT(b, "&#39;"); break;
		case '\n': PUT_LIT(b, "&#10;"); break;
		case '\r': PUT_LIT(b, "&#13;"); break;
		case '\t': PUT_LIT(b, "&#9;"); break;
		}
		s++;
	}
}

/*
 * Escaped text: runs without a special character are copied whole. Text
 * XML cannot carry (bad UTF-8, control characters) fails the document:
 * the callers refuse it first with a message naming the field, so this is
 * the last guard of well-formedness, not the message anyone sees.
 */
static void escape(struct fw *w, const char *s, bool attr)
{
	if (!valid(s, strlen(s))) {
		w->failed = 1;
		return;
	}
	escape_chars(w->out, s, attr ? "&<>\"\n\r\t" : "&<>\r");
}

void fw_start(struct fw *w, const char *name)
{
	if (w->failed)
		return;
	if (w->depth == FW_DEPTH) {
		w->failed = 1;
		return;
	}
	close_tag(w);
	if (w->depth > 0) {
		w->nested[w->depth - 1] = true;
		indent(w);
	}
	put_c(w->out, '<');
	put(w->out, name, strlen(name));
	w->open[w->depth] = name;
	w->nested[w->depth] = false;
	w->depth++;
	w->in_tag = true;
}

void fw_end(struct fw *w)
{
	if (w->failed)
		return;
	if (w->depth == 0) {
		w->failed = 1;
		return;
	}
	w->depth--;
	if (w->in_tag) {
		PUT_LIT(w->out, "/>");
		w->in_tag = false;
		return;
	}
	if (w->nested[w->depth])
		indent(w);
	PUT_LIT(w->out, "</");
	put(w->out, w->open[w->depth], strlen(w->open[w->depth]));
	put_c(w->out, '>');
}

/* ' name="' of an attribute; false (and the writer failed) outside a start tag. */
static bool attr_name(struct fw *w, const char *name)
{
	if (w->failed)
		return false;
	if (!w->in_tag) {
		w->failed = 1;
		return false;
	}
	put_c(w->out, ' ');
	put(w->out, name, strlen(name));
	PUT_LIT(w->out, "=\"");
	return true;
}

void fw_attr(struct fw *w, const char *name, const char *value)
{
	if (!value || !attr_name(w, name))
		return;
	escape(w, value, true);
	put_c(w->out, '"');
}

void fw_attr_int(struct fw *w, const char *name, int64_t v)
{
	if (!attr_name(w, name))
		return;
	put_int(w->out, v);
	put_c(w->out, '"');
}

void fw_text(struct fw *w, const char *text)
{
	if (!text || w->failed)
		return;
	if (w->depth == 0) {
		w->failed = 1;
		return;
	}
	close_tag(w);
	escape(w, text, false);
}

void fw_elem(struct fw *w, const char *name, const char *text)
{
	if (!text || w->failed)
		return;
	fw_start(w, name);
	if (*text)
		fw_text(w, text);
	else
		close_tag(w); /* <name></name>, as libxml2 wrote it */
	fw_end(w);
}

void fw_elem_int(struct fw *w, const char *name, int64_t v)
{
	if (w->failed)
		return;
	fw_start(w, name);
	close_tag(w);
	put_int(w->out, v);
	fw_end(w);
}

void fw_elem_attr(struct fw *w, const char *name, const char *a, const char *v)
{
	if (!v)
		return;
	fw_start(w, name);
	fw_attr(w, a, v);
	fw_end(w);
}

/* The first "]]>" in s[0, n), or NULL: memchr finds the rare ']' fast. */
static const char *find_end(const char *s, size_t n)
{
	const char *end = s + n, *q;
	while ((q = memchr(s, ']', (size_t)(end - s))) != NULL) {
		if (end - q >= 3 && q[1] == ']' && q[2] == '>')
			return q;
		s = q + 1;
	}
	return NULL;
}

/*
 * A CDATA section cannot hold "]]>", so the text is split there: "]]" ends
 * one section and ">" starts the next.
 */
void fw_cdata(struct fw *w, const char *html)
{
	size_t n = strlen(html);
	if (!valid(html, n)) {
		w->failed = 1;
		return;
	}
	fw_cdata_checked(w, html, n);
}

void fw_cdata_checked(struct fw *w, const char *html, size_t n)
{
	const char *p = html;
	size_t left = n;
	if (w->failed || w->depth == 0)
		return;
	close_tag(w);
	for (;;) {
		const char *q = find_end(p, left);
		size_t part = q ? (size_t)(q - p) + 2 : left;
		PUT_LIT(w->out, "<![CDATA[");
		put(w->out, p, part);
		PUT_LIT(w->out, "]]>");
		if (!q)
			break;
		p += part;
		left -= part;
	}
}

bool fw_text_ok(const char *s)
{
	return !s || valid(s, strlen(s));
}

bool feed_text_ok(const char *s, size_t n)
{
	return s && valid(s, n); /* valid refuses a NUL: n is the whole text */
}

void fw_html_escape(struct buf *b, const char *s)
{
	escape_chars(b, s, "&<>\"'");
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
	/* the bytes a URL may hold here: printable ASCII but space " < > and \\ */
	static const uint64_t ok[2] = {
		0xaffffffa00000000u, /* 0x00-0x3f: 0x21, 0x23-0x3b, 0x3d, 0x3f */
		0x7fffffffefffffffu, /* 0x40-0x7e, not 0x5c */
	};
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p >= 0x80 || !(ok[*p >> 6] >> (*p & 63) & 1))
			return false;
	return true;
}
