/*
 * settings.c - hearth.yaml, the site and podcast settings of a library:
 * the commented default that lib_init writes, the strict reader (unknown
 * keys are refused, every value checked) and the import of a content
 * folder's settings with its podcast artwork. The podcast GUID is derived
 * from the real feed URL at the first build that writes podcast episodes,
 * and then kept in the catalogue, so it never changes even when base_url
 * does. Reading the settings never writes: storing the GUID is its own step.
 */
#define _GNU_SOURCE
#include "libraryInt.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

static const char default_yaml[] =
	"# hearth.yaml - the settings of this Hearth library: the site, the\n"
	"# podcast, limits for incoming files and the audio renditions.\n"
	"# Unknown keys are refused, so a typo never goes unnoticed.\n"
	"\n"
	"# The name of the site and the podcast, and a line about it.\n"
	"title: \"My Hearth library\"\n"
	"description: \"Stories of lived experience of mental health, told by peers.\"\n"
	"# Where the site will be served; the podcast feed is <base_url>/feed.xml.\n"
	"# Set it to your site's address before the first build with episodes:\n"
	"# the podcast's GUID is made from it then and kept for good.\n"
	"base_url: \"" LIB_PLACEHOLDER_BASE_URL "\"\n"
	"language: en\n"
	"# Who publishes: shown as the podcast's author and owner.\n"
	"author: \"The Hearth editors\"\n"
	"\n"
	"podcast:\n"
	"  category: \"Health & Fitness\"\n"
	"  subcategory: \"Mental Health\"\n"
	"  explicit: no\n"
	"  # Square artwork (1400 to 3000 pixels), relative to this file:\n"
	"  # image: cover.jpg\n"
	"  license: CC-BY-NC-ND-4.0\n"
	"\n"
	"# Limits for incoming files (the defaults are shown).\n"
	"# limits:\n"
	"#   max_file_size: 500000000   # bytes\n"
	"#   max_duration: 14400        # seconds\n"
	"#   max_pixels: 50000000       # width x height\n"
	"#   max_story_size: 2000000    # bytes of a story.md\n"
	"#   max_collection_size: 256000  # bytes of a collection file\n"
	"\n"
	"# Audio renditions (the defaults are shown).\n"
	"# audio:\n"
	"#   loudness: -16        # integrated loudness target, LUFS\n"
	"#   true_peak: -1        # ceiling, dBTP\n"
	"#   speech_bitrate: 96   # kbit/s\n"
	"#   music_bitrate: 160   # kbit/s\n"
	"\n"
	"# hearth serve: the submission form and the editors' console (the\n"
	"# defaults are shown). Keep it on 127.0.0.1 behind a TLS reverse proxy.\n"
	"# serve:\n"
	"#   bind: 127.0.0.1        # the address to listen on\n"
	"#   port: 8080\n"
	"#   max_upload: 200000000  # bytes of one request, all its files together\n"
	"#   trusted_proxy: none    # the proxy's address, whose X-Forwarded-For\n"
	"#                          # and X-Forwarded-Proto are believed\n"
	"#   peer_confirm: yes      # a web submission waits for its storyteller to\n"
	"#                          # confirm the version an editor approved\n";

int lib_settings_write_default(const char *path, struct hearth_err *err)
{
	return file_write_atomic(path, default_yaml, sizeof default_yaml - 1, err);
}

/* ---- the reader -------------------------------------------------------- */

/* K_ADDR: an IP address; K_OPT_ADDR: one, or none (empty or "none": NULL). */
enum kind { K_TEXT, K_OPT_TEXT, K_URL, K_BOOL, K_PATH, K_I64, K_INT, K_NUM, K_ADDR, K_OPT_ADDR };

/* One known key: where it sits, what it holds, the range a number may take. */
struct key {
	const char *section; /* NULL at the top level */
	const char *name;
	enum kind kind;
	size_t off;
	double lo, hi;
};

