/*
 * rss.c - the podcast feed: RSS 2.0 with the itunes, podcast (Podcasting
 * 2.0), atom and content namespaces, written with libxml2's xmlTextWriter.
 * The writer escapes every text and attribute, so the feed is well-formed
 * whatever a story's title holds. <description> is one more layer down:
 * feed readers take its text as HTML, so the plain text that goes there
 * (summary, content warnings, the show's description) is escaped as HTML
 * first, and "<img src=x>" in a summary reaches readers as those
 * characters, not as an image. site-gen/ calls feed_rss() with records
 * built from the public view; this file knows nothing of the catalogue.
 *
 * Determinism: nothing here reads the clock or the environment; the same
 * records give the same bytes.
 */
#include "feeds.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#define NS_ITUNES "http://www.itunes.com/dtds/podcast-1.0.dtd"
#define NS_PODCAST "https://podcastindex.org/namespace/1.0"
#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"

/* Apple reads at most 4000 bytes of a description. */
#define DESC_MAX 4000

typedef const xmlChar *X;

/* The writer and the first error it met; every helper is a no-op after one. */
struct w {
	xmlTextWriterPtr x;
	int failed;
};

static void start(struct w *w, const char *name)
{
	if (!w->failed && xmlTextWriterStartElement(w->x, (X)name) < 0)
		w->failed = 1;
}

static void end(struct w *w)
{
	if (!w->failed && xmlTextWriterEndElement(w->x) < 0)
		w->failed = 1;
}

static void attr(struct w *w, const char *name, const char *value)
{
	if (!w->failed && xmlTextWriterWriteAttribute(w->x, (X)name, (X)value) < 0)
		w->failed = 1;
}

/* <name>text</name>; nothing when text is NULL. */
static void elem(struct w *w, const char *name, const char *text)
{
	if (!text || w->failed)
		return;
	if (xmlTextWriterWriteElement(w->x, (X)name, (X)text) < 0)
		w->failed = 1;
}

static void elem_int(struct w *w, const char *name, int64_t v)
{
	char s[32];
	snprintf(s, sizeof s, "%" PRId64, v);
	elem(w, name, s);
}

/* <name attr="value"/> */
static void elem_attr(struct w *w, const char *name, const char *a, const char *v)
{
	start(w, name);
	attr(w, a, v);
	end(w);
}

/*
 * Writes html as CDATA. A CDATA section cannot hold "]]>", so the text is
 * split there: "]]" ends one section and ">" starts the next.
 */
static void cdata(struct w *w, const char *html)
{
	const char *p = html;
	for (;;) {
		const char *q = strstr(p, "]]>");
		size_t n = q ? (size_t)(q - p) + 2 : strlen(p);
		char *part = xstrndup(p, n);
		if (!w->failed && xmlTextWriterWriteCDATA(w->x, (X)part) < 0)
			w->failed = 1;
		free(part);
		if (!q)
			break;
		p = q + 2;
	}
}

/* True when s is NULL or text XML can carry. */
static bool ok_text(const char *s)
{
	return !s || text_valid(s, strlen(s));
}

/* Plain text as HTML text: the characters HTML gives a meaning escaped. */
static void html_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_putc(b, *s);
		}
	}
}

/*
 * Cuts HTML text (escaped, no tags) to at most DESC_MAX bytes with an
 * ellipsis: at a character boundary and never inside an entity.
 */
static void cut_description(struct buf *b)
{
	static const char ell[] = "\xe2\x80\xa6"; /* … */
	if (b->len <= DESC_MAX)
		return;
	size_t cut = DESC_MAX - (sizeof ell - 1);
	while (cut > 0 && ((unsigned char)b->data[cut] & 0xc0) == 0x80)
		cut--;
	/* an '&' with no ';' before the cut starts an entity the cut would split */
	for (size_t i = cut; i > 0 && cut - i < 8; i--) {
		if (b->data[i - 1] == ';')
			break;
		if (b->data[i - 1] == '&') {
			cut = i - 1;
			break;
		}
	}
	b->len = cut;
	buf_puts(b, ell);
}

/*
 * The item's description as HTML text: the content warnings first, then
 * the summary, escaped, cut to DESC_MAX bytes. New allocation.
 */
static char *item_description(const struct feed_item *it)
{
	struct buf b = BUF_INIT;
	if (it->warnings && it->warnings[0]) {
		char *list = strv_join(it->warnings, ", ");
		char *line = xasprintf("Content warning: %s. ", list);
		html_escape(&b, line);
		free(line);
		free(list);
	}
	if (it->description)
		html_escape(&b, it->description);
	cut_description(&b);
	buf_puts(&b, "");
	return buf_detach(&b);
}

/* The show's description as HTML text, like an item's. New allocation. */
static char *channel_description(const char *text)
{
	struct buf b = BUF_INIT;
	html_escape(&b, text ? text : "");
	cut_description(&b);
	buf_puts(&b, "");
	return buf_detach(&b);
}

