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
 */
#ifndef HEARTH_MEDIA_H
#define HEARTH_MEDIA_H

#include "../core/core.h"
/* library.h names this in a prototype before declaring it (see the report) */
#include "../library/library.h"

/* ---- identify ---------------------------------------------------------- */

/*
 * The MIME type libmagic sees in the file at path, and its description.
 * Either out may be NULL. New allocations.
 */
int media_sniff(const char *path, char **mime, char **description,
		struct hearth_err *err);

/*
 * True when mime is allowed for role ("audio", "music", "art",
 * "transcript", "text").
 */
bool media_role_allows(const char *role, const char *mime);

/* True when role is one media_role_allows knows. */
bool media_role_known(const char *role);

/*
 * What a role expects, in words for messages ("a sound file (WAV, FLAC,
 * ...)"); a static string.
 */
const char *media_role_expects(const char *role);

/*
 * False when the file's name claims a kind of file (by an extension Hearth
 * knows, in any case) that mime is not, as a FLAC named .mp3; *claimed
 * (may be NULL) then names what the name claims. Names with no extension,
 * or one Hearth does not know, claim nothing and agree with anything.
 */
bool media_name_agrees(const char *name, const char *mime, const char **claimed);

/* Limits against hostile files; zero fields take the defaults. */
struct media_limits {
	int64_t max_file_size;  /* bytes; default 500 MB */
	double max_duration;    /* seconds; default 4 h */
	int64_t max_pixels;     /* default 50 megapixels */
};

/*
 * Intake of one file for a story: identifies it (the extension is never
 * trusted), checks it against the role's allow-list and the limits, probes
 * it (duration, codec, sample rate, channels, dimensions) and adds it to
 * the library's store. Fills a->sha256, mime, size, duration, width,
 * height, codec, sample_rate, channels; a->role, filename and alt are the
 * caller's. Messages name display_name (the path the user gave) and say
 * what the file really is. The strings filled in are new allocations that
 * a then owns; they are written over, not freed, so pass a zeroed asset
 * (apart from role, and sha256 when an earlier read took the file's hash:
 * it is then kept and the file not hashed again). For sound, duration is what decoded, not what the
 * header claims; for art, width and height are as shown (EXIF orientation
 * applied). Nothing is added to the store when the file is refused.
 */
int media_intake(hearth_lib *lib, const char *path, const char *display_name,
		 const struct media_limits *limits, struct lib_asset *a,
		 struct hearth_err *err);

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
 * The same through the library's cache: the rendition of src (whose
 * SHA-256 is sha256) lives in cache/ under a key made of the hash, every
 * setting of job that changes the bytes, and the encoders' versions. When
 * the cache holds it, nothing is done (res->made is false). Safe to call
 * from several threads and processes at once.
 */
int media_cached(hearth_lib *lib, const char *src, const char *sha256,
		 const struct media_job *job, struct media_result *res,
		 struct hearth_err *err);

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

/* ---- the one way in (ingest.c) ----------------------------------------- */

/* The limits on incoming files, from the library's settings (hearth.yaml). */
int media_limits_load(hearth_lib *lib, struct media_limits *out, struct hearth_err *err);

/*
 * The slow part of a story's way in, shared by every way in: each asset
 * of s passes media_intake from paths[i] (the file as the user gave it,
 * also the name in messages) into the store; when s has no chapters, those
 * embedded in its sound (first audio, else first music) are taken; each
 * transcript is checked against the length of that sound. Fills the
 * assets as media_intake does and s->chapters (new allocations s then
 * owns). Writes no catalogue row. The caller holds the store lock shared
 * (lib_store_lock) until the story is recorded or given up.
 */
int media_ingest_story(hearth_lib *lib, const struct media_limits *lim, struct lib_story *s,
		       char *const *paths, struct hearth_err *err);

