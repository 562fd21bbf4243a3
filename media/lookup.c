/*
 * lookup.c - the library's cache of media work, read without FFmpeg.
 *
 * A rendition lives in cache/ under the source's SHA-256 and a profile
 * naming every setting that changes its bytes, the version of Hearth's
 * recipe for its kind and the versions of the FFmpeg libraries that make
 * it (media_cache_name). render.c names it with the versions of the
 * libraries it runs with; hearth-site, which links no FFmpeg, with the
 * versions of the headers it was compiled against, and only once the
 * cache says the programs that make renditions ran with those same
 * versions (cache/ffmpeg.versions, media_versions_note), so both programs
 * name every rendition alike.
 *
 * Two more results are kept beside the renditions, in small memo files:
 * a transcript made publishable (its WebVTT and its plain text) and the
 * check of the show's cover (its size as shown). They are keyed by the
 * source's hash, what the work was given, and a salt the caller makes of
 * the programs that do the work, so a new program never trusts an old
 * one's memo.
 *
 * The media_lookup functions answer from the cache alone: MEDIA_UNCACHED
 * when the work is not there, and then only hearth-media can do it. The
 * check of the show's image an import makes (media_show_image_lookup) is
 * answered so too, so the lean hearth imports a settings file that names
 * an image it checked before without starting hearth-media.
 */
#include "mediaInt.h"

#include <libavcodec/version.h>
#include <libavfilter/version.h>
#include <libavformat/version.h>
#include <libswresample/version.h>
#include <libswscale/version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * Raise a kind's recipe version when the code that makes it changes its
 * output, so old cache entries are not reused.
 */
static const int recipe_version[] = {
	[MEDIA_MP3] = 5, [MEDIA_M4A] = 4, [MEDIA_PEAKS] = 2, [MEDIA_WAVEFORM] = 2,
	[MEDIA_JPEG] = 3, [MEDIA_WEBP] = 1, [MEDIA_COVER] = 1,
};

/* The name of the file that says which FFmpeg made the cache's renditions. */
#define VERSIONS_FILE "ffmpeg.versions"

bool media_kind_valid(const struct media_job *job)
{
	return job && (int)job->kind >= 0 && job->kind <= MEDIA_COVER;
}

bool media_kind_audio(enum media_kind k)
{
	return k == MEDIA_MP3 || k == MEDIA_M4A || k == MEDIA_PEAKS || k == MEDIA_WAVEFORM;
}

void media_versions_built(struct media_versions *v)
{
	v->codec = LIBAVCODEC_VERSION_INT;
	v->filter = LIBAVFILTER_VERSION_INT;
	v->resample = LIBSWRESAMPLE_VERSION_INT;
	v->scale = LIBSWSCALE_VERSION_INT;
	v->format = LIBAVFORMAT_VERSION_INT;
}

/* True when cache/ffmpeg.versions names v; *path gets the file's name (new allocation). */
static bool versions_noted(hearth_lib *lib, const struct media_versions *v, char **path,
			   char want[96])
{
	struct buf have = BUF_INIT;
	bool same;

	snprintf(want, 96, "avcodec %x\navfilter %x\nswresample %x\nswscale %x\navformat %x\n",
		 v->codec, v->filter, v->resample, v->scale, v->format);
	*path = xasprintf("%s/cache/" VERSIONS_FILE, lib_dir(lib));
	same = file_read(*path, &have, NULL) == 0 && strcmp(buf_cstr(&have), want) == 0;
	buf_release(&have);
	return same;
}

int media_versions_note(hearth_lib *lib, const struct media_versions *v,
			struct hearth_err *err)
{
	char want[96], *path;
	int rc = 0;

	if (!versions_noted(lib, v, &path, want))
		rc = file_write_atomic(path, want, strlen(want), err);
	free(path);
	return rc;
}

bool media_lookup_ready(hearth_lib *lib)
{
	struct media_versions v;
	char want[96], *path;

	media_versions_built(&v);
	bool same = versions_noted(lib, &v, &path, want);
	free(path);
	return same;
}

