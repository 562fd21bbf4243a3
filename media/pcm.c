/*
 * pcm.c - the decoded sound of a file as a stream of frames in the form a
 * caller asks for. The input is opened the one way media/ opens files
 * (av.c), each decoded frame goes through a libavfilter graph made from a
 * description such as "aformat=sample_fmts=flt:channel_layouts=mono", and
 * the caller takes frames out one at a time. Every audio pass of media/
 * reads through here: the loudness measurement, the encoding pass of the
 * MP3 and M4A renditions, and the waveform. Nothing is held but the frame
 * in flight, so memory does not grow with the length of the file.
 *
 * Every decoded frame is checked before it goes into the graph
 * (media_frame_check): a sample rate the filters handle, a channel count
 * the downmix knows, and samples that are finite and in range, so no NaN
 * or 1e19 reaches the loudness histogram, the limiter or LAME, even from a
 * file a catalogue took in before intake checked the same.
 */
#include "mediaInt.h"

#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
#include <math.h>
#include <string.h>

/*
 * The first sample of n (stride apart) that is not finite or is past the
 * limit: its index, or -1. Written for float and double alike.
 */
#define FIND_BAD(T, x, n, stride, out)                                          \
	do {                                                                    \
		const T *x_ = (const T *)(x);                                   \
		for (int64_t i_ = 0; i_ < (n); i_++) {                         \
			double v_ = x_[i_ * (stride)];                          \
			if (!(v_ >= -MEDIA_MAX_SAMPLE && v_ <= MEDIA_MAX_SAMPLE)) { \
				(out) = i_;                                     \
				break;                                          \
			}                                                       \
		}                                                               \
	} while (0)

int media_frame_check(const AVFrame *f, const char *name, double at,
		      struct hearth_err *err)
{
	enum AVSampleFormat fmt = (enum AVSampleFormat)f->format;
	int ch = f->ch_layout.nb_channels;
	char t[32];

	if (f->sample_rate < MEDIA_MIN_RATE || f->sample_rate > MEDIA_MAX_RATE)
		return herr(err, HEARTH_EINVAL,
			    "%s: the sample rate is %d Hz; Hearth takes %d to %d Hz",
			    name, f->sample_rate, MEDIA_MIN_RATE, MEDIA_MAX_RATE);
	if (ch < 1 || ch > MEDIA_MAX_CHANNELS)
		return herr(err, HEARTH_EINVAL, "%s: the sound has %d channels; Hearth takes 1 to %d",
			    name, ch, MEDIA_MAX_CHANNELS);
	bool dbl = fmt == AV_SAMPLE_FMT_DBL || fmt == AV_SAMPLE_FMT_DBLP;
	if (!dbl && fmt != AV_SAMPLE_FMT_FLT && fmt != AV_SAMPLE_FMT_FLTP)
		return 0; /* integers are in range by their nature */
	bool planar = av_sample_fmt_is_planar(fmt);
	int planes = planar ? ch : 1, stride = planar ? 1 : ch;
	for (int c = 0; c < planes; c++) {
		int64_t bad = -1;
		for (int k = 0; k < stride && bad < 0; k++) {
			if (dbl)
				FIND_BAD(double, (const double *)f->extended_data[c] + k,
					 f->nb_samples, stride, bad);
			else
				FIND_BAD(float, (const float *)f->extended_data[c] + k,
					 f->nb_samples, stride, bad);
			if (bad < 0)
				continue;
			size_t idx = (size_t)(bad * stride + k);
			double v = dbl ? ((const double *)f->extended_data[c])[idx]
				       : ((const float *)f->extended_data[c])[idx];
			fmt_clock(at + (double)bad / f->sample_rate, 1, t);
			if (!isfinite(v))
				return herr(err, HEARTH_EINVAL,
					    "%s: the sound holds a sample that is not a number "
					    "(%s) at %s; the file is broken",
					    name, isnan(v) ? "NaN" : "infinity", t);
			return herr(err, HEARTH_EINVAL,
				    "%s: the sound has a sample at %+.0f dBFS at %s, past the "
				    "limit of %+.0f dBFS; the file is broken",
				    name, 20 * log10(fabs(v)), t, 20 * log10(MEDIA_MAX_SAMPLE));
		}
	}
	return 0;
}

_Atomic long media_pcm_opened;

