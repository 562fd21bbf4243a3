/*
 * mediaInt.h - the private header of media/: the pieces its files share
 * and nobody outside includes (but the fuzz targets in tests/fuzz/). It
 * holds the one way media/ opens a file with libavformat (a demuxer
 * allow-list, the file protocol only, logging kept quiet), the decoder
 * loop every rendition uses, FFmpeg error translation (av.c), the
 * decoded-sound reader of the audio passes (pcm.c), the loudness
 * measurement and the limiter of the audio renditions (measure.c,
 * limiter.c), what every stage knows of a job (job.c), and the functions
 * render.c sends each job to. Outputs are made atomic by core's
 * file_tmp_open.
 *
 * Calls between the files go one way: a file calls only files on lower
 * lines, never one on its own line or above, so there are no circles.
 *   1  ingest.c
 *   2  intake.c, render.c
 *   3  audio.c
 *   4  measure.c, loudness.c, waveform.c, image.c, chapters.c,
 *      transcript.c, purge.c
 *   5  probe.c, lookup.c
 *   6  pcm.c, orient.c, sniff.c, header.c, limiter.c, job.c, chapters_json.c
 *   7  av.c
 */
#ifndef HEARTH_MEDIA_INT_H
#define HEARTH_MEDIA_INT_H

#include "intake.h"

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>

/*
 * The cache's name of a rendition, cache/<sha[0:2]>/<sha>-<profile>.<ext>
 * (new allocation), with the FFmpeg versions ver (lookup.c): render.c
 * gives the ones it runs with, media_lookup the ones of its headers.
 */
int media_cache_name(hearth_lib *lib, const char *sha256, const struct media_job *job,
		     const struct media_versions *ver, char **out, struct hearth_err *err);
bool media_kind_valid(const struct media_job *job);
bool media_kind_audio(enum media_kind k);
/* The width and height of an image rendition, from its header (lookup.c). */
bool media_rendition_size(const char *path, struct media_result *r);

/*
 * Sets up FFmpeg for use inside a library: its log is silenced (errors
 * come back as values instead). Safe to call from any thread, any number
 * of times.
 */
void media_av_init(void);

/*
 * Sets err to code with "name: what: <FFmpeg's words for averr>" and
 * returns code.
 */
int media_averr(struct hearth_err *err, int code, int averr, const char *name,
		const char *what);

/*
 * One opened input: the demuxer, the chosen stream and its decoder.
 * name is what messages call the file (borrowed).
 */
struct media_in {
	AVFormatContext *fmt;
	AVCodecContext *dec;
	AVPacket *pkt;
	int stream;
	bool flushing;  /* the demuxer has ended; draining the decoder */
	bool done;
	const char *name;
};

/*
 * Opens path with libavformat, the demuxer chosen by the contents alone
 * and limited to the ones Hearth accepts, the file protocol only, and
 * reads its stream information. Decoders it opens to read that refuse a
 * picture of more than max_pixels (0: FFmpeg's own ceiling) before they
 * allocate it, so a small file that claims a huge picture costs nothing.
 * *out is a new context, free with media_close_format (which accepts NULL
 * and sets *fmt to NULL).
 */
int media_open_format(const char *path, const char *name, int64_t max_pixels,
		      AVFormatContext **out, struct hearth_err *err);
void media_close_format(AVFormatContext **fmt);

/*
 * Opens path and a decoder for its best stream of type (audio or video).
 * Attached pictures (cover art) are never chosen as video. strict makes
 * the decoder fail on damage it would otherwise conceal (AV_EF_EXPLODE),
 * which intake wants for images: a cut JPEG otherwise decodes "fine" with
 * a grey bottom. max_pixels caps pictures as for media_open_format.
 * Release with media_in_close (also on failure, and on a zeroed struct).
 */
int media_in_open(struct media_in *in, const char *path, const char *name,
		  enum AVMediaType type, bool strict, int64_t max_pixels,
		  struct hearth_err *err);
void media_in_close(struct media_in *in);