/* A short hash of everything in the tags, so new tags make a new rendition. */
static void tags_key(const struct media_tags *t, struct buf *b)
{
	struct buf k = BUF_INIT;
	char hex[65];
	if (!t)
		return;
	const char *v[] = {t->title, t->artist, t->album};
	for (size_t i = 0; i < 3; i++) {
		buf_puts(&k, v[i] ? v[i] : "");
		buf_add(&k, "", 1); /* the NUL keeps "ab"+"c" apart from "a"+"bc" */
	}
	if (t->cover) {
		char ch[65];
		if (sha256_file(t->cover, ch, NULL) == 0)
			buf_puts(&k, ch);
	}
	for (size_t i = 0; i < t->n_chapters; i++) {
		buf_printf(&k, "%.3f", t->chapters[i].start);
		buf_puts(&k, t->chapters[i].title ? t->chapters[i].title : "");
		buf_add(&k, "", 1);
	}
	sha256_hex(k.data ? k.data : "", k.len, hex);
	buf_release(&k);
	buf_printf(b, "-t%.12s", hex);
}

/* The profile: the part of the cache name after the source's hash. */
static void profile(const struct media_job *job, const struct media_versions *ver,
		    struct buf *b)
{
	buf_printf(b, "%s%d", media_kind_ext(job->kind), recipe_version[job->kind]);
	switch (job->kind) {
	case MEDIA_MP3:
	case MEDIA_M4A: {
		struct media_audio_opts o = media_audio_defaults(&job->audio);
		buf_printf(b, "-%c%d-l%.1f-p%.1f", o.kind == AUDIO_MUSIC ? 'm' : 's', o.kbps,
			   o.loudness, o.true_peak);
		tags_key(job->tags, b);
		buf_printf(b, "-c%x-f%x-s%x", ver->codec, ver->filter, ver->resample);
		break;
	}
	case MEDIA_PEAKS:
	case MEDIA_WAVEFORM:
		/* made from the sound the encoders get: its channels and its resampler */
		buf_printf(b, "-%c-n%d-c%x-f%x-s%x",
			   media_audio_defaults(&job->audio).kind == AUDIO_MUSIC ? 'm' : 's',
			   job->points, ver->codec, ver->filter, ver->resample);
		break;
	case MEDIA_JPEG:
	case MEDIA_WEBP:
	case MEDIA_COVER:
		buf_printf(b, "-w%d-c%x-s%x", job->width, ver->codec, ver->scale);
		break;
	}
	buf_printf(b, "-x%x", ver->format);
}

int media_cache_name(hearth_lib *lib, const char *sha256, const struct media_job *job,
		     const struct media_versions *ver, char **out, struct hearth_err *err)
{
	struct buf prof = BUF_INIT;

	*out = NULL;
	if (!media_kind_valid(job))
		return herr(err, HEARTH_EINVAL, "unknown kind of rendition");
	if (!sha256_is_hex(sha256))
		return herr(err, HEARTH_EINVAL, "'%s' is not a SHA-256", sha256 ? sha256 : "");
	if (!lib || !lib_dir(lib))
		return herr(err, HEARTH_EINVAL, "no library is open");
	profile(job, ver, &prof);
	*out = xasprintf("%s/cache/%.2s/%s-%s.%s", lib_dir(lib), sha256, sha256,
			 buf_cstr(&prof), media_kind_ext(job->kind));
	buf_release(&prof);
	return 0;
}

int media_cover_side(int w, int h)
{
	int s = w < h ? w : h;
	if (s < MEDIA_COVER_MIN)
		return 0;
	return s > MEDIA_COVER_MAX ? MEDIA_COVER_MAX : s;
}

/* ---- answers from the cache alone ------------------------------------------ */

void media_result_release(struct media_result *r)
{
	if (r) {
		free(r->path);
		memset(r, 0, sizeof *r);
	}
}

static bool is_image(enum media_kind k)
{
	return k == MEDIA_JPEG || k == MEDIA_WEBP || k == MEDIA_COVER;
}

bool media_rendition_size(const char *path, struct media_result *r)
{
	int64_t w = 0, h = 0;
	if (!media_header_size(path, &w, &h) || w > INT32_MAX || h > INT32_MAX)
		return false;
	r->width = (int)w;
	r->height = (int)h;
	return true;
}

/* One rendition found in the cache into *res; MEDIA_UNCACHED when it is not there. */
static int lookup_one(hearth_lib *lib, const char *sha256, const struct media_job *job,
		      struct media_result *res, struct hearth_err *err)
{
	struct media_versions v;
	struct stat st;
	char *path = NULL;
	int rc;

