/*
 * render.c - one way in for every rendition: media_render() and
 * media_render_audio() send jobs to the code for their kind (image.c for
 * pictures; audio.c for MP3, M4A, peaks and waveform, which are made from
 * one decode of their source after one loudness measurement), and
 * media_cached() and media_cached_audio() put the library's cache in
 * front of them. The cache key is the source's SHA-256 plus a profile
 * naming every setting of the job that changes the output bytes, the
 * version of Hearth's recipe for that kind, and the versions of the
 * FFmpeg libraries that make it. A changed setting makes a
 * new key, so it redoes exactly what it affects.
 */
#include "mediaInt.h"

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static bool is_encoder(enum media_kind k)
{
	return k == MEDIA_MP3 || k == MEDIA_M4A;
}

/* The versions of the FFmpeg libraries this program runs with. */
static void versions_running(struct media_versions *v)
{
	v->codec = avcodec_version();
	v->filter = avfilter_version();
	v->resample = swresample_version();
	v->scale = swscale_version();
	v->format = avformat_version();
}

int media_cache_stamp(hearth_lib *lib, struct hearth_err *err)
{
	struct media_versions v;
	versions_running(&v);
	return media_versions_note(lib, &v, err);
}

/* Fills r for a rendition just written to dst. */
static void made(struct media_result *r, const char *dst)
{
	r->made = true;
	r->size = file_size(dst);
	if (!r->path)
		r->path = xstrdup(dst);
}

static int audio_passes(hearth_lib *lib, const char *src, const char *sha256,
			const struct media_job *jobs, const char *const *dst, size_t n,
			int threads, struct hearth_err *err);

int media_render(const char *src, const char *dst, const struct media_job *job,
		 struct media_result *res, struct hearth_err *err)
{
	return media_render_audio(src, &dst, job, 1, 2, res, err);
}

int media_render_audio(const char *src, const char *const *dst, const struct media_job *jobs,
		       size_t n, int threads, struct media_result *res, struct hearth_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (!media_kind_valid(&jobs[i]))
			return herr(err, HEARTH_EINVAL, "unknown kind of rendition");
	if (res)
		memset(res, 0, n * sizeof *res);
	for (size_t i = 0; !rc && i < n; i++) {
		if (media_kind_audio(jobs[i].kind))
			continue;
		struct media_result r = {0};
		rc = render_image(src, dst[i], &jobs[i], &r, err);
		if (!rc)
			made(&r, dst[i]);
		if (res)
			res[i] = r;
		else
			media_result_release(&r);
	}
	if (!rc)
		rc = audio_passes(NULL, src, NULL, jobs, dst, n, threads, err);
	for (size_t i = 0; !rc && res && i < n; i++)
		if (media_kind_audio(jobs[i].kind))
			made(&res[i], dst[i]);
	for (size_t i = 0; rc && res && i < n; i++)
		media_result_release(&res[i]);
	return rc;
}

/*
 * The first pass of an audio rendition through the cache, so the MP3 and
 * the M4A of one source measure it once: a line "lufs gain duration" in
 * cache/ beside the renditions, under a key of everything the measurement
 * depends on (the channels, the target, the ceiling and its margin).
 */
#define MEASURE_VERSION 1

static int measure_cached(hearth_lib *lib, const char *src, const char *sha256,
			  const struct media_job *job, int threads, struct audio_measure *m,
			  struct hearth_err *err)
{
	struct media_audio_opts o = media_audio_defaults(&job->audio);
	struct buf b = BUF_INIT;
	char *path;
	int rc = 0;

	if (!lib)
		return audio_measure_headroom(src, &o, 0, threads, m, err);
	path = xasprintf("%s/cache/%.2s/%s-loudness%d-%c-l%.1f-p%.1f-m%.2f-f%x.txt",
			       lib_dir(lib), sha256, sha256, MEASURE_VERSION,
			       o.kind == AUDIO_MUSIC ? 'm' : 's', o.loudness, o.true_peak,
			       audio_tp_margin(&o), avfilter_version());

	/*
	 * One measurement of a source at a time, across threads and
	 * processes: a second job for the same source (two stories may share
	 * a recording) waits and then reads the first one's figure. The lock
	 * is named like the source's other entries, so purging them (erase,
	 * withdrawal) takes it too.
	 */
	char *dir = path_dir(path), *lock = xasprintf("%s/%s-measure.lock", dir, sha256);
	int fd = -1;
	if (mkdir_p(dir, NULL) == 0)
		fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
			;
	if (path_is_file(path) && file_read(path, &b, NULL) == 0 &&
	    sscanf(buf_cstr(&b), "%lf %lf %lf", &m->lufs, &m->gain, &m->duration) == 3 &&
	    isfinite(m->gain) && m->duration > 0)
		goto end;
	rc = audio_measure_headroom(src, &o, 0, threads, m, err);
	if (!rc) {
		buf_reset(&b);
		buf_printf(&b, "%.17g %.17g %.17g\n", m->lufs, m->gain, m->duration);
		rc = file_write_atomic(path, b.data, b.len, err);
	}
end:
	if (fd >= 0)
		close(fd); /* and the lock with it */
	free(lock);
	free(dir);
	buf_release(&b);
	free(path);
	return rc;
}

