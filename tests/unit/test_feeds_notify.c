/*
 * test_feeds_notify.c - feeds/notify.c without the network: which
 * addresses may be told, which feeds of a site are found and under what
 * address, what a run would send (dry runs), and how the record of what
 * was accepted decides what changed. Sending is checked end to end by
 * tests/cli/notify.sh against a local server.
 */
#include "t.h"
#include "../../feeds/notify.h"

#include <libxml/parser.h>

static void addresses(void)
{
	struct hearth_err err = {0};
	static const char *const good[] = {
		"https://pubsubhubbub.appspot.com/",
		"https://hub.example.org:8443/publish?topic=x",
		"http://127.0.0.1:9000/hub",
		"http://127.1.2.3/hub",
		"http://[::1]:8080/hub",
		"http://localhost/hub",
		"HTTPS://HUB.EXAMPLE.ORG/",
	};
	static const char *const bad[] = {
		"http://hub.example.org/",      /* plain http to the world */
		"http://10.0.0.1/hub",          /* a private address is not loopback */
		"http://[::2]/hub",
		"http://127.0.0.1.example.org/", /* a name that only starts like one */
		"ftp://127.0.0.1/hub",
		"https://user:secret@hub.example.org/",
		"https://hub.example.org/#frag",
		"https://hub.example.org/a b",
		"https://hub.example.org/\"x\"",
		"hub.example.org",
		"",
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		if (feed_notify_check_url(good[i], &err) != 0) {
			printf("FAIL addresses: '%s' refused: %s\n", good[i], err.msg);
			t_failed_ = 1;
			return;
		}
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (feed_notify_check_url(bad[i], &err) == 0) {
			printf("FAIL addresses: '%s' taken\n", bad[i]);
			t_failed_ = 1;
			return;
		}
	}
	CHECK(feed_notify_check_url("http://hub.example.org/", &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "https is required"));
	CHECK(feed_notify_check_url("https://a:b@hub.example.org/", &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "password"));
}

static void record_beside_output(void)
{
	char *p = feed_notify_record_path("/srv/lib/public/");
	CHECK_STR(p, "/srv/lib/.hearth-notified.public");
	free(p);
	p = feed_notify_record_path("out");
	CHECK_STR(p, "./.hearth-notified.out");
	free(p);
}

/* A site with the three kinds of feed, an archive and a page. */
static const char *make_site(const char *name, const char *base)
{
	const char *dir = tp(name);
	sh("mkdir -p %s/collections/series %s/collections/plain %s/archive", name, name, name);
	sh("printf '<?xml version=\"1.0\"?>\\n<rss version=\"2.0\" "
	   "xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel><title>T</title>"
	   "<atom:link rel=\"hub\" href=\"https://hub.example.org/\"/>"
	   "<atom:link rel=\"self\" href=\"%s/feed.xml\"/><item><title>1</title></item>"
	   "</channel></rss>\\n' >%s/feed.xml",
	   base, name);
	sh("printf '<?xml version=\"1.0\"?>\\n<rss version=\"2.0\" "
	   "xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel><title>S</title>"
	   "<atom:link rel=\"self\" href=\"%s/collections/series/feed.xml\"/>"
	   "</channel></rss>\\n' >%s/collections/series/feed.xml",
	   base, name);
	sh("printf '<?xml version=\"1.0\"?>\\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
	   "<title>A</title><link rel=\"alternate\" href=\"%s/\"/>"
	   "<link rel=\"self\" href=\"%s/atom.xml\"/><entry><title>e</title></entry>"
	   "</feed>\\n' >%s/atom.xml",
	   base, base, name);
	sh("cp %s/feed.xml %s/archive/feed-1.xml && echo '<html/>' >%s/collections/plain/index.html",
	   name, name, name);
	return dir;
}

static char hub1[] = "https://hub.example.org/", hub2[] = "http://127.0.0.1:9/hub2",
	    world[] = "http://hub.example.org/";
static char *hubs[] = {hub1, hub2, NULL};

static size_t count(const struct feed_notify_report *r, const char *feed)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_sends; i++)
		n += !strcmp(r->sends[i].feed, feed);
	return n;
}

static void dry_run_plans_every_feed(void)
{
	struct hearth_err err = {0};
	struct feed_notify_report r = {0};
	const char *site = make_site("site1", "https://stories.example.net");
	struct feed_notify_opts o = {
		.hubs = hubs,
		.podcastindex_url = "https://api.example.org/pubnotify?key=none",
		.dry_run = true,
	};
	CHECK_OK(feed_notify(site, &o, &r, &err), &err);
	CHECK(r.feeds == 3 && r.changed == 3);
	/* RSS feeds to both hubs and the index; atom.xml to the hubs */
	CHECK(r.n_sends == 8);
	CHECK(count(&r, "feed.xml") == 3 && count(&r, "collections/series/feed.xml") == 3);
	CHECK(count(&r, "atom.xml") == 2);
	CHECK_STR(r.sends[0].feed, "feed.xml");
	CHECK_STR(r.sends[0].method, "POST");
	CHECK_STR(r.sends[0].url, "https://hub.example.org/");
	CHECK_STR(r.sends[0].body,
		  "hub.mode=publish&hub.url=https%3A%2F%2Fstories.example.net%2Ffeed.xml");
	CHECK(r.sends[2].kind == NOTIFY_PODCASTINDEX);
	CHECK_STR(r.sends[2].method, "GET");
	CHECK(r.sends[2].body == NULL);
	CHECK_STR(r.sends[2].url, "https://api.example.org/pubnotify?key=none"
				  "&url=https%3A%2F%2Fstories.example.net%2Ffeed.xml");
	CHECK_STR(r.sends[3].feed, "atom.xml");
	CHECK_STR(r.sends[5].feed, "collections/series/feed.xml");
	CHECK(r.failed == 0 && r.sends[0].error == NULL && r.sends[0].status == 0);
	/* a dry run records nothing */
	CHECK(access(tp(".hearth-notified.site1"), F_OK) != 0);
	feed_notify_report_release(&r);
	CHECK(r.sends == NULL && r.n_sends == 0);
	feed_notify_report_release(NULL);
}

