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

#include <ctype.h>
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
	"# The language of the site's menus and words (en, fr, ...: the theme's\n"
	"# strings/<language>.xml; English when the theme has none for it).\n"
	"language: en\n"
	"# Who publishes: shown as the podcast's author.\n"
	"author: \"The Hearth editors\"\n"
	"\n"
	"podcast:\n"
	"  # Apple's category and subcategory, spelt as Apple does.\n"
	"  category: \"Health & Fitness\"\n"
	"  subcategory: \"Mental Health\"\n"
	"  explicit: no\n"
	"  # Square artwork (1400 to 3000 pixels, JPEG or PNG), relative to this\n"
	"  # file. Required before the first build with episodes:\n"
	"  # image: cover.jpg\n"
	"  # An SPDX identifier; a licence of your own needs license_url too.\n"
	"  license: CC-BY-NC-ND-4.0\n"
	"  # license_url: https://example.org/our-licence\n"
	"  # Who answers for the show, required before the first build with\n"
	"  # episodes. The email is PUBLIC by nature: it is printed in the feed\n"
	"  # for every directory and app to read. Use the editors' shared\n"
	"  # address, never a storyteller's.\n"
	"  # owner:\n"
	"  #   name: \"The Hearth editors\"\n"
	"  #   email: editors@example.org\n"
	"  # Other hosts may not import the show (podcast:locked, with the owner).\n"
	"  locked: yes\n"
	"  # Hosts and editors who agreed to be named in the feeds. Storytellers\n"
	"  # are named only as their story's public byline says, never here.\n"
	"  # people:\n"
	"  #   - {name: \"Sam Rivera\", role: host, href: \"https://example.org/sam\",\n"
	"  #      img: \"https://example.org/sam.jpg\"}\n"
	"  # funding: {url: \"https://example.org/support\", label: \"Support the library\"}\n"
	"  # Text records, such as the code Apple gives to prove the show is yours.\n"
	"  # txt:\n"
	"  #   - {purpose: applepodcastsverify, value: \"the code\"}\n"
	"  # Comments on episodes: disabled everywhere, or none (say nothing).\n"
	"  # social_interact: disabled\n"
	"  # update_frequency: {text: \"Every Monday\", rrule: \"FREQ=WEEKLY;BYDAY=MO\"}\n"
	"  # complete: no        # yes: the show will have no new episodes\n"
	"  # The show has moved: the address of its new feed.\n"
	"  # new_feed_url: https://new.example.org/feed.xml\n"
	"  # The episodes' files keep the address of the first podcast build, even\n"
	"  # when base_url changes. Set this only when you have moved them there.\n"
	"  # media_url: https://media.example.org\n"
	"\n"
	"# The feeds (the defaults are shown). A feed keeps its newest items and\n"
	"# moves older ones into linked archive files (RFC 5005); Apple's\n"
	"# directory lists at most 300 episodes.\n"
	"# feeds:\n"
	"#   archive_after: 300\n"
	"\n"
	"# hearth notify: telling listeners' apps that the feeds changed (the\n"
	"# defaults are shown).\n"
	"# notify:\n"
	"#   hubs: []               # WebSub hubs, named in the feeds too\n"
	"#   podcastindex: yes      # the Podcast Index's pubnotify, no key needed\n"
	"#   podcastindex_url: " LIB_PODCASTINDEX_URL "\n"
	"#   after_build: no        # yes: notify after every build that changed a feed\n"
	"\n"
	"# The pages.\n"
	"# site:\n"
	"#   # The support line every page's footer shows: name your community's\n"
	"#   # own crisis or listening service. Empty: a neutral sentence asking\n"
	"#   # readers to contact a local crisis line or emergency services.\n"
	"#   crisis_line: \"Need to talk now? Call our peer line, open every night.\"\n"
	"#   crisis_url: https://example.org/support\n"
	"#   # A theme of this library: the folder themes/<name> beside this\n"
	"#   # file, over the default theme (see docs/themes.md).\n"
	"#   theme: ours\n"
	"#   # Where peers reach hearth serve (its public address): the about page\n"
	"#   # links their receipt page there.\n"
	"#   server_url: https://share.example.org\n"
	"\n";
