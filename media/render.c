/*
 * render.c - one way in for every rendition: media_render() sends a job to
 * the code for its kind (audio.c, image.c, waveform.c), and media_cached()
 * puts the library's cache in front of it. The cache key is the source's
 * SHA-256 plus a profile naming every setting of the job that changes the
 * output bytes, the version of Hearth's recipe for that kind, and the
 * versions of the FFmpeg libraries that make it. A changed setting makes a
 * new key, so it redoes exactly what it affects.
 */
#include "mediaInt.h"

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Raise a kind's recipe version when the code that makes it changes its
 * output, so old cache entries are not reused.
 */
static const int recipe_version[] = {
	[MEDIA_MP3] = 4, [MEDIA_M4A] = 2, [MEDIA_PEAKS] = 1, [MEDIA_WAVEFORM] = 1,
	[MEDIA_JPEG] = 3, [MEDIA_WEBP] = 1, [MEDIA_COVER] = 1,
};

static bool kind_valid(const struct media_job *job)
{
	return job && (int)job->kind >= 0 && job->kind <= MEDIA_COVER;
}

void media_result_release(struct media_result *r)
{
	if (r) {
		free(r->path);
		memset(r, 0, sizeof *r);
	}
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
static void profile(const struct media_job *job, struct buf *b)
{
	buf_printf(b, "%s%d", media_kind_ext(job->kind), recipe_version[job->kind]);
	switch (job->kind) {
	case MEDIA_MP3:
	case MEDIA_M4A: {
		struct media_audio_opts o = media_audio_defaults(&job->audio);
		buf_printf(b, "-%c%d-l%.1f-p%.1f", o.kind == AUDIO_MUSIC ? 'm' : 's', o.kbps,
			   o.loudness, o.true_peak);
		tags_key(job->tags, b);
		buf_printf(b, "-c%x-f%x-s%x", avcodec_version(), avfilter_version(),
			   swresample_version());
		break;
	}
	case MEDIA_PEAKS:
	case MEDIA_WAVEFORM:
		buf_printf(b, "-n%d-c%x", job->points, avcodec_version());
		break;
	case MEDIA_JPEG:
	case MEDIA_WEBP:
	case MEDIA_COVER:
		buf_printf(b, "-w%d-c%x-s%x", job->width, avcodec_version(), swscale_version());
		break;
	}
	buf_printf(b, "-x%x", avformat_version());
}

/* media_render, with the first pass of an audio rendition done when m is set. */
static int render(const char *src, const char *dst, const struct media_job *job,
		  const struct audio_measure *m, struct media_result *res,
		  struct hearth_err *err)
{
	struct media_result r = {0};
	int rc;

	if (!kind_valid(job))
		return herr(err, HEARTH_EINVAL, "unknown kind of rendition");
	switch (job->kind) {
	case MEDIA_MP3:
	case MEDIA_M4A:
		rc = m ? render_audio_measured(src, dst, job, m, &r, err)
		       : render_audio(src, dst, job, &r, err);
		break;
	case MEDIA_PEAKS:
	case MEDIA_WAVEFORM:
		rc = render_waveform(src, dst, job, &r, err);
		break;
	default:
		rc = render_image(src, dst, job, &r, err);
		break;
	}
	if (rc == 0) {
		r.made = true;
		r.size = file_size(dst);
		if (!r.path)
			r.path = xstrdup(dst);
	}
	if (res)
		*res = r;
	else
		media_result_release(&r);
	return rc;
}

int media_render(const char *src, const char *dst, const struct media_job *job,
		 struct media_result *res, struct hearth_err *err)
{
	return render(src, dst, job, NULL, res, err);
}

/*
 * The first pass of an audio rendition through the cache, so the MP3 and
 * the M4A of one source measure it once: a line "lufs gain duration" in
 * cache/ beside the renditions, under a key of everything the measurement
 * depends on (the channels, the target, the ceiling and its margin).
 */
#define MEASURE_VERSION 1

static int measure_cached(hearth_lib *lib, const char *src, const char *sha256,
			  const struct media_job *job, struct audio_measure *m,
			  struct hearth_err *err)
{
	struct media_audio_opts o = media_audio_defaults(&job->audio);
	struct buf b = BUF_INIT;
	char *path = xasprintf("%s/cache/%.2s/%s-loudness%d-%c-l%.1f-p%.1f-m%.2f-f%x.txt",
			       lib_dir(lib), sha256, sha256, MEASURE_VERSION,
			       o.kind == AUDIO_MUSIC ? 'm' : 's', o.loudness, o.true_peak,
			       audio_tp_margin(&o), avfilter_version());
	int rc = 0;

	if (path_is_file(path) && file_read(path, &b, NULL) == 0 &&
	    sscanf(buf_cstr(&b), "%lf %lf %lf", &m->lufs, &m->gain, &m->duration) == 3 &&
	    isfinite(m->gain) && m->duration > 0)
		goto end;
	rc = audio_measure(src, &o, m, err);
	if (!rc) {
		buf_reset(&b);
		buf_printf(&b, "%.17g %.17g %.17g\n", m->lufs, m->gain, m->duration);
		rc = file_write_atomic(path, b.data, b.len, err);
	}
end:
	buf_release(&b);
	free(path);
	return rc;
}

/* Width and height of an image rendition already in the cache. */
static int image_size(const char *path, struct media_result *r, struct hearth_err *err)
{
	struct media_info info;
	int rc = media_probe(path, &info, err);
	if (rc == 0) {
		r->width = info.width;
		r->height = info.height;
	}
	return rc;
}

int media_cached(hearth_lib *lib, const char *src, const char *sha256,
		 const struct media_job *job, struct media_result *res,
		 struct hearth_err *err)
{
	struct buf prof = BUF_INIT;
	struct media_result r = {0};
	char *path = NULL;
	int rc = 0;

	memset(res, 0, sizeof *res);
	if (!kind_valid(job))
		return herr(err, HEARTH_EINVAL, "unknown kind of rendition");
	if (!sha256 || strlen(sha256) != 64 || strspn(sha256, "0123456789abcdef") != 64)
		return herr(err, HEARTH_EINVAL, "'%s' is not a SHA-256", sha256 ? sha256 : "");
	if (!lib || !lib_dir(lib))
		return herr(err, HEARTH_EINVAL, "no library is open");
	profile(job, &prof);
	path = xasprintf("%s/cache/%.2s/%s-%s.%s", lib_dir(lib), sha256, sha256,
			 buf_cstr(&prof), media_kind_ext(job->kind));
	if (path_is_file(path)) {
		r.path = path;
		path = NULL;
		r.size = file_size(r.path);
		if (job->kind >= MEDIA_JPEG)
			rc = image_size(r.path, &r, err);
	} else {
		if (!path_is_file(src)) {
			rc = herr(err, HEARTH_ENOENT, "'%s': the source of a rendition is missing",
				  src);
			goto end;
		}
		if (job->kind == MEDIA_MP3 || job->kind == MEDIA_M4A) {
			struct audio_measure m;
			rc = measure_cached(lib, src, sha256, job, &m, err);
			if (!rc)
				rc = render(src, path, job, &m, &r, err);
		} else {
			rc = render(src, path, job, NULL, &r, err);
		}
	}
end:
	if (rc)
		media_result_release(&r);
	else
		*res = r;
	free(path);
	buf_release(&prof);
	return rc;
}
