/*
 * weak_deps.c - TEMPORARY. Weak stand-ins for the library/ and media/
 * functions site-gen calls, so that every program of the tree (each unit
 * test links all of core/ library/ media/ feeds/ site-gen/) still links
 * while those folders are being written on their own branches. The real
 * definitions are strong and replace these at link time, so nothing here
 * ever runs once library/ and media/ have landed: delete this file then.
 *
 * Each stand-in fails with a message saying the folder is missing.
 */
#include "siteInt.h"

#define WEAK __attribute__((weak))

static int missing(struct hearth_err *err, const char *fn)
{
	return herr(err, HEARTH_EIO, "%s: not built into this program yet", fn);
}

WEAK int lib_settings_load(hearth_lib *lib, struct lib_settings *out,
			   struct hearth_err *err)
{
	(void)lib;
	(void)out;
	return missing(err, "lib_settings_load");
}

WEAK void lib_settings_release(struct lib_settings *s)
{
	(void)s;
}

WEAK int lib_public_view(hearth_lib *lib, enum lib_channel channel,
			 struct pub_story ***out, size_t *n,
			 struct pub_collection ***colls, size_t *n_colls,
			 struct hearth_err *err)
{
	(void)lib;
	(void)channel;
	(void)out;
	(void)n;
	(void)colls;
	(void)n_colls;
	return missing(err, "lib_public_view");
}

WEAK void pub_story_list_free(struct pub_story **v, size_t n)
{
	(void)v;
	(void)n;
}

WEAK void pub_collection_list_free(struct pub_collection **v, size_t n)
{
	(void)v;
	(void)n;
}

WEAK const char *lib_dir(const hearth_lib *lib)
{
	(void)lib;
	return ".";
}

WEAK char *lib_store_path(const hearth_lib *lib, const char *sha256)
{
	(void)lib;
	return xasprintf("store/%s", sha256);
}

WEAK int media_cached_mp3(hearth_lib *lib, const struct lib_asset *a,
			  enum media_audio_kind kind, const struct media_tags *tags,
			  char **out, bool *made, struct hearth_err *err)
{
	(void)lib;
	(void)a;
	(void)kind;
	(void)tags;
	(void)out;
	(void)made;
	return missing(err, "media_cached_mp3");
}

WEAK int media_cached_jpeg(hearth_lib *lib, const struct lib_asset *a, int max_width,
			   char **out, int *w, int *h, bool *made, struct hearth_err *err)
{
	(void)lib;
	(void)a;
	(void)max_width;
	(void)out;
	(void)w;
	(void)h;
	(void)made;
	return missing(err, "media_cached_jpeg");
}

WEAK int media_image_jpeg(const char *src, const char *dst, int max_width, int *w,
			  int *h, struct hearth_err *err)
{
	(void)src;
	(void)dst;
	(void)max_width;
	(void)w;
	(void)h;
	return missing(err, "media_image_jpeg");
}

WEAK int media_transcript(const char *src, double duration, struct buf *vtt,
			  struct buf *text, struct hearth_err *err)
{
	(void)src;
	(void)duration;
	(void)vtt;
	(void)text;
	return missing(err, "media_transcript");
}
