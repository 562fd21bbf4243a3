/*
 * rss.c - the podcast feeds: RSS 2.0 with the itunes, podcast (Podcasting
 * 2.0), atom and content namespaces (and RFC 5005's fh in an archive
 * document), written with the feeds' XML writer (writer.c). The writer
 * escapes every text and attribute, so the feed is well-formed whatever a
 * story's title holds. <description> is one more layer down: feed readers
 * take its text as HTML, so the plain text that goes there (summary,
 * content warnings, the show's description) is escaped as HTML first, and
 * "<img src=x>" in a summary reaches readers as those characters, not as
 * an image. The pipeline calls feed_rss() with records built from the
 * public view; this file knows nothing of the catalogue.
 *
 * Everything is checked before the first byte is written, so a refused
 * feed appends nothing. Determinism: nothing here reads the clock or the
 * environment; the same records give the same bytes.
 */
#include "feeds.h"
#include "writer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_ITUNES "http://www.itunes.com/dtds/podcast-1.0.dtd"
#define NS_PODCAST "https://podcastindex.org/namespace/1.0"
#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_FH "http://purl.org/syndication/history/1.0"

/* Apple reads at most 4000 bytes of a description. */
#define DESC_MAX 4000

/* How an item is named in a message: its title, else its GUID. */
static const char *item_name(const struct feed_item *it)
{
	if (it->title && *it->title && fw_text_ok(it->title))
		return it->title;
	if (it->guid && *it->guid && fw_text_ok(it->guid))
		return it->guid;
	return "?";
}

/*
 * Checks one item. *desc gets its description as HTML text (a new
 * allocation, also on failure; NULL when the check stopped before it), so
 * it is made once for the check of its length and the writing.
 *
 * Without all (the first pass, before writing), the text of the fields
 * the writer always writes when they are there (written) is not looked at
 * here: the writer checks every text it writes and fails the document,
 * and feed_rss then checks again with all, in order, for the message
 * naming the item and the field. A feed of ten thousand items looked at
 * each of those texts twice.
 */
static int check_item(const struct feed_channel *ch, const struct feed_item *it, size_t idx,
		      bool all, char **desc, struct hearth_err *err)
{
	const struct {
		const char *name, *v;
		bool required, written;
	} f[] = {
		{"title", it->title, true, true},
		{"guid", it->guid, true, true},
		{"description", it->description, false, true},
		/* checked already by the caller when it gives the length */
		{"content_html", it->content_len ? NULL : it->content_html, false, true},
		{"link", it->link, false, true},
		{"author", it->author, false, true},
		{"enclosure_url", it->enclosure_url, true, true},
		{"enclosure_type", it->enclosure_type, true, true},
		{"alternate_url", it->alternate_url, false, true},
		{"alternate_type", it->alternate_type, it->alternate_url != NULL, false},
		{"alternate_codecs", it->alternate_codecs, false, false},
		{"image_url", it->image_url, false, true},
		{"transcript_url", it->transcript_url, false, true},
		{"transcript_type", it->transcript_type, false, false},
		{"transcript_language", it->transcript_language, false, false},
		{"chapters_url", it->chapters_url, false, true},
		{"license", it->license, false, true},
		{"language", it->language, false, false},
	};
	const char *who = item_name(it);
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (f[i].required && (!f[i].v || !*f[i].v))
			return herr(err, HEARTH_EINVAL, "feed item %zu '%s': '%s' is missing",
				    idx + 1, who, f[i].name);
		if ((all || !f[i].written) && !fw_text_ok(f[i].v))
			return herr(err, HEARTH_EINVAL,
				    "feed item %zu '%s': '%s' is not valid UTF-8 text", idx + 1,
				    who, f[i].name);
	}
	/* the warnings are written in the description */
	for (char **p = it->warnings; all && p && *p; p++)
		if (!fw_text_ok(*p))
			return herr(err, HEARTH_EINVAL,
				    "feed item %zu '%s': a content warning is not valid UTF-8 "
				    "text",
				    idx + 1, who);
	const struct {
		const char *name, *v;
	} u[] = {
		{"enclosure_url", it->enclosure_url}, {"alternate_url", it->alternate_url},
		{"link", it->link},			{"image_url", it->image_url},
		{"transcript_url", it->transcript_url}, {"chapters_url", it->chapters_url},
	};
	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
		if (u[i].v && !fw_url_ok(u[i].v))
			return herr(err, HEARTH_EINVAL,
				    "feed item %zu '%s': '%s' is not an http:// or https:// "
				    "address",
				    idx + 1, who, u[i].name);
	if (it->enclosure_length <= 0)
		return herr(err, HEARTH_EINVAL,
			    "feed item %zu '%s': 'enclosure_length' is missing: the audio "
			    "file's size in bytes is unknown",
			    idx + 1, who);
	if (it->alternate_length < 0 || it->alternate_bitrate < 0 || it->enclosure_bitrate < 0)
		return herr(err, HEARTH_EINVAL,
			    "feed item %zu '%s': an enclosure length or bit rate is negative",
			    idx + 1, who);
	if (ch->type_serial && it->episode <= 0)
		return herr(err, HEARTH_EINVAL,
			    "feed item %zu '%s': 'episode' is missing: a serial show numbers "
			    "every episode",
			    idx + 1, who);
	for (size_t i = 0; i < it->n_persons; i++) {
		const struct feed_person *p = &it->persons[i];
		if (!p->name || !*p->name || !fw_text_ok(p->name) || strlen(p->name) > 128 ||
		    !fw_text_ok(p->role) || !fw_text_ok(p->group) || !fw_text_ok(p->href) ||
		    !fw_text_ok(p->img))
			return herr(err, HEARTH_EINVAL,
				    "feed item %zu '%s': 'persons' %zu needs a name of 1 to 128 "
				    "bytes of text",
				    idx + 1, who, i + 1);
	}
	*desc = fw_description(it->warnings, it->description);
	size_t dn = strlen(*desc);
	if (dn > DESC_MAX)
		return herr(err, HEARTH_EINVAL,
			    "feed item %zu '%s': 'description' (content warnings and summary) "
			    "is %zu bytes as HTML, past Apple's %d; shorten the summary",
			    idx + 1, who, dn, DESC_MAX);
	return 0;
}

