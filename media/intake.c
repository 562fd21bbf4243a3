/*
 * intake.c - the gate every submitted file passes before it enters the
 * store: the size limit first (before anything reads the contents), then
 * libmagic's verdict against the role's allow-list, then a check that the
 * file is what it claims all the way through (a sound file decodes to its
 * end without errors; an image decodes, has a size within the limit and
 * is still; a transcript parses; text is UTF-8). Only then is it copied
 * into the store by hash. Messages name the file as the user gave it.
 */
#include "mediaInt.h"

#include <math.h>
#include <string.h>

#define DEFAULT_MAX_FILE_SIZE ((int64_t)500 * 1000 * 1000)
#define DEFAULT_MAX_DURATION (4.0 * 3600)
#define DEFAULT_MAX_PIXELS ((int64_t)50 * 1000 * 1000)

/* What intake found, before the file goes into the store. */
struct found {
	struct media_info info;
	double duration;
};

/*
 * Turns a failure to open or decode into a refusal of the file: from
 * intake's side a file libavformat cannot read is a bad file, not an
 * internal error. Keeps FFmpeg's reason, the part after the last colon.
 */
static int refuse_unreadable(struct hearth_err *err, int rc, const char *name)
{
	const char *why;

	if (rc != HEARTH_EMEDIA || !err)
		return rc;
	why = strrchr(err->msg, ':');
	why = why ? why + 2 : err->msg;
	char tmp[sizeof err->msg];
	snprintf(tmp, sizeof tmp, "%s", why);
	return herr(err, HEARTH_EINVAL, "%s: the file is damaged or cut short: %s", name, tmp);
}

static int check_sound(const char *path, const char *name, const char *role,
		       const struct media_limits *lim, struct found *f,
		       struct hearth_err *err)
{
	struct media_decode_report rep;
	char t1[32], t2[32];
	int rc;

	rc = media_probe_named(path, name, lim->max_pixels, &f->info, err);
	if (rc)
		return refuse_unreadable(err, rc, name);
	if (!f->info.has_audio)
		return herr(err, HEARTH_EINVAL, "%s: the %s must be a sound file, but this has no sound",
			    name, role);
	if (f->info.has_video)
		return herr(err, HEARTH_EINVAL, "%s: the %s must be sound only, but this has video too",
			    name, role);
	/* a quick refusal on the stated length before the long decode */
	if (f->info.duration > lim->max_duration) {
		fmt_clock(f->info.duration, 1, t1);
		fmt_clock(lim->max_duration, 1, t2);
		return herr(err, HEARTH_EINVAL, "%s: the %s is %s long, more than the limit of %s",
			    name, role, t1, t2);
	}
	rc = media_decode_audio_all(path, name, &rep, err);
	if (rc)
		return refuse_unreadable(err, rc, name);
	if (rep.demux_failed) {
		fmt_clock(rep.decoded, 1, t1);
		return herr(err, HEARTH_EINVAL,
			    "%s: the file is damaged or cut short: reading stopped at %s: %s",
			    name, t1, rep.error);
	}
	if (rep.errors) {
		fmt_clock(rep.first_error_at, 1, t1);
		return herr(err, HEARTH_EINVAL,
			    "%s: the file is damaged or cut short: %d decoding error%s, the first at %s: %s",
			    name, rep.errors, rep.errors == 1 ? "" : "s", t1, rep.error);
	}
	if (rep.decoded <= 0)
		return herr(err, HEARTH_EINVAL, "%s: the %s has no sound that can be decoded",
			    name, role);
	/*
	 * A file that stops early often decodes cleanly (MP3 frames are
	 * independent), so compare with the length its header states, unless
	 * that length is only a guess from the bit rate.
	 */
	if (rep.declared > 0 && !rep.declared_estimated &&
	    rep.decoded < rep.declared - (0.5 + rep.declared * 0.01)) {
		fmt_clock(rep.declared, 1, t1);
		fmt_clock(rep.decoded, 1, t2);
		return herr(err, HEARTH_EINVAL,
			    "%s: the file is cut short: it says it is %s long, but only %s of it is there",
			    name, t1, t2);
	}
	f->duration = rep.decoded;
	if (f->duration > lim->max_duration) {
		fmt_clock(f->duration, 1, t1);
		fmt_clock(lim->max_duration, 1, t2);
		return herr(err, HEARTH_EINVAL, "%s: the %s is %s long, more than the limit of %s",
			    name, role, t1, t2);
	}
	return 0;
}

/*
 * True unless path is a PNG without its closing IEND chunk near the end:
 * libavcodec decodes a cut PNG without complaint, showing what it got.
 */
static bool png_complete(const char *path, const char *mime)
{
	static const char iend[] = "\0\0\0\0IEND\xae\x42\x60\x82";
	char tail[4096];
	size_t n;
	bool found = false;
	FILE *f;

	if (strcmp(mime, "image/png"))
		return true;
	f = fopen(path, "rb");
	if (!f)
		return false;
	if (fseek(f, -(long)sizeof tail, SEEK_END) != 0)
		rewind(f);
	n = fread(tail, 1, sizeof tail, f);
	fclose(f);
	for (size_t i = 0; !found && i + 12 <= n; i++)
		found = !memcmp(tail + i, iend, 12);
	return found;
}

