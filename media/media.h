/*
 * media.h - everything Hearth does to files: identifying them with
 * libmagic, checking them against what their role allows, probing them with
 * libavformat, and making the renditions that are published (podcast MP3,
 * web images) with libavcodec, libavfilter, libswresample and libswscale.
 * Originals are never published; renditions carry no metadata of the
 * source. Renditions are cached in the library's cache/ by the source's
 * hash and the rendition's settings, so unchanged work is never done twice.
 *
 * This is the only folder that includes magic.h and libav*.
 *
 * This header is the rendering side, what the build uses: probing,
 * renditions and their cache, the podcast cover, loudness, chapters and
 * transcripts. It sees only library/public.h. The way in (identifying
 * files, intake, import, submit) and removing (gc, erase, purge) work on
 * the editor's records and are declared in intake.h.
 */
#ifndef HEARTH_MEDIA_H
#define HEARTH_MEDIA_H

#include "../core/core.h"
#include "../library/public.h"


/* ---- limits ------------------------------------------------------------ */

/* Limits against hostile files; zero fields take the defaults. */
struct media_limits {
	int64_t max_file_size;  /* bytes; default 500 MB */
	double max_duration;    /* seconds; default 4 h */
	int64_t max_pixels;     /* default 50 megapixels */
};


/* ---- probe ------------------------------------------------------------- */

struct media_info {
	double duration;     /* seconds */
	char codec[32];
	int sample_rate, channels;
	int width, height;
	bool has_audio, has_video;
};

/*
 * Opens a file with libavformat (the demuxer chosen by content, never by
 * the name) and reads what it is. codec is the sound's codec when there
 * is sound, else the picture's; width and height are the first picture's.
 * Cover art attached to a sound file is not video: has_video stays false.
 * duration is what the container states, else what decoding finds; 0 for
 * a still image.
 */
int media_probe(const char *path, struct media_info *out, struct hearth_err *err);

/* ---- renditions -------------------------------------------------------- */

/* A chapter mark: where it starts and what it is called. */
struct media_chapter {
	double start;      /* seconds from the start */
	const char *title;
};

/*
 * Public tags for an audio rendition. Every tag of the source is dropped;
 * only these are written (ID3v2.4 in MP3, iTunes atoms in M4A).
 */
struct media_tags {
	const char *title;
	const char *artist;  /* the public byline */
	const char *album;   /* the podcast title */
	const char *cover;   /* a JPEG to embed as the cover picture, or NULL */
	const struct media_chapter *chapters;  /* ID3 CHAP / MP4 chapters */
	size_t n_chapters;
};

enum media_audio_kind { AUDIO_SPEECH, AUDIO_MUSIC };

/*
 * How podcast audio is made. Zero fields take the defaults: integrated
 * loudness -16 LUFS, true peak at most -1 dBTP, 96 kbit/s mono for speech
 * and 160 kbit/s stereo for music, 44.1 kHz.
 */
struct media_audio_opts {
	enum media_audio_kind kind;
	double loudness;     /* LUFS target */
	double true_peak;    /* dBTP ceiling */
	int kbps;
};

/*
 * What a rendition is. Images (JPEG, WEBP, COVER) are shown the way the
 * source's EXIF orientation says, flattened onto white where transparent,
 * and carry no metadata block of any kind (see docs/media.md).
 */
enum media_kind {
	MEDIA_MP3,        /* podcast MP3, loudness normalised */
	MEDIA_M4A,        /* AAC in MP4, loudness normalised: the alternate */
	MEDIA_PEAKS,      /* waveform peaks as JSON, for the player */
	MEDIA_WAVEFORM,   /* waveform as SVG, for the page without JavaScript */
	MEDIA_JPEG,       /* a web image at most width wide, never scaled up */
	MEDIA_WEBP,       /* the same as WebP */
	MEDIA_COVER       /* a square podcast cover, width x width, JPEG RGB */
};

struct media_job {
	enum media_kind kind;
	struct media_audio_opts audio;  /* MP3, M4A */
	const struct media_tags *tags;  /* MP3, M4A; may be NULL */
	/*
	 * JPEG, WEBP: the most width (> 0). COVER: the side; the centre
	 * square of the source is scaled to it, up or down. 0 takes
	 * media_cover_side() of the source, or MEDIA_COVER_MIN when the
	 * source is smaller than that.
	 */
	int width;
	int points;                     /* PEAKS, WAVEFORM: how many (0 = default) */
};

/* What came of a rendition. */
struct media_result {
	char *path;         /* new allocation (media_result_release) */
	int width, height;  /* images */
	int64_t size;       /* bytes */
	bool made;          /* work was done, not taken from the cache */
};
void media_result_release(struct media_result *r);

/*
 * Makes the rendition job describes from the file src and writes it to dst
 * atomically (temporary file, rename). Audio is streamed: memory does not
 * grow with the length of the input.
 */
