/*
 * probe.c - what a media file holds, as libavformat sees it: duration,
 * codec, sample rate, channels, picture size; and the two deeper checks
 * intake runs on top of that: decoding a sound file all the way through
 * (a truncated or corrupt file is refused before it enters the store) and
 * counting the frames of a picture (an animated GIF is not a still image).
 */
#include "mediaInt.h"

#include <string.h>

static double ts_seconds(int64_t ts, AVRational tb)
{
	return ts == AV_NOPTS_VALUE ? 0 : (double)ts * av_q2d(tb);
}

/* The duration the container states for stream si, or 0 when it does not. */
static double declared_duration(const AVFormatContext *fmt, int si)
{
	double d = 0;
	if (si >= 0) {
		const AVStream *st = fmt->streams[si];
		if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
			d = ts_seconds(st->duration, st->time_base);
	}
	if (d <= 0 && fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0)
		d = (double)fmt->duration / AV_TIME_BASE;
	return d;
}

static int first_picture_stream(const AVFormatContext *fmt)
{
	for (unsigned i = 0; i < fmt->nb_streams; i++)
		if (media_stream_is_picture(fmt->streams[i]))
			return (int)i;
	return -1;
}

int media_probe(const char *path, struct media_info *out, struct hearth_err *err)
{
	return media_probe_named(path, path, 0, out, err);
}

int media_probe_named(const char *path, const char *name, int64_t max_pixels,
		      struct media_info *out, struct hearth_err *err)
{
	AVFormatContext *fmt = NULL;
	const AVCodecParameters *par;
	int a, v, rc;

	memset(out, 0, sizeof *out);
	rc = media_open_format(path, name, max_pixels, &fmt, err);
	if (rc)
		return rc;
	a = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
	v = first_picture_stream(fmt);
	out->has_audio = a >= 0;
	out->has_video = v >= 0;
	if (a >= 0) {
		par = fmt->streams[a]->codecpar;
		snprintf(out->codec, sizeof out->codec, "%s", avcodec_get_name(par->codec_id));
		out->sample_rate = par->sample_rate;
		out->channels = par->ch_layout.nb_channels;
		out->duration = declared_duration(fmt, a);
	}
	if (v >= 0) {
		par = fmt->streams[v]->codecpar;
		if (a < 0)
			snprintf(out->codec, sizeof out->codec, "%s",
				 avcodec_get_name(par->codec_id));
		out->width = par->width;
		out->height = par->height;
		/* a still image has no duration; a moving picture keeps its own */
		if (a < 0 && fmt->streams[v]->nb_frames != 1 &&
		    strcmp(fmt->iformat->name, "png_pipe") &&
		    strcmp(fmt->iformat->name, "jpeg_pipe") &&
		    strcmp(fmt->iformat->name, "webp_pipe"))
			out->duration = declared_duration(fmt, v);
	}
	media_close_format(&fmt);

	if (a >= 0 && out->duration <= 0) {
		struct media_decode_report rep;
		rc = media_decode_audio_all(path, name, &rep, err);
		if (rc)
			return rc;
		out->duration = rep.decoded;
	}
	return 0;
}

/* Notes the first decode error in rep. */
static void note_error(struct media_decode_report *rep, int averr, double at)
{
	if (rep->errors++ == 0) {
		rep->first_error_at = at;
		av_strerror(averr, rep->error, sizeof rep->error);
	}
}

/*
 * Takes every frame the decoder has ready, adding up their length; each
 * frame is checked as the build's passes check it (media_frame_check), so
 * what intake accepts is what the build can render.
 */
static int drain(struct media_in *in, AVFrame *frame, struct media_decode_report *rep,
		 struct hearth_err *err)
{
	for (;;) {
		int r = avcodec_receive_frame(in->dec, frame);
		if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
			return 0;
		if (r < 0) {
			/* the decoder gave up on this input; go on with the next */
			note_error(rep, r, rep->decoded);
			return 0;
		}
		int rc = media_frame_check(frame, in->name, rep->decoded, err);
		if (frame->sample_rate > 0)
			rep->decoded += (double)frame->nb_samples / frame->sample_rate;
		av_frame_unref(frame);
		if (rc)
			return rc;
	}
}

int media_decode_audio_all(const char *path, const char *name,
			   struct media_decode_report *rep, struct hearth_err *err)
{
	struct media_in in;
	AVFrame *frame = NULL;
	int r, rc;

	memset(rep, 0, sizeof *rep);
	rc = media_in_open(&in, path, name, AVMEDIA_TYPE_AUDIO, false, 0, err);
	if (rc)
		goto end;
	rep->declared = declared_duration(in.fmt, in.stream);
	rep->declared_estimated =
		in.fmt->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE;
	frame = av_frame_alloc();
	if (!frame) {
		rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", name);
		goto end;
	}
	for (;;) {
		r = av_read_frame(in.fmt, in.pkt);
		if (r < 0) {
			if (r != AVERROR_EOF) {
				rep->demux_failed = true;
				note_error(rep, r, rep->decoded);
			}
			break;
		}
		if (in.pkt->stream_index == in.stream) {
			r = avcodec_send_packet(in.dec, in.pkt);
			if (r < 0 && r != AVERROR(EAGAIN))
				note_error(rep, r, rep->decoded);
		}
		av_packet_unref(in.pkt);
		if ((rc = drain(&in, frame, rep, err)))
			goto end;
	}
	r = avcodec_send_packet(in.dec, NULL);
	if (r < 0 && r != AVERROR_EOF)
		note_error(rep, r, rep->decoded);
	rc = drain(&in, frame, rep, err);
end:
	av_frame_free(&frame);
	media_in_close(&in);
	return rc;
}

int media_count_frames(const char *path, const char *name, int64_t max_pixels, int max,
		       int *n, struct hearth_err *err)
{
	AVFormatContext *fmt = NULL;
	AVPacket *pkt = NULL;
	int v, r, rc;

	*n = 0;
	rc = media_open_format(path, name, max_pixels, &fmt, err);
	if (rc)
		return rc;
	v = first_picture_stream(fmt);
	pkt = av_packet_alloc();
	if (!pkt) {
		rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", name);
		goto end;
	}
	while (v >= 0 && *n < max) {
		r = av_read_frame(fmt, pkt);
		if (r == AVERROR_EOF)
			break;
		if (r < 0) {
			rc = media_averr(err, HEARTH_EMEDIA, r, name, "cannot read");
			break;
		}
		if (pkt->stream_index == v)
			(*n)++;
		av_packet_unref(pkt);
	}
end:
	av_packet_free(&pkt);
	media_close_format(&fmt);
	return rc;
}
