/*
 * site.h - site-gen/: public records to pages. The records a build holds
 * in memory (struct site_ctx: the union of the site and podcast views with
 * the renditions media/ made for each story), one XML document per page
 * built from them, the XSLT theme that turns a document into HTML, and the
 * chapters JSON. pipeline/ decides what to make and where it goes; this
 * folder only makes it.
 */
#ifndef HEARTH_SITE_H
#define HEARTH_SITE_H

#include "../core/core.h"

/* output code sees only the public side of the library */
#include "../library/public.h"
#include "../media/media.h"   /* the rendering side only: it sees library/public.h */

#include <libxml/tree.h>

/* ---- records (records.c) ----------------------------------------------- */

/*
 * One published recording: its MP3, the same as AAC in M4A (the feed's
 * alternate enclosure), and its waveform. Paths are relative to the site
 * root and share the stem "media/<slug>/<slug>" ("-music" for music).
 */
struct site_audio {
	char *src;          /* "<stem>.mp3" */
	enum lib_role role; /* ROLE_AUDIO or ROLE_MUSIC */
	int64_t size;       /* exact bytes of the rendition */
	double duration;    /* seconds, from the asset */
	char *m4a_src;      /* "<stem>.m4a" */
	int64_t m4a_size;
	char *peaks_src;    /* "<stem>-peaks.json" */
	char *waveform_src; /* "<stem>-waveform.svg" */
};

/* One published image rendition. */
struct site_image {
	char *src;          /* "media/<slug>/art-<n>-<width>.jpg" or ".webp" */
	int width, height;
};

/* The most widths one piece of art is published at. */
#define SITE_ART_SIZES 3

/*
 * One piece of art: JPEG and WebP at the same widths, narrowest first; the
 * last is the largest, and src, width and height are its JPEG's.
 */
struct site_art {
	char *stem;         /* "media/<slug>/art-<n>": the renditions' names start so */
	char *src;          /* the largest JPEG */
	const char *alt;    /* borrows from the asset */
	int width, height;
	struct site_image jpeg[SITE_ART_SIZES], webp[SITE_ART_SIZES];
	size_t n_sizes;
};

/* What media/ made for one story; every string is owned. */
struct site_media {
	struct site_audio audio[2]; /* [0] is the feed enclosure: speech before music */
	size_t n_audio;
	struct site_art *art;
	size_t n_art;
	char *cover_src;            /* "media/<slug>/cover.jpg": the episode's cover, or NULL */
	char *vtt_src;              /* "media/<slug>/<slug>.vtt" or NULL */
	char *transcript;           /* plain text, one cue a line, or NULL */
	int64_t *cue_ms;            /* each line's start (ms), when the cues and lines pair up */
	size_t n_cues;              /* 0: the lines have no times */
	char *chapters_src;         /* "media/<slug>/<slug>.chapters.json" or NULL */
};

/*
 * A story of the union of both views. s borrows from the view it came from.
 * on_site: the site view holds it (it gets a page); on_podcast: the podcast
 * view holds it (it may get a feed item).
 */
struct site_entry {
	const struct pub_story *s;
	bool on_site, on_podcast;
	bool media_failed;             /* a rendition failed: left out of the build */
	struct site_media m;
	unsigned char key[32];         /* the record's digest (pipeline/keys.c: key_entries) */
	unsigned char list_key[32];    /* the digest of what a list shows of it (the same) */
};

/* Entries in the order a list shows them; v borrows from the ctx. */
struct site_list {
	const struct site_entry **v;
	size_t n;
};

/*
 * A theme, a tag or a contributor's public byline with the stories on the
 * site that carry it, newest first. slug, name and the list's array live
 * in the block of their kind (site_groups.v[k], freed whole by
 * site_groups_release); the list's entries are borrowed from the ctx.
 */
struct site_group {
	char *slug;     /* the page's folder: themes/<slug>/, tags/<slug>/, contributors/<slug>/ */
	char *name;     /* as the first (newest) story spells it */
	struct site_list l;
};

/* Which groups: the three kinds of pages a reader browses by besides collections. */
enum site_group_kind { SITE_THEMES, SITE_TAGS, SITE_PEOPLE, SITE_GROUP_KINDS };

/* Every group of each kind, sorted by slug (site_ctx_groups). */
struct site_groups {
	struct site_group *v[SITE_GROUP_KINDS];
	size_t n[SITE_GROUP_KINDS];
};

