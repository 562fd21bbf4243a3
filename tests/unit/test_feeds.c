/* test_feeds.c - the podcast RSS: well-formed, escaped, complete, stable. */
#include "../../core/core.h"
#include "../../feeds/feeds.h"
#include "t.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

static struct feed_channel channel(void)
{
	struct feed_channel ch = {
		.title = "Hearth & Home <stories>",
		.description = "Peer stories about \"getting through\"",
		.link = "https://example.org",
		.feed_url = "https://example.org/feed.xml",
		.language = "en",
		.author = "Hearth Peer Network",
		.category = "Health & Fitness",
		.subcategory = "Mental Health",
		.explicit_ = false,
		.image_url = "https://example.org/cover.jpg",
		.license = "CC-BY-NC-ND-4.0",
		.podcast_guid = "9b024349-ccf0-5f69-a609-6b82873eab3c",
		.last_build = 1715342400, /* 2024-05-10 12:00:00 UTC */
	};
	return ch;
}

static char w_selfharm[] = "self-harm", w_hospital[] = "hospital";
static char *warn_v[] = {w_selfharm, w_hospital, NULL};

static struct feed_item item(void)
{
	struct feed_item it = {
		.title = "Night <shift> & 'after'",
		.description = "A summary with \"quotes\" & <b>not html</b>",
		.content_html = "<p>Body ]]> with a CDATA end & more</p>",
		.link = "https://example.org/stories/night/index.html",
		.guid = "6d1f3a8e-0000-4000-8000-000000000001",
		.author = "Sky",
		.pub_date = 1715342400,
		.enclosure_url = "https://example.org/media/night/night.mp3",
		.enclosure_length = 1234567,
		.enclosure_type = "audio/mpeg",
		.duration = 125.6,
		.season = 1,
		.episode = 3,
		.image_url = "https://example.org/media/night/art-1.jpg",
		.transcript_url = "https://example.org/media/night/night.vtt",
		.transcript_type = "text/vtt",
		.license = "CC-BY-4.0",
		.warnings = warn_v,
		.language = "en",
	};
	return it;
}

/* The feed parsed back, with an XPath context knowing the namespaces. */
struct parsed {
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
};

static int parse(const struct buf *b, struct parsed *p)
{
	p->doc = xmlReadMemory(b->data, (int)b->len, "feed.xml", NULL, XML_PARSE_NONET);
	if (!p->doc)
		return -1;
	p->xp = xmlXPathNewContext(p->doc);
	xmlXPathRegisterNs(p->xp, BAD_CAST "itunes",
			   BAD_CAST "http://www.itunes.com/dtds/podcast-1.0.dtd");
	xmlXPathRegisterNs(p->xp, BAD_CAST "podcast",
			   BAD_CAST "https://podcastindex.org/namespace/1.0");
	xmlXPathRegisterNs(p->xp, BAD_CAST "atom", BAD_CAST "http://www.w3.org/2005/Atom");
	xmlXPathRegisterNs(p->xp, BAD_CAST "content",
			   BAD_CAST "http://purl.org/rss/1.0/modules/content/");
	return 0;
}

static void parsed_free(struct parsed *p)
{
	xmlXPathFreeContext(p->xp);
	xmlFreeDoc(p->doc);
}

/* The string value of an XPath expression; new allocation ("" if none). */
static char *xs(struct parsed *p, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, p->xp);
	xmlChar *s = o ? xmlXPathCastToString(o) : NULL;
	char *r = xstrdup(s ? (const char *)s : "");
	xmlFree(s);
	xmlXPathFreeObject(o);
	return r;
}

static int xcount(struct parsed *p, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, p->xp);
	int n = o && o->nodesetval ? o->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(o);
	return n;
}

#define CHECK_X(p, expr, want)                                                   \
	do {                                                                     \
		char *got_ = xs(p, expr);                                        \
		int same_ = strcmp(got_, want) == 0;                             \
		if (!same_)                                                      \
			printf("  %s = \"%s\"\n", expr, got_);                   \
		free(got_);                                                      \
		CHECK(same_);                                                    \
	} while (0)

