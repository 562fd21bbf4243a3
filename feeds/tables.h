/*
 * tables.h - the generated lists the feed checks read (feeds/tables.c,
 * written by tools/gen-feed-tables.py). Private to feeds/: nobody outside
 * includes it. Every list is sorted by strcmp() for bsearch().
 */
#ifndef HEARTH_FEEDS_TABLES_H
#define HEARTH_FEEDS_TABLES_H

#include <stddef.h>

/* SPDX licence identifiers on the list, and the deprecated ones still on it */
extern const char *const feed_spdx[];
extern const size_t feed_n_spdx;
extern const char *const feed_spdx_deprecated[];
extern const size_t feed_n_spdx_deprecated;

/* ISO 639 codes that are BCP 47 language subtags (two or three letters) */
extern const char feed_iso639[][4];
extern const size_t feed_n_iso639;

#endif