/* Everything the pages and the feed are made of. */
struct site_ctx {
	const struct lib_settings *set;
	const char *base_url;          /* no trailing slash */
	const char *cover_src;         /* "cover.jpg" or NULL */
	struct site_entry *e;          /* newest first, then by slug */
	size_t n;
	struct pub_collection **colls; /* borrowed, sorted by slug */
	size_t n_colls;
	/* made by site_ctx_lists from e and colls: */
	size_t *by_slug;               /* site_ctx_find's table: 1 + an index into e, or 0 */
	size_t slug_mask;              /* by_slug's size, a power of two, less one */
	struct site_list on_site;      /* the stories with a page, newest first */
	struct site_list *in_coll;     /* per colls[i]: its stories with a page, in its order */
	/* made by site_ctx_groups from on_site, freed by site_groups_release: */
	struct site_groups groups;
};

/*
 * Builds ctx->e from the two views: the union by slug, sorted newest first
 * (published_at, then slug). Borrows the stories.
 */
void site_ctx_entries(struct site_ctx *c, struct pub_story **site, size_t n_site,
		      struct pub_story **pod, size_t n_pod);
/*
 * Makes (again) the slug index and the lists of c from c->e and c->colls:
 * call it once they are final (after any entry is taken out), before
 * site_ctx_find or any page. Then c is only read, from any thread.
 */
void site_ctx_lists(struct site_ctx *c);
/*
 * Sets m->cue_ms and m->n_cues from the normalised WebVTT media/ made of
 * the transcript (borrowed), one start per line of m->transcript. When the
 * cues and the lines do not pair up one to one, the lines keep no times
 * rather than wrong ones. Call after m->transcript is set.
 */
void site_media_cues(struct site_media *m, const char *vtt);
/* Frees what media/ made for one entry (the strings in m) and zeroes m. */
void site_media_release(struct site_media *m);
/* Frees ctx->e, the media inside and the lists (not the stories). */
void site_ctx_release(struct site_ctx *c);
/* The entry for slug (borrowed from c), or NULL. */
const struct site_entry *site_ctx_find(const struct site_ctx *c, const char *slug);

/* ---- chapters (chapters.c) ---------------------------------------------- */

/*
 * The story's chapters as media/ takes them (for the audio's tags): a new
 * array of s->n_chapters, free() it; the titles are borrowed from s. NULL
 * when there are none.
 */
struct media_chapter *site_media_chapters(const struct pub_story *s);

/*
 * Writes staging/media/<slug>/<slug>.chapters.json (Podcasting 2.0) for
 * every podcast entry with audio and chapters, and sets m.chapters_src.
 */
int site_chapters_write(struct site_ctx *c, const char *staging, struct hearth_err *err);

/* ---- Markdown (markdown.c) --------------------------------------------- */

/*
 * The Markdown as XHTML nodes appended to parent, made from cmark's tree
 * with the rules of its safe mode (raw HTML and javascript: links left
 * out): headings move down a level (the page has its own h1), links get
 * rel="ugc nofollow", images become their alt text. Never fails: what XML
 * cannot hold becomes U+FFFD. Safe to call on several threads at once with
 * different documents.
 */
void site_markdown_nodes(xmlNodePtr parent, const char *markdown); /* borrows both */

/*
 * The same Markdown as HTML text appended to out: the bytes xmlNodeDump
 * (no indent, a document without an encoding) writes for the nodes
 * site_markdown_nodes makes, one after the other, without making them.
 */
void site_markdown_html(struct buf *out, const char *markdown);

/*
 * Appends s as xmlNodeDump writes text in a document without an encoding:
 * & < > and CR as references; in an attribute value (attr) also " and the
 * white-space characters, and every character past ASCII as &#xHEX;.
 * False on what it cannot write so (bytes that are not UTF-8, control
 * characters in an attribute): b then holds part of s.
 */
bool site_html_escape(struct buf *b, const char *s, bool attr);

/* ---- the public view as XML (view.c) ----------------------------------- */

/*
 * Lists of stories come in pages. The home page shows the latest
 * SITE_HOME_LATEST stories and links to the list of all of them; that
 * list and each collection's show SITE_PER_PAGE stories a page, newest
 * first (a collection: in its own order), with links to the other pages.
 */
#define SITE_HOME_LATEST 12
#define SITE_PER_PAGE 50

/* How many pages a list of n stories takes: at least one (it may be empty). */
size_t site_list_pages(size_t n);
/* The stories on page (from 1) of a list of n: [*from, *to). */
void site_list_range(size_t n, size_t page, size_t *from, size_t *to);
/*
 * The path of page (from 1) of the list at base ("stories",
 * "collections/<slug>"): "<base>/index.html", then
 * "<base>/page/<page>/index.html". New allocation.
 */
char *site_list_rel(const char *base, size_t page);
/* What follows "<base>/" in that path, appended to b. */
void site_list_tail(struct buf *b, size_t page);
/* The path from the page at rel to the site root ("", "../", ...). New allocation. */
char *site_root_of(const char *rel);

