/*
 * audio.c - the podcast MP3 rendition. A source sound file is decoded,
 * sent through a libavfilter graph (abuffer -> aresample -> aformat ->
 * abuffersink) that makes it 44.1 kHz mono (speech) or stereo (music) in
 * the encoder's sample format, cut into encoder-sized frames by an
 * AVAudioFifo, encoded with LAME at a constant bit rate and written by
 * libavformat's MP3 muxer with an ID3v2.4 tag holding only the tags
 * Hearth gives: nothing of the source's metadata is carried over.
 *
 * Audio streams through frame by frame, so memory stays flat however long
 * the source. The filter graph is a string on purpose: loudness
 * normalisation will be one more filter in front of aresample.
 */
#include "mediaInt.h"

#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <string.h>

#define OUT_RATE 44100

/* Everything one MP3 rendition holds while it is made. */
struct mp3job {
	const char *name;     /* for messages: the source path */
	const char *dst;
	enum media_audio_kind kind;
	struct media_in in;
	AVFilterGraph *graph;
	AVFilterContext *src, *sink;
	AVCodecContext *enc;
	AVFormatContext *out;
	AVAudioFifo *fifo;
	AVFrame *frame;       /* decoded */
	AVFrame *filt;        /* out of the filter graph */
	AVFrame *efr;         /* into the encoder */
	AVPacket *pkt;
	int64_t in_pts;       /* samples sent into the graph */
	int64_t out_pts;      /* samples sent to the encoder */
	char *tmp;
};

static int out_of_memory(struct mp3job *j, struct hearth_err *err)
{
	return herr(err, HEARTH_EMEDIA, "%s: out of memory", j->name);
}

/* libmp3lame at 44.1 kHz, CBR, in planar float when it offers that. */
static int open_encoder(struct mp3job *j, struct hearth_err *err)
{
	const AVCodec *codec = avcodec_find_encoder_by_name("libmp3lame");
	int r;

	if (!codec)
		return herr(err, HEARTH_EMEDIA,
			    "%s: this FFmpeg has no MP3 encoder (libmp3lame)", j->name);
	j->enc = avcodec_alloc_context3(codec);
	if (!j->enc)
		return out_of_memory(j, err);
	j->enc->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] : AV_SAMPLE_FMT_S16P;
	for (const enum AVSampleFormat *f = codec->sample_fmts; f && *f != AV_SAMPLE_FMT_NONE; f++)
		if (*f == AV_SAMPLE_FMT_FLTP)
			j->enc->sample_fmt = *f;
	j->enc->sample_rate = OUT_RATE;
	av_channel_layout_default(&j->enc->ch_layout, j->kind == AUDIO_MUSIC ? 2 : 1);
	j->enc->bit_rate = j->kind == AUDIO_MUSIC ? 160000 : 96000;
	j->enc->time_base = (AVRational){1, OUT_RATE};
	j->enc->flags |= AV_CODEC_FLAG_BITEXACT;
	r = avcodec_open2(j->enc, codec, NULL);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, j->name, "cannot open the MP3 encoder");
	if (j->enc->frame_size <= 0)
		return herr(err, HEARTH_EMEDIA, "%s: the MP3 encoder has no frame size", j->name);
	j->fifo = av_audio_fifo_alloc(j->enc->sample_fmt, j->enc->ch_layout.nb_channels,
				      j->enc->frame_size * 2);
	if (!j->fifo)
		return out_of_memory(j, err);
	return 0;
}

/*
 * The filter graph, made from the first decoded frame (a decoder knows its
 * output format for certain only once it has produced something).
 */
