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

static const char *const *role_types(const char *role)
{
	if (!role)
		return NULL;
	if (!strcmp(role, "audio") || !strcmp(role, "music"))
		return sound_types;
	if (!strcmp(role, "art"))
		return image_types;
	if (!strcmp(role, "transcript"))
		return transcript_types;
	if (!strcmp(role, "text"))
		return text_types;
	return NULL;
}

bool media_role_allows(const char *role, const char *mime)
{
	const char *const *t = role_types(role);
	if (!t || !mime)
		return false;
	for (; *t; t++)
		if (!strcmp(*t, mime))
			return true;
	return false;
}

bool media_role_known(const char *role)
{
	return role_types(role) != NULL;
}

const char *media_role_expects(const char *role)
{
	const char *const *t = role_types(role);
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