/*
 * One XML document per page: <page type="home|story|stories|collection|404"
 * base="..."> with <site> and the page's content. Only fields of pub_story
 * and the site settings go in. The lists are c's (site_ctx_lists). New
 * documents, free with xmlFreeDoc; c is only read.
 */
xmlDocPtr site_page_home(const struct site_ctx *c);
xmlDocPtr site_page_story(const struct site_ctx *c, const struct site_entry *e);
/* Page (from 1) of the list of every story with a page. */
xmlDocPtr site_page_stories(const struct site_ctx *c, size_t page);
/* Page (from 1) of the collection c->colls[coll]. */
xmlDocPtr site_page_collection(const struct site_ctx *c, size_t coll, size_t page);
xmlDocPtr site_page_404(const struct site_ctx *c);

/* ---- the pages a reader browses by (view.c) ----------------------------- */

/*
 * Groups the stories with a page by theme, by tag and by contributor into
 * c->groups (after site_ctx_lists). A contributor is a public byline as
 * the public view gives it: a story shared anonymously is under no
 * contributor, and a pseudonym is its own contributor, never joined to a
 * name. Names whose slugs are the same are one group.
 */
void site_ctx_groups(struct site_ctx *c);
/* Frees what site_ctx_groups made (accepts an empty one) and zeroes g. */
void site_groups_release(struct site_groups *g);
/* The folder of a kind: "themes", "tags" or "contributors". Static. */
const char *site_group_dir(enum site_group_kind k);
/* The group's slug for a name ("" names none); new allocation. */
char *site_group_slug(const char *name);
/* How many themes the home page names: the most used, then by slug. */
#define SITE_HOME_THEMES 24
/*
 * The themes the home page names, in its order, into out (room for
 * SITE_HOME_THEMES); *n of them. Borrowed from c.
 */
void site_home_themes(const struct site_ctx *c, const struct site_group **out, size_t *n);
/* Page (from 1) of the group c->groups.v[k][i]: <page type="theme|tag|contributor">. */
xmlDocPtr site_page_group(const struct site_ctx *c, enum site_group_kind k, size_t i,
			  size_t page);
/*
 * The index of every group of kind k (themes and tags on one page:
 * k = SITE_THEMES; contributors: SITE_PEOPLE): <page type="topics|contributors">.
 */
xmlDocPtr site_page_group_index(const struct site_ctx *c, enum site_group_kind k);
/* subscribe/index.html: the feeds, links to podcast apps, a QR code of the feed. */
xmlDocPtr site_page_subscribe(const struct site_ctx *c);
/* about/index.html: how stories are gathered, consent, withdrawal. */
xmlDocPtr site_page_about(const struct site_ctx *c);
/*
 * Adds what the theme's <head> shows of the page at rel (the canonical
 * address, the JSON-LD of a story) to its document. Borrows both.
 */
void site_page_meta(const struct site_ctx *c, xmlDocPtr doc, const char *rel);
/*
 * sitemap.xml of the pages rels (relative to the site root) and
 * robots.txt, appended to out.
 */
void site_sitemap(const struct site_ctx *c, char *const *rels, size_t n, struct buf *out);
void site_robots(const struct site_ctx *c, struct buf *out);

/* ---- the QR code (qr.c) ------------------------------------------------- */

/*
 * An <svg> element of the QR code of text (libqrencode, error correction
 * M), one path of dark modules with a quiet zone of four, appended to
 * parent with label as its accessible name (NULL: none, the theme gives
 * it). HEARTH_EINVAL when text cannot be encoded.
 */
int site_qr_svg(xmlNodePtr parent, const char *text, const char *label,
		struct hearth_err *err);

/* ---- the theme (theme.c) ----------------------------------------------- */

typedef struct site_theme site_theme;

/*
 * Loads dir/page.xsl once per build, with a security policy that forbids
 * the stylesheet to write files, make folders or touch the network; a
 * folder without one takes the default theme's page.xsl (its strings
 * files and style.css still count). Its words are English until
 * site_theme_language.
 * Returns a new theme in *out, free with site_theme_free (accepts NULL
 * and sets *t to NULL).
 */
int site_theme_load(const char *dir, site_theme **out, struct hearth_err *err);
void site_theme_free(site_theme **t);
/*
 * Reads the theme's words for lang (its primary subtag: "fr" of "fr-CA")
 * from strings/<lang>.xml of the default theme and then of the theme,
 * over English (strings/en.xml, read the same way), so a word missing in
 * a language is said in English. Call before pages are made (a loaded
 * theme has English). *found (may be NULL) is false when no strings file
 * has that language: the pages are in English.
 */
int site_theme_language(site_theme *t, const char *lang, bool *found,
			struct hearth_err *err);
/* The theme's style.css (or the default theme's); borrows. NULL if none. */
const char *site_theme_css(const site_theme *t);
/*
 * The path of the theme's file name (a script, say), else the default
 * theme's: a new allocation, free() it. NULL if neither has one.
 */
