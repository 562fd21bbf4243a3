/*
 * limiter.c - the gain and true-peak limiter of the audio renditions'
 * second pass: a small library of its own (it knows nothing of FFmpeg).
 * It multiplies planar float sound by the gain the loudness measurement
 * asked for and keeps every true peak, as 4x oversampling estimates it,
 * under a ceiling.
 *
 * It is a look-ahead brick wall, not a compressor: for every sample the
 * gain that would keep its peak under the ceiling is g[t]; a sliding
 * minimum of g over the next L samples, a release that lets the gain back
 * up slowly, and a moving average over the last L samples give the gain
 * applied. Each term of that average is at most g[t] (every window of the
 * minimum that ends in it contains t), so the applied gain never lets a
 * peak through, and it moves smoothly over L samples instead of clipping.
 * The cost is a delay of L + 6 samples, which the limiter hides: it keeps
 * the samples back, starts the stream with L samples of silence it never
 * emits, and limiter_drain() gives out the held samples at the end, so
 * exactly as many samples come out as went in, in the same place.
 */
#include "mediaInt.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define TAPS 12       /* taps of each phase of the 4x interpolator */
#define PHASES 4
#define HIST (TAPS - 1)
#define CHUNK 1024    /* samples per step of the oversampling */
#define AHEAD 6       /* samples the interpolator looks ahead */

struct limiter {
	int ch, look;
	float gain, ceiling;     /* linear */
	float reach;             /* how far past its inputs an interpolated point can go */
	double release;          /* fraction of the way back to 1 per sample */
	double inv_look;
	size_t mask;             /* the rings hold mask + 1 samples */
	float **ring;            /* per channel: the gained samples, by index */
	float **hist;            /* per channel: HIST samples of history, then a chunk */
	float *acc, *iv;         /* per chunk: an interpolated phase; interval peaks */
	float *gq;               /* ring: the gain each sample needs */
	int64_t *dq;             /* ring: the sliding minimum's queue of indices */
	int64_t dq_head, dq_tail;
	double *r;               /* ring: the gain after the release */
	double r_prev, box;      /* the last r; the sum of r over the last look */
	float iv_prev;
	int64_t n_in;            /* samples in, counting the look leading zeros */
	int64_t emit_end;        /* indices from here on are not emitted */
	float coef[PHASES - 1][TAPS];
};

/*
 * Windowed-sinc interpolation at t + k/4 from x[t-5] .. x[t+6], with a
 * Hann window, each phase scaled to unity gain at DC.
 */
static void make_coefficients(float coef[PHASES - 1][TAPS], float *reach_out)
{
	for (int k = 1; k < PHASES; k++) {
		double sum = 0, c[TAPS];
		for (int i = 0; i < TAPS; i++) {
			double d = 5.0 + (double)k / PHASES - i; /* distance to the point */
			double s = fabs(d) < 1e-9 ? 1.0 : sin(M_PI * d) / (M_PI * d);
			double w = fabs(d) < 6.5 ? 0.5 * (1 + cos(M_PI * d / 6.5)) : 0;
			c[i] = s * w;
			sum += c[i];
		}
		double reach = 0;
		for (int i = 0; i < TAPS; i++) {
			coef[k - 1][i] = (float)(c[i] / sum);
			reach += fabs(c[i] / sum);
		}
		if (reach > *reach_out)
			*reach_out = (float)reach;
	}
}

void limiter_free(struct limiter **lp)
{
	struct limiter *l = *lp;
	if (!l)
		return;
	for (int c = 0; c < l->ch; c++) {
		if (l->ring)
			free(l->ring[c]);
		if (l->hist)
			free(l->hist[c]);
	}
	free(l->ring);
	free(l->hist);
	free(l->acc);
	free(l->iv);
	free(l->gq);
	free(l->dq);
	free(l->r);
	free(l);
	*lp = NULL;
}

static inline float maxf(float a, float b)
{
	return a > b ? a : b;
}