/* the rest: one literal of the whole would pass what C compilers must take */
static const char default_yaml_rest[] =
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
	"#                          # confirm the version an editor approved\n"
	"\n"
	"# hearth deploy: where the built site is published (the defaults are\n"
	"# shown). Credentials for object storage come from the environment only\n"
	"# (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), never\n"
	"# from this file.\n"
	"# deploy:\n"
	"#   rsh: ssh               # the remote shell rsync runs for host:path\n"
	"#                          # (RSYNC_RSH in the environment wins)\n"
	"#   s3_endpoint: https://s3.us-east-1.amazonaws.com   # for s3://bucket/prefix:\n"
	"#                          # your provider's (R2, B2, MinIO, Garage...)\n"
	"#   s3_region: us-east-1   # the region requests are signed for\n"
	"#   s3_path_style: yes     # endpoint/bucket/key; no: bucket.endpoint/key\n";

int lib_settings_write_default(const char *path, struct hearth_err *err)
{
	struct buf b = BUF_INIT;
	buf_add(&b, default_yaml, sizeof default_yaml - 1);
	buf_add(&b, default_yaml_rest, sizeof default_yaml_rest - 1);
	int rc = file_write_atomic(path, b.data, b.len, err);
	buf_release(&b);
	return rc;
}

/* ---- the reader -------------------------------------------------------- */

/*
 * K_ADDR: an IP address; K_OPT_ADDR: one, or none (empty or "none": NULL).
 * K_OPT_URL: an address, or none (empty: NULL). K_CUSTOM: a map or a
 * list, read by the key's own function.
 */
enum kind {
	K_TEXT, K_OPT_TEXT, K_URL, K_OPT_URL, K_BOOL, K_PATH, K_I64, K_INT, K_NUM,
	K_ADDR, K_OPT_ADDR, K_CUSTOM
};

struct key;
/* Reads the value y of the key field (a K_CUSTOM) into s; name is the file's. */
typedef int (*custom_fn)(struct lib_settings *s, const struct key *k, const struct ynode *y,
			 const char *name, const char *field, struct hearth_err *err);

/*
 * One known key: where it sits, what it holds, the range a number may
 * take (for text: the longest it may be in characters, 0 for no limit).
 */
struct key {
	const char *section; /* NULL at the top level */
	const char *name;
	enum kind kind;
	size_t off;
	double lo, hi;
	custom_fn custom;
};

static int read_owner(struct lib_settings *s, const struct key *k, const struct ynode *y,
		      const char *name, const char *field, struct hearth_err *err);
static int read_people(struct lib_settings *s, const struct key *k, const struct ynode *y,
		       const char *name, const char *field, struct hearth_err *err);
static int read_funding(struct lib_settings *s, const struct key *k, const struct ynode *y,
			const char *name, const char *field, struct hearth_err *err);
static int read_txt(struct lib_settings *s, const struct key *k, const struct ynode *y,
		    const char *name, const char *field, struct hearth_err *err);
static int read_update(struct lib_settings *s, const struct key *k, const struct ynode *y,
		       const char *name, const char *field, struct hearth_err *err);
static int read_hubs(struct lib_settings *s, const struct key *k, const struct ynode *y,
		     const char *name, const char *field, struct hearth_err *err);
static int read_social(struct lib_settings *s, const struct key *k, const struct ynode *y,
		       const char *name, const char *field, struct hearth_err *err);
static int read_theme(struct lib_settings *s, const struct key *k, const struct ynode *y,
		      const char *name, const char *field, struct hearth_err *err);

