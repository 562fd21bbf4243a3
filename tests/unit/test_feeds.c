/*
 * test_feeds.c - the feeds: the podcast RSS (well-formed, escaped, complete,
 * stable, with every Podcasting 2.0 tag the channel and items carry), the
 * Atom feed for readers, the OPML list, and the checks of the settings a
 * feed reads (Apple's categories, BCP 47 tags, SPDX licences, the channel's
 * required fields).
 */
#include "../../core/core.h"
#include "../../feeds/feeds.h"
#include "../../feeds/tables.h"
#include "../../feeds/writer.h"
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
		.owner_name = "The Hearth editors",
		.owner_email = "editors@example.org",
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
	its[1].enclosure_length = 1;
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
	CHECK_X(&p, "//item[2]/enclosure/@length", "1");
	CHECK(xcount(&p, "//item[2]/link") == 0);
	CHECK(xcount(&p, "//item[2]/itunes:season") == 0);
	CHECK(xcount(&p, "//item[2]/podcast:episode") == 0);
	CHECK(xcount(&p, "//item[2]/podcast:transcript") == 0);
	CHECK_X(&p, "//item[2]/podcast:chapters/@type", "application/json+chapters");
	parsed_free(&p);
	buf_release(&a);
	buf_release(&b);
}

/*
 * A description past Apple's 4000 bytes (as HTML, warnings included) is an
 * error naming the item and the field; it is never cut. Exactly 4000 passes.
 */
