/*
 * writer.h - the XML writer every feed shares: a small emitter straight
 * into the caller's buffer, two-space indent, that escapes every text and
 * attribute, with the first failure remembered so the writing code reads
 * as a list of elements. Private to feeds/.
 */
#ifndef HEARTH_FEEDS_WRITER_H
#define HEARTH_FEEDS_WRITER_H

#include "../core/core.h"

/* Elements open at once, at most: a feed nests four deep. */
#define FW_DEPTH 16

/* The writer and the first error it met; every helper is a no-op after one. */
struct fw {
	struct buf *out;  /* borrowed: the document is appended here */
	size_t start;     /* out's length before, to take a failed document back */
	const char *open[FW_DEPTH]; /* the open elements' names (static text) */
	bool nested[FW_DEPTH];      /* the element holds elements, not text */
	int depth;
	bool in_tag;      /* a start tag is open: attributes may follow */
	int failed;
};

/*
 * Starts a document (XML declaration, UTF-8) written straight into out,
 * which the writer borrows until fw_close.
 */
int fw_open(struct fw *w, struct buf *out, struct hearth_err *err);
/*
 * Ends the document. HEARTH_EIO when a write failed (an element left open,
 * nesting past FW_DEPTH); out is then back to its length before fw_open.
 * Pass failed = true to take the document back anyway.
 */
int fw_close(struct fw *w, bool failed, struct hearth_err *err);

/*
 * Element names are the writer's own static text, never data. Text and
 * attribute values are escaped here; one that fails fw_text_ok() fails the
 * document (callers check every field first, to name it in a message).
 */
void fw_start(struct fw *w, const char *name);
void fw_end(struct fw *w);
/* An attribute; nothing when value is NULL. */
void fw_attr(struct fw *w, const char *name, const char *value);
void fw_attr_int(struct fw *w, const char *name, int64_t v);
/* Text inside the open element; nothing when text is NULL. */
void fw_text(struct fw *w, const char *text);
/* <name>text</name>; nothing when text is NULL. */
void fw_elem(struct fw *w, const char *name, const char *text);
void fw_elem_int(struct fw *w, const char *name, int64_t v);
/* <name a="v"/>; nothing when v is NULL. */
void fw_elem_attr(struct fw *w, const char *name, const char *a, const char *v);
/* html as CDATA, split where it holds "]]>". */
void fw_cdata(struct fw *w, const char *html);
/* The same for n bytes that passed feed_text_ok: not checked again. */
void fw_cdata_checked(struct fw *w, const char *html, size_t n);

/* True when s is NULL or text XML can carry. */
bool fw_text_ok(const char *s);
/* Plain text as HTML text: & < > " ' escaped. Appends to b. */
void fw_html_escape(struct buf *b, const char *s);
/*
 * The description readers see, as HTML text: "Content warning: a, b. "
 * when there are warnings, then the summary, escaped. New allocation.
 */
char *fw_description(char *const *warnings, const char *summary);
/* True for an absolute http:// or https:// URL with something after the scheme. */
bool fw_url_ok(const char *url);

#endif
