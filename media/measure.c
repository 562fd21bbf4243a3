/*
 * measure.c - the first pass of an audio rendition: how much gain brings
 * the source to the target loudness once the limiter has done its work.
 *
 * Gain alone is not enough. Speech as recorded often peaks 18-20 dB above
 * its loudness; at -16 LUFS with a -1 dBTP ceiling the limiter must take
 * those peaks down, and with them about a loudness unit or more. So this
 * pass decodes the source once, K-weights it (ITU-R BS.1770: the high
 * shelf and the high-pass, coefficients for any rate as libebur128 derives
 * them) and writes an envelope of it to a temporary file: for every
 * millisecond, the K-weighted energy and the sample peak. From that
 * envelope, a few thousand times smaller than the sound, it computes the
 * integrated loudness (400 ms blocks every 100 ms, the absolute and the
 * relative gate), and then the integrated loudness the sound would have
 * after a given gain and the limiter, simulated a millisecond at a time
 * with the limiter's own look-ahead and release. A few rounds of the
 * secant method find the gain whose result is on target.
 *
 * Memory stays flat: the envelope goes to a temporary file, read back in
 * order, and the gating uses a histogram of block loudness.
 *
 * Given two threads, the scan is cut in two at a 100 ms boundary near the
 * middle: the caller's thread scans the first half; a second thread
 * decodes from the start (decoding is a small part of the scan's cost),
 * runs the K-weighting alone over the WARM_S seconds before the cut, so
 * its filters hold what they would have held there, and writes the
 * envelope from the cut on into a file of its own. The filters forget
 * their start within milliseconds and the entries restart at every
 * 100 ms, so the two files read one after the other are the envelope of
 * one scan: the gating, which is defined over the whole programme, and
 * the limiter's simulation see the same entries.
 */
#include "mediaInt.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTRIES_PER_HOP 100   /* a hop is 100 ms, so an entry is 1 ms */
#define HOPS_PER_BLOCK 4      /* blocks of 400 ms */
#define LOOK_ENTRIES 5        /* the limiter's 5 ms look-ahead */
#define RELEASE_S 0.060       /* and its release */
#define HIST_MIN (-70.0)      /* the absolute gate */
#define HIST_STEP 0.02
#define HIST_BINS 4000        /* -70 .. +10 LUFS */
#define MAX_EXTRA_DB 12.0     /* at most this much gain to make up for limiting */
#define TOLERANCE 0.05        /* LU */
#define SPLIT_MIN_S 60.0      /* shorter sources are scanned on one thread */
#define WARM_S 2.0            /* the filters' run-up before the cut */

/* One millisecond of the source. */
struct entry {
	float peak;    /* the largest sample, all channels */
	float energy;  /* the sum of K-weighted squares, all channels */
};

struct biquad {
	double b0, b1, b2, a1, a2;
};

/* The two stages of the K-weighting for rate, as libebur128 makes them. */
static void k_weighting(double rate, struct biquad *shelf, struct biquad *hp)
{
	double k = tan(M_PI * 1681.974450955533 / rate), q = 0.7071752369554196;
	double vh = pow(10, 3.999843853973347 / 20), vb = pow(vh, 0.4996667741545416);
	double a0 = 1 + k / q + k * k;

	shelf->b0 = (vh + vb * k / q + k * k) / a0;
	shelf->b1 = 2 * (k * k - vh) / a0;
	shelf->b2 = (vh - vb * k / q + k * k) / a0;
	shelf->a1 = 2 * (k * k - 1) / a0;
	shelf->a2 = (1 - k / q + k * k) / a0;
	k = tan(M_PI * 38.13547087602444 / rate);
	q = 0.5003270373238773;
	a0 = 1 + k / q + k * k;
	hp->b0 = 1; /* the numerator is not scaled: BS.1770's own form (K_STEP relies on it) */
	hp->b1 = -2;
	hp->b2 = 1;
	hp->a1 = 2 * (k * k - 1) / a0;
	hp->a2 = (1 - k / q + k * k) / a0;
}