#define OFF(f) offsetof(struct lib_settings, f)
static const struct key keys[] = {
	{NULL, "title", K_TEXT, OFF(title), 0, 0, NULL},
	{NULL, "description", K_OPT_TEXT, OFF(description), 0, 0, NULL},
	{NULL, "base_url", K_URL, OFF(base_url), 0, 0, NULL},
	{NULL, "language", K_TEXT, OFF(language), 0, 0, NULL},
	{NULL, "author", K_OPT_TEXT, OFF(author), 0, 0, NULL},
	{"podcast", "category", K_TEXT, OFF(category), 0, 0, NULL},
	{"podcast", "subcategory", K_OPT_TEXT, OFF(subcategory), 0, 0, NULL},
	{"podcast", "explicit", K_BOOL, OFF(explicit_), 0, 0, NULL},
	{"podcast", "image", K_PATH, OFF(image), 0, 0, NULL},
	{"podcast", "license", K_OPT_TEXT, OFF(license), 0, 0, NULL},
	{"podcast", "owner", K_CUSTOM, 0, 0, 0, read_owner},
	{"podcast", "locked", K_BOOL, OFF(locked), 0, 0, NULL},
	{"podcast", "people", K_CUSTOM, 0, 0, 0, read_people},
	{"podcast", "funding", K_CUSTOM, 0, 0, 0, read_funding},
	{"podcast", "txt", K_CUSTOM, 0, 0, 0, read_txt},
	{"podcast", "social_interact", K_CUSTOM, 0, 0, 0, read_social},
	{"podcast", "update_frequency", K_CUSTOM, 0, 0, 0, read_update},
	{"podcast", "complete", K_BOOL, OFF(complete), 0, 0, NULL},
	{"podcast", "new_feed_url", K_OPT_URL, OFF(new_feed_url), 0, 0, NULL},
	{"podcast", "license_url", K_OPT_URL, OFF(license_url), 0, 0, NULL},
	{"podcast", "media_url", K_OPT_URL, OFF(media_url), 0, 0, NULL},
	{"feeds", "archive_after", K_INT, OFF(archive_after), 1, 100000, NULL},
	{"notify", "hubs", K_CUSTOM, 0, 0, 0, read_hubs},
	{"notify", "podcastindex", K_BOOL, OFF(notify_podcastindex), 0, 0, NULL},
	{"notify", "podcastindex_url", K_URL, OFF(notify_podcastindex_url), 0, 0, NULL},
	{"notify", "after_build", K_BOOL, OFF(notify_after_build), 0, 0, NULL},
	{"limits", "max_file_size", K_I64, OFF(max_file_size), 1, 1e15, NULL},
	{"limits", "max_duration", K_NUM, OFF(max_duration), 1, 1e7, NULL},
	{"limits", "max_pixels", K_I64, OFF(max_pixels), 1, 1e12, NULL},
	{"limits", "max_story_size", K_I64, OFF(max_story_size), 1, 1e8, NULL},
	{"limits", "max_collection_size", K_I64, OFF(max_collection_size), 1, 1e8, NULL},
	{"audio", "loudness", K_NUM, OFF(loudness), -70, 0, NULL},
	{"audio", "true_peak", K_NUM, OFF(true_peak), -20, 0, NULL},
	{"audio", "speech_bitrate", K_INT, OFF(speech_kbps), 8, 640, NULL},
	{"audio", "music_bitrate", K_INT, OFF(music_kbps), 8, 640, NULL},
	{"serve", "bind", K_ADDR, OFF(serve_bind), 0, 0, NULL},
	{"serve", "port", K_INT, OFF(serve_port), 1, 65535, NULL},
	{"serve", "max_upload", K_I64, OFF(serve_max_upload), 1000, 1e13, NULL},
	{"serve", "trusted_proxy", K_OPT_ADDR, OFF(serve_trusted_proxy), 0, 0, NULL},
	{"serve", "peer_confirm", K_BOOL, OFF(serve_peer_confirm), 0, 0, NULL},
	{"deploy", "rsh", K_OPT_TEXT, OFF(deploy_rsh), 0, 0, NULL},
	{"deploy", "s3_endpoint", K_OPT_URL, OFF(deploy_s3_endpoint), 0, 0, NULL},
	{"deploy", "s3_region", K_TEXT, OFF(deploy_s3_region), 0, 0, NULL},
	{"deploy", "s3_path_style", K_BOOL, OFF(deploy_s3_path_style), 0, 0, NULL},
	{"site", "crisis_line", K_OPT_TEXT, OFF(site_crisis_line), 0, 0, NULL},
	{"site", "crisis_url", K_OPT_URL, OFF(site_crisis_url), 0, 0, NULL},
	{"site", "theme", K_CUSTOM, 0, 0, 0, read_theme},
	{"site", "server_url", K_OPT_URL, OFF(site_server_url), 0, 0, NULL},
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
	s->locked = true;
	s->social_interact = xstrdup("disabled");
	s->archive_after = LIB_ARCHIVE_AFTER;
	s->notify_podcastindex = true;
	s->notify_podcastindex_url = xstrdup(LIB_PODCASTINDEX_URL);
	s->deploy_s3_region = xstrdup("us-east-1");
	s->deploy_s3_path_style = true;
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

/*
 * True for what looks like an e-mail address: one '@' with something
 * before it and a domain with a dot after it, no spaces or controls.
 */
static bool is_email(const char *v)
{
	const char *at = strchr(v, '@');
	if (!at || at == v || strchr(at + 1, '@') || strlen(v) > 254)
		return false;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("<>()[]\\,;:\"", *p))
			return false;
	const char *dot = strrchr(at + 1, '.');
	return dot && dot > at + 1 && dot[1];
}