/*
 * One phase of the interpolator over a whole chunk: out[j] = sum of
 * c[i] * h[j + i]. Always CHUNK long (past n it computes what is never
 * read), so the compiler can vectorise it without a remainder loop.
 */
static void interpolate(const float *restrict c, const float *restrict h,
			float *restrict out)
{
	for (int j = 0; j < CHUNK; j++)
		out[j] = 0;
	for (int i = 0; i < TAPS; i++) {
		const float ci = c[i];
		for (int j = 0; j < CHUNK; j++)
			out[j] += ci * h[j + i];
	}
}

/* |a| into the running maximum m, over a whole chunk. */
static void fold_peak(const float *restrict a, float *restrict m)
{
	for (int j = 0; j < CHUNK; j++) {
		float v = a[j] < 0 ? -a[j] : a[j];
		m[j] = v > m[j] ? v : m[j];
	}
}

/*
 * True when nothing is being limited: the gain is all the way back up and
 * no sample in the look-ahead needs less.
 */
static bool idle(struct limiter *l)
{
	const size_t m = l->mask;
	if (l->r_prev != 1.0 || l->box < l->look - 1e-6)
		return false;
	return l->dq_tail == l->dq_head ||
	       l->gq[(size_t)l->dq[(size_t)l->dq_head & m] & m] == 1.0f;
}

/*
 * step() for a chunk in which no peak comes near the ceiling while the
 * limiter is idle: every gain is 1, so the samples only pass through the
 * delay, and the state is what step() would leave.
 */
static int pass_through(struct limiter *l, int n, float *const *out, int at)
{
	const size_t m = l->mask;
	int emitted = 0;

	l->box = l->look;
	for (int j = 0; j < n; j++) {
		int64_t t = l->n_in - AHEAD + j;
		if (t < 0)
			continue;
		l->gq[(size_t)t & m] = 1.0f;
		l->dq_head = 0;
		l->dq_tail = 1;
		l->dq[0] = t;
		int64_t k = t - l->look + 1;
		if (k < 0)
			continue;
		l->r[(size_t)k & m] = 1.0;
		if (k < l->look || k >= l->emit_end)
			continue;
		for (int c = 0; c < l->ch; c++)
			out[c][at + emitted] = l->ring[c][(size_t)k & m];
		emitted++;
	}
	l->iv_prev = 0;
	l->n_in += n;
	return emitted;
}