/*
 * Pass 1 proper: the envelope of src into env. The filters run from
 * sample warm, the envelope is written from sample from (a multiple of
 * the hop), and the scan stops at sample to; a whole scan is 0, 0 and
 * INT64_MAX.
 */
struct scan {
	FILE *env;
	int64_t warm, from, to;
	int64_t at;                 /* samples decoded */
	int64_t entries, samples;
	int rate, hop;              /* hop: samples in 100 ms */
	struct biquad shelf, hp;
	double z[2][4];             /* per channel: the two stages' state */
	double energy;
	float peak;
	int pos, entry;             /* sample in the hop; entry in the hop */
	int end;                    /* where the current entry ends in the hop */
};

/* -1: cannot write; -2: the level is not a finite number (cannot happen
 * after media_frame_check, but nothing infinite goes on to the gating) */
static int flush_entry(struct scan *s)
{
	struct entry e = {s->peak, (float)s->energy};
	if (!isfinite(e.peak) || !isfinite(e.energy))
		return -2;
	if (fwrite(&e, sizeof e, 1, s->env) != 1)
		return -1;
	s->entries++;
	s->peak = 0;
	s->energy = 0;
	return 0;
}

/* One K-weighting step of one channel: both stages, state in z. */
#define K_STEP(v, z0, z1, z2, z3, w)                                            \
	do {                                                                    \
		double y_ = f.b0 * (v) + z0;                                    \
		z0 = f.b1 * (v) - f.a1 * y_ + z1;                               \
		z1 = f.b2 * (v) - f.a2 * y_;                                    \
		w = y_ + z2; /* the high-pass's b0 is 1 */                      \
		z2 = -2 * y_ - h.a1 * w + z3;                                   \
		z3 = y_ - h.a2 * w;                                             \
	} while (0)

/*
 * Feeds n frames of interleaved float with ch (1 or 2) channels. The
 * filter state lives in locals for the whole frame, so the compiler keeps
 * it in registers.
 */
static int scan_frames(struct scan *s, const float *x, int n, int ch)
{
	const struct biquad f = s->shelf, h = s->hp;
	double a0 = s->z[0][0], a1 = s->z[0][1], a2 = s->z[0][2], a3 = s->z[0][3];
	double b0 = s->z[1][0], b1 = s->z[1][1], b2 = s->z[1][2], b3 = s->z[1][3];
	double energy = s->energy;
	float peak = s->peak;
	int i = 0;

	while (i < n) {
		int stop = i + (s->end - s->pos) < n ? i + (s->end - s->pos) : n;
		s->pos += stop - i;
		if (ch == 1) {
			for (; i < stop; i++) {
				double w;
				float v = x[i], m = v < 0 ? -v : v;
				K_STEP(v, a0, a1, a2, a3, w);
				energy += w * w;
				peak = m > peak ? m : peak;
			}
		} else {
			for (; i < stop; i++) {
				double wl, wr;
				float l = x[2 * i], r = x[2 * i + 1];
				float ml = l < 0 ? -l : l, mr = r < 0 ? -r : r;
				K_STEP(l, a0, a1, a2, a3, wl);
				K_STEP(r, b0, b1, b2, b3, wr);
				energy += wl * wl + wr * wr;
				peak = ml > peak ? ml : peak;
				peak = mr > peak ? mr : peak;
			}
		}
		if (s->pos == s->end) {
			s->energy = energy;
			s->peak = peak;
			int r = flush_entry(s);
			if (r)
				return r;
			energy = 0;
			peak = 0;
			if (++s->entry == ENTRIES_PER_HOP) {
				s->entry = 0;
				s->pos = 0;
			}
			s->end = (int)((int64_t)(s->entry + 1) * s->hop / ENTRIES_PER_HOP);
		}
	}
	s->z[0][0] = a0, s->z[0][1] = a1, s->z[0][2] = a2, s->z[0][3] = a3;
	s->z[1][0] = b0, s->z[1][1] = b1, s->z[1][2] = b2, s->z[1][3] = b3;
	s->energy = energy;
	s->peak = peak;
	s->samples += n;
	return 0;
}

