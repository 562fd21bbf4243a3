/*
 * waveform.c - the picture of a recording: peaks as JSON for the player
 * and an SVG the page shows without JavaScript.
 */
#include "mediaInt.h"

int render_waveform(const char *src, const char *dst, const struct media_job *job,
		    struct media_result *res, struct hearth_err *err)
{
	(void)dst;
	(void)job;
	(void)res;
	return herr(err, HEARTH_EINVAL, "%s: waveforms are not made yet", src);
}