	media_versions_built(&v);
	if ((rc = media_cache_name(lib, sha256, job, &v, &path, err)))
		return rc;
	/* Hearth's own JPEG or WebP: the header says the size exactly */
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (is_image(job->kind) && !media_rendition_size(path, res))) {
		free(path);
		return MEDIA_UNCACHED;
	}
	res->size = st.st_size;
	res->path = path;
	return 0;
}

int media_lookup(hearth_lib *lib, const char *src, const char *sha256,
		 const struct media_job *job, struct media_result *res, struct hearth_err *err)
{
	(void)src;
	memset(res, 0, sizeof *res);
	int rc = lookup_one(lib, sha256, job, res, err);
	if (rc)
		media_result_release(res);
	return rc;
}

int media_lookup_audio(hearth_lib *lib, const char *src, const char *sha256,
		       const struct media_job *jobs, size_t n, int threads,
		       struct media_result *res, struct hearth_err *err)
{
	int rc = 0;
	(void)src;
	(void)threads;
	memset(res, 0, n * sizeof *res);
	for (size_t i = 0; !rc && i < n; i++) {
		if (!media_kind_valid(&jobs[i]) || !media_kind_audio(jobs[i].kind))
			rc = herr(err, HEARTH_EINVAL, "not an audio rendition");
		else
			rc = lookup_one(lib, sha256, &jobs[i], &res[i], err);
	}
	for (size_t i = 0; rc && i < n; i++)
		media_result_release(&res[i]);
	return rc;
}

/* ---- memos: a transcript made publishable, the show's cover checked ------- */

/* cache/<sha[0:2]>/<sha>-<what>-<16 hex of salt and detail>.memo (new allocation) */
static char *memo_path(hearth_lib *lib, const char *sha256, const char *what,
		       const char *salt, const char *detail)
{
	struct buf k = BUF_INIT;
	char hex[65];
	buf_puts(&k, salt ? salt : "");
	buf_add(&k, "", 1);
	buf_puts(&k, detail);
	sha256_hex(k.data, k.len, hex);
	buf_release(&k);
	return xasprintf("%s/cache/%.2s/%s-%s-%.16s.memo", lib_dir(lib), sha256, sha256, what,
			 hex);
}

static char *transcript_memo(hearth_lib *lib, const char *salt, const char *sha256,
			     double duration)
{
	char detail[64];
	snprintf(detail, sizeof detail, "transcript 1 %.17g", duration);
	return memo_path(lib, sha256, "vtt", salt, detail);
}

int media_transcript_lookup(hearth_lib *lib, const char *salt, const char *src,
			    const char *sha256, double duration, struct buf *vtt,
			    struct buf *text, bool *made, struct hearth_err *err)
{
	struct buf m = BUF_INIT;
	char *path, *end = NULL;
	int rc = MEDIA_UNCACHED;

	(void)src;
	if (made)
		*made = false;
	if (!sha256_is_hex(sha256))
		return herr(err, HEARTH_EINVAL, "'%s' is not a SHA-256", sha256 ? sha256 : "");
	path = transcript_memo(lib, salt, sha256, duration);
	/* "<bytes of the WebVTT>\n", the WebVTT, then the text */
	if (file_read(path, &m, NULL) == 0 && m.len > 0) {
		const char *d = buf_cstr(&m);
		unsigned long long nv = strtoull(d, &end, 10);
		size_t head = end && *end == '\n' ? (size_t)(end - d) + 1 : 0;
		if (head && nv <= m.len - head) {
			buf_add(vtt, d + head, (size_t)nv);
			buf_add(text, d + head + nv, m.len - head - (size_t)nv);
			rc = 0;
		}
	}
	buf_release(&m);
	free(path);
	return rc;
}

int media_transcript_remember(hearth_lib *lib, const char *salt, const char *sha256,
			      double duration, const struct buf *vtt, const struct buf *text,
			      struct hearth_err *err)
{
	struct buf m = BUF_INIT;
	char *path;
	int rc;

	if (!sha256_is_hex(sha256))
		return herr(err, HEARTH_EINVAL, "'%s' is not a SHA-256", sha256 ? sha256 : "");
	path = transcript_memo(lib, salt, sha256, duration);
	buf_printf(&m, "%zu\n", vtt->len);
	buf_add(&m, vtt->data ? vtt->data : "", vtt->len);
	buf_add(&m, text->data ? text->data : "", text->len);
	rc = file_write_atomic(path, m.data, m.len, err);
	buf_release(&m);
	free(path);
	return rc;
}

