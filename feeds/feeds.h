/*
 * feeds.h - the feeds a library publishes, written from records: the
 * podcast feeds (RSS 2.0 with the itunes, podcast (Podcasting 2.0), atom
 * and content namespaces), the Atom feed for readers, the OPML list of
 * every feed, and the checks of the settings a feed reads (Apple's
 * categories, BCP 47 language tags, SPDX licences, the channel's required
 * fields). Every text and attribute is escaped by one small XML writer
 * (writer.c), so the output is well-formed whatever a record holds, and
 * nothing here reads the clock or the environment: the same records give
 * the same bytes.
 *
 * Feeds know nothing of the catalogue: the caller hands over channel and
 * item records built from the public view, with absolute URLs. Every
 * function borrows the records it is given; strings are UTF-8 and NULL
 * means "leave it out" unless a field says it is required.
 *
 * Error messages name what the person who runs the library can change: a
 * setting by its path in hearth.yaml (podcast.category, podcast.owner.email,
 * base_url, ...; docs/feeds.md lists them) or a story by its title or GUID
 * and the field.
 */
#ifndef HEARTH_FEEDS_H
#define HEARTH_FEEDS_H

#include "../core/core.h"

/*
 * A person named in a feed (podcast:person): a host or editor who agreed
 * to be named, or an item's public byline. Never a real name behind a
 * pseudonym: the caller passes the public attribution only.
 */
struct feed_person {
	const char *name;  /* required, at most 128 bytes */
	const char *role;  /* podcast taxonomy role ("host", "author"); NULL = leave out */
	const char *group; /* taxonomy group ("cast", "writing"); NULL = leave out */
	const char *href;  /* https URL about the person; NULL = leave out */
	const char *img;   /* https URL of a picture; NULL = leave out */
};

/* One podcast:txt: free text with an optional purpose. */
struct feed_txt {
	const char *purpose; /* "applepodcastsverify", "verify"; NULL = leave out */
	const char *value;   /* required, at most 4000 characters */
};

/*
 * RFC 5005 links shared by the RSS and Atom feeds. A feed past its item
 * limit is split: the current feed (is_archive false) holds the newest
 * items and links to the newest archive document with prev_archive_url;
 * each archive document (is_archive true, fh:archive) links back to the
 * current feed with current_url and to its neighbours with prev/next.
 */
struct feed_archive {
	bool is_archive;              /* writes <fh:archive/> */
	const char *current_url;      /* atom:link rel="current"; NULL = leave out */
	const char *prev_archive_url; /* rel="prev-archive" (older); NULL = none */
	const char *next_archive_url; /* rel="next-archive" (newer); NULL = none */
};

struct feed_channel {
	const char *title;        /* required (setting: title) */
	const char *description;  /* required, plain text, at most 4000 bytes as HTML */
	const char *link;         /* required: the site's home page */
	const char *feed_url;     /* required: this feed's own URL (atom:link rel=self) */
	const char *language;     /* required: a BCP 47 tag (setting: language) */
	const char *author;       /* itunes:author; may be NULL */
	const char *category;     /* Apple's category (podcast.category); may be NULL */
	const char *subcategory;  /* may be NULL (podcast.subcategory) */
	bool explicit_;
	const char *image_url;    /* itunes:image; REQUIRED when the feed has items */
	const char *license;      /* SPDX identifier or a custom name; may be NULL */
	const char *license_url;  /* podcast:license url=, required for a custom licence */
	const char *podcast_guid; /* may be NULL */
	int64_t last_build;       /* lastBuildDate; 0 leaves it out */

	/* itunes:owner; the email is public by nature (podcast.owner.*) */
	const char *owner_name;   /* may be NULL */
	const char *owner_email;  /* REQUIRED when the feed has items */
	/* podcast:locked yes (owner="<owner_email>") when true, else no */
	bool locked;
	/* podcast:person at channel level, in this order; may be NULL with 0 */
	const struct feed_person *persons;
	size_t n_persons;
	/* podcast:funding url= with its label as text; both NULL = leave out */
	const char *funding_url;
	const char *funding_label; /* at most 128 bytes; NULL = the URL */
	/* podcast:txt, in this order; may be NULL with 0 */
	const struct feed_txt *txt;
	size_t n_txt;
	/* <podcast:socialInteract protocol="disabled" priority="1"/>: the show
	 * takes no comments anywhere */
	bool social_interact_disabled;
	/* podcast:updateFrequency: the text, with rrule= (RFC 5545) when set */
	const char *update_frequency;   /* NULL = leave out */
	const char *update_rrule;       /* "FREQ=WEEKLY"; may be NULL */
	bool complete;                  /* itunes:complete Yes: no more episodes */
	const char *new_feed_url;       /* itunes:new-feed-url; NULL = leave out */
	bool type_serial;               /* itunes:type serial, else episodic */
	const char *medium;             /* podcast:medium "podcast" or "music"; NULL = podcast */
	/* atom:link rel="hub" (WebSub), in this order; may be NULL with 0 */
	const char *const *hubs;
	size_t n_hubs;
	struct feed_archive archive;    /* RFC 5005 paging; all zero = one whole feed */
};