/* Checks one value and stores it in s at k->off. */
static int set_value(struct lib_settings *s, const struct key *k, const struct ynode *y,
		     const char *name, const char *field, struct hearth_err *err)
{
	char *base = (char *)s;
	double d;

	if (k->kind == K_CUSTOM)
		return k->custom(s, k, y, name, field, err);
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
	case K_OPT_URL:
		if (!*v) {
			xfree(slot);
			break;
		}
		/* fall through */
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
	case K_CUSTOM:
		break;
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

/* ---- the podcast's maps and lists ---------------------------------------- */

/*
 * Refuses y unless it is a map whose keys are all in allowed (NULL-ended);
 * the message names field and the key.
 */
static int check_map(const struct ynode *y, const char *const *allowed, const char *name,
		     const char *field, struct hearth_err *err)
{
	if (y->kind != Y_MAP)
		return herr(err, HEARTH_EINVAL, "%s: line %d: %s: expected a map (%s: ...)",
			    name, y->line, field, allowed[0]);
	for (size_t i = 0; i < y->n; i++) {
		size_t a = 0;
		while (allowed[a] && strcmp(allowed[a], y->keys[i]))
			a++;
		if (!allowed[a])
			return herr(err, HEARTH_EINVAL, "%s: line %d: unknown key '%s.%s'", name,
				    y->items[i]->line, field, y->keys[i]);
	}
	return 0;
}

enum sub { SUB_TEXT, SUB_URL, SUB_EMAIL };

/*
 * The text of map's key sub into *out (new allocation; NULL when absent or
 * empty). required refuses absence; max (characters, 0: no limit) and kind
 * check it. Messages name field.sub.
 */
static int sub_value(const struct ynode *map, const char *sub, enum sub kind, bool required,
		     size_t max, const char *name, const char *field, char **out,
		     struct hearth_err *err)
{
	const struct ynode *y = ymap_get(map, sub);
	char *v = NULL;
	int rc = 0;

	*out = NULL;
	if (y && y->kind != Y_SCALAR)
		return herr(err, HEARTH_EINVAL, "%s: line %d: %s.%s: expected a single value",
			    name, y->line, field, sub);
	if (y)
		v = str_trim(xstrdup(y->str));
	if (!v || !*v) {
		if (required)
			rc = herr(err, HEARTH_EINVAL, "%s: line %d: %s.%s: is missing", name,
				  y ? y->line : map->line, field, sub);
		free(v);
		return rc;
	}
	if (max && utf8_chars(v) > max) {
		rc = herr(err, HEARTH_EINVAL, "%s: line %d: %s.%s: longer than %zu characters",
			  name, y->line, field, sub, max);
	} else if (kind == SUB_URL && url_check(v, err)) {
		rc = herr_prefix(err, "%s: line %d: %s.%s: '%s'", name, y->line, field, sub, v);
	} else if (kind == SUB_EMAIL && !is_email(v)) {
		rc = herr(err, HEARTH_EINVAL,
			  "%s: line %d: %s.%s: expected an e-mail address such as "
			  "editors@example.org, not '%s'",
			  name, y->line, field, sub, v);
	}
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	return 0;
}

/* An empty value ("owner:" with nothing after it) stands for none. */
static bool is_empty(const struct ynode *y)
{
	return y->kind == Y_SCALAR && !*y->str;
}

/* podcast.owner: {name, email}; the email is printed in the feed. */
static int read_owner(struct lib_settings *s, const struct key *k, const struct ynode *y,
		      const char *name, const char *field, struct hearth_err *err)
{
	static const char *const allowed[] = {"name", "email", NULL};
	int rc;
	(void)k;
	xfree(&s->owner_name);
	xfree(&s->owner_email);
	if (is_empty(y))
		return 0;
	if ((rc = check_map(y, allowed, name, field, err)) ||
	    (rc = sub_value(y, "name", SUB_TEXT, false, 255, name, field, &s->owner_name, err)) ||
	    (rc = sub_value(y, "email", SUB_EMAIL, false, 254, name, field, &s->owner_email,
			    err)))
		return rc;
	return 0;
}

/* podcast.funding: {url, label}. */
static int read_funding(struct lib_settings *s, const struct key *k, const struct ynode *y,
			const char *name, const char *field, struct hearth_err *err)
{
	static const char *const allowed[] = {"url", "label", NULL};
	int rc;
	(void)k;
	xfree(&s->funding_url);
	xfree(&s->funding_label);
	if (is_empty(y))
		return 0;
	if ((rc = check_map(y, allowed, name, field, err)) ||
	    (rc = sub_value(y, "url", SUB_URL, true, 0, name, field, &s->funding_url, err)) ||
	    (rc = sub_value(y, "label", SUB_TEXT, false, 128, name, field, &s->funding_label,
			    err)))
		return rc;
	return 0;
}

/*
 * True for an RFC 5545 recurrence rule as podcast:updateFrequency takes
 * it: NAME=VALUE parts joined by ';', one of them FREQ, in the rule's
 * characters.
 */
static bool is_rrule(const char *v)
{
	bool freq = false;
	const char *p = v;
	while (*p) {
		size_t n = strcspn(p, ";");
		const char *eq = memchr(p, '=', n);
		if (!eq || eq == p || eq + 1 == p + n)
			return false;
		for (const char *c = p; c < p + n; c++)
			if (!(isupper((unsigned char)*c) || isdigit((unsigned char)*c) ||
			      strchr("=,-+:", *c)))
				return false;
		if (eq - p == 4 && !strncmp(p, "FREQ", 4))
			freq = true;
		p += n;
		if (*p)
			p++;
	}
	return freq;
}

/* podcast.update_frequency: {text, rrule}. */
static int read_update(struct lib_settings *s, const struct key *k, const struct ynode *y,
		       const char *name, const char *field, struct hearth_err *err)
{
	static const char *const allowed[] = {"text", "rrule", NULL};
	int rc;
	(void)k;
	xfree(&s->update_text);
	xfree(&s->update_rrule);
	if (is_empty(y))
		return 0;
	if ((rc = check_map(y, allowed, name, field, err)) ||
	    (rc = sub_value(y, "text", SUB_TEXT, true, 128, name, field, &s->update_text, err)) ||
	    (rc = sub_value(y, "rrule", SUB_TEXT, false, 1000, name, field, &s->update_rrule,
			    err)))
		return rc;
	if (s->update_rrule && !is_rrule(s->update_rrule))
		return herr(err, HEARTH_EINVAL,
			    "%s: line %d: %s.rrule: expected an RFC 5545 rule such as "
			    "FREQ=WEEKLY;BYDAY=MO, not '%s'",
			    name, ymap_get(y, "rrule")->line, field, s->update_rrule);
	return 0;
}

/* podcast.social_interact: disabled (no comments anywhere) or none (no tag). */
/* site.theme: the name of a folder of <library>/themes ("" or none: the default theme). */
static int read_theme(struct lib_settings *s, const struct key *k, const struct ynode *y,
		      const char *name, const char *field, struct hearth_err *err)
{
	(void)k;
	if (y->kind != Y_SCALAR)
		return herr(err, HEARTH_EINVAL, "%s: line %d: %s: expected a single value",
			    name, y->line, field);
	char *v = str_trim(xstrdup(y->str));
	xfree(&s->site_theme);
	if (*v && strcmp(v, "none") && strcmp(v, "default")) {
		if (!slug_valid(v)) {
			int rc = herr(err, HEARTH_EINVAL,
				      "%s: line %d: %s: '%s' must be the name of a folder in "
				      "themes/ (lowercase letters, digits and '-')",
				      name, y->line, field, v);
			free(v);
			return rc;
		}
		s->site_theme = v;
		v = NULL;
	}
	free(v);
	return 0;
}

static int read_social(struct lib_settings *s, const struct key *k, const struct ynode *y,
		       const char *name, const char *field, struct hearth_err *err)
{
	(void)k;
	if (y->kind != Y_SCALAR || (strcmp(y->str, "disabled") && strcmp(y->str, "none")))
		return herr(err, HEARTH_EINVAL, "%s: line %d: %s: expected disabled or none",
			    name, y->line, field);
	xfree(&s->social_interact);
	if (!strcmp(y->str, "disabled"))
		s->social_interact = xstrdup("disabled");
	return 0;
}

/* A list's items: y must be a sequence (or empty, no items). */
static int check_seq(const struct ynode *y, const char *name, const char *field,
		     const char *what, struct hearth_err *err)
{
	if (y->kind == Y_SEQ || is_empty(y))
		return 0;
	return herr(err, HEARTH_EINVAL, "%s: line %d: %s: expected a list of %s", name, y->line,
		    field, what);
}

static void people_free(struct lib_person *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].role);
		free(v[i].href);
		free(v[i].img);
	}
	free(v);
}