/*
 * The next decoded frame of the chosen stream into frame (which it unrefs
 * first). Returns 1 for a frame, 0 at the end, or a negative HEARTH_E*
 * code when the demuxer or the decoder fails: renditions are strict, since
 * intake already refused files that do not decode cleanly.
 */
int media_in_next(struct media_in *in, AVFrame *frame, struct hearth_err *err);

/*
 * True for a stream that is real video (or a still image), not cover art
 * attached to a sound file.
 */
bool media_stream_is_picture(const AVStream *st);

/*
 * The width and height a picture's header declares (PNG, GIF, WebP, JPEG),
 * read without decoding; false when the header cannot be read.
 */
bool media_header_size(const char *path, int64_t *w, int64_t *h);

/*
 * media_probe with a name for messages instead of the path, and pictures
 * capped at max_pixels (0: no cap of Hearth's).
 */
int media_probe_named(const char *path, const char *name, int64_t max_pixels,
		      struct media_info *out, struct hearth_err *err);

/*
 * What a full decode of the audio of a file found: the seconds decoded,
 * the decode errors, and whether the demuxer stopped with an error other
 * than the end of the file (its message goes to demux_error).
 */
struct media_decode_report {
	double decoded;
	int errors;
	double first_error_at;   /* seconds, when errors > 0 */
	char error[128];         /* FFmpeg's words for the first error */
	bool demux_failed;
	double declared;         /* duration the container states, 0 if none */
	bool declared_estimated; /* declared is only a guess from the bit rate */
};

/*
 * Decodes every packet of the best audio stream of path, counting errors;
 * HEARTH_EINVAL when a frame fails media_frame_check.
 */
int media_decode_audio_all(const char *path, const char *name,
			   struct media_decode_report *out, struct hearth_err *err);

/*
 * Counts video packets of the best picture stream, stopping at max; used
 * to tell an animated GIF from a still one.
 */
int media_count_frames(const char *path, const char *name, int64_t max_pixels, int max,
		       int *n, struct hearth_err *err);

/*
 * media_transcript with a name for messages (the path the user gave)
 * instead of the path that is read.
 */
int media_transcript_named(const char *src, const char *name, double duration,
			   struct buf *vtt, struct buf *text, struct hearth_err *err);
/* The same over n bytes in memory (the fuzz target's way in). */
int media_transcript_mem(const char *data, size_t n, const char *name, double duration,
			 struct buf *vtt, struct buf *text, struct hearth_err *err);

/* Shared size limit for text files Hearth reads whole (transcripts, text). */
#define MEDIA_MAX_TEXT_BYTES (16 * 1024 * 1024)

/*
 * Most cues a transcript may have: one every 2 seconds for 11 hours, or
 * every word of two hours. A story page shows each cue, and a cue costs
 * its build about 5 kB (the page's nodes and the theme's): 400,000 cues
 * of a few letters (15 MB, within MEDIA_MAX_TEXT_BYTES) took a build of
 * 1.9 GB and made a page of 100 MB. Counted before libavformat reads the
 * file.
 */
#define MEDIA_MAX_CUES 20000

/* ---- which way up (orient.c) ------------------------------------------- */

/*
 * The EXIF orientation (1 to 8) in a TIFF block (as in a JPEG's APP1 Exif
 * segment after "Exif\0\0", or a PNG's eXIf chunk): tag 0x0112 of IFD0.
 * 1 when it is missing or the block is malformed; every offset is checked
 * against n.
 */
int media_exif_orientation(const uint8_t *tiff, size_t n);

/*
 * The orientation of a decoded picture: the decoder's "Orientation"
 * metadata (JPEG, WebP), else for a PNG the eXIf chunk of the file at
 * path; 1 when it has none.
 */
int media_image_orientation(const AVFrame *frame, const AVCodecContext *dec,
			    const char *path);

/*
 * A new frame holding in (a packed format such as RGB24) turned the way
 * EXIF orientation o says, so it shows upright with no tag; width and
 * height swap for 5 to 8. NULL for a planar format or out of memory. Free
 * with av_frame_free.
 */