/* The filters alone over n frames: the run-up of a scan that starts later. */
static void warm_frames(struct scan *s, const float *x, int n, int ch)
{
	const struct biquad f = s->shelf, h = s->hp;
	double a0 = s->z[0][0], a1 = s->z[0][1], a2 = s->z[0][2], a3 = s->z[0][3];
	double b0 = s->z[1][0], b1 = s->z[1][1], b2 = s->z[1][2], b3 = s->z[1][3];
	double w;

	for (int i = 0; i < n; i++) {
		if (ch == 1) {
			K_STEP(x[i], a0, a1, a2, a3, w);
		} else {
			K_STEP(x[2 * i], a0, a1, a2, a3, w);
			K_STEP(x[2 * i + 1], b0, b1, b2, b3, w);
		}
	}
	(void)w;
	s->z[0][0] = a0, s->z[0][1] = a1, s->z[0][2] = a2, s->z[0][3] = a3;
	s->z[1][0] = b0, s->z[1][1] = b1, s->z[1][2] = b2, s->z[1][3] = b3;
}

/* the channels the encoder gets, at the source's rate: loudness does not
 * depend on the rate, and resampling here would cost more than the rest */
static const char *scan_graph(enum media_audio_kind kind)
{
	return kind == AUDIO_MUSIC ? "aformat=sample_fmts=flt:channel_layouts=stereo"
				   : "aformat=sample_fmts=flt:channel_layouts=mono";
}

/* Scans what p decodes (opened by the caller) from s->warm to s->to. */
static int scan_pcm(struct scan *s, struct media_pcm *p, const char *src,
		    struct hearth_err *err)
{
	AVFrame *f = av_frame_alloc();
	int r = 0, rc = 0;

	if (!f)
		rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", src);
	while (!rc && (r = media_pcm_next(p, f, err)) == 1) {
		if (!s->rate) {
			s->rate = f->sample_rate;
			s->hop = (int)lrint(s->rate * 0.1);
			s->end = s->hop / ENTRIES_PER_HOP;
			/* the K-weighting's shelf is at 1.7 kHz: lower rates make it unstable */
			if (s->rate < MEDIA_MIN_RATE || s->rate > MEDIA_MAX_RATE || s->end < 1) {
				rc = herr(err, HEARTH_EINVAL,
					  "%s: the sample rate is %d Hz; Hearth takes %d to %d Hz",
					  src, s->rate, MEDIA_MIN_RATE, MEDIA_MAX_RATE);
				break;
			}
			k_weighting(s->rate, &s->shelf, &s->hp);
		}
		int sr = 0, ch = f->ch_layout.nb_channels;
		if (ch > 2) {
			rc = herr(err, HEARTH_EMEDIA, "%s: %d channels after the downmix", src, ch);
			break;
		}
		/* of this frame, [warm, from) runs the filters up, [from, to) is scanned */
		const float *x = (const float *)f->data[0];
		int64_t at = s->at, end = at + f->nb_samples;
		int64_t hi = end < s->to ? end : s->to;
		int64_t a = at > s->warm ? at : s->warm, b = hi < s->from ? hi : s->from;
		s->at = end;
		if (a < b)
			warm_frames(s, x + (a - at) * ch, (int)(b - a), ch);
		a = at > s->from ? at : s->from;
		if (a < hi && (sr = scan_frames(s, x + (a - at) * ch, (int)(hi - a), ch)) == -2)
			rc = herr(err, HEARTH_EINVAL, "%s: the sound's level overflows; the file is "
				  "broken", src);
		else if (sr)
			rc = herr(err, HEARTH_EIO, "%s: cannot write a temporary file", src);
		if (end >= s->to)
			break; /* the rest is another scan's */
	}
	if (!rc && r < 0)
		rc = r;
	if (!rc && s->pos > 0 && flush_entry(s))
		rc = herr(err, HEARTH_EIO, "%s: cannot write a temporary file (or the level "
			  "overflows)", src);
	if (!rc && fflush(s->env) != 0)
		rc = herr(err, HEARTH_EIO, "%s: cannot write a temporary file", src);
	av_frame_free(&f);
	return rc;
}

