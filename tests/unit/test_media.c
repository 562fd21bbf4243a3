/*
 * test_media.c - media/: sniffing and allow-lists, intake refusals, probing,
 * the MP3 and JPEG renditions (and that no source metadata survives), the
 * rendition cache, and transcripts. Fixtures are made at run time with the
 * ffmpeg program (only tests may use it) in the test's scratch folder.
 */
#define _GNU_SOURCE
#include "../../media/media.h"
#include "t.h"

#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

/* ---- a stand-in library ---------------------------------------------------
 * While library/ is not built in this branch, these weak definitions give
 * media/ a store to talk to: store/<sha[0:2]>/<sha> under the library
 * folder. The real library's definitions win once it is linked in.
 */
struct hearth_lib {
	char *dir;
};

__attribute__((weak)) int lib_init(const char *dir, struct hearth_err *err)
{
	char *s = path_join(dir, "store");
	int rc = mkdir_p(s, err);
	free(s);
	return rc;
}

__attribute__((weak)) int lib_open(const char *dir, hearth_lib **out,
				   struct hearth_err *err)
{
	(void)err;
	*out = xcalloc(1, sizeof **out);
	(*out)->dir = xstrdup(dir);
	return 0;
}

__attribute__((weak)) void lib_close(hearth_lib **lib)
{
	if (*lib) {
		free((*lib)->dir);
		xfree(lib);
	}
}

__attribute__((weak)) const char *lib_dir(const hearth_lib *lib)
{
	return lib->dir;
}

__attribute__((weak)) char *lib_store_path(const hearth_lib *lib, const char *sha)
{
	return xasprintf("%s/store/%.2s/%s", lib->dir, sha, sha);
}

__attribute__((weak)) int lib_store_add(hearth_lib *lib, const char *path,
					char sha_out[65], struct hearth_err *err)
{
	int rc = sha256_file(path, sha_out, err);
	char *dst;
	if (rc)
		return rc;
	dst = lib_store_path(lib, sha_out);
	if (!path_exists(dst))
		rc = file_copy(path, dst, err);
	free(dst);
	return rc;
}

/* ---- helpers -------------------------------------------------------------- */

/* A path in the scratch folder; valid for the next 15 calls. */
static const char *tp(const char *name)
{
	static char ring[16][512];
	static int k;
	char *p = ring[k++ % 16];
	snprintf(p, 512, "%s/%s", t_tmpdir(), name);
	return p;
}

/* Runs a shell command in the scratch folder; returns its exit status. */
static int sh(const char *fmt, ...) HEARTH_PRINTF(1, 2);
static int sh(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	char *cmd;
	int rc;

	va_start(ap, fmt);
	cmd = NULL;
	if (vasprintf(&cmd, fmt, ap) < 0)
		cmd = NULL;
	va_end(ap);
	buf_printf(&b, "cd '%s' && %s", t_tmpdir(), cmd ? cmd : "false");
	rc = system(b.data);
	free(cmd);
	buf_release(&b);
	return rc;
}

#define FF "ffmpeg -nostdin -hide_banner -loglevel error -y "

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
	bad |= sh("printf 'just some words\\n' > words.txt");
	bad |= sh("printf '# A story\\n\\nIt was *hard*, then less so.\\n' > story.md");
	fixtures_ok = !bad;
}

static void fixtures(void)
{
	CHECK(fixtures_ok);
}

static struct lib_asset asset(const char *role)
{
	struct lib_asset a;
	memset(&a, 0, sizeof a);
	a.role = xstrdup(role);
	return a;
}

static void asset_release(struct lib_asset *a)
{
	free(a->role);
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
		bool allowed = media_role_allows(cases[i].role, mime);
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
	CHECK(media_role_allows("audio", "audio/flac"));
	CHECK(media_role_allows("music", "application/ogg"));
	CHECK(!media_role_allows("audio", "image/png"));
	CHECK(!media_role_allows("audio", "text/plain"));
	CHECK(!media_role_allows("art", "audio/mpeg"));
	CHECK(!media_role_allows("art", "image/svg+xml"));
	CHECK(!media_role_allows("art", "image/tiff"));
	CHECK(media_role_allows("transcript", "text/vtt"));
	CHECK(media_role_allows("transcript", "application/x-subrip"));
	CHECK(!media_role_allows("transcript", "text/html"));
	CHECK(media_role_allows("text", "text/markdown"));
	CHECK(!media_role_allows("text", "application/octet-stream"));
	CHECK(!media_role_allows("video", "video/mp4"));
	CHECK(!media_role_allows(NULL, "audio/flac"));
	CHECK(!media_role_allows("audio", NULL));
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
	CHECK(strstr(err.msg, "long.flac: the audio is 0:03.0 long, more than the limit of 0:02.0"));

	lim.max_duration = 0;
	lim.max_file_size = 1000;
	rc = intake_as(lib, "tone.wav", "big.wav", "audio", &lim, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK_STR(err.msg, "big.wav: the file is 265 KB, more than the limit of 1 KB");

	lim.max_file_size = 0;
	lim.max_pixels = 320 * 200;
	rc = intake_as(lib, "pic.png", "huge.png", "art", &lim, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(str_starts(err.msg, "huge.png: the image is 320 x 240 pixels"));

	rc = intake_as(lib, "tone.wav", "x.wav", "video", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "unknown role 'video'") != NULL);

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
	CHECK(sh("printf 'ok line\\nbad \\377 byte\\n' > latin.md") == 0);

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

	CHECK_OK(intake_as(lib, "story.md", "story.md", "text", NULL, &a, &err), &err);
	CHECK_STR(a.mime, "text/plain");
	asset_release(&a);
	CHECK_OK(intake_as(lib, "utf8.md", "utf8.md", "text", NULL, &a, &err), &err);
	asset_release(&a);
	rc = intake_as(lib, "latin.md", "latin.md", "text", NULL, &a, &err);
	asset_release(&a);
	CHECK(rc == HEARTH_EINVAL);
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
	CHECK(s < 10);
	buf_release(&in);
	buf_release(&text);
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
	RUN(cache_makes_once);
	RUN(cache_is_safe_when_raced);
	RUN(transcript_vtt_normalised);
	RUN(transcript_srt_normalised);
	RUN(transcripts_refused_by_cue);
	RUN(transcript_normalised_reads_back);
	RUN(transcript_long_contiguous);
	RUN(chapters_read_embedded);
	RUN(chapters_json_shape);
	return 0;
}