AVFrame *media_orient(const AVFrame *in, int o);

/* ---- decoded sound (pcm.c) ----------------------------------------------- */

/*
 * The decoded sound of a file, through a libavfilter graph made from desc
 * (for example "aformat=sample_fmts=flt:channel_layouts=mono"), a frame
 * at a time. desc is borrowed and must outlive the reader.
 */
struct media_pcm {
	struct media_in in;
	AVFilterGraph *graph;
	AVFilterContext *src, *sink;
	AVFrame *dec;
	const char *desc;
	int64_t pts;
	bool ended;   /* the end went into the graph */
};

/*
 * What decoded sound Hearth renders: a sample rate the loudness filters
 * and the resampler handle (8 to 192 kHz), at most 8 channels, and
 * samples that are numbers no further than +60 dBFS from full scale
 * (a float file may pass 1.0 a little; 1e19 is not sound).
 */
#define MEDIA_MIN_RATE 8000
#define MEDIA_MAX_RATE 192000
#define MEDIA_MAX_CHANNELS 8
#define MEDIA_MAX_SAMPLE 1000.0

/*
 * Checks one decoded frame against the limits above; at is where it
 * starts, in seconds, for the message. 0, or HEARTH_EINVAL naming name
 * and what is wrong. Intake (probe.c) and every audio pass of the build
 * (pcm.c) run it on every frame the decoder gives.
 */
int media_frame_check(const AVFrame *f, const char *name, double at,
		      struct hearth_err *err);

/*
 * Opens path; release with media_pcm_close (also on failure). name and
 * desc are borrowed and must outlive p.
 */
int media_pcm_open(struct media_pcm *p, const char *path, const char *name,
		   const char *desc, struct hearth_err *err);
/* How many times media_pcm_open was called: the tests count decodes with it. */
extern _Atomic long media_pcm_opened;
/* The next frame into out (unref'd first): 1, 0 at the end, or an error. */
int media_pcm_next(struct media_pcm *p, AVFrame *out, struct hearth_err *err);
void media_pcm_close(struct media_pcm *p);

/* ---- loudness and the limiter (measure.c, limiter.c) ---------------------- */

/*
 * Headroom (dB) the limiter keeps under the true-peak ceiling of o: the
 * encoder filters and quantises, and that overshoots what went in, the
 * more so the lower the bit rate. The same for MP3 and M4A, so both use
 * one measurement.
 */
double audio_tp_margin(const struct media_audio_opts *o);
/* Gain never goes further than this, whatever the measurement says. */
#define AUDIO_MAX_GAIN_DB 40.0

/*
 * What the first pass of an audio rendition finds: the integrated loudness
 * (LUFS; -inf for silence) of the sound as it will be encoded (mono for
 * speech, stereo for music), the gain (dB) that puts it on the target of
 * the options once the limiter has taken the peaks over the ceiling, and
 * its length in seconds.
 */
struct audio_measure {
	double lufs;
	double gain;
	double duration;
};

/* The first pass (measure.c): decodes src once and measures it for opts. */
int audio_measure(const char *src, const struct media_audio_opts *opts,
		  struct audio_measure *m, struct hearth_err *err);
/*
 * The same with the limiter's ceiling extra dB further under the usual
 * margin: the gain found still lands on the target loudness. With threads
 * above 1, a source of a minute or more is scanned in two halves at once;
 * the result is the one thread's (the envelope is the same).
 */
int audio_measure_headroom(const char *src, const struct media_audio_opts *opts,
			   double extra, int threads, struct audio_measure *m,
			   struct hearth_err *err);

/*
 * The limiter: planar float in, the same number of samples out after
 * gain_db of gain, with every true peak (4x oversampled) at most
 * ceiling_db. limiter_push emits at most n samples into out (the first
 * limiter_latency() samples are held back); limiter_drain emits the held
 * ones at the end, at most limiter_latency() of them. Returns the number
 * emitted. limiter_new returns 0 and a new limiter in *out, or
 * HEARTH_EINVAL for channels outside 1..8 or a rate under 8 kHz; free with
 * limiter_free (accepts NULL, sets *l to NULL). in and out are borrowed.
 */
