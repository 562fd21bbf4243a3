/*
 * siteInt.h - the inside of site-gen/, shared by its files and by
 * tests/unit/test_site.c only. Nothing else includes it.
 *
 * site-gen/ is split in stages that can be tested alone: the records in
 * memory (struct site_ctx, records.c), the chapters JSON (chapters.c), the
 * public view as one XML document per page (view.c) with the story bodies
 * made from cmark's tree (markdown.c), and the XSLT theme (theme.c). Their calls are declared in site.h, for pipeline/.
 *
 * Calls between the files go one way: a file calls only files on lower
 * lines, never one on its own line or above, so there are no circles.
 *   0  search.c
 *   1  view.c
 *   2  records.c, chapters.c, markdown.c, theme.c, qr.c (the subscribe page's QR code)
 *   3  html5.c (a theme's HTML result written out)
 */
#ifndef HEARTH_SITE_INT_H
#define HEARTH_SITE_INT_H

#include "site.h"

#include <stdint.h>

/* ---- records.c: sorting by keys (large blocks: core's xmalloc_big) ------ */

/*
 * A sort key: major, then minor, then str by strcmp, then i. What is
 * sorted is named by i; minor is most often str's first eight bytes
 * (site_sort_prefix), so most comparisons read no string.
 */
struct site_sort_key {
	uint64_t major;
	uint64_t minor;
	const char *str; /* borrowed */
	size_t i;
};
/* The first eight bytes of s as a number that orders as strcmp does. */
uint64_t site_sort_prefix(const char *s);
/* Sorts v[0, n) in place; tmp is room for n keys the sort uses. */
void site_sort_keys(struct site_sort_key *v, size_t n, struct site_sort_key *tmp);

/*
 * The hash tables of slugs and names (open addressing, at most half full):
 * a string's hash (FNV-1a), and the size of a table for n of them (the
 * smallest power of two from 16 that is at least 2n).
 */
size_t site_str_hash(const char *s);
size_t site_table_size(size_t n);

/* ---- html5.c: a theme's HTML result as HTML5 ---------------------------- */

/*
 * Appends the result document doc, made by a theme with method="html",
 * to out as HTML5, without a document type (the caller writes it).
 * Borrows doc.
 */
void site_html5_write(const xmlDoc *doc, struct buf *out);

#endif