static int check_channel(const struct feed_channel *ch, struct hearth_err *err)
{
	const struct {
		const char *name, *v;
		bool required;
	} f[] = {
		{"title", ch->title, true},
		{"description", ch->description, true},
		{"link", ch->link, true},
		{"feed_url", ch->feed_url, true},
		{"language", ch->language, true},
		{"author", ch->author, false},
		{"category", ch->category, false},
		{"subcategory", ch->subcategory, false},
		{"image_url", ch->image_url, false},
		{"license", ch->license, false},
		{"podcast_guid", ch->podcast_guid, false},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (f[i].required && (!f[i].v || !*f[i].v))
			return herr(err, HEARTH_EINVAL, "feed channel: '%s' is missing",
				    f[i].name);
		if (!ok_text(f[i].v))
			return herr(err, HEARTH_EINVAL,
				    "feed channel: '%s' is not valid UTF-8 text", f[i].name);
	}
	return 0;
}

static int check_item(const struct feed_item *it, size_t idx, struct hearth_err *err)
{
	const struct {
		const char *name, *v;
		bool required;
	} f[] = {
		{"title", it->title, true},
		{"description", it->description, false},
		{"content_html", it->content_html, false},
		{"link", it->link, false},
		{"guid", it->guid, true},
		{"author", it->author, false},
		{"enclosure_url", it->enclosure_url, true},
		{"enclosure_type", it->enclosure_type, true},
		{"alternate_url", it->alternate_url, false},
		{"alternate_type", it->alternate_type, it->alternate_url != NULL},
		{"alternate_codecs", it->alternate_codecs, false},
		{"image_url", it->image_url, false},
		{"transcript_url", it->transcript_url, false},
		{"transcript_type", it->transcript_type, false},
		{"chapters_url", it->chapters_url, false},
		{"license", it->license, false},
		{"language", it->language, false},
	};
	const char *who = it->guid ? it->guid : it->title ? it->title : "";
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (f[i].required && (!f[i].v || !*f[i].v))
			return herr(err, HEARTH_EINVAL, "feed item %zu '%s': '%s' is missing",
				    idx + 1, ok_text(who) ? who : "?", f[i].name);
		if (!ok_text(f[i].v))
			return herr(err, HEARTH_EINVAL,
				    "feed item %zu: '%s' is not valid UTF-8 text", idx + 1,
				    f[i].name);
	}
	for (char **p = it->warnings; p && *p; p++)
		if (!ok_text(*p))
			return herr(err, HEARTH_EINVAL,
				    "feed item %zu: a content warning is not valid UTF-8 text",
				    idx + 1);
	if (it->enclosure_length < 0 || it->alternate_length < 0 || it->alternate_bitrate < 0)
		return herr(err, HEARTH_EINVAL,
			    "feed item %zu '%s': an enclosure length or bit rate is negative",
			    idx + 1, who);
	return 0;
}

static void write_channel_head(struct w *w, const struct feed_channel *ch)
{
	char date[32];
	const char *explicit_ = ch->explicit_ ? "true" : "false";
	char *desc = channel_description(ch->description);

	elem(w, "title", ch->title);
	elem(w, "link", ch->link);
	elem(w, "description", desc);
	free(desc);
	elem(w, "language", ch->language);
	elem(w, "copyright", ch->license);
	start(w, "atom:link");
	attr(w, "href", ch->feed_url);
	attr(w, "rel", "self");
	attr(w, "type", "application/rss+xml");
	end(w);
	if (ch->last_build) {
		date_rfc2822(ch->last_build, date);
		elem(w, "lastBuildDate", date);
	}
	elem(w, "generator", "Hearth");
	elem(w, "itunes:author", ch->author);
	if (ch->image_url)
		elem_attr(w, "itunes:image", "href", ch->image_url);
	if (ch->category && *ch->category) {
		start(w, "itunes:category");
		attr(w, "text", ch->category);
		if (ch->subcategory && *ch->subcategory)
			elem_attr(w, "itunes:category", "text", ch->subcategory);
		end(w);
	}
	elem(w, "itunes:explicit", explicit_);
	elem(w, "itunes:type", "episodic");
	elem(w, "podcast:guid", ch->podcast_guid);
	elem(w, "podcast:locked", "no");
	elem(w, "podcast:license", ch->license);
	elem(w, "podcast:medium", "podcast");
	if (ch->image_url) {
		start(w, "image");
		elem(w, "url", ch->image_url);
		elem(w, "title", ch->title);
		elem(w, "link", ch->link);
		end(w);
	}
}

/*
 * One <item>. The byline goes in <itunes:author>: Apple's list names it for
 * the channel only, but podcast apps (and Apple's own older guide) read it
 * per episode, and it keeps the description for the warning and the
 * summary. A story told anonymously carries "Anonymous" there, never a
 * name: the byline comes from the public view.
 */
