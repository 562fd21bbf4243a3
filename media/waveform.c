/*
 * waveform.c - the picture of a recording: its peaks as JSON for a player
 * that draws them, and an SVG of bars that the page shows without
 * JavaScript.
 *
 * It is a sink of the one decode of a recording (audio.c): the sound the
 * encoders get, 44.1 kHz planar float in the channels they encode, before
 * the gain and the limiter, comes in as it is decoded, into at most twice
 * as many buckets as points asked for: each bucket holds the largest magnitude of
 * its samples (every channel), and when the buckets run out, neighbours
 * merge and each holds twice as many samples. So memory is the same for a
 * minute or for hours, and the length need not be known in advance. The
 * buckets are then folded into exactly the points asked for, scaled so the
 * loudest is 1: the picture shows the shape of the recording, whatever its
 * level (the renditions are loudness normalised anyway).
 *
 *   peaks:  {"version":1,"duration":12.345,"peaks":[0.012,0.5,...]}
 *   SVG:    bars around the middle line, role="img" with a title, in a
 *           neutral grey that reads on light and dark pages.
 */
#include "mediaInt.h"

#include <string.h>

#define DEFAULT_PEAKS 800   /* enough for a player across a wide screen */
#define DEFAULT_BARS 400    /* bars stay apart at the width of a page */
#define MAX_POINTS 100000
#define SVG_HEIGHT 60
#define SVG_COLOUR "#8a8f98"
#define SVG_LABEL "Waveform of the recording"

struct peaks {
	float *v;        /* the buckets */
	int n, cap;      /* cap is even */
	int64_t per;     /* samples a bucket */
	int64_t fill;    /* samples in the bucket being made */
	float cur;       /* its largest magnitude */
	int64_t samples;
	int rate;
};

static void push_bucket(struct peaks *p)
{
	if (p->n == p->cap) {
		for (int i = 0; i < p->cap / 2; i++)
			p->v[i] = p->v[2 * i] > p->v[2 * i + 1] ? p->v[2 * i] : p->v[2 * i + 1];
		p->n = p->cap / 2;
		p->per *= 2;
		/* the bucket being made is now half full, if that */
		if (p->fill >= p->per)
			return;
	}
	p->v[p->n++] = p->cur;
	p->cur = 0;
	p->fill = 0;
}

/* n frames of planar float with ch channels. */
static void add(struct peaks *p, const float *const *x, int n, int ch)
{
	int i = 0;
	while (i < n) {
		int64_t room = p->per - p->fill;
		int take = room < n - i ? (int)room : n - i;
		float m = p->cur;
		for (int c = 0; c < ch; c++)
			for (const float *s = x[c] + i, *e = s + take; s < e; s++) {
				float a = *s < 0 ? -*s : *s;
				m = a > m ? a : m;
			}
		p->cur = m;
		p->fill += take;
		i += take;
		if (p->fill >= p->per)
			push_bucket(p);
	}
	p->samples += n;
}

/* The buckets folded into points values, the largest scaled to 1. */
static float *fold(const struct peaks *p, int points)
{
	float *out = xcalloc((size_t)points, sizeof *out), top = 0;

	for (int i = 0; i < points && p->n > 0; i++) {
		int a = (int)((int64_t)i * p->n / points), b = (int)((int64_t)(i + 1) * p->n / points);
		float m = p->v[a < p->n ? a : p->n - 1];
		for (int k = a + 1; k < b; k++)
			m = p->v[k] > m ? p->v[k] : m;
		out[i] = m;
		top = m > top ? m : top;
	}
	for (int i = 0; i < points && top > 0; i++)
		out[i] = out[i] / top > 1 ? 1 : out[i] / top;
	return out;
}

static void write_json(struct buf *b, const float *v, int points, double duration)
{
	buf_printf(b, "{\"version\":1,\"duration\":%.3f,\"peaks\":[", duration);
	for (int i = 0; i < points; i++)
		buf_printf(b, "%s%.3f", i ? "," : "", v[i]);
	buf_puts(b, "]}\n");
}

/* Bars two units apart, each at least a hairline so silence still shows. */
static void write_svg(struct buf *b, const float *v, int points)
{
	const double h = SVG_HEIGHT, mid = h / 2;

	buf_printf(b,
		   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		   "width=\"%d\" height=\"%d\" preserveAspectRatio=\"none\" role=\"img\" "
		   "aria-label=\"" SVG_LABEL "\"><title>" SVG_LABEL "</title>"
		   "<path fill=\"" SVG_COLOUR "\" d=\"",
		   points * 2, SVG_HEIGHT, points * 2, SVG_HEIGHT);
	for (int i = 0; i < points; i++) {
		double bar = v[i] * (h - 2);
		if (bar < 1)
			bar = 1;
		buf_printf(b, "M%d %.1fh1.4v%.1fh-1.4z", i * 2, mid - bar / 2, bar);
	}
	buf_puts(b, "\"/></svg>\n");
}

struct wave {
	enum media_kind kind;
	int points;
	struct peaks p;
};

int wave_new(struct wave **out, const struct media_job *job, int rate, const char *name,
	     struct hearth_err *err)
{
	int points = job->points ? job->points
				 : job->kind == MEDIA_WAVEFORM ? DEFAULT_BARS : DEFAULT_PEAKS;
	struct wave *w;

	*out = NULL;
	if (points < 1 || points > MAX_POINTS)
		return herr(err, HEARTH_EINVAL, "%s: a waveform has 1 to %d points, not %d", name,
			    MAX_POINTS, points);
	w = xcalloc(1, sizeof *w);
	w->kind = job->kind;
	w->points = points;
	w->p.per = 1;
	w->p.rate = rate;
	w->p.cap = 2 * points;
	w->p.v = xcalloc((size_t)w->p.cap, sizeof *w->p.v);
	*out = w;
	return 0;
}

void wave_push(struct wave *w, const float *const *planes, int n, int ch)
{
	add(&w->p, planes, n, ch);
}

int wave_write(struct wave *w, const char *dst, struct hearth_err *err)
{
	struct peaks *p = &w->p;
	struct buf b = BUF_INIT;
	float *v;
	int rc;

	if (p->fill > 0)
		push_bucket(p);
	if (p->fill > 0) /* a merge made room only now */
		push_bucket(p);
	v = fold(p, w->points);
	if (w->kind == MEDIA_PEAKS)
		write_json(&b, v, w->points, p->rate ? (double)p->samples / p->rate : 0);
	else
		write_svg(&b, v, w->points);
	rc = file_write_atomic(dst, b.data, b.len, err);
	free(v);
	buf_release(&b);
	return rc;
}

void wave_free(struct wave **w)
{
	if (*w) {
		free((*w)->p.v);
		free(*w);
		*w = NULL;
	}
}