static void a_hub_named_twice_is_told_once(void)
{
	struct hearth_err err = {0};
	struct feed_notify_report r = {0};
	char *twice[] = {hub1, hub2, hub1, NULL};
	struct feed_notify_opts o = {.hubs = twice, .dry_run = true};
	const char *site = make_site("site8", "https://stories.example.net");
	CHECK_OK(feed_notify(site, &o, &r, &err), &err);
	CHECK(r.n_sends == 6);
	feed_notify_report_release(&r);
}

static void record_decides_what_changed(void)
{
	struct hearth_err err = {0};
	struct feed_notify_report r = {0};
	const char *site = make_site("site2", "https://stories.example.net");
	struct feed_notify_opts o = {.hubs = hubs, .dry_run = true};
	char sha[65];

	/* feed.xml as the first hub accepted it; a stale line for atom.xml;
	   lines that are not records count for nothing */
	CHECK_OK(sha256_file(tp("site2/feed.xml"), sha, &err), &err);
	FILE *f = fopen(tp(".hearth-notified.site2"), "w");
	CHECK(f);
	fprintf(f, "hearth notified 1\n%s websub https://hub.example.org/ "
		   "https://stories.example.net/feed.xml\n"
		   "%064d websub https://hub.example.org/ https://stories.example.net/atom.xml\n"
		   "garbage\n%s websub too many fields here\n",
		sha, 0, sha);
	fclose(f);
	CHECK_OK(feed_notify(site, &o, &r, &err), &err);
	CHECK(r.n_sends == 5);
	CHECK(count(&r, "feed.xml") == 1);
	CHECK_STR(r.sends[0].endpoint, "http://127.0.0.1:9/hub2");
	feed_notify_report_release(&r);

	/* --all: everything again */
	o.all = true;
	CHECK_OK(feed_notify(site, &o, &r, &err), &err);
	CHECK(r.n_sends == 6);
	feed_notify_report_release(&r);

	/* the feed moved to another address: announced again there */
	o.all = false;
	site = make_site("site2", "https://moved.example.net");
	CHECK_OK(feed_notify(site, &o, &r, &err), &err);
	CHECK(r.n_sends == 6);
	feed_notify_report_release(&r);

	/* a record of another kind is ignored whole */
	f = fopen(tp(".hearth-notified.site2"), "w");
	CHECK(f);
	fputs("something else\n", f);
	fclose(f);
	CHECK_OK(feed_notify(site, &o, &r, &err), &err);
	CHECK(r.n_sends == 6);
	feed_notify_report_release(&r);
}

static void nothing_tried_on_bad_input(void)
{
	struct hearth_err err = {0};
	struct feed_notify_report r = {0};
	char *bad_hub[] = {world, NULL};
	struct feed_notify_opts o = {.hubs = bad_hub, .dry_run = true};
	const char *site = make_site("site3", "https://stories.example.net");

	CHECK(feed_notify(site, &o, &r, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "WebSub hub") && strstr(err.msg, "https is required"));
	CHECK(r.n_sends == 0);

	o.hubs = hubs;
	o.podcastindex_url = "http://api.example.org/pubnotify";
	CHECK(feed_notify(site, &o, &r, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "Podcast Index"));

	o.podcastindex_url = NULL;
	CHECK(feed_notify(tp("no-such-site"), &o, &r, &err) == HEARTH_ENOENT);
	CHECK(strstr(err.msg, "hearth build"));

	/* under init's placeholder address */
	site = make_site("site4", "https://example.org");
	CHECK(feed_notify(site, &o, &r, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "placeholder"));

	/* a feed that does not say its address, and a file that is no feed */
	site = make_site("site5", "https://stories.example.net");
	sh("sed -i 's/rel=\"self\"/rel=\"alternate\"/' site5/atom.xml");
	CHECK(feed_notify(site, &o, &r, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "atom.xml") && strstr(err.msg, "rel=\"self\""));
	sh("echo '<html/>' >site5/atom.xml");
	CHECK(feed_notify(site, &o, &r, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "atom.xml: neither an RSS nor an Atom feed"));
	/* a feed whose address is no http(s) address */
	site = make_site("site6", "ftp://stories.example.net");
	CHECK(feed_notify(site, &o, &r, &err) == HEARTH_EINVAL);
	CHECK(strstr(err.msg, "feed.xml: its address"));
	/* a site served over plain http is announced as it is */
	site = make_site("site7", "http://stories.example.net");
	CHECK_OK(feed_notify(site, &o, &r, &err), &err);
	CHECK(r.n_sends == 6);
	feed_notify_report_release(&r);
}

int main(void)
{
	RUN(addresses);
	RUN(record_beside_output);
	RUN(dry_run_plans_every_feed);
	RUN(a_hub_named_twice_is_told_once);
	RUN(record_decides_what_changed);
	RUN(nothing_tried_on_bad_input);
	xmlCleanupParser();
	return 0;
}
