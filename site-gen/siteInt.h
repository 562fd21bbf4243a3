/*
 * siteInt.h - the inside of site-gen/, shared by its files and by
 * tests/unit/test_site.c only. Nothing else includes it.
 *
 * The build is split in stages that can be tested alone: the records in
 * memory (struct site_ctx, records.c), media renditions (renditions.c,
 * through a table of functions a test may replace), the chapters JSON
 * (chapters.c), the public view as one XML document per page (view.c),
 * the XSLT theme (theme.c), and the output folder with its marker file
 * and atomic swap (output.c). build.c strings them together.
 *
 * Calls between the files go one way: a file calls only files on lower
 * lines, never one on its own line or above, so there are no circles.
 *   1  build.c
 *   2  view.c, renditions.c
 *   3  records.c, chapters.c, theme.c, output.c
 */
#ifndef HEARTH_SITE_INT_H
#define HEARTH_SITE_INT_H

#include "site.h"
#include "../media/media.h"   /* the rendering side only: it sees library/public.h */

#include <libxml/tree.h>

/* The marker file every build writes; an out_dir without it is not ours. */
#define SITE_MARKER ".hearth-site"

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
};

/*
 * Builds ctx->e from the two views: the union by slug, sorted newest first
 * (published_at, then slug). Borrows the stories.
 */
void site_ctx_entries(struct site_ctx *c, struct pub_story **site, size_t n_site,
		      struct pub_story **pod, size_t n_pod);
/* Frees what media/ made for one entry (the strings in m) and zeroes m. */
void site_media_release(struct site_media *m);
/* Frees ctx->e and the media inside (not the stories). */
void site_ctx_release(struct site_ctx *c);
/* The entry for slug (borrowed from c), or NULL. */
const struct site_entry *site_ctx_find(const struct site_ctx *c, const char *slug);

/* ---- media renditions (renditions.c) ----------------------------------- */

/*
 * The media/ and library/ functions the build calls, as a table so a test
 * can stand in for them. site_media_default holds the real ones.
 */
struct site_media_ops {
	int (*cached)(hearth_lib *lib, const char *src, const char *sha256,
		      const struct media_job *job, struct media_result *res,
		      struct hearth_err *err);
	/* every audio rendition of a recording at once; NULL: .cached, one by one */
	int (*cached_audio)(hearth_lib *lib, const char *src, const char *sha256,
			    const struct media_job *jobs, size_t n, int threads,
			    struct media_result *res, struct hearth_err *err);
	int (*cover_check)(const char *path, const char *name,
			   const struct media_limits *limits, struct media_info *info,
			   struct hearth_err *err);
	int (*transcript)(const char *src, double duration, struct buf *vtt,
			  struct buf *text, struct hearth_err *err);
	char *(*store_path)(const hearth_lib *lib, const char *sha256);
};
extern const struct site_media_ops site_media_default;

/*
 * Makes every rendition the entries need and puts it into staging/media/
 * (and the show's cover into staging/cover.jpg when cover_src is set;
 * cover_path is the source image, checked as media_cover_check does).
 * Art is published as JPEG and WebP at 480, 960 and 1600 px wide, never
 * wider than the source: widths it does not reach are left out and its
 * own width is the largest. A story whose first art is at least 1400 px
 * on its short side also gets media/<slug>/cover.jpg, its episode cover.
 * Runs jobs threads (0: all cores). Fills each entry's m; st (may be NULL)
 * gets the renditions made and cached. opts (borrowed, may be NULL) gives
 * the progress callback, called as in struct site_opts.
 *
 * A story's failure does not stop the others: its remaining jobs are
 * skipped, the entry is marked media_failed and the story and the reason
 * are added to st->failed (the caller leaves it out). Only a failure that
 * is no story's (the show's cover) fails the whole step.
 */
int site_media_run(hearth_lib *lib, const struct site_media_ops *ops,
		   struct site_ctx *c, const char *cover_path, const char *staging,
		   int jobs, const struct site_opts *opts, struct site_stats *st,
		   struct hearth_err *err);

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

