/*
 * sniff.c - what a file is, by its contents: libmagic's MIME type and its
 * human description, and the allow-list of types for each role a file can
 * play in a story. This is the first thing intake does after the size
 * check; a file's name and extension are never consulted.
 *
 * Types below are what libmagic 5.44 (Debian 12) reports for files FFmpeg
 * writes: WAV audio/x-wav, FLAC audio/flac, MP3 audio/mpeg, AAC in ADTS
 * audio/x-hx-aac-adts, M4A audio/x-m4a (an audio-only .mp4 says video/mp4),
 * Ogg Vorbis and Ogg Opus audio/ogg, WebM video/webm, WebVTT text/vtt,
 * SRT application/x-subrip, Markdown text/plain. The others listed are
 * what other versions and writers report for the same formats.
 */
#include "mediaInt.h"

#include <magic.h>
#include <string.h>
#include <strings.h>

/*
 * Opens a libmagic cookie with the default database. A cookie per call
 * keeps this safe from any thread (cookies are not thread-safe) at the
 * cost of loading the compiled database, which is a few milliseconds.
 */
static magic_t open_magic(int flags, struct hearth_err *err)
{
	magic_t m = magic_open(flags | MAGIC_SYMLINK | MAGIC_ERROR);
	if (!m) {
		herr(err, HEARTH_EIO, "cannot start libmagic");
		return NULL;
	}
	if (magic_load(m, NULL) != 0) {
		herr(err, HEARTH_EIO, "cannot load the libmagic database: %s",
		     magic_error(m) ? magic_error(m) : "unknown error");
		magic_close(m);
		return NULL;
	}
	return m;
}

/* Runs one libmagic query; *out gets a new allocation. */
static int ask_magic(const char *path, int flags, char **out, struct hearth_err *err)
{
	magic_t m = open_magic(flags, err);
	const char *r;
	int rc = 0;

	if (!m)
		return err ? err->code : HEARTH_EIO;
	r = magic_file(m, path);
	if (!r)
		rc = herr(err, HEARTH_EIO, "cannot identify '%s': %s", path,
			  magic_error(m) ? magic_error(m) : "unknown error");
	else
		*out = xstrdup(r);
	magic_close(m);
	return rc;
}

int media_sniff(const char *path, char **mime, char **description,
		struct hearth_err *err)
{
	char *t = NULL, *d = NULL;
	int rc = 0;

	if (mime) {
		rc = ask_magic(path, MAGIC_MIME_TYPE, &t, err);
		if (rc)
			goto end;
	}
	if (description) {
		rc = ask_magic(path, MAGIC_NONE, &d, err);
		if (rc)
			goto end;
	}
	if (mime) {
		*mime = t;
		t = NULL;
	}
	if (description) {
		*description = d;
		d = NULL;
	}
end:
	free(t);
	free(d);
	return rc;
}

/* A NULL-terminated allow-list per role. */
static const char *const sound_types[] = {
	"audio/x-wav", "audio/wav", "audio/vnd.wave", "audio/flac", "audio/x-flac",
	"audio/mpeg", "audio/aac", "audio/x-hx-aac-adts", "audio/mp4",
	"audio/x-m4a", "video/mp4", "audio/ogg", "audio/opus", "audio/webm",
	"video/webm", "application/ogg", NULL,
};
static const char *const image_types[] = {
	"image/jpeg", "image/png", "image/webp", "image/gif", NULL,
};
static const char *const transcript_types[] = {
	"text/vtt", "text/plain", "application/x-subrip", "text/x-srt", NULL,
};
static const char *const text_types[] = {
	"text/plain", "text/markdown", "text/x-markdown", NULL,
};

static const char *const *role_types(enum media_use use)
{
	switch (use) {
	case USE_AUDIO:
	case USE_MUSIC:
		return sound_types;
	case USE_ART:
		return image_types;
	case USE_TRANSCRIPT:
		return transcript_types;
	case USE_TEXT:
		return text_types;
	}
	return NULL;
}

bool media_role_allows(enum media_use use, const char *mime)
{
	const char *const *t = role_types(use);
	if (!t || !mime)
		return false;
	for (; *t; t++)
		if (!strcmp(*t, mime))
			return true;
	return false;
}

const char *media_role_expects(enum media_use use)
{
	const char *const *t = role_types(use);
	if (t == sound_types)
		return "a sound file (WAV, FLAC, MP3, AAC/M4A, Ogg, WebM)";
	if (t == image_types)
		return "an image (JPEG, PNG, WebP or a still GIF)";
	if (t == transcript_types)
		return "a transcript (WebVTT or SRT)";
	if (t == text_types)
		return "plain text or Markdown";
	return "one of audio, music, art, transcript or text";
}

/*
 * What a file's extension claims it is: the MIME types libmagic may report
 * for a file that really is what its name says. The content always decides
 * what a file is; this table only catches a name that says something else
 * (a FLAC called .mp3), which would mislead whoever opens it next.
 */
static const struct {
	const char *ext;
	const char *what;
	const char *mimes[6];
} claims[] = {
	{"mp3", "MP3 audio", {"audio/mpeg"}},
	{"wav", "WAV audio", {"audio/x-wav", "audio/wav", "audio/vnd.wave"}},
	{"flac", "FLAC audio", {"audio/flac", "audio/x-flac"}},
	{"m4a", "AAC/M4A audio", {"audio/x-m4a", "audio/mp4", "video/mp4"}},
	{"aac", "AAC audio", {"audio/aac", "audio/x-hx-aac-adts", "audio/x-m4a", "audio/mp4"}},
	{"ogg", "Ogg audio", {"audio/ogg", "application/ogg", "audio/opus"}},
	{"oga", "Ogg audio", {"audio/ogg", "application/ogg", "audio/opus"}},
	{"opus", "Opus audio", {"audio/ogg", "application/ogg", "audio/opus"}},
	{"webm", "WebM audio", {"video/webm", "audio/webm"}},
	{"jpg", "a JPEG image", {"image/jpeg"}},
	{"jpeg", "a JPEG image", {"image/jpeg"}},
	{"png", "a PNG image", {"image/png"}},
	{"webp", "a WebP image", {"image/webp"}},
	{"gif", "a GIF image", {"image/gif"}},
	{"vtt", "a WebVTT transcript", {"text/vtt", "text/plain"}},
	{"srt", "an SRT transcript", {"application/x-subrip", "text/x-srt", "text/plain"}},
	{"md", "Markdown text", {"text/plain", "text/markdown", "text/x-markdown"}},
	{"txt", "plain text", {"text/plain", "text/markdown", "text/x-markdown"}},
};

bool media_name_agrees(const char *name, const char *mime, const char **claimed)
{
	const char *ext = path_ext(name);
	if (claimed)
		*claimed = NULL;
	for (size_t i = 0; i < sizeof claims / sizeof *claims; i++) {
		if (strcasecmp(ext, claims[i].ext))
			continue;
		for (size_t k = 0; k < 6 && claims[i].mimes[k]; k++)
			if (!strcmp(mime, claims[i].mimes[k]))
				return true;
		if (claimed)
			*claimed = claims[i].what;
		return false;
	}
	return true; /* a name that claims nothing we know cannot disagree */
}