static void write_item(struct w *w, const struct feed_channel *ch,
		       const struct feed_item *it)
{
	char date[32], num[32];
	char *desc = item_description(it);

	start(w, "item");
	elem(w, "title", it->title);
	elem(w, "link", it->link);
	elem(w, "description", desc);
	if (it->content_html) {
		start(w, "content:encoded");
		cdata(w, it->content_html);
		end(w);
	}
	start(w, "guid");
	attr(w, "isPermaLink", "false");
	if (!w->failed && xmlTextWriterWriteString(w->x, (X)it->guid) < 0)
		w->failed = 1;
	end(w);
	if (it->pub_date) {
		date_rfc2822(it->pub_date, date);
		elem(w, "pubDate", date);
	}
	start(w, "enclosure");
	attr(w, "url", it->enclosure_url);
	snprintf(num, sizeof num, "%" PRId64, it->enclosure_length);
	attr(w, "length", num);
	attr(w, "type", it->enclosure_type);
	end(w);
	elem(w, "itunes:author", it->author);
	if (it->duration > 0)
		elem_int(w, "itunes:duration", (int64_t)(it->duration + 0.5));
	if (it->season > 0)
		elem_int(w, "itunes:season", it->season);
	if (it->episode > 0)
		elem_int(w, "itunes:episode", it->episode);
	elem(w, "itunes:episodeType", "full");
	elem(w, "itunes:explicit", ch->explicit_ ? "true" : "false");
	if (it->image_url)
		elem_attr(w, "itunes:image", "href", it->image_url);
	if (it->transcript_url) {
		start(w, "podcast:transcript");
		attr(w, "url", it->transcript_url);
		attr(w, "type", it->transcript_type ? it->transcript_type : "text/vtt");
		if (it->language && *it->language)
			attr(w, "language", it->language);
		end(w);
	}
	if (it->alternate_url) {
		start(w, "podcast:alternateEnclosure");
		attr(w, "type", it->alternate_type);
		snprintf(num, sizeof num, "%" PRId64, it->alternate_length);
		attr(w, "length", num);
		if (it->alternate_bitrate > 0) {
			snprintf(num, sizeof num, "%" PRId64, it->alternate_bitrate);
			attr(w, "bitrate", num);
		}
		if (it->alternate_codecs && *it->alternate_codecs)
			attr(w, "codecs", it->alternate_codecs);
		elem_attr(w, "podcast:source", "uri", it->alternate_url);
		end(w);
	}
	if (it->chapters_url) {
		start(w, "podcast:chapters");
		attr(w, "url", it->chapters_url);
		attr(w, "type", "application/json+chapters");
		end(w);
	}
	if (it->season > 0)
		elem_int(w, "podcast:season", it->season);
	if (it->episode > 0)
		elem_int(w, "podcast:episode", it->episode);
	elem(w, "podcast:license", it->license);
	end(w);
	free(desc);
}

int feed_rss(const struct feed_channel *ch, const struct feed_item *items,
	     size_t n, struct buf *out, struct hearth_err *err)
{
	xmlBufferPtr xb = NULL;
	struct w w = {NULL, 0};
	int rc = check_channel(ch, err);

	for (size_t i = 0; !rc && i < n; i++)
		rc = check_item(&items[i], i, err);
	if (rc)
		return rc;

	xb = xmlBufferCreate();
	w.x = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
	if (!w.x) {
		rc = herr(err, HEARTH_EIO, "feed: cannot start the XML writer");
		goto end_buffer;
	}
	xmlTextWriterSetIndent(w.x, 1);
	xmlTextWriterSetIndentString(w.x, (X) "  ");
	if (xmlTextWriterStartDocument(w.x, "1.0", "UTF-8", NULL) < 0)
		w.failed = 1;
	start(&w, "rss");
	attr(&w, "version", "2.0");
	attr(&w, "xmlns:itunes", NS_ITUNES);
	attr(&w, "xmlns:podcast", NS_PODCAST);
	attr(&w, "xmlns:atom", NS_ATOM);
	attr(&w, "xmlns:content", NS_CONTENT);
	start(&w, "channel");
	write_channel_head(&w, ch);
	for (size_t i = 0; i < n; i++)
		write_item(&w, ch, &items[i]);
	end(&w); /* channel */
	end(&w); /* rss */
	if (!w.failed && xmlTextWriterEndDocument(w.x) < 0)
		w.failed = 1;
	xmlFreeTextWriter(w.x); /* flushes into xb */
	if (w.failed) {
		rc = herr(err, HEARTH_EIO, "feed: the XML writer failed");
		goto end_buffer;
	}
	buf_add(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
end_buffer:
	if (xb)
		xmlBufferFree(xb);
	return rc;
}