static char *cover_memo(hearth_lib *lib, const char *salt, const char *sha256,
			const struct media_limits *lim)
{
	char detail[96];
	snprintf(detail, sizeof detail, "cover 1 %lld %.17g %lld",
		 lim ? (long long)lim->max_file_size : -1LL, lim ? lim->max_duration : -1.0,
		 lim ? (long long)lim->max_pixels : -1LL);
	return memo_path(lib, sha256, "cover", salt, detail);
}

int media_cover_check_lookup(hearth_lib *lib, const char *salt, const char *path,
			     const char *sha256, const char *name,
			     const struct media_limits *limits, struct media_info *info,
			     struct hearth_err *err)
{
	struct buf m = BUF_INIT;
	char *memo;
	int w = 0, h = 0, rc = MEDIA_UNCACHED;

	(void)path;
	(void)err;
	(void)name;
	if (!sha256_is_hex(sha256))
		return MEDIA_UNCACHED; /* the cover cannot be read: hearth-media says why */
	memo = cover_memo(lib, salt, sha256, limits);
	if (file_read(memo, &m, NULL) == 0 && sscanf(buf_cstr(&m), "%d %d", &w, &h) == 2 &&
	    w > 0 && h > 0) {
		memset(info, 0, sizeof *info);
		info->width = w;
		info->height = h;
		rc = 0;
	}
	buf_release(&m);
	free(memo);
	return rc;
}

int media_cover_check_remember(hearth_lib *lib, const char *salt, const char *sha256,
			       const struct media_limits *limits, const struct media_info *info,
			       struct hearth_err *err)
{
	char line[64], *memo;
	int rc;

	if (!sha256_is_hex(sha256))
		return herr(err, HEARTH_EINVAL, "'%s' is not a SHA-256", sha256 ? sha256 : "");
	memo = cover_memo(lib, salt, sha256, limits);
	snprintf(line, sizeof line, "%d %d\n", info->width, info->height);
	rc = file_write_atomic(memo, line, strlen(line), err);
	free(memo);
	return rc;
}

/* ---- the show's image, as an import checks it ----------------------------- */

void media_limits_of(const struct lib_settings *set, struct media_limits *out)
{
	out->max_file_size = set->max_file_size;
	out->max_duration = set->max_duration;
	out->max_pixels = set->max_pixels;
}

char *media_show_image(const char *yaml, bool *named)
{
	struct buf text = BUF_INIT;
	struct ynode *y = NULL;
	char *img = NULL;
	const char *rel;

	*named = true; /* what cannot be read is lib_settings_import's to report */
	if (file_read_max(yaml, LIB_MAX_SETTINGS_SIZE, NULL, &text, NULL) != 0 ||
	    yaml_parse(text.data ? text.data : "", text.len, yaml, 0, &y, NULL) != 0)
		goto end;
	rel = ymap_str(ymap_get(y, "podcast"), "image");
	*named = rel != NULL;
	if (!rel || !path_is_safe_rel(rel))
		goto end;
	char *dir = path_dir(yaml);
	img = strcmp(dir, ".") ? path_join(dir, rel) : xstrdup(rel);
	free(dir);
	if (!path_exists(img))
		xfree(&img);
end:
	ynode_free(y);
	buf_release(&text);
	return img;
}

void media_cover_note(const char *img, const struct media_info *info, char ***notes)
{
	if (info->width == info->height)
		return;
	int side = media_cover_side(info->width, info->height);
	char *note = xasprintf("%s is %d\u00d7%d, not square; the podcast cover is its centre, "
			       "%d\u00d7%d",
			       img, info->width, info->height, side, side);
	*notes = strv_push(*notes, note);
	free(note);
}

int media_show_image_lookup(hearth_lib *lib, const char *salt, const char *yaml,
			    const struct lib_settings *set, char ***notes)
{
	struct media_limits lim;
	struct media_info info;
	char sha[65];
	bool named;
	int rc = MEDIA_UNCACHED;

	char *img = media_show_image(yaml, &named);
	if (!img)
		return named ? MEDIA_UNCACHED : 0;
	media_limits_of(set, &lim);
	if (sha256_file(img, sha, NULL) == 0 &&
	    (rc = media_cover_check_lookup(lib, salt, img, sha, img, &lim, &info, NULL)) == 0)
		media_cover_note(img, &info, notes);
	free(img);
	return rc;
}
