/*
 * audio.c - the podcast audio renditions: MP3 (LAME) and AAC in MP4
 * (.m4a, FFmpeg's own AAC encoder), both loudness normalised.
 *
 * Two passes over the source. The first (audio_measure, measure.c)
 * measures its integrated loudness and finds the gain that lands on the
 * target once the limiter has taken the peaks. The second, here, is one
 * for every rendition of the source: it decodes it through a filter graph
 * that makes it 44.1 kHz mono (speech) or stereo (music) planar float,
 * gives each frame to the waveforms (waveform.c) and to the limiter
 * (limiter.c), which applies the gain and keeps true peaks under the
 * ceiling in one step, and hands what comes out to each encoder: an
 * AVAudioFifo cuts it into the encoder's frames, which go through a
 * bounded queue to the encoder's own thread, so the MP3 (libavformat's
 * MP3 muxer, ID3v2.4) and the M4A (its MP4 muxer in iTunes form, moov in
 * front, so players can start before the download ends) encode at the
 * same time. Under -j 1 everything runs on the caller's thread instead.
 *
 * Only the tags Hearth gives are written: title, artist (the public
 * byline), album (the podcast), a JPEG cover picture (ID3 APIC, MP4 covr)
 * and chapters (ID3 CHAP with a table of contents, MP4 chapter track and
 * Nero chpl). Nothing of the source's metadata is carried over, and the
 * muxers run bit-exact, so the same input gives the same bytes.
 *
 * Sound streams through a frame at a time, so memory stays flat however
 * long the source.
 */
#include "mediaInt.h"

#include <libavutil/audio_fifo.h>
#include <libavutil/avstring.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#define OUT_RATE 44100

/*
 * LAME's quality setting (its -q: 0 best and slowest, 9 worst); 3 is what
 * libmp3lame does when not told, and what the ffmpeg program uses.
 */
#define LAME_QUALITY 3

/*
 * How much quieter the encoder makes the sound, in dB. LAME's quantiser
 * rounds towards zero, and at the bit rates podcasts use that takes about
 * 0.45 dB off everything: speech, music, noise and a plain sine alike
 * (0.25 dB at 192 kbit/s, none from 256). FFmpeg's AAC encoder keeps the
 * level. The second pass puts this much more gain in front of the
 * encoder, and raises the limiter's ceiling by as much, so the limiting is
 * exactly what the first pass planned and the encoder brings it back.
 */
static double encoder_trim(enum media_kind kind, int kbps)
{
	if (kind != MEDIA_MP3)
		return 0;
	return kbps <= 160 ? 0.45 : kbps <= 192 ? 0.25 : 0;
}

/*
 * Each encoder runs on a thread of its own, fed through a small queue of
 * frames, while this thread decodes and limits the next ones: LAME and
 * AAC are most of the work, and the rest then costs almost no time. A
 * queue holds at most QUEUE_FRAMES frames, so memory stays flat; each side
 * that waits is woken when the queue is half full (or half empty), not
 * for every frame, so two encoders and their checks cost few wakeups.
 */
#define QUEUE_FRAMES 32

struct encq {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;          /* a frame came, a slot freed, or it ended */
	AVFrame *slot[QUEUE_FRAMES];
	int head, count;
	bool running;
	bool closed;                  /* no more frames come */
	bool c_wait, p_wait;          /* the encoder waits for frames; the feeder for room */
	bool cancel;                  /* stop without finishing the file */
	int rc;                       /* the encoder thread's failure */
	struct hearth_err err;
};

/* Everything one rendition holds while it is made. */
/* Packets the verifier may hold before the encoder waits for it. */
#define VERIFY_PACKETS 64

/*
 * The check of what was encoded: a thread decodes the encoder's own
 * packets as they are written and measures their true peak, on the core
 * the encoder leaves idle, so a rendition is checked without a second
 * pass over the file. When it cannot run, the file is measured instead.
 */
struct verifier {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	AVPacket *slot[VERIFY_PACKETS];
	int head, count;
	bool running, closed;
	bool c_wait, p_wait;  /* the check waits for packets; the writer for room */
	bool inline_;         /* no thread: each packet is checked as it is written */
	bool lost;            /* a packet could not be copied (under mu) */
	bool failed;          /* decoding failed (the thread's own) */
	AVCodecContext *dec;
	AVFrame *frame;
	struct tp_meter *meter;
};

/* One encoder of a pass: its muxer, its queue and the check of its output. */
struct ajob {
	const char *name;     /* for messages: the source path */
	const char *dst;
	enum media_kind kind; /* MEDIA_MP3 or MEDIA_M4A */
	struct media_audio_opts o;
	const struct media_tags *tags;
	const struct audio_measure *m;
	float scale;          /* encoder_trim as a factor on the limited sound */
	bool threaded;        /* the encoder and the check run on threads of their own */
	AVCodecContext *enc;
	AVFormatContext *out;
	AVAudioFifo *fifo;
	float *sbuf[2];       /* the limited sound scaled by scale */
	int scap;
	AVPacket *pkt;
	int64_t out_pts;      /* samples sent to the encoder */
	int frame_size;       /* the encoder's, read before its thread starts */
	struct encq q;
	struct verifier v;
	bool peak_known;      /* the verifier measured peak */
	double peak;          /* dBTP of what was encoded */
	char *tmp;
};