struct limiter;
int limiter_new(struct limiter **out, int channels, int rate, double gain_db,
		double ceiling_db);
int limiter_push(struct limiter *l, const float *const *in, int n, float *const *out);
int limiter_drain(struct limiter *l, float *const *out);
int limiter_latency(const struct limiter *l);
void limiter_free(struct limiter **l);

/*
 * A true-peak meter with the limiter's 4x interpolator: planar float in,
 * the largest |sample| or interpolated point out, in dBTP (tp_meter_db
 * flushes the end; call it once). It skips the interpolation where it
 * cannot find a larger peak, so it is cheap on most sound. tp_meter_new
 * puts a new meter in *out; free with tp_meter_free (accepts NULL, sets
 * *m to NULL). in is borrowed.
 */
struct tp_meter;
int tp_meter_new(struct tp_meter **out, int channels);
void tp_meter_push(struct tp_meter *m, const float *const *in, int n);
double tp_meter_db(struct tp_meter *m);
void tp_meter_free(struct tp_meter **m);

/* ---- what every stage knows of a job (job.c) ----------------------------- */

/* The options with their defaults filled in (a copy; in may be NULL). */
struct media_audio_opts media_audio_defaults(const struct media_audio_opts *in);
/* The file extension of a kind of rendition ("mp3", "jpg", ...; static). */
const char *media_kind_ext(enum media_kind kind);
/* The channels a kind of recording is encoded in: 1 for speech, 2 for music. */
int media_audio_channels(enum media_audio_kind kind);
/*
 * The filters (for media_pcm_open; static) that make the sound every audio
 * rendition of a kind of recording is made from: 44.1 kHz planar float in
 * its channels.
 */
const char *media_audio_graph(enum media_audio_kind kind);

/* ---- waveforms (waveform.c) ------------------------------------------------ */

/*
 * A waveform (MEDIA_PEAKS or MEDIA_WAVEFORM) made as the sound is decoded:
 * wave_new checks job's points (HEARTH_EINVAL naming name) and puts a new
 * sink in *out for sound at rate; wave_push takes n samples of ch planes
 * (borrowed); wave_write writes the JSON or SVG to dst atomically; free
 * with wave_free (accepts NULL, sets *w to NULL).
 */
struct wave;
int wave_new(struct wave **out, const struct media_job *job, int rate, const char *name,
	     struct hearth_err *err);
void wave_push(struct wave *w, const float *const *planes, int n, int ch);
int wave_write(struct wave *w, const char *dst, struct hearth_err *err);
void wave_free(struct wave **w);

/* ---- renditions (render.c sends each job to one of these) --------------- */

/*
 * Every audio rendition of one source in one decode (audio.c): jobs[i]
 * (MP3, M4A, PEAKS or WAVEFORM, all with the same audio kind, and the
 * encoders with the same loudness, true peak and margin) is written to
 * dst[i] atomically. m is the first pass for the encoders (borrowed; may
 * be NULL when there are none). threads: 1 runs the encoders one after
 * the other on the caller's thread; more gives each encoder and the check
 * of what it encoded a thread of their own, so the MP3 and the M4A encode
 * at the same time. Each appears whole or not at all.
 */
int render_audio_set(const char *src, const char *const *dst, const struct media_job *jobs,
		     size_t n, int threads, const struct audio_measure *m,
		     struct hearth_err *err);                         /* audio.c */
/*
 * True when two jobs can share a pass of render_audio_set: the same kind
 * of sound and, for encoders, the same loudness, true peak and margin.
 */
bool audio_same_pass(const struct media_job *a, const struct media_job *b);
/*
 * Each writes the rendition job describes from src to dst atomically and
 * may fill res->width, res->height (media_render fills path and size).
 */
int render_image(const char *src, const char *dst, const struct media_job *job,
		 struct media_result *res, struct hearth_err *err);   /* image.c */

#endif