struct feed_item {
	const char *title;        /* required */
	const char *description;  /* plain text summary; with the warnings at most 4000 bytes */
	const char *content_html; /* content:encoded, the story text when site
				   * consent allows; NULL otherwise */
	size_t content_len;       /* content_html's length when the caller checked it
				   * with feed_text_ok (0: measured and checked here) */
	const char *link;         /* may be NULL when the story is not on the site */
	const char *guid;         /* required; isPermaLink="false" */
	const char *author;       /* the public byline */
	int64_t pub_date;
	/* the MP3: <enclosure>, and listed again in podcast:alternateEnclosure
	 * with default="true" */
	const char *enclosure_url;    /* required */
	int64_t enclosure_length;     /* required, exact bytes, > 0 */
	const char *enclosure_type;   /* required: "audio/mpeg" */
	int64_t enclosure_bitrate;    /* average bits per second, 0 = leave out */
	/* podcast:alternateEnclosure, the same episode in another format */
	const char *alternate_url;    /* may be NULL */
	const char *alternate_type;   /* "audio/mp4" */
	const char *alternate_codecs; /* RFC 6381 ("mp4a.40.2"), may be NULL */
	int64_t alternate_length;     /* exact bytes */
	int64_t alternate_bitrate;    /* average bits per second, 0 = leave out */
	double duration;          /* seconds */
	int season, episode;      /* 0 = none; a serial show needs episode > 0 */
	const char *image_url;    /* the episode's square image; may be NULL */
	const char *transcript_url;  /* may be NULL; written with rel="captions" */
	const char *transcript_type; /* "text/vtt" */
	const char *transcript_language; /* BCP 47; NULL = language */
	const char *chapters_url;    /* may be NULL */
	const char *license;         /* may be NULL */
	char **warnings;             /* content warnings, NULL-terminated, may be NULL */
	const char *language;        /* may be NULL: the story's language */
	/* podcast:person for this item (the public byline only, nothing for an
	 * anonymous story); replaces the channel's list in apps; may be NULL with 0 */
	const struct feed_person *persons;
	size_t n_persons;
};

/*
 * True when the n bytes at s are text a feed can carry: UTF-8, without
 * control characters but tab, line feed and carriage return. A text that
 * goes into many documents (a story's HTML) is checked once with this and
 * handed to the writers with its length, which they then copy as it is.
 */
bool feed_text_ok(const char *s, size_t n);

/*
 * Writes an RSS podcast feed to a buffer (UTF-8, with XML declaration).
 * Items are written in the order given. Output is the same bytes for the
 * same input. Appends to out. Borrows everything.
 *
 * Refuses (HEARTH_EINVAL) with nothing appended: what feed_check_channel()
 * refuses; an item missing a required field (its enclosure URL or length
 * included), naming the item by title or GUID and the field; an item whose
 * description (content warnings, then the summary, escaped as HTML) is
 * past Apple's 4000 bytes, naming the item and the field (it is never cut);
 * a serial show's item with no episode number; two items with one GUID
 * (both named); an item address (enclosure, link, image, transcript,
 * chapters) that is not http(s); text that is not valid UTF-8 or holds
 * control characters XML cannot carry.
 *
 * An item's description is the plain summary; when the item has content
 * warnings it starts with "Content warning: a, b. " so listeners see them
 * before pressing play. Feed readers read <description> as HTML, so the
 * channel's and every item's description are plain text escaped as HTML
 * (then as XML). Titles and authors are written as plain text.
 */
int feed_rss(const struct feed_channel *ch, const struct feed_item *items,
	     size_t n, struct buf *out, struct hearth_err *err);

/* ---- Atom (RFC 4287), for readers --------------------------------------- */