static void write_person(struct fw *w, const struct feed_person *p)
{
	fw_start(w, "podcast:person");
	fw_attr(w, "role", p->role);
	fw_attr(w, "group", p->group);
	fw_attr(w, "img", p->img);
	fw_attr(w, "href", p->href);
	fw_text(w, p->name);
	fw_end(w);
}

static void write_link(struct fw *w, const char *rel, const char *href, const char *type)
{
	if (!href)
		return;
	fw_start(w, "atom:link");
	fw_attr(w, "rel", rel);
	fw_attr(w, "href", href);
	fw_attr(w, "type", type);
	fw_end(w);
}

/* RFC 5005 paging links and the WebSub hubs, the same in RSS and Atom. */
static void write_paging(struct fw *w, const struct feed_archive *a,
			 const char *const *hubs, size_t n_hubs)
{
	for (size_t i = 0; i < n_hubs; i++)
		write_link(w, "hub", hubs[i], NULL);
	if (a->is_archive) {
		fw_start(w, "fh:archive");
		fw_end(w);
	}
	write_link(w, "current", a->current_url, NULL);
	write_link(w, "prev-archive", a->prev_archive_url, NULL);
	write_link(w, "next-archive", a->next_archive_url, NULL);
}

static void write_channel_head(struct fw *w, const struct feed_channel *ch)
{
	char date[32];
	char *desc = fw_description(NULL, ch->description);

	fw_elem(w, "title", ch->title);
	fw_elem(w, "link", ch->link);
	fw_elem(w, "description", desc);
	free(desc);
	fw_elem(w, "language", ch->language);
	fw_elem(w, "copyright", ch->license);
	write_link(w, "self", ch->feed_url, "application/rss+xml");
	write_paging(w, &ch->archive, ch->hubs, ch->n_hubs);
	if (ch->last_build) {
		date_rfc2822(ch->last_build, date);
		fw_elem(w, "lastBuildDate", date);
	}
	fw_elem(w, "generator", "Hearth");
	fw_elem(w, "itunes:author", ch->author);
	if (ch->owner_name || ch->owner_email) {
		fw_start(w, "itunes:owner");
		fw_elem(w, "itunes:name", ch->owner_name);
		fw_elem(w, "itunes:email", ch->owner_email);
		fw_end(w);
	}
	fw_elem_attr(w, "itunes:image", "href", ch->image_url);
	if (ch->category && *ch->category) {
		fw_start(w, "itunes:category");
		fw_attr(w, "text", ch->category);
		if (ch->subcategory && *ch->subcategory)
			fw_elem_attr(w, "itunes:category", "text", ch->subcategory);
		fw_end(w);
	}
	fw_elem(w, "itunes:explicit", ch->explicit_ ? "true" : "false");
	fw_elem(w, "itunes:type", ch->type_serial ? "serial" : "episodic");
	if (ch->complete)
		fw_elem(w, "itunes:complete", "Yes");
	fw_elem(w, "itunes:new-feed-url", ch->new_feed_url);
	fw_elem(w, "podcast:guid", ch->podcast_guid);
	fw_start(w, "podcast:locked");
	if (ch->locked && ch->owner_email && *ch->owner_email)
		fw_attr(w, "owner", ch->owner_email);
	fw_text(w, ch->locked ? "yes" : "no");
	fw_end(w);
	if (ch->license && *ch->license) {
		fw_start(w, "podcast:license");
		if (ch->license_url && *ch->license_url)
			fw_attr(w, "url", ch->license_url);
		fw_text(w, ch->license);
		fw_end(w);
	}
	fw_elem(w, "podcast:medium", ch->medium && *ch->medium ? ch->medium : "podcast");
	for (size_t i = 0; i < ch->n_persons; i++)
		write_person(w, &ch->persons[i]);
	if (ch->funding_url) {
		fw_start(w, "podcast:funding");
		fw_attr(w, "url", ch->funding_url);
		fw_text(w, ch->funding_label && *ch->funding_label ? ch->funding_label
								   : ch->funding_url);
		fw_end(w);
	}
	for (size_t i = 0; i < ch->n_txt; i++) {
		fw_start(w, "podcast:txt");
		fw_attr(w, "purpose", ch->txt[i].purpose);
		fw_text(w, ch->txt[i].value);
		fw_end(w);
	}
	/* the spec's "disabled": the protocol alone, no other attribute or text */
	if (ch->social_interact_disabled)
		fw_elem_attr(w, "podcast:socialInteract", "protocol", "disabled");
	if (ch->update_frequency && *ch->update_frequency) {
		fw_start(w, "podcast:updateFrequency");
		if (ch->update_rrule && *ch->update_rrule)
			fw_attr(w, "rrule", ch->update_rrule);
		if (ch->complete)
			fw_attr(w, "complete", "true");
		fw_text(w, ch->update_frequency);
		fw_end(w);
	}
	if (ch->image_url) {
		fw_start(w, "image");
		fw_elem(w, "url", ch->image_url);
		fw_elem(w, "title", ch->title);
		fw_elem(w, "link", ch->link);
		fw_end(w);
	}
}

