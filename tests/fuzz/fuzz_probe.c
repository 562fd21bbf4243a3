/*
 * fuzz_probe.c - a libFuzzer target for what intake does first to any
 * file: libmagic's sniff (media_sniff), libavformat's probe with Hearth's
 * demuxer allow-list (media_probe, which decodes sound through when the
 * container states no length), the chapter reader (media_chapters_read)
 * and the image header reader (media_header_size).
 * These open files by path, so each input is written to one scratch file.
 *
 * Built and run by tools/fuzz.sh (make fuzz); make check replays its
 * seeds (tests/fuzz/seeds.sh) and tests/fuzz/regress/probe/.
 */
#define _GNU_SOURCE
#include "../../media/mediaInt.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static char scratch[4096];

/* One scratch file per process, removed at exit. */
static void scratch_remove(void)
{
	if (scratch[0])
		unlink(scratch);
}

static const char *scratch_file(void)
{
	if (!scratch[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(scratch, sizeof scratch, "%s/hearth-fuzz-probe-XXXXXX",
			 dir && *dir ? dir : "/tmp");
		int fd = mkstemp(scratch);
		if (fd < 0) {
			perror("mkstemp");
			abort();
		}
		close(fd);
		atexit(scratch_remove);
	}
	return scratch;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = scratch_file();
	struct hearth_err err;
	struct media_info info;
	struct media_chapter *ch = NULL;
	size_t n = 0;
	char *mime = NULL;

	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		perror(path);
		abort();
	}
	if (media_sniff(path, &mime, NULL, &err) == 0)
		free(mime);
	int64_t w, h;
	media_header_size(path, &w, &h);
	media_probe(path, &info, &err);
	if (media_chapters_read(path, &ch, &n, &err) == 0)
		media_chapters_free(ch, n);
	return 0;
}