/* ---- the public view as XML (view.c) ----------------------------------- */

/*
 * Markdown to HTML with cmark in its safe mode (raw HTML and javascript:
 * links removed), then parsed into XHTML nodes appended to parent: headings
 * move down a level (the page has its own h1), links get rel="ugc
 * nofollow", remote images become their alt text. When the HTML cannot be
 * parsed the Markdown goes in as plain paragraphs.
 */
void site_markdown_nodes(xmlNodePtr parent, const char *markdown); /* borrows both */

/*
 * One XML document per page: <page type="home|story|collection|404"
 * base="..."> with <site> and the page's content. Only fields of pub_story
 * and the site settings go in. New documents, free with xmlFreeDoc.
 */
xmlDocPtr site_page_home(const struct site_ctx *c);
xmlDocPtr site_page_story(const struct site_ctx *c, const struct site_entry *e);
xmlDocPtr site_page_collection(const struct site_ctx *c,
			       const struct pub_collection *coll);
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

/* ---- the output folder (output.c) -------------------------------------- */

/*
 * Refuses an out_dir that exists but is not a Hearth output: not a folder,
 * or a folder that is not empty and holds no SITE_MARKER, or one whose
 * marker lists the names hearth wrote and that holds another name at its
 * top that is not kept (the message names them).
 */
int site_out_check(const char *out_dir, struct hearth_err *err);

/*
 * Makes the staging folder ".<base>.new-XXXXXX" beside out_dir; its path
 * goes to *staging (new allocation, free it).
 */
int site_staging_make(const char *out_dir, char **staging, struct hearth_err *err);

/*
 * Puts staging in the place of out_dir in two steps. site_swap_in swaps
 * them in one move (renameat2 with RENAME_EXCHANGE, or a plain rename when
 * out_dir does not exist); *old gets where the old site now is (new
 * allocation, NULL when there was none). site_swap_finish carries the
 * names a deploy keeps (.git, CNAME, .well-known, ...) from the old site
 * into the new one, removes the old site and frees *old. On failure of
 * the first step out_dir is as it was.
 */
int site_swap_in(const char *staging, const char *out_dir, char **old,
		 struct hearth_err *err);
int site_swap_finish(char **old, const char *out_dir, struct hearth_err *err);

/* Writes staging/SITE_MARKER, listing the names at the top of staging. */
int site_marker_write(const char *staging, struct hearth_err *err);

/*
 * What killed builds leave: removes the staging folders beside out_dir
 * (".<base>.new-*", ".<base>.old-*"), first moving any kept name they hold
 * into out_dir when it lacks it. Only under the build lock.
 */
int site_out_tidy(const char *out_dir, struct hearth_err *err);

/*
 * Removes the temporary files of atomic writes ("*.tmp-XXXXXX") in dir,
 * and in its subfolders when deep. Only under the build lock.
 */
int site_tidy_temp(const char *dir, bool deep, struct hearth_err *err);

/* ---- the whole build from records (build.c) ---------------------------- */

/* What site_build reads from the library, so a test can hand it over. */
struct site_input {
	const char *lib_dir;
	const struct lib_settings *set;
	struct pub_story **site;
	size_t n_site;
	struct pub_story **pod;
	size_t n_pod;
	struct pub_collection **colls;
	size_t n_colls;
};

int site_build_input(hearth_lib *lib, const struct site_input *in,
		     const struct site_opts *opts, const struct site_media_ops *ops,
		     struct site_stats *stats, struct hearth_err *err);

/*
 * What stands before the swap: enter is called with the site finished,
 * just before it is swapped in, and returns 0 to swap (leave is then
 * called right after the swap), SITE_AGAIN to drop this build, or an error.
 */
struct site_gate {
	int (*enter)(void *arg, struct hearth_err *err);
	void (*leave)(void *arg);
	void *arg;
};

/* What a gate returns when the build must be made again; not an error. */
#define SITE_AGAIN 1


#endif