/* One podcast:alternateEnclosure with its source. */
static void write_alternate(struct fw *w, const char *type, int64_t length, int64_t bitrate,
			    const char *codecs, bool is_default, const char *url)
{
	fw_start(w, "podcast:alternateEnclosure");
	fw_attr(w, "type", type);
	fw_attr_int(w, "length", length);
	if (bitrate > 0)
		fw_attr_int(w, "bitrate", bitrate);
	if (codecs && *codecs)
		fw_attr(w, "codecs", codecs);
	if (is_default)
		fw_attr(w, "default", "true");
	fw_elem_attr(w, "podcast:source", "uri", url);
	fw_end(w);
}

/*
 * One <item>. The byline goes in <itunes:author>: Apple's list names it for
 * the channel only, but podcast apps (and Apple's own older guide) read it
 * per episode, and it keeps the description for the warning and the
 * summary. A story told anonymously carries "Anonymous" there, never a
 * name: the byline comes from the public view, and so do the persons.
 */
static void write_item(struct fw *w, const struct feed_channel *ch,
		       const struct feed_item *it, const char *desc)
{
	char date[32];

	fw_start(w, "item");
	fw_elem(w, "title", it->title);
	fw_elem(w, "link", it->link);
	fw_elem(w, "description", desc);
	if (it->content_html) {
		fw_start(w, "content:encoded");
		if (it->content_len)
			fw_cdata_checked(w, it->content_html, it->content_len);
		else
			fw_cdata(w, it->content_html);
		fw_end(w);
	}
	fw_start(w, "guid");
	fw_attr(w, "isPermaLink", "false");
	fw_text(w, it->guid);
	fw_end(w);
	if (it->pub_date) {
		date_rfc2822(it->pub_date, date);
		fw_elem(w, "pubDate", date);
	}
	fw_start(w, "enclosure");
	fw_attr(w, "url", it->enclosure_url);
	fw_attr_int(w, "length", it->enclosure_length);
	fw_attr(w, "type", it->enclosure_type);
	fw_end(w);
	fw_elem(w, "itunes:author", it->author);
	if (it->duration > 0)
		fw_elem_int(w, "itunes:duration", (int64_t)(it->duration + 0.5));
	if (it->season > 0)
		fw_elem_int(w, "itunes:season", it->season);
	if (it->episode > 0)
		fw_elem_int(w, "itunes:episode", it->episode);
	fw_elem(w, "itunes:episodeType", "full");
	fw_elem(w, "itunes:explicit", ch->explicit_ ? "true" : "false");
	fw_elem_attr(w, "itunes:image", "href", it->image_url);
	if (it->transcript_url) {
		const char *lang = it->transcript_language && *it->transcript_language
					   ? it->transcript_language
					   : it->language;
		fw_start(w, "podcast:transcript");
		fw_attr(w, "url", it->transcript_url);
		fw_attr(w, "type", it->transcript_type ? it->transcript_type : "text/vtt");
		if (lang && *lang)
			fw_attr(w, "language", lang);
		fw_attr(w, "rel", "captions");
		fw_end(w);
	}
	/* the enclosure itself first, marked default, then the other format */
	write_alternate(w, it->enclosure_type, it->enclosure_length, it->enclosure_bitrate,
			NULL, true, it->enclosure_url);
	if (it->alternate_url)
		write_alternate(w, it->alternate_type, it->alternate_length,
				it->alternate_bitrate, it->alternate_codecs, false,
				it->alternate_url);
	if (it->chapters_url) {
		fw_start(w, "podcast:chapters");
		fw_attr(w, "url", it->chapters_url);
		fw_attr(w, "type", "application/json+chapters");
		fw_end(w);
	}
	if (it->season > 0)
		fw_elem_int(w, "podcast:season", it->season);
	if (it->episode > 0)
		fw_elem_int(w, "podcast:episode", it->episode);
	fw_elem(w, "podcast:license", it->license);
	for (size_t i = 0; i < it->n_persons; i++)
		write_person(w, &it->persons[i]);
	fw_end(w);
}

