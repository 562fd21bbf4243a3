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
};

/* Entries in the order a list shows them; v borrows from the ctx. */
struct site_list {
	const struct site_entry **v;
	size_t n;
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
	size_t *by_slug;               /* indices into e, by slug, for site_ctx_find */
	struct site_list on_site;      /* the stories with a page, newest first */
	struct site_list *in_coll;     /* per colls[i]: its stories with a page, in its order */
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

/* ---- the theme (theme.c) ----------------------------------------------- */

typedef struct site_theme site_theme;

/*
 * Loads dir/page.xsl once per build, with a security policy that forbids
 * the stylesheet to write files, make folders or touch the network.
 * Returns a new theme in *out, free with site_theme_free (accepts NULL
 * and sets *t to NULL).
 */
int site_theme_load(const char *dir, site_theme **out, struct hearth_err *err);
void site_theme_free(site_theme **t);
/* The theme's style.css (or the default theme's); borrows. NULL if none. */
const char *site_theme_css(const site_theme *t);

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

#endif