int media_pcm_open(struct media_pcm *p, const char *path, const char *name,
		   const char *desc, struct hearth_err *err)
{
	media_pcm_opened++;
	memset(p, 0, sizeof *p);
	p->desc = desc;
	p->dec = av_frame_alloc();
	if (!p->dec)
		return herr(err, HEARTH_EMEDIA, "%s: out of memory", name);
	return media_in_open(&p->in, path, name, AVMEDIA_TYPE_AUDIO, false, 0, err);
}

void media_pcm_close(struct media_pcm *p)
{
	avfilter_graph_free(&p->graph);
	av_frame_free(&p->dec);
	media_in_close(&p->in);
}

/*
 * The graph, made from the first decoded frame: a decoder knows its output
 * format for certain only once it has produced something.
 */
static int open_graph(struct media_pcm *p, const AVFrame *f, struct hearth_err *err)
{
	AVFilterInOut *outs = avfilter_inout_alloc(), *ins = avfilter_inout_alloc();
	const char *name = p->in.name;
	char layout[128], *args = NULL;
	int r, rc = 0;

	p->graph = avfilter_graph_alloc();
	if (!outs || !ins || !p->graph) {
		rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", name);
		goto end;
	}
	p->graph->nb_threads = 1;
	av_channel_layout_describe(&f->ch_layout, layout, sizeof layout);
	args = xasprintf("time_base=1/%d:sample_rate=%d:sample_fmt=%s:channel_layout=%s",
			 f->sample_rate, f->sample_rate,
			 av_get_sample_fmt_name((enum AVSampleFormat)f->format), layout);
	r = avfilter_graph_create_filter(&p->src, avfilter_get_by_name("abuffer"), "in", args,
					 NULL, p->graph);
	if (r >= 0)
		r = avfilter_graph_create_filter(&p->sink, avfilter_get_by_name("abuffersink"),
						 "out", NULL, NULL, p->graph);
	if (r < 0)
		goto fail;
	outs->name = av_strdup("in");
	outs->filter_ctx = p->src;
	ins->name = av_strdup("out");
	ins->filter_ctx = p->sink;
	r = avfilter_graph_parse_ptr(p->graph, p->desc, &ins, &outs, NULL);
	if (r >= 0)
		r = avfilter_graph_config(p->graph, NULL);
fail:
	if (r < 0)
		rc = media_averr(err, HEARTH_EMEDIA, r, name, "cannot set up the audio filters");
end:
	avfilter_inout_free(&ins);
	avfilter_inout_free(&outs);
	free(args);
	return rc;
}

/* Feeds the next decoded frame (or the end) into the graph. */
static int feed(struct media_pcm *p, struct hearth_err *err)
{
	AVFrame *f = p->dec;
	int r = media_in_next(&p->in, f, err);

	if (r < 0)
		return r;
	if (r == 0) {
		if (!p->graph)
			return herr(err, HEARTH_EMEDIA, "%s: has no sound", p->in.name);
		f = NULL;
		p->ended = true;
	} else {
		/* some decoders only know a channel count; give it the usual layout */
		if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
			int n = f->ch_layout.nb_channels;
			av_channel_layout_uninit(&f->ch_layout);
			av_channel_layout_default(&f->ch_layout, n);
		}
		int rc = media_frame_check(f, p->in.name, (double)p->pts /
						   (f->sample_rate > 0 ? f->sample_rate : 1), err);
		if (rc)
			return rc;
		if (!p->graph) {
			rc = open_graph(p, f, err);
			if (rc)
				return rc;
		}
		/* contiguous timestamps: gaps in the source are not ours to keep */
		f->pts = p->pts;
		p->pts += f->nb_samples;
	}
	r = av_buffersrc_add_frame(p->src, f);
	if (f)
		av_frame_unref(f);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, p->in.name, "cannot filter the audio");
	return 0;
}

int media_pcm_next(struct media_pcm *p, AVFrame *out, struct hearth_err *err)
{
	av_frame_unref(out);
	for (;;) {
		int r = p->sink ? av_buffersink_get_frame(p->sink, out) : AVERROR(EAGAIN);
		if (r >= 0)
			return 1;
		if (r == AVERROR_EOF)
			return 0;
		if (r != AVERROR(EAGAIN))
			return media_averr(err, HEARTH_EMEDIA, r, p->in.name,
					   "cannot filter the audio");
		if (p->ended)
			return 0;
		int rc = feed(p, err);
		if (rc)
			return rc;
	}
}