/*
 * True for an animated WebP: an extended (VP8X) header with its animation
 * flag set. libavcodec 59 cannot decode those at all, so say what it is.
 */
static bool webp_animated(const char *path, const char *mime)
{
	unsigned char h[21];
	bool anim = false;
	FILE *f;

	if (strcmp(mime, "image/webp"))
		return false;
	f = fopen(path, "rb");
	if (!f)
		return false;
	if (fread(h, 1, sizeof h, f) == sizeof h && !memcmp(h, "RIFF", 4) &&
	    !memcmp(h + 8, "WEBPVP8X", 8))
		anim = h[20] & 0x02;
	fclose(f);
	return anim;
}

static int too_many_pixels(const char *name, int64_t w, int64_t h,
			   const struct media_limits *lim, struct hearth_err *err)
{
	return herr(err, HEARTH_EINVAL,
		    "%s: the image is %lld x %lld pixels (%.1f megapixels), more than the limit "
		    "of %.1f megapixels",
		    name, (long long)w, (long long)h, (double)(w * h) / 1e6,
		    (double)lim->max_pixels / 1e6);
}

static int check_image(const char *path, const char *name, const char *mime,
		       const struct media_limits *lim, struct found *f,
		       struct hearth_err *err)
{
	struct media_in in;
	AVFrame *frame = NULL;
	int64_t pixels;
	int n, r, rc;

	if (!png_complete(path, mime))
		return herr(err, HEARTH_EINVAL, "%s: the file is damaged or cut short: the PNG has no end",
			    name);
	if (webp_animated(path, mime))
		return herr(err, HEARTH_EINVAL,
			    "%s: the art must be a still image, but this one is animated", name);
	/* a decompression bomb is refused on what its header says, before decoding */
	int64_t hw, hh;
	if (media_header_size(path, &hw, &hh) && hw * hh > lim->max_pixels)
		return too_many_pixels(name, hw, hh, lim, err);
	rc = media_probe_named(path, name, lim->max_pixels, &f->info, err);
	if (rc)
		return refuse_unreadable(err, rc, name);
	if (!f->info.has_video || f->info.width <= 0 || f->info.height <= 0)
		return herr(err, HEARTH_EINVAL, "%s: the art must be an image, but its size cannot be read",
			    name);
	pixels = (int64_t)f->info.width * f->info.height;
	if (pixels > lim->max_pixels)
		return too_many_pixels(name, f->info.width, f->info.height, lim, err);
	/* GIF and PNG (APNG) can move; a JPEG's frame count is not worth asking */
	if (!strcmp(mime, "image/gif") || !strcmp(mime, "image/png")) {
		rc = media_count_frames(path, name, lim->max_pixels, 2, &n, err);
		if (rc)
			return rc;
		if (n > 1)
			return herr(err, HEARTH_EINVAL,
				    "%s: the art must be a still image, but this one is animated", name);
	}
	rc = media_in_open(&in, path, name, AVMEDIA_TYPE_VIDEO, true, lim->max_pixels, err);
	if (!rc && !(frame = av_frame_alloc()))
		rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", name);
	if (!rc) {
		r = media_in_next(&in, frame, err);
		if (r == 0)
			rc = herr(err, HEARTH_EINVAL, "%s: the image has no picture that can be decoded",
				  name);
		else if (r < 0)
			rc = refuse_unreadable(err, r, name);
	}
	/* the size as shown: a picture stored on its side is recorded upright */
	if (!rc && media_image_orientation(frame, in.dec, path) >= 5) {
		int w = f->info.width;
		f->info.width = f->info.height;
		f->info.height = w;
	}
	av_frame_free(&frame);
	media_in_close(&in);
	f->duration = 0;
	return rc;
}

/* limits with the defaults in place of zero fields (limits may be NULL) */
static struct media_limits limits_or_defaults(const struct media_limits *limits)
{
	struct media_limits lim = {DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_DURATION,
				   DEFAULT_MAX_PIXELS};
	if (limits && limits->max_file_size > 0)
		lim.max_file_size = limits->max_file_size;
	if (limits && limits->max_duration > 0)
		lim.max_duration = limits->max_duration;
	if (limits && limits->max_pixels > 0)
		lim.max_pixels = limits->max_pixels;
	return lim;
}

/* The file size limit, before anything reads the contents. */
static int check_size(const char *path, const char *name, const struct media_limits *lim,
		      int64_t *size, struct hearth_err *err)
{
	char s1[32], s2[32];

	if (!path_is_file(path))
		return herr(err, path_exists(path) ? HEARTH_EINVAL : HEARTH_ENOENT,
			    "%s: %s", name,
			    path_exists(path) ? "is not a regular file" : "no such file");
	*size = file_size(path);
	if (*size > lim->max_file_size) {
		fmt_size(*size, s1);
		fmt_size(lim->max_file_size, s2);
		return herr(err, HEARTH_EINVAL, "%s: the file is %s, more than the limit of %s",
			    name, s1, s2);
	}
	if (*size == 0)
		return herr(err, HEARTH_EINVAL, "%s: the file is empty", name);
	return 0;
}