static int out_of_memory(struct ajob *j, struct hearth_err *err)
{
	return herr(err, HEARTH_EMEDIA, "%s: out of memory", j->name);
}

static int channels(const struct ajob *j)
{
	return media_audio_channels(j->o.kind);
}

/* The muxer, before the encoder: the encoder must know about global headers. */
static int open_muxer(struct ajob *j, struct hearth_err *err)
{
	const char *fmt = j->kind == MEDIA_M4A ? "ipod" : "mp3";
	int r, rc = file_tmp_open(j->dst, &j->tmp, NULL, err);

	if (rc)
		return rc;
	r = avformat_alloc_output_context2(&j->out, NULL, fmt, NULL);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, j->dst, "cannot set up the writer");
	j->out->flags |= AVFMT_FLAG_BITEXACT;
	/* the MP4 muxer reopens the file by this name to move the index in front */
	j->out->url = av_asprintf("file:%s", j->tmp);
	return j->out->url ? 0 : out_of_memory(j, err);
}

/* LAME or AAC at 44.1 kHz in planar float, the bit rate from the options. */
static int open_encoder(struct ajob *j, struct hearth_err *err)
{
	bool mp3 = j->kind == MEDIA_MP3;
	const AVCodec *codec = avcodec_find_encoder_by_name(mp3 ? "libmp3lame" : "aac");
	AVDictionary *opts = NULL;
	int r;

	if (!codec)
		return herr(err, HEARTH_EMEDIA, "%s: this FFmpeg has no %s encoder", j->name,
			    mp3 ? "MP3 (libmp3lame)" : "AAC");
	j->enc = avcodec_alloc_context3(codec);
	if (!j->enc)
		return out_of_memory(j, err);
	j->enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
	j->enc->sample_rate = OUT_RATE;
	av_channel_layout_default(&j->enc->ch_layout, channels(j));
	j->enc->bit_rate = (int64_t)j->o.kbps * 1000;
	j->enc->time_base = (AVRational){1, OUT_RATE};
	j->enc->flags |= AV_CODEC_FLAG_BITEXACT;
	if (mp3)
		j->enc->compression_level = LAME_QUALITY;
	if (j->out->oformat->flags & AVFMT_GLOBALHEADER)
		j->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	/*
	 * Perceptual noise substitution replaces noisy bands with made-up
	 * noise, whose peaks land well over the limiter's ceiling (1.8 dB on
	 * speech at 96 kbit/s); it is meant for far lower bit rates anyway.
	 */
	if (!mp3) {
		av_dict_set(&opts, "aac_pns", "0", 0);
		/*
		 * The fast coder: at 96 kbit/s on speech it takes half the time
		 * of the default two-loop search, at the same bit rate and with
		 * less error against the source (docs/media.md has the figures).
		 */
		av_dict_set(&opts, "aac_coder", "fast", 0);
		/*
		 * Temporal noise shaping off for speech: on one voice at these bit
		 * rates it made the coded sound further from the source, not
		 * nearer (docs/media.md), and its filter search took a tenth of
		 * the encoder's time. Music, with sharper attacks, keeps it.
		 */
		if (j->o.kind == AUDIO_SPEECH)
			av_dict_set(&opts, "aac_tns", "0", 0);
	}
	r = avcodec_open2(j->enc, codec, &opts);
	av_dict_free(&opts);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, j->name, "cannot open the encoder");
	if (j->enc->frame_size <= 0)
		return herr(err, HEARTH_EMEDIA, "%s: the encoder has no frame size", j->name);
	j->fifo = av_audio_fifo_alloc(j->enc->sample_fmt, channels(j), j->enc->frame_size * 2);
	if (!j->fifo)
		return out_of_memory(j, err);
	return 0;
}

/* The cover: a JPEG read whole (it is small and bounded), as a packet. */
static int read_cover(struct ajob *j, AVPacket *pic, int *w, int *h,
		      struct hearth_err *err)
{
	const char *path = j->tags->cover;
	struct buf b = BUF_INIT;
	struct media_info info;
	int rc = file_read(path, &b, err);

	if (rc)
		return rc;
	if (b.len < 4 || memcmp(b.data, "\xff\xd8\xff", 3) != 0) {
		rc = herr(err, HEARTH_EINVAL, "%s: the cover picture must be a JPEG", path);
		goto end;
	}
	if (b.len > MEDIA_MAX_TEXT_BYTES) { /* a cover is a few hundred kB */
		rc = herr(err, HEARTH_EINVAL, "%s: the cover picture is too large", path);
		goto end;
	}
	rc = media_probe(path, &info, err);
	if (rc)
		goto end;
	*w = info.width;
	*h = info.height;
	if (av_new_packet(pic, (int)b.len) < 0) {
		rc = out_of_memory(j, err);
		goto end;
	}
	memcpy(pic->data, b.data, b.len);
	pic->flags |= AV_PKT_FLAG_KEY;
end:
	buf_release(&b);
	return rc;
}