int media_render(const char *src, const char *dst, const struct media_job *job,
		 struct media_result *res, struct hearth_err *err);

/*
 * Several renditions of one source at once: jobs[i] is written to dst[i]
 * and res[i] (res may be NULL) gets its result, released by the caller.
 * The audio ones (MP3, M4A, PEAKS, WAVEFORM of one kind of sound, the
 * encoders at one loudness and true peak) come from a single decode and
 * resample of src after one loudness measurement. threads is how many
 * cores the encoders may use: 1 runs everything on the calling thread;
 * 2 or more gives each encoder, and the check of what it encoded, a
 * thread of its own, fed from the one decode through bounded queues, so
 * the MP3 and the M4A encode at the same time in flat memory.
 * media_render is this with one job and threads 2.
 */
int media_render_audio(const char *src, const char *const *dst, const struct media_job *jobs,
		       size_t n, int threads, struct media_result *res,
		       struct hearth_err *err);

/*
 * The same through the library's cache: the rendition of src (whose
 * SHA-256 is sha256) lives in cache/ under a key made of the hash, every
 * setting of job that changes the bytes, and the encoders' versions. When
 * the cache holds it, nothing is done (res->made is false). Safe to call
 * from several threads and processes at once.
 */
int media_cached(hearth_lib *lib, const char *src, const char *sha256,
		 const struct media_job *job, struct media_result *res,
		 struct hearth_err *err);

/*
 * Every audio rendition of one recording through the cache (jobs: MP3,
 * M4A, PEAKS, WAVEFORM; anything else is HEARTH_EINVAL): the ones the
 * cache lacks are made together as media_render_audio makes them, on
 * threads cores, after one loudness measurement, which is itself cached
 * (by the source's hash and the measuring settings) so a later build
 * that asks for new renditions does not measure again, and locked, so
 * two jobs never measure one source at once. res[i] (n of them, released
 * by the caller) is the result of jobs[i]; made says which were made.
 */
int media_cached_audio(hearth_lib *lib, const char *src, const char *sha256,
		       const struct media_job *jobs, size_t n, int threads,
		       struct media_result *res, struct hearth_err *err);

/* ---- the cache read without FFmpeg (lookup.c) ---------------------------
 * What media work the cache already holds, answered without loading
 * FFmpeg, for hearth-site: a build whose renditions, transcripts and
 * cover check are all there needs no other program. Each returns
 * MEDIA_UNCACHED (positive, no message) when the work is not there.
 */
#define MEDIA_UNCACHED 1

/* The versions of the FFmpeg libraries a rendition's name carries. */
struct media_versions {
	unsigned codec, filter, resample, scale, format;
};
/* The versions of the headers this program was compiled against. */
void media_versions_built(struct media_versions *v);
/* Notes in the cache the versions its renditions are made with (when they changed). */
int media_versions_note(hearth_lib *lib, const struct media_versions *v,
			struct hearth_err *err);
/* media_versions_note with the versions of the libraries this program runs with. */
int media_cache_stamp(hearth_lib *lib, struct hearth_err *err);
/*
 * True when the cache was last noted with the versions of
 * media_versions_built: names made here are then the ones the programs
 * that render use.
 */
bool media_lookup_ready(hearth_lib *lib);

/* media_cached and media_cached_audio, from the cache alone. */
int media_lookup(hearth_lib *lib, const char *src, const char *sha256,
		 const struct media_job *job, struct media_result *res, struct hearth_err *err);
int media_lookup_audio(hearth_lib *lib, const char *src, const char *sha256,
		       const struct media_job *jobs, size_t n, int threads,
		       struct media_result *res, struct hearth_err *err);

/*
 * A transcript made publishable (media_transcript) kept in the cache by
 * the transcript's SHA-256, the audio's length and salt (the caller's
 * name for the programs that make it): lookup appends the WebVTT and the
 * text to vtt and text; remember stores them. made (may be NULL) says
 * whether the work was done now (never, for lookup).
 */
int media_transcript_lookup(hearth_lib *lib, const char *salt, const char *src,
			    const char *sha256, double duration, struct buf *vtt,
			    struct buf *text, bool *made, struct hearth_err *err);
int media_transcript_remember(hearth_lib *lib, const char *salt, const char *sha256,
			      double duration, const struct buf *vtt, const struct buf *text,
			      struct hearth_err *err);
/*
 * media_transcript through that memo: the memo's answer, else the work,
 * then remembered (a memo that cannot be written is no failure).
 */
int media_transcript_cached(hearth_lib *lib, const char *salt, const char *src,
			    const char *sha256, double duration, struct buf *vtt,
			    struct buf *text, bool *made, struct hearth_err *err);
/*
 * The show's cover passed media_cover_check: kept by its SHA-256, the
 * limits and salt. lookup fills info's width and height (the rest 0).
 */
