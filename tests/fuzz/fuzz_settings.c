/*
 * fuzz_settings.c - a libFuzzer target for the library's other YAML
 * files: hearth.yaml (lib_settings_parse, the reader `hearth import` and
 * every command use) and a collection file, collections/<slug>.yaml
 * (lib_collection_read), the same bytes given to each.
 *
 * Besides "no crash, no leak, no undefined behaviour" it checks that a
 * refusal always says why, and that what is taken is what the settings
 * allow: every number within its range and finite, the address an http
 * or https one without a trailing slash, a collection's stories valid
 * slugs, none twice.
 *
 * Built and run by tools/fuzz.sh (make fuzz); make check replays its
 * seeds (tests/fuzz/seeds.sh) and tests/fuzz/regress/settings/.
 */
#include "../../library/libraryInt.h"
#include "fuzz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* The folder the collection file is written in, made once. */
static const char *shelf(void)
{
	static char *path;
	if (path)
		return path;
	char *base = fuzz_folder();
	path = path_join(base, "first-steps.yaml");
	free(base);
	return path;
}

static bool within(double v, double lo, double hi)
{
	return isfinite(v) && v >= lo && v <= hi;
}

static void check_settings(const struct lib_settings *s)
{
	if (!s->title || !s->language || !s->base_url)
		abort();
	size_t n = strlen(s->base_url);
	/* a scheme in any case, as RFC 3986 and the feed writer (fw_url_ok) take it */
	if ((strncasecmp(s->base_url, "https://", 8) && strncasecmp(s->base_url, "http://", 7)) ||
	    (n && s->base_url[n - 1] == '/'))
		abort();
	if (!within(s->archive_after, 1, 100000) || !within((double)s->max_file_size, 1, 1e15) ||
	    !within(s->max_duration, 1, 1e7) || !within((double)s->max_pixels, 1, 1e12) ||
	    !within((double)s->max_story_size, 1, 1e8) ||
	    !within((double)s->max_collection_size, 1, 1e8) || !within(s->loudness, -70, 0) ||
	    !within(s->true_peak, -20, 0) || !within(s->speech_kbps, 8, 640) ||
	    !within(s->music_kbps, 8, 640) || !within(s->serve_port, 1, 65535) ||
	    !within((double)s->serve_max_upload, 1000, 1e13))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hearth_err err;
	struct lib_settings s;

	memset(&err, 0, sizeof err);
	if (lib_settings_parse((const char *)data, size, "hearth.yaml", &s, &err) == 0) {
		check_settings(&s);
		lib_settings_release(&s);
	} else if (!err.msg[0]) {
		abort(); /* a refusal always says why */
	}

	const char *path = shelf();
	FILE *f = fopen(path, "wb"); /* no fsync: thousands of runs a second */
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	struct lib_collection *c = NULL;
	memset(&err, 0, sizeof err);
	if (lib_collection_read(path, NULL, &c, &err) == 0) {
		if (!c->title || strcmp(c->slug, "first-steps"))
			abort();
		size_t n = strv_len(c->stories);
		for (size_t i = 0; i < n; i++)
			if (!slug_valid(c->stories[i]))
				abort();
		if (strv_first_repeat(c->stories, n) != n)
			abort();
		lib_collection_free(&c);
	} else if (!err.msg[0] || c) {
		abort();
	}
	return 0;
}