/* The cover picture as an attached-picture stream (index 1). */
static int add_cover(struct ajob *j, AVPacket *pic, struct hearth_err *err)
{
	int w = 0, h = 0, rc = read_cover(j, pic, &w, &h, err);
	AVStream *st;

	if (rc)
		return rc;
	st = avformat_new_stream(j->out, NULL);
	if (!st)
		return out_of_memory(j, err);
	st->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
	st->codecpar->codec_id = AV_CODEC_ID_MJPEG;
	st->codecpar->width = w;
	st->codecpar->height = h;
	st->disposition = AV_DISPOSITION_ATTACHED_PIC;
	st->time_base = (AVRational){1, 90000};
	av_dict_set(&st->metadata, "comment", "Cover (front)", 0);
	pic->stream_index = st->index;
	return 0;
}

/*
 * Chapters as libavformat writes them: in milliseconds, each ending where
 * the next starts and the last at the end of the sound. They must start
 * in order inside the sound.
 */
static int add_chapters(struct ajob *j, struct hearth_err *err)
{
	const struct media_tags *t = j->tags;
	int64_t total = (int64_t)llround(j->m->duration * 1000);

	if (!t->n_chapters)
		return 0;
	j->out->chapters = av_calloc(t->n_chapters, sizeof *j->out->chapters);
	if (!j->out->chapters)
		return out_of_memory(j, err);
	for (size_t i = 0; i < t->n_chapters; i++) {
		double s = t->chapters[i].start;
		int64_t start = isfinite(s) ? (int64_t)llround(s * 1000) : -1;
		int64_t end = i + 1 < t->n_chapters
				      ? (int64_t)llround(t->chapters[i + 1].start * 1000)
				      : total;
		if (start < 0 || start >= total)
			return herr(err, HEARTH_EINVAL,
				    "%s: chapter %zu starts at %.3f s, outside the %.3f s of sound",
				    j->name, i + 1, s, j->m->duration);
		if (i > 0 && start <= j->out->chapters[i - 1]->start)
			return herr(err, HEARTH_EINVAL,
				    "%s: chapter %zu starts at %.3f s, not after chapter %zu",
				    j->name, i + 1, s, i);
		if (end > total)
			end = total;
		AVChapter *c = av_mallocz(sizeof *c);
		if (!c)
			return out_of_memory(j, err);
		j->out->chapters[j->out->nb_chapters++] = c;
		c->id = (int64_t)i + 1;
		c->time_base = (AVRational){1, 1000};
		c->start = start;
		c->end = end;
		av_dict_set(&c->metadata, "title", t->chapters[i].title ? t->chapters[i].title : "",
			    0);
	}
	return 0;
}

/* The audio stream, the tags, cover and chapters, and the header. */
static int write_header(struct ajob *j, AVPacket *pic, struct hearth_err *err)
{
	const struct media_tags *t = j->tags;
	AVDictionary *opts = NULL;
	AVStream *st = avformat_new_stream(j->out, NULL);
	int r, rc = 0;

	if (!st)
		return out_of_memory(j, err);
	r = avcodec_parameters_from_context(st->codecpar, j->enc);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, j->dst, "cannot set up the writer");
	st->time_base = j->enc->time_base;
	if (t) {
		const char *k[] = {"title", "artist", "album"};
		const char *v[] = {t->title, t->artist, t->album};
		for (size_t i = 0; i < 3; i++)
			if (v[i] && *v[i])
				av_dict_set(&j->out->metadata, k[i], v[i], 0);
		if (t->cover && (rc = add_cover(j, pic, err)))
			return rc;
		if ((rc = add_chapters(j, err)))
			return rc;
	}
	r = avio_open(&j->out->pb, j->out->url, AVIO_FLAG_WRITE);
	if (r < 0)
		return media_averr(err, HEARTH_EIO, r, j->dst, "cannot write");
	if (j->kind == MEDIA_MP3) {
		av_dict_set(&opts, "id3v2_version", "4", 0);
		av_dict_set(&opts, "write_id3v1", "0", 0);
	} else {
		av_dict_set(&opts, "movflags", "+faststart", 0);
	}
	r = avformat_write_header(j->out, &opts);
	av_dict_free(&opts);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, j->dst, "cannot write");
	/* the picture goes before any sound (the MP3 muxer holds sound until then) */
	if (pic->size > 0) {
		r = av_write_frame(j->out, pic);
		if (r < 0)
			return media_averr(err, HEARTH_EIO, r, j->dst, "cannot write");
	}
	return 0;
}

/* Decodes one packet (NULL: the end) into the meter; false when it cannot. */
static bool verify_packet(struct verifier *v, const AVPacket *pkt)
{
	if (avcodec_send_packet(v->dec, pkt) < 0)
		return false;
	for (;;) {
		int r = avcodec_receive_frame(v->dec, v->frame);
		if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
			return true;
		if (r < 0 || v->frame->format != AV_SAMPLE_FMT_FLTP)
			return false;
		tp_meter_push(v->meter, (const float *const *)v->frame->extended_data,
			      v->frame->nb_samples);
		av_frame_unref(v->frame);
	}
}

