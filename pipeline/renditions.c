/*
 * renditions.c - the media step of a build: plans the jobs a story needs
 * (one per recording for its podcast MP3 and M4A, waveform peaks and SVG,
 * made from one decode; one per picture for its web images; episode
 * covers, WebVTT transcripts, the show's cover), runs the jobs on a
 * small pool of
 * threads, and puts each result into the staging folder under
 * media/<slug>/, as a copy (or reflink) that shares no inode with cache/.
 * Originals never go there: only renditions media/ made, which carry no
 * metadata of the source.
 *
 * Each job writes only its own slot, and the slots are planned in a fixed
 * order before any thread starts, so the output does not depend on which
 * thread finished first.
 *
 * Compiled twice (SITE_TWICE in the Makefile). In hearth-site, which
 * links no FFmpeg, the same jobs run on media/'s answers from the cache
 * alone (media_lookup and its kin): when every rendition, transcript and
 * cover check a build needs is there, hearth-site builds it; the first
 * job that finds its work missing (or fails in any way) ends the step
 * with SITE_NEEDS_MEDIA, and the build, which has published nothing,
 * is hearth-media's.
 */
#include "pipelineInt.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#ifdef HEARTH_SITE
static int lookup_begin(hearth_lib *lib, struct hearth_err *err)
{
	(void)err;
	return media_lookup_ready(lib) ? 0 : MEDIA_UNCACHED;
}

const struct site_media_ops site_media_default = {
	.begin = lookup_begin,
	.cached = media_lookup,
	.cached_audio = media_lookup_audio,
	.cover_check = media_cover_check_lookup,
	.transcript = media_transcript_lookup,
	.store_path = lib_store_path,
};

bool site_media_available(void)
{
	return false;
}
#else
const struct site_media_ops site_media_default = {
	.begin = media_cache_stamp,
	.cached = media_cached,
	.cached_audio = media_cached_audio,
	.cover_check = media_cover_check_cached,
	.transcript = media_transcript_cached,
	.store_path = lib_store_path,
};

bool site_media_available(void)
{
	return true;
}
#endif

/*
 * The widths art is published at (the largest last). sizes= in the theme
 * says how wide it is shown; a browser picks from these.
 */
static const int art_widths[SITE_ART_SIZES] = {480, 960, 1600};

enum job_kind { J_AUDIO, J_ART, J_TRANSCRIPT, J_EPISODE_COVER, J_COVER };

struct job {
	enum job_kind kind;
	struct site_entry *e;          /* NULL for the show's cover */
	const struct pub_asset *a;
	const struct pub_asset *art;   /* J_AUDIO: the story's art, for the cover tag */
	enum media_audio_kind audio_kind;
	size_t slot;                   /* index in e->m.audio or e->m.art */
	double duration;               /* transcripts: the story's audio length */
	int side;                      /* episode cover: its side in pixels */
	const char *rel;               /* borrows from the slot (or "cover.jpg"); not J_AUDIO */
	bool made;
	bool skipped;                  /* its story had already failed */
	struct job *cover_of;          /* J_AUDIO: the job of the art its cover picture is */
	int covers_pending;            /* J_ART: recordings yet to take their cover from it */
	size_t n_made, n_cached;       /* jobs that make several renditions count here */
	int threads;                   /* J_AUDIO: the threads its encoders may use */
	bool running;                  /* J_AUDIO: being made now */
	bool active;                   /* taken by a worker and not done yet */
	double started;                /* J_AUDIO: when, monotonic seconds */
	int rc;
	struct hearth_err err;
};

