/*
 * test_media_measure.c - the loudness measurement of media/measure.c cut
 * in two: given two threads, a source of a minute or more is scanned in
 * two halves at once, and the result must be the one thread's (the same
 * integrated loudness, gain and duration), for mono and stereo, WAV, FLAC
 * and MP3 sources, rates whose 100 ms is not a round number of samples,
 * lengths that end inside a block, and a file shorter than its header
 * says. A short source is not cut. The
 * fixtures are made at run time with ffmpeg and espeak-ng in the test's
 * scratch folder.
 */
#define _GNU_SOURCE
#include "../../media/mediaInt.h"
#include "t.h"

#include <math.h>

static bool fixtures_ok;

/*
 * long.wav: espeak-ng speech looped to 75 s, quiet for its first 30 s and
 * loud after, so the halves differ. music.flac: stereo tones and noise at
 * 48 kHz, 83.33 s. tone.mp3: 22.05 kHz mono MP3 (decoder delay and
 * padding), 65 s, a tone that swells. short.wav: 30 s, not cut. cut.flac:
 * 22 s whose header says 75, so the cut is planned past the end of the
 * sound.
 */
static void make_fixtures(void)
{
	int bad = 0;
	bad |= sh("espeak-ng -v en-gb -s 160 -w said.wav 'I have spent a lot of my life "
		  "being quiet. But this was a different kind of quiet: not hiding, just "
		  "waiting.' >/dev/null 2>&1");
	bad |= sh(FF "-stream_loop -1 -i said.wav -t 75 -af "
		     "\"volume='if(lt(t,30),0.2,1)':eval=frame\" -ar 44100 -ac 1 "
		     "-c:a pcm_s16le long.wav");
	bad |= sh(FF "-f lavfi -i anoisesrc=c=pink:a=0.3:d=83.33:r=48000:seed=3 -f lavfi "
		     "-i sine=f=330:d=83.33:r=48000 -filter_complex "
		     "'[0][1]amix=inputs=2:normalize=0,pan=stereo|c0=c0|c1=0.7*c0' "
		     "-c:a flac music.flac");
	bad |= sh(FF "-f lavfi -i 'aevalsrc=(0.05+0.4*t/65)*sin(2*PI*440*t):s=22050:d=65' "
		     "-c:a libmp3lame -b:a 64k tone.mp3");
	bad |= sh(FF "-i long.wav -t 30 -c:a pcm_s16le short.wav");
	/* 22 s of FLAC whose STREAMINFO says 75 s (its total of samples patched) */
	bad |= sh(FF "-i long.wav -t 22 -c:a flac short22.flac");
	bad |= sh("python3 -c \"import struct; b = bytearray(open('short22.flac', 'rb').read()); "
		  "v = struct.unpack('>Q', bytes(b[18:26]))[0] & ~((1 << 36) - 1); "
		  "b[18:26] = struct.pack('>Q', v | 44100 * 75); open('cut.flac', 'wb').write(b)\"");
	fixtures_ok = !bad;
}

static void fixtures(void)
{
	CHECK(fixtures_ok);
}

/* What one thread and two threads measure of name, which must agree. */
static void agree(const char *name, enum media_audio_kind kind, double extra, bool cut)
{
	struct hearth_err err;
	struct media_audio_opts o = {.kind = kind};
	struct audio_measure one, two;

	media_pcm_opened = 0;
	CHECK_OK(audio_measure_headroom(tp(name), &o, extra, 1, &one, &err), &err);
	CHECK(media_pcm_opened == 1);
	media_pcm_opened = 0;
	CHECK_OK(audio_measure_headroom(tp(name), &o, extra, 2, &two, &err), &err);
	/* a cut scan decodes the source twice: once for each half */
	CHECK(media_pcm_opened == (cut ? 2 : 1));
	printf("# %s: %.6f LUFS, gain %.6f dB, %.3f s; cut: %.6f LUFS, gain %.6f dB, %.3f s\n",
	       name, one.lufs, one.gain, one.duration, two.lufs, two.gain, two.duration);
	CHECK(isfinite(one.lufs) && isfinite(two.lufs));
	/* the envelope is the same, so the figures are, to rounding */
	CHECK(fabs(one.lufs - two.lufs) < 1e-6);
	CHECK(fabs(one.gain - two.gain) < 1e-6);
	CHECK(one.duration == two.duration);
}

static void halves_measure_what_one_thread_does(void)
{
	agree("long.wav", AUDIO_SPEECH, 0, true);
	if (t_failed_)
		return;
	agree("music.flac", AUDIO_MUSIC, 0, true);
	if (t_failed_)
		return;
	agree("tone.mp3", AUDIO_SPEECH, 0, true);
	if (t_failed_)
		return;
	/* a retry's measurement, with more headroom under the limiter */
	agree("long.wav", AUDIO_SPEECH, 1.5, true);
	if (t_failed_)
		return;
	/* the first half reaches the end before the cut; the second finds nothing */
	agree("cut.flac", AUDIO_SPEECH, 0, true);
}

static void a_short_source_is_not_cut(void)
{
	agree("short.wav", AUDIO_SPEECH, 0, false);
}

/* The cut measurement still agrees with libebur128 on the whole programme. */
static void halves_agree_with_libebur128(void)
{
	struct hearth_err err;
	struct media_audio_opts o = {.kind = AUDIO_SPEECH};
	struct audio_measure m;
	double lufs;

	CHECK_OK(media_loudness(tp("long.wav"), &lufs, NULL, &err), &err);
	CHECK_OK(audio_measure_headroom(tp("long.wav"), &o, 0, 2, &m, &err), &err);
	printf("# long.wav: %.3f LUFS, libebur128 %.3f\n", m.lufs, lufs);
	CHECK(fabs(m.lufs - lufs) < 0.1);
	CHECK(fabs(m.duration - 75.0) < 0.01);
}

int main(void)
{
	make_fixtures();
	RUN(fixtures);
	if (!fixtures_ok)
		return 1;
	RUN(halves_measure_what_one_thread_does);
	RUN(a_short_source_is_not_cut);
	RUN(halves_agree_with_libebur128);
	return 0;
}
