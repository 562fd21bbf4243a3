/*
 * bench_audio.c - a small driver for tools/bench.sh: makes one rendition
 * with media_render() or measures a file with media_loudness(), and says
 * how long it took. tools/bench.sh times it from outside too (wall time and
 * the peak memory of the process), so this program only does the work.
 *
 *   bench_audio render mp3|m4a|peaks|svg SRC DST [speech|music]
 *   bench_audio loudness FILE      prints "LUFS dBTP"
 */
#include "../../media/media.h"

#include <stdio.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr, "usage: bench_audio render mp3|m4a|peaks|svg SRC DST [speech|music]\n"
			"       bench_audio loudness FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct hearth_err err = {0};
	int rc;

	if (argc == 3 && !strcmp(argv[1], "loudness")) {
		double lufs, tp;
		rc = media_loudness(argv[2], &lufs, &tp, &err);
		if (rc == 0)
			printf("%.2f %.2f\n", lufs, tp);
	} else if ((argc == 5 || argc == 6) && !strcmp(argv[1], "render")) {
		struct media_job job = {.kind = MEDIA_MP3};
		struct media_result res = {0};
		if (!strcmp(argv[2], "m4a"))
			job.kind = MEDIA_M4A;
		else if (!strcmp(argv[2], "peaks"))
			job.kind = MEDIA_PEAKS;
		else if (!strcmp(argv[2], "svg"))
			job.kind = MEDIA_WAVEFORM;
		else if (strcmp(argv[2], "mp3"))
			return usage();
		if (argc == 6 && !strcmp(argv[5], "music"))
			job.audio.kind = AUDIO_MUSIC;
		rc = media_render(argv[3], argv[4], &job, &res, &err);
		media_result_release(&res);
	} else {
		return usage();
	}
	if (rc)
		fprintf(stderr, "bench_audio: %s\n", err.msg);
	return rc ? 1 : 0;
}
