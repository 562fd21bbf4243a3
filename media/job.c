/*
 * job.c - the facts about a rendition job that every stage shares: a
 * kind's file extension and the audio options with their defaults filled
 * in, the channels a kind of recording is encoded in and the filters that
 * make its sound. render.c keys the cache with them, audio.c and
 * measure.c work to them; this file calls nobody, so they all stand on it.
 */
#include "mediaInt.h"

static const char *const kind_ext[] = {
	[MEDIA_MP3] = "mp3", [MEDIA_M4A] = "m4a", [MEDIA_PEAKS] = "json",
	[MEDIA_WAVEFORM] = "svg", [MEDIA_JPEG] = "jpg", [MEDIA_WEBP] = "webp",
	[MEDIA_COVER] = "jpg",
};

const char *media_kind_ext(enum media_kind kind)
{
	return kind <= MEDIA_COVER ? kind_ext[kind] : "bin";
}

struct media_audio_opts media_audio_defaults(const struct media_audio_opts *in)
{
	struct media_audio_opts o = in ? *in : (struct media_audio_opts){0};
	if (o.loudness == 0)
		o.loudness = -16.0;
	if (o.true_peak == 0)
		o.true_peak = -1.0;
	if (o.kbps == 0)
		o.kbps = o.kind == AUDIO_MUSIC ? 160 : 96;
	return o;
}

int media_audio_channels(enum media_audio_kind kind)
{
	return kind == AUDIO_MUSIC ? 2 : 1;
}

const char *media_audio_graph(enum media_audio_kind kind)
{
	return kind == AUDIO_MUSIC
		       ? "aresample=44100,aformat=sample_fmts=fltp:sample_rates=44100:"
			 "channel_layouts=stereo"
		       : "aresample=44100,aformat=sample_fmts=fltp:sample_rates=44100:"
			 "channel_layouts=mono";
}
