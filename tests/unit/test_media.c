/*
 * test_media.c - media/: sniffing and allow-lists, intake refusals, probing,
 * the MP3 and JPEG renditions (and that no source metadata survives), the
 * rendition cache, and transcripts. Fixtures are made at run time with the
 * ffmpeg program (only tests may use it) in the test's scratch folder.
 */
#define _GNU_SOURCE
#include "../../media/mediaInt.h"
#include "t.h"

#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

/* ---- the single-purpose forms, over the one way in ------------------------ */

static int media_audio_mp3(const char *src, const char *dst, enum media_audio_kind kind,
			   const struct media_tags *tags, struct hearth_err *err)
{
	struct media_job job = {.kind = MEDIA_MP3, .audio = {.kind = kind}, .tags = tags};
	return media_render(src, dst, &job, NULL, err);
}

static int media_image_jpeg(const char *src, const char *dst, int max_width, int *w,
			    int *h, struct hearth_err *err)
{
	struct media_job job = {.kind = MEDIA_JPEG, .width = max_width};
	struct media_result r = {0};
	int rc = media_render(src, dst, &job, &r, err);
	if (!rc) {
		if (w)
			*w = r.width;
		if (h)
			*h = r.height;
	}
	media_result_release(&r);
	return rc;
}

/* A cached rendition of a stored asset: its path in *out, and whether it was made. */
static int cached(hearth_lib *lib, const struct lib_asset *a, const struct media_job *job,
		  char **out, int *w, int *h, bool *made, struct hearth_err *err)
{
	struct media_result r = {0};
	char *src = lib_store_path(lib, a->sha256);
	int rc = media_cached(lib, src, a->sha256, job, &r, err);
	free(src);
	*out = NULL;
	if (!rc) {
		*out = xstrdup(r.path);
		if (made)
			*made = r.made;
		if (w)
			*w = r.width;
		if (h)
			*h = r.height;
	}
	media_result_release(&r);
	return rc;
}

static int media_cached_mp3(hearth_lib *lib, const struct lib_asset *a,
			    enum media_audio_kind kind, const struct media_tags *tags,
			    char **out, bool *made, struct hearth_err *err)
{
	struct media_job job = {.kind = MEDIA_MP3, .audio = {.kind = kind}, .tags = tags};
	return cached(lib, a, &job, out, NULL, NULL, made, err);
}

static int media_cached_jpeg(hearth_lib *lib, const struct lib_asset *a, int max_width,
			     char **out, int *w, int *h, bool *made, struct hearth_err *err)
{
	struct media_job job = {.kind = MEDIA_JPEG, .width = max_width};
	if (max_width <= 0)
		return herr(err, HEARTH_EINVAL, "the image width must be positive, not %d",
			    max_width);
	return cached(lib, a, &job, out, w, h, made, err);
}

/* ---- helpers -------------------------------------------------------------- */

static bool fixtures_ok;

/* Every fixture the tests use, made once. */
static void make_fixtures(void)
{
	int bad = 0;
	bad |= sh(FF "-f lavfi -i sine=frequency=440:duration=3 tone.wav");
	bad |= sh(FF "-i tone.wav tone.flac");
	bad |= sh(FF "-i tone.wav -c:a libmp3lame -b:a 128k tone.mp3");
	bad |= sh(FF "-i tone.wav -c:a libvorbis tone.ogg");
	bad |= sh(FF "-i tone.wav -c:a libopus tone.opus");
	bad |= sh(FF "-i tone.wav -c:a aac tone.m4a");
	bad |= sh(FF "-i tone.wav -c:a aac -f adts tone.aac");
	bad |= sh(FF "-i tone.wav -c:a libopus tone.webm");
	bad |= sh(FF "-i tone.wav -c:a aac -f mp4 audio-only.mp4");
	bad |= sh(FF "-f lavfi -i testsrc=size=160x120:rate=10 -i tone.wav -t 1 "
		     "-c:v mpeg4 -c:a aac video.mp4");
	bad |= sh(FF "-f lavfi -i sine=frequency=330:duration=4:sample_rate=48000 -ac 2 "
		     "-metadata comment=SECRETCOMMENT -metadata artist=REALNAME "
		     "-metadata title=REALTITLE secret.flac");
	bad |= sh(FF "-i secret.flac -c:a libmp3lame -id3v2_version 3 secret.mp3");
	bad |= sh(FF "-f lavfi -i testsrc=size=320x240 -frames:v 1 pic.png");
	bad |= sh(FF "-f lavfi -i testsrc=size=320x240 -frames:v 1 pic.jpg");
	bad |= sh(FF "-f lavfi -i testsrc=size=320x240 -frames:v 1 pic.webp");
	bad |= sh(FF "-f lavfi -i testsrc=size=320x240 -frames:v 1 pic.gif");
	bad |= sh(FF "-f lavfi -i testsrc=size=320x240:rate=5 -t 1 anim.gif");
	bad |= sh(FF "-f lavfi -i testsrc=size=333x101 -frames:v 1 odd.png");
	bad |= sh(FF "-f lavfi -i color=c=red@0.0:size=64x48,format=rgba -frames:v 1 "
		     "clear.png");
	bad |= sh(FF "-f lavfi -i testsrc=size=160x120:rate=5 -t 1 -plays 0 -f apng anim.png");
	bad |= sh(FF "-f lavfi -i testsrc=size=160x120:rate=5 -t 1 -loop 0 -c:v libwebp_anim "
		     "anim.webp");
	bad |= sh(FF "-i tone.wav -i pic.png -map 0 -map 1 -c:a libmp3lame -c:v png "
		     "-disposition:v attached_pic cover.mp3");
	bad |= sh(FF "-i tone.wav -i pic.jpg -map 0 -map 1 -c:a aac -c:v copy "
		     "-disposition:v attached_pic cover.m4a");
	/* art: a picture as it should be shown, with a red corner top left and a
	 * lime one top right, stored turned each of the 8 EXIF ways */
	bad |= sh(FF "-f lavfi -i color=c=blue:s=320x240,"
		     "drawbox=x=0:y=0:w=80:h=60:color=red:t=fill,"
		     "drawbox=x=240:y=0:w=80:h=60:color=lime:t=fill -frames:v 1 truth.png");
	static const char *const stored_as[9] = {
		NULL, "null", "hflip", "hflip,vflip", "vflip", "transpose=cclock_flip",
		"transpose=cclock", "transpose=clock_flip", "transpose=clock"};
	for (int o = 1; o <= 8; o++)
		bad |= sh(FF "-i truth.png -vf %s -q:v 2 o%d-plain.jpg", stored_as[o], o);
	bad |= sh(FF "-i truth.png -vf transpose=cclock o6-plain.png");
	/* grey, 2400x1600, white bands at the sides: a square cover keeps x 400
	 * to 2000, so 100 px of the left band and none of the right one */
	bad |= sh(FF "-f lavfi -i color=c=gray:s=2400x1600,"
		     "drawbox=x=0:y=0:w=500:h=1600:color=white:t=fill,"
		     "drawbox=x=2100:y=0:w=300:h=1600:color=white:t=fill,format=gray "
		     "-frames:v 1 -q:v 2 wide-grey.jpg");
	bad |= sh(FF "-f lavfi -i color=c=red@0.5:size=64x48,format=rgba -frames:v 1 half.png");
	bad |= sh(FF "-f lavfi -i color=c=black:s=2000x2000 -frames:v 1 big.png");
	bad |= sh("printf 'just some words\\n' > words.txt");
	bad |= sh("printf '# A story\\n\\nIt was *hard*, then less so.\\n' > story.md");
	fixtures_ok = !bad;
}

static void fixtures(void)
{
	CHECK(fixtures_ok);
}

/* A use by its name: a role, or "text"; one past the known for anything else. */
static enum media_use use_of(const char *name)
{
	enum lib_role r;
	if (name && !strcmp(name, "text"))
		return USE_TEXT;
	return lib_role_parse(name, &r) ? (enum media_use)(USE_TEXT + 1) : (enum media_use)r;
}

static struct lib_asset asset(const char *role)
{
	struct lib_asset a;
	memset(&a, 0, sizeof a);
	a.role = (enum lib_role)use_of(role);
	return a;
}

static void asset_release(struct lib_asset *a)
{
	free(a->sha256);
	free(a->mime);
	free(a->codec);
	memset(a, 0, sizeof *a);
}

/* A fresh library in the scratch folder. */
static hearth_lib *new_lib(const char *name)
{
	struct hearth_err err;
	hearth_lib *lib = NULL;
	const char *dir = tp(name);
	if (lib_init(dir, &err) != 0 || lib_open(dir, &lib, &err) != 0) {
		printf("# cannot make a library: %s\n", err.msg);
		return NULL;
	}
	return lib;
}

static bool file_has(const char *path, const char *needle)
{
	struct buf b = BUF_INIT;
	struct hearth_err err;
	bool found = false;
	if (file_read(path, &b, &err) == 0)
		found = memmem(b.data, b.len, needle, strlen(needle)) != NULL;
	buf_release(&b);
	return found;
}

static bool near(double a, double b, double tol)
{
	return a > b - tol && a < b + tol;
}

/* ---- identify -------------------------------------------------------------- */

/* The size a picture's header declares, read without decoding, for each format. */
static void header_size_without_decoding(void)
{
	static const struct {
		const char *file, *args;
		int64_t w, h;
	} cases[] = {
		{"head.png", "-c:v png", 321, 243},
		{"head.jpg", "-c:v mjpeg", 322, 244},
		{"head.webp", "-c:v libwebp", 323, 245},
		{"head-lossless.webp", "-c:v libwebp -lossless 1", 324, 246},
		{"head.gif", "-c:v gif", 325, 247},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int64_t w = 0, h = 0;
		CHECK(sh(FF "-f lavfi -i testsrc=size=%lldx%lld -frames:v 1 %s '%s'",
			 (long long)cases[i].w, (long long)cases[i].h, cases[i].args,
			 tp(cases[i].file)) == 0);
		CHECK(media_header_size(tp(cases[i].file), &w, &h));
		if (w != cases[i].w || h != cases[i].h)
			printf("# %s: header says %lldx%lld\n", cases[i].file, (long long)w,
			       (long long)h);
		CHECK(w == cases[i].w && h == cases[i].h);
	}
	int64_t w, h;
	CHECK(!media_header_size(tp("tone.flac"), &w, &h));
	CHECK(!media_header_size(tp("no-such-file.png"), &w, &h));
}

/* A name that claims one kind of file for content of another is refused. */
static void name_must_agree_with_content(void)
{
	const char *claimed = NULL;
	CHECK(media_name_agrees("voice.mp3", "audio/mpeg", &claimed));
	CHECK(media_name_agrees("VOICE.MP3", "audio/mpeg", &claimed));
	CHECK(media_name_agrees("voice.flac", "audio/flac", &claimed));
	CHECK(media_name_agrees("song.ogg", "audio/ogg", &claimed));
	CHECK(media_name_agrees("notes.vtt", "text/vtt", &claimed));
	CHECK(media_name_agrees("recording", "audio/flac", &claimed));
	CHECK(media_name_agrees("recording.mka", "audio/flac", &claimed));
	CHECK(!media_name_agrees("voice.mp3", "audio/flac", &claimed));
	CHECK_STR(claimed, "MP3 audio");
	CHECK(!media_name_agrees("photo.png", "image/jpeg", &claimed));
	CHECK_STR(claimed, "a PNG image");
	CHECK(!media_name_agrees("subs.vtt", "application/x-subrip", &claimed));

	/* and intake says so, naming the file, the claim and the content */
	struct hearth_err err = {0};
	hearth_lib *lib = new_lib("name-agrees");
	struct lib_asset a = asset("audio");
	CHECK(sh("cp '%s' '%s'", tp("tone.flac"), tp("disguised.mp3")) == 0);
	CHECK(media_intake(lib, tp("disguised.mp3"), "disguised.mp3", NULL, &a, &err) ==
	      HEARTH_EINVAL);
	CHECK(strstr(err.msg, "disguised.mp3") && strstr(err.msg, "MP3") &&
	      strstr(err.msg, "FLAC"));
	CHECK(a.sha256 == NULL);
	asset_release(&a);
	lib_close(&lib);
}

