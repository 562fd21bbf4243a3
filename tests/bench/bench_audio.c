/*
 * bench_audio.c - the driver of tools/bench.sh: makes one rendition with
 * media_render(), measures a file with media_loudness(), or runs a command
 * and reports its wall time and peak memory (getrusage of the child), so
 * Hearth and the ffmpeg program are timed the same way.
 *
 *   bench_audio render mp3|m4a|peaks|svg|cover SRC DST [speech|music]
 *   bench_audio set SRC STEM [THREADS]
 *                                    every rendition of a recording (STEM.mp3,
 *                                    .m4a, -peaks.json, -waveform.svg) from one
 *                                    decode, as a build makes them
 *   bench_audio loudness FILE        prints "LUFS dBTP"
 *   bench_audio hash FILE            prints the file's SHA-256, as intake takes it
 *   bench_audio run CMD [ARG...]     prints "SECONDS MAXRSS_KB EXIT CPU_SECONDS"
 *                                    (CPU: user and system time of the child)
 */
#define _GNU_SOURCE
#include "../../media/media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Runs argv with its output kept out of ours; wall time and peak memory. */
static int run(char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status = 0;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("bench_audio: fork");
		return 1;
	}
	if (pid == 0) {
		/* our standard output is the figures; the command's goes nowhere */
		FILE *null = freopen("/dev/null", "w", stdout);
		(void)null;
		execvp(argv[0], argv);
		perror("bench_audio: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("bench_audio: wait4");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.3f %ld %d %.3f\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, ru.ru_maxrss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128,
	       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_audio render mp3|m4a|peaks|svg|cover SRC DST [speech|music]\n"
			"       bench_audio set SRC STEM [THREADS]\n"
			"       bench_audio loudness FILE\n"
			"       bench_audio run CMD [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct hearth_err err = {0};
	int rc;

	if (argc >= 3 && !strcmp(argv[1], "run"))
		return run(argv + 2);
	if (argc == 3 && !strcmp(argv[1], "hash")) {
		char hex[65];
		rc = sha256_file(argv[2], hex, &err);
		if (rc == 0)
			printf("%s\n", hex);
	} else if (argc == 3 && !strcmp(argv[1], "loudness")) {
		double lufs, tp;
		rc = media_loudness(argv[2], &lufs, &tp, &err);
		if (rc == 0)
			printf("%.2f %.2f\n", lufs, tp);
	} else if ((argc == 4 || argc == 5) && !strcmp(argv[1], "set")) {
		struct media_job jobs[4] = {{.kind = MEDIA_MP3}, {.kind = MEDIA_M4A},
					    {.kind = MEDIA_PEAKS}, {.kind = MEDIA_WAVEFORM}};
		const char *ext[4] = {".mp3", ".m4a", "-peaks.json", "-waveform.svg"};
		char dst[4][4096];
		const char *d[4];
		for (int i = 0; i < 4; i++) {
			snprintf(dst[i], sizeof dst[i], "%s%s", argv[3], ext[i]);
			d[i] = dst[i];
		}
		rc = media_render_audio(argv[2], d, jobs, 4, argc == 5 ? atoi(argv[4]) : 2, NULL,
					&err);
	} else if ((argc == 5 || argc == 6) && !strcmp(argv[1], "render")) {
		struct media_job job = {.kind = MEDIA_MP3};
		struct media_result res = {0};
		if (!strcmp(argv[2], "m4a"))
			job.kind = MEDIA_M4A;
		else if (!strcmp(argv[2], "peaks"))
			job.kind = MEDIA_PEAKS;
		else if (!strcmp(argv[2], "svg"))
			job.kind = MEDIA_WAVEFORM;
		else if (!strcmp(argv[2], "cover"))
			job.kind = MEDIA_COVER;
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