static int open_graph(struct mp3job *j, const AVFrame *f, struct hearth_err *err)
{
	AVFilterInOut *outs = avfilter_inout_alloc(), *ins = avfilter_inout_alloc();
	char layout[128], *args = NULL, *desc = NULL;
	int r, rc = 0;

	j->graph = avfilter_graph_alloc();
	if (!outs || !ins || !j->graph) {
		rc = out_of_memory(j, err);
		goto end;
	}
	j->graph->nb_threads = 1;
	av_channel_layout_describe(&f->ch_layout, layout, sizeof layout);
	args = xasprintf("time_base=1/%d:sample_rate=%d:sample_fmt=%s:channel_layout=%s",
			 f->sample_rate, f->sample_rate,
			 av_get_sample_fmt_name((enum AVSampleFormat)f->format), layout);
	r = avfilter_graph_create_filter(&j->src, avfilter_get_by_name("abuffer"), "in",
					 args, NULL, j->graph);
	if (r >= 0)
		r = avfilter_graph_create_filter(&j->sink, avfilter_get_by_name("abuffersink"),
						 "out", NULL, NULL, j->graph);
	if (r < 0) {
		rc = media_averr(err, HEARTH_EMEDIA, r, j->name, "cannot set up the audio filters");
		goto end;
	}
	desc = xasprintf("aresample=%d,aformat=sample_fmts=%s:sample_rates=%d:channel_layouts=%s",
			 OUT_RATE, av_get_sample_fmt_name(j->enc->sample_fmt), OUT_RATE,
			 j->kind == AUDIO_MUSIC ? "stereo" : "mono");
	outs->name = av_strdup("in");
	outs->filter_ctx = j->src;
	ins->name = av_strdup("out");
	ins->filter_ctx = j->sink;
	r = avfilter_graph_parse_ptr(j->graph, desc, &ins, &outs, NULL);
	if (r >= 0)
		r = avfilter_graph_config(j->graph, NULL);
	if (r < 0)
		rc = media_averr(err, HEARTH_EMEDIA, r, j->name, "cannot set up the audio filters");
end:
	avfilter_inout_free(&ins);
	avfilter_inout_free(&outs);
	free(args);
	free(desc);
	return rc;
}

/* The MP3 muxer on the temporary file, with only the given tags. */
static int open_output(struct mp3job *j, const struct media_tags *tags,
		       struct hearth_err *err)
{
	AVDictionary *opts = NULL;
	AVStream *st;
	char *url = NULL;
	int r, rc;

	rc = media_tmp_open(j->dst, &j->tmp, err);
	if (rc)
		return rc;
	r = avformat_alloc_output_context2(&j->out, NULL, "mp3", NULL);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, j->dst, "cannot set up the MP3 writer");
	j->out->flags |= AVFMT_FLAG_BITEXACT;
	st = avformat_new_stream(j->out, NULL);
	if (!st)
		return out_of_memory(j, err);
	r = avcodec_parameters_from_context(st->codecpar, j->enc);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, j->dst, "cannot set up the MP3 writer");
	st->time_base = j->enc->time_base;
	if (tags && tags->title && *tags->title)
		av_dict_set(&j->out->metadata, "title", tags->title, 0);
	if (tags && tags->artist && *tags->artist)
		av_dict_set(&j->out->metadata, "artist", tags->artist, 0);
	if (tags && tags->album && *tags->album)
		av_dict_set(&j->out->metadata, "album", tags->album, 0);

	url = xasprintf("file:%s", j->tmp);
	r = avio_open(&j->out->pb, url, AVIO_FLAG_WRITE);
	free(url);
	if (r < 0)
		return media_averr(err, HEARTH_EIO, r, j->dst, "cannot write");
	av_dict_set(&opts, "id3v2_version", "4", 0);
	av_dict_set(&opts, "write_id3v1", "0", 0);
	r = avformat_write_header(j->out, &opts);
	av_dict_free(&opts);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, j->dst, "cannot write");
	return 0;
}

/* Takes every packet the encoder has ready and writes it. */
static int write_packets(struct mp3job *j, struct hearth_err *err)
{
	for (;;) {
		int r = avcodec_receive_packet(j->enc, j->pkt);
		if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
			return 0;
		if (r < 0)
			return media_averr(err, HEARTH_EMEDIA, r, j->name, "cannot encode");
		j->pkt->stream_index = 0;
		av_packet_rescale_ts(j->pkt, j->enc->time_base, j->out->streams[0]->time_base);
		r = av_interleaved_write_frame(j->out, j->pkt);
		if (r < 0)
			return media_averr(err, HEARTH_EIO, r, j->dst, "cannot write");
	}
}

/* Encodes n samples from the FIFO (n is a frame, or less at the end). */
static int encode_from_fifo(struct mp3job *j, int n, struct hearth_err *err)
{
	int r;

	av_frame_unref(j->efr);
	j->efr->nb_samples = n;
	j->efr->format = j->enc->sample_fmt;
	j->efr->sample_rate = j->enc->sample_rate;
	r = av_channel_layout_copy(&j->efr->ch_layout, &j->enc->ch_layout);
	if (r >= 0)
		r = av_frame_get_buffer(j->efr, 0);
	if (r < 0)
		return out_of_memory(j, err);
	if (av_audio_fifo_read(j->fifo, (void **)j->efr->data, n) != n)
		return herr(err, HEARTH_EMEDIA, "%s: the sample queue came up short", j->name);
	j->efr->pts = j->out_pts;
	j->out_pts += n;
	r = avcodec_send_frame(j->enc, j->efr);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, j->name, "cannot encode");
	return write_packets(j, err);
}