int media_cover_check(const char *path, const char *name, const struct media_limits *limits,
		      struct media_info *info, struct hearth_err *err)
{
	struct media_limits lim = limits_or_defaults(limits);
	char *mime = NULL, *desc = NULL;
	struct found f;
	int64_t size;
	int rc;

	memset(&f, 0, sizeof f);
	if (!name)
		name = path;
	if ((rc = check_size(path, name, &lim, &size, err)))
		return rc;
	rc = media_sniff(path, &mime, &desc, err);
	if (rc) {
		herr_prefix(err, "%s", name);
		goto end;
	}
	if (!media_role_allows(USE_ART, mime)) {
		rc = herr(err, HEARTH_EINVAL, "%s: the podcast image must be %s, but this is %s",
			  name, media_role_expects(USE_ART), desc);
		goto end;
	}
	if ((rc = check_image(path, name, mime, &lim, &f, err)))
		goto end;
	if (!media_cover_side(f.info.width, f.info.height))
		rc = herr(err, HEARTH_EINVAL,
			  "%s: the podcast image must be at least %d\u00d7%d pixels, but it is "
			  "%d\u00d7%d",
			  name, MEDIA_COVER_MIN, MEDIA_COVER_MIN, f.info.width, f.info.height);
	if (!rc && info)
		*info = f.info;
end:
	free(mime);
	free(desc);
	return rc;
}

int media_intake(hearth_lib *lib, const char *path, const char *display_name,
		 const struct media_limits *limits, struct lib_asset *a,
		 struct hearth_err *err)
{
	struct media_limits lim = limits_or_defaults(limits);
	const char *name = display_name ? display_name : path;
	const char *role = lib_role_name(a->role);
	char *mime = NULL, *desc = NULL, s1[32], s2[32], sha[65];
	struct found f;
	int64_t size;
	int rc;

	memset(&f, 0, sizeof f);

	if ((unsigned)a->role >= ROLE_COUNT)
		return herr(err, HEARTH_EINVAL,
			    "%s: unknown role (expected audio, music, art or transcript)", name);
	if ((rc = check_size(path, name, &lim, &size, err)))
		return rc;

	rc = media_sniff(path, &mime, &desc, err);
	if (rc) {
		herr_prefix(err, "%s", name);
		goto end;
	}
	if (!media_role_allows((enum media_use)a->role, mime)) {
		rc = herr(err, HEARTH_EINVAL, "%s: the %s must be %s, but this is %s", name, role,
			  media_role_expects((enum media_use)a->role), desc);
		goto end;
	}
	const char *claimed;
	if (!media_name_agrees(name, mime, &claimed)) {
		rc = herr(err, HEARTH_EINVAL, "%s: the name says %s, but the file is %s (%s); "
			  "rename it to match what it is", name, claimed, desc, mime);
		goto end;
	}

	if (a->role == ROLE_AUDIO || a->role == ROLE_MUSIC) {
		rc = check_sound(path, name, role, &lim, &f, err);
	} else if (a->role == ROLE_ART) {
		rc = check_image(path, name, mime, &lim, &f, err);
	} else if (size > MEDIA_MAX_TEXT_BYTES) {
		fmt_size(size, s1);
		fmt_size(MEDIA_MAX_TEXT_BYTES, s2);
		rc = herr(err, HEARTH_EINVAL, "%s: the %s is %s, more than the limit of %s for text",
			  name, role, s1, s2);
	} else {
		rc = media_transcript_named(path, name, 0, NULL, NULL, err);
	}
	if (rc)
		goto end;

	/* a hash the bundle reader took is used, not taken again */
	rc = a->sha256 ? lib_store_add_known(lib, path, a->sha256, &a->seen, err)
		       : lib_store_add(lib, path, sha, err);
	if (rc) {
		herr_prefix(err, "%s", name);
		goto end;
	}
	if (!a->sha256)
		a->sha256 = xstrdup(sha);
	a->mime = mime;
	mime = NULL;
	a->size = size;
	a->duration = f.duration;
	a->width = f.info.width;
	a->height = f.info.height;
	a->codec = f.info.codec[0] ? xstrdup(f.info.codec) : NULL;
	a->sample_rate = f.info.sample_rate;
	a->channels = f.info.channels;
end:
	free(mime);
	free(desc);
	return rc;
}

int media_cover_check_cached(hearth_lib *lib, const char *salt, const char *path,
			     const char *sha256, const char *name,
			     const struct media_limits *limits, struct media_info *info,
			     struct hearth_err *err)
{
	int rc = media_cover_check_lookup(lib, salt, path, sha256, name, limits, info, err);
	if (rc != MEDIA_UNCACHED)
		return rc;
	if ((rc = media_cover_check(path, name, limits, info, err)) == 0 && sha256 && *sha256)
		media_cover_check_remember(lib, salt, sha256, limits, info, NULL);
	return rc;
}