#define OFF(f) offsetof(struct lib_settings, f)
static const struct key keys[] = {
	{NULL, "title", K_TEXT, OFF(title), 0, 0},
	{NULL, "description", K_OPT_TEXT, OFF(description), 0, 0},
	{NULL, "base_url", K_URL, OFF(base_url), 0, 0},
	{NULL, "language", K_TEXT, OFF(language), 0, 0},
	{NULL, "author", K_OPT_TEXT, OFF(author), 0, 0},
	{"podcast", "category", K_TEXT, OFF(category), 0, 0},
	{"podcast", "subcategory", K_OPT_TEXT, OFF(subcategory), 0, 0},
	{"podcast", "explicit", K_BOOL, OFF(explicit_), 0, 0},
	{"podcast", "image", K_PATH, OFF(image), 0, 0},
	{"podcast", "license", K_OPT_TEXT, OFF(license), 0, 0},
	{"limits", "max_file_size", K_I64, OFF(max_file_size), 1, 1e15},
	{"limits", "max_duration", K_NUM, OFF(max_duration), 1, 1e7},
	{"limits", "max_pixels", K_I64, OFF(max_pixels), 1, 1e12},
	{"limits", "max_story_size", K_I64, OFF(max_story_size), 1, 1e8},
	{"limits", "max_collection_size", K_I64, OFF(max_collection_size), 1, 1e8},
	{"audio", "loudness", K_NUM, OFF(loudness), -70, 0},
	{"audio", "true_peak", K_NUM, OFF(true_peak), -20, 0},
	{"audio", "speech_bitrate", K_INT, OFF(speech_kbps), 8, 640},
	{"audio", "music_bitrate", K_INT, OFF(music_kbps), 8, 640},
	{"serve", "bind", K_ADDR, OFF(serve_bind), 0, 0},
	{"serve", "port", K_INT, OFF(serve_port), 1, 65535},
	{"serve", "max_upload", K_I64, OFF(serve_max_upload), 1000, 1e13},
	{"serve", "trusted_proxy", K_OPT_ADDR, OFF(serve_trusted_proxy), 0, 0},
	{"serve", "peer_confirm", K_BOOL, OFF(serve_peer_confirm), 0, 0},
};
#undef OFF

static bool is_section(const char *name)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (keys[i].section && !strcmp(keys[i].section, name))
			return true;
	return false;
}

static const struct key *find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const struct key *k = &keys[i];
		bool same = section ? (k->section && !strcmp(k->section, section))
				    : !k->section;
		if (same && !strcmp(k->name, name))
			return k;
	}
	return NULL;
}

/* The settings a library has before hearth.yaml says otherwise; release them. */
static void settings_defaults(struct lib_settings *s)
{
	memset(s, 0, sizeof *s);
	s->title = xstrdup("My Hearth library");
	s->description = xstrdup("");
	s->base_url = xstrdup(LIB_PLACEHOLDER_BASE_URL);
	s->language = xstrdup("en");
	s->author = xstrdup("");
	s->category = xstrdup("Health & Fitness");
	s->subcategory = xstrdup("Mental Health");
	s->license = xstrdup("CC-BY-NC-ND-4.0");
	s->max_file_size = LIB_MAX_FILE_SIZE;
	s->max_duration = 4 * 3600;
	s->max_pixels = 50000000;
	s->max_story_size = LIB_MAX_STORY_SIZE;
	s->max_collection_size = LIB_MAX_COLLECTION_SIZE;
	s->loudness = -16;
	s->true_peak = -1;
	s->speech_kbps = 96;
	s->music_kbps = 160;
	s->serve_bind = xstrdup("127.0.0.1");
	s->serve_port = 8080;
	s->serve_max_upload = LIB_SERVE_MAX_UPLOAD;
	s->serve_trusted_proxy = NULL;
	s->serve_peer_confirm = true;
}

/* True when v is an IPv4 or IPv6 address written as numbers. */
static bool is_ip_address(const char *v)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, v, buf) == 1 || inet_pton(AF_INET6, v, buf) == 1;
}

static bool parse_number(const char *v, double *out)
{
	char *end;
	if (!v || !*v)
		return false;
	*out = strtod(v, &end);
	return *end == '\0' && isfinite(*out);
}

