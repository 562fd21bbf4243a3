/*
 * feeds.h - the podcast feed: RSS 2.0 with the itunes, podcast
 * (Podcasting 2.0), atom and content namespaces, written with libxml2 so
 * the output is well-formed and escaped by construction.
 *
 * Feeds know nothing of the catalogue: the caller hands over channel and
 * item records built from the public view, with absolute URLs.
 */
#ifndef HEARTH_FEEDS_H
#define HEARTH_FEEDS_H

#include "../core/core.h"

struct feed_channel {
	const char *title;
	const char *description;
	const char *link;         /* the site's home page */
	const char *feed_url;     /* this feed's own URL (atom:link rel=self) */
	const char *language;
	const char *author;
	const char *category;
	const char *subcategory;  /* may be NULL */
	bool explicit_;
	const char *image_url;    /* may be NULL */
	const char *license;      /* may be NULL */
	const char *podcast_guid; /* may be NULL */
	int64_t last_build;       /* lastBuildDate; 0 leaves it out */
};

struct feed_item {
	const char *title;
	const char *description;  /* plain text summary */
	const char *content_html; /* may be NULL: content:encoded */
	const char *link;         /* may be NULL when the story is not on the site */
	const char *guid;         /* isPermaLink="false" */
	const char *author;       /* the public byline */
	int64_t pub_date;
	const char *enclosure_url;
	int64_t enclosure_length; /* exact bytes */
	const char *enclosure_type;
	/* podcast:alternateEnclosure, the same episode in another format */
	const char *alternate_url;    /* may be NULL */
	const char *alternate_type;   /* "audio/mp4" */
	const char *alternate_codecs; /* RFC 6381 ("mp4a.40.2"), may be NULL */
	int64_t alternate_length;     /* exact bytes */
	int64_t alternate_bitrate;    /* average bits per second, 0 = leave out */
	double duration;          /* seconds */
	int season, episode;      /* 0 = none */
	const char *image_url;    /* may be NULL */
	const char *transcript_url;  /* may be NULL */
	const char *transcript_type; /* "text/vtt" */
	const char *chapters_url;    /* may be NULL */
	const char *license;         /* may be NULL */
	char **warnings;             /* content warnings, NULL-terminated, may be NULL */
	const char *language;        /* may be NULL: the story's language (transcript) */
};

/*
 * Writes the RSS feed to a buffer (UTF-8, with XML declaration). Items are
 * written in the order given. Output is the same bytes for the same input.
 * Appends to out. Refuses (HEARTH_EINVAL, naming the item and the field) a
 * missing required field or text that is not valid UTF-8 or holds control
 * characters XML cannot carry. Borrows everything.
 *
 * An item's description is the plain summary; when the item has content
 * warnings it starts with "Content warning: a, b. " so listeners see them
 * before pressing play. Feed readers read <description> as HTML, so the
 * channel's and every item's description are plain text escaped as HTML
 * (then as XML). Descriptions longer than Apple's 4000 bytes are cut at a
 * character boundary, never inside an escape, with an ellipsis. Titles and
 * authors are written as plain text.
 */
int feed_rss(const struct feed_channel *ch, const struct feed_item *items,
	     size_t n, struct buf *out, struct hearth_err *err);

#endif
