/*
 * loudness.c - loudness as ITU-R BS.1770 defines it, measured with
 * libebur128: media_loudness() for any file, its integrated loudness and
 * its true peak, only what the caller asks for. audio.c uses it to check
 * the true peak of a rendition it has just encoded; the tests and anyone
 * checking a rendition use it too. The first pass of an audio rendition
 * does not come here: measure.c has its own K-weighting and limiter
 * simulation.
 *
 * libebur128 runs in its histogram mode, so memory stays the same however
 * long the file.
 */
#include "mediaInt.h"

#include <ebur128.h>
#include <math.h>

/* A libebur128 meter, made when the first frame says the rate and channels. */
struct meter {
	ebur128_state *st;
	int mode;
	int64_t samples;
	int rate;
};

/* Reads src through desc and feeds every frame (interleaved float) to the meter. */
static int meter_run(struct meter *mt, const char *src, const char *desc,
		     struct hearth_err *err)
{
	struct media_pcm p;
	AVFrame *f = av_frame_alloc();
	int r, rc;

	rc = media_pcm_open(&p, src, src, desc, err);
	if (!rc && !f)
		rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", src);
	while (!rc && (r = media_pcm_next(&p, f, err)) == 1) {
		if (!mt->st) {
			mt->rate = f->sample_rate;
			mt->st = ebur128_init((unsigned)f->ch_layout.nb_channels,
					      (unsigned long)f->sample_rate, mt->mode);
			if (!mt->st) {
				rc = herr(err, HEARTH_EMEDIA, "%s: cannot measure %d channels at %d Hz",
					  src, f->ch_layout.nb_channels, f->sample_rate);
				break;
			}
		}
		if (ebur128_add_frames_float(mt->st, (const float *)f->data[0],
					     (size_t)f->nb_samples) != EBUR128_SUCCESS)
			rc = herr(err, HEARTH_EMEDIA, "%s: cannot measure the loudness", src);
		mt->samples += f->nb_samples;
	}
	if (!rc && r < 0)
		rc = r;
	if (!rc && !mt->st)
		rc = herr(err, HEARTH_EMEDIA, "%s: has no sound", src);
	av_frame_free(&f);
	media_pcm_close(&p);
	return rc;
}

/* Integrated loudness; -inf when everything is under the absolute gate. */
static int integrated(struct meter *mt, const char *src, double *lufs,
		      struct hearth_err *err)
{
	if (ebur128_loudness_global(mt->st, lufs) != EBUR128_SUCCESS)
		return herr(err, HEARTH_EMEDIA, "%s: cannot measure the loudness", src);
	if (!isfinite(*lufs))
		*lufs = -INFINITY;
	return 0;
}

int media_loudness(const char *src, double *lufs, double *true_peak,
		   struct hearth_err *err)
{
	/* only what is asked for: true peak alone skips the loudness gating */
	struct meter mt = {.mode = (lufs ? EBUR128_MODE_I | EBUR128_MODE_HISTOGRAM : 0) |
				   (true_peak ? EBUR128_MODE_TRUE_PEAK : 0)};
	double peak = 0;
	int rc = meter_run(&mt, src, "aformat=sample_fmts=flt", err);

	if (!rc && lufs)
		rc = integrated(&mt, src, lufs, err);
	for (unsigned c = 0; !rc && true_peak && c < mt.st->channels; c++) {
		double p;
		if (ebur128_true_peak(mt.st, c, &p) != EBUR128_SUCCESS)
			rc = herr(err, HEARTH_EMEDIA, "%s: cannot measure the true peak", src);
		else if (p > peak)
			peak = p;
	}
	if (!rc && true_peak)
		*true_peak = peak > 0 ? 20 * log10(peak) : -INFINITY;
	if (mt.st)
		ebur128_destroy(&mt.st);
	return rc;
}