/* Checks one value and stores it in s at k->off. */
static int set_value(struct lib_settings *s, const struct key *k, const struct ynode *y,
		     const char *name, const char *field, struct hearth_err *err)
{
	char *base = (char *)s;
	double d;

	if (y->kind != Y_SCALAR)
		return herr(err, HEARTH_EINVAL, "%s: line %d: %s: expected a single value",
			    name, y->line, field);
	char *v = str_trim(xstrdup(y->str));
	char **slot = (char **)(void *)(base + k->off);
	int rc = 0;

	switch (k->kind) {
	case K_TEXT:
		if (!*v) {
			rc = herr(err, HEARTH_EINVAL, "%s: line %d: %s: must not be empty",
				  name, y->line, field);
			break;
		}
		/* fall through */
	case K_OPT_TEXT:
		free(*slot);
		*slot = v;
		v = NULL;
		if (k->kind == K_OPT_TEXT && !**slot && !strcmp(k->name, "subcategory"))
			xfree(slot);
		break;
	case K_URL: {
		if (url_check(v, err)) {
			rc = herr_prefix(err, "%s: line %d: %s: '%s'", name, y->line, field,
					 y->str);
			break;
		}
		size_t n = strlen(v);
		while (n && v[n - 1] == '/')
			v[--n] = '\0';
		free(*slot);
		*slot = v;
		v = NULL;
		break;
	}
	case K_BOOL: {
		int b = yaml_bool(v);
		if (b < 0)
			rc = herr(err, HEARTH_EINVAL, "%s: line %d: %s: expected yes or no, not '%s'",
				  name, y->line, field, v);
		else
			*(bool *)(void *)(base + k->off) = b;
		break;
	}
	case K_PATH:
		free(*slot);
		*slot = NULL;
		if (!*v)
			break;
		if (!path_is_safe_rel(v)) {
			rc = herr(err, HEARTH_EINVAL,
				  "%s: line %d: %s: '%s' must be a relative path inside the "
				  "folder (no '..', not absolute)",
				  name, y->line, field, v);
			break;
		}
		*slot = v;
		v = NULL;
		break;
	case K_OPT_ADDR:
		free(*slot);
		*slot = NULL;
		if (!*v || !strcmp(v, "none"))
			break;
		/* fall through */
	case K_ADDR:
		if (!is_ip_address(v)) {
			rc = herr(err, HEARTH_EINVAL,
				  "%s: line %d: %s: expected an IP address such as 127.0.0.1 or "
				  "::1%s, not '%s'",
				  name, y->line, field, k->kind == K_OPT_ADDR ? " (or none)" : "", v);
			break;
		}
		free(*slot);
		*slot = v;
		v = NULL;
		break;
	case K_I64:
	case K_INT:
	case K_NUM:
		if (!parse_number(v, &d) || d < k->lo || d > k->hi ||
		    (k->kind != K_NUM && d != floor(d))) {
			rc = herr(err, HEARTH_EINVAL,
				  "%s: line %d: %s: expected %s from %g to %g, not '%s'", name,
				  y->line, field, k->kind == K_NUM ? "a number" : "a whole number",
				  k->lo, k->hi, v);
			break;
		}
		if (k->kind == K_I64)
			*(int64_t *)(void *)(base + k->off) = (int64_t)d;
		else if (k->kind == K_INT)
			*(int *)(void *)(base + k->off) = (int)d;
		else
			*(double *)(void *)(base + k->off) = d;
		break;
	}
	free(v);
	return rc;
}

/* Reads the keys of one map (the top level or a section) into s. */
static int read_map(struct lib_settings *s, const struct ynode *map, const char *section,
		    const char *name, struct hearth_err *err)
{
	for (size_t i = 0; i < map->n; i++) {
		const char *key = map->keys[i];
		const struct ynode *v = map->items[i];
		char *field = section ? xasprintf("%s.%s", section, key) : xstrdup(key);
		int rc = 0;

		if (!section && is_section(key)) {
			if (v->kind == Y_MAP)
				rc = read_map(s, v, key, name, err);
			else if (!(v->kind == Y_SCALAR && !*v->str))
				rc = herr(err, HEARTH_EINVAL,
					  "%s: line %d: %s: expected a map of settings", name,
					  v->line, key);
		} else {
			const struct key *k = find_key(section, key);
			if (!k)
				rc = herr(err, HEARTH_EINVAL, "%s: line %d: unknown key '%s'", name,
					  v->line, field);
			else
				rc = set_value(s, k, v, name, field, err);
		}
		free(field);
		if (rc)
			return rc;
	}
	return 0;
}