int media_cover_check_lookup(hearth_lib *lib, const char *salt, const char *path,
			     const char *sha256, const char *name,
			     const struct media_limits *limits, struct media_info *info,
			     struct hearth_err *err);
int media_cover_check_remember(hearth_lib *lib, const char *salt, const char *sha256,
			       const struct media_limits *limits, const struct media_info *info,
			       struct hearth_err *err);
/* media_cover_check through that memo. */
int media_cover_check_cached(hearth_lib *lib, const char *salt, const char *path,
			     const char *sha256, const char *name,
			     const struct media_limits *limits, struct media_info *info,
			     struct hearth_err *err);

/* The limits of a library's settings, as intake and the build apply them. */
void media_limits_of(const struct lib_settings *set, struct media_limits *out);
/*
 * The podcast image the settings file yaml names, as the path it is read
 * from (a new allocation), when it names one that is safe and there; NULL
 * otherwise, *named then false when it names none, true when the file
 * could not be read or parsed or the image is not safe or not there (the
 * import's lib_settings_import says what is wrong).
 */
char *media_show_image(const char *yaml, bool *named);
/*
 * The note an import gives for the show's image img of info's size, onto
 * *notes (a strv) when it is not square: its centre square is the cover.
 */
void media_cover_note(const char *img, const struct media_info *info, char ***notes);
/*
 * The check an import makes of the image the settings file yaml names
 * (media_import), from the memo alone, with set's limits and salt: 0 when
 * the file names no image, or one that passed (its note, if any, pushed
 * onto *notes); MEDIA_UNCACHED when only hearth-media can say.
 */
int media_show_image_lookup(hearth_lib *lib, const char *salt, const char *yaml,
			    const struct lib_settings *set, char ***notes);

/* ---- the podcast cover ------------------------------------------------- */

/* Apple's bounds for podcast artwork, in pixels a side. */
#define MEDIA_COVER_MIN 1400
#define MEDIA_COVER_MAX 3000

/*
 * The side of the square cover made from an image of w x h pixels: its
 * short side, at most MEDIA_COVER_MAX; 0 when the short side is under
 * MEDIA_COVER_MIN, too small for a podcast cover.
 */
int media_cover_side(int w, int h);

/*
 * Checks the show's podcast image at path (it goes into no store, so this
 * stands for intake): an image art may be, within limits (NULL: the
 * defaults), still, and at least MEDIA_COVER_MIN pixels on its short
 * side; otherwise HEARTH_EINVAL with a message that names name, as in
 * "cover.jpg: the podcast image must be at least 1400×1400 pixels, but it
 * is 800×600". A non-square image passes: its cover is its centre square.
 * info (may be NULL) gets what it is, width and height as shown (EXIF
 * orientation applied).
 */
int media_cover_check(const char *path, const char *name, const struct media_limits *limits,
		      struct media_info *info, struct hearth_err *err);

/*
 * Measures integrated loudness (LUFS, ITU-R BS.1770) and true peak (dBTP)
 * of an audio file.
 */
int media_loudness(const char *src, double *lufs, double *true_peak,
		   struct hearth_err *err);

/*
 * Chapters embedded in an audio file (MP3 CHAP, MP4 and Matroska chapters,
 * Ogg/FLAC CHAPTERxxx comments), as libavformat reads them, tidied: in
 * order of start, one per start, none at or after the stated end, titles
 * one line ("Chapter N" when there is none). Returns a new array in *out
 * (free with media_chapters_free, which accepts NULL); *out is NULL and
 * *n 0 when there are none.
 */
int media_chapters_read(const char *src, struct media_chapter **out, size_t *n,
			struct hearth_err *err);
void media_chapters_free(struct media_chapter *v, size_t n);

/*
 * Podcasting 2.0 JSON chapters ("version": "1.2.0", title and podcastName
 * when given, "chapters": [{"startTime": seconds, "title": ...}]), pretty
 * printed, appended to out. Refuses (HEARTH_EINVAL) no chapters, starts
 * not strictly increasing or not before duration (when > 0), and missing
 * titles.
 */
int media_chapters_json(const struct media_chapter *v, size_t n, double duration,
			const char *title, const char *podcast_name, struct buf *out,
			struct hearth_err *err);


/* ---- transcripts ------------------------------------------------------- */

/*
 * Reads a WebVTT or SRT transcript with libavformat's webvtt or srt
 * demuxer (chosen by the content) and checks it: UTF-8, at least one cue,
 * every cue read, starts in order, each cue ending after it starts and,
 * when duration > 0, no later than half a second after it. Messages name
 * src, the cue and its start. Appends normalised WebVTT to vtt and the
 * plain text, one cue a line, to text (either may be NULL).
 */
int media_transcript(const char *src, double duration, struct buf *vtt,
		     struct buf *text, struct hearth_err *err);


#endif