static void long_description_is_refused(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	struct buf b = BUF_INIT, d = BUF_INIT;
	struct hearth_err err;

	it.warnings = NULL;
	for (int i = 0; i < 2000; i++)
		buf_puts(&d, "\xc3\xa9"); /* é: 4000 bytes */
	it.description = d.data;
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	buf_reset(&b);
	buf_putc(&d, 'x');
	it.description = d.data;
	CHECK(feed_rss(&ch, &it, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(b.len == 0);
	CHECK(strstr(err.msg, "Night <shift>") && strstr(err.msg, "'description'") &&
	      strstr(err.msg, "4000"));

	/* the escapes count: 800 '&' are 4000 bytes as HTML, the warnings too */
	buf_reset(&d);
	for (int i = 0; i < 800; i++)
		buf_putc(&d, '&');
	it.description = d.data;
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	buf_reset(&b);
	it = item();
	it.warnings = warn_v;
	it.description = d.data;
	CHECK(feed_rss(&ch, &it, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "'description'") != NULL);
	CHECK(b.len == 0);
	buf_release(&b);
	buf_release(&d);
}

/* A story without its audio's size, or without audio, is named with the field. */
static void missing_enclosure_is_refused(void)
{
	struct feed_channel ch = channel();
	struct feed_item its[2] = {item(), item()};
	struct buf b = BUF_INIT;
	struct hearth_err err;

	its[1].title = "Second";
	its[1].guid = "6d1f3a8e-0000-4000-8000-000000000002";
	its[1].enclosure_length = 0;
	CHECK(feed_rss(&ch, its, 2, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "'Second'") && strstr(err.msg, "enclosure_length"));
	its[1].enclosure_length = 10;
	its[1].enclosure_url = NULL;
	CHECK(feed_rss(&ch, its, 2, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "'Second'") && strstr(err.msg, "enclosure_url"));
	/* named by GUID when the title is no help */
	its[1].enclosure_url = "https://example.org/a.mp3";
	its[1].enclosure_type = NULL;
	its[1].title = "bad \x01";
	CHECK(feed_rss(&ch, its, 2, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "6d1f3a8e-0000-4000-8000-000000000002") != NULL);
	CHECK(b.len == 0);
	buf_release(&b);
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
	/* the MP3 first, marked default, then the M4A */
	CHECK(xcount(&p, "//item/podcast:alternateEnclosure") == 2);
	CHECK_X(&p, "//item/podcast:alternateEnclosure[1]/@type", "audio/mpeg");
	CHECK_X(&p, "//item/podcast:alternateEnclosure[1]/@default", "true");
	CHECK_X(&p, "//item/podcast:alternateEnclosure[1]/@length", "1234567");
	CHECK_X(&p, "//item/podcast:alternateEnclosure[1]/podcast:source/@uri",
		"https://example.org/media/night/night.mp3");
	CHECK_X(&p, "//item/podcast:alternateEnclosure[2]/@type", "audio/mp4");
	CHECK(xcount(&p, "//item/podcast:alternateEnclosure[2]/@default") == 0);
	CHECK_X(&p, "//item/podcast:alternateEnclosure[2]/@length", "1500000");
	CHECK_X(&p, "//item/podcast:alternateEnclosure[2]/@bitrate", "95541");
	CHECK_X(&p, "//item/podcast:alternateEnclosure[2]/@codecs", "mp4a.40.2");
	CHECK_X(&p, "//item/podcast:alternateEnclosure[2]/podcast:source/@uri",
		"https://example.org/media/night/night.m4a");
	CHECK_X(&p, "/rss/channel/item/enclosure/@type", "audio/mpeg");
	parsed_free(&p);
	buf_reset(&b);

	/* without an M4A the MP3 alone, with its bit rate when known */
	it = item();
	it.enclosure_bitrate = 96000;
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK(xcount(&p, "//item/podcast:alternateEnclosure") == 1);
	CHECK_X(&p, "//item/podcast:alternateEnclosure/@default", "true");
	CHECK_X(&p, "//item/podcast:alternateEnclosure/@bitrate", "96000");
	parsed_free(&p);
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

/* Every Podcasting 2.0 and itunes tag the channel carries, from its record. */
static void channel_tags(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	const struct feed_person people[] = {
		{.name = "Sam Rivera", .role = "host", .group = "cast",
		 .href = "https://example.org/sam", .img = "https://example.org/sam.jpg"},
		{.name = "Ada & Co"},
	};
	const struct feed_txt txt[] = {
		{.purpose = "applepodcastsverify", .value = "abc-123"},
		{.value = "free text"},
	};
	const char *hubs[] = {"https://hub.example.net/", "http://127.0.0.1:8000/hub"};
	struct buf b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	ch.locked = true;
	ch.persons = people;
	ch.n_persons = 2;
	ch.funding_url = "https://example.org/support";
	ch.funding_label = "Support the library";
	ch.txt = txt;
	ch.n_txt = 2;
	ch.social_interact_disabled = true;
	ch.update_frequency = "Every Monday";
	ch.update_rrule = "FREQ=WEEKLY;BYDAY=MO";
	ch.complete = true;
	ch.new_feed_url = "https://new.example.org/feed.xml";
	ch.type_serial = true;
	ch.medium = "music";
	ch.license = "Our licence";
	ch.license_url = "https://example.org/licence";
	ch.hubs = hubs;
	ch.n_hubs = 2;
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK_X(&p, "/rss/channel/itunes:owner/itunes:name", "The Hearth editors");
	CHECK_X(&p, "/rss/channel/itunes:owner/itunes:email", "editors@example.org");
	CHECK_X(&p, "/rss/channel/podcast:locked", "yes");
	CHECK_X(&p, "/rss/channel/podcast:locked/@owner", "editors@example.org");
	CHECK(xcount(&p, "/rss/channel/podcast:person") == 2);
	CHECK_X(&p, "/rss/channel/podcast:person[1]", "Sam Rivera");
	CHECK_X(&p, "/rss/channel/podcast:person[1]/@role", "host");
	CHECK_X(&p, "/rss/channel/podcast:person[1]/@group", "cast");
	CHECK_X(&p, "/rss/channel/podcast:person[1]/@href", "https://example.org/sam");
	CHECK_X(&p, "/rss/channel/podcast:person[1]/@img", "https://example.org/sam.jpg");
	CHECK_X(&p, "/rss/channel/podcast:person[2]", "Ada & Co");
	CHECK(xcount(&p, "/rss/channel/podcast:person[2]/@role") == 0);
	CHECK_X(&p, "/rss/channel/podcast:funding/@url", "https://example.org/support");
	CHECK_X(&p, "/rss/channel/podcast:funding", "Support the library");
	CHECK_X(&p, "/rss/channel/podcast:txt[1]/@purpose", "applepodcastsverify");
	CHECK_X(&p, "/rss/channel/podcast:txt[1]", "abc-123");
	CHECK(xcount(&p, "/rss/channel/podcast:txt[2]/@purpose") == 0);
	CHECK_X(&p, "/rss/channel/podcast:socialInteract/@protocol", "disabled");
	CHECK(xcount(&p, "/rss/channel/podcast:socialInteract/@*") == 1);
	CHECK_X(&p, "/rss/channel/podcast:updateFrequency", "Every Monday");
	CHECK_X(&p, "/rss/channel/podcast:updateFrequency/@rrule", "FREQ=WEEKLY;BYDAY=MO");
	CHECK_X(&p, "/rss/channel/podcast:updateFrequency/@complete", "true");
	CHECK_X(&p, "/rss/channel/itunes:complete", "Yes");
	CHECK_X(&p, "/rss/channel/itunes:new-feed-url", "https://new.example.org/feed.xml");
	CHECK_X(&p, "/rss/channel/itunes:type", "serial");
	CHECK_X(&p, "/rss/channel/podcast:medium", "music");
	CHECK_X(&p, "/rss/channel/podcast:license", "Our licence");
	CHECK_X(&p, "/rss/channel/podcast:license/@url", "https://example.org/licence");
	CHECK(xcount(&p, "/rss/channel/atom:link[@rel='hub']") == 2);
	CHECK_X(&p, "/rss/channel/atom:link[@rel='hub'][2]/@href", "http://127.0.0.1:8000/hub");
	CHECK(xcount(&p, "//atom:link[@rel='prev-archive']") == 0);
	CHECK(strstr(b.data, "xmlns:fh") == NULL);
	parsed_free(&p);
	buf_reset(&b);

	/* the defaults: unlocked, no owner attribute, episodic, podcast, nothing optional */
	ch = channel();
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK_X(&p, "/rss/channel/podcast:locked", "no");
	CHECK(xcount(&p, "/rss/channel/podcast:locked/@owner") == 0);
	CHECK(xcount(&p, "/rss/channel/podcast:license/@url") == 0);
	CHECK(xcount(&p, "/rss/channel/podcast:person") == 0);
	CHECK(xcount(&p, "/rss/channel/podcast:funding") == 0);
	CHECK(xcount(&p, "/rss/channel/podcast:socialInteract") == 0);
	CHECK(xcount(&p, "/rss/channel/podcast:updateFrequency") == 0);
	CHECK(xcount(&p, "/rss/channel/itunes:complete") == 0);
	CHECK(xcount(&p, "/rss/channel/itunes:new-feed-url") == 0);
	CHECK(xcount(&p, "/rss/channel/atom:link[@rel='hub']") == 0);
	parsed_free(&p);
	buf_release(&b);
}

/* RFC 5005: the current feed links to its newest archive; an archive back. */
static void archive_links(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	struct buf b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	ch.archive.prev_archive_url = "https://example.org/feed-archive-2.xml";
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK_X(&p, "/rss/channel/atom:link[@rel='prev-archive']/@href",
		"https://example.org/feed-archive-2.xml");
	CHECK(xcount(&p, "//atom:link[@rel='current']") == 0);
	CHECK(strstr(b.data, "fh:archive") == NULL);
	parsed_free(&p);
	buf_reset(&b);

	ch.feed_url = "https://example.org/feed-archive-2.xml";
	ch.archive.is_archive = true;
	ch.archive.current_url = "https://example.org/feed.xml";
	ch.archive.prev_archive_url = "https://example.org/feed-archive-1.xml";
	ch.archive.next_archive_url = "https://example.org/feed-archive-3.xml";
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	xmlXPathRegisterNs(p.xp, BAD_CAST "fh", BAD_CAST "http://purl.org/syndication/history/1.0");
	CHECK(xcount(&p, "/rss/channel/fh:archive") == 1);
	CHECK_X(&p, "/rss/channel/atom:link[@rel='current']/@href", "https://example.org/feed.xml");
	CHECK_X(&p, "/rss/channel/atom:link[@rel='prev-archive']/@href",
		"https://example.org/feed-archive-1.xml");
	CHECK_X(&p, "/rss/channel/atom:link[@rel='next-archive']/@href",
		"https://example.org/feed-archive-3.xml");
	parsed_free(&p);
	buf_release(&b);
}

/* An item's persons (the public byline) and its transcript's language. */
static void item_tags(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	const struct feed_person by[] = {{.name = "Sky", .role = "author", .group = "writing"}};
	struct buf b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	it.persons = by;
	it.n_persons = 1;
	it.transcript_language = "en-GB";
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK(xcount(&p, "//item/podcast:person") == 1);
	CHECK_X(&p, "//item/podcast:person", "Sky");
	CHECK_X(&p, "//item/podcast:person/@role", "author");
	CHECK_X(&p, "//item/podcast:person/@group", "writing");
	CHECK_X(&p, "//item/podcast:transcript/@rel", "captions");
	CHECK_X(&p, "//item/podcast:transcript/@language", "en-GB");
	parsed_free(&p);
	buf_reset(&b);

	/* an anonymous story: no persons at all */
	it = item();
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK(xcount(&p, "//podcast:person") == 0);
	CHECK_X(&p, "//item/podcast:transcript/@language", "en");
	parsed_free(&p);
	buf_reset(&b);

	const struct feed_person nameless[] = {{.name = ""}};
	it.persons = nameless;
	it.n_persons = 1;
	CHECK(feed_rss(&ch, &it, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "persons") != NULL);
	buf_release(&b);
}

/* A serial show numbers every episode; an episodic one need not. */
static void serial_needs_episode_numbers(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	struct buf b = BUF_INIT;
	struct hearth_err err;

	ch.type_serial = true;
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(strstr(b.data, "<itunes:episode>3</itunes:episode>") != NULL);
	buf_reset(&b);
	it.episode = 0;
	CHECK(feed_rss(&ch, &it, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "'episode'") && strstr(err.msg, "Night <shift>"));
	ch.type_serial = false;
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	buf_release(&b);
}

/* What a directory needs of a show with episodes, each error naming the setting. */
static void channel_requirements(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	struct buf b = BUF_INIT;
	struct hearth_err err;

	ch.image_url = NULL;
	CHECK(feed_rss(&ch, &it, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.image") != NULL);
	CHECK(b.len == 0);
	CHECK_OK(feed_check_channel(&ch, 0, &err), &err); /* no episodes: no image needed */

	ch = channel();
	ch.owner_email = NULL;
	CHECK(feed_check_channel(&ch, 1, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.owner.email") != NULL);
	CHECK_OK(feed_check_channel(&ch, 0, &err), &err);
	const char *bad_mail[] = {"editors", "@example.org", "a@b", "a b@example.org",
				  "a@example..org", "a@@example.org", "a@.example.org"};
	for (size_t i = 0; i < sizeof bad_mail / sizeof bad_mail[0]; i++) {
		ch.owner_email = bad_mail[i];
		CHECK(feed_check_channel(&ch, 1, &err) == HEARTH_EINVAL);
		CHECK(strstr(err.msg, "podcast.owner.email") != NULL);
	}
	ch.owner_email = "first.last+podcast@mail.example.org";
	CHECK_OK(feed_check_channel(&ch, 1, &err), &err);

	ch = channel();
	const char *bad_base[] = {"example.org", "ftp://example.org", "https://", "/feed",
				  "https://exa mple.org"};
	for (size_t i = 0; i < sizeof bad_base / sizeof bad_base[0]; i++) {
		ch.link = bad_base[i];
		CHECK(feed_check_channel(&ch, 1, &err) == HEARTH_EINVAL);
		CHECK(strstr(err.msg, "base_url") != NULL);
	}
	ch = channel();
	ch.feed_url = "feed.xml";
	CHECK(feed_check_channel(&ch, 1, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "base_url") != NULL);

	/* the settings' own checks run for the whole channel */
	ch = channel();
	ch.language = "english";
	CHECK(feed_rss(&ch, &it, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "language") != NULL);
	ch = channel();
	ch.category = "Health";
	CHECK(feed_rss(&ch, &it, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.category") != NULL);
	ch = channel();
	ch.category = NULL;
	CHECK(feed_check_channel(&ch, 1, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.category") != NULL);
	ch = channel();
	ch.license = "whatever";
	CHECK(feed_rss(&ch, &it, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.license") != NULL);
	ch = channel();
	ch.medium = "video";
	CHECK(feed_check_channel(&ch, 1, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "medium") != NULL);
	ch = channel();
	ch.funding_label = "Give";
	CHECK(feed_check_channel(&ch, 1, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.funding.url") != NULL);
	ch = channel();
	const char *hub[] = {"not a url"};
	ch.hubs = hub;
	ch.n_hubs = 1;
	CHECK(feed_check_channel(&ch, 1, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "notify.hubs") != NULL);
	ch = channel();
	const struct feed_txt long_txt[] = {{.value = ""}};
	ch.txt = long_txt;
	ch.n_txt = 1;
	CHECK(feed_check_channel(&ch, 1, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.txt") != NULL);
	ch = channel();
	const struct feed_person p[] = {{.name = "Sam", .href = "javascript:alert(1)"}};
	ch.persons = p;
	ch.n_persons = 1;
	CHECK(feed_check_channel(&ch, 1, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.people") != NULL);
	CHECK(b.len == 0);
	buf_release(&b);
}

static void categories_are_apples(void)
{
	struct hearth_err err;

	CHECK_OK(feed_check_category("Health & Fitness", "Mental Health", &err), &err);
	CHECK_OK(feed_check_category("Fiction", "Drama", &err), &err);
	CHECK_OK(feed_check_category("Kids & Family", "Stories for Kids", &err), &err);
	CHECK_OK(feed_check_category("True Crime", NULL, &err), &err);
	CHECK_OK(feed_check_category("TV & Film", "", &err), &err);
	CHECK_OK(feed_check_category("Arts", "Books", &err), &err);

	CHECK(feed_check_category("Health", NULL, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.category: 'Health' is not one of Apple's categories"));
	CHECK(strstr(err.msg, "Arts, Business, Comedy") && strstr(err.msg, "TV & Film"));
	CHECK(feed_check_category("health & fitness", NULL, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "case-sensitive") && strstr(err.msg, "'Health & Fitness'"));
	CHECK(feed_check_category(NULL, NULL, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.category") != NULL);

	CHECK(feed_check_category("Health & Fitness", "Therapy", &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.subcategory: 'Therapy'") != NULL);
	CHECK(strstr(err.msg, "Alternative Health, Fitness, Medicine, Mental Health, "
			      "Nutrition, Sexuality") != NULL);
	/* a subcategory of another category is not this one's */
	CHECK(feed_check_category("Health & Fitness", "Drama", &err) == HEARTH_EINVAL);
	CHECK(feed_check_category("Health & Fitness", "mental health", &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "'Mental Health'") != NULL);
	CHECK(feed_check_category("History", "Ancient", &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "no subcategories") != NULL);
}

static void languages_are_bcp47(void)
{
	struct hearth_err err;
	const char *good[] = {"en", "fr-CA", "pt-BR", "zh-Hant-TW", "EN-gb", "de-DE-1996",
			      "es-419", "yue", "sr-Latn", "zh-yue-HK", "en-US-x-twain",
			      "sl-rozaj-biske", "en-a-bbb-x-a-ccc", "ast"};
	const char *bad[] = {"english", "en-", "", "-en", "xx", "eng", "fre", "en--US",
			     "en_US", "e", "en-US-", "x-private", "en-toolongsubtag",
			     "en-a", "en-US-a-", "qaa-qtz", "fr CA", "en-x"};

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int rc = feed_check_language(good[i], &err);
		if (rc)
			printf("  '%s' refused: %s\n", good[i], err.msg);
		CHECK(rc == 0);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = feed_check_language(bad[i], &err);
		if (!rc)
			printf("  '%s' passed\n", bad[i]);
		CHECK(rc == HEARTH_EINVAL);
		CHECK(str_starts(err.msg, "language: "));
	}
	CHECK(feed_check_language(NULL, &err) == HEARTH_EINVAL);
	CHECK(feed_check_language("english", &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "'english'") != NULL);
}

static void licenses_are_spdx(void)
{
	struct hearth_err err;

	CHECK_OK(feed_check_license("CC-BY-NC-ND-4.0", NULL, &err), &err);
	CHECK_OK(feed_check_license("CC0-1.0", NULL, &err), &err);
	CHECK_OK(feed_check_license("MIT", NULL, &err), &err);
	CHECK_OK(feed_check_license("GPL-2.0", NULL, &err), &err); /* deprecated, still listed */
	CHECK_OK(feed_check_license(NULL, NULL, &err), &err);
	CHECK_OK(feed_check_license("", NULL, &err), &err);
	CHECK(feed_license_known("CC-BY-4.0"));
	CHECK(!feed_license_known("cc-by-4.0"));
	CHECK(!feed_license_known("whatever"));

	CHECK(feed_check_license("whatever", NULL, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.license: 'whatever' is not an SPDX") &&
	      strstr(err.msg, "podcast.license_url"));
	CHECK(feed_check_license("cc-by-4.0", NULL, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "'CC-BY-4.0'") != NULL);
	/* a licence of one's own, with its https address */
	CHECK_OK(feed_check_license("Our licence", "https://example.org/licence", &err), &err);
	CHECK(feed_check_license("Our licence", "http://example.org/licence", &err) ==
	      HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.license_url") != NULL);
	CHECK(feed_check_license(NULL, "https://example.org/licence", &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "podcast.license") != NULL);
}

/* ---- Atom ---------------------------------------------------------------- */

static struct feed_atom_feed atom_feed(void)
{
	static const char *hubs[] = {"https://hub.example.net/"};
	struct feed_atom_feed f = {
		.id = "urn:uuid:9b024349-ccf0-5f69-a609-6b82873eab3c",
		.title = "Hearth & Home",
		.subtitle = "Peer stories <all kinds>",
		.link = "https://example.org/",
		.feed_url = "https://example.org/atom.xml",
		.author = "The Hearth editors",
		.language = "en",
		.icon_url = "https://example.org/cover.jpg",
		.rights = "CC-BY-NC-ND-4.0",
		.hubs = hubs,
		.n_hubs = 1,
	};
	return f;
}

static struct feed_atom_entry atom_entry(void)
{
	struct feed_atom_entry e = {
		.guid = "6D1F3A8E-0000-4000-8000-000000000001",
		.title = "Night <shift>",
		.link = "https://example.org/stories/night/",
		.author = "Sky",
		.published = 1715342400,
		.summary = "A summary & <b>more</b>",
		.warnings = warn_v,
		.content_html = "<p>The story ]]> text</p>",
		.enclosure_url = "https://example.org/media/night/night.mp3",
		.enclosure_type = "audio/mpeg",
		.enclosure_length = 1234567,
	};
	return e;
}

static int parse_atom(const struct buf *b, struct parsed *p)
{
	p->doc = xmlReadMemory(b->data, (int)b->len, "atom.xml", NULL, XML_PARSE_NONET);
	if (!p->doc)
		return -1;
	p->xp = xmlXPathNewContext(p->doc);
	xmlXPathRegisterNs(p->xp, BAD_CAST "a", BAD_CAST "http://www.w3.org/2005/Atom");
	xmlXPathRegisterNs(p->xp, BAD_CAST "fh",
			   BAD_CAST "http://purl.org/syndication/history/1.0");
	return 0;
}

static void atom_feed_for_readers(void)
{
	struct feed_atom_feed f = atom_feed();
	struct feed_atom_entry e[3] = {atom_entry(), atom_entry(), atom_entry()};
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	/* a text story: no audio, no warnings, updated after it was published */
	e[1].guid = "6d1f3a8e-0000-4000-8000-000000000002";
	e[1].title = "Words only";
	e[1].author = NULL;
	e[1].warnings = NULL;
	e[1].enclosure_url = NULL;
	e[1].published = 1715000000;
	e[1].updated = 1716000000;
	/* no site consent: no content, the page only */
	e[2].guid = "old-slug";
	e[2].content_html = NULL;
	e[2].summary = NULL;
	e[2].warnings = NULL;
	CHECK_OK(feed_atom(&f, e, 3, &a, &err), &err);
	CHECK_OK(feed_atom(&f, e, 3, &b, &err), &err);
	CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
	CHECK(str_starts(a.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed"));
	CHECK(parse_atom(&a, &p) == 0);
	CHECK_X(&p, "/a:feed/a:id", "urn:uuid:9b024349-ccf0-5f69-a609-6b82873eab3c");
	CHECK_X(&p, "/a:feed/@xml:lang", "en");
	CHECK_X(&p, "/a:feed/a:title", "Hearth & Home");
	CHECK_X(&p, "/a:feed/a:subtitle", "Peer stories <all kinds>");
	CHECK_X(&p, "/a:feed/a:updated", "2024-05-18T02:40:00Z"); /* the newest entry */
	CHECK_X(&p, "/a:feed/a:author/a:name", "The Hearth editors");
	CHECK_X(&p, "/a:feed/a:link[@rel='self']/@href", "https://example.org/atom.xml");
	CHECK_X(&p, "/a:feed/a:link[@rel='alternate']/@href", "https://example.org/");
	CHECK_X(&p, "/a:feed/a:link[@rel='hub']/@href", "https://hub.example.net/");
	CHECK_X(&p, "/a:feed/a:logo", "https://example.org/cover.jpg");
	CHECK_X(&p, "/a:feed/a:rights", "CC-BY-NC-ND-4.0");
	CHECK(xcount(&p, "//a:entry") == 3);
	CHECK_X(&p, "//a:entry[1]/a:id", "urn:uuid:6d1f3a8e-0000-4000-8000-000000000001");
	CHECK_X(&p, "//a:entry[1]/a:title", "Night <shift>");
	CHECK_X(&p, "//a:entry[1]/a:published", "2024-05-10T12:00:00Z");
	CHECK_X(&p, "//a:entry[1]/a:updated", "2024-05-10T12:00:00Z");
	CHECK_X(&p, "//a:entry[1]/a:author/a:name", "Sky");
	CHECK_X(&p, "//a:entry[1]/a:summary",
		"Content warning: self-harm, hospital. A summary & <b>more</b>");
	CHECK_X(&p, "//a:entry[1]/a:content/@type", "html");
	CHECK_X(&p, "//a:entry[1]/a:content", "<p>The story ]]> text</p>");
	CHECK_X(&p, "//a:entry[1]/a:link[@rel='alternate']/@href",
		"https://example.org/stories/night/");
	CHECK_X(&p, "//a:entry[1]/a:link[@rel='enclosure']/@href",
		"https://example.org/media/night/night.mp3");
	CHECK_X(&p, "//a:entry[1]/a:link[@rel='enclosure']/@length", "1234567");
	CHECK_X(&p, "//a:entry[1]/a:link[@rel='enclosure']/@type", "audio/mpeg");
	CHECK(xcount(&p, "//a:entry[2]/a:author") == 0); /* the feed's author stands */
	CHECK(xcount(&p, "//a:entry[2]/a:link[@rel='enclosure']") == 0);
	CHECK_X(&p, "//a:entry[2]/a:updated", "2024-05-18T02:40:00Z");
	CHECK_X(&p, "//a:entry[2]/a:summary", "A summary & <b>more</b>");
	/* a GUID that is not a UUID still gives a stable urn:uuid */
	char *id3 = xs(&p, "//a:entry[3]/a:id");
	bool uuid_shaped = str_starts(id3, "urn:uuid:") && strlen(id3) == 45;
	free(id3);
	CHECK(uuid_shaped);
	CHECK(xcount(&p, "//a:entry[3]/a:content") == 0);
	CHECK(xcount(&p, "//a:entry[3]/a:summary") == 0);
	parsed_free(&p);
	buf_reset(&a);

	/* an archive document of the Atom feed */
	f.archive.is_archive = true;
	f.archive.current_url = "https://example.org/atom.xml";
	f.archive.next_archive_url = "https://example.org/atom-archive-2.xml";
	f.updated = 1700000000;
	CHECK_OK(feed_atom(&f, e, 1, &a, &err), &err);
	CHECK(parse_atom(&a, &p) == 0);
	CHECK(xcount(&p, "/a:feed/fh:archive") == 1);
	CHECK_X(&p, "/a:feed/a:updated", "2023-11-14T22:13:20Z");
	CHECK_X(&p, "/a:feed/a:link[@rel='current']/@href", "https://example.org/atom.xml");
	CHECK_X(&p, "/a:feed/a:link[@rel='next-archive']/@href",
		"https://example.org/atom-archive-2.xml");
	parsed_free(&p);
	buf_release(&a);
	buf_release(&b);
}

static void atom_bad_input_is_refused(void)
{
	struct feed_atom_feed f = atom_feed();
	struct feed_atom_entry e = atom_entry();
	struct buf b = BUF_INIT;
	struct hearth_err err;

	e.link = NULL;
	e.content_html = NULL;
	CHECK(feed_atom(&f, &e, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "Night <shift>") && strstr(err.msg, "link"));
	e = atom_entry();
	e.published = 0;
	CHECK(feed_atom(&f, &e, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "published") != NULL);
	e = atom_entry();
	e.enclosure_length = 0;
	CHECK(feed_atom(&f, &e, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "enclosure_length") != NULL);
	e = atom_entry();
	e.summary = "bad \xff";
	CHECK(feed_atom(&f, &e, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "summary") != NULL);
	e = atom_entry();
	f.author = NULL;
	CHECK(feed_atom(&f, &e, 1, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "author") != NULL);
	CHECK(b.len == 0);
	/* one GUID twice (a UUID's case does not make it another) */
	f = atom_feed();
	struct feed_atom_entry two[2] = {atom_entry(), atom_entry()};
	two[1].title = "Again";
	two[1].guid = "6d1f3a8e-0000-4000-8000-000000000001";
	CHECK(feed_atom(&f, two, 2, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "'Night <shift>'") && strstr(err.msg, "'Again'"));
	CHECK(b.len == 0);
	/* no entries is a valid feed */
	f = atom_feed();
	CHECK_OK(feed_atom(&f, NULL, 0, &b, &err), &err);
	CHECK(strstr(b.data, "<updated>1970-01-01T00:00:00Z</updated>") != NULL);
	buf_release(&b);
}

/* ---- OPML ---------------------------------------------------------------- */

static void opml_lists_every_feed(void)
{
	const struct feed_outline o[] = {
		{.text = "Hearth & Home", .type = "rss", .xml_url = "https://example.org/feed.xml",
		 .html_url = "https://example.org/"},
		{.text = "Night shifts", .title = "Night shifts (a series)", .type = "rss",
		 .xml_url = "https://example.org/collections/night/feed.xml",
		 .html_url = "https://example.org/collections/night/"},
		{.text = "Every story", .type = "atom", .xml_url = "https://example.org/atom.xml"},
	};
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	CHECK_OK(feed_opml("Hearth <feeds>", o, 3, &a, &err), &err);
	CHECK_OK(feed_opml("Hearth <feeds>", o, 3, &b, &err), &err);
	CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
	CHECK(parse(&a, &p) == 0);
	CHECK_X(&p, "/opml/@version", "2.0");
	CHECK_X(&p, "/opml/head/title", "Hearth <feeds>");
	CHECK(xcount(&p, "/opml/body/outline") == 3);
	CHECK_X(&p, "/opml/body/outline[1]/@text", "Hearth & Home");
	CHECK_X(&p, "/opml/body/outline[1]/@title", "Hearth & Home");
	CHECK_X(&p, "/opml/body/outline[1]/@type", "rss");
	CHECK_X(&p, "/opml/body/outline[1]/@xmlUrl", "https://example.org/feed.xml");
	CHECK_X(&p, "/opml/body/outline[1]/@htmlUrl", "https://example.org/");
	CHECK_X(&p, "/opml/body/outline[2]/@title", "Night shifts (a series)");
	CHECK_X(&p, "/opml/body/outline[3]/@type", "atom");
	CHECK(xcount(&p, "/opml/body/outline[3]/@htmlUrl") == 0);
	parsed_free(&p);
	buf_reset(&a);

	struct feed_outline bad = o[0];
	bad.type = "json";
	CHECK(feed_opml("x", &bad, 1, &a, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "'type'") != NULL);
	bad = o[0];
	bad.xml_url = NULL;
	CHECK(feed_opml("x", &bad, 1, &a, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "xml_url") != NULL);
	CHECK(feed_opml(NULL, o, 1, &a, &err) == HEARTH_EINVAL);
	CHECK(a.len == 0);
	buf_release(&a);
	buf_release(&b);
}

/* Every tag at once, twice: the same bytes. */
static void full_feed_same_bytes(void)
{
	struct feed_channel ch = channel();
	struct feed_item its[2] = {item(), item()};
	const struct feed_person people[] = {{.name = "Sam", .role = "host"}};
	const struct feed_txt txt[] = {{.purpose = "verify", .value = "x"}};
	const char *hubs[] = {"https://hub.example.net/"};
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct hearth_err err;

	ch.locked = true;
	ch.persons = people;
	ch.n_persons = 1;
	ch.txt = txt;
	ch.n_txt = 1;
	ch.hubs = hubs;
	ch.n_hubs = 1;
	ch.social_interact_disabled = true;
	ch.archive.prev_archive_url = "https://example.org/feed-archive-1.xml";
	its[1].guid = "6d1f3a8e-0000-4000-8000-000000000002";
	its[1].persons = people;
	its[1].n_persons = 1;
	CHECK_OK(feed_rss(&ch, its, 2, &a, &err), &err);
	CHECK_OK(feed_rss(&ch, its, 2, &b, &err), &err);
	CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
	buf_release(&a);
	buf_release(&b);
}

/* Quotes, white space and markup characters in text and attributes come back as given. */
static void text_and_attributes_round_trip(void)
{
	struct feed_channel ch = channel();
	struct feed_item it = item();
	const struct feed_txt txt[] = {{.purpose = "a \"b\" 'c'\n\td & <e>", .value = "x\r\ny"}};
	struct buf b = BUF_INIT;
	struct hearth_err err;
	struct parsed p;

	ch.txt = txt;
	ch.n_txt = 1;
	it.title = "line\r\nbreak\tand ]]> & \"q\"";
	CHECK_OK(feed_rss(&ch, &it, 1, &b, &err), &err);
	CHECK(parse(&b, &p) == 0);
	CHECK_X(&p, "/rss/channel/podcast:txt/@purpose", "a \"b\" 'c'\n\td & <e>");
	CHECK_X(&p, "/rss/channel/podcast:txt", "x\r\ny");
	CHECK_X(&p, "//item/title", "line\r\nbreak\tand ]]> & \"q\"");
	parsed_free(&p);
	buf_release(&b);
}

/* The generated tables are sorted for bsearch() and hold what they should. */
static void tables_are_sorted(void)
{
	for (size_t i = 1; i < feed_n_spdx; i++)
		CHECK(strcmp(feed_spdx[i - 1], feed_spdx[i]) < 0);
	for (size_t i = 1; i < feed_n_spdx_deprecated; i++)
		CHECK(strcmp(feed_spdx_deprecated[i - 1], feed_spdx_deprecated[i]) < 0);
	for (size_t i = 1; i < feed_n_iso639; i++)
		CHECK(strcmp(feed_iso639[i - 1], feed_iso639[i]) < 0);
	CHECK(feed_n_spdx > 500 && feed_n_iso639 > 7000);
	/* every ISO 639-1 code is there, and its three-letter twin is not */
	CHECK(feed_license_known("CC-BY-SA-4.0") && feed_license_known("Apache-2.0"));
	struct hearth_err err;
	CHECK_OK(feed_check_language("de", &err), &err);
	CHECK(feed_check_language("deu", &err) == HEARTH_EINVAL);
}

/* Two items with one GUID, or an address that is not http(s), are refused. */
static void guids_unique_and_urls_absolute(void)
{
	struct feed_channel ch = channel();
	struct feed_item its[3] = {item(), item(), item()};
	struct buf b = BUF_INIT;
	struct hearth_err err;

	its[0].title = "First";
	its[1].title = "Second";
	its[1].guid = "6d1f3a8e-0000-4000-8000-000000000002";
	its[2].title = "Third";
	CHECK(feed_rss(&ch, its, 3, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "'First'") && strstr(err.msg, "'Third'") &&
	      strstr(err.msg, "'guid'"));
	CHECK(b.len == 0);
	its[2].guid = "6d1f3a8e-0000-4000-8000-000000000003";
	CHECK_OK(feed_rss(&ch, its, 3, &b, &err), &err);
	buf_reset(&b);
	its[1].enclosure_url = "media/two.mp3";
	CHECK(feed_rss(&ch, its, 3, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "'Second'") && strstr(err.msg, "enclosure_url"));
	its[1] = item();
	its[1].guid = "6d1f3a8e-0000-4000-8000-000000000002";
	its[1].transcript_url = "javascript:alert(1)";
	CHECK(feed_rss(&ch, its, 3, &b, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "transcript_url") != NULL);
	CHECK(b.len == 0);
	buf_release(&b);
}

/* The writer's own guard: bad text or an unclosed element takes the document back. */
static void writer_fails_whole(void)
{
	struct buf b = BUF_INIT;
	struct hearth_err err;
	struct fw w;

	buf_puts(&b, "before");
	CHECK_OK(fw_open(&w, &b, &err), &err);
	fw_start(&w, "a");
	fw_attr(&w, "x", "1 \"2\"");
	fw_elem(&w, "b", "");
	fw_elem(&w, "c", "t < u");
	fw_end(&w);
	CHECK_OK(fw_close(&w, false, &err), &err);
	CHECK_STR(b.data, "before<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			  "<a x=\"1 &quot;2&quot;\">\n  <b></b>\n  <c>t &lt; u</c>\n</a>\n");

	buf_reset(&b);
	buf_puts(&b, "before");
	CHECK_OK(fw_open(&w, &b, &err), &err);
	fw_start(&w, "a");
	fw_text(&w, "bad \x01 text");
	fw_end(&w);
	CHECK(fw_close(&w, false, &err) == HEARTH_EIO);
	CHECK_STR(b.data, "before");

	CHECK_OK(fw_open(&w, &b, &err), &err);
	fw_start(&w, "a");
	fw_attr(&w, "x", "\xff");
	fw_end(&w);
	CHECK(fw_close(&w, false, &err) == HEARTH_EIO);
	CHECK_STR(b.data, "before");

	CHECK_OK(fw_open(&w, &b, &err), &err);
	fw_start(&w, "a"); /* never closed */
	CHECK(fw_close(&w, false, &err) == HEARTH_EIO);
	CHECK(b.len == 6);
	buf_release(&b);
}

/*
 * The writer's check of text, sixteen or eight bytes at a time, passes
 * exactly what core's text_valid passes: each odd character (controls,
 * DEL, tab, line endings, sequences past ASCII, broken ones) at every
 * offset of a run long enough for the block tests.
 */
static void text_check_is_text_valid(void)
{
	static const char *const odd[] = {
		"\x01", "\x1f", "\x7f", "\t", "\n", "\r", "\xc3\xa9", "\xe2\x80\x94",
		"\xf0\x9f\x98\x80", "\xc3", "\xe2\x80", "\xc0\xaf", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\x80", "\xff", "\xef\xbf\xbe",
	};
	char s[64];
	for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++)
		for (size_t at = 0; at < 40; at++) {
			size_t n = strlen(odd[k]);
			memset(s, 'a', sizeof s);
			memcpy(s + at, odd[k], n);
			s[at + n + (k % 3) * 7] = '\0';
			CHECK(fw_text_ok(s) == text_valid(s, strlen(s)));
		}
}

/* Which bytes an address may hold: each of the 255, against the rule itself. */
static void url_bytes(void)
{
	for (int c = 1; c < 256; c++) {
		char url[16];
		snprintf(url, sizeof url, "https://x/%c", c);
		bool want = c > ' ' && c < 0x7f && !strchr("\"<>\\", c);
		CHECK(fw_url_ok(url) == want);
	}
	CHECK(fw_url_ok("http://example.org/a?b=c&d=%20#f"));
	CHECK(!fw_url_ok("https:///x") && !fw_url_ok("ftp://x") && !fw_url_ok(NULL));
}

/* A text checked once is copied as it is; one that is not is refused. */
static void checked_text(void)
{
	static const char good[] = "<p>caf\xc3\xa9 ]]> & more</p>";
	CHECK(feed_text_ok(good, strlen(good)));
	CHECK(!feed_text_ok("a\x01b", 3));
	CHECK(!feed_text_ok("a\0b", 3)); /* a NUL inside: not the whole text */
	CHECK(!feed_text_ok("\xc3", 1));
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct fw w1, w2;
	struct hearth_err err;
	CHECK(fw_open(&w1, &a, &err) == 0 && fw_open(&w2, &b, &err) == 0);
	fw_start(&w1, "x");
	fw_cdata(&w1, good);
	fw_end(&w1);
	fw_start(&w2, "x");
	fw_cdata_checked(&w2, good, strlen(good));
	fw_end(&w2);
	CHECK(fw_close(&w1, false, &err) == 0 && fw_close(&w2, false, &err) == 0);
	CHECK_STR(buf_cstr(&a), buf_cstr(&b));
	CHECK(strstr(buf_cstr(&a), "<x><![CDATA[<p>caf\xc3\xa9 ]]]]><![CDATA[> & more</p>]]></x>"));
	buf_release(&a);
	buf_release(&b);
}

int main(void)
{
	RUN(url_bytes);
	RUN(checked_text);
	RUN(well_formed_and_escaped);
	RUN(required_elements);
	RUN(warnings_lead_the_description);
	RUN(dates_are_rfc2822);
	RUN(same_input_same_bytes);
	RUN(long_description_is_refused);
	RUN(missing_enclosure_is_refused);
	RUN(bad_input_is_refused);
	RUN(alternate_enclosure);
	RUN(empty_feed_is_valid);
	RUN(channel_tags);
	RUN(archive_links);
	RUN(item_tags);
	RUN(serial_needs_episode_numbers);
	RUN(channel_requirements);
	RUN(categories_are_apples);
	RUN(languages_are_bcp47);
	RUN(licenses_are_spdx);
	RUN(atom_feed_for_readers);
	RUN(atom_bad_input_is_refused);
	RUN(opml_lists_every_feed);
	RUN(full_feed_same_bytes);
	RUN(text_and_attributes_round_trip);
	RUN(tables_are_sorted);
	RUN(guids_unique_and_urls_absolute);
	RUN(writer_fails_whole);
	RUN(text_check_is_text_valid);
	xmlCleanupParser();
	return 0;
}
