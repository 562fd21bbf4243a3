/*
 * renditions.c - the media step of a build: plans one job per rendition a
 * story needs (podcast MP3 and M4A, waveform peaks and SVG, web images,
 * WebVTT transcripts, the show's cover), runs the jobs on a small pool of
 * threads, and puts each result into the staging folder under
 * media/<slug>/. Originals never go there: only renditions media/ made,
 * which carry no metadata of the source.
 *
 * Each job writes only its own slot, and the slots are planned in a fixed
 * order before any thread starts, so the output does not depend on which
 * thread finished first.
 */
#include "siteInt.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const struct site_media_ops site_media_default = {
	.cached = media_cached,
	.jpeg = media_cached_jpeg,
	.image = media_image_jpeg,
	.transcript = media_transcript,
	.store_path = lib_store_path,
};

/* Web images are at most this wide; the show's cover at most 3000 px (Apple). */
#define ART_MAX_WIDTH 1600
#define COVER_MAX_WIDTH 3000

enum job_kind { J_AUDIO, J_JPEG, J_TRANSCRIPT, J_COVER };

struct job {
	enum job_kind kind;
	struct site_entry *e;          /* NULL for the cover */
	const struct pub_asset *a;
	enum media_kind media;         /* J_AUDIO: MP3, M4A, PEAKS or WAVEFORM */
	enum media_audio_kind audio_kind;
	const struct pub_asset *art;   /* J_AUDIO: the story's art, for the cover tag */
	size_t slot;                   /* index in e->m.audio or e->m.art */
	double duration;               /* transcripts: the story's audio length */
	const char *rel;               /* borrows from the slot (or "cover.jpg") */
	bool made;
	int rc;
	struct hearth_err err;
};

struct pool {
	hearth_lib *lib;
	const struct site_media_ops *ops;
	const struct lib_settings *set;
	const char *staging;
	const char *cover_path;
	char cover_sha[65];            /* of cover_path; "" when it cannot be read */
	struct job *jobs;
	size_t n, next, done;
	bool stop, progress;
	pthread_mutex_t mu;
};

/* A lib_asset for media/, pointing into the public record. */
static struct lib_asset to_lib_asset(const struct pub_asset *a)
{
	struct lib_asset la;
	memset(&la, 0, sizeof la);
	la.role = (char *)a->role;
	la.sha256 = (char *)a->sha256;
	la.mime = (char *)a->mime;
	la.alt = (char *)a->alt;
	la.size = a->size;
	la.duration = a->duration;
	la.width = a->width;
	la.height = a->height;
	return la;
}