static int scan(struct scan *s, const char *src, enum media_audio_kind kind,
		struct hearth_err *err)
{
	struct media_pcm p;
	int rc = media_pcm_open(&p, src, src, scan_graph(kind), err);

	if (!rc)
		rc = scan_pcm(s, &p, src, err);
	media_pcm_close(&p);
	return rc;
}

/* The second part of a cut scan, on a thread of its own. */
struct half {
	struct scan s;
	const char *src;
	enum media_audio_kind kind;
	int rc;
	struct hearth_err err;
};

static void *half_thread(void *arg)
{
	struct half *h = arg;
	h->rc = scan(&h->s, h->src, h->kind, &h->err);
	return NULL;
}

/*
 * Where to cut the scan of what p opened: a sample on a 100 ms boundary
 * near the middle, or 0 when the source is too short (or its length or
 * rate unknown) to be worth a second thread.
 */
static int64_t cut_point(const struct media_pcm *p, int *rate)
{
	const AVFormatContext *fmt = p->in.fmt;
	const AVStream *st = fmt && p->in.stream >= 0 ? fmt->streams[p->in.stream] : NULL;
	double seconds = fmt && fmt->duration > 0 ? (double)fmt->duration / AV_TIME_BASE : 0;

	*rate = st ? st->codecpar->sample_rate : 0;
	if (*rate < MEDIA_MIN_RATE || *rate > MEDIA_MAX_RATE || !(seconds >= SPLIT_MIN_S))
		return 0;
	return (int64_t)lrint(*rate * 0.1) * (int64_t)(seconds * 10 / 2);
}

/* ---- the limiter, simulated a millisecond at a time ---------------------- */

struct hist {
	double power[HIST_BINS];
	int64_t count[HIST_BINS];
};

/*
 * Counts one block. The index is computed only from a loudness known to be
 * inside the histogram's range: a value converted to int out of its range
 * (an infinite loudness) is undefined and once indexed far past the array.
 */
static void hist_add(struct hist *h, double power)
{
	double l = -0.691 + 10 * log10(power);
	if (!(l >= HIST_MIN) || !isfinite(power))
		return; /* under the absolute gate, silence, or not a number */
	int b = HIST_BINS - 1;
	if (l < HIST_MIN + HIST_BINS * HIST_STEP)
		b = (int)((l - HIST_MIN) / HIST_STEP);
	if (b < 0 || b >= HIST_BINS)
		b = b < 0 ? 0 : HIST_BINS - 1;
	h->power[b] += power;
	h->count[b]++;
}

/* Integrated loudness from the block histogram: both gates. */
static double hist_integrated(const struct hist *h)
{
	double sum = 0, gate;
	int64_t n = 0;

	for (int b = 0; b < HIST_BINS; b++) {
		sum += h->power[b];
		n += h->count[b];
	}
	if (n == 0)
		return -INFINITY;
	gate = -0.691 + 10 * log10(sum / n) - 10;
	sum = 0;
	n = 0;
	for (int b = 0; b < HIST_BINS; b++) {
		if (HIST_MIN + (b + 0.5) * HIST_STEP < gate)
			continue;
		sum += h->power[b];
		n += h->count[b];
	}
	return n ? -0.691 + 10 * log10(sum / n) : -INFINITY;
}

/* The envelope: one file, or two (a cut scan) read one after the other. */
struct envelope {
	FILE *part[2];
	int64_t n[2];
	int cur;
	int64_t left;    /* entries of part[cur] not read yet */
};

static int envelope_rewind(struct envelope *v)
{
	for (int k = 0; k < 2; k++)
		if (v->part[k] && fseek(v->part[k], 0, SEEK_SET) != 0)
			return -1;
	v->cur = 0;
	v->left = v->n[0];
	return 0;
}

/* The next want entries of v into buf. */
static int envelope_read(struct envelope *v, struct entry *buf, size_t want)
{
	while (want > 0) {
		while (v->left == 0 && v->cur < 1 && v->part[v->cur + 1]) {
			v->cur++;
			v->left = v->n[v->cur];
		}
		size_t k = (size_t)(v->left < (int64_t)want ? v->left : (int64_t)want);
		if (k == 0 || fread(buf, sizeof *buf, k, v->part[v->cur]) != k)
			return -1;
		v->left -= (int64_t)k;
		buf += k;
		want -= k;
	}
	return 0;
}

