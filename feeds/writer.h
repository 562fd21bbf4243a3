/*
 * writer.h - the XML writer every feed shares: libxml2's xmlTextWriter
 * into memory, two-space indent, with the first failure remembered so the
 * writing code reads as a list of elements. Private to feeds/.
 */
#ifndef HEARTH_FEEDS_WRITER_H
#define HEARTH_FEEDS_WRITER_H

#include "../core/core.h"

#include <libxml/xmlwriter.h>

/* The writer and the first error it met; every helper is a no-op after one. */
struct fw {
	xmlBufferPtr buf;
	xmlTextWriterPtr x;
	int failed;
};

/* Starts a document (XML declaration, UTF-8). HEARTH_EIO when libxml2 cannot. */
int fw_open(struct fw *w, struct hearth_err *err);
/*
 * Ends the document and appends it to out; frees the writer either way
 * (safe to call after a failed fw_open). HEARTH_EIO when any write failed.
 */
int fw_close(struct fw *w, struct buf *out, struct hearth_err *err);

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