struct pool {
	hearth_lib *lib;
	const struct site_media_ops *ops;
	const struct lib_settings *set;
	const char *staging;
	const char *cover_path;
	const struct site_put *put;    /* may be NULL: place copies */
	char cover_sha[65];            /* of cover_path; "" when it cannot be read */
	const char *salt;              /* the programs, for media/'s memos (borrowed) */
	struct job *jobs;
	size_t n, next, done;
	size_t n_audio;                /* the recordings' jobs, first in order */
	size_t audio_running;          /* recordings being made now */
	double audio_secs, audio_wall; /* recordings made on one thread: their length, their time */
	int threads;                   /* -j: the cores a job may use too */
	bool stop;
	void (*progress)(void *arg, const struct site_progress *sp); /* may be NULL */
	void *progress_arg;
	double started;                /* monotonic seconds, for the time left */
	pthread_mutex_t mu;
	pthread_cond_t covered;        /* a recording has its cover picture, or a job is done */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Tells the caller how far the work has come; with the pool's lock held. */
static void report_progress(const struct pool *p)
{
	struct site_progress sp = {.done = p->done, .total = p->n,
				   .elapsed = now_s() - p->started};
	p->progress(p->progress_arg, &sp);
}

/*
 * Puts a cached rendition into the staging folder (as the build's put
 * says when it gives one), else as a file of its own:
 * a reflink where the file system has them (the blocks are shared until
 * either side is written, then copied), else a plain copy. Never a hard
 * link: a published file shares no inode with cache/, so editing one in
 * public/ cannot change what the next build takes from the cache.
 */
static int place(const struct pool *p, const char *cached, const char *rel,
		 struct hearth_err *err)
{
	if (p->put)
		return p->put->put(p->put->arg, cached, rel, err);
	char *dst = path_join(p->staging, rel);
	char *dir = path_dir(dst);
	int rc = mkdir_p(dir, err);
	bool cloned = false;

	if (!rc) {
		unlink(dst);
#ifdef FICLONE
		int in = open(cached, O_RDONLY | O_CLOEXEC);
		int out = in < 0 ? -1
				 : open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		cloned = out >= 0 && ioctl(out, FICLONE, in) == 0;
		if (out >= 0)
			close(out);
		if (in >= 0)
			close(in);
		if (!cloned && out >= 0)
			unlink(dst);
#endif
		if (!cloned)
			rc = file_copy(cached, dst, err);
	}
	free(dir);
	free(dst);
	return rc;
}

/*
 * The picture embedded in a recording: the story's first art, else the
 * show's image, as the same JPEG rendition the page uses. New allocation,
 * or NULL (and 0) when there is none.
 */
static int tag_cover(struct pool *p, struct job *j, char **out)
{
	struct media_job job = {.kind = MEDIA_JPEG, .width = art_widths[SITE_ART_SIZES - 1]};
	struct media_result r = {0};
	const char *src = p->cover_path, *sha = p->cover_sha;
	char *store = NULL;
	int rc;

	*out = NULL;
	if (j->art) {
		store = p->ops->store_path(p->lib, j->art->sha256);
		src = store;
		sha = j->art->sha256;
	} else if (!src || !*sha) {
		return 0;
	}
	rc = p->ops->cached(p->lib, src, sha, &job, &r, &j->err);
	if (!rc)
		*out = xstrdup(r.path);
	media_result_release(&r);
	free(store);
	return rc;
}

/* j (a recording) is past taking its cover picture; with the pool's lock held. */
static void covered(struct pool *p, struct job *j)
{
	if (j->cover_of) {
		j->cover_of->covers_pending--;
		j->cover_of = NULL;
		pthread_cond_broadcast(&p->covered);
	}
}

/* The audio settings of hearth.yaml for a kind of recording. */
static struct media_audio_opts audio_opts(const struct lib_settings *set,
					  enum media_audio_kind kind)
{
	struct media_audio_opts o = {.kind = kind};
	if (set) {
		o.loudness = set->loudness;
		o.true_peak = set->true_peak;
		o.kbps = kind == AUDIO_MUSIC ? set->music_kbps : set->speech_kbps;
	}
	return o;
}

/* Notes one rendition of a job that makes several. */
static void count(struct job *j, bool made)
{
	if (made)
		j->n_made++;
	else
		j->n_cached++;
}

/*
 * Every rendition of a recording (MP3, M4A, peaks, waveform) in one job,
 * so media/ decodes it once and encodes the MP3 and the M4A side by side.
 */
static int run_audio(struct pool *p, struct job *j)
{
	const struct pub_story *s = j->e->s;
	struct site_audio *au = &j->e->m.audio[j->slot];
	struct media_tags tags = {.title = s->title, .artist = s->byline, .album = p->set->title};
	const char *rel[] = {au->src, au->m4a_src, au->peaks_src, au->waveform_src};
	enum media_kind kinds[] = {MEDIA_MP3, MEDIA_M4A, MEDIA_PEAKS, MEDIA_WAVEFORM};
	struct media_job job[4];
	struct media_result r[4] = {{0}};
	struct media_chapter *chapters = NULL;
	char *src = p->ops->store_path(p->lib, j->a->sha256), *cover = NULL;
	int rc;

	/* the chapters mark the first track (chapters.c) */
	chapters = j->slot == 0 ? site_media_chapters(s) : NULL;
	tags.chapters = chapters;
	tags.n_chapters = chapters ? s->n_chapters : 0;
	rc = tag_cover(p, j, &cover);
	tags.cover = cover;
	pthread_mutex_lock(&p->mu);
	covered(p, j);
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < 4; i++)
		job[i] = (struct media_job){.kind = kinds[i],
					    .audio = audio_opts(p->set, j->audio_kind),
					    .tags = i < 2 ? &tags : NULL};
	if (!rc && p->ops->cached_audio)
		rc = p->ops->cached_audio(p->lib, src, j->a->sha256, job, 4, j->threads, r,
					  &j->err);
	for (size_t i = 0; !rc && !p->ops->cached_audio && i < 4; i++)
		rc = p->ops->cached(p->lib, src, j->a->sha256, &job[i], &r[i], &j->err);
	for (size_t i = 0; !rc && i < 4; i++) {
		rc = place(p, r[i].path, rel[i], &j->err);
		if (rc)
			break;
		count(j, r[i].made);
		if (i > 1)
			continue;
		/* the cached file's: the placed one has its bytes, and may be kept in the site */
		int64_t size = file_size(r[i].path);
		if (size < 0)
			rc = herr(&j->err, HEARTH_EIO, "cannot read the size of '%s'", rel[i]);
		else if (i == 0)
			au->size = size;
		else
			au->m4a_size = size;
	}
	for (size_t i = 0; i < 4; i++)
		media_result_release(&r[i]);
	free(chapters);
	free(cover);
	free(src);
	return rc;
}