/*
 * The audio renditions of one source (the others of jobs are passed
 * over), in as few decodes as they allow: one for all the jobs that can
 * share a pass (audio_same_pass), which is every rendition of a
 * recording the build asks for. Each pass with an encoder measures first,
 * through the cache when lib is set.
 */
static int audio_passes(hearth_lib *lib, const char *src, const char *sha256,
			const struct media_job *jobs, const char *const *dst, size_t n,
			int threads, struct hearth_err *err)
{
	bool *done = xcalloc(n ? n : 1, sizeof *done);
	struct media_job *gj = xcalloc(n ? n : 1, sizeof *gj);
	const char **gd = xcalloc(n ? n : 1, sizeof *gd);
	int rc = 0;

	for (size_t i = 0; !rc && i < n; i++) {
		const struct media_job *lead = NULL; /* the pass's first encoder */
		size_t k = 0;
		if (done[i] || !media_kind_audio(jobs[i].kind))
			continue;
		for (size_t x = i; x < n; x++) {
			const struct media_job *job = &jobs[x];
			if (done[x] || !media_kind_audio(job->kind) ||
			    media_audio_defaults(&job->audio).kind !=
				    media_audio_defaults(&jobs[i].audio).kind)
				continue;
			if (is_encoder(job->kind) && lead && !audio_same_pass(lead, job))
				continue;
			if (is_encoder(job->kind) && !lead)
				lead = job;
			done[x] = true;
			gj[k] = *job;
			gd[k++] = dst[x];
		}
		struct audio_measure m;
		if (lead)
			rc = measure_cached(lib, src, sha256, lead, threads, &m, err);
		if (!rc)
			rc = render_audio_set(src, gd, gj, k, threads, lead ? &m : NULL, err);
	}
	free(done);
	free(gj);
	free(gd);
	return rc;
}

/*
 * Width and height of an image rendition already in the cache: what its
 * header says, as media_lookup reads it, so a program without FFmpeg
 * sees the same; else what libavformat finds.
 */
static int image_size(const char *path, struct media_result *r, struct hearth_err *err)
{
	struct media_info info;
	if (media_rendition_size(path, r))
		return 0;
	int rc = media_probe(path, &info, err);
	if (rc == 0) {
		r->width = info.width;
		r->height = info.height;
	}
	return rc;
}

/*
 * The cache's name for a rendition: cache/<sha[0:2]>/<sha>-<profile>.<ext>
 * (new allocation), after checking what it is made from.
 */
static int cache_path(hearth_lib *lib, const char *sha256, const struct media_job *job,
		      char **out, struct hearth_err *err)
{
	struct media_versions v;
	versions_running(&v);
	return media_cache_name(lib, sha256, job, &v, out, err);
}

int media_cached_audio(hearth_lib *lib, const char *src, const char *sha256,
		       const struct media_job *jobs, size_t n, int threads,
		       struct media_result *res, struct hearth_err *err)
{
	char **path = xcalloc(n ? n : 1, sizeof *path);
	const char **todo_dst = xcalloc(n ? n : 1, sizeof *todo_dst);
	struct media_job *todo = xcalloc(n ? n : 1, sizeof *todo);
	size_t k = 0;
	int rc = 0;

	memset(res, 0, n * sizeof *res);
	for (size_t i = 0; !rc && i < n; i++) {
		rc = cache_path(lib, sha256, &jobs[i], &path[i], err);
		if (!rc && !media_kind_audio(jobs[i].kind))
			rc = herr(err, HEARTH_EINVAL, "%s: not an audio rendition", src);
		if (rc || path_is_file(path[i]))
			continue;
		todo[k] = jobs[i];
		todo_dst[k++] = path[i];
	}
	if (!rc && k && !path_is_file(src))
		rc = herr(err, HEARTH_ENOENT, "'%s': the source of a rendition is missing", src);
	if (!rc && k)
		rc = audio_passes(lib, src, sha256, todo, todo_dst, k, threads, err);
	for (size_t i = 0, t = 0; !rc && i < n; i++) {
		if (t < k && todo_dst[t] == path[i]) {
			res[i].made = true;
			t++;
		}
		res[i].size = file_size(path[i]);
		res[i].path = path[i];
		path[i] = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		free(path[i]);
		if (rc)
			media_result_release(&res[i]);
	}
	free(path);
	free(todo_dst);
	free(todo);
	return rc;
}

int media_cached(hearth_lib *lib, const char *src, const char *sha256,
		 const struct media_job *job, struct media_result *res,
		 struct hearth_err *err)
{
	struct media_result r = {0};
	char *path = NULL;
	int rc;

	memset(res, 0, sizeof *res);
	if (media_kind_valid(job) && media_kind_audio(job->kind))
		return media_cached_audio(lib, src, sha256, job, 1, 2, res, err);
	rc = cache_path(lib, sha256, job, &path, err);
	if (rc)
		return rc;
	if (path_is_file(path)) {
		r.path = path;
		path = NULL;
		r.size = file_size(r.path);
		rc = image_size(r.path, &r, err);
	} else if (!path_is_file(src)) {
		rc = herr(err, HEARTH_ENOENT, "'%s': the source of a rendition is missing", src);
	} else {
		rc = render_image(src, path, job, &r, err);
		if (!rc)
			made(&r, path);
	}
	if (rc)
		media_result_release(&r);
	else
		*res = r;
	free(path);
	return rc;
}