/* Runs one chunk of n samples (NULL in: silence); writes what it emits. */
static int step(struct limiter *l, const float *const *in, int n, float *const *out,
		int at)
{
	const int64_t s = l->n_in;
	const size_t m = l->mask;
	float loud = 0;
	int emitted = 0;

	for (int c = 0; c < l->ch; c++) {
		float *h = l->hist[c] + HIST, *ring = l->ring[c];
		for (int j = 0; j < n; j++) {
			float v = in ? in[c][j] * l->gain : 0.0f;
			h[j] = v;
			ring[(size_t)(s + j) & m] = v;
			loud = maxf(loud, v < 0 ? -v : v);
		}
		for (int j = n; j < CHUNK; j++)
			h[j] = 0;
	}
	/*
	 * The peak between t and t+1 for t = s-6 .. s+n-7; x[t-5] is hist[c][j].
	 * When no sample of the chunk or the history comes near the ceiling,
	 * no interpolated point can pass it either: skip the work.
	 */
	memset(l->iv, 0, CHUNK * sizeof *l->iv);
	for (int c = 0; c < l->ch; c++)
		for (int j = 0; j < HIST; j++)
			loud = maxf(loud, fabsf(l->hist[c][j]));
	bool near = loud * l->reach > l->ceiling;
	for (int c = 0; near && c < l->ch; c++) {
		for (int k = 0; k < PHASES - 1; k++) {
			interpolate(l->coef[k], l->hist[c], l->acc);
			fold_peak(l->acc, l->iv);
		}
		fold_peak(l->hist[c] + AHEAD - 1, l->iv); /* the samples themselves: x[t] */
	}
	for (int c = 0; c < l->ch; c++)
		memmove(l->hist[c], l->hist[c] + n, HIST * sizeof(float));
	if (!near && idle(l))
		return pass_through(l, n, out, at);

	/* the gain each t needs: its peak is the larger of the intervals either side */
	float *g = l->acc;
	for (int j = 0; j < n; j++) {
		float before = j ? l->iv[j - 1] : l->iv_prev;
		float peak = maxf(l->iv[j], before);
		g[j] = peak > l->ceiling ? l->ceiling / peak : 1.0f;
	}
	l->iv_prev = l->iv[n - 1];

	/* the state in locals: stores into the rings cannot then alias it */
	float *gq = l->gq;
	double *rr = l->r, r_prev = l->r_prev, box = l->box;
	const double release = l->release, inv_look = l->inv_look;
	int64_t *dq = l->dq, head = l->dq_head, tail = l->dq_tail;
	const int64_t look = l->look, emit_end = l->emit_end;
	for (int j = 0; j < n; j++) {
		int64_t t = s - AHEAD + j;
		if (t < 0)
			continue;
		gq[(size_t)t & m] = g[j];
		while (tail > head && gq[(size_t)dq[(size_t)(tail - 1) & m] & m] >= g[j])
			tail--;
		dq[(size_t)tail++ & m] = t;
		int64_t k = t - look + 1;
		if (k < 0)
			continue;
		while (dq[(size_t)head & m] < k)
			head++;
		double hmin = gq[(size_t)dq[(size_t)head & m] & m];
		double r = r_prev + (1.0 - r_prev) * release;
		if (hmin < r)
			r = hmin;
		box += r - rr[(size_t)(k - look) & m];
		rr[(size_t)k & m] = r;
		r_prev = r;
		if (k < look || k >= emit_end)
			continue;
		float gain = (float)(box * inv_look);
		for (int c = 0; c < l->ch; c++)
			out[c][at + emitted] = l->ring[c][(size_t)k & m] * gain;
		emitted++;
	}
	l->r_prev = r_prev;
	l->box = box;
	l->dq_head = head;
	l->dq_tail = tail;
	l->n_in += n;
	return emitted;
}

int limiter_new(struct limiter **out, int channels, int rate, double gain_db,
		double ceiling_db)
{
	struct limiter *l;
	size_t size = 1;

	*out = NULL;
	if (channels < 1 || channels > 8 || rate < 8000)
		return HEARTH_EINVAL;
	l = xcalloc(1, sizeof *l);
	l->ch = channels;
	l->look = (int)lrint(rate * 0.005);  /* 5 ms: the attack */
	l->release = 1.0 - exp(-1.0 / (rate * 0.060)); /* 60 ms */
	l->inv_look = 1.0 / l->look;
	l->gain = (float)pow(10, gain_db / 20);
	l->ceiling = (float)pow(10, ceiling_db / 20);
	while (size < (size_t)(CHUNK + l->look + 4 * TAPS))
		size <<= 1;
	l->mask = size - 1;
	l->ring = xcalloc((size_t)channels, sizeof *l->ring);
	l->hist = xcalloc((size_t)channels, sizeof *l->hist);
	for (int c = 0; c < channels; c++) {
		l->ring[c] = xcalloc(size, sizeof(float));
		l->hist[c] = xcalloc(HIST + CHUNK + TAPS, sizeof(float));
	}
	l->acc = xcalloc(CHUNK, sizeof *l->acc);
	l->iv = xcalloc(CHUNK, sizeof *l->iv);
	l->gq = xcalloc(size, sizeof *l->gq);
	l->dq = xcalloc(size, sizeof *l->dq);
	l->r = xcalloc(size, sizeof *l->r);
	for (size_t i = 0; i < size; i++)
		l->r[i] = 1.0;
	l->r_prev = 1.0;
	l->box = l->look;
	l->emit_end = INT64_MAX;
	make_coefficients(l->coef, &l->reach);
	/* the silence before the start, so the first samples are limited too */
	step(l, NULL, l->look, NULL, 0);
	*out = l;
	return 0;
}