/*
 * One rendition of art through the cache, put in place as
 * <stem>-<width>.<ext> (the width it came out at); out gets its name and
 * size.
 */
static int art_one(struct pool *p, struct job *j, const char *src, const char *stem,
		   enum media_kind kind, int width, struct site_image *out)
{
	struct media_job mj = {.kind = kind, .width = width};
	struct media_result r = {0};
	int rc = p->ops->cached(p->lib, src, j->a->sha256, &mj, &r, &j->err);
	if (!rc) {
		out->src = xasprintf("%s-%d.%s", stem, r.width,
				     kind == MEDIA_WEBP ? "webp" : "jpg");
		out->width = r.width;
		out->height = r.height;
		rc = place(p, r.path, out->src, &j->err);
		count(j, r.made);
	}
	media_result_release(&r);
	return rc;
}

/*
 * Every rendition of one piece of art. The largest JPEG comes first, at
 * most the largest width: how wide it came out (the source's width as
 * shown, when that is less) says which smaller widths there are.
 */
static int run_art(struct pool *p, struct job *j)
{
	struct site_art *art = &j->e->m.art[j->slot];
	const int most = art_widths[SITE_ART_SIZES - 1];
	char *src = p->ops->store_path(p->lib, j->a->sha256);
	struct site_image top = {0};
	int widths[SITE_ART_SIZES];
	size_t n = 0;
	int rc = art_one(p, j, src, art->stem, MEDIA_JPEG, most, &top);

	if (rc)
		goto end;
	for (size_t i = 0; i + 1 < SITE_ART_SIZES; i++)
		if (art_widths[i] < top.width)
			widths[n++] = art_widths[i];
	widths[n++] = most; /* the same job as top: the same rendition */
	art->jpeg[n - 1] = top;
	top.src = NULL;
	art->n_sizes = n;
	for (size_t k = 0; !rc && k < n; k++) {
		if (k + 1 < n)
			rc = art_one(p, j, src, art->stem, MEDIA_JPEG, widths[k], &art->jpeg[k]);
		if (!rc)
			rc = art_one(p, j, src, art->stem, MEDIA_WEBP, widths[k], &art->webp[k]);
	}
	art->src = xstrdup(art->jpeg[n - 1].src);
	art->width = art->jpeg[n - 1].width;
	art->height = art->jpeg[n - 1].height;
end:
	free(top.src);
	free(src);
	return rc;
}