/* Parses the settings in text (named name in messages); no podcast GUID. */
static int parse_settings(const char *text, size_t n, const char *name,
			  struct lib_settings *out, struct hearth_err *err)
{
	struct ynode *root = NULL;
	int rc;

	settings_defaults(out);
	if ((rc = yaml_parse(text, n, name, 0, &root, err)))
		goto end;
	if (root->kind != Y_MAP) {
		rc = herr(err, HEARTH_EINVAL, "%s: line %d: expected a map of settings", name,
			  root->line);
		goto end;
	}
	rc = read_map(out, root, NULL, name, err);
end:
	ynode_free(root);
	if (rc)
		lib_settings_release(out);
	return rc;
}

static int read_settings_file(const char *path, struct lib_settings *out,
			      struct hearth_err *err)
{
	struct buf b = BUF_INIT;
	int rc = file_read_max(path, LIB_MAX_SETTINGS_SIZE, NULL, &b, err);
	if (!rc)
		rc = parse_settings(b.data, b.len, path, out, err);
	buf_release(&b);
	return rc;
}

/* ---- the podcast GUID -------------------------------------------------- */

bool lib_base_url_is_placeholder(const char *base_url)
{
	static const char ph[] = LIB_PLACEHOLDER_BASE_URL;
	size_t n = base_url ? strlen(base_url) : 0;
	while (n && base_url[n - 1] == '/')
		n--;
	return n == sizeof ph - 1 && !strncasecmp(base_url, ph, n);
}

void lib_podcast_guid_for(const char *base_url, char out[37])
{
	char *feed = xasprintf("%s/feed.xml", base_url);
	const char *p = strstr(feed, "://");
	p = p ? p + 3 : feed;
	size_t n = strlen(p);
	while (n && p[n - 1] == '/')
		n--;
	char *name = xstrndup(p, n);
	uuid5(LIB_PODCAST_NS, name, out);
	free(name);
	free(feed);
}

/* The stored GUID in *out (new allocation), or NULL when none is stored yet. */
static int stored_guid(hearth_lib *lib, char **out, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	if ((rc = lib_db_prepare(lib, err, &st,
				 "SELECT value FROM settings WHERE key = 'podcast_guid'", "")))
		return rc;
	if ((rc = lib_db_step(lib, st, err)) == 1)
		*out = lib_col_str(st, 0);
	sqlite3_finalize(st);
	return rc < 0 ? rc : 0;
}

int lib_podcast_guid(hearth_lib *lib, const char *base_url, bool store, char out[37],
		     struct hearth_err *err)
{
	char *have = NULL;
	int rc;

	if (!store) {
		if ((rc = stored_guid(lib, &have, err)))
			return rc;
		out[0] = '\0';
		if (have)
			snprintf(out, 37, "%s", have);
		else if (!lib_base_url_is_placeholder(base_url))
			lib_podcast_guid_for(base_url, out);
		free(have);
		return 0;
	}
	if ((rc = lib_begin(lib, err)))
		return rc;
	if ((rc = stored_guid(lib, &have, err)))
		goto end;
	if (have) {
		snprintf(out, 37, "%s", have);
		goto end;
	}
	if (lib_base_url_is_placeholder(base_url)) {
		rc = herr(err, HEARTH_EINVAL,
			  "hearth.yaml: base_url: is still the placeholder '%s'; set it to the "
			  "address the site will be served from before the first podcast build "
			  "(the podcast's GUID is made from it and kept for good), or build a "
			  "preview with --base-url",
			  LIB_PLACEHOLDER_BASE_URL);
		goto end;
	}
	lib_podcast_guid_for(base_url, out);
	rc = lib_db_exec(lib, err,
			 "INSERT INTO settings (key, value) VALUES ('podcast_guid', ?1)", "s", out);
	if (!rc) {
		char *detail = xasprintf("podcast guid %s (from %s/feed.xml)", out, base_url);
		rc = lib_audit_add(lib, 0, "settings", detail, err);
		free(detail);
	}
	/*
	 * Storing the GUID does not change what a build publishes (the build
	 * that stores it uses it), so it is not a new generation: the build
	 * that stores it must not take it for a change made under it.
	 */
	if (!rc)
		lib_db_not_a_change(lib);
end:
	free(have);
	return lib_end(lib, rc, err);
}