static void txt_free(struct lib_txt *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].purpose);
		free(v[i].value);
	}
	free(v);
}

/* podcast.people: a list of {name, role, href, img}. */
static int read_people(struct lib_settings *s, const struct key *k, const struct ynode *y,
		       const char *name, const char *field, struct hearth_err *err)
{
	static const char *const allowed[] = {"name", "role", "href", "img", NULL};
	int rc;
	(void)k;
	people_free(s->people, s->n_people);
	s->people = NULL;
	s->n_people = 0;
	if ((rc = check_seq(y, name, field, "people ({name, role, href, img})", err)))
		return rc;
	if (is_empty(y))
		return 0;
	s->people = xcalloc(y->n ? y->n : 1, sizeof *s->people);
	for (size_t i = 0; i < y->n; i++) {
		const struct ynode *m = y->items[i];
		struct lib_person *p = &s->people[i];
		char *f = xasprintf("%s[%zu]", field, i + 1);
		s->n_people = i + 1;
		rc = check_map(m, allowed, name, f, err);
		if (!rc)
			rc = sub_value(m, "name", SUB_TEXT, true, 128, name, f, &p->name, err);
		if (!rc)
			rc = sub_value(m, "role", SUB_TEXT, false, 128, name, f, &p->role, err);
		if (!rc)
			rc = sub_value(m, "href", SUB_URL, false, 0, name, f, &p->href, err);
		if (!rc)
			rc = sub_value(m, "img", SUB_URL, false, 0, name, f, &p->img, err);
		free(f);
		if (rc)
			return rc;
	}
	return 0;
}