char *site_theme_file(const site_theme *t, const char *name);

/*
 * Applies the theme to a page document with the parameter root (the
 * relative path to the site root, "" or "../../") and appends
 * "<!DOCTYPE html>\n" and the HTML to out. Borrows page (the caller frees
 * it).
 */
int site_theme_apply(site_theme *t, xmlDocPtr page, const char *root,
		     struct buf *out, struct hearth_err *err);

/*
 * Finds the default theme: $HEARTH_THEME_DIR, else themes/default beside
 * the program (a build tree), ../share/hearth/themes/default beside it (an
 * install under any prefix) or the data folder it was built for. The
 * first that holds a page.xsl, except $HEARTH_THEME_DIR, taken as given.
 * New allocation, or NULL.
 */
char *site_default_theme(void);

/* ---- search (search.c) ------------------------------------------------- */

/*
 * Splits text into the terms the search index holds and search.js looks
 * up: NFKD, marks removed, lowercased, runs of letters and digits of at
 * most 40 characters. Calls fn(arg, term, n) for each (term borrowed,
 * valid during the call, not NUL-terminated).
 */
void site_search_tokens(const char *text, void (*fn)(void *arg, const char *term, size_t n),
			void *arg);

/* The shape of an index of n stories (the search page carries it). */
struct site_search_params {
	size_t stories;
	int id_bits;     /* a story's number has this many bits */
	int shard_bits;  /* 2^shard_bits shards of terms */
	int chunk_bits;  /* 2^chunk_bits chunks of display records */
};
void site_search_params(size_t n, struct site_search_params *p);
/* The shard a term is in. */
uint32_t site_search_shard(const struct site_search_params *p, const char *term, size_t n);
/* "text", "art", "audio" or "music": what the filter by kind calls s (static string). */
const char *site_search_kind(const struct pub_story *s);

/*
 * The index being made: site_search_new takes the stories with a page of
 * c (site_ctx_lists done; c borrowed until site_search_free) and numbers
 * them (0 .. site_search_count - 1 in order of their numbers in the
 * index, site_search_id). Then the postings: site_search_add adds story i
 * with its body (may be NULL; borrowed), at most once per story. Then
 * site_search_files gives every file; or, to bring an index up to date
 * with the stories that changed added again, site_search_merge makes each
 * shard they were or are in from its current bytes, and site_search_files
 * the rest.
 */
typedef struct site_search site_search;
site_search *site_search_new(const struct site_ctx *c); /* free with site_search_free */
void site_search_get_params(const site_search *s, struct site_search_params *p);
size_t site_search_count(const site_search *s);
const struct site_entry *site_search_entry(const site_search *s, size_t i); /* borrows */
uint32_t site_search_id(const site_search *s, size_t i);
void site_search_add(site_search *s, size_t i, const char *body);
/*
 * The shards the story added last holds a term in, in ascending order
 * without repeats: *out is a new array, free it; returns their number.
 */
size_t site_search_last_shards(const site_search *s, uint32_t **out);
/*
 * Appends to out the bytes of shard made again from data, its bytes in an
 * index of the same parameters: without the postings of the numbers in
 * drop (sorted), with those of the stories added (after the last
 * site_search_add) merged in; the same bytes site_search_files gives when
 * every story is added. Nothing when no term is left. -1 when data is not
 * that shard as this index writes it (out may hold part of it then). With
 * out NULL, only checks data.
 */
int site_search_merge(site_search *s, uint32_t shard, const void *data, size_t len,
		      const uint32_t *drop, size_t n_drop, struct buf *out);
void site_search_free(site_search **s); /* accepts NULL, sets *s to NULL */

/* One file of the index: its path in the site and its bytes. */
struct site_search_file {
	char *rel;
	struct buf data;
};
/*
 * The files of the index: search/t/<shard>.bin of every shard that holds
 * a term (when shards), search/d/<chunk>.json of every chunk (only those
 * whose chunks[chunk] is true when chunks is not NULL; borrowed) and
 * search/meta.json, in a fixed order. *out is a new array, free with
 * site_search_files_free.
 */
int site_search_files(site_search *s, bool shards, const bool *chunks,
		      struct site_search_file **out, size_t *n, struct hearth_err *err);
void site_search_files_free(struct site_search_file *v, size_t n);

/*
 * The search page's document: <page type="search"> with <site> and
 * <search stories id-bits shard-bits chunk-bits> holding <kinds><kind slug
 * count/></kinds>, <themes><theme slug count>Name</theme></themes>, <tags>
 * and <warnings> the same way. New document, free with xmlFreeDoc.
 */
xmlDocPtr site_page_search(const struct site_ctx *c);

#endif