/*
 * The integrated loudness of the envelope after gain_db and a limiter at
 * ceiling (linear; INFINITY: no limiter). The limiter is limiter.c's, a
 * millisecond at a time: the gain each entry needs, its minimum over the
 * look-ahead, the release, and the average over the look-ahead.
 */
static int simulate(struct envelope *env, int hop, double gain_db, double ceiling,
		    struct hist *h, double *lufs)
{
	const int64_t entries = env->n[0] + env->n[1];
	struct entry buf[4096], ring[LOOK_ENTRIES];
	double g = pow(10, gain_db / 20), rel = 1 - exp(-0.001 / RELEASE_S);
	double r_prev = 1, rs[LOOK_ENTRIES], rsum = LOOK_ENTRIES, hops[HOPS_PER_BLOCK] = {0};
	double hop_energy = 0;
	int64_t done = 0, hops_done = 0;
	int in_hop = 0;

	memset(h, 0, sizeof *h);
	for (int k = 0; k < LOOK_ENTRIES; k++)
		rs[k] = 1;
	if (envelope_rewind(env) != 0)
		return -1;
	/* entry i is settled once entry i + LOOK_ENTRIES - 1 is read */
	for (int64_t i = 0; i < entries + LOOK_ENTRIES - 1; i++) {
		if (i < entries) {
			size_t k = (size_t)(i % 4096);
			if (k == 0) {
				size_t want = (size_t)(entries - i < 4096 ? entries - i : 4096);
				if (envelope_read(env, buf, want) != 0)
					return -1;
			}
			ring[i % LOOK_ENTRIES] = buf[k];
		} else {
			ring[i % LOOK_ENTRIES] = (struct entry){0, 0};
		}
		int64_t t = i - (LOOK_ENTRIES - 1);
		if (t < 0)
			continue;
		double hmin = 1;
		for (int k = 0; k < LOOK_ENTRIES; k++) {
			double p = ring[k].peak * g;
			if (p > ceiling && ceiling / p < hmin)
				hmin = ceiling / p;
		}
		double r = r_prev + (1 - r_prev) * rel;
		if (hmin < r)
			r = hmin;
		r_prev = r;
		rsum += r - rs[t % LOOK_ENTRIES];
		rs[t % LOOK_ENTRIES] = r;
		double s = g * rsum / LOOK_ENTRIES;
		hop_energy += s * s * ring[t % LOOK_ENTRIES].energy;
		done++;
		if (++in_hop == ENTRIES_PER_HOP) {
			hops[hops_done++ % HOPS_PER_BLOCK] = hop_energy;
			if (hops_done >= HOPS_PER_BLOCK) {
				double e = 0;
				for (int k = 0; k < HOPS_PER_BLOCK; k++)
					e += hops[k];
				hist_add(h, e / ((double)hop * HOPS_PER_BLOCK));
			}
			hop_energy = 0;
			in_hop = 0;
		}
	}
	*lufs = hist_integrated(h);
	return done == entries ? 0 : -1;
}

double audio_tp_margin(const struct media_audio_opts *o)
{
	int per_channel = o->kind == AUDIO_MUSIC ? o->kbps / 2 : o->kbps;
	return per_channel >= 80 ? 1.0 : per_channel >= 48 ? 1.5 : 2.0;
}

int audio_measure(const char *src, const struct media_audio_opts *opts,
		  struct audio_measure *m, struct hearth_err *err)
{
	return audio_measure_headroom(src, opts, 0, 1, m, err);
}

/*
 * The envelope of src into v: one scan, or with threads > 1 and a long
 * enough source, two halves at once (the top of the file says how). The
 * files are the caller's to close, also on failure.
 */
static int envelope_make(struct envelope *v, struct scan *s, const char *src,
			 enum media_audio_kind kind, int threads, struct hearth_err *err)
{
	struct media_pcm p;
	struct half *b = NULL;
	pthread_t t;
	bool alone = true;   /* no thread scans the second half */
	int rc, rate = 0;

