/*
 * fuzz_frontmatter.c - a libFuzzer target for what a story bundle's
 * story.md goes through: the front matter split, the YAML reader (with its
 * refusals of aliases, duplicate keys and deep nesting) and the bundle
 * reader's checks of every field, through lib_bundle_read on a real folder
 * that also holds a few files a front matter may name.
 *
 * Besides "no crash, no leak, no undefined behaviour" it checks that a
 * refusal always carries a message, and that a story read has a title
 * within the limit.
 *
 * Built and run by tools/fuzz.sh (make fuzz); make check replays its
 * seeds (tests/fuzz/seeds.sh) and tests/fuzz/regress/frontmatter/.
 */
#include "../../library/library.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* A bundle folder made once: story.md is rewritten for every input. */
static const char *bundle_dir(void)
{
	static char *dir;
	if (dir)
		return dir;
	char *base = fuzz_folder();
	dir = path_join(base, "fuzz-story");
	free(base);
	struct hearth_err err;
	char *p = path_join(dir, "voice.wav");
	if (file_write_atomic(p, "RIFF", 4, &err) != 0)
		abort();
	free(p);
	p = path_join(dir, "art/picture.png");
	if (file_write_atomic(p, "\x89PNG", 4, &err) != 0)
		abort();
	free(p);
	return dir;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *yaml, *body;
	size_t yaml_len, body_len;
	int body_line;
	struct hearth_err err;
	struct ynode *y = NULL;
	struct lib_story *s = NULL;

	/* the pieces alone */
	memset(&err, 0, sizeof err);
	if (frontmatter_split((const char *)data, size, "fuzz.md", &yaml, &yaml_len, &body,
			      &body_len, &body_line, &err) == 0) {
		if (yaml_parse(yaml, yaml_len, "fuzz.md", 1, &y, &err) == 0)
			ynode_free(y);
		else if (!err.msg[0])
			abort(); /* a refusal always says why */
	}

	/* the whole bundle reader, on a folder */
	const char *dir = bundle_dir();
	char *md = path_join(dir, "story.md");
	FILE *f = fopen(md, "wb"); /* no fsync: thousands of runs a second */
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	memset(&err, 0, sizeof err);
	if (lib_bundle_read(dir, NULL, &s, &err) == 0) {
		if (!s->title || utf8_chars(s->title) > LIB_MAX_TITLE_CHARS)
			abort();
		lib_story_free(&s);
	} else if (!err.msg[0]) {
		abort();
	}
	free(md);
	return 0;
}
