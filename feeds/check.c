/*
 * check.c - the checks of what a feed reads from the settings, before
 * anything is written: Apple's categories (a table here: the names are
 * Apple's, case-sensitive), BCP 47 language tags (RFC 5646 syntax with a
 * language subtag from ISO 639), SPDX licence identifiers (tables.c,
 * generated from files Debian ships), and a channel's required fields.
 *
 * Every message names the setting as it is written in hearth.yaml
 * (podcast.category, podcast.owner.email, ...) so the person who reads it
 * knows what to change, and lists the valid choices where there are few.
 */
#include "feeds.h"
#include "tables.h"
#include "writer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Apple Podcasts' categories and their subcategories, in Apple's order. */
static const struct category {
	const char *name;
	const char *const *sub; /* NULL-terminated */
} categories[] = {
	{"Arts", (const char *const[]){"Books", "Design", "Fashion & Beauty", "Food",
				       "Performing Arts", "Visual Arts", NULL}},
	{"Business", (const char *const[]){"Careers", "Entrepreneurship", "Investing",
					   "Management", "Marketing", "Non-Profit", NULL}},
	{"Comedy", (const char *const[]){"Comedy Interviews", "Improv", "Stand-Up", NULL}},
	{"Education", (const char *const[]){"Courses", "How To", "Language Learning",
					    "Self-Improvement", NULL}},
	{"Fiction", (const char *const[]){"Comedy Fiction", "Drama", "Science Fiction", NULL}},
	{"Government", (const char *const[]){NULL}},
	{"History", (const char *const[]){NULL}},
	{"Health & Fitness", (const char *const[]){"Alternative Health", "Fitness", "Medicine",
						   "Mental Health", "Nutrition", "Sexuality",
						   NULL}},
	{"Kids & Family", (const char *const[]){"Education for Kids", "Parenting",
						"Pets & Animals", "Stories for Kids", NULL}},
	{"Leisure", (const char *const[]){"Animation & Manga", "Automotive", "Aviation",
					  "Crafts", "Games", "Hobbies", "Home & Garden",
					  "Video Games", NULL}},
	{"Music", (const char *const[]){"Music Commentary", "Music History",
					"Music Interviews", NULL}},
	{"News", (const char *const[]){"Business News", "Daily News", "Entertainment News",
				       "News Commentary", "Politics", "Sports News",
				       "Tech News", NULL}},
	{"Religion & Spirituality", (const char *const[]){"Buddhism", "Christianity",
							  "Hinduism", "Islam", "Judaism",
							  "Religion", "Spirituality", NULL}},
	{"Science", (const char *const[]){"Astronomy", "Chemistry", "Earth Sciences",
					  "Life Sciences", "Mathematics", "Natural Sciences",
					  "Nature", "Physics", "Social Sciences", NULL}},
	{"Society & Culture", (const char *const[]){"Documentary", "Personal Journals",
						    "Philosophy", "Places & Travel",
						    "Relationships", NULL}},
	{"Sports", (const char *const[]){"Baseball", "Basketball", "Cricket", "Fantasy Sports",
					 "Football", "Golf", "Hockey", "Rugby", "Running",
					 "Soccer", "Swimming", "Tennis", "Volleyball",
					 "Wilderness", "Wrestling", NULL}},
	{"Technology", (const char *const[]){NULL}},
	{"True Crime", (const char *const[]){NULL}},
	{"TV & Film", (const char *const[]){"After Shows", "Film History", "Film Interviews",
					    "Film Reviews", "TV Reviews", NULL}},
};
#define N_CATEGORIES (sizeof categories / sizeof categories[0])

static bool empty(const char *s)
{
	return !s || !*s;
}

/* ", "-joined names into b. */
static void join(struct buf *b, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n && names[i]; i++) {
		if (i)
			buf_puts(b, ", ");
		buf_puts(b, names[i]);
	}
}

/* "; did you mean 'X'" when a name differs from a valid one only in case. */
static const char *same_but_case(const char *got, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n && names[i]; i++)
		if (!strcasecmp(got, names[i]))
			return names[i];
	return NULL;
}