static int cmp_guid(const void *a, const void *b)
{
	const struct feed_item *x = *(const struct feed_item *const *)a;
	const struct feed_item *y = *(const struct feed_item *const *)b;
	int c = strcmp(x->guid, y->guid);
	return c ? c : (x < y ? -1 : x > y);
}

/*
 * Apple skips an episode whose GUID is already used, and apps merge
 * them: two items with one GUID are a bug upstream, refused with both
 * items named. Sorted pointers, so 10,000 items cost no more than a sort.
 */
static int check_unique_guids(const struct feed_item *items, size_t n,
			      struct hearth_err *err)
{
	const struct feed_item **v;
	int rc = 0;

	if (n < 2)
		return 0;
	v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = &items[i];
	qsort(v, n, sizeof *v, cmp_guid);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(v[i - 1]->guid, v[i]->guid)) {
			rc = herr(err, HEARTH_EINVAL,
				  "feed items %zu '%s' and %zu '%s': 'guid' %s is the same",
				  (size_t)(v[i - 1] - items) + 1, item_name(v[i - 1]),
				  (size_t)(v[i] - items) + 1, item_name(v[i]), v[i]->guid);
			break;
		}
	free(v);
	return rc;
}

int feed_rss(const struct feed_channel *ch, const struct feed_item *items,
	     size_t n, struct buf *out, struct hearth_err *err)
{
	struct fw w = {0};
	char **desc = xcalloc(n + 1, sizeof *desc);
	int rc = feed_check_channel(ch, n, err);
	bool channel_ok = rc == 0;

	for (size_t i = 0; !rc && i < n; i++)
		rc = check_item(ch, &items[i], i, false, &desc[i], err);
	if (!rc)
		rc = check_unique_guids(items, n, err);
	if (rc)
		goto end;
	if ((rc = fw_open(&w, out, err)))
		goto end;
	fw_start(&w, "rss");
	fw_attr(&w, "version", "2.0");
	fw_attr(&w, "xmlns:itunes", NS_ITUNES);
	fw_attr(&w, "xmlns:podcast", NS_PODCAST);
	fw_attr(&w, "xmlns:atom", NS_ATOM);
	fw_attr(&w, "xmlns:content", NS_CONTENT);
	if (ch->archive.is_archive)
		fw_attr(&w, "xmlns:fh", NS_FH);
	fw_start(&w, "channel");
	write_channel_head(&w, ch);
	for (size_t i = 0; i < n; i++)
		write_item(&w, ch, &items[i], desc[i]);
	fw_end(&w); /* channel */
	fw_end(&w); /* rss */
end:
	/* a refusal names the first item and field a check with all finds */
	if (channel_ok && (rc || w.failed)) {
		for (size_t i = 0; i < n; i++) {
			xfree(&desc[i]);
			int rc2 = check_item(ch, &items[i], i, true, &desc[i], err);
			if (rc2) {
				rc = rc2;
				break;
			}
		}
	}
	struct hearth_err closing;
	if (fw_close(&w, rc != 0, rc ? &closing : err) && !rc)
		rc = HEARTH_EIO; /* the message stays the check's when there is one */
	for (size_t i = 0; i < n; i++)
		free(desc[i]);
	free(desc);
	return rc;
}