static void *verifier_thread(void *arg)
{
	struct verifier *v = arg;
	for (;;) {
		pthread_mutex_lock(&v->mu);
		if (v->count == 0 && !v->closed) {
			/* wake for half a queue, not for every packet */
			v->c_wait = true;
			while (v->count < VERIFY_PACKETS / 2 && !v->closed)
				pthread_cond_wait(&v->cond, &v->mu);
			v->c_wait = false;
		}
		if (v->count == 0) {
			pthread_mutex_unlock(&v->mu);
			break;
		}
		AVPacket *pkt = v->slot[v->head];
		v->head = (v->head + 1) % VERIFY_PACKETS;
		v->count--;
		if (v->p_wait && v->count <= VERIFY_PACKETS / 2)
			pthread_cond_broadcast(&v->cond);
		pthread_mutex_unlock(&v->mu);
		if (!v->failed && !verify_packet(v, pkt))
			v->failed = true;
		av_packet_free(&pkt);
	}
	if (!v->failed && !verify_packet(v, NULL))
		v->failed = true;
	return NULL;
}

/*
 * A decoder for what j's encoder makes, and the thread that runs it (or,
 * when j runs on the caller's thread, the decoder alone).
 */
static void verifier_start(struct ajob *j)
{
	struct verifier *v = &j->v;
	const AVCodec *codec = avcodec_find_decoder(j->enc->codec_id);
	AVCodecParameters *par = avcodec_parameters_alloc();

	v->dec = codec ? avcodec_alloc_context3(codec) : NULL;
	v->frame = av_frame_alloc();
	if (!par || !v->dec || !v->frame ||
	    avcodec_parameters_from_context(par, j->enc) < 0 ||
	    avcodec_parameters_to_context(v->dec, par) < 0 ||
	    avcodec_open2(v->dec, codec, NULL) < 0 || tp_meter_new(&v->meter, channels(j)) != 0) {
		avcodec_parameters_free(&par);
		return;
	}
	avcodec_parameters_free(&par);
	if (!j->threaded) {
		v->inline_ = true;
		return;
	}
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->cond, NULL);
	v->running = pthread_create(&v->thread, NULL, verifier_thread, v) == 0;
	if (!v->running) {
		pthread_cond_destroy(&v->cond);
		pthread_mutex_destroy(&v->mu);
	}
}

/* Hands the verifier a copy of an encoded packet, waiting for room. */
static void verifier_feed(struct verifier *v, const AVPacket *pkt)
{
	if (v->inline_ && !v->failed && !verify_packet(v, pkt))
		v->failed = true;
	if (!v->running)
		return;
	/* its own bytes, not a second reference: nothing is shared with the writer */
	AVPacket *copy = av_packet_alloc();
	if (copy && av_new_packet(copy, pkt->size) == 0)
		memcpy(copy->data, pkt->data, (size_t)pkt->size);
	else
		av_packet_free(&copy);
	pthread_mutex_lock(&v->mu);
	if (v->count == VERIFY_PACKETS) {
		v->p_wait = true;
		while (v->count > VERIFY_PACKETS / 2)
			pthread_cond_wait(&v->cond, &v->mu);
		v->p_wait = false;
	}
	if (copy) {
		v->slot[(v->head + v->count) % VERIFY_PACKETS] = copy;
		v->count++;
	} else {
		v->lost = true;
	}
	if (v->c_wait && v->count >= VERIFY_PACKETS / 2)
		pthread_cond_broadcast(&v->cond);
	pthread_mutex_unlock(&v->mu);
}

/*
 * Ends the verifier (also when the encode failed) and frees it; true, with
 * *peak, when it measured everything that was encoded.
 */
static bool verifier_end(struct verifier *v, double *peak)
{
	bool ok = false;
	if (v->running) {
		pthread_mutex_lock(&v->mu);
		v->closed = true;
		pthread_cond_broadcast(&v->cond);
		pthread_mutex_unlock(&v->mu);
		pthread_join(v->thread, NULL);
		pthread_cond_destroy(&v->cond);
		pthread_mutex_destroy(&v->mu);
		v->running = false;
		ok = !v->failed && !v->lost;
		if (ok)
			*peak = tp_meter_db(v->meter);
	} else if (v->inline_) {
		v->inline_ = false;
		ok = !v->failed && verify_packet(v, NULL);
		if (ok)
			*peak = tp_meter_db(v->meter);
	}
	tp_meter_free(&v->meter);
	avcodec_free_context(&v->dec);
	av_frame_free(&v->frame);
	return ok;
}

/* Takes every packet the encoder has ready and writes it. */
static int write_packets(struct ajob *j, struct hearth_err *err)
{
	for (;;) {
		int r = avcodec_receive_packet(j->enc, j->pkt);
		if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
			return 0;
		if (r < 0)
			return media_averr(err, HEARTH_EMEDIA, r, j->name, "cannot encode");
		j->pkt->stream_index = 0;
		av_packet_rescale_ts(j->pkt, j->enc->time_base, j->out->streams[0]->time_base);
		verifier_feed(&j->v, j->pkt);
		r = av_write_frame(j->out, j->pkt);
		av_packet_unref(j->pkt);
		if (r < 0)
			return media_averr(err, HEARTH_EIO, r, j->dst, "cannot write");
	}
}