/* podcast.txt: a list of {purpose, value}. */
static int read_txt(struct lib_settings *s, const struct key *k, const struct ynode *y,
		    const char *name, const char *field, struct hearth_err *err)
{
	static const char *const allowed[] = {"purpose", "value", NULL};
	int rc;
	(void)k;
	txt_free(s->txt, s->n_txt);
	s->txt = NULL;
	s->n_txt = 0;
	if ((rc = check_seq(y, name, field, "{purpose, value}", err)))
		return rc;
	if (is_empty(y))
		return 0;
	s->txt = xcalloc(y->n ? y->n : 1, sizeof *s->txt);
	for (size_t i = 0; i < y->n; i++) {
		const struct ynode *m = y->items[i];
		struct lib_txt *t = &s->txt[i];
		char *f = xasprintf("%s[%zu]", field, i + 1);
		s->n_txt = i + 1;
		rc = check_map(m, allowed, name, f, err);
		if (!rc)
			rc = sub_value(m, "purpose", SUB_TEXT, false, 128, name, f, &t->purpose, err);
		if (!rc)
			rc = sub_value(m, "value", SUB_TEXT, true, 4000, name, f, &t->value, err);
		free(f);
		if (rc)
			return rc;
	}
	return 0;
}

/* notify.hubs: a list of WebSub hub addresses. */
static int read_hubs(struct lib_settings *s, const struct key *k, const struct ynode *y,
		     const char *name, const char *field, struct hearth_err *err)
{
	int rc;
	(void)k;
	strv_free(s->notify_hubs);
	s->notify_hubs = NULL;
	if ((rc = check_seq(y, name, field, "addresses (https://...)", err)))
		return rc;
	if (is_empty(y))
		return 0;
	s->notify_hubs = xcalloc(y->n + 1, sizeof *s->notify_hubs);
	for (size_t i = 0; i < y->n; i++) {
		const struct ynode *v = y->items[i];
		if (v->kind != Y_SCALAR)
			return herr(err, HEARTH_EINVAL, "%s: line %d: %s[%zu]: expected an address",
				    name, v->line, field, i + 1);
		if (url_check(v->str, err))
			return herr_prefix(err, "%s: line %d: %s[%zu]: '%s'", name, v->line, field,
					   i + 1, v->str);
		s->notify_hubs[i] = xstrdup(v->str);
	}
	return 0;
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

/* Parses the settings in text (libraryInt.h). */
int lib_settings_parse(const char *text, size_t n, const char *name,
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
		rc = lib_settings_parse(b.data, b.len, path, out, err);
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

/*
 * The settings table's value of key in *out (new allocation), or NULL when
 * none is stored yet.
 */
static int stored_value(hearth_lib *lib, const char *key, char **out, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	if ((rc = lib_db_prepare(lib, err, &st, "SELECT value FROM settings WHERE key = ?1",
				 "s", key)))
		return rc;
	if ((rc = lib_db_step(lib, st, err)) == 1)
		*out = lib_col_str(st, 0);
	sqlite3_finalize(st);
	return rc < 0 ? rc : 0;
}

/* The settings key of a feed's GUID: the show's is "podcast_guid". */
static char *guid_key(const char *feed_path)
{
	return !strcmp(feed_path, "feed.xml") ? xstrdup("podcast_guid")
					      : xasprintf("podcast_guid:%s", feed_path);
}

/* The message for init's placeholder where a real address must be stored. */
static int placeholder_refused(const char *what, struct hearth_err *err)
{
	return herr(err, HEARTH_EINVAL,
		    "hearth.yaml: base_url: is still the placeholder '%s'; set it to the "
		    "address the site will be served from before the first podcast build "
		    "(%s is made from it and kept for good), or build a preview with "
		    "--base-url",
		    LIB_PLACEHOLDER_BASE_URL, what);
}

void lib_feed_guid_for(const char *base_url, const char *feed_path, char out[37])
{
	char *feed = xasprintf("%s/%s", base_url, feed_path);
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

void lib_podcast_guid_for(const char *base_url, char out[37])
{
	lib_feed_guid_for(base_url, "feed.xml", out);
}

int lib_feed_guid(hearth_lib *lib, const char *base_url, const char *feed_path, bool store,
		  char out[37], struct hearth_err *err)
{
	char *have = NULL, *key = guid_key(feed_path);
	int rc;

	if (!store) {
		if (!(rc = stored_value(lib, key, &have, err))) {
			out[0] = '\0';
			if (have)
				snprintf(out, 37, "%s", have);
			else if (!lib_base_url_is_placeholder(base_url))
				lib_feed_guid_for(base_url, feed_path, out);
		}
		free(have);
		free(key);
		return rc;
	}
	if ((rc = lib_begin(lib, err)))
		goto end_nt;
	if ((rc = stored_value(lib, key, &have, err)))
		goto end;
	if (have) {
		snprintf(out, 37, "%s", have);
		goto end;
	}
	if (lib_base_url_is_placeholder(base_url)) {
		rc = placeholder_refused("the podcast's GUID", err);
		goto end;
	}
	lib_feed_guid_for(base_url, feed_path, out);
	rc = lib_db_exec(lib, err, "INSERT INTO settings (key, value) VALUES (?1, ?2)", "ss",
			 key, out);
	if (!rc) {
		char *detail = xasprintf("podcast guid %s (from %s/%s)", out, base_url, feed_path);
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
	rc = lib_end(lib, rc, err);
end_nt:
	free(have);
	free(key);
	return rc;
}

int lib_podcast_guid(hearth_lib *lib, const char *base_url, bool store, char out[37],
		     struct hearth_err *err)
{
	return lib_feed_guid(lib, base_url, "feed.xml", store, out, err);
}

int lib_media_origin(hearth_lib *lib, const char *base_url, bool store, char **out,
		     struct hearth_err *err)
{
	char *have = NULL;
	int rc;

	*out = NULL;
	if (!store) {
		if (!(rc = stored_value(lib, "media_origin", &have, err)))
			*out = have ? have : xstrdup(base_url);
		return rc;
	}
	if ((rc = lib_begin(lib, err)))
		return rc;
	if ((rc = stored_value(lib, "media_origin", &have, err)))
		goto end;
	if (have) {
		*out = have;
		have = NULL;
		goto end;
	}
	if (lib_base_url_is_placeholder(base_url)) {
		rc = placeholder_refused("the address of the episodes' files", err);
		goto end;
	}
	rc = lib_db_exec(lib, err, "INSERT INTO settings (key, value) VALUES ('media_origin', ?1)",
			 "s", base_url);
	if (!rc) {
		char *detail = xasprintf("media origin %s", base_url);
		rc = lib_audit_add(lib, 0, "settings", detail, err);
		free(detail);
	}
	if (!rc) {
		lib_db_not_a_change(lib); /* as for the GUID */
		*out = xstrdup(base_url);
	}
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
	if ((rc = stored_value(lib, "podcast_guid", &out->podcast_guid, err)) ||
	    (rc = stored_value(lib, "media_origin", &out->media_origin, err)))
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
	free(s->owner_name);
	free(s->owner_email);
	people_free(s->people, s->n_people);
	free(s->funding_url);
	free(s->funding_label);
	txt_free(s->txt, s->n_txt);
	free(s->social_interact);
	free(s->update_text);
	free(s->update_rrule);
	free(s->new_feed_url);
	free(s->license_url);
	free(s->media_url);
	free(s->media_origin);
	strv_free(s->notify_hubs);
	free(s->notify_podcastindex_url);
	free(s->deploy_rsh);
	free(s->deploy_s3_endpoint);
	free(s->deploy_s3_region);
	free(s->site_crisis_line);
	free(s->site_crisis_url);
	free(s->site_theme);
	free(s->site_server_url);
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
	if ((rc = lib_settings_parse(text.data, text.len, yaml_path, &s, err)))
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