int feed_check_category(const char *category, const char *subcategory,
			struct hearth_err *err)
{
	const char *top[N_CATEGORIES];
	const struct category *c = NULL;
	struct buf b = BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < N_CATEGORIES; i++) {
		top[i] = categories[i].name;
		if (category && !strcmp(category, top[i]))
			c = &categories[i];
	}
	if (!c) {
		const char *near = category ? same_but_case(category, top, N_CATEGORIES) : NULL;
		join(&b, top, N_CATEGORIES);
		if (empty(category))
			rc = herr(err, HEARTH_EINVAL,
				  "podcast.category: is missing; choose one of Apple's: %s",
				  buf_cstr(&b));
		else if (near)
			rc = herr(err, HEARTH_EINVAL,
				  "podcast.category: '%s' is not one of Apple's categories "
				  "(names are case-sensitive): write '%s'",
				  category, near);
		else
			rc = herr(err, HEARTH_EINVAL,
				  "podcast.category: '%s' is not one of Apple's categories; "
				  "choose one of: %s",
				  category, buf_cstr(&b));
		goto end;
	}
	if (empty(subcategory))
		goto end;
	size_t ns = 0;
	while (c->sub[ns])
		ns++;
	for (size_t i = 0; i < ns; i++)
		if (!strcmp(subcategory, c->sub[i]))
			goto end;
	join(&b, c->sub, ns);
	const char *near = same_but_case(subcategory, c->sub, ns);
	if (ns == 0)
		rc = herr(err, HEARTH_EINVAL,
			  "podcast.subcategory: '%s': Apple's category '%s' has no "
			  "subcategories; leave podcast.subcategory out",
			  subcategory, c->name);
	else if (near)
		rc = herr(err, HEARTH_EINVAL,
			  "podcast.subcategory: '%s' is not one of Apple's subcategories "
			  "(names are case-sensitive): write '%s'",
			  subcategory, near);
	else
		rc = herr(err, HEARTH_EINVAL,
			  "podcast.subcategory: '%s' is not a subcategory of '%s'; "
			  "choose one of: %s",
			  subcategory, c->name, buf_cstr(&b));
end:
	buf_release(&b);
	return rc;
}

/* ---- BCP 47 ------------------------------------------------------------- */

static int cmp_iso(const void *key, const void *elem)
{
	return strcmp(key, (const char *)elem);
}

static bool iso639_known(const char *lang, size_t n)
{
	char low[4];
	if (n < 2 || n > 3)
		return false;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)lang[i]);
	low[n] = '\0';
	return bsearch(low, feed_iso639, feed_n_iso639, sizeof feed_iso639[0], cmp_iso) != NULL;
}