static int run_transcript(struct pool *p, struct job *j)
{
	struct buf vtt = BUF_INIT, text = BUF_INIT;
	char *src = p->ops->store_path(p->lib, j->a->sha256);
	bool made = true;
	int rc = p->ops->transcript(p->lib, p->salt, src, j->a->sha256, j->duration, &vtt, &text,
				     &made, &j->err);
	if (!rc) {
		char *dst = path_join(p->staging, j->rel);
		rc = file_write_atomic(dst, vtt.data ? vtt.data : "", vtt.len, &j->err);
		free(dst);
	}
	if (!rc) {
		j->e->m.transcript = buf_detach(&text);
		site_media_cues(&j->e->m, vtt.data);
	}
	j->made = made; /* or read from media/'s memo of it */
	free(src);
	buf_release(&vtt);
	buf_release(&text);
	return rc;
}

/* A square cover through the cache, put in place at j->rel. */
static int cover_one(struct pool *p, struct job *j, const char *src, const char *sha256,
		     int side)
{
	struct media_job mj = {.kind = MEDIA_COVER, .width = side};
	struct media_result r = {0};
	int rc = p->ops->cached(p->lib, src, sha256, &mj, &r, &j->err);
	if (!rc) {
		rc = place(p, r.path, j->rel, &j->err);
		count(j, r.made);
	}
	media_result_release(&r);
	return rc;
}

static int run_episode_cover(struct pool *p, struct job *j)
{
	char *src = p->ops->store_path(p->lib, j->a->sha256);
	int rc = cover_one(p, j, src, j->a->sha256, j->side);
	free(src);
	return rc;
}

/*
 * The show's cover. Its image is not in the store, so it is checked here
 * as intake would (the same check refused it at import when it was too
 * small) and hashed for the cache.
 */
static int run_cover(struct pool *p, struct job *j)
{
	struct media_limits lim;
	struct media_info info;
	media_limits_of(p->set, &lim);
	int rc = p->ops->cover_check(p->lib, p->salt, p->cover_path, p->cover_sha,
				     p->set->image, &lim, &info, &j->err);
	if (!rc && !*p->cover_sha) /* read when the pool started; it cannot be now */
		rc = herr(&j->err, HEARTH_EIO, "cannot read the show's cover '%s'", p->set->image);
	if (!rc)
		rc = cover_one(p, j, p->cover_path, p->cover_sha,
			       media_cover_side(info.width, info.height));
	return rc;
}

/*
 * The threads a recording's job may use, as a worker takes it (with the
 * pool's lock held; it counts as running from now on). A recording is
 * most of a build's time, and its MP3 and M4A encoders (and their checks)
 * can each have a thread. While other recordings are being made or wait
 * for a worker, every core already has a recording of its own: one thread
 * per recording keeps each core busy with no contention between the
 * encoders of two recordings (ten threads on two cores cost CPU time and
 * wakeups). A recording that would leave cores idle, the only one or the
 * last ones, spreads its encoders over the cores the others leave, and
 * counts as leaving its core a recording beside it that will be done
 * early in its own making (three recordings on two cores: the third
 * starts as the first ends, with the second about to end, and takes both
 * cores instead of running alone on one).
 */
static int audio_threads(struct pool *p, struct job *j)
{
	size_t waiting = p->n_audio > p->next ? p->n_audio - p->next : 0;
	size_t others = waiting + p->audio_running;
	double now = now_s(), rate = p->audio_secs > 0 ? p->audio_wall / p->audio_secs : 0;

	/*
	 * The last recording to start: a recording running beside it that
	 * will end before this one is half made (by the time the recordings
	 * made so far took per second of sound) leaves its core to this one.
	 */
	if (waiting == 0 && rate > 0 && j->a->duration > 0)
		for (size_t i = 0; i < p->next; i++) {
			const struct job *o = &p->jobs[i];
			if (o->kind != J_AUDIO || !o->running || !(o->a->duration > 0))
				continue;
			double left = o->a->duration * rate - (now - o->started);
			if (left < j->a->duration * rate / 2)
				others--;
		}
	p->audio_running++;
	j->running = true;
	j->started = now;
	return others + 1 < (size_t)p->threads ? p->threads - (int)others : 1;
}