/* Moves what the filter graph has ready into the FIFO, encoding whole frames. */
static int pull_filtered(struct mp3job *j, struct hearth_err *err)
{
	int r, rc;

	for (;;) {
		r = av_buffersink_get_frame(j->sink, j->filt);
		if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
			return 0;
		if (r < 0)
			return media_averr(err, HEARTH_EMEDIA, r, j->name, "cannot filter the audio");
		r = av_audio_fifo_write(j->fifo, (void **)j->filt->data, j->filt->nb_samples);
		av_frame_unref(j->filt);
		if (r < 0)
			return out_of_memory(j, err);
		while (av_audio_fifo_size(j->fifo) >= j->enc->frame_size) {
			rc = encode_from_fifo(j, j->enc->frame_size, err);
			if (rc)
				return rc;
		}
	}
}

/* Feeds one decoded frame (or NULL for the end) into the filter graph. */
static int push_frame(struct mp3job *j, AVFrame *f, struct hearth_err *err)
{
	int r;

	if (f) {
		/* some decoders only know a channel count; give it the usual layout */
		if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
			int n = f->ch_layout.nb_channels;
			av_channel_layout_uninit(&f->ch_layout);
			av_channel_layout_default(&f->ch_layout, n);
		}
		if (!j->graph) {
			int rc = open_graph(j, f, err);
			if (rc)
				return rc;
		}
		/* contiguous timestamps: gaps in the source are not ours to keep */
		f->pts = j->in_pts;
		j->in_pts += f->nb_samples;
	}
	r = av_buffersrc_add_frame(j->src, f);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, j->name, "cannot filter the audio");
	return pull_filtered(j, err);
}

static int run(struct mp3job *j, const struct media_tags *tags, struct hearth_err *err)
{
	int r = 0, rc;

	rc = media_in_open(&j->in, j->name, j->name, AVMEDIA_TYPE_AUDIO, false, err);
	if (rc)
		return rc;
	j->frame = av_frame_alloc();
	j->filt = av_frame_alloc();
	j->efr = av_frame_alloc();
	j->pkt = av_packet_alloc();
	if (!j->frame || !j->filt || !j->efr || !j->pkt)
		return out_of_memory(j, err);
	rc = open_encoder(j, err);
	if (!rc)
		rc = open_output(j, tags, err);
	while (!rc && (r = media_in_next(&j->in, j->frame, err)) == 1)
		rc = push_frame(j, j->frame, err);
	if (!rc && r < 0)
		rc = r;
	if (rc)
		return rc;
	if (!j->graph)
		return herr(err, HEARTH_EMEDIA, "%s: has no sound to encode", j->name);
	rc = push_frame(j, NULL, err);
	if (!rc && av_audio_fifo_size(j->fifo) > 0)
		rc = encode_from_fifo(j, av_audio_fifo_size(j->fifo), err);
	if (rc)
		return rc;
	r = avcodec_send_frame(j->enc, NULL);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, j->name, "cannot encode");
	rc = write_packets(j, err);
	if (rc)
		return rc;
	r = av_write_trailer(j->out);
	if (r < 0)
		return media_averr(err, HEARTH_EIO, r, j->dst, "cannot write");
	return 0;
}

int media_audio_mp3(const char *src, const char *dst, enum media_audio_kind kind,
		    const struct media_tags *tags, struct hearth_err *err)
{
	struct mp3job j;
	int rc;

	memset(&j, 0, sizeof j);
	j.name = src;
	j.dst = dst;
	j.kind = kind;
	media_av_init();
	rc = run(&j, tags, err);
	if (j.out)
		avio_closep(&j.out->pb);
	if (!rc)
		rc = media_tmp_commit(&j.tmp, dst, err);
	media_tmp_abort(&j.tmp);
	avformat_free_context(j.out);
	avcodec_free_context(&j.enc);
	avfilter_graph_free(&j.graph);
	av_audio_fifo_free(j.fifo);
	av_frame_free(&j.frame);
	av_frame_free(&j.filt);
	av_frame_free(&j.efr);
	av_packet_free(&j.pkt);
	media_in_close(&j.in);
	return rc;
}

int render_audio(const char *src, const char *dst, const struct media_job *job,
		 struct media_result *res, struct hearth_err *err)
{
	(void)res;
	if (job->kind != MEDIA_MP3)
		return herr(err, HEARTH_EINVAL, "%s: M4A renditions are not made yet", src);
	return media_audio_mp3(src, dst, job->audio.kind, job->tags, err);
}

int media_loudness(const char *src, double *lufs, double *true_peak,
		   struct hearth_err *err)
{
	(void)lufs;
	(void)true_peak;
	return herr(err, HEARTH_EINVAL, "%s: loudness is not measured yet", src);
}