/*
 * What a submitted file is for, from its content (libmagic), never its
 * name: "transcript" (WebVTT, or SRT text named .srt/.vtt), "text" (the
 * story's body), "audio" ("music" when music is set) or "art". Anything
 * else is refused with a message naming path and what it is. *role is a
 * static string.
 */
int media_detect_role(const char *path, bool music, const char **role,
		      struct hearth_err *err);

/*
 * A peer's story from files (`hearth submit`, the web form). The fields
 * of *story (title, summary, name, pseudonym, attribution, contact,
 * consent, language, warnings) are the caller's and only read; its
 * assets, chapters and body are made here from files.
 */
struct media_submission {
	const struct lib_story *story; /* borrowed */
	char *const *files;            /* borrowed: the files given, in order */
	size_t n_files;
	char *const *alts;             /* borrowed strv: alt text per picture, in order */
	bool music;                    /* sound files are music, not speech */
	/* filled by media_submit */
	char *slug;                    /* the story's slug: new allocation, free it */
	const char *needs_alt;         /* refused for want of alt text: the picture (borrowed) */
};

/*
 * The submission, all or nothing: every file is identified
 * (media_detect_role; one text at most, read as the body, UTF-8), goes
 * through media_ingest_story outside any write transaction, and the story
 * is recorded by lib_story_submit in one short one. Whatever happens, the
 * store is swept afterwards if nobody else is using it (media_gc).
 */
int media_submit(hearth_lib *lib, struct media_submission *sub, struct hearth_err *err);

/* What `hearth import` takes, and what came of it. */
struct media_import {
	char *const *bundles;      /* borrowed strv: story bundle folders */
	char *const *collections;  /* borrowed strv: collection files */
	const char *settings;      /* a hearth.yaml to take, or NULL */
	/* filled by media_import */
	size_t n_stories, n_changed;          /* bundles; new or changed stories */
	size_t n_collections, n_coll_changed;
	char **notes;  /* things the user should know (strv, new; media_import_release) */
	struct buf report; /* per story: what changed, what was kept (media_import_release) */
};

/*
 * An import, all or nothing: every bundle and collection file is read and
 * checked (and the settings file's podcast image as a cover), then every
 * story's files go through media_ingest_story outside any write
 * transaction, then one short transaction records the stories
 * (lib_story_import), the collections and, last, the settings file. On
 * failure nothing is recorded. Whatever happens, the store is swept
 * afterwards if nobody else is using it (media_gc).
 */
int media_import(hearth_lib *lib, struct media_import *im, struct hearth_err *err);
void media_import_release(struct media_import *im);

/* ---- removing (purge.c) ------------------------------------------------ */

/*
 * Deletes every cache entry made from the sources with the given hashes
 * (a strv, borrowed; may be NULL): renditions and measurements alike.
 * *n_removed (may be NULL) counts the files.
 */
int media_cache_purge(hearth_lib *lib, char *const *hashes, size_t *n_removed,
		      struct hearth_err *err);

/*
 * After a withdrawal has been committed: the cached renditions of the
 * story's originals that no other story uses.
 */
int media_purge_story(hearth_lib *lib, const char *slug, size_t *n_removed,
		      struct hearth_err *err);

struct media_gc_stats {
	size_t objects;     /* originals deleted */
	size_t temporary;   /* unfinished objects of killed runs deleted */
	size_t renditions;  /* cache entries of the deleted originals */
	bool busy;          /* not waiting, and another holds the store lock */
};

/*
 * `hearth gc`: under the store lock (exclusive; when wait is false and it
 * is held, nothing is done and st->busy is set), deletes the originals no
 * asset refers to, the temporary files of killed runs, and the cached
 * renditions of what it deleted. st may be NULL.
 */
int media_gc(hearth_lib *lib, bool wait, struct media_gc_stats *st, struct hearth_err *err);

/*
 * `hearth erase`: lib_story_erase, then media_gc (waiting for the lock)
 * and the renditions of every original only this story used.
 */
int media_erase(hearth_lib *lib, const char *slug, struct media_gc_stats *st,
		struct hearth_err *err);

#endif