/* j, a recording, is made; with the pool's lock held. */
static void audio_done(struct pool *p, struct job *j)
{
	p->audio_running--;
	j->running = false;
	if (j->threads == 1 && !j->rc && j->n_made > 0 && j->a->duration > 0) {
		p->audio_secs += j->a->duration;
		p->audio_wall += now_s() - j->started;
	}
}

/* True when another job of j's kind is making renditions of j's original; with the lock held. */
static bool source_active(const struct pool *p, const struct job *j)
{
	if (!j->a)
		return false;
	for (size_t i = 0; i < p->next; i++) {
		const struct job *o = &p->jobs[i];
		if (o->active && o != j && o->kind == j->kind && o->a &&
		    !strcmp(o->a->sha256, j->a->sha256))
			return true;
	}
	return false;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		if (p->stop || p->next == p->n) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		struct job *j = &p->jobs[p->next++];
		/* the rest of a story that failed is not worth making */
		/*
		 * a recording's cover picture is its art's largest JPEG: the art
		 * job waits until the recordings (ordered before it) have it, so
		 * that cache entry is made once, not by two threads at once
		 */
		while (j->covers_pending > 0 && !p->stop)
			pthread_cond_wait(&p->covered, &p->mu);
		if (j->e && j->e->media_failed) {
			j->skipped = true;
			p->done++;
			covered(p, j);
			pthread_mutex_unlock(&p->mu);
			continue;
		}
		/*
		 * two stories of one original share the renditions that do not
		 * carry a story's tags (peaks, waveform, art): one job makes
		 * them and the other, waiting for it, finds them in the cache,
		 * so a cached file is never written twice (its times are part
		 * of the keys of the files placed from it)
		 */
		while (source_active(p, j) && !p->stop)
			pthread_cond_wait(&p->covered, &p->mu);
		j->active = true;
		if (j->kind == J_AUDIO)
			j->threads = audio_threads(p, j);
		pthread_mutex_unlock(&p->mu);

		switch (j->kind) {
		case J_AUDIO: j->rc = run_audio(p, j); break;
		case J_ART: j->rc = run_art(p, j); break;
		case J_TRANSCRIPT: j->rc = run_transcript(p, j); break;
		case J_EPISODE_COVER: j->rc = run_episode_cover(p, j); break;
		case J_COVER: j->rc = run_cover(p, j); break;
		}
		pthread_mutex_lock(&p->mu);
		if (j->kind == J_AUDIO)
			audio_done(p, j);
		j->active = false;
		pthread_cond_broadcast(&p->covered);
		p->done++;
		if (j->rc && j->e)
			j->e->media_failed = true;
		if (j->rc && (!j->e || !site_media_available()))
			p->stop = true; /* the show's cover (every page needs it), or hearth-media's work */
		if (p->progress && !p->stop)
			report_progress(p);
		pthread_mutex_unlock(&p->mu);
	}
}

/* ---- planning ------------------------------------------------------------ */

static struct job *push(struct job **v, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	struct job *j = &(*v)[(*n)++];
	memset(j, 0, sizeof *j);
	return j;
}

/*
 * The jobs of one story. Its first audio asset is the episode
 * (<slug>.mp3, <slug>.m4a, <slug>-peaks.json, <slug>-waveform.svg); its
 * first music asset is <slug>-music.* beside it, or <slug>.* when there is
 * no speech; the first art is the recordings' cover picture. Every art
 * asset n is
 * art-<n>-<width>.jpg and .webp; the first, when it is big enough, is
 * also cover.jpg, the episode's cover. The first transcript is
 * <slug>.vtt, timed against the story's audio.
 */
