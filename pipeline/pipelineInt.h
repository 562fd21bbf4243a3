/*
 * pipelineInt.h - the inside of pipeline/, shared by its files and by the
 * unit tests only. Nothing else includes it.
 *
 * The build is split in stages that can be tested alone: media renditions
 * (renditions.c, through a table of functions a test may replace), the
 * output folder with its marker file and atomic swap (output.c), and
 * build.c, which strings them together with the pages site-gen/ makes and
 * the feed feeds/ writes.
 *
 * Calls between the files go one way: a file calls only files on lower
 * lines, never one on its own line or above, so there are no circles.
 *   1  build.c
 *   2  renditions.c, output.c
 */
#ifndef HEARTH_PIPELINE_INT_H
#define HEARTH_PIPELINE_INT_H

#include "pipeline.h"
#include "../site-gen/site.h"
#include "../media/media.h"   /* the rendering side only: it sees library/public.h */

/* The marker file every build writes; an out_dir without it is not ours. */
#define SITE_MARKER ".hearth-site"

/* ---- media renditions (renditions.c) ----------------------------------- */

/*
 * The media/ and library/ functions the build calls, as a table so a test
 * can stand in for them. site_media_default holds the real ones.
 */
struct site_media_ops {
	int (*cached)(hearth_lib *lib, const char *src, const char *sha256,
		      const struct media_job *job, struct media_result *res,
		      struct hearth_err *err);
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