struct feed_atom_feed {
	const char *id;          /* required: a stable URI ("urn:uuid:...") */
	const char *title;       /* required */
	const char *subtitle;    /* plain text; may be NULL */
	const char *link;        /* required: the site's home page (rel=alternate) */
	const char *feed_url;    /* required: this feed's URL (rel=self) */
	const char *author;      /* required: the feed's author, for entries without one */
	const char *language;    /* xml:lang on the feed; may be NULL */
	const char *icon_url;    /* <logo>; may be NULL */
	const char *rights;      /* the licence, as text; may be NULL */
	int64_t updated;         /* <updated>; 0 = the newest entry's (or 0 epoch) */
	const char *const *hubs; /* rel="hub", in this order; may be NULL with 0 */
	size_t n_hubs;
	struct feed_archive archive; /* RFC 5005 paging; all zero = one whole feed */
};

struct feed_atom_entry {
	const char *guid;         /* required: the id is urn:uuid:<guid> */
	const char *title;        /* required */
	const char *link;         /* the story's page (rel=alternate); may be NULL */
	const char *author;       /* the public byline; NULL = the feed's author */
	int64_t published;        /* required, > 0 */
	int64_t updated;          /* 0 = published */
	const char *summary;      /* plain text; may be NULL */
	char **warnings;          /* content warnings, NULL-terminated, lead the summary */
	const char *content_html; /* <content type="html">; NULL = leave out */
	size_t content_len;       /* as in struct feed_item */
	const char *enclosure_url;  /* rel=enclosure; NULL = leave out */
	const char *enclosure_type; /* required with enclosure_url */
	int64_t enclosure_length;   /* exact bytes, required with enclosure_url */
};

/*
 * Writes an Atom 1.0 feed (UTF-8, with XML declaration) with the entries
 * in the order given: id urn:uuid:<guid>, title, published and updated as
 * RFC 3339 UTC, author name, summary (content warnings first), content,
 * links. Appends to out; the same records give the same bytes. Borrows
 * everything. HEARTH_EINVAL (naming the entry and field) for a missing
 * required field, two entries with one GUID, an entry with neither link
 * nor content, or text XML cannot carry; nothing is appended then.
 */
int feed_atom(const struct feed_atom_feed *f, const struct feed_atom_entry *e, size_t n,
	      struct buf *out, struct hearth_err *err);

/* ---- OPML 2.0: every feed, to subscribe at once -------------------------- */

struct feed_outline {
	const char *text;     /* required: what a list shows */
	const char *title;    /* may be NULL: text */
	const char *type;     /* required: "rss" or "atom" */
	const char *xml_url;  /* required: the feed's URL */
	const char *html_url; /* the page it belongs to; may be NULL */
};

/*
 * Writes an OPML 2.0 document titled title with one outline per feed, in
 * the order given. Appends to out; deterministic (no dates). Borrows
 * everything. HEARTH_EINVAL naming the outline and field for a missing
 * field or text XML cannot carry.
 */
int feed_opml(const char *title, const struct feed_outline *o, size_t n,
	      struct buf *out, struct hearth_err *err);

/* ---- checks of the settings a feed reads --------------------------------- */

/*
 * Checks a category (and subcategory, NULL or "" = none) against Apple's
 * list; names are case-sensitive ("Health & Fitness", "Mental Health").
 * HEARTH_EINVAL naming podcast.category and listing the valid categories,
 * or naming podcast.subcategory and listing that category's subcategories.
 */
int feed_check_category(const char *category, const char *subcategory,
			struct hearth_err *err);

/*
 * Checks a language tag: RFC 5646 syntax with a known ISO 639 language
 * subtag ("en", "fr-CA", "pt-BR", "zh-Hant-TW" pass; "english", "en-",
 * "xx" fail). HEARTH_EINVAL naming the setting "language".
 */
int feed_check_language(const char *tag, struct hearth_err *err);

/*
 * Checks a licence: an SPDX identifier (exact, e.g. "CC-BY-NC-ND-4.0"),
 * or any other name with an https URL for the custom licence. NULL or ""
 * is no licence and passes. HEARTH_EINVAL naming podcast.license or
 * podcast.license_url.
 */
int feed_check_license(const char *id, const char *url, struct hearth_err *err);

/* True when id is on the SPDX licence list (case-sensitive). */
bool feed_license_known(const char *id);

/*
 * Checks everything a directory needs of a channel with n_items items:
 * the required fields; when n_items > 0 the image URL, an owner email
 * shaped like an address, a link and feed URL that are absolute http(s)
 * URLs with a host (the caller refuses its own placeholder address
 * first), the category, the language, the
 * licence, the medium, the lengths of the funding label and persons. Each
 * error names the setting and field. feed_rss() calls it.
 */
int feed_check_channel(const struct feed_channel *ch, size_t n_items,
		       struct hearth_err *err);

#endif