static void plan_story(struct site_entry *e, struct job **v, size_t *n, size_t *cap)
{
	const struct pub_story *s = e->s;
	const struct pub_asset *music = NULL, *transcript = NULL, *cover = NULL;
	size_t n_art = 0;

	for (size_t i = 0; i < s->n_assets; i++) {
		const struct pub_asset *a = &s->assets[i];
		if (!a->sha256)
			continue;
		if (a->role == ROLE_MUSIC && !music)
			music = a;
		else if (a->role == ROLE_TRANSCRIPT && !transcript)
			transcript = a;
		else if (a->role == ROLE_ART && n_art++ == 0)
			cover = a;
	}

	/* the story's sound first; the music after it when the sound is speech */
	const struct pub_asset *sound = s->sound && s->sound->sha256 ? s->sound : NULL;
	const struct pub_asset *tracks[2] = {
		sound, sound && sound->role == ROLE_AUDIO ? music : NULL};
	for (size_t k = 0; k < 2 && tracks[k]; k++) {
		struct site_audio *au = &e->m.audio[e->m.n_audio];
		bool is_music = tracks[k] == music;
		char *stem = xasprintf("media/%s/%s%s", s->slug, s->slug, k ? "-music" : "");
		au->src = xasprintf("%s.mp3", stem);
		au->m4a_src = xasprintf("%s.m4a", stem);
		au->peaks_src = xasprintf("%s-peaks.json", stem);
		au->waveform_src = xasprintf("%s-waveform.svg", stem);
		au->role = is_music ? ROLE_MUSIC : ROLE_AUDIO;
		au->duration = tracks[k]->duration;
		struct job *j = push(v, n, cap);
		j->kind = J_AUDIO;
		j->e = e;
		j->a = tracks[k];
		j->art = cover;
		j->audio_kind = is_music ? AUDIO_MUSIC : AUDIO_SPEECH;
		j->slot = e->m.n_audio;
		e->m.n_audio++;
		free(stem);
	}

	if (n_art)
		e->m.art = xcalloc(n_art, sizeof *e->m.art);
	for (size_t i = 0; i < s->n_assets; i++) {
		const struct pub_asset *a = &s->assets[i];
		if (!a->sha256 || a->role != ROLE_ART)
			continue;
		struct site_art *art = &e->m.art[e->m.n_art];
		struct job *j = push(v, n, cap);
		int idx = a->index > 0 ? a->index : (int)e->m.n_art + 1;
		art->stem = xasprintf("media/%s/art-%d", s->slug, idx);
		art->alt = a->alt;
		j->kind = J_ART;
		j->e = e;
		j->a = a;
		j->slot = e->m.n_art++;
		j->rel = art->stem;
		/* the short side does not change when EXIF turns the picture */
		int side = media_cover_side(a->width, a->height);
		if (e->m.n_art == 1 && side) {
			j = push(v, n, cap);
			e->m.cover_src = xasprintf("media/%s/cover.jpg", s->slug);
			j->kind = J_EPISODE_COVER;
			j->e = e;
			j->a = a;
			j->side = side;
			j->rel = e->m.cover_src;
		}
	}

	if (transcript) {
		struct job *j = push(v, n, cap);
		e->m.vtt_src = xasprintf("media/%s/%s.vtt", s->slug, s->slug);
		j->kind = J_TRANSCRIPT;
		j->e = e;
		j->a = transcript;
		j->duration = tracks[0] ? tracks[0]->duration : 0;
		j->rel = e->m.vtt_src;
	}
}

/*
 * The longest jobs first, so the threads finish together: the recordings
 * (every rendition of one in one job), then everything else, each in plan
 * order.
 */
static int job_rank(const struct job *j)
{
	return j->kind == J_AUDIO ? 0 : 2;
}

/*
 * Points each recording's job at the job of the art its cover picture
 * comes from, which waits for it (the worker says why).
 */
static void link_covers(struct job *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; v[i].kind == J_AUDIO && v[i].art && k < n; k++)
			if (v[k].kind == J_ART && v[k].a == v[i].art) {
				v[i].cover_of = &v[k];
				v[k].covers_pending++;
				break;
			}
}

