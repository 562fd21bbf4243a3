/*
 * cache.c - the rendition cache. A rendition lives at
 * <library>/cache/<sha[0:2]>/<sha>-<profile>.<ext>, where sha is the hash
 * of the original in store/ and profile names every setting that changes
 * the output bytes: the kind of rendition and its parameters, a hash of
 * the tags, the version of Hearth's own recipe and the versions of the
 * FFmpeg libraries that make it. Same original and same settings: same
 * file, never made twice. Renditions are made under a temporary name and
 * renamed into place, so two builds making the same one at once both end
 * with a whole file.
 */
#include "mediaInt.h"

#include <libavfilter/avfilter.h>
#include <libswresample/swresample.h>
#include <stdlib.h>
#include <string.h>

/*
 * Hearth's own recipe version: raise it when the code that makes a
 * rendition changes its output, so old cache entries are not reused.
 */
#define RECIPE_VERSION 1

static bool sha_valid(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* The cache path of sha with profile and ext; new allocation, or NULL. */
static char *cache_path(hearth_lib *lib, const char *sha, const char *profile,
			const char *ext, struct hearth_err *err)
{
	const char *dir = lib ? lib_dir(lib) : NULL;

	if (!dir) {
		herr(err, HEARTH_EINVAL, "no library is open");
		return NULL;
	}
	if (!sha_valid(sha)) {
		herr(err, HEARTH_EINVAL, "asset hash '%s' is not a SHA-256",
		     sha ? sha : "(none)");
		return NULL;
	}
	return xasprintf("%s/cache/%.2s/%s-%s.%s", dir, sha, sha, profile, ext);
}

/* The original of a in the store; new allocation, or NULL with err set. */
static char *original(hearth_lib *lib, const struct lib_asset *a, struct hearth_err *err)
{
	char *p = lib_store_path(lib, a->sha256);
	if (!p || !path_is_file(p)) {
		herr(err, HEARTH_ENOENT, "%s: the original (%s) is missing from the store",
		     a->filename ? a->filename : "asset", a->sha256);
		free(p);
		return NULL;
	}
	return p;
}

/* A short hash of the tags, so new tags make a new rendition. */
static void tags_hash(const struct media_tags *t, char out[13])
{
	struct buf b = BUF_INIT;
	char hex[65];
	const char *v[3] = {t ? t->title : NULL, t ? t->artist : NULL, t ? t->album : NULL};

	for (int i = 0; i < 3; i++) {
		buf_puts(&b, v[i] ? v[i] : "");
		buf_add(&b, "", 1); /* the NUL keeps "ab"+"c" apart from "a"+"bc" */
	}
	sha256_hex(b.data, b.len, hex);
	buf_release(&b);
	memcpy(out, hex, 12);
	out[12] = '\0';
}

int media_cached_mp3(hearth_lib *lib, const struct lib_asset *a,
		     enum media_audio_kind kind, const struct media_tags *tags,
		     char **out, bool *made, struct hearth_err *err)
{
	char th[13], *profile, *path = NULL, *src = NULL;
	int rc = 0;

	*out = NULL;
	if (made)
		*made = false;
	tags_hash(tags, th);
	profile = xasprintf("mp3-%s%d-t%s-r%d-c%x-f%x-s%x", kind == AUDIO_MUSIC ? "m" : "s",
			    kind == AUDIO_MUSIC ? 160 : 96, th, RECIPE_VERSION,
			    avcodec_version(), avfilter_version(), swresample_version());
	path = cache_path(lib, a->sha256, profile, "mp3", err);
	if (!path) {
		rc = err ? err->code : HEARTH_EINVAL;
		goto end;
	}
	if (!path_is_file(path)) {
		src = original(lib, a, err);
		if (!src) {
			rc = err ? err->code : HEARTH_ENOENT;
			goto end;
		}
		rc = media_audio_mp3(src, path, kind, tags, err);
		if (rc)
			goto end;
		if (made)
			*made = true;
	}
	*out = path;
	path = NULL;
end:
	free(profile);
	free(path);
	free(src);
	return rc;
}

/* The older form of media_cached for JPEG web images, on the same cache. */
int media_cached_jpeg(hearth_lib *lib, const struct lib_asset *a, int max_width,
		      char **out, int *w, int *h, bool *made, struct hearth_err *err)
{
	struct media_job job = {.kind = MEDIA_JPEG, .width = max_width};
	struct media_result r = {0};
	char *src = NULL;
	int rc;

	*out = NULL;
	if (made)
		*made = false;
	if (max_width <= 0)
		return herr(err, HEARTH_EINVAL, "the image width must be positive, not %d",
			    max_width);
	if (!lib || !sha_valid(a->sha256))
		return herr(err, HEARTH_EINVAL, "asset hash '%s' is not a SHA-256",
			    a->sha256 ? a->sha256 : "(none)");
	src = lib_store_path(lib, a->sha256);
	rc = media_cached(lib, src, a->sha256, &job, &r, err);
	if (!rc) {
		if (w)
			*w = r.width;
		if (h)
			*h = r.height;
		if (made)
			*made = r.made;
		*out = r.path;
		r.path = NULL;
	}
	media_result_release(&r);
	free(src);
	return rc;
}
