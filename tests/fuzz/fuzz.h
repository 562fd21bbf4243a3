/*
 * fuzz.h - what the fuzz targets share: libFuzzer's entry point, and a
 * folder of their own for the files a target reads by path. Included
 * after the header of the module a target exercises (it uses core/'s
 * xasprintf).
 */
#ifndef HEARTH_FUZZ_H
#define HEARTH_FUZZ_H

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A new folder under $TMPDIR (else /tmp), made once per call; aborts when it cannot be. */
static inline char *fuzz_folder(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/hearth-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	return dir;
}

#endif
