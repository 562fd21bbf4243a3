/*
 * av.c - how media/ talks to FFmpeg: quiet logging, error translation, the
 * one way an input is opened (an allow-list of demuxers and the file
 * protocol only, so a hostile file cannot make libavformat read a playlist,
 * a network address or another file) and the decode loop the renditions
 * share. Atomic output files come from core/ (file_tmp_open). Every other file of media/ that reads media
 * starts here.
 */
#define _GNU_SOURCE
#include "mediaInt.h"

#include <libavutil/avstring.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The demuxers Hearth accepts; anything else libavformat might recognise
 * (playlists, concat lists, image sequences by file-name pattern, raw
 * formats) is refused. Names as libavformat spells them: "mov" covers
 * MP4/M4A, "matroska" covers WebM.
 */
static const char demuxers[] =
	"wav,flac,mp3,aac,mov,ogg,matroska,png_pipe,jpeg_pipe,webp_pipe,gif,apng";

static pthread_once_t av_once = PTHREAD_ONCE_INIT;

/*
 * A library does not print; failures come back as values. For debugging,
 * HEARTH_AV_LOG=<level> (FFmpeg's numbers: 16 error, 24 warning, 48 debug)
 * lets FFmpeg's own log through to stderr.
 */
static void av_init_once(void)
{
	const char *lvl = getenv("HEARTH_AV_LOG");
	av_log_set_level(lvl && *lvl ? atoi(lvl) : AV_LOG_QUIET);
}

void media_av_init(void)
{
	pthread_once(&av_once, av_init_once);
}

int media_averr(struct hearth_err *err, int code, int averr, const char *name,
		const char *what)
{
	char s[AV_ERROR_MAX_STRING_SIZE];
	av_strerror(averr, s, sizeof s);
	return herr(err, code, "%s: %s: %s", name, what, s);
}

/*
 * Opens path and picks its demuxer from the contents alone: the probe is
 * given no file name, so an extension cannot choose (libavformat's image2
 * demuxer would otherwise claim any ".jpg" and read its name as a
 * pattern). The I/O context is ours (AVFMT_FLAG_CUSTOM_IO), so
 * media_close_format closes it.
 */
int media_open_format(const char *path, const char *name, int64_t max_pixels,
		      AVFormatContext **out, struct hearth_err *err)
{
	AVFormatContext *fmt = NULL;
	AVDictionary **stream_opts = NULL;
	unsigned n_opts = 0;
	AVIOContext *pb = NULL;
	AVDictionary *opts = NULL;
	const AVInputFormat *ifmt = NULL;
	char *url = NULL;
	int r, rc = 0;

	media_av_init();
	*out = NULL;
	av_dict_set(&opts, "protocol_whitelist", "file", 0);
	/* "file:" in front, so a name with a colon is never taken as a protocol */
	url = xasprintf("file:%s", path);
	r = avio_open2(&pb, url, AVIO_FLAG_READ, NULL, &opts);
	if (r < 0) {
		rc = media_averr(err, r == AVERROR(ENOENT) ? HEARTH_ENOENT : HEARTH_EIO, r,
				 name, "cannot open");
		goto end;
	}
	r = av_probe_input_buffer2(pb, &ifmt, "", NULL, 0, 0);
	if (r < 0 || !ifmt) {
		rc = herr(err, HEARTH_EMEDIA, "%s: not a sound or image format Hearth can read",
			  name);
		goto end;
	}
	if (av_match_list(ifmt->name, demuxers, ',') <= 0) {
		rc = herr(err, HEARTH_EMEDIA, "%s: %s is not a format Hearth accepts", name,
			  ifmt->long_name ? ifmt->long_name : ifmt->name);
		goto end;
	}
	fmt = avformat_alloc_context();
	if (!fmt) {
		rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", name);
		goto end;
	}
	fmt->format_whitelist = av_strdup(demuxers);
	fmt->pb = pb;
	fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
	r = avformat_open_input(&fmt, url, ifmt, NULL);
	if (r < 0) {
		/* avformat_open_input freed fmt, but not our pb */
		rc = media_averr(err, HEARTH_EMEDIA, r, name, "cannot open as media");
		goto end;
	}
	pb = NULL;
	if (max_pixels > 0 && fmt->nb_streams > 0) {
		n_opts = fmt->nb_streams;
		stream_opts = xcalloc(n_opts, sizeof *stream_opts);
		for (unsigned i = 0; i < n_opts; i++)
			av_dict_set_int(&stream_opts[i], "max_pixels", max_pixels, 0);
	}
	r = avformat_find_stream_info(fmt, stream_opts);
	if (r < 0) {
		rc = media_averr(err, HEARTH_EMEDIA, r, name, "cannot read the streams");
		goto end;
	}
	*out = fmt;
	fmt = NULL;
end:
	media_close_format(&fmt);
	avio_closep(&pb);
	av_dict_free(&opts);
	for (unsigned i = 0; i < n_opts; i++)
		av_dict_free(&stream_opts[i]);
	free(stream_opts);
	free(url);
	return rc;
}

