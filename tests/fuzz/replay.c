/*
 * replay.c - runs a fuzz target's LLVMFuzzerTestOneInput on files, the
 * way libFuzzer replays a saved input, without libFuzzer: make check
 * links each tests/fuzz/fuzz_<target>.c with this and the sanitizer
 * build, and tests/cli/fuzz_replay.sh feeds it the inputs that once
 * failed (tests/fuzz/regress/<target>/) and inputs of its own, so the
 * targets keep building and what they check keeps holding between runs
 * of make fuzz.
 *
 * Usage: replay_<target> FILE...; exits 1 when a file cannot be read.
 * A target that finds something wrong aborts, as under libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 1;
		}
		uint8_t *data = NULL;
		size_t n = 0, cap = 0, got;
		do {
			if (n == cap) {
				cap = cap ? cap * 2 : 4096;
				uint8_t *p = realloc(data, cap);
				if (!p)
					abort();
				data = p;
			}
			got = fread(data + n, 1, cap - n, f);
			n += got;
		} while (got);
		if (ferror(f)) {
			perror(argv[i]);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(data, n);
		free(data);
	}
	return 0;
}