/* Sends one frame (or NULL: the end) to the encoder and writes what comes out. */
static int encode(struct ajob *j, AVFrame *f, struct hearth_err *err)
{
	int r = avcodec_send_frame(j->enc, f);
	if (r < 0)
		return media_averr(err, HEARTH_EMEDIA, r, j->name, "cannot encode");
	return write_packets(j, err);
}

/* The encoder's thread: frames off the queue until it is closed, then the end. */
static void *encoder_thread(void *arg)
{
	struct ajob *j = arg;
	struct encq *q = &j->q;
	int rc = 0;

	for (;;) {
		pthread_mutex_lock(&q->mu);
		if (q->count == 0 && !q->closed) {
			/* wake for half a queue, not for every frame */
			q->c_wait = true;
			while (q->count < QUEUE_FRAMES / 2 && !q->closed)
				pthread_cond_wait(&q->cond, &q->mu);
			q->c_wait = false;
		}
		if (q->count == 0 || q->cancel) {
			pthread_mutex_unlock(&q->mu);
			break;
		}
		AVFrame *f = q->slot[q->head];
		q->head = (q->head + 1) % QUEUE_FRAMES;
		q->count--;
		if (q->p_wait && q->count <= QUEUE_FRAMES / 2)
			pthread_cond_broadcast(&q->cond);
		pthread_mutex_unlock(&q->mu);
		rc = encode(j, f, &q->err);
		av_frame_free(&f);
		if (rc)
			break;
	}
	pthread_mutex_lock(&q->mu);
	bool finish = !rc && !q->cancel;
	pthread_mutex_unlock(&q->mu);
	if (finish)
		rc = encode(j, NULL, &q->err);
	pthread_mutex_lock(&q->mu);
	q->rc = rc;
	q->cancel = q->cancel || rc != 0; /* the other side stops queueing */
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Starts the encoder's thread; without one, frames are encoded in place. */
static void encoder_start(struct ajob *j)
{
	struct encq *q = &j->q;
	if (!j->threaded)
		return;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cond, NULL);
	q->running = pthread_create(&q->thread, NULL, encoder_thread, j) == 0;
	if (!q->running) {
		pthread_cond_destroy(&q->cond);
		pthread_mutex_destroy(&q->mu);
	}
}

/*
 * Ends the encoder's thread: after the last frame it finishes the file's
 * sound (cancel: it drops what is queued instead). Returns its failure.
 */
static int encoder_stop(struct ajob *j, bool cancel, struct hearth_err *err)
{
	struct encq *q = &j->q;
	int rc;

	if (!q->running)
		return cancel ? 0 : encode(j, NULL, err);
	pthread_mutex_lock(&q->mu);
	q->closed = true;
	q->cancel = q->cancel || cancel;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	q->running = false;
	while (q->count > 0) {
		av_frame_free(&q->slot[q->head]);
		q->head = (q->head + 1) % QUEUE_FRAMES;
		q->count--;
	}
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->mu);
	rc = q->rc;
	if (rc && err && !cancel)
		*err = q->err;
	return cancel ? 0 : rc;
}

/* Hands one frame (taking it) to the encoder's thread, waiting for room. */
static int submit(struct ajob *j, AVFrame *f, struct hearth_err *err)
{
	struct encq *q = &j->q;
	int rc;

	if (!q->running) {
		rc = encode(j, f, err);
		av_frame_free(&f);
		return rc;
	}
	pthread_mutex_lock(&q->mu);
	if (q->count == QUEUE_FRAMES && !q->cancel) {
		q->p_wait = true;
		while (q->count > QUEUE_FRAMES / 2 && !q->cancel)
			pthread_cond_wait(&q->cond, &q->mu);
		q->p_wait = false;
	}
	if (q->cancel) {
		/* the encoder failed: encoder_stop says why */
		pthread_mutex_unlock(&q->mu);
		av_frame_free(&f);
		return HEARTH_EMEDIA;
	}
	q->slot[(q->head + q->count) % QUEUE_FRAMES] = f;
	q->count++;
	if (q->c_wait && q->count >= QUEUE_FRAMES / 2)
		pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->mu);
	(void)err;
	return 0;
}

/* Encodes n samples from the FIFO (n is a frame, or less at the end). */
static int encode_from_fifo(struct ajob *j, int n, struct hearth_err *err)
{
	AVFrame *f = av_frame_alloc();
	int r;

	if (!f)
		return out_of_memory(j, err);
	f->nb_samples = n;
	f->format = AV_SAMPLE_FMT_FLTP;
	f->sample_rate = OUT_RATE;
	av_channel_layout_default(&f->ch_layout, channels(j));
	r = av_frame_get_buffer(f, 0);
	if (r < 0 || av_audio_fifo_read(j->fifo, (void **)f->data, n) != n) {
		av_frame_free(&f);
		return out_of_memory(j, err);
	}
	f->pts = j->out_pts;
	j->out_pts += n;
	return submit(j, f, err);
}

/*
 * Queues n limited samples for j (scaled by its trim) and encodes every
 * whole frame the queue holds.
 */