void media_close_format(AVFormatContext **fmt)
{
	AVIOContext *pb;

	if (!*fmt)
		return;
	pb = (*fmt)->pb;
	avformat_close_input(fmt);
	avio_closep(&pb);
}

bool media_stream_is_picture(const AVStream *st)
{
	return st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
	       !(st->disposition & AV_DISPOSITION_ATTACHED_PIC);
}

/* The stream of type to decode, or a negative AVERROR. */
static int pick_stream(AVFormatContext *fmt, enum AVMediaType type)
{
	if (type == AVMEDIA_TYPE_AUDIO)
		return av_find_best_stream(fmt, type, -1, -1, NULL, 0);
	for (unsigned i = 0; i < fmt->nb_streams; i++)
		if (media_stream_is_picture(fmt->streams[i]))
			return (int)i;
	return AVERROR_STREAM_NOT_FOUND;
}

int media_in_open(struct media_in *in, const char *path, const char *name,
		  enum AVMediaType type, bool strict, int64_t max_pixels,
		  struct hearth_err *err)
{
	const AVCodec *codec;
	AVStream *st;
	int r, rc;

	memset(in, 0, sizeof *in);
	in->name = name;
	in->stream = -1;
	rc = media_open_format(path, name, max_pixels, &in->fmt, err);
	if (rc)
		return rc;
	in->stream = pick_stream(in->fmt, type);
	if (in->stream < 0)
		return herr(err, HEARTH_EMEDIA, "%s: has no %s", name,
			    type == AVMEDIA_TYPE_AUDIO ? "sound" : "picture");
	for (unsigned i = 0; i < in->fmt->nb_streams; i++)
		if ((int)i != in->stream)
			in->fmt->streams[i]->discard = AVDISCARD_ALL;
	st = in->fmt->streams[in->stream];
	codec = avcodec_find_decoder(st->codecpar->codec_id);
	if (!codec)
		return herr(err, HEARTH_EMEDIA, "%s: no decoder for the codec '%s'", name,
			    avcodec_get_name(st->codecpar->codec_id));
	in->dec = avcodec_alloc_context3(codec);
	in->pkt = av_packet_alloc();
	if (!in->dec || !in->pkt)
		return herr(err, HEARTH_EMEDIA, "%s: out of memory", name);
	r = avcodec_parameters_to_context(in->dec, st->codecpar);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, name, "cannot set up the decoder");
	in->dec->pkt_timebase = st->time_base;
	if (strict)
		in->dec->err_recognition |= AV_EF_EXPLODE;
	if (max_pixels > 0)
		in->dec->max_pixels = max_pixels;
	r = avcodec_open2(in->dec, codec, NULL);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, name, "cannot open the decoder");
	return 0;
}

void media_in_close(struct media_in *in)
{
	avcodec_free_context(&in->dec);
	media_close_format(&in->fmt);
	av_packet_free(&in->pkt);
}

int media_in_next(struct media_in *in, AVFrame *frame, struct hearth_err *err)
{
	int r;

	av_frame_unref(frame);
	while (!in->done) {
		r = avcodec_receive_frame(in->dec, frame);
		if (r == 0)
			return 1;
		if (r == AVERROR_EOF)
			break;
		if (r != AVERROR(EAGAIN))
			return media_averr(err, HEARTH_EMEDIA, r, in->name, "cannot decode");
		if (in->flushing)
			break; /* a drained decoder that still asks for input */
		r = av_read_frame(in->fmt, in->pkt);
		if (r == AVERROR_EOF) {
			in->flushing = true;
			r = avcodec_send_packet(in->dec, NULL);
			if (r < 0 && r != AVERROR_EOF)
				return media_averr(err, HEARTH_EMEDIA, r, in->name,
						   "cannot decode");
			continue;
		}
		if (r < 0)
			return media_averr(err, HEARTH_EMEDIA, r, in->name, "cannot read");
		if (in->pkt->stream_index != in->stream) {
			av_packet_unref(in->pkt);
			continue;
		}
		r = avcodec_send_packet(in->dec, in->pkt);
		av_packet_unref(in->pkt);
		if (r < 0)
			return media_averr(err, HEARTH_EMEDIA, r, in->name, "cannot decode");
	}
	in->done = true;
	return 0;
}