/* Hard-links a cached rendition into the staging folder. */
static int place(const struct pool *p, const char *cached, const char *rel,
		 struct hearth_err *err)
{
	char *dst = path_join(p->staging, rel);
	int rc = file_link_or_copy(cached, dst, err);
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
	struct media_job job = {.kind = MEDIA_JPEG, .width = ART_MAX_WIDTH};
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

/* One rendition of a recording: MP3, M4A, peaks or waveform. */
static int run_audio(struct pool *p, struct job *j)
{
	const struct pub_story *s = j->e->s;
	struct site_audio *au = &j->e->m.audio[j->slot];
	struct media_tags tags = {.title = s->title, .artist = s->byline, .album = p->set->title};
	struct media_job job = {.kind = j->media, .audio = audio_opts(p->set, j->audio_kind)};
	struct media_result r = {0};
	char *src = p->ops->store_path(p->lib, j->a->sha256), *cover = NULL, *dst = NULL;
	int rc = 0;

	if (j->media == MEDIA_MP3 || j->media == MEDIA_M4A) {
		/*
		 * Chapters: pub_story has none yet. When library/ gives it
		 * chapters, set tags.chapters and tags.n_chapters here (struct
		 * media_chapter: start in seconds, title); media/ writes them as
		 * ID3 CHAP and MP4 chapters, and the cache key covers them.
		 */
		rc = tag_cover(p, j, &cover);
		tags.cover = cover;
		job.tags = &tags;
	}
	if (!rc)
		rc = p->ops->cached(p->lib, src, j->a->sha256, &job, &r, &j->err);
	if (!rc)
		rc = place(p, r.path, j->rel, &j->err);
	if (!rc) {
		int64_t size;
		dst = path_join(p->staging, j->rel);
		size = file_size(dst);
		if (size < 0)
			rc = herr(&j->err, HEARTH_EIO, "cannot read the size of '%s'", j->rel);
		else if (j->media == MEDIA_MP3)
			au->size = size;
		else if (j->media == MEDIA_M4A)
			au->m4a_size = size;
	}
	j->made = r.made;
	media_result_release(&r);
	free(dst);
	free(cover);
	free(src);
	return rc;
}

static int run_jpeg(struct pool *p, struct job *j)
{
	struct lib_asset la = to_lib_asset(j->a);
	struct site_art *art = &j->e->m.art[j->slot];
	char *cached = NULL;
	int rc = p->ops->jpeg(p->lib, &la, ART_MAX_WIDTH, &cached, &art->width, &art->height,
			      &j->made, &j->err);
	if (!rc)
		rc = place(p, cached, j->rel, &j->err);
	free(cached);
	return rc;
}

static int run_transcript(struct pool *p, struct job *j)
{
	struct buf vtt = BUF_INIT, text = BUF_INIT;
	char *src = p->ops->store_path(p->lib, j->a->sha256);
	int rc = p->ops->transcript(src, j->duration, &vtt, &text, &j->err);
	if (!rc) {
		char *dst = path_join(p->staging, j->rel);
		rc = file_write_atomic(dst, vtt.data ? vtt.data : "", vtt.len, &j->err);
		free(dst);
	}
	if (!rc)
		j->e->m.transcript = buf_detach(&text);
	j->made = true; /* cheap enough that it is never cached */
	free(src);
	buf_release(&vtt);
	buf_release(&text);
	return rc;
}

static int run_cover(struct pool *p, struct job *j)
{
	char *dst = path_join(p->staging, j->rel);
	int rc = p->ops->image(p->cover_path, dst, COVER_MAX_WIDTH, NULL, NULL, &j->err);
	free(dst);
	j->made = true;
	return rc;
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
		pthread_mutex_unlock(&p->mu);

		switch (j->kind) {
		case J_AUDIO: j->rc = run_audio(p, j); break;
		case J_JPEG: j->rc = run_jpeg(p, j); break;
		case J_TRANSCRIPT: j->rc = run_transcript(p, j); break;
		case J_COVER: j->rc = run_cover(p, j); break;
		}
		if (j->rc && j->e)
			herr_prefix(&j->err, "story '%s'", j->e->s->slug);

		pthread_mutex_lock(&p->mu);
		p->done++;
		if (j->rc)
			p->stop = true;
		if (p->progress)
			fprintf(stderr, "hearth: media %zu/%zu %s\n", p->done, p->n, j->rel);
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
 * no speech. Every art asset n is art-<n>.jpg; the first is also the
 * recordings' cover picture. The first transcript is <slug>.vtt, timed
 * against the story's audio.
 */
static void plan_story(struct site_entry *e, struct job **v, size_t *n, size_t *cap)
{
	static const struct {
		enum media_kind kind;
		const char *suffix;
	} audio_jobs[] = {
		{MEDIA_MP3, ".mp3"},
		{MEDIA_M4A, ".m4a"},
		{MEDIA_PEAKS, "-peaks.json"},
		{MEDIA_WAVEFORM, "-waveform.svg"},
	};
	const struct pub_story *s = e->s;
	const struct pub_asset *speech = NULL, *music = NULL, *transcript = NULL, *cover = NULL;
	size_t n_art = 0;

	for (size_t i = 0; i < s->n_assets; i++) {
		const struct pub_asset *a = &s->assets[i];
		if (!a->role || !a->sha256)
			continue;
		if (!strcmp(a->role, "audio") && !speech)
			speech = a;
		else if (!strcmp(a->role, "music") && !music)
			music = a;
		else if (!strcmp(a->role, "transcript") && !transcript)
			transcript = a;
		else if (!strcmp(a->role, "art") && n_art++ == 0)
			cover = a;
	}

	const struct pub_asset *tracks[2] = {speech ? speech : music, speech ? music : NULL};
	for (size_t k = 0; k < 2 && tracks[k]; k++) {
		struct site_audio *au = &e->m.audio[e->m.n_audio];
		bool is_music = tracks[k] == music;
		char *stem = xasprintf("media/%s/%s%s", s->slug, s->slug, k ? "-music" : "");
		au->src = xasprintf("%s.mp3", stem);
		au->m4a_src = xasprintf("%s.m4a", stem);
		au->peaks_src = xasprintf("%s-peaks.json", stem);
		au->waveform_src = xasprintf("%s-waveform.svg", stem);
		au->role = is_music ? "music" : "audio";
		au->duration = tracks[k]->duration;
		for (size_t i = 0; i < sizeof audio_jobs / sizeof *audio_jobs; i++) {
			struct job *j = push(v, n, cap);
			j->kind = J_AUDIO;
			j->media = audio_jobs[i].kind;
			j->e = e;
			j->a = tracks[k];
			j->art = cover;
			j->audio_kind = is_music ? AUDIO_MUSIC : AUDIO_SPEECH;
			j->slot = e->m.n_audio;
			j->rel = i == 0 ? au->src : i == 1 ? au->m4a_src
					 : i == 2 ? au->peaks_src : au->waveform_src;
		}
		e->m.n_audio++;
		free(stem);
	}

	if (n_art)
		e->m.art = xcalloc(n_art, sizeof *e->m.art);
	for (size_t i = 0; i < s->n_assets; i++) {
		const struct pub_asset *a = &s->assets[i];
		if (!a->role || !a->sha256 || strcmp(a->role, "art"))
			continue;
		struct site_art *art = &e->m.art[e->m.n_art];
		struct job *j = push(v, n, cap);
		int idx = a->index > 0 ? a->index : (int)e->m.n_art + 1;
		art->src = xasprintf("media/%s/art-%d.jpg", s->slug, idx);
		art->alt = a->alt;
		j->kind = J_JPEG;
		j->e = e;
		j->a = a;
		j->slot = e->m.n_art++;
		j->rel = art->src;
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
 * The longest jobs first, so the threads finish together: the M4As, then
 * the MP3s (whose loudness measurement the M4A of the same recording has
 * left in the cache by then), then everything else, each in plan order.
 */
static int job_rank(const struct job *j)
{
	if (j->kind != J_AUDIO)
		return 2;
	return j->media == MEDIA_M4A ? 0 : j->media == MEDIA_MP3 ? 1 : 2;
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

int site_media_run(hearth_lib *lib, const struct site_media_ops *ops,
		   struct site_ctx *c, const char *cover_path, const char *staging,
		   int jobs, bool progress, size_t *made, size_t *cached,
		   struct hearth_err *err)
{
	struct pool p = {.lib = lib, .ops = ops, .set = c->set, .staging = staging,
			 .cover_path = cover_path, .progress = progress};
	size_t cap = 0, threads;
	pthread_t *tid = NULL;
	size_t started = 0;
	int rc = 0;

	for (size_t i = 0; i < c->n; i++)
		plan_story(&c->e[i], &p.jobs, &p.n, &cap);
	if (cover_path && sha256_file(cover_path, p.cover_sha, NULL) != 0)
		p.cover_sha[0] = '\0'; /* the cover job says why */
	if (c->cover_src && cover_path) {
		struct job *j = push(&p.jobs, &p.n, &cap);
		j->kind = J_COVER;
		j->rel = c->cover_src;
	}
	if (p.n == 0)
		goto end;
	order_jobs(p.jobs, p.n);

	if (jobs <= 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = cpus > 0 ? (int)cpus : 1;
	}
	threads = (size_t)jobs < p.n ? (size_t)jobs : p.n;
	pthread_mutex_init(&p.mu, NULL);
	tid = xcalloc(threads, sizeof *tid);
	for (; started < threads; started++)
		if (pthread_create(&tid[started], NULL, worker, &p) != 0)
			break;
	if (started == 0)
		worker(&p); /* no thread could start: do the work here */
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&p.mu);

	for (size_t i = 0; i < p.n; i++) {
		if (p.jobs[i].rc) {
			if (err)
				*err = p.jobs[i].err;
			rc = p.jobs[i].rc;
			break;
		}
		if (p.jobs[i].made && made)
			(*made)++;
		else if (!p.jobs[i].made && cached)
			(*cached)++;
	}
end:
	free(tid);
	free(p.jobs);
	return rc;
}