static int queue(struct ajob *j, const float *const *in, int n, struct hearth_err *err)
{
	const float *const *x = in;

	if (n > 0 && j->scale != 1.0f) {
		if (n > j->scap) {
			j->scap = n;
			for (int c = 0; c < channels(j); c++)
				j->sbuf[c] = xrealloc(j->sbuf[c], (size_t)n * sizeof(float));
		}
		for (int c = 0; c < channels(j); c++)
			for (int i = 0; i < n; i++)
				j->sbuf[c][i] = in[c][i] * j->scale;
		x = (const float *const *)j->sbuf;
	}
	void *planes[2] = {(void *)x[0], channels(j) > 1 ? (void *)x[1] : NULL};
	if (n > 0 && av_audio_fifo_write(j->fifo, planes, n) < n)
		return out_of_memory(j, err);
	while (av_audio_fifo_size(j->fifo) >= j->frame_size) {
		int rc = encode_from_fifo(j, j->frame_size, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* The muxer, the encoder and the header of j; then its threads start. */
static int encoder_open(struct ajob *j, struct hearth_err *err)
{
	AVPacket *pic = av_packet_alloc();
	int rc = pic && j->pkt ? open_muxer(j, err) : out_of_memory(j, err);

	if (!rc)
		rc = open_encoder(j, err);
	if (!rc)
		rc = write_header(j, pic, err);
	av_packet_free(&pic);
	if (rc)
		return rc;
	j->frame_size = j->enc->frame_size;
	verifier_start(j);
	encoder_start(j);
	return 0;
}

/* The last samples, the end of the encoder's sound, the check and the trailer. */
static int encoder_finish(struct ajob *j, struct hearth_err *err)
{
	int r, rc = 0;

	if (av_audio_fifo_size(j->fifo) > 0)
		rc = encode_from_fifo(j, av_audio_fifo_size(j->fifo), err);
	if (rc)
		return rc;
	rc = encoder_stop(j, false, err);
	if (rc)
		return rc;
	j->peak_known = verifier_end(&j->v, &j->peak);
	r = av_write_trailer(j->out);
	if (r < 0)
		return media_averr(err, HEARTH_EIO, r, j->dst, "cannot write");
	return 0;
}

/*
 * One pass over the source: it is decoded and resampled once, each frame
 * goes to every waveform as it is, and through the limiter (one for all
 * the encoders: they differ only by a constant trim) to every encoder.
 */
struct pass {
	const char *src;
	enum media_audio_kind kind;
	struct ajob *enc;
	size_t ne;
	struct wave **waves;
	size_t nw;
	double gain, ceiling;   /* the limiter's, dB */
};

/*
 * Hands n limited samples to every encoder. LAME asserts (and aborts the
 * process) on a sample that is not a number, so nothing goes to an
 * encoder unchecked: the source's samples were checked when decoded, and
 * this checks what the limiter made of them.
 */
static int feed_encoders(struct pass *p, float *const *x, int n, struct hearth_err *err)
{
	int ch = media_audio_channels(p->kind), rc = 0;

	for (int c = 0; c < ch; c++)
		for (int i = 0; i < n; i++)
			if (!(fabsf(x[c][i]) <= 4.0f))
				return herr(err, HEARTH_EMEDIA,
					    "%s: the limiter made a sample out of range (%g)",
					    p->src, (double)x[c][i]);
	for (size_t e = 0; !rc && e < p->ne; e++)
		rc = queue(&p->enc[e], (const float *const *)x, n, err);
	return rc;
}

static void room(float **buf, int *cap, int ch, int n)
{
	if (n <= *cap)
		return;
	*cap = n;
	for (int c = 0; c < ch; c++)
		buf[c] = xrealloc(buf[c], (size_t)n * sizeof(float));
}

static int pass_run(struct pass *p, struct hearth_err *err)
{
	int ch = media_audio_channels(p->kind), lcap = 0, r = 0, rc;
	struct media_pcm pcm;
	struct limiter *lim = NULL;
	AVFrame *f = av_frame_alloc();
	float *lbuf[2] = {NULL, NULL};

	rc = media_pcm_open(&pcm, p->src, p->src, media_audio_graph(p->kind), err);
	if (!rc && !f)
		rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", p->src);
	if (!rc && p->ne && limiter_new(&lim, ch, OUT_RATE, p->gain, p->ceiling) != 0)
		rc = herr(err, HEARTH_EMEDIA, "%s: cannot set up the limiter", p->src);
	for (size_t e = 0; !rc && e < p->ne; e++)
		rc = encoder_open(&p->enc[e], err);
	while (!rc && (r = media_pcm_next(&pcm, f, err)) == 1) {
		const float *const *x = (const float *const *)f->extended_data;
		for (size_t w = 0; w < p->nw; w++)
			wave_push(p->waves[w], x, f->nb_samples, ch);
		if (!lim)
			continue;
		room(lbuf, &lcap, ch, f->nb_samples);
		rc = feed_encoders(p, lbuf, limiter_push(lim, x, f->nb_samples, lbuf), err);
	}
	if (!rc && r < 0)
		rc = r;
	if (!rc && lim) {
		room(lbuf, &lcap, ch, limiter_latency(lim));
		rc = feed_encoders(p, lbuf, limiter_drain(lim, lbuf), err);
	}
	for (size_t e = 0; !rc && e < p->ne; e++)
		rc = encoder_finish(&p->enc[e], err);
	if (rc) {
		/* an encoder's failure says more than its queue refusing a frame */
		int why = 0;
		for (size_t e = 0; e < p->ne; e++) {
			encoder_stop(&p->enc[e], true, NULL);
			if (!why && p->enc[e].q.rc) {
				why = p->enc[e].q.rc;
				if (err)
					*err = p->enc[e].q.err;
			}
		}
		rc = why ? why : rc;
	}
	limiter_free(&lim);
	free(lbuf[0]);
	free(lbuf[1]);
	av_frame_free(&f);
	media_pcm_close(&pcm);
	return rc;
}

/* Sets up j to encode job from src into a temporary file beside dst. */
static void ajob_init(struct ajob *j, const char *src, const char *dst,
		      const struct media_job *job, const struct audio_measure *m, bool threaded)
{
	memset(j, 0, sizeof *j);
	j->name = src;
	j->dst = dst;
	j->kind = job->kind;
	j->o = media_audio_defaults(&job->audio);
	j->tags = job->tags;
	j->m = m;
	j->scale = (float)pow(10, encoder_trim(j->kind, j->o.kbps) / 20);
	j->threaded = threaded;
	j->pkt = av_packet_alloc();
}

/*
 * After a pass: the file closed and its true peak, the verifier's figure,
 * or the file measured when it could not run.
 */
static int ajob_collect(struct ajob *j, struct hearth_err *err)
{
	avio_closep(&j->out->pb);
	return j->peak_known ? 0 : media_loudness(j->tmp, NULL, &j->peak, err);
}

/* Frees j, and its temporary file unless it was taken. */
static void ajob_release(struct ajob *j)
{
	if (j->out)
		avio_closep(&j->out->pb);
	encoder_stop(j, true, NULL);
	verifier_end(&j->v, &j->peak);
	file_tmp_abort(-1, &j->tmp);
	avformat_free_context(j->out);
	avcodec_free_context(&j->enc);
	av_audio_fifo_free(j->fifo);
	av_packet_free(&j->pkt);
	free(j->sbuf[0]);
	free(j->sbuf[1]);
	memset(j, 0, sizeof *j);
}

/* The limiter's settings for o, extra dB more headroom and cut dB less gain. */
static void pass_levels(struct pass *p, const struct media_audio_opts *o,
			const struct audio_measure *m, double extra, double cut)
{
	p->gain = m->gain - cut;
	p->ceiling = o->true_peak - audio_tp_margin(o) - extra;
}

/*
 * One encode of job alone (a retry) into a temporary file beside dst;
 * *tmp gets its name (uncommitted) and *peak its true peak.
 */
static int encode_once(const char *src, const char *dst, const struct media_job *job,
		       const struct audio_measure *m, double extra, double cut, int threads,
		       char **tmp, double *peak, struct hearth_err *err)
{
	struct ajob j;
	struct pass p = {.src = src, .enc = &j, .ne = 1};
	int rc;

	ajob_init(&j, src, dst, job, m, threads > 1);
	p.kind = j.o.kind;
	pass_levels(&p, &j.o, m, extra, cut);
	rc = pass_run(&p, err);
	if (!rc)
		rc = ajob_collect(&j, err);
	if (!rc) {
		*tmp = j.tmp;
		j.tmp = NULL;
		*peak = j.peak;
	}
	ajob_release(&j);
	return rc;
}

/*
 * How many encodes a rendition may take with the limiter's headroom raised
 * (the loudness kept on target), and how much safety each adds on top of
 * the overshoot it saw: it doubles from one try to the next.
 */
#define HEADROOM_TRIES 4
#define HEADROOM_SAFETY 0.3
/*
 * After those, how many encodes may lower the gain itself: each cuts the
 * overshoot it saw plus a margin that doubles (1, 2, 4, 8 dB), so the
 * total cut soon exceeds any overshoot and the peak falls with the level.
 */
#define CUT_TRIES 4

/*
 * The verifier's interpolator is shorter than a BS.1770 meter's: what it
 * accepts stays this far under the ceiling, so a meter of the standard's
 * (libebur128, in the tests) agrees that the ceiling holds.
 */
#define PEAK_GUARD 0.1

/*
 * What an encode of job gave (its temporary file *tmp, its true peak
 * peak) made final. The limiter holds the ceiling on what goes into the
 * encoder, but the
 * encoder's filtering and quantisation overshoot it, and by an amount
 * that does not follow the level: on a long recording the largest
 * overshoot is an AAC transient somewhere, and a little less gain can
 * move it elsewhere and make it larger. So every rendition's true peak is
 * measured before it is committed, and one over the ceiling is made again
 * with more headroom under the limiter: the overshoot it had plus a
 * safety that doubles with each try (0.3, 0.6, 1.2 dB), so the headroom
 * soon exceeds any overshoot the encoder makes rather than chasing it in
 * steps the size of its noise. Each retry measures the source again
 * against the lower ceiling, so the gain still lands on the target
 * loudness: the limiter, not the level, pays for the headroom.
 *
 * When that has not worked after HEADROOM_TRIES encodes (the overshoot is
 * where the limiter is not working at all), the last resort lowers the
 * gain itself, by the overshoot seen plus a margin that doubles with each
 * try, at the cost of as much loudness: the ceiling wins over the
 * loudness window. Since the encoder's output scales with its input, a
 * cut that grows geometrically brings any sound under the ceiling within
 * CUT_TRIES encodes.
 */
static int settle(const char *src, const char *dst, const struct media_job *job,
		  const struct audio_measure *m, int threads, char **tmp, double peak,
		  struct hearth_err *err)
{
	struct media_audio_opts o = media_audio_defaults(&job->audio);
	const double ceiling = o.true_peak - PEAK_GUARD;
	struct audio_measure again = *m;
	double extra = 0, cut = 0, safety = HEADROOM_SAFETY, margin = 1.0;
	int rc = 0, tries = 1;

	while (peak > ceiling && tries < HEADROOM_TRIES + CUT_TRIES) {
		double over = peak - ceiling;
		file_tmp_abort(-1, tmp);
		if (tries < HEADROOM_TRIES) {
			/* more headroom, the same loudness */
			extra += over + safety;
			safety *= 2;
			rc = audio_measure_headroom(src, &o, extra, threads, &again, err);
			if (rc)
				break;
		} else {
			/* the last resort: less gain */
			cut += over + margin;
			margin *= 2;
		}
		tries++;
		rc = encode_once(src, dst, job, &again, extra, cut, threads, tmp, &peak, err);
		if (rc)
			break;
	}
	if (!rc && peak > ceiling)
		rc = herr(err, HEARTH_EMEDIA,
			  "%s: the %s still peaks at %.2f dBTP after %d tries, over the "
			  "ceiling of %.1f dBTP",
			  src, media_kind_ext(job->kind), peak, tries, o.true_peak);
	if (!rc)
		rc = file_tmp_commit(-1, tmp, dst, err);
	file_tmp_abort(-1, tmp);
	return rc;
}

bool audio_same_pass(const struct media_job *a, const struct media_job *b)
{
	struct media_audio_opts x = media_audio_defaults(&a->audio);
	struct media_audio_opts y = media_audio_defaults(&b->audio);
	return x.kind == y.kind && x.loudness == y.loudness && x.true_peak == y.true_peak &&
	       audio_tp_margin(&x) == audio_tp_margin(&y);
}

int render_audio_set(const char *src, const char *const *dst, const struct media_job *jobs,
		     size_t n, int threads, const struct audio_measure *m,
		     struct hearth_err *err)
{
	struct ajob *enc = xcalloc(n ? n : 1, sizeof *enc);
	struct wave **waves = xcalloc(n ? n : 1, sizeof *waves);
	size_t *ei = xcalloc(n ? n : 1, sizeof *ei), *wi = xcalloc(n ? n : 1, sizeof *wi);
	struct pass p = {.src = src, .enc = enc, .waves = waves};
	int rc = 0;

	media_av_init();
	if (n)
		p.kind = media_audio_defaults(&jobs[0].audio).kind;
	for (size_t i = 0; !rc && i < n; i++) {
		const struct media_job *job = &jobs[i];
		if (media_audio_defaults(&job->audio).kind != p.kind) {
			rc = herr(err, HEARTH_EINVAL, "%s: renditions of one pass must be of one "
				  "kind of sound", src);
		} else if (job->kind == MEDIA_MP3 || job->kind == MEDIA_M4A) {
			if (!m || (p.ne && !audio_same_pass(&jobs[ei[0]], job)))
				rc = herr(err, HEARTH_EINVAL, "%s: the encoders of one pass need one "
					  "measurement and one level", src);
			else
				ajob_init(&enc[p.ne], src, dst[i], job, m, threads > 1);
			ei[p.ne++] = i;
		} else if (job->kind == MEDIA_PEAKS || job->kind == MEDIA_WAVEFORM) {
			rc = wave_new(&waves[p.nw], job, OUT_RATE, src, err);
			wi[p.nw++] = i;
		} else {
			rc = herr(err, HEARTH_EINVAL, "%s: not an audio rendition", src);
		}
	}
	if (!rc && p.ne) {
		struct media_audio_opts o = media_audio_defaults(&jobs[ei[0]].audio);
		pass_levels(&p, &o, m, 0, 0);
	}
	if (!rc)
		rc = pass_run(&p, err);
	for (size_t e = 0; !rc && e < p.ne; e++)
		rc = ajob_collect(&enc[e], err);
	for (size_t w = 0; !rc && w < p.nw; w++)
		rc = wave_write(waves[w], dst[wi[w]], err);
	for (size_t e = 0; !rc && e < p.ne; e++)
		rc = settle(src, dst[ei[e]], &jobs[ei[e]], m, threads, &enc[e].tmp, enc[e].peak,
			    err);
	for (size_t e = 0; e < p.ne; e++)
		ajob_release(&enc[e]);
	for (size_t w = 0; w < p.nw; w++)
		wave_free(&waves[w]);
	free(enc);
	free(waves);
	free(ei);
	free(wi);
	return rc;
}