int lib_settings_load(hearth_lib *lib, struct lib_settings *out, struct hearth_err *err)
{
	char *path = path_join(lib->dir, "hearth.yaml");
	int rc = read_settings_file(path, out, err);
	free(path);
	if (rc)
		return rc;
	if ((rc = stored_guid(lib, &out->podcast_guid, err)))
		lib_settings_release(out);
	return rc;
}

void lib_settings_release(struct lib_settings *s)
{
	if (!s)
		return;
	free(s->title);
	free(s->description);
	free(s->base_url);
	free(s->language);
	free(s->author);
	free(s->category);
	free(s->subcategory);
	free(s->image);
	free(s->license);
	free(s->podcast_guid);
	free(s->serve_bind);
	free(s->serve_trusted_proxy);
	memset(s, 0, sizeof *s);
}

/* ---- import ------------------------------------------------------------ */

/* True when rel would land on the library's own files (db, settings, folders). */
static bool reserved_in_library(const char *rel)
{
	static const char *const dirs[] = {"store/", "cache/", "public/"};
	if (str_starts(rel, "hearth."))
		return true;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (str_starts(rel, dirs[i]))
			return true;
	return false;
}

int lib_settings_import(hearth_lib *lib, const char *yaml_path, struct hearth_err *err)
{
	struct lib_settings s = {0};
	struct buf text = BUF_INIT;
	char *src_dir = NULL, *src = NULL, *dst = NULL, *detail = NULL;
	int rc;

	src_dir = path_dir(yaml_path);
	/* like every file of an imported folder, it must not lead out of it */
	if ((rc = lib_file_inside(src_dir, path_base(yaml_path), src_dir, "settings", &src,
				  err)))
		goto end;
	xfree(&src);
	if ((rc = file_read_max(yaml_path, LIB_MAX_SETTINGS_SIZE, NULL, &text,
				err)))
		goto end;
	if ((rc = parse_settings(text.data, text.len, yaml_path, &s, err)))
		goto end;
	/*
	 * The same bytes as the library's own, and no image to copy: nothing
	 * to write, nothing to audit, and the catalogue's generation stays (a
	 * build after an unchanged import has nothing to do).
	 */
	if (!s.image) {
		struct buf have = BUF_INIT;
		struct hearth_err ignored;
		dst = path_join(lib->dir, "hearth.yaml");
		bool same = file_read_max(dst, LIB_MAX_SETTINGS_SIZE, NULL, &have, &ignored) == 0 &&
			    have.len == text.len &&
			    (text.len == 0 || memcmp(have.data, text.data, text.len) == 0);
		buf_release(&have);
		xfree(&dst);
		if (same)
			goto end;
	}
	if ((rc = lib_begin(lib, err)))
		goto end;
	if (s.image) {
		if (reserved_in_library(s.image)) {
			rc = herr(err, HEARTH_EINVAL,
				  "%s: podcast.image: '%s' would overwrite the library's own "
				  "files; choose another name",
				  yaml_path, s.image);
			goto end_txn;
		}
		if ((rc = lib_file_inside(src_dir, s.image, yaml_path, "podcast.image", &src,
					  err)))
			goto end_txn;
		dst = path_join(lib->dir, s.image);
		/* the image first, so hearth.yaml never names a missing file */
		if ((rc = file_copy(src, dst, err)))
			goto end_txn;
		xfree(&dst);
	}
	dst = path_join(lib->dir, "hearth.yaml");
	if ((rc = file_write_atomic(dst, text.data, text.len, err)))
		goto end_txn;
	detail = xasprintf("settings imported from %s", yaml_path);
	rc = lib_audit_add(lib, 0, "settings", detail, err);
end_txn:
	rc = lib_end(lib, rc, err);
end:
	lib_settings_release(&s);
	buf_release(&text);
	free(src_dir);
	free(src);
	free(dst);
	free(detail);
	return rc;
}