static void sniff_reports_what_libmagic_sees(void)
{
	static const struct {
		const char *file, *mime, *role;
	} cases[] = {
		{"tone.wav", "audio/x-wav", "audio"},
		{"tone.flac", "audio/flac", "audio"},
		{"tone.mp3", "audio/mpeg", "audio"},
		{"tone.ogg", "audio/ogg", "music"},
		{"tone.opus", "audio/ogg", "audio"},
		{"tone.m4a", "audio/x-m4a", "audio"},
		{"tone.aac", "audio/x-hx-aac-adts", "audio"},
		{"tone.webm", "video/webm", "audio"},
		{"audio-only.mp4", "video/mp4", "audio"},
		{"pic.png", "image/png", "art"},
		{"pic.jpg", "image/jpeg", "art"},
		{"pic.webp", "image/webp", "art"},
		{"pic.gif", "image/gif", "art"},
		{"story.md", "text/plain", "text"},
		{"words.txt", "text/plain", "transcript"},
	};
	struct hearth_err err;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *mime = NULL, *desc = NULL;
		CHECK_OK(media_sniff(tp(cases[i].file), &mime, &desc, &err), &err);
		if (strcmp(mime, cases[i].mime))
			printf("# %s: %s (%s)\n", cases[i].file, mime, desc);
		bool same = !strcmp(mime, cases[i].mime);
		bool allowed = media_role_allows(use_of(cases[i].role), mime);
		free(mime);
		free(desc);
		CHECK(same);
		CHECK(allowed);
	}
	char *desc = NULL;
	CHECK_OK(media_sniff(tp("words.txt"), NULL, &desc, &err), &err);
	bool ascii = strstr(desc, "ASCII text") != NULL;
	free(desc);
	CHECK(ascii);
	CHECK(media_sniff(tp("no-such-file"), NULL, &desc, &err) != 0);
}

static void allow_lists_by_role(void)
{
	CHECK(media_role_allows(use_of("audio"), "audio/flac"));
	CHECK(media_role_allows(use_of("music"), "application/ogg"));
	CHECK(!media_role_allows(use_of("audio"), "image/png"));
	CHECK(!media_role_allows(use_of("audio"), "text/plain"));
	CHECK(!media_role_allows(use_of("art"), "audio/mpeg"));
	CHECK(!media_role_allows(use_of("art"), "image/svg+xml"));
	CHECK(!media_role_allows(use_of("art"), "image/tiff"));
	CHECK(media_role_allows(use_of("transcript"), "text/vtt"));
	CHECK(media_role_allows(use_of("transcript"), "application/x-subrip"));
	CHECK(!media_role_allows(use_of("transcript"), "text/html"));
	CHECK(media_role_allows(use_of("text"), "text/markdown"));
	CHECK(!media_role_allows(use_of("text"), "application/octet-stream"));
	CHECK(!media_role_allows(use_of("video"), "video/mp4"));
	CHECK(!media_role_allows(use_of(NULL), "audio/flac"));
	CHECK(!media_role_allows(use_of("audio"), NULL));
}

/* ---- intake ---------------------------------------------------------------- */

/* Intake of file (copied to the scratch folder as shown) as role. */
static int intake_as(hearth_lib *lib, const char *file, const char *shown,
		     const char *role, const struct media_limits *lim,
		     struct lib_asset *a, struct hearth_err *err)
{
	*a = asset(role);
	return media_intake(lib, tp(file), shown, lim, a, err);
}

static bool store_is_empty(hearth_lib *lib)
{
	char *s = path_join(lib_dir(lib), "store");
	char *cmd = xasprintf("test -z \"$(find '%s' -type f)\"", s);
	int rc = system(cmd);
	free(cmd);
	free(s);
	return rc == 0;
}

static void intake_refuses_text_named_mp3(void)
{
	struct hearth_err err;
	struct lib_asset a;
	hearth_lib *lib = new_lib("lib-text-mp3");
	CHECK(lib);
	CHECK(sh("printf 'Hello, this is not a sound.\\n' > narration.mp3") == 0);
	int rc = intake_as(lib, "narration.mp3", "narration.mp3", "audio", NULL, &a, &err);
	asset_release(&a);
	bool empty = store_is_empty(lib);
	lib_close(&lib);
	CHECK(rc == HEARTH_EINVAL);
	CHECK_STR(err.msg, "narration.mp3: the audio must be a sound file (WAV, FLAC, "
			   "MP3, AAC/M4A, Ogg, WebM), but this is ASCII text");
	CHECK(empty);
}

static void intake_refuses_image_as_audio(void)
{
	struct hearth_err err;
	struct lib_asset a;
	hearth_lib *lib = new_lib("lib-png-audio");
	CHECK(lib);
	int rc = intake_as(lib, "pic.png", "music/song.wav", "music", NULL, &a, &err);
	asset_release(&a);
	lib_close(&lib);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(str_starts(err.msg, "music/song.wav: the music must be a sound file"));
	CHECK(strstr(err.msg, "but this is PNG image data") != NULL);
}

static void intake_refuses_truncated_audio(void)
{
	static const char *const files[] = {"tone.flac", "tone.mp3", "tone.webm"};
	struct hearth_err err;
	struct lib_asset a;
	hearth_lib *lib = new_lib("lib-truncated");
	CHECK(lib);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char cut[64];
		snprintf(cut, sizeof cut, "cut-%s", files[i]);
		CHECK(sh("cp %s %s && truncate -s $(( $(stat -c %%s %s) / 2 )) %s",
			 files[i], cut, cut, cut) == 0);
		int rc = intake_as(lib, cut, cut, "audio", NULL, &a, &err);
		asset_release(&a);
		if (rc != HEARTH_EINVAL)
			printf("# %s: accepted\n", cut);
		CHECK(rc == HEARTH_EINVAL);
		CHECK(str_starts(err.msg, cut));
		CHECK(strstr(err.msg, "cut short") != NULL);
	}
	CHECK(store_is_empty(lib));
	lib_close(&lib);
}

static void intake_accepts_sound_and_fills_asset(void)
{
	static const struct {
		const char *file, *codec, *mime;
		int rate;
	} cases[] = {
		{"tone.wav", "pcm_s16le", "audio/x-wav", 44100},
		{"tone.flac", "flac", "audio/flac", 44100},
		{"tone.mp3", "mp3", "audio/mpeg", 44100},
		{"tone.ogg", "vorbis", "audio/ogg", 44100},
		{"tone.opus", "opus", "audio/ogg", 48000},
		{"tone.m4a", "aac", "audio/x-m4a", 44100},
		{"tone.aac", "aac", "audio/x-hx-aac-adts", 44100},
		{"tone.webm", "opus", "video/webm", 48000},
		{"audio-only.mp4", "aac", "video/mp4", 44100},
		{"cover.mp3", "mp3", "audio/mpeg", 44100},
		{"cover.m4a", "aac", "audio/x-m4a", 44100},
	};
	struct hearth_err err;
	struct lib_asset a;
	hearth_lib *lib = new_lib("lib-sound");
	CHECK(lib);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = intake_as(lib, cases[i].file, cases[i].file, "audio", NULL, &a, &err);
		if (rc)
			printf("# %s: %s\n", cases[i].file, err.msg);
		bool ok = rc == 0 && a.sha256 && strlen(a.sha256) == 64 && a.mime &&
			  !strcmp(a.mime, cases[i].mime) && a.codec &&
			  !strcmp(a.codec, cases[i].codec) && a.sample_rate == cases[i].rate &&
			  a.channels == 1 && near(a.duration, 3.0, 0.1) &&
			  a.size == file_size(tp(cases[i].file)) && a.width == 0;
		if (!ok && rc == 0)
			printf("# %s: mime %s codec %s rate %d channels %d duration %.3f\n",
			       cases[i].file, a.mime, a.codec, a.sample_rate, a.channels,
			       a.duration);
		char *stored = ok ? lib_store_path(lib, a.sha256) : NULL;
		bool there = stored && path_is_file(stored);
		free(stored);
		asset_release(&a);
		CHECK(ok);
		CHECK(there);
	}
	lib_close(&lib);
}