static void well_formed_and_escaped(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	struct buf b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(str_starts(b.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss"));
	CHECK(parse(&b, &p) == 0);
	CHECK_X(&p, "/rss/channel/title", "Hearth & Home <stories>");
	CHECK_X(&p, "/rss/channel/item/title", "Night <shift> & 'after'");
	CHECK_X(&p, "/rss/channel/item/content:encoded",
		"<p>Body ]]> with a CDATA end & more</p>");
	/* readers take a description as HTML: its plain text is escaped as HTML first */
	CHECK_X(&p, "/rss/channel/description",
		"Peer stories about &quot;getting through&quot;");
	CHECK(strstr(b.data, "&lt;shift&gt; &amp;") != NULL);
	parsed_free(&p);
	buf_release(&b);
}

static void required_elements(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	struct buf b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK_X(&p, "/rss/@version", "2.0");
	CHECK_X(&p, "/rss/channel/link", "https://example.org");
	CHECK_X(&p, "/rss/channel/language", "en");
	CHECK_X(&p, "/rss/channel/copyright", "CC-BY-NC-ND-4.0");
	CHECK_X(&p, "/rss/channel/atom:link[@rel='self']/@href", "https://example.org/feed.xml");
	CHECK_X(&p, "/rss/channel/atom:link/@type", "application/rss+xml");
	CHECK_X(&p, "/rss/channel/generator", "Hearth");
	CHECK_X(&p, "/rss/channel/itunes:author", "Hearth Peer Network");
	CHECK_X(&p, "/rss/channel/itunes:image/@href", "https://example.org/cover.jpg");
	CHECK_X(&p, "/rss/channel/itunes:category/@text", "Health & Fitness");
	CHECK_X(&p, "/rss/channel/itunes:category/itunes:category/@text", "Mental Health");
	CHECK_X(&p, "/rss/channel/itunes:explicit", "false");
	CHECK_X(&p, "/rss/channel/itunes:type", "episodic");
	CHECK_X(&p, "/rss/channel/podcast:guid", "9b024349-ccf0-5f69-a609-6b82873eab3c");
	CHECK_X(&p, "/rss/channel/podcast:locked", "no");
	CHECK_X(&p, "/rss/channel/podcast:license", "CC-BY-NC-ND-4.0");
	CHECK_X(&p, "/rss/channel/podcast:medium", "podcast");
	CHECK_X(&p, "/rss/channel/image/url", "https://example.org/cover.jpg");
	CHECK_X(&p, "/rss/channel/image/link", "https://example.org");

	CHECK_X(&p, "//item/link", "https://example.org/stories/night/index.html");
	CHECK_X(&p, "//item/guid/@isPermaLink", "false");
	CHECK_X(&p, "//item/enclosure/@url", "https://example.org/media/night/night.mp3");
	CHECK_X(&p, "//item/enclosure/@length", "1234567");
	CHECK_X(&p, "//item/enclosure/@type", "audio/mpeg");
	CHECK_X(&p, "//item/itunes:duration", "126");
	CHECK_X(&p, "//item/itunes:season", "1");
	CHECK_X(&p, "//item/itunes:episode", "3");
	CHECK_X(&p, "//item/itunes:episodeType", "full");
	CHECK_X(&p, "//item/itunes:explicit", "false");
	CHECK_X(&p, "//item/itunes:author", "Sky");
	CHECK_X(&p, "//item/itunes:image/@href", "https://example.org/media/night/art-1.jpg");
	CHECK_X(&p, "//item/podcast:transcript/@url", "https://example.org/media/night/night.vtt");
	CHECK_X(&p, "//item/podcast:transcript/@type", "text/vtt");
	CHECK_X(&p, "//item/podcast:transcript/@language", "en");
	CHECK_X(&p, "//item/podcast:season", "1");
	CHECK_X(&p, "//item/podcast:episode", "3");
	CHECK(xcount(&p, "//item/podcast:chapters") == 0);
	parsed_free(&p);
	buf_release(&b);
}

static void warnings_lead_the_description(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	struct buf b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK_X(&p, "//item/description",
		"Content warning: self-harm, hospital. A summary with &quot;quotes&quot; &amp; "
		"&lt;b&gt;not html&lt;/b&gt;");
	parsed_free(&p);
	buf_reset(&b);

	it.warnings = NULL;
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK_X(&p, "//item/description",
		"A summary with &quot;quotes&quot; &amp; &lt;b&gt;not html&lt;/b&gt;");
	parsed_free(&p);
	buf_reset(&b);

	/* a warning is plain text too */
	static char w1[] = "<img src=x>";
	char *ws[] = {w1, NULL};
	it.warnings = ws;
	it.description = "&amp;";
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK_X(&p, "//item/description",
		"Content warning: &lt;img src=x&gt;. &amp;amp;");
	parsed_free(&p);
	buf_release(&b);
}

static void dates_are_rfc2822(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	struct buf b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK_X(&p, "//item/pubDate", "Fri, 10 May 2024 12:00:00 +0000");
	CHECK_X(&p, "/rss/channel/lastBuildDate", "Fri, 10 May 2024 12:00:00 +0000");
	parsed_free(&p);
	buf_reset(&b);

	ch.last_build = 0;
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(strstr(b.data, "lastBuildDate") == NULL);
	buf_release(&b);
}

static void same_input_same_bytes(void)
{
	struct feed_channel ch = channel();
	struct feed_item its[2] = {item(), item()};
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	its[1].guid = "6d1f3a8e-0000-4000-8000-000000000002";
	its[1].enclosure_url = "https://example.org/media/two/two.mp3";
	its[1].enclosure_length = 0;
	its[1].season = its[1].episode = 0;
	its[1].link = NULL;
	its[1].image_url = NULL;
	its[1].transcript_url = NULL;
	its[1].content_html = NULL;
	its[1].chapters_url = "https://example.org/media/two/chapters.json";
	CHECK_OK(feed_rss(&ch, its, 2, &a, &err), &err);
	CHECK_OK(feed_rss(&ch, its, 2, &b, &err), &err);
	CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);

	CHECK(parse(&a, &p) == 0);
	CHECK(xcount(&p, "//item") == 2);
	/* order kept, guids as given */
	CHECK_X(&p, "//item[1]/guid", "6d1f3a8e-0000-4000-8000-000000000001");
	CHECK_X(&p, "//item[2]/guid", "6d1f3a8e-0000-4000-8000-000000000002");
	CHECK_X(&p, "//item[2]/enclosure/@length", "0");
	CHECK(xcount(&p, "//item[2]/link") == 0);
	CHECK(xcount(&p, "//item[2]/itunes:season") == 0);
	CHECK(xcount(&p, "//item[2]/podcast:episode") == 0);
	CHECK(xcount(&p, "//item[2]/podcast:transcript") == 0);
	CHECK_X(&p, "//item[2]/podcast:chapters/@type", "application/json+chapters");
	parsed_free(&p);
	buf_release(&a);
	buf_release(&b);
}

static void long_description_is_cut_at_a_character(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	struct buf b = BUF_INIT, d = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	it.warnings = NULL;
	for (int i = 0; i < 3000; i++)
		buf_puts(&d, "\xc3\xa9"); /* é: 6000 bytes */
	it.description = d.data;
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	char *desc = xs(&p, "//item/description");
	CHECK(strlen(desc) <= 4000);
	CHECK(text_valid(desc, strlen(desc)));
	CHECK(str_ends(desc, "\xe2\x80\xa6"));
	free(desc);
	parsed_free(&p);
	buf_release(&b);
	buf_release(&d);
}

/* Cut at 4000 bytes of HTML text, the cut never splits an escape like &amp; */
static void long_description_is_cut_outside_escapes(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	struct buf b = BUF_INIT, d = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	it.warnings = NULL;
	for (int shift = 0; shift < 5; shift++) {
		buf_reset(&d);
		for (int i = 0; i < shift; i++)
			buf_putc(&d, 'x');
		for (int i = 0; i < 1500; i++)
			buf_putc(&d, '&'); /* 7500 bytes escaped */
		it.description = d.data;
		buf_reset(&b);
		CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
		CHECK(parse(&b, &p) == 0);
		char *desc = xs(&p, "//item/description");
		size_t n = strlen(desc);
		CHECK(n <= 4000 && str_ends(desc, "\xe2\x80\xa6"));
		CHECK(n >= 3 + 5 && !memcmp(desc + n - 3 - 5, "&amp;", 5));
		free(desc);
		parsed_free(&p);
	}
	buf_release(&b);
	buf_release(&d);
}

static void bad_input_is_refused(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	struct buf b = BUF_INIT;
	struct hearth_err err;

	it.enclosure_url = NULL;
	CHECK(feed_rss(&ch, &it, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "enclosure_url") != NULL);
	it = item();
	it.title = "bad \x01 control";
	CHECK(feed_rss(&ch, &it, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "title") != NULL);
	it = item();
	it.description = "broken \xff utf-8";
	CHECK(feed_rss(&ch, &it, 1, &b, &err) == HEARTH_EINVAL);
	ch.title = NULL;
	CHECK(feed_rss(&ch, NULL, 0, &b, &err) == HEARTH_EINVAL);
	CHECK(b.len == 0);
	buf_release(&b);
}

/* The M4A as podcast:alternateEnclosure, with a source child; left out without a URL. */
static void alternate_enclosure(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	struct buf b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	it.alternate_url = "https://example.org/media/night/night.m4a";
	it.alternate_type = "audio/mp4";
	it.alternate_codecs = "mp4a.40.2";
	it.alternate_length = 1500000;
	it.alternate_bitrate = 95541;
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK_X(&p, "/rss/channel/item/podcast:alternateEnclosure/@type", "audio/mp4");
	CHECK_X(&p, "/rss/channel/item/podcast:alternateEnclosure/@length", "1500000");
	CHECK_X(&p, "/rss/channel/item/podcast:alternateEnclosure/@bitrate", "95541");
	CHECK_X(&p, "/rss/channel/item/podcast:alternateEnclosure/@codecs", "mp4a.40.2");
	CHECK_X(&p, "/rss/channel/item/podcast:alternateEnclosure/podcast:source/@uri",
		"https://example.org/media/night/night.m4a");
	CHECK_X(&p, "/rss/channel/item/enclosure/@type", "audio/mpeg");
	parsed_free(&p);
	buf_reset(&b);

	it = item();
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(strstr(b.data, "alternateEnclosure") == NULL);
	buf_reset(&b);
	it.alternate_url = "https://example.org/media/night/night.m4a";
	CHECK(feed_rss(&ch, &it, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "alternate_type") != NULL);
	buf_release(&b);
}

static void empty_feed_is_valid(void)
{
	struct feed_channel ch = channel();
	struct buf b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	ch.image_url = NULL;
	ch.subcategory = NULL;
	ch.podcast_guid = NULL;
	CHECK_OK(feed_rss(&ch, NULL, 0, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK(xcount(&p, "//item") == 0);
	CHECK(xcount(&p, "/rss/channel/image") == 0);
	CHECK(xcount(&p, "/rss/channel/itunes:category/itunes:category") == 0);
	CHECK(xcount(&p, "/rss/channel/podcast:guid") == 0);
	parsed_free(&p);
	buf_release(&b);
}

int main(void)
{
	RUN(well_formed_and_escaped);
	RUN(required_elements);
	RUN(warnings_lead_the_description);
	RUN(dates_are_rfc2822);
	RUN(same_input_same_bytes);
	RUN(long_description_is_cut_at_a_character);
	RUN(long_description_is_cut_outside_escapes);
	RUN(bad_input_is_refused);
	RUN(alternate_enclosure);
	RUN(empty_feed_is_valid);
	xmlCleanupParser();
	return 0;
}