int limiter_push(struct limiter *l, const float *const *in, int n, float *const *out)
{
	int done = 0, emitted = 0;
	const float *part[8];

	while (done < n) {
		int k = n - done < CHUNK ? n - done : CHUNK;
		for (int c = 0; c < l->ch; c++)
			part[c] = in[c] + done;
		emitted += step(l, part, k, out, emitted);
		done += k;
	}
	return emitted;
}

int limiter_drain(struct limiter *l, float *const *out)
{
	int left = l->look + AHEAD, emitted = 0;

	if (l->emit_end == INT64_MAX)
		l->emit_end = l->n_in;
	while (left > 0) {
		int k = left < CHUNK ? left : CHUNK;
		emitted += step(l, NULL, k, out, emitted);
		left -= k;
	}
	return emitted;
}

int limiter_latency(const struct limiter *l)
{
	return l->look + AHEAD;
}

/* ---- the true-peak meter ---------------------------------------------------
 * The same 4x interpolator, measuring instead of limiting: the largest
 * |sample| and |interpolated point| of the stream. A chunk whose samples
 * (with the history the interpolator reads) times the interpolator's reach
 * cannot beat the peak found so far is not interpolated at all: the result
 * is the same, and on speech most chunks are skipped.
 */
struct tp_meter {
	int ch;
	float coef[PHASES - 1][TAPS];
	float reach, peak;
	float *hist[8];   /* per channel: HIST samples of history, then a chunk */
	float acc[CHUNK];
};

int tp_meter_new(struct tp_meter **out, int channels)
{
	*out = NULL;
	if (channels < 1 || channels > 8)
		return HEARTH_EINVAL;
	struct tp_meter *m = xcalloc(1, sizeof *m);
	m->ch = channels;
	for (int c = 0; c < channels; c++)
		m->hist[c] = xcalloc(HIST + CHUNK + TAPS, sizeof(float));
	make_coefficients(m->coef, &m->reach);
	*out = m;
	return 0;
}

void tp_meter_free(struct tp_meter **mp)
{
	struct tp_meter *m = *mp;
	if (!m)
		return;
	for (int c = 0; c < m->ch; c++)
		free(m->hist[c]);
	free(m);
	*mp = NULL;
}

/* One chunk of k samples a channel (NULL: silence, to flush the end). */
static void tp_step(struct tp_meter *m, const float *const *in, int k)
{
	for (int c = 0; c < m->ch; c++) {
		float *h = m->hist[c], top = 0;
		if (in)
			memcpy(h + HIST, in[c], (size_t)k * sizeof(float));
		else
			memset(h + HIST, 0, (size_t)k * sizeof(float));
		for (int j = 0; j < HIST + k; j++)
			top = maxf(top, fabsf(h[j]));
		m->peak = maxf(m->peak, top);
		if (top * m->reach > m->peak) {
			for (int p = 0; p < PHASES - 1; p++) {
				interpolate(m->coef[p], h, m->acc);
				for (int j = 0; j < k; j++)
					m->peak = maxf(m->peak, fabsf(m->acc[j]));
			}
		}
		memmove(h, h + k, HIST * sizeof(float));
	}
}

void tp_meter_push(struct tp_meter *m, const float *const *in, int n)
{
	const float *part[8];
	for (int done = 0; done < n;) {
		int k = n - done < CHUNK ? n - done : CHUNK;
		for (int c = 0; c < m->ch; c++)
			part[c] = in[c] + done;
		tp_step(m, part, k);
		done += k;
	}
}

double tp_meter_db(struct tp_meter *m)
{
	tp_step(m, NULL, TAPS);  /* the points between the last samples */
	return m->peak > 0 ? 20 * log10(m->peak) : -INFINITY;
}