static bool all(const char *s, size_t n, int (*is)(int))
{
	for (size_t i = 0; i < n; i++)
		if (!is((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * RFC 5646 section 2.1: language ["-" extlang] ["-" script] ["-" region]
 * *("-" variant) *("-" extension) ["-" privateuse]. Subtags are checked in
 * that order; a subtag that fits no later slot ends the check with false.
 * The language must be a known ISO 639 code; the rest is syntax only.
 */
static bool bcp47_ok(const char *tag)
{
	const char *p = tag;
	size_t len[64];
	const char *sub[64];
	size_t n = 0;

	for (;;) {
		size_t l = strcspn(p, "-");
		if (l == 0 || l > 8 || n == 64 || !all(p, l, isalnum))
			return false;
		sub[n] = p;
		len[n++] = l;
		if (!p[l])
			break;
		p += l + 1;
	}
	size_t i = 0;
	if (!all(sub[0], len[0], isalpha) || !iso639_known(sub[0], len[0]))
		return false;
	i++;
	/* extlang: up to three 3-letter subtags */
	for (int k = 0; k < 3 && i < n && len[i] == 3 && all(sub[i], 3, isalpha); k++)
		i++;
	if (i < n && len[i] == 4 && all(sub[i], 4, isalpha))
		i++; /* script */
	if (i < n && ((len[i] == 2 && all(sub[i], 2, isalpha)) ||
		      (len[i] == 3 && all(sub[i], 3, isdigit))))
		i++; /* region */
	while (i < n && (len[i] >= 5 || (len[i] == 4 && isdigit((unsigned char)sub[i][0]))))
		i++; /* variant */
	while (i < n && len[i] == 1 && tolower((unsigned char)sub[i][0]) != 'x') {
		size_t j = i + 1;
		while (j < n && len[j] >= 2)
			j++;
		if (j == i + 1)
			return false; /* a singleton needs at least one subtag */
		i = j;
	}
	if (i < n && len[i] == 1 && tolower((unsigned char)sub[i][0]) == 'x')
		return i + 1 < n; /* private use runs to the end: x-anything */
	return i == n;
}

int feed_check_language(const char *tag, struct hearth_err *err)
{
	if (empty(tag))
		return herr(err, HEARTH_EINVAL,
			    "language: is missing; write a BCP 47 language tag such as en, "
			    "en-GB, fr-CA or pt-BR");
	if (!bcp47_ok(tag))
		return herr(err, HEARTH_EINVAL,
			    "language: '%s' is not a BCP 47 language tag with a known ISO 639 "
			    "language; write one such as en, en-GB, fr-CA, pt-BR or zh-Hant-TW",
			    fw_text_ok(tag) ? tag : "?");
	return 0;
}

/* ---- SPDX --------------------------------------------------------------- */

static int cmp_str(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool feed_license_known(const char *id)
{
	if (empty(id))
		return false;
	return bsearch(id, feed_spdx, feed_n_spdx, sizeof feed_spdx[0], cmp_str) ||
	       bsearch(id, feed_spdx_deprecated, feed_n_spdx_deprecated,
		       sizeof feed_spdx_deprecated[0], cmp_str);
}

int feed_check_license(const char *id, const char *url, struct hearth_err *err)
{
	if (empty(id)) {
		if (!empty(url))
			return herr(err, HEARTH_EINVAL,
				    "podcast.license_url: is set but podcast.license is not; "
				    "name the licence too");
		return 0;
	}
	if (!fw_text_ok(id) || strlen(id) > 128)
		return herr(err, HEARTH_EINVAL,
			    "podcast.license: is not valid text of at most 128 bytes");
	if (!empty(url) && (strncmp(url, "https://", 8) || !fw_url_ok(url)))
		return herr(err, HEARTH_EINVAL,
			    "podcast.license_url: '%s' is not an https:// address",
			    fw_text_ok(url) ? url : "?");
	if (feed_license_known(id) || !empty(url))
		return 0;
	for (size_t i = 0; i < feed_n_spdx; i++)
		if (!strcasecmp(id, feed_spdx[i]))
			return herr(err, HEARTH_EINVAL,
				    "podcast.license: '%s' is not an SPDX licence identifier "
				    "(identifiers are case-sensitive): write '%s'",
				    id, feed_spdx[i]);
	return herr(err, HEARTH_EINVAL,
		    "podcast.license: '%s' is not an SPDX licence identifier (such as "
		    "CC-BY-4.0, CC-BY-NC-ND-4.0 or CC0-1.0); for a licence of your own, "
		    "set podcast.license_url to its https:// address",
		    id);
}

/* ---- the channel -------------------------------------------------------- */

/* local@domain.tld, printable ASCII, no spaces: what a directory will mail. */
static bool email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254)
		return false;
	for (const char *p = s; p < at; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("\"(),:;<>[\\]", *p))
			return false;
	const char *d = at + 1;
	size_t n = strlen(d);
	if (n < 3 || d[0] == '.' || d[n - 1] == '.' || !strchr(d, '.') || strstr(d, ".."))
		return false;
	for (const char *p = d; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return false;
	return true;
}

/* Valid text of at most max bytes (0: no limit). */
static int text_field(const char *setting, const char *v, size_t max, struct hearth_err *err)
{
	if (!fw_text_ok(v))
		return herr(err, HEARTH_EINVAL, "%s: is not valid UTF-8 text", setting);
	if (v && max && strlen(v) > max)
		return herr(err, HEARTH_EINVAL, "%s: is longer than %zu bytes", setting, max);
	return 0;
}

/* An http(s) address, or NULL when optional. */
static int url_field(const char *setting, const char *v, bool required,
		     struct hearth_err *err)
{
	if (empty(v)) {
		if (required)
			return herr(err, HEARTH_EINVAL, "%s: is missing", setting);
		return 0;
	}
	if (!fw_url_ok(v))
		return herr(err, HEARTH_EINVAL,
			    "%s: '%s' is not an http:// or https:// address", setting,
			    fw_text_ok(v) ? v : "?");
	return 0;
}

static int check_persons(const char *setting, const struct feed_person *p, size_t n,
			 struct hearth_err *err)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		if (empty(p[i].name))
			return herr(err, HEARTH_EINVAL, "%s: person %zu has no name", setting,
				    i + 1);
		if ((rc = text_field(setting, p[i].name, 128, err)) ||
		    (rc = text_field(setting, p[i].role, 128, err)) ||
		    (rc = text_field(setting, p[i].group, 128, err)) ||
		    (rc = url_field(setting, p[i].href, false, err)) ||
		    (rc = url_field(setting, p[i].img, false, err)))
			return herr_prefix(err, "person %zu ('%s')", i + 1, p[i].name);
	}
	return rc;
}

/* Feed text fields, then their lengths: the description as readers get it. */
static int check_texts(const struct feed_channel *ch, struct hearth_err *err)
{
	const struct {
		const char *setting, *v;
		bool required;
	} f[] = {
		{"title", ch->title, true},
		{"description", ch->description, true},
		{"author", ch->author, false},
		{"podcast.category", ch->category, false},
		{"podcast.subcategory", ch->subcategory, false},
		{"podcast.license", ch->license, false},
		{"podcast guid", ch->podcast_guid, false},
		{"podcast.owner.name", ch->owner_name, false},
		{"podcast.owner.email", ch->owner_email, false},
		{"podcast.funding.label", ch->funding_label, false},
		{"podcast.update_frequency.text", ch->update_frequency, false},
		{"podcast.update_frequency.rrule", ch->update_rrule, false},
		{"medium", ch->medium, false},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (f[i].required && empty(f[i].v))
			return herr(err, HEARTH_EINVAL, "%s: is missing", f[i].setting);
		int rc = text_field(f[i].setting, f[i].v, 0, err);
		if (rc)
			return rc;
	}
	char *desc = fw_description(NULL, ch->description);
	size_t dn = strlen(desc);
	free(desc);
	if (dn > 4000)
		return herr(err, HEARTH_EINVAL,
			    "description: is %zu bytes as HTML, past Apple's 4000; shorten it",
			    dn);
	if (ch->funding_label && strlen(ch->funding_label) > 128)
		return herr(err, HEARTH_EINVAL,
			    "podcast.funding.label: is longer than 128 bytes");
	for (size_t i = 0; i < ch->n_txt; i++) {
		const struct feed_txt *t = &ch->txt[i];
		if (empty(t->value) || !fw_text_ok(t->value) || !fw_text_ok(t->purpose) ||
		    utf8_chars(t->value) > 4000 || (t->purpose && strlen(t->purpose) > 128))
			return herr(err, HEARTH_EINVAL,
				    "podcast.txt: record %zu needs a value of 1 to 4000 "
				    "characters and a purpose of at most 128 bytes",
				    i + 1);
	}
	return 0;
}

int feed_check_channel(const struct feed_channel *ch, size_t n_items,
		       struct hearth_err *err)
{
	struct hearth_err sub;
	int rc;

	if ((rc = check_texts(ch, err)))
		return rc;
	if (empty(ch->link) || (rc = url_check(ch->link, &sub)))
		return herr(err, HEARTH_EINVAL, "base_url: the site's address '%s': %s",
			    ch->link && fw_text_ok(ch->link) ? ch->link : "",
			    empty(ch->link) ? "is missing" : sub.msg);
	if ((rc = url_field("base_url (the feed's own address)", ch->feed_url, true, err)) ||
	    (rc = url_field("podcast.image", ch->image_url, false, err)) ||
	    (rc = url_field("podcast.funding.url", ch->funding_url, false, err)) ||
	    (rc = url_field("podcast.new_feed_url", ch->new_feed_url, false, err)) ||
	    (rc = url_field("feeds archive (current)", ch->archive.current_url, false, err)) ||
	    (rc = url_field("feeds archive (prev-archive)", ch->archive.prev_archive_url,
			    false, err)) ||
	    (rc = url_field("feeds archive (next-archive)", ch->archive.next_archive_url,
			    false, err)))
		return rc;
	for (size_t i = 0; i < ch->n_hubs; i++)
		if ((rc = url_field("notify.hubs", ch->hubs[i], true, err)))
			return rc;
	if (!empty(ch->funding_label) && empty(ch->funding_url))
		return herr(err, HEARTH_EINVAL,
			    "podcast.funding.url: is missing; a funding label needs the address");
	if ((rc = check_persons("podcast.people", ch->persons, ch->n_persons, err)))
		return rc;
	if ((rc = feed_check_language(ch->language, err)) ||
	    (rc = feed_check_license(ch->license, ch->license_url, err)))
		return rc;
	if (!empty(ch->category) || n_items > 0)
		if ((rc = feed_check_category(ch->category, ch->subcategory, err)))
			return rc;
	if (!empty(ch->medium) && strcmp(ch->medium, "podcast") && strcmp(ch->medium, "music"))
		return herr(err, HEARTH_EINVAL,
			    "medium: '%s' is not one this library writes; use podcast or music",
			    ch->medium);
	if (!empty(ch->owner_email) && !email_ok(ch->owner_email))
		return herr(err, HEARTH_EINVAL,
			    "podcast.owner.email: '%s' is not an email address "
			    "(name@example.org)",
			    ch->owner_email);
	if (n_items == 0)
		return 0;
	if (empty(ch->image_url))
		return herr(err, HEARTH_EINVAL,
			    "podcast.image: is missing; a podcast with episodes needs square "
			    "artwork (1400 to 3000 pixels, JPEG or PNG) before directories "
			    "accept it");
	if (empty(ch->owner_email))
		return herr(err, HEARTH_EINVAL,
			    "podcast.owner.email: is missing; a podcast with episodes needs "
			    "an owner address (it is public: printed in the feed)");
	return 0;
}