	s->to = INT64_MAX;
	v->part[0] = s->env = tmpfile();
	if (!s->env)
		return herr(err, HEARTH_EIO, "%s: cannot make a temporary file", src);
	rc = media_pcm_open(&p, src, src, scan_graph(kind), err);
	int64_t cut = !rc && threads > 1 ? cut_point(&p, &rate) : 0;
	if (cut > 0) {
		b = xcalloc(1, sizeof *b);
		b->src = src;
		b->kind = kind;
		b->s.from = cut;
		b->s.warm = cut - (int64_t)(WARM_S * rate);
		b->s.to = INT64_MAX;
		v->part[1] = b->s.env = tmpfile();
		if (!b->s.env)
			rc = herr(err, HEARTH_EIO, "%s: cannot make a temporary file", src);
		else
			s->to = cut;
		alone = rc || pthread_create(&t, NULL, half_thread, b) != 0;
	}
	if (!rc)
		rc = scan_pcm(s, &p, src, err);
	media_pcm_close(&p);
	if (b && !rc && alone) /* no thread could start: the second half here */
		b->rc = scan(&b->s, src, kind, &b->err);
	else if (b && !alone)
		pthread_join(t, NULL);
	if (!rc && b && b->rc) {
		rc = b->rc;
		if (err)
			*err = b->err;
	}
	if (!rc && b && b->s.entries > 0 && (b->s.rate != s->rate || b->s.hop != s->hop))
		rc = herr(err, HEARTH_EMEDIA, "%s: the sample rate changes in the file", src);
	v->n[0] = s->entries;
	if (b) {
		v->n[1] = b->s.entries;
		s->at = b->s.at > s->at ? b->s.at : s->at; /* what the whole source holds */
	}
	free(b);
	return rc;
}

int audio_measure_headroom(const char *src, const struct media_audio_opts *opts,
			   double extra, int threads, struct audio_measure *m,
			   struct hearth_err *err)
{
	struct media_audio_opts o = media_audio_defaults(opts);
	struct scan s;
	struct envelope v = {{NULL, NULL}, {0, 0}, 0, 0};
	struct hist *h = xcalloc(1, sizeof *h);
	double ceiling = pow(10, (o.true_peak - audio_tp_margin(&o) - extra) / 20);
	double g, f;
	int rc;

	memset(&s, 0, sizeof s);
	memset(m, 0, sizeof *m);
	rc = envelope_make(&v, &s, src, o.kind, threads, err);
	if (rc)
		goto end;
	m->duration = s.rate ? (double)s.at / s.rate : 0;
	if (simulate(&v, s.hop, 0, INFINITY, h, &m->lufs))
		goto io;
	m->gain = 0;
	if (!isfinite(m->lufs))
		goto end; /* silence: nothing to bring up */

	/* the secant method on the gain, kept inside a bracket */
	double lo = o.loudness - m->lufs, hi = lo + MAX_EXTRA_DB;
	double g_prev = NAN, f_prev = NAN;
	if (hi > AUDIO_MAX_GAIN_DB)
		hi = AUDIO_MAX_GAIN_DB;
	if (lo > hi)
		lo = hi;
	g = lo;
	for (int it = 0; it < 12; it++) {
		if (simulate(&v, s.hop, g, ceiling, h, &f))
			goto io;
		m->gain = g;
		if (fabs(f - o.loudness) < TOLERANCE || (f < o.loudness && g >= hi))
			break;
		if (f < o.loudness)
			lo = g;
		else
			hi = g;
		double next = g + (o.loudness - f); /* the slope is at most 1 */
		if (isfinite(g_prev) && f != f_prev)
			next = g + (o.loudness - f) * (g - g_prev) / (f - f_prev);
		if (!(next > lo && next < hi))
			next = (lo + hi) / 2;
		g_prev = g;
		f_prev = f;
		g = next;
	}
	goto end;
io:
	rc = herr(err, HEARTH_EIO, "%s: cannot read a temporary file back", src);
end:
	for (int k = 0; k < 2; k++)
		if (v.part[k])
			fclose(v.part[k]);
	free(h);
	return rc;
}