static void intake_refuses_video_and_limits(void)
{
	struct hearth_err err;
	struct lib_asset a;
	struct media_limits lim = {0, 0, 0};
	hearth_lib *lib = new_lib("lib-limits");
	CHECK(lib);

	int rc = intake_as(lib, "video.mp4", "clip.mp4", "audio", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK_STR(err.msg, "clip.mp4: the audio must be sound only, but this has video too");

	lim.max_duration = 2;
	rc = intake_as(lib, "tone.flac", "long.flac", "audio", &lim, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "long.flac: the audio is 0:03 long, more than the limit of 0:02"));

	lim.max_duration = 0;
	lim.max_file_size = 1000;
	rc = intake_as(lib, "tone.wav", "big.wav", "audio", &lim, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK_STR(err.msg, "big.wav: the file is 265 kB, more than the limit of 1 kB");

	lim.max_file_size = 0;
	lim.max_pixels = 320 * 200;
	rc = intake_as(lib, "pic.png", "huge.png", "art", &lim, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(str_starts(err.msg, "huge.png: the image is 320 x 240 pixels"));

	rc = intake_as(lib, "tone.wav", "x.wav", "video", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "x.wav: unknown role") != NULL);

	rc = intake_as(lib, "missing.wav", "missing.wav", "audio", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_ENOENT);
	CHECK(store_is_empty(lib));
	lib_close(&lib);
}

static void intake_art(void)
{
	static const char *const stills[] = {"pic.png", "pic.jpg", "pic.webp", "pic.gif"};
	struct hearth_err err;
	struct lib_asset a;
	hearth_lib *lib = new_lib("lib-art");
	CHECK(lib);
	for (size_t i = 0; i < sizeof stills / sizeof stills[0]; i++) {
		int rc = intake_as(lib, stills[i], stills[i], "art", NULL, &a, &err);
		if (rc)
			printf("# %s: %s\n", stills[i], err.msg);
		bool ok = rc == 0 && a.width == 320 && a.height == 240 && a.duration == 0 &&
			  a.mime && str_starts(a.mime, "image/");
		asset_release(&a);
		CHECK(ok);
	}
	int rc = intake_as(lib, "anim.gif", "moving.gif", "art", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK_STR(err.msg, "moving.gif: the art must be a still image, but this one is animated");
	rc = intake_as(lib, "anim.png", "moving.png", "art", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK_STR(err.msg, "moving.png: the art must be a still image, but this one is animated");
	rc = intake_as(lib, "anim.webp", "moving.webp", "art", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK_STR(err.msg, "moving.webp: the art must be a still image, but this one is animated");

	rc = intake_as(lib, "tone.mp3", "cover.jpg", "art", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(str_starts(err.msg, "cover.jpg: the art must be an image (JPEG, PNG, WebP or "
				  "a still GIF), but this is Audio file"));

	/* cut images: libavcodec would conceal the missing part */
	CHECK(sh("head -c $(( $(stat -c %%s pic.jpg) / 2 )) pic.jpg > cut.jpg && "
		 "head -c $(( $(stat -c %%s pic.png) / 2 )) pic.png > cut.png") == 0);
	rc = intake_as(lib, "cut.jpg", "cut.jpg", "art", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(str_starts(err.msg, "cut.jpg: the file is damaged or cut short"));
	rc = intake_as(lib, "cut.png", "cut.png", "art", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(str_starts(err.msg, "cut.png: the file is damaged or cut short"));
	lib_close(&lib);
}

static void intake_text_and_transcripts(void)
{
	struct hearth_err err;
	struct lib_asset a;
	hearth_lib *lib = new_lib("lib-text");
	CHECK(lib);
	CHECK(sh("printf 'WEBVTT\\n\\n00:00.000 --> 00:01.000\\nHello\\n' > ok.vtt") == 0);
	CHECK(sh("printf '1\\n00:00:00,000 --> 00:00:01,000\\nHello\\n' > ok.srt") == 0);
	CHECK(sh("printf 'Caf\\303\\251 story\\n' > utf8.md") == 0);

	int rc = intake_as(lib, "ok.vtt", "ok.vtt", "transcript", NULL, &a, &err);
	CHECK_OK(rc, &err);
	CHECK_STR(a.mime, "text/vtt");
	asset_release(&a);
	CHECK_OK(intake_as(lib, "ok.srt", "ok.srt", "transcript", NULL, &a, &err), &err);
	CHECK_STR(a.mime, "application/x-subrip");
	asset_release(&a);
	rc = intake_as(lib, "words.txt", "words.vtt", "transcript", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(str_starts(err.msg, "words.vtt: has no cues: a transcript is WebVTT"));

	/* text is no asset: intake takes only a story's roles */
	rc = intake_as(lib, "utf8.md", "utf8.md", "text", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL && strstr(err.msg, "unknown role"));
	lib_close(&lib);
}

/* ---- probe ----------------------------------------------------------------- */

static void probe_values(void)
{
	struct hearth_err err;
	struct media_info m;

	CHECK_OK(media_probe(tp("tone.wav"), &m, &err), &err);
	CHECK(near(m.duration, 3.0, 0.1));
	CHECK(m.sample_rate == 44100 && m.channels == 1 && m.has_audio && !m.has_video);
	CHECK_STR(m.codec, "pcm_s16le");

	CHECK_OK(media_probe(tp("secret.flac"), &m, &err), &err);
	CHECK(near(m.duration, 4.0, 0.1));
	CHECK(m.sample_rate == 48000 && m.channels == 2);
	CHECK_STR(m.codec, "flac");

	CHECK_OK(media_probe(tp("tone.mp3"), &m, &err), &err);
	CHECK(near(m.duration, 3.0, 0.1));
	CHECK_STR(m.codec, "mp3");
	CHECK_OK(media_probe(tp("tone.ogg"), &m, &err), &err);
	CHECK(near(m.duration, 3.0, 0.1));
	CHECK_STR(m.codec, "vorbis");
	CHECK_OK(media_probe(tp("tone.m4a"), &m, &err), &err);
	CHECK(near(m.duration, 3.0, 0.1));
	CHECK_STR(m.codec, "aac");

	static const char *const pics[] = {"pic.png", "pic.jpg", "pic.webp", "pic.gif"};
	static const char *const codecs[] = {"png", "mjpeg", "webp", "gif"};
	for (int i = 0; i < 4; i++) {
		CHECK_OK(media_probe(tp(pics[i]), &m, &err), &err);
		if (m.width != 320 || m.height != 240 || strcmp(m.codec, codecs[i]))
			printf("# %s: %dx%d %s\n", pics[i], m.width, m.height, m.codec);
		CHECK(m.width == 320 && m.height == 240 && m.has_video && !m.has_audio);
		CHECK_STR(m.codec, codecs[i]);
		CHECK(m.duration == 0);
	}
	CHECK(media_probe(tp("words.txt"), &m, &err) != 0);
	CHECK(str_starts(err.msg, tp("words.txt")));
}

/* ---- renditions ------------------------------------------------------------- */

static void mp3_rendition_speech(void)
{
	struct hearth_err err;
	struct media_info m;
	struct media_tags tags = {.title = "Our Title", .artist = "A. Peer", .album = "Hearth Stories"};
	const char *out = tp("speech.mp3");

	CHECK_OK(media_audio_mp3(tp("secret.flac"), out, AUDIO_SPEECH, &tags, &err), &err);
	CHECK_OK(media_probe(out, &m, &err), &err);
	CHECK_STR(m.codec, "mp3");
	CHECK(m.sample_rate == 44100 && m.channels == 1);
	CHECK(near(m.duration, 4.0, 0.1));
	double kbps = (double)file_size(out) * 8 / m.duration / 1000;
	if (!near(kbps, 96, 6))
		printf("# %.1f kbit/s\n", kbps);
	CHECK(near(kbps, 96, 6));
	CHECK(file_has(out, "Our Title"));
	CHECK(file_has(out, "A. Peer"));
	CHECK(file_has(out, "Hearth Stories"));
	CHECK(!file_has(out, "SECRETCOMMENT"));
	CHECK(!file_has(out, "REALNAME"));
	CHECK(!file_has(out, "REALTITLE"));
	/* only the three frames asked for: no comment, no encoder tag */
	CHECK(!file_has(out, "COMM"));
	CHECK(!file_has(out, "TSSE"));
	CHECK(!file_has(out, "TXXX"));
	struct buf b = BUF_INIT;
	CHECK_OK(file_read(out, &b, &err), &err);
	bool id3v24 = b.len > 10 && !memcmp(b.data, "ID3\x04", 4);
	buf_release(&b);
	CHECK(id3v24);
	CHECK(sh("ls speech.mp3.tmp-* >/dev/null 2>&1") != 0);
}

static void mp3_rendition_music_from_tagged_mp3(void)
{
	struct hearth_err err;
	struct media_info m;
	struct media_tags tags = {.title = "Song", .artist = NULL, .album = NULL};
	const char *out = tp("music.mp3");

	CHECK(file_has(tp("secret.mp3"), "SECRETCOMMENT"));
	CHECK_OK(media_audio_mp3(tp("secret.mp3"), out, AUDIO_MUSIC, &tags, &err), &err);
	CHECK_OK(media_probe(out, &m, &err), &err);
	CHECK(m.sample_rate == 44100 && m.channels == 2);
	CHECK(near(m.duration, 4.0, 0.15));
	double kbps = (double)file_size(out) * 8 / m.duration / 1000;
	CHECK(near(kbps, 160, 10));
	CHECK(file_has(out, "Song"));
	CHECK(!file_has(out, "SECRETCOMMENT"));
	CHECK(!file_has(out, "REALNAME"));

	/* mono sources become stereo for music; speech from a 48 kHz Opus */
	CHECK_OK(media_audio_mp3(tp("tone.wav"), out, AUDIO_MUSIC, NULL, &err), &err);
	CHECK_OK(media_probe(out, &m, &err), &err);
	CHECK(m.channels == 2 && near(m.duration, 3.0, 0.1));
	CHECK_OK(media_audio_mp3(tp("tone.opus"), out, AUDIO_SPEECH, NULL, &err), &err);
	CHECK_OK(media_probe(out, &m, &err), &err);
	CHECK(m.channels == 1 && m.sample_rate == 44100 && near(m.duration, 3.0, 0.1));

	/* cover art stays behind: sound only */
	CHECK_OK(media_audio_mp3(tp("cover.m4a"), out, AUDIO_SPEECH, NULL, &err), &err);
	CHECK_OK(media_probe(out, &m, &err), &err);
	CHECK(m.has_audio && !m.has_video && m.width == 0);
	CHECK(!file_has(out, "APIC"));
	CHECK_OK(media_probe(tp("cover.mp3"), &m, &err), &err);
	CHECK(m.has_audio && !m.has_video && near(m.duration, 3.0, 0.1));

	/* a failure leaves nothing behind, and not the old file half-written */
	CHECK(media_audio_mp3(tp("pic.png"), tp("nothing.mp3"), AUDIO_SPEECH, NULL, &err) != 0);
	CHECK(!path_exists(tp("nothing.mp3")));
	CHECK(sh("ls nothing.mp3.tmp-* >/dev/null 2>&1") != 0);
}

/* Same input, same settings: the same bytes (builds are deterministic). */
static void renditions_are_deterministic(void)
{
	struct hearth_err err;
	struct media_tags tags = {.title = "T", .artist = "A", .album = "B"};
	struct buf a = BUF_INIT, b = BUF_INIT;
	CHECK_OK(media_audio_mp3(tp("secret.flac"), tp("d1.mp3"), AUDIO_MUSIC, &tags, &err), &err);
	CHECK_OK(media_audio_mp3(tp("secret.flac"), tp("d2.mp3"), AUDIO_MUSIC, &tags, &err), &err);
	CHECK_OK(media_image_jpeg(tp("pic.png"), tp("d1.jpg"), 200, NULL, NULL, &err), &err);
	CHECK_OK(media_image_jpeg(tp("pic.png"), tp("d2.jpg"), 200, NULL, NULL, &err), &err);
	CHECK_OK(file_read(tp("d1.mp3"), &a, &err), &err);
	CHECK_OK(file_read(tp("d2.mp3"), &b, &err), &err);
	bool same_mp3 = a.len == b.len && !memcmp(a.data, b.data, a.len);
	buf_reset(&a);
	buf_reset(&b);
	int r1 = file_read(tp("d1.jpg"), &a, &err), r2 = file_read(tp("d2.jpg"), &b, &err);
	bool same_jpg = !r1 && !r2 && a.len == b.len && !memcmp(a.data, b.data, a.len);
	buf_release(&a);
	buf_release(&b);
	CHECK(same_mp3);
	CHECK(same_jpg);
}

/*
 * A JPEG with an APP1 Exif segment spliced in after SOI: a big-endian TIFF
 * header with an empty IFD, followed by a GPS-looking marker string.
 */
static int make_exif_jpeg(const char *src, const char *dst)
{
	static const char marker[] = "GPSLatitude 51.5074 N HEARTHGPSMARKER";
	struct hearth_err err;
	struct buf in = BUF_INIT, out = BUF_INIT;
	unsigned char tiff[] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0};
	size_t seg = 2 + 6 + sizeof tiff + sizeof marker;
	int rc = file_read(src, &in, &err);

	if (rc || in.len < 4 || (unsigned char)in.data[0] != 0xff ||
	    (unsigned char)in.data[1] != 0xd8) {
		buf_release(&in);
		return -1;
	}
	buf_add(&out, in.data, 2);
	buf_add(&out, "\xff\xe1", 2);
	buf_putc(&out, (char)(seg >> 8));
	buf_putc(&out, (char)(seg & 0xff));
	buf_add(&out, "Exif\0\0", 6);
	buf_add(&out, tiff, sizeof tiff);
	buf_add(&out, marker, sizeof marker);
	buf_add(&out, in.data + 2, in.len - 2);
	rc = file_write_atomic(dst, out.data, out.len, &err);
	buf_release(&in);
	buf_release(&out);
	return rc;
}

static void jpeg_rendition(void)
{
	struct hearth_err err;
	struct media_info m;
	int w = 0, h = 0;

	CHECK(make_exif_jpeg(tp("pic.jpg"), tp("exif.jpg")) == 0);
	CHECK(file_has(tp("exif.jpg"), "Exif"));
	CHECK(file_has(tp("exif.jpg"), "HEARTHGPSMARKER"));

	CHECK_OK(media_image_jpeg(tp("exif.jpg"), tp("web.jpg"), 160, &w, &h, &err), &err);
	CHECK(w == 160 && h == 120);
	CHECK_OK(media_probe(tp("web.jpg"), &m, &err), &err);
	CHECK(m.width == 160 && m.height == 120);
	CHECK_STR(m.codec, "mjpeg");
	CHECK(!file_has(tp("web.jpg"), "Exif"));
	CHECK(!file_has(tp("web.jpg"), "HEARTHGPSMARKER"));
	CHECK(!file_has(tp("web.jpg"), "Lavc"));

	/* never upscaled */
	CHECK_OK(media_image_jpeg(tp("pic.webp"), tp("same.jpg"), 1000, &w, &h, &err), &err);
	CHECK(w == 320 && h == 240);
	/* aspect kept, rounded */
	CHECK_OK(media_image_jpeg(tp("odd.png"), tp("odd.jpg"), 100, &w, &h, &err), &err);
	CHECK(w == 100 && h == 30);
	CHECK_OK(media_image_jpeg(tp("pic.gif"), tp("gif.jpg"), 200, NULL, NULL, &err), &err);
	CHECK_OK(media_probe(tp("gif.jpg"), &m, &err), &err);
	CHECK(m.width == 200 && m.height == 150);

	/* transparency lands on white */
	CHECK_OK(media_image_jpeg(tp("clear.png"), tp("clear.jpg"), 64, &w, &h, &err), &err);
	CHECK(sh(FF "-i clear.jpg -f rawvideo -pix_fmt rgb24 clear.rgb") == 0);
	struct buf px = BUF_INIT;
	CHECK_OK(file_read(tp("clear.rgb"), &px, &err), &err);
	bool white = px.len == 64 * 48 * 3;
	for (size_t i = 0; white && i < px.len; i++)
		white = (unsigned char)px.data[i] >= 250;
	buf_release(&px);
	CHECK(white);

	CHECK(media_image_jpeg(tp("tone.wav"), tp("none.jpg"), 100, &w, &h, &err) != 0);
	CHECK(!path_exists(tp("none.jpg")));
	CHECK(media_image_jpeg(tp("pic.png"), tp("none.jpg"), 0, &w, &h, &err) == HEARTH_EINVAL);
}

/* ---- art: orientation, no metadata, widths, covers ------------------------ */

static void be16(struct buf *b, unsigned v)
{
	buf_putc(b, (char)(v >> 8 & 0xff));
	buf_putc(b, (char)(v & 0xff));
}

static void be32(struct buf *b, uint32_t v)
{
	be16(b, v >> 16);
	be16(b, v & 0xffff);
}

/* One TIFF IFD entry; a value that fits is left-justified in the last 4 bytes. */
static void ifd_entry(struct buf *b, unsigned tag, unsigned type, uint32_t count,
		      uint32_t value)
{
	be16(b, tag);
	be16(b, type);
	be32(b, count);
	be32(b, value);
}

static void pad_to(struct buf *b, size_t n)
{
	while (b->len < n)
		buf_putc(b, 0);
}

/*
 * A big-endian EXIF TIFF block as a phone writes it: IFD0 with the camera
 * make, the owner's name, the orientation (when not 0) and a GPS IFD with
 * a latitude and a marker string.
 */
static void exif_tiff(struct buf *t, int orientation)
{
	static const char make[] = "HEARTHCAMERA", artist[] = "HEARTHARTIST Jane Doe",
			  datum[] = "HEARTHGPSMARKER";
	unsigned n0 = orientation ? 4 : 3;
	uint32_t make_at = 8 + 2 + 12 * n0 + 4;
	uint32_t artist_at = make_at + sizeof make;
	uint32_t gps_at = (artist_at + sizeof artist + 1) & ~1u;
	uint32_t lat_at = gps_at + 2 + 12 * 3 + 4, datum_at = lat_at + 24;

	buf_add(t, "MM\0\x2a", 4);
	be32(t, 8);
	be16(t, n0);
	ifd_entry(t, 0x010f, 2, sizeof make, make_at);
	if (orientation)
		ifd_entry(t, 0x0112, 3, 1, (uint32_t)orientation << 16);
	ifd_entry(t, 0x013b, 2, sizeof artist, artist_at);
	ifd_entry(t, 0x8825, 4, 1, gps_at);
	be32(t, 0);
	buf_add(t, make, sizeof make);
	buf_add(t, artist, sizeof artist);
	pad_to(t, gps_at);
	be16(t, 3);
	ifd_entry(t, 0x0001, 2, 2, (uint32_t)'N' << 24);
	ifd_entry(t, 0x0002, 5, 3, lat_at);
	ifd_entry(t, 0x0012, 2, sizeof datum, datum_at);
	be32(t, 0);
	static const uint32_t lat[6] = {51, 1, 30, 1, 2664, 100};
	for (int i = 0; i < 6; i++)
		be32(t, lat[i]);
	buf_add(t, datum, sizeof datum);
}

static void segment(struct buf *out, unsigned marker, const void *data, size_t n)
{
	buf_putc(out, (char)0xff);
	buf_putc(out, (char)marker);
	be16(out, (unsigned)n + 2);
	buf_add(out, data, n);
}

/*
 * The JPEG src with everything private a camera and an editor leave behind
 * spliced in after SOI: APP1 Exif (orientation, make, owner, GPS), APP1
 * XMP, APP2 ICC profile, APP13 Photoshop IPTC and a COM comment.
 */
static int make_tagged_jpeg(const char *src, const char *dst, int orientation)
{
	static const char xmp[] =
		"http://ns.adobe.com/xap/1.0/\0"
		"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
		"xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description "
		"xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\" "
		"photoshop:City=\"HEARTHXMPCITY\"/></rdf:RDF></x:xmpmeta>";
	static const char icc[] = "ICC_PROFILE\0\x01\x01HEARTHICCPROFILE";
	static const char com[] = "HEARTHCOMMENT taken at home";
	static const char iptc_name[] = "HEARTHIPTCBYLINE";
	struct hearth_err err;
	struct buf in = BUF_INIT, out = BUF_INIT, seg = BUF_INIT;
	int rc = file_read(src, &in, &err);

	if (rc || in.len < 4 || (unsigned char)in.data[0] != 0xff ||
	    (unsigned char)in.data[1] != 0xd8) {
		buf_release(&in);
		return -1;
	}
	buf_add(&out, in.data, 2);
	buf_add(&seg, "Exif\0\0", 6);
	exif_tiff(&seg, orientation);
	segment(&out, 0xe1, seg.data, seg.len);
	segment(&out, 0xe1, xmp, sizeof xmp - 1);
	segment(&out, 0xe2, icc, sizeof icc - 1);
	buf_reset(&seg);
	buf_add(&seg, "Photoshop 3.0\0008BIM\x04\x04\0\0", 20);
	be32(&seg, 5 + sizeof iptc_name - 1);
	buf_add(&seg, "\x1c\x02\x50", 3);
	be16(&seg, sizeof iptc_name - 1);
	buf_add(&seg, iptc_name, sizeof iptc_name - 1);
	segment(&out, 0xed, seg.data, seg.len);
	segment(&out, 0xfe, com, sizeof com - 1);
	buf_add(&out, in.data + 2, in.len - 2);
	rc = file_write_atomic(dst, out.data, out.len, &err);
	buf_release(&in);
	buf_release(&out);
	buf_release(&seg);
	return rc;
}

static uint32_t crc32_of(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint32_t c = 0xffffffff;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320 & (0 - (c & 1)));
	}
	return ~c;
}

static void png_chunk(struct buf *out, const char *type, const void *data, size_t n)
{
	struct buf c = BUF_INIT;
	be32(out, (uint32_t)n);
	buf_add(&c, type, 4);
	buf_add(&c, data, n);
	buf_add(out, c.data, c.len);
	be32(out, crc32_of(c.data, c.len));
	buf_release(&c);
}

/*
 * The PNG src with an eXIf chunk (orientation, GPS), a tEXt author and an
 * iTXt XMP packet after IHDR.
 */
static int make_tagged_png(const char *src, const char *dst, int orientation)
{
	static const char text[] = "Author\0HEARTHPNGAUTHOR";
	static const char itxt[] = "XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>HEARTHPNGXMP</x:xmpmeta>";
	struct hearth_err err;
	struct buf in = BUF_INIT, out = BUF_INIT, tiff = BUF_INIT;
	int rc = file_read(src, &in, &err);

	if (rc || in.len < 33 || memcmp(in.data + 12, "IHDR", 4)) {
		buf_release(&in);
		return -1;
	}
	buf_add(&out, in.data, 33); /* signature and IHDR */
	exif_tiff(&tiff, orientation);
	png_chunk(&out, "eXIf", tiff.data, tiff.len);
	png_chunk(&out, "tEXt", text, sizeof text - 1);
	png_chunk(&out, "iTXt", itxt, sizeof itxt - 1);
	buf_add(&out, in.data + 33, in.len - 33);
	rc = file_write_atomic(dst, out.data, out.len, &err);
	buf_release(&in);
	buf_release(&out);
	buf_release(&tiff);
	return rc;
}

/* What a JPEG holds before its scan. */
struct jpeg_shape {
	bool ok;                /* SOI, well-formed segments, a scan */
	bool only_plain;        /* no marker but APP0 JFIF, DQT, SOF0, DHT, DRI, SOS */
	int components;         /* of the frame */
	int units, xdensity;    /* of the JFIF header */
	char bad[8];            /* the first marker not allowed, as "FFE1" */
	bool header_has_gps;    /* "GPS" anywhere before the scan */
};

static struct jpeg_shape jpeg_shape(const char *path)
{
	struct jpeg_shape js = {.only_plain = true};
	struct hearth_err err;
	struct buf b = BUF_INIT;
	const unsigned char *p;
	size_t pos = 2;

	if (file_read(path, &b, &err) || b.len < 4)
		goto end;
	p = (const unsigned char *)b.data;
	if (p[0] != 0xff || p[1] != 0xd8)
		goto end;
	while (pos + 4 <= b.len && p[pos] == 0xff) {
		unsigned m = p[pos + 1], len = (unsigned)p[pos + 2] << 8 | p[pos + 3];
		bool allowed = m == 0xdb || m == 0xc0 || m == 0xc4 || m == 0xdd || m == 0xda;
		if (m == 0xe0 && len >= 16 && pos + 18 <= b.len &&
		    !memcmp(p + pos + 4, "JFIF", 5)) {
			allowed = true;
			js.units = p[pos + 11];
			js.xdensity = p[pos + 12] << 8 | p[pos + 13];
		}
		if (m == 0xc0 && pos + 10 <= b.len)
			js.components = p[pos + 9];
		if (!allowed && js.only_plain) {
			js.only_plain = false;
			snprintf(js.bad, sizeof js.bad, "FF%02X", m);
		}
		if (m == 0xda) {
			js.ok = true;
			js.header_has_gps = memmem(p, pos, "GPS", 3) != NULL;
			break;
		}
		pos += 2 + len;
	}
end:
	buf_release(&b);
	return js;
}

/* True when path is a RIFF WebP with exactly one chunk, "VP8 ". */
static bool webp_only_vp8(const char *path)
{
	struct hearth_err err;
	struct buf b = BUF_INIT;
	const unsigned char *p;
	size_t pos = 12;
	int chunks = 0;
	bool ok;

	ok = !file_read(path, &b, &err) && b.len >= 20;
	p = (const unsigned char *)b.data;
	ok = ok && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4);
	while (ok && pos + 8 <= b.len) {
		uint32_t n = p[pos + 4] | p[pos + 5] << 8 | p[pos + 6] << 16 |
			     (uint32_t)p[pos + 7] << 24;
		if (memcmp(p + pos, "VP8 ", 4)) {
			printf("# %s: a %.4s chunk\n", path, (const char *)p + pos);
			ok = false;
		}
		chunks++;
		pos += 8 + (size_t)n + (n & 1);
	}
	buf_release(&b);
	return ok && chunks == 1;
}

/* No trace of anything make_tagged_jpeg or make_tagged_png planted. */
static bool no_private_bytes(const char *path)
{
	static const char *const needles[] = {
		"HEARTH", "Exif", "http://ns.adobe.com", "ICC_PROFILE", "Photoshop", "8BIM",
		"xmpmeta", "tEXt", "iTXt", "eXIf", "XMP ", "ICCP", "EXIF"};
	bool clean = true;
	for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
		if (file_has(path, needles[i])) {
			printf("# %s holds \"%s\"\n", path, needles[i]);
			clean = false;
		}
	return clean;
}

/* A rendition of src into the scratch folder as dst. */
static int render(const char *src, const char *dst, enum media_kind kind, int width,
		  struct media_result *r, struct hearth_err *err)
{
	struct media_job job = {.kind = kind, .width = width};
	media_result_release(r);
	return media_render(tp(src), tp(dst), &job, r, err);
}

/* The pixels of an image in the scratch folder as RGB24, as ffmpeg decodes it. */
static bool rgb_of(const char *name, int w, int h, struct buf *px)
{
	struct hearth_err err;
	char raw[128];
	snprintf(raw, sizeof raw, "%s.rgb", name);
	buf_reset(px);
	if (sh(FF "-i %s -f rawvideo -pix_fmt rgb24 %s", name, raw) != 0 ||
	    file_read(tp(raw), px, &err) != 0)
		return false;
	return px->len == (size_t)w * h * 3;
}

/* True when the pixel at x, y is within tol of r, g, b on every channel. */
static bool colour_at(const struct buf *px, int w, int x, int y, int r, int g, int b, int tol)
{
	const unsigned char *p = (const unsigned char *)px->data + ((size_t)y * w + x) * 3;
	bool ok = abs(p[0] - r) <= tol && abs(p[1] - g) <= tol && abs(p[2] - b) <= tol;
	if (!ok)
		printf("# pixel %d,%d is %d,%d,%d, expected %d,%d,%d\n", x, y, p[0], p[1], p[2],
		       r, g, b);
	return ok;
}

/* truth.png's corners: red top left, lime top right, blue below. */
static bool upright(const char *name, int w, int h)
{
	struct buf px = BUF_INIT;
	bool ok = rgb_of(name, w, h, &px) && colour_at(&px, w, w / 16, h / 16, 255, 0, 0, 40) &&
		  colour_at(&px, w, w - 1 - w / 16, h / 16, 0, 255, 0, 40) &&
		  colour_at(&px, w, w / 2, h - 1 - h / 16, 0, 0, 255, 40);
	if (!ok)
		printf("# %s is not upright\n", name);
	buf_release(&px);
	return ok;
}

static void exif_parser_is_careful(void)
{
	struct buf t = BUF_INIT;
	exif_tiff(&t, 6);
	CHECK(media_exif_orientation((const uint8_t *)t.data, t.len) == 6);
	/* every cut of it is read without reading past the end */
	bool ok = true;
	for (size_t n = 0; n < t.len; n++) {
		uint8_t *cut = xmalloc(n ? n : 1);
		memcpy(cut, t.data, n);
		int o = media_exif_orientation(cut, n);
		ok = ok && (o == 1 || o == 6);
		free(cut);
	}
	/* little-endian, and with the "Exif\0\0" of the JPEG segment in front */
	static const uint8_t le[] = {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0,
				     1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0};
	uint8_t withhead[6 + sizeof le];
	memcpy(withhead, "Exif\0\0", 6);
	memcpy(withhead + 6, le, sizeof le);
	int o_le = media_exif_orientation(le, sizeof le);
	int o_head = media_exif_orientation(withhead, sizeof withhead);
	/* nonsense: out of range, wrong type, IFD offset past the end, huge count */
	uint8_t bad[sizeof le];
	memcpy(bad, le, sizeof le);
	bad[18] = 9;
	int o_range = media_exif_orientation(bad, sizeof bad);
	memcpy(bad, le, sizeof le);
	bad[12] = 4;
	int o_type = media_exif_orientation(bad, sizeof bad);
	memcpy(bad, le, sizeof le);
	bad[4] = 0xf0;
	bad[7] = 0x7f;
	int o_off = media_exif_orientation(bad, sizeof bad);
	memcpy(bad, le, sizeof le);
	bad[8] = 0xff;
	bad[9] = 0xff;
	bad[10] = 0;
	int o_count = media_exif_orientation(bad, sizeof bad);
	buf_release(&t);
	CHECK(ok);
	CHECK(o_le == 3 && o_head == 3);
	CHECK(o_range == 1 && o_type == 1 && o_off == 1 && o_count == 1);
}

/*
 * Each of the 8 EXIF orientations: a picture stored turned, with the tag
 * that says how to turn it back, comes out upright and the right size.
 */
static void art_orientations(void)
{
	struct hearth_err err;
	struct media_result r = {0};
	bool ok = true;

	for (int o = 1; o <= 8; o++) {
		char plain[32], tagged[32], out[32];
		snprintf(plain, sizeof plain, "o%d-plain.jpg", o);
		snprintf(tagged, sizeof tagged, "o%d.jpg", o);
		snprintf(out, sizeof out, "o%d-web.jpg", o);
		CHECK(make_tagged_jpeg(tp(plain), tp(tagged), o) == 0);
		CHECK_OK(render(tagged, out, MEDIA_JPEG, 1600, &r, &err), &err);
		if (r.width != 320 || r.height != 240 || !upright(out, 320, 240)) {
			printf("# orientation %d: %dx%d\n", o, r.width, r.height);
			ok = false;
		}
	}
	/* WebP too, for a turn, a half turn and a mirror */
	static const int some[] = {6, 3, 2, 7};
	for (size_t i = 0; i < sizeof some / sizeof some[0]; i++) {
		char tagged[32], out[32];
		snprintf(tagged, sizeof tagged, "o%d.jpg", some[i]);
		snprintf(out, sizeof out, "o%d-web.webp", some[i]);
		CHECK_OK(render(tagged, out, MEDIA_WEBP, 1600, &r, &err), &err);
		if (r.width != 320 || r.height != 240 || !upright(out, 320, 240)) {
			printf("# webp orientation %d: %dx%d\n", some[i], r.width, r.height);
			ok = false;
		}
	}
	/* a scaled one: 160 wide from a picture stored 240 wide and 320 high */
	CHECK_OK(render("o6.jpg", "o6-160.jpg", MEDIA_JPEG, 160, &r, &err), &err);
	CHECK(r.width == 160 && r.height == 120 && upright("o6-160.jpg", 160, 120));
	/* the cover: the centre square of the upright picture (x 40 to 280) */
	CHECK_OK(render("o6.jpg", "o6-cover.jpg", MEDIA_COVER, 240, &r, &err), &err);
	CHECK(r.width == 240 && r.height == 240);
	struct buf px = BUF_INIT;
	bool cover_ok = rgb_of("o6-cover.jpg", 240, 240, &px) &&
			colour_at(&px, 240, 15, 15, 255, 0, 0, 40) &&
			colour_at(&px, 240, 225, 15, 0, 255, 0, 40) &&
			colour_at(&px, 240, 60, 15, 0, 0, 255, 40);
	buf_release(&px);
	/* PNG: libavcodec 59 does not read eXIf; orient.c does */
	CHECK(make_tagged_png(tp("o6-plain.png"), tp("o6.png"), 6) == 0);
	CHECK_OK(render("o6.png", "o6-png.jpg", MEDIA_JPEG, 1600, &r, &err), &err);
	bool png_ok = r.width == 320 && r.height == 240 && upright("o6-png.jpg", 320, 240);
	media_result_release(&r);
	CHECK(ok);
	CHECK(cover_ok);
	CHECK(png_ok);
}

/* Nothing of the source's metadata is in any image rendition. */
static void art_keeps_no_metadata(void)
{
	static const struct {
		const char *src, *out;
		enum media_kind kind;
		int width;
	} cases[] = {
		{"o6.jpg", "meta-480.jpg", MEDIA_JPEG, 480},
		{"o6.jpg", "meta-160.jpg", MEDIA_JPEG, 160},
		{"o6.jpg", "meta-480.webp", MEDIA_WEBP, 480},
		{"o6.jpg", "meta-160.webp", MEDIA_WEBP, 160},
		{"o6.jpg", "meta-cover.jpg", MEDIA_COVER, 1400},
		{"o6.png", "meta-png.jpg", MEDIA_JPEG, 960},
		{"o6.png", "meta-png.webp", MEDIA_WEBP, 960},
		{"o6.png", "meta-png-cover.jpg", MEDIA_COVER, 1400},
	};
	struct hearth_err err;
	struct media_result r = {0};

	CHECK(make_tagged_jpeg(tp("o6-plain.jpg"), tp("o6.jpg"), 6) == 0);
	CHECK(make_tagged_png(tp("o6-plain.png"), tp("o6.png"), 6) == 0);
	/* the sources do hold it all */
	static const char *const planted[] = {"HEARTHCAMERA", "HEARTHARTIST", "HEARTHGPSMARKER",
					       "http://ns.adobe.com/xap", "HEARTHXMPCITY",
					       "ICC_PROFILE", "HEARTHIPTCBYLINE", "HEARTHCOMMENT"};
	for (size_t i = 0; i < sizeof planted / sizeof planted[0]; i++)
		CHECK(file_has(tp("o6.jpg"), planted[i]));
	CHECK(file_has(tp("o6.png"), "HEARTHPNGAUTHOR") && file_has(tp("o6.png"), "HEARTHGPSMARKER"));
	struct jpeg_shape src = jpeg_shape(tp("o6.jpg"));
	CHECK(src.ok && !src.only_plain && src.header_has_gps);

	bool ok = true;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *out = tp(cases[i].out);
		CHECK_OK(render(cases[i].src, cases[i].out, cases[i].kind, cases[i].width, &r, &err),
			 &err);
		bool clean = no_private_bytes(out);
		if (cases[i].kind == MEDIA_WEBP) {
			clean = clean && webp_only_vp8(out);
		} else {
			struct jpeg_shape js = jpeg_shape(out);
			if (!js.only_plain)
				printf("# %s has a %s segment\n", cases[i].out, js.bad);
			clean = clean && js.ok && js.only_plain && !js.header_has_gps &&
				js.components == 3;
		}
		if (!clean)
			printf("# %s is not clean\n", cases[i].out);
		ok = ok && clean;
	}
	media_result_release(&r);
	CHECK(ok);
}

/* Web widths: never wider than the source; WebP decodes back. */
static void art_widths_and_webp(void)
{
	struct hearth_err err;
	struct media_result r = {0};
	struct media_info m;

	CHECK_OK(render("pic.png", "w480.webp", MEDIA_WEBP, 480, &r, &err), &err);
	CHECK(r.width == 320 && r.height == 240);
	CHECK_OK(media_probe(tp("w480.webp"), &m, &err), &err);
	CHECK_STR(m.codec, "webp");
	CHECK(m.width == 320 && m.height == 240);
	CHECK_OK(render("odd.png", "w100.webp", MEDIA_WEBP, 100, &r, &err), &err);
	CHECK(r.width == 100 && r.height == 30);
	CHECK_OK(render("wide-grey.jpg", "w960.webp", MEDIA_WEBP, 960, &r, &err), &err);
	CHECK(r.width == 960 && r.height == 640);
	CHECK_OK(media_probe(tp("w960.webp"), &m, &err), &err);
	CHECK(m.width == 960 && m.height == 640);
	CHECK_OK(render("wide-grey.jpg", "w1600.jpg", MEDIA_JPEG, 1600, &r, &err), &err);
	CHECK(r.width == 1600 && r.height == 1067);
	CHECK(r.size == file_size(tp("w1600.jpg")) && r.made);
	/* a grey source comes out in colour components, decodable */
	CHECK(jpeg_shape(tp("w1600.jpg")).components == 3);
	struct buf px = BUF_INIT;
	bool decodes = rgb_of("w960.webp", 960, 640, &px) &&
		       colour_at(&px, 960, 480, 320, 128, 128, 128, 12) &&
		       colour_at(&px, 960, 10, 320, 255, 255, 255, 12);
	buf_release(&px);
	CHECK(decodes);
	CHECK(render("pic.png", "none.webp", MEDIA_WEBP, 0, &r, &err) == HEARTH_EINVAL);
	CHECK(render("tone.wav", "none.webp", MEDIA_WEBP, 100, &r, &err) != 0);
	CHECK(!path_exists(tp("none.webp")));
	media_result_release(&r);
}

/* Transparency is blended onto white in both formats. */
static void art_alpha_on_white(void)
{
	struct hearth_err err;
	struct media_result r = {0};
	struct buf px = BUF_INIT;

	CHECK_OK(render("half.png", "half.jpg", MEDIA_JPEG, 64, &r, &err), &err);
	bool jpg = rgb_of("half.jpg", 64, 48, &px) && colour_at(&px, 64, 32, 24, 255, 128, 128, 12);
	CHECK_OK(render("half.png", "half.webp", MEDIA_WEBP, 64, &r, &err), &err);
	bool webp = rgb_of("half.webp", 64, 48, &px) &&
		    colour_at(&px, 64, 32, 24, 255, 128, 128, 12) && webp_only_vp8(tp("half.webp"));
	buf_release(&px);
	media_result_release(&r);
	CHECK(jpg);
	CHECK(webp);
}

/* The cover: square, the centre of the source, three components, 72 dpi. */
static void art_cover(void)
{
	struct hearth_err err;
	struct media_result r = {0};
	struct media_info m;

	CHECK(media_cover_side(800, 600) == 0);
	CHECK(media_cover_side(1399, 5000) == 0);
	CHECK(media_cover_side(1400, 1400) == 1400);
	CHECK(media_cover_side(2000, 1500) == 1500);
	CHECK(media_cover_side(4000, 3500) == 3000);

	CHECK_OK(render("wide-grey.jpg", "cover.jpg", MEDIA_COVER, 0, &r, &err), &err);
	CHECK(r.width == 1600 && r.height == 1600);
	CHECK_OK(media_probe(tp("cover.jpg"), &m, &err), &err);
	CHECK(m.width == 1600 && m.height == 1600);
	CHECK_STR(m.codec, "mjpeg");
	struct jpeg_shape js = jpeg_shape(tp("cover.jpg"));
	CHECK(js.ok && js.only_plain && js.components == 3);
	CHECK(js.units == 1 && js.xdensity == 72);
	/* the centre: 100 px of the left band, none of the right one */
	struct buf px = BUF_INIT;
	bool centre = rgb_of("cover.jpg", 1600, 1600, &px) &&
		      colour_at(&px, 1600, 50, 800, 255, 255, 255, 12) &&
		      colour_at(&px, 1600, 150, 800, 128, 128, 128, 12) &&
		      colour_at(&px, 1600, 1597, 800, 128, 128, 128, 12);
	buf_release(&px);
	CHECK(centre);
	/* a side asked for: 1400 and 3000, down and up */
	CHECK_OK(render("wide-grey.jpg", "cover-1400.jpg", MEDIA_COVER, 1400, &r, &err), &err);
	CHECK(r.width == 1400 && r.height == 1400);
	CHECK_OK(render("wide-grey.jpg", "cover-3000.jpg", MEDIA_COVER, 3000, &r, &err), &err);
	CHECK(r.width == 3000 && r.height == 3000);
	/* a small source with no side asked for: Apple's least */
	CHECK_OK(render("pic.png", "cover-small.jpg", MEDIA_COVER, 0, &r, &err), &err);
	CHECK(r.width == MEDIA_COVER_MIN && r.height == MEDIA_COVER_MIN);
	CHECK(render("pic.png", "none.jpg", MEDIA_COVER, -1, &r, &err) == HEARTH_EINVAL);
	media_result_release(&r);
}

/* The show's image: refused under 1400 px with its name and size. */
static void art_cover_check(void)
{
	struct hearth_err err;
	struct media_info m;
	struct media_limits lim = {0, 0, 0};

	int rc = media_cover_check(tp("pic.png"), "cover.jpg", NULL, &m, &err);
	CHECK(rc == HEARTH_EINVAL);
	CHECK_STR(err.msg, "cover.jpg: the podcast image must be at least 1400\u00d71400 pixels, "
			   "but it is 320\u00d7240");
	/* the size as shown: stored 240 wide, turned by EXIF */
	rc = media_cover_check(tp("o6.jpg"), "turned.jpg", NULL, &m, &err);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "but it is 320\u00d7240") != NULL);
	CHECK_OK(media_cover_check(tp("wide-grey.jpg"), "wide.jpg", NULL, &m, &err), &err);
	CHECK(m.width == 2400 && m.height == 1600);
	rc = media_cover_check(tp("tone.wav"), "cover.wav", NULL, &m, &err);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(str_starts(err.msg, "cover.wav: the podcast image must be an image"));
	CHECK(media_cover_check(tp("missing.jpg"), "missing.jpg", NULL, &m, &err) ==
	      HEARTH_ENOENT);
	lim.max_pixels = 1000 * 1000;
	rc = media_cover_check(tp("wide-grey.jpg"), "wide.jpg", &lim, &m, &err);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(str_starts(err.msg, "wide.jpg: the image is 2400 x 1600 pixels"));
}

/* Intake records art upright, and still refuses a picture too big in pixels. */
static void art_intake(void)
{
	struct hearth_err err;
	struct lib_asset a;
	struct media_limits lim = {0, 0, 1000 * 1000};
	hearth_lib *lib = new_lib("lib-art-intake");
	CHECK(lib);
	CHECK(make_tagged_jpeg(tp("o6-plain.jpg"), tp("o6.jpg"), 6) == 0);
	CHECK_OK(intake_as(lib, "o6.jpg", "o6.jpg", "art", NULL, &a, &err), &err);
	bool shown = a.width == 320 && a.height == 240;
	asset_release(&a);
	CHECK(shown);
	/* a few KB that decode to 4 megapixels */
	CHECK(file_size(tp("big.png")) < 200 * 1000);
	int rc = intake_as(lib, "big.png", "big.png", "art", &lim, &a, &err);
	asset_release(&a);
	lib_close(&lib);
	CHECK(rc == HEARTH_EINVAL);
	CHECK_STR(err.msg, "big.png: the image is 2000 x 2000 pixels (4.0 megapixels), more "
			   "than the limit of 1.0 megapixels");
}

/* Same source, same job: the same bytes; and each kind has its own cache entry. */
static void art_deterministic_and_cached(void)
{
	struct hearth_err err;
	struct media_result r1 = {0}, r2 = {0}, r3 = {0};
	struct lib_asset a;
	bool same = true;
	static const enum media_kind kinds[] = {MEDIA_JPEG, MEDIA_WEBP, MEDIA_COVER};
	for (size_t i = 0; i < 3; i++) {
		struct buf x = BUF_INIT, y = BUF_INIT;
		CHECK_OK(render("o6.jpg", "det1", kinds[i], 1400, &r1, &err), &err);
		CHECK_OK(render("o6.jpg", "det2", kinds[i], 1400, &r1, &err), &err);
		int rx = file_read(tp("det1"), &x, &err), ry = file_read(tp("det2"), &y, &err);
		same = same && !rx && !ry && x.len == y.len && !memcmp(x.data, y.data, x.len);
		buf_release(&x);
		buf_release(&y);
	}
	media_result_release(&r1);
	CHECK(same);

	hearth_lib *lib = new_lib("lib-art-cache");
	CHECK(lib);
	CHECK_OK(intake_as(lib, "wide-grey.jpg", "wide.jpg", "art", NULL, &a, &err), &err);
	char *src = lib_store_path(lib, a.sha256);
	struct media_job jpeg = {.kind = MEDIA_JPEG, .width = 480};
	struct media_job webp = {.kind = MEDIA_WEBP, .width = 480};
	struct media_job cover = {.kind = MEDIA_COVER, .width = 1400};
	int rc = media_cached(lib, src, a.sha256, &jpeg, &r1, &err);
	if (!rc)
		rc = media_cached(lib, src, a.sha256, &webp, &r2, &err);
	if (!rc)
		rc = media_cached(lib, src, a.sha256, &cover, &r3, &err);
	bool distinct = !rc && r1.made && r2.made && r3.made && strcmp(r1.path, r2.path) &&
			strcmp(r1.path, r3.path) && str_ends(r2.path, ".webp") &&
			r2.width == 480 && r2.height == 320 && r3.width == 1400;
	media_result_release(&r2);
	if (!rc)
		rc = media_cached(lib, src, a.sha256, &webp, &r2, &err);
	bool again = !rc && !r2.made && r2.width == 480 && r2.height == 320;
	media_result_release(&r1);
	media_result_release(&r2);
	media_result_release(&r3);
	free(src);
	asset_release(&a);
	lib_close(&lib);
	CHECK(rc == 0);
	CHECK(distinct);
	CHECK(again);
}

/* ---- the cache -------------------------------------------------------------- */

static int64_t mtime_ns(const char *p)
{
	struct stat st;
	if (stat(p, &st) != 0)
		return -1;
	return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

static void cache_makes_once(void)
{
	struct hearth_err err;
	struct lib_asset a;
	struct media_tags tags = {.title = "Title", .artist = "Byline", .album = "Show"};
	char *p1 = NULL, *p2 = NULL, *p3 = NULL;
	bool made = false;
	int w = 0, h = 0;
	hearth_lib *lib = new_lib("lib-cache");
	CHECK(lib);

	CHECK_OK(intake_as(lib, "tone.flac", "tone.flac", "audio", NULL, &a, &err), &err);
	CHECK_OK(media_cached_mp3(lib, &a, AUDIO_SPEECH, &tags, &p1, &made, &err), &err);
	CHECK(made && path_is_file(p1));
	CHECK(str_starts(p1, lib_dir(lib)));
	char *want = xasprintf("/cache/%.2s/%s-", a.sha256, a.sha256);
	bool layout = strstr(p1, want) && str_ends(p1, ".mp3");
	free(want);
	int64_t t1 = mtime_ns(p1);
	CHECK_OK(media_cached_mp3(lib, &a, AUDIO_SPEECH, &tags, &p2, &made, &err), &err);
	bool same = !made && !strcmp(p1, p2) && mtime_ns(p2) == t1;
	tags.title = "Another title";
	CHECK_OK(media_cached_mp3(lib, &a, AUDIO_SPEECH, &tags, &p3, &made, &err), &err);
	bool differs = made && strcmp(p1, p3) != 0;
	xfree(&p2);
	xfree(&p3);
	CHECK_OK(media_cached_mp3(lib, &a, AUDIO_MUSIC, &tags, &p3, &made, &err), &err);
	bool music = made && strcmp(p1, p3) != 0;
	free(p1);
	free(p3);
	asset_release(&a);
	CHECK(layout);
	CHECK(same);
	CHECK(differs);
	CHECK(music);

	CHECK_OK(intake_as(lib, "pic.png", "pic.png", "art", NULL, &a, &err), &err);
	CHECK_OK(media_cached_jpeg(lib, &a, 100, &p1, &w, &h, &made, &err), &err);
	CHECK(made && w == 100 && h == 75 && str_ends(p1, ".jpg"));
	t1 = mtime_ns(p1);
	w = h = 0;
	CHECK_OK(media_cached_jpeg(lib, &a, 100, &p2, &w, &h, &made, &err), &err);
	same = !made && !strcmp(p1, p2) && mtime_ns(p2) == t1 && w == 100 && h == 75;
	free(p1);
	free(p2);
	CHECK(same);

	free(a.sha256);
	a.sha256 = xstrdup("../../etc/passwd");
	CHECK(media_cached_jpeg(lib, &a, 100, &p1, &w, &h, &made, &err) == HEARTH_EINVAL);
	free(a.sha256);
	a.sha256 = xstrdup("0000000000000000000000000000000000000000000000000000000000000000");
	CHECK(media_cached_jpeg(lib, &a, 100, &p1, &w, &h, &made, &err) == HEARTH_ENOENT);
	CHECK(p1 == NULL);
	asset_release(&a);
	lib_close(&lib);
}

struct race {
	hearth_lib *lib;
	const struct lib_asset *a;
	char *path;
	int rc;
	char msg[1024];
};

static void *race_one(void *arg)
{
	struct race *r = arg;
	struct hearth_err err;
	struct media_tags tags = {.title = "Race", .artist = NULL, .album = NULL};
	r->rc = media_cached_mp3(r->lib, r->a, AUDIO_MUSIC, &tags, &r->path, NULL, &err);
	if (r->rc)
		memcpy(r->msg, err.msg, sizeof r->msg);
	return NULL;
}

static void cache_is_safe_when_raced(void)
{
	struct hearth_err err;
	struct lib_asset a;
	struct race r[4];
	pthread_t th[4];
	hearth_lib *lib = new_lib("lib-race");
	CHECK(lib);
	CHECK_OK(intake_as(lib, "tone.ogg", "tone.ogg", "music", NULL, &a, &err), &err);
	memset(r, 0, sizeof r);
	for (int i = 0; i < 4; i++) {
		r[i].lib = lib;
		r[i].a = &a;
		pthread_create(&th[i], NULL, race_one, &r[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	bool ok = true;
	for (int i = 0; i < 4; i++) {
		if (r[i].rc)
			printf("# %s\n", r[i].msg);
		ok = ok && r[i].rc == 0 && r[i].path && !strcmp(r[i].path, r[0].path);
	}
	struct media_info m;
	int prc = ok ? media_probe(r[0].path, &m, &err) : -1;
	char *dir = r[0].path ? path_dir(r[0].path) : NULL;
	char *cmd = xasprintf("test -z \"$(find '%s' -name '*.tmp-*')\"", dir ? dir : "/nonexistent");
	bool clean = system(cmd) == 0;
	free(cmd);
	free(dir);
	for (int i = 0; i < 4; i++)
		free(r[i].path);
	asset_release(&a);
	lib_close(&lib);
	CHECK(ok);
	CHECK(prc == 0 && m.channels == 2 && near(m.duration, 3.0, 0.1));
	CHECK(clean);
}

/*
 * media_lookup and its kin (lookup.c), the cache as hearth-site reads it:
 * the same path and size as media_cached, nothing before the work is
 * made or before the cache notes the versions of FFmpeg; the memos of a
 * transcript and of the cover's check are read back, and only under the
 * salt they were made with.
 */
static void cache_read_without_ffmpeg(void)
{
	struct hearth_err err;
	struct lib_asset a;
	struct media_result made = {0}, found = {0};
	struct media_info info;
	struct buf vtt = BUF_INIT, text = BUF_INIT, v2 = BUF_INIT, t2 = BUF_INIT;
	hearth_lib *lib = new_lib("lib-lookup");
	CHECK(lib);
	if (!lib)
		return;
	CHECK_OK(intake_as(lib, "wide-grey.jpg", "wide.jpg", "art", NULL, &a, &err), &err);
	char *src = lib_store_path(lib, a.sha256);
	struct media_job webp = {.kind = MEDIA_WEBP, .width = 480};

	CHECK(!media_lookup_ready(lib)); /* nothing noted yet */
	CHECK(media_lookup(lib, src, a.sha256, &webp, &found, &err) == MEDIA_UNCACHED);
	CHECK_OK(media_cached(lib, src, a.sha256, &webp, &made, &err), &err);
	CHECK_OK(media_cache_stamp(lib, &err), &err);
	CHECK(media_lookup_ready(lib)); /* this program's headers are its libraries */
	CHECK_OK(media_lookup(lib, src, a.sha256, &webp, &found, &err), &err);
	CHECK(made.path && found.path && !strcmp(made.path, found.path));
	CHECK(found.width == made.width && found.height == made.height && found.width == 480);
	CHECK(found.size == made.size && !found.made);
	media_result_release(&found);
	/* other versions noted: no name is trusted */
	struct media_versions other = {1, 2, 3, 4, 5};
	CHECK_OK(media_versions_note(lib, &other, &err), &err);
	CHECK(!media_lookup_ready(lib));
	CHECK_OK(media_cache_stamp(lib, &err), &err);

	/* a transcript: made once, then read from its memo, under its salt only */
	const char *in = "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Sam>Hello & welcome\n";
	char sha[65];
	bool made_now = false;
	sha256_hex(in, strlen(in), sha);
	CHECK_OK(file_write_atomic(tp("memo.vtt"), in, strlen(in), &err), &err);
	char *vp = xstrdup(tp("memo.vtt"));
	CHECK(media_transcript_lookup(lib, "salt-a", vp, sha, 5, &vtt, &text, NULL, &err) ==
	      MEDIA_UNCACHED);
	CHECK_OK(media_transcript_cached(lib, "salt-a", vp, sha, 5, &vtt, &text, &made_now, &err),
		 &err);
	CHECK(made_now);
	CHECK_OK(media_transcript_cached(lib, "salt-a", vp, sha, 5, &v2, &t2, &made_now, &err),
		 &err);
	CHECK(!made_now); /* the second time, from the memo */
	CHECK(vtt.len == v2.len && !memcmp(vtt.data, v2.data, vtt.len));
	CHECK(text.len == t2.len && !memcmp(text.data, t2.data, text.len));
	CHECK(strstr(buf_cstr(&t2), "Sam: Hello & welcome") != NULL);
	CHECK(media_transcript_lookup(lib, "salt-b", vp, sha, 5, &v2, &t2, NULL, &err) ==
	      MEDIA_UNCACHED);
	CHECK(media_transcript_lookup(lib, "salt-a", vp, sha, 6, &v2, &t2, NULL, &err) ==
	      MEDIA_UNCACHED); /* another length of audio: checked again */

	/* the cover's check */
	char csha[65];
	CHECK_OK(sha256_file(tp("wide-grey.jpg"), csha, &err), &err);
	CHECK(media_cover_check_lookup(lib, "salt-a", tp("wide-grey.jpg"), csha, "wide.jpg", NULL,
				       &info, &err) == MEDIA_UNCACHED);
	struct media_info checked;
	CHECK_OK(media_cover_check_cached(lib, "salt-a", tp("wide-grey.jpg"), csha, "wide.jpg",
					  NULL, &checked, &err), &err);
	CHECK_OK(media_cover_check_lookup(lib, "salt-a", tp("wide-grey.jpg"), csha, "wide.jpg",
					  NULL, &info, &err), &err);
	CHECK(info.width == checked.width && info.height == checked.height && info.width > 0);
	struct media_limits tight = {.max_pixels = 100};
	CHECK(media_cover_check_lookup(lib, "salt-a", tp("wide-grey.jpg"), csha, "wide.jpg",
				       &tight, &info, &err) == MEDIA_UNCACHED);

	/* the transcript's words leave with the purge of its hash */
	char *purge[] = {sha, NULL};
	size_t n = 0;
	CHECK_OK(lib_cache_purge(lib, purge, &n, &err), &err);
	CHECK(n == 1);
	CHECK(media_transcript_lookup(lib, "salt-a", vp, sha, 5, &v2, &t2, NULL, &err) ==
	      MEDIA_UNCACHED);

	buf_release(&vtt);
	buf_release(&text);
	buf_release(&v2);
	buf_release(&t2);
	media_result_release(&made);
	free(vp);
	free(src);
	asset_release(&a);
	lib_close(&lib);
}

/* ---- transcripts ------------------------------------------------------------ */

static int transcript_of(const char *name, const char *content, double duration,
			 struct buf *vtt, struct buf *text, struct hearth_err *err)
{
	if (file_write_atomic(tp(name), content, strlen(content), err) != 0)
		return -100;
	return media_transcript(tp(name), duration, vtt, text, err);
}

static void transcript_vtt_normalised(void)
{
	struct hearth_err err;
	struct buf vtt = BUF_INIT, text = BUF_INIT;
	const char *in =
		"\xef\xbb\xbfWEBVTT - a story\r\n"
		"Kind: captions\r\n"
		"\r\n"
		"STYLE\r\n"
		"::cue { color: yellow }\r\n"
		"\r\n"
		"REGION\r\n"
		"id:fred width:40%\r\n"
		"\r\n"
		"NOTE this is private\r\n"
		"still the note\r\n"
		"\r\n"
		"intro\r\n"
		"00:01.000 --> 00:04.500 align:start line:0\r\n"
		"<v Sam>Hello &amp; welcome</v>\r\n"
		"to <i>Hearth</i>\r\n"
		"\r\n"
		"00:00:04.500 --> 00:00:06.000\r\n"
		"<v.loud Sam>Fish & chips <script>x</script> 1 < 2\r\n"
		"\r\n"
		"NOTE between cues\r\n"
		"\r\n"
		"2\r\n"
		"00:06.000 --> 00:07.000\r\n"
		"<v Jo Smith>Yes.</v> <v Sam>No.\r\n"
		"\r\n"
		"01:00:00.000 --> 01:00:01.250 position:10%\n"
		"Caf\xc3\xa9 &#233; &nbsp;end <00:00:01.000>now\n";
	CHECK_OK(transcript_of("a.vtt", in, 0, &vtt, &text, &err), &err);
	/* ids, settings, NOTE and STYLE blocks gone; markup kept, stray tags dropped */
	CHECK_STR(vtt.data,
		  "WEBVTT\n"
		  "\n00:00:01.000 --> 00:00:04.500\n<v Sam>Hello &amp; welcome</v>\nto <i>Hearth</i>\n"
		  "\n00:00:04.500 --> 00:00:06.000\n<v.loud Sam>Fish &amp; chips x 1 &lt; 2\n"
		  "\n00:00:06.000 --> 00:00:07.000\n<v Jo Smith>Yes.</v> <v Sam>No.\n"
		  "\n01:00:00.000 --> 01:00:01.250\nCaf\xc3\xa9 &#233; &nbsp;end <00:00:01.000>now\n");
	/* the speaker's name where the speaker changes; entities decoded; tags gone */
	CHECK_STR(text.data,
		  "Sam: Hello & welcome to Hearth\n"
		  "Fish & chips x 1 < 2\n"
		  "Jo Smith: Yes. Sam: No.\n"
		  "Caf\xc3\xa9 \xc3\xa9 end now\n");
	buf_release(&vtt);
	buf_release(&text);
}

static void transcript_srt_normalised(void)
{
	struct hearth_err err;
	struct buf vtt = BUF_INIT, text = BUF_INIT;
	const char *in =
		"1\n"
		"00:00:00,500 --> 00:00:02,000\n"
		"{\\an8}<font color=\"#ff0\">Hello</font> <i>there</i>\n"
		"\n"
		"\n"
		"2\n"
		"00:00:02,000 --> 00:00:03,250 X1:10 X2:20 Y1:1 Y2:2\n"
		"Second line\n"
		"of two\n"
		"\n"
		"3\n"
		"00:00:03.250 --> 00:00:03,400\n"
		"dots\n"
		"\n"
		"and a blank line inside\n";
	CHECK_OK(transcript_of("a.srt", in, 3.5, &vtt, &text, &err), &err);
	CHECK_STR(vtt.data,
		  "WEBVTT\n"
		  "\n00:00:00.500 --> 00:00:02.000\nHello <i>there</i>\n"
		  "\n00:00:02.000 --> 00:00:03.250\nSecond line\nof two\n"
		  "\n00:00:03.250 --> 00:00:03.400\ndots\nand a blank line inside\n");
	CHECK_STR(text.data, "Hello there\nSecond line of two\ndots and a blank line inside\n");
	buf_release(&vtt);
	buf_release(&text);
}

/* Checks that content is refused with a message holding want. */
static void refused(const char *name, const char *content, double duration,
		    const char *want, bool *ok)
{
	struct hearth_err err;
	struct buf v = BUF_INIT;
	int rc = transcript_of(name, content, duration, &v, NULL, &err);
	buf_release(&v);
	if (rc != HEARTH_EINVAL || !strstr(err.msg, want)) {
		printf("# %s: rc %d, \"%s\", wanted \"%s\"\n", name, rc, err.msg, want);
		*ok = false;
	}
}

static void transcripts_refused_by_cue(void)
{
	bool ok = true;
	/* out of order (libavformat sorts them; the file's order counts) */
	refused("order.vtt",
		"WEBVTT\n\n00:05.000 --> 00:06.000\nb\n\n00:01.000 --> 00:02.000\na\n", 0,
		"order.vtt: cue 2 (00:00:01.000): starts before the cue before it (cue 1, at "
		"00:00:05.000); cues must be in order", &ok);
	refused("order.srt",
		"1\n00:00:05,000 --> 00:00:06,000\nb\n\n2\n00:00:01,000 --> 00:00:02,000\na\n",
		0, "order.srt: cue 2 (00:00:01.000): starts before the cue before it", &ok);
	/* ends before it starts: first, in the middle (libavformat would stretch
	 * those to the next cue), last, and zero length */
	refused("back.vtt",
		"WEBVTT\n\n00:03.000 --> 00:02.000\nx\n\n00:04.000 --> 00:05.000\ny\n", 0,
		"back.vtt: cue 1 (00:00:03.000): ends at 00:00:02.000; a cue must end after it "
		"starts", &ok);
	refused("back.srt",
		"1\n00:00:01,000 --> 00:00:02,000\na\n\n2\n00:00:03,000 --> 00:00:02,500\nb\n\n"
		"3\n00:00:04,000 --> 00:00:05,000\nc\n", 0,
		"back.srt: cue 2 (00:00:03.000): ends at 00:00:02.500", &ok);
	refused("last.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nx\n\n00:03.000 --> 00:02.000\ny\n",
		0, "last.vtt: cue 2 (00:00:03.000): ends at 00:00:02.000", &ok);
	refused("zero.srt", "1\n00:00:03,000 --> 00:00:03,000\nx\n", 0,
		"zero.srt: cue 1 (00:00:03.000): ends at 00:00:03.000; a cue must end", &ok);
	refused("minus.srt", "1\n-1:00:00,000 --> 00:00:01,000\nx\n", 0,
		"minus.srt: cue 1 (-01:00:00.000): starts before the beginning", &ok);
	/* beyond the audio, with half a second of grace */
	refused("long.vtt", "WEBVTT\n\n00:01.000 --> 00:10.000\nx\n", 5.0,
		"long.vtt: cue 1 (00:00:01.000): ends at 00:00:10.000, after the end of the audio "
		"(00:00:05.000)", &ok);
	refused("long.srt", "1\n00:00:01,000 --> 00:00:05,600\nx\n", 5.0,
		"long.srt: cue 1 (00:00:01.000): ends at 00:00:05.600, after the end", &ok);
	/* cues libavformat would skip without a word */
	refused("timing.vtt",
		"WEBVTT\n\n00:01.000 --> 00:02.000\na\n\n00:02,000 --> 00:03.000\nb\n\n"
		"00:04.000 --> 00:05.000\nc\n", 0,
		"timing.vtt: cue 2 (line 6): cannot be read: '00:02,000 --> 00:03.000' is not a "
		"timing like 00:00:01.000 --> 00:00:04.000", &ok);
	refused("timing.srt",
		"1\n00:00:01,000 --> 00:00:02,000\na\n\n2\n00:00:0x,000 --> 00:00:03,000\nb\n\n"
		"3\n00:00:04,000 --> 00:00:05,000\nc\n", 0,
		"timing.srt: cue 2 (line 6): cannot be read: '00:00:0x,000 --> 00:00:03,000'", &ok);
	refused("header.vtt", "WEBVTT\n00:01.000 --> 00:02.000\nx\n", 0,
		"header.vtt: cue 1 (line 2): cannot be read", &ok);
	refused("arrow.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nx\n00:02.000 --> 00:03.000\ny\n",
		0, "arrow.vtt: cue 2 (line 5): cannot be read", &ok);
	refused("notext.srt",
		"1\n00:00:01,000 --> 00:00:02,000\na\n\n2\n00:00:03,000 --> 00:00:04,000\n", 0,
		"notext.srt: cue 2 (line 6): cannot be read", &ok);
	refused("twice.vtt",
		"WEBVTT\n\n00:01.000 --> 00:02.000\nx\n\n00:01.000 --> 00:02.000\nx\n", 0,
		"twice.vtt: cue 2 (00:00:01.000): repeats cue 1 exactly", &ok);
	/* not UTF-8, in a cue and in the header */
	refused("utf8.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nbad \xff\n", 0,
		"utf8.vtt: cue 1 (line 4): not UTF-8", &ok);
	refused("latin1.srt", "1\n00:00:01,000 --> 00:00:02,000\ncaf\xe9\n", 0,
		"latin1.srt: cue 1 (line 3): not UTF-8", &ok);
	refused("head.vtt", "WEBVTT \xfe\n\n00:01.000 --> 00:02.000\nx\n", 0,
		"head.vtt: line 1: not UTF-8", &ok);
	refused("ctrl.srt", "1\n00:00:01,000 --> 00:00:02,000\na\001b\n", 0,
		"ctrl.srt: cue 1 (line 3): not UTF-8 text (or it holds control characters)", &ok);
	/* nothing to read */
	refused("empty.vtt", "WEBVTT\n\nNOTE nothing here\n", 0, "empty.vtt: has no cues", &ok);
	refused("empty.srt", "", 0, "empty.srt: has no cues", &ok);
	refused("prose.srt", "Once upon a time\nthere was a story.\n", 0,
		"prose.srt: has no cues: a transcript is WebVTT", &ok);
	CHECK(ok);

	/* the grace: 5.4 s in 5 s of audio passes; and a missing file */
	struct hearth_err err;
	CHECK_OK(transcript_of("grace.srt", "1\n00:00:01,000 --> 00:00:05,400\nx\n", 5.0, NULL,
			       NULL, &err), &err);
	CHECK(media_transcript(tp("no-such.vtt"), 0, NULL, NULL, &err) == HEARTH_ENOENT);
}

/* Normalises content, checks the output reads back the same, returns it. */
static bool reads_back(const char *name, const char *content, const char *want)
{
	struct hearth_err err;
	struct buf once = BUF_INIT, twice = BUF_INIT;
	bool ok = transcript_of(name, content, 0, &once, NULL, &err) == 0 &&
		  transcript_of("again.vtt", once.data, 0, &twice, NULL, &err) == 0 &&
		  !strcmp(once.data, twice.data) && !strcmp(once.data, want);
	if (!ok)
		printf("# %s: \"%s\"\n  once \"%s\"\n  twice \"%s\"\n", name, err.msg,
		       once.data ? once.data : "", twice.data ? twice.data : "");
	buf_release(&once);
	buf_release(&twice);
	return ok;
}

/*
 * What the fuzzer found (make fuzz): normalised WebVTT that did not read
 * back. A line left empty by cleaning ended the cue early; an SSA override
 * ran across lines, or was made of what was left when a tag was dropped; a
 * kept tag could hold "-->"; two cues could become one repeated cue; and text libavformat
 * passes over without a word (a WebVTT block after the last cue, SRT lines
 * before the first) was lost.
 */
static void transcript_normalised_reads_back(void)
{
	struct hearth_err err;
	CHECK(reads_back("emptied.srt",
			 "1\r\n00:00:01,000 --> 00:00:02,000\r\nHello\r\n\r</font>\r\nworld\r\n",
			 "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello\nworld\n"));
	CHECK(reads_back("cr.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\na\r\rb\n",
			 "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\na\nb\n"));
	CHECK(reads_back("dashes.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<c.a--b>x</c> <v --y>y\n",
			 "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nx</c> y\n"));
	CHECK(reads_back("twice.srt",
			 "1\n00:00:01,000 --> 00:00:02,000\n<font>x</font>\n\n"
			 "2\n00:00:01,000 --> 00:00:02,000\nx\n",
			 "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nx\n"));
	/* SSA overrides: SRT only, one line at most, never made of what is left */
	CHECK(reads_back("override.srt",
			 "1\n00:00:01,000 --> 00:00:02,000\n{<font>\\an8}x {\\an8\ny} {\\b1}z\n",
			 "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{\\an8}x {\\an8\ny} z\n"));
	CHECK(reads_back("override.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n{\\an8}x\n",
			 "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{\\an8}x\n"));
	CHECK(reads_back("note.vtt",
			 "WEBVTT\n\n00:01.000 --> 00:02.000\na\n\nNOTE the end\nof it\n\n\n",
			 "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\na\n"));
	CHECK(transcript_of("lost.vtt",
			    "WEBVTT\n\n00:01.000 --> 00:02.000\na\n\n00:03.000 -> 00:04.000\nlost\n", 0,
			    NULL, NULL, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "lost.vtt: line 6: '00:03.000 -> 00:04.000' is not in a cue, and "
			      "libavformat stops reading there; is a timing line like "
			      "00:00:01.000 --> 00:00:04.000 missing or malformed?"));
	/* such a block before a later cue is named, not the cue after it */
	CHECK(transcript_of("stops.vtt",
			    "WEBVTT\n\n00:01.000 --> 00:02.000\na\n\nan id\nno timing\n\n"
			    "00:05.000 --> 00:06.000\nc\n",
			    0, NULL, NULL, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "stops.vtt: line 6: 'an id' is not in a cue, and libavformat stops"));
	CHECK(transcript_of("preamble.srt",
			    "\xef\xbb\xbfTranscript of episode 3\n\n1\n00:00:01,000 --> 00:00:02,000\nx\n",
			    0, NULL, NULL, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "preamble.srt: line 1: 'Transcript of episode 3' comes before the first "
			      "cue and would be lost"));
	CHECK_OK(transcript_of("number.srt", "\xef\xbb\xbf\n 1\n00:00:01,000 --> 00:00:02,000\nx\n", 0,
			       NULL, NULL, &err), &err);
}

/*
 * Cues that meet end to start are the usual case, and the one where each
 * timing line is read again: a long transcript of them still reads fast.
 */
static void transcript_long_contiguous(void)
{
	struct hearth_err err;
	struct buf in = BUF_INIT, text = BUF_INIT;
	const int n = 3000;
	buf_puts(&in, "WEBVTT\n");
	for (int i = 0; i < n; i++)
		buf_printf(&in, "\n%02d:%02d:%02d.000 --> %02d:%02d:%02d.000\nline %d\n", i / 3600,
			   i / 60 % 60, i % 60, (i + 1) / 3600, (i + 1) / 60 % 60, (i + 1) % 60, i);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_OK(file_write_atomic(tp("long.vtt"), in.data, in.len, &err), &err);
	CHECK_OK(media_transcript(tp("long.vtt"), n, NULL, &text, &err), &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# %d contiguous cues read in %.3f s\n", n, s);
	CHECK(str_starts(text.data, "line 0\nline 1\n"));
	buf_release(&in);
	buf_release(&text);
}

/*
 * MEDIA_MAX_CUES cues are read; one more is refused by its count, before
 * libavformat reads the file, in WebVTT and SRT alike.
 */
static void transcript_cue_limit(void)
{
	struct hearth_err err;
	for (int srt = 0; srt < 2; srt++) {
		for (int n = MEDIA_MAX_CUES; n <= MEDIA_MAX_CUES + 1; n++) {
			struct buf in = BUF_INIT, text = BUF_INIT;
			if (!srt)
				buf_puts(&in, "WEBVTT\n");
			for (int i = 0; i < n; i++) {
				if (srt)
					buf_printf(&in, "%s%d", i ? "\n" : "", i + 1);
				buf_printf(&in, "\n%02d:%02d:%02d%c500 --> %02d:%02d:%02d%c900\nw%d\n",
					   i / 3600, i / 60 % 60, i % 60, srt ? ',' : '.', i / 3600,
					   i / 60 % 60, i % 60, srt ? ',' : '.', i);
			}
			const char *name = srt ? "many.srt" : "many.vtt";
			int rc = transcript_of(name, in.data, n, NULL, &text, &err);
			if (n == MEDIA_MAX_CUES) {
				CHECK_OK(rc, &err);
				CHECK(str_starts(text.data, "w0\nw1\n"));
			} else {
				CHECK(rc == HEARTH_EINVAL);
				char want[160];
				snprintf(want, sizeof want,
					 "%s: has %d cues; a transcript may have at most %d", name, n,
					 MEDIA_MAX_CUES);
				CHECK(strstr(err.msg, want) != NULL);
			}
			buf_release(&in);
			buf_release(&text);
		}
	}
}

/* ---- chapters --------------------------------------------------------------- */

/* Writes an FFMETADATA file with three chapters in two time bases. */
static int chapters_meta(const char *name)
{
	return sh("printf '%%s\\n' ';FFMETADATA1' 'title=Private source title' "
		  "'[CHAPTER]' 'TIMEBASE=1/1000' 'START=0' 'END=1000' 'title=  Opening   part  ' "
		  "'[CHAPTER]' 'TIMEBASE=1/1000' 'START=1000' 'END=2250' 'title=The kettle \xc3\xa9' "
		  "'[CHAPTER]' 'TIMEBASE=1/100' 'START=225' 'END=300' 'title=Close' > %s",
		  name);
}

static void chapters_read_embedded(void)
{
	static const char *const files[] = {"chap.m4a", "chap.mp3", "chap.mka"};
	struct hearth_err err;
	struct media_chapter *v = NULL;
	size_t n = 9;

	CHECK(chapters_meta("meta.txt") == 0);
	for (size_t i = 0; i < 3; i++) {
		CHECK(sh(FF "-i tone.wav -i meta.txt -map_metadata 1 -map_chapters 1 %s",
			 files[i]) == 0);
		CHECK_OK(media_chapters_read(tp(files[i]), &v, &n, &err), &err);
		if (n != 3) {
			printf("# %s: %zu chapters\n", files[i], n);
			CHECK(n == 3);
		}
		/* times in seconds whatever the time base; titles tidied */
		CHECK(v[0].start == 0 && v[1].start == 1.0 && v[2].start == 2.25);
		CHECK_STR(v[0].title, "Opening part");
		CHECK_STR(v[1].title, "The kettle \xc3\xa9");
		CHECK_STR(v[2].title, "Close");
		media_chapters_free(v, n);
	}

	/* Ogg's CHAPTERxxx comments; a chapter without a name gets one */
	CHECK(sh(FF "-i tone.wav -metadata CHAPTER000=00:00:00.000 -metadata CHAPTER000NAME=Start "
		    "-metadata CHAPTER001=00:00:01.250 -metadata CHAPTER002=00:00:09.000 chap.ogg") == 0);
	CHECK_OK(media_chapters_read(tp("chap.ogg"), &v, &n, &err), &err);
	/* the mark at 9 s is past the end of the 3 s tone: dropped */
	CHECK(n == 2 && v[1].start == 1.25);
	CHECK_STR(v[0].title, "Start");
	CHECK_STR(v[1].title, "Chapter 2");
	media_chapters_free(v, n);

	/* no chapters; and not a sound file */
	CHECK_OK(media_chapters_read(tp("tone.wav"), &v, &n, &err), &err);
	CHECK(n == 0 && v == NULL);
	media_chapters_free(v, n);
	CHECK(media_chapters_read(tp("meta.txt"), &v, &n, &err) != 0);
	CHECK(n == 0 && v == NULL);
}

static void chapters_json_shape(void)
{
	struct hearth_err err;
	struct buf out = BUF_INIT;
	struct media_chapter v[] = {{0, "Opening"}, {90.5, "The \"kettle\""}, {125.25, "Caf\xc3\xa9"}};

	CHECK_OK(media_chapters_json(v, 3, 300, "A hard Tuesday", "Hearth Stories", &out, &err),
		 &err);
	CHECK_STR(out.data, "{\n"
			    "  \"version\": \"1.2.0\",\n"
			    "  \"title\": \"A hard Tuesday\",\n"
			    "  \"podcastName\": \"Hearth Stories\",\n"
			    "  \"chapters\": [\n"
			    "    {\n"
			    "      \"startTime\": 0,\n"
			    "      \"title\": \"Opening\"\n"
			    "    },\n"
			    "    {\n"
			    "      \"startTime\": 90.500,\n"
			    "      \"title\": \"The \\\"kettle\\\"\"\n"
			    "    },\n"
			    "    {\n"
			    "      \"startTime\": 125.250,\n"
			    "      \"title\": \"Caf\xc3\xa9\"\n"
			    "    }\n"
			    "  ]\n"
			    "}\n");
	buf_release(&out);

	struct media_chapter back[] = {{0, "a"}, {10, "b"}, {10, "c"}};
	CHECK(media_chapters_json(back, 3, 0, NULL, NULL, &out, &err) == HEARTH_EINVAL);
	CHECK_STR(err.msg, "chapters: chapter 3 starts at 0:10, not after chapter 2 (0:10)");
	struct media_chapter late[] = {{0, "a"}, {301.5, "b"}};
	CHECK(media_chapters_json(late, 2, 300, NULL, NULL, &out, &err) == HEARTH_EINVAL);
	CHECK_STR(err.msg, "chapters: chapter 2 starts at 5:01.500, after the end of the audio (5:00)");
	struct media_chapter untitled[] = {{0, ""}};
	CHECK(media_chapters_json(untitled, 1, 0, NULL, NULL, &out, &err) == HEARTH_EINVAL);
	CHECK(media_chapters_json(v, 0, 0, NULL, NULL, &out, &err) == HEARTH_EINVAL);
	CHECK(out.len == 0);
}

int main(void)
{
	make_fixtures();
	RUN(fixtures);
	RUN(name_must_agree_with_content);
	RUN(header_size_without_decoding);
	RUN(sniff_reports_what_libmagic_sees);
	RUN(allow_lists_by_role);
	RUN(intake_refuses_text_named_mp3);
	RUN(intake_refuses_image_as_audio);
	RUN(intake_refuses_truncated_audio);
	RUN(intake_accepts_sound_and_fills_asset);
	RUN(intake_refuses_video_and_limits);
	RUN(intake_art);
	RUN(intake_text_and_transcripts);
	RUN(probe_values);
	RUN(mp3_rendition_speech);
	RUN(mp3_rendition_music_from_tagged_mp3);
	RUN(jpeg_rendition);
	RUN(renditions_are_deterministic);
	RUN(exif_parser_is_careful);
	RUN(art_orientations);
	RUN(art_keeps_no_metadata);
	RUN(art_widths_and_webp);
	RUN(art_alpha_on_white);
	RUN(art_cover);
	RUN(art_cover_check);
	RUN(art_intake);
	RUN(art_deterministic_and_cached);
	RUN(cache_makes_once);
	RUN(cache_read_without_ffmpeg);
	RUN(cache_is_safe_when_raced);
	RUN(transcript_vtt_normalised);
	RUN(transcript_srt_normalised);
	RUN(transcripts_refused_by_cue);
	RUN(transcript_normalised_reads_back);
	RUN(transcript_long_contiguous);
	RUN(transcript_cue_limit);
	RUN(chapters_read_embedded);
	RUN(chapters_json_shape);
	return 0;
}
