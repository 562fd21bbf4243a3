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
 * (apart from role). For sound, duration is what decoded, not what the
 * header claims. Nothing is added to the store when the file is refused.
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

/* Public tags for an audio rendition; every tag of the source is dropped. */
struct media_tags {
	const char *title;
	const char *artist;  /* the public byline */
	const char *album;   /* the podcast title */
};

enum media_audio_kind { AUDIO_SPEECH, AUDIO_MUSIC };

/*
 * The podcast MP3 of a source audio file: 44.1 kHz, mono 96 kbit/s for
 * speech, stereo 160 kbit/s for music, written atomically to dst.
 */
int media_audio_mp3(const char *src, const char *dst, enum media_audio_kind kind,
		    const struct media_tags *tags, struct hearth_err *err);

/*
 * A web image from a source image: decoded, scaled to at most max_width
 * (never up), encoded as JPEG with no metadata, written atomically to dst.
 * Width and height of the result go to *w and *h (either may be NULL).
 */
int media_image_jpeg(const char *src, const char *dst, int max_width, int *w,
		     int *h, struct hearth_err *err);

/*
 * Cached renditions. media_cached_* return (in *out, a new allocation) the
 * path of the rendition in the library's cache/, making it first when the
 * cache does not hold one for this source hash and these settings. *made
 * (may be NULL) tells whether work was done.
 */
int media_cached_mp3(hearth_lib *lib, const struct lib_asset *a,
		     enum media_audio_kind kind, const struct media_tags *tags,
		     char **out, bool *made, struct hearth_err *err);
int media_cached_jpeg(hearth_lib *lib, const struct lib_asset *a, int max_width,
		      char **out, int *w, int *h, bool *made, struct hearth_err *err);

/* ---- transcripts ------------------------------------------------------- */

/*
 * Reads a WebVTT or SRT transcript and checks it (timings ordered, inside
 * duration when duration > 0). Writes WebVTT to vtt (may be NULL) and the
 * plain text, one cue a line, to text (may be NULL).
 */
int media_transcript(const char *src, double duration, struct buf *vtt,
		     struct buf *text, struct hearth_err *err);

#endif