static void order_jobs(struct job *v, size_t n)
{
	struct job *tmp = xcalloc(n ? n : 1, sizeof *tmp);
	size_t k = 0;
	for (int rank = 0; rank <= 2; rank++)
		for (size_t i = 0; i < n; i++)
			if (job_rank(&v[i]) == rank)
				tmp[k++] = v[i];
	memcpy(v, tmp, n * sizeof *v);
	free(tmp);
}

/* Adds e's failure (its first failed job's reason) to st. */
static void note_failure(struct site_stats *st, const struct site_entry *e,
			 const struct hearth_err *why)
{
	for (size_t i = 0; i < st->n_failed; i++)
		if (!strcmp(st->failed[i].slug, e->s->slug))
			return;
	st->failed = xrealloc(st->failed, (st->n_failed + 1) * sizeof *st->failed);
	st->failed[st->n_failed].slug = xstrdup(e->s->slug);
	st->failed[st->n_failed].reason = xstrdup(why->msg);
	st->n_failed++;
}

int site_media_run(hearth_lib *lib, const struct site_media_ops *ops,
		   struct site_ctx *c, const char *cover_path, const char *staging,
		   const struct site_put *put, int jobs, const struct site_opts *opts,
		   const char *salt, struct site_stats *st, struct hearth_err *err)
{
	struct pool p = {.lib = lib, .ops = ops, .set = c->set, .staging = staging,
			 .cover_path = cover_path, .put = put, .salt = salt};
	size_t cap = 0, threads;
	pthread_t *tid = NULL;
	size_t started = 0;
	int rc = 0;

	if (opts) {
		p.progress = opts->progress;
		p.progress_arg = opts->progress_arg;
	}
	for (size_t i = 0; i < c->n; i++)
		plan_story(&c->e[i], &p.jobs, &p.n, &cap);
	if (c->cover_src && cover_path) {
		struct job *j = push(&p.jobs, &p.n, &cap);
		j->kind = J_COVER;
		j->rel = c->cover_src;
	}
	if (p.n == 0)
		goto end;
	if (ops->begin && (rc = ops->begin(lib, err))) {
		if (!site_media_available())
			rc = SITE_NEEDS_MEDIA; /* hearth-media's build */
		goto end;
	}
	if (cover_path && sha256_file(cover_path, p.cover_sha, NULL) != 0)
		p.cover_sha[0] = '\0'; /* the cover job says why */
	order_jobs(p.jobs, p.n);
	link_covers(p.jobs, p.n);
	for (size_t i = 0; i < p.n; i++)
		p.n_audio += p.jobs[i].kind == J_AUDIO;
	p.started = now_s();

	jobs = pipe_cores(jobs);
	p.threads = jobs;
	threads = (size_t)jobs < p.n ? (size_t)jobs : p.n;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.covered, NULL);
	tid = xcalloc(threads, sizeof *tid);
	for (; started < threads; started++)
		if (pthread_create(&tid[started], NULL, worker, &p) != 0)
			break;
	if (started == 0)
		worker(&p); /* no thread could start: do the work here */
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_cond_destroy(&p.covered);
	pthread_mutex_destroy(&p.mu);

	/* in hearth-site, any job that did not find its work: hearth-media's build */
	for (size_t i = 0; !site_media_available() && i < p.n; i++)
		if (p.jobs[i].rc) {
			rc = SITE_NEEDS_MEDIA;
			goto end;
		}
	/* the show's cover first: it fails the build whatever else happened */
	for (size_t i = 0; i < p.n; i++) {
		if (p.jobs[i].rc && !p.jobs[i].e) {
			if (err)
				*err = p.jobs[i].err;
			rc = p.jobs[i].rc;
			goto end;
		}
	}
	/* in job order, fixed before the threads started */
	for (size_t i = 0; i < p.n; i++) {
		const struct job *j = &p.jobs[i];
		if (j->rc && st)
			note_failure(st, j->e, &j->err);
		if (j->rc || j->skipped || !st)
			continue;
		if (j->n_made + j->n_cached) {
			st->media_made += j->n_made;
			st->media_cached += j->n_cached;
		} else if (j->made) {
			st->media_made++;
		} else {
			st->media_cached++;
		}
	}
end:
	free(tid);
	free(p.jobs);
	return rc;
}
