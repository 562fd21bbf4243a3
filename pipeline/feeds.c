/*
 * feeds.c - every feed a build publishes, made from the build's entries
 * (site_ctx) after the pages and written into the staging folder:
 *
 *   feed.xml                        the podcast: every story with podcast
 *                                   consent and a sound, newest first
 *   collections/<slug>/feed.xml     a show per collection marked podcast:
 *                                   yes, in the editors' order
 *   atom.xml                        every published story, text too
 *   feeds.opml                      all of the above
 *   archive/feed-<k>.xml, collections/<slug>/archive/feed-<k>.xml,
 *   archive/atom-<k>.xml            RFC 5005 archives of a long feed
 *
 * feeds/ writes the documents; this file decides what goes in them: which
 * stories, in what order, at which addresses, and which documents are
 * made again (each has its own key, keys.c; a document whose key is the
 * one the current site's copy was made with is kept as it is). What is
 * not made this time (a collection no longer a podcast, an archive no
 * longer needed) is simply not in the next site.
 *
 * Addresses that apps remember never change once published: the items'
 * GUIDs (set once per story), each show's podcast GUID (stored in the
 * catalogue by the first build that publishes episodes from the library's
 * own base_url), and the addresses of the episodes' files, which use the
 * media origin (stored the same way; podcast.media_url overrides it) and
 * not base_url. A preview (--base-url elsewhere) uses its own address for
 * everything and stores nothing.
 *
 * Archives are stable: the items of a feed, oldest first, are cut into
 * chunks of feeds.archive_after counted from the oldest; every full chunk
 * but the newest items is an archive document, and the feed itself holds
 * the rest (at least archive_after items, fewer than twice as many). A new
 * episode changes no archive; only when a new archive is made does the one
 * before it gain its next-archive link.
 *
 * Nothing is published half-way: every document is checked by feeds/ as it
 * is written into staging, and any refusal fails the build before the
 * swap, so the current site stays as it is.
 */
#include "pipelineInt.h"
#include "../feeds/feeds.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

/* Threads that make the documents, at most: one per core, up to this. */
#define FEEDS_THREADS 8

/* ---- what each entry gives the feeds it is in -------------------------- */

/*
 * The addresses, HTML and people of one entry, made once however many
 * feeds hold it, and only for an entry of a document that is made again
 * (in an edit, the three hundred of one archive, not the ten thousand of
 * every feed).
 */
struct entry_out {
	/* in one block (addrs), as is the text they are made of */
	const char *link, *enclosure, *alternate, *image, *transcript, *chapters;
	char *addrs;
	char *html;
	size_t html_len;               /* when html passed feed_text_ok, else 0 */
	char *body;                    /* read from the catalogue, until html is made */
	bool filled, html_done;
	int64_t bitrate;
	struct feed_person *persons;   /* the byline, then the show's people */
	size_t n_persons;
};

/* One build's feeds: what every document shares. */
struct run {
	hearth_lib *lib;
	const struct site_ctx *c;
	const struct pipe_feed_out *o;
	bool preview;              /* --base-url elsewhere: store nothing */
	char *media;               /* where the episodes' files are published */
	char *home, *cover;        /* the site's home and the show's cover */
	struct entry_out **eo;     /* per c->e[i]: NULL unless a document made holds it */
	struct entry_out *eo_mem;  /* what they point to */
	size_t n_eo;
	unsigned char (*ekey)[32]; /* per c->e[i], for an entry with its own key (own_key) */
	struct feed_person *people; /* podcast.people */
	char common[65];           /* the key of what every feed shows */
	struct feed_outline *opml; /* what feeds.opml lists */
	size_t n_opml;
	char **strs;               /* strings the outlines borrow */
	size_t items;              /* feed.xml's items, for the summary */
	struct show **shows;       /* every podcast show */
	size_t n_shows;
	struct doc *docs;          /* the documents to make (not kept), in order */
	size_t n_docs;
	size_t *atom_idx;          /* atom.xml's entries, oldest first */
	char *atom_id, *atom_cur;
	size_t *work;              /* entries a pool works on */
	/* buffers the threads lend each other (spare), so a document's bytes
	 * land in memory already mapped instead of a fresh mapping each time */
	pthread_mutex_t spare_mu;
	struct buf *spare;
	size_t n_spare, cap_spare;
};

/* An empty buffer, one the last task gave back when there is one. */
static struct buf spare_take(struct run *r)
{
	struct buf b = BUF_INIT;
	pthread_mutex_lock(&r->spare_mu);
	if (r->n_spare)
		b = r->spare[--r->n_spare];
	pthread_mutex_unlock(&r->spare_mu);
	buf_reset(&b);
	return b;
}

/* Gives b back for the next task (taken). */
static void spare_give(struct run *r, struct buf *b)
{
	pthread_mutex_lock(&r->spare_mu);
	if (r->n_spare == r->cap_spare) {
		r->cap_spare = r->cap_spare ? 2 * r->cap_spare : FEEDS_THREADS;
		r->spare = xrealloc(r->spare, r->cap_spare * sizeof *r->spare);
	}
	r->spare[r->n_spare++] = *b;
	pthread_mutex_unlock(&r->spare_mu);
	*b = (struct buf)BUF_INIT;
}


/* Keeps s (a new allocation, taken) in r until the end; returns the kept copy. */
static const char *own(struct run *r, char *s)
{
	r->strs = strv_push(r->strs, s);
	free(s);
	return r->strs[strv_len(r->strs) - 1];
}

/* Adds a feed to feeds.opml: its name, "rss" or "atom", its path and its page's. */
static void outline(struct run *r, const char *text, const char *type, const char *rel,
		    const char *html_rel)
{
	struct feed_outline *o;
	r->opml = xrealloc(r->opml, (r->n_opml + 1) * sizeof *r->opml);
	o = &r->opml[r->n_opml++];
	memset(o, 0, sizeof *o);
	o->text = own(r, xstrdup(text));
	o->type = type;
	o->xml_url = own(r, xasprintf("%s/%s", r->c->base_url, rel));
	o->html_url = own(r, xasprintf("%s/%s", r->c->base_url, html_rel));
}

/* True when e is an episode: podcast consent and a sound rendered as MP3. */
static bool is_episode(const struct site_entry *e)
{
	return e->on_podcast && e->m.n_audio > 0;
}

/* An address as up to four parts to join; none when the first is NULL. */
struct addr {
	const char *part[4];
};

/* The addresses in one new block at *block, each pointed to by *to[k]. */
static void addrs_join(const struct addr *a, const char **const *to, size_t n, char **block)
{
	size_t total = 0;
	for (size_t k = 0; k < n; k++)
		for (size_t j = 0; j < 4 && a[k].part[0] && a[k].part[j]; j++)
			total += strlen(a[k].part[j]);
	char *p = *block = xmalloc(total + n);
	for (size_t k = 0; k < n; k++) {
		if (!a[k].part[0])
			continue;
		*to[k] = p;
		for (size_t j = 0; j < 4 && a[k].part[j]; j++) {
			size_t len = strlen(a[k].part[j]);
			memcpy(p, a[k].part[j], len);
			p += len;
		}
		*p++ = '\0';
	}
}

/*
 * The addresses and people of entry i (not the HTML: entry_render), made the
 * first time a document that is made (not kept) needs them.
 */
static const struct entry_out *entry_fill(struct run *r, size_t i)
{
	const struct site_ctx *c = r->c;
	const struct lib_settings *set = c->set;
	const struct site_entry *e = &c->e[i];
	struct entry_out *eo = r->eo[i];
	const char *m = r->media;

	if (eo->filled)
		return eo;
	eo->filled = true;
	/* the addresses, in one block: ten thousand entries made 60,000 strings */
	struct addr a[6] = {{{NULL}}};
	if (e->on_site)
		a[0] = (struct addr){{c->base_url, "/stories/", e->s->slug, "/"}};
	if (e->m.n_audio) {
		const struct site_audio *au = &e->m.audio[0];
		a[1] = (struct addr){{m, "/", au->src}};
		if (au->m4a_src)
			a[2] = (struct addr){{m, "/", au->m4a_src}};
		if (au->duration > 0)
			eo->bitrate = llround((double)au->size * 8 / au->duration);
	}
	/* the episode's own cover when its art makes one, else the show's */
	if (e->m.cover_src)
		a[3] = (struct addr){{m, "/", e->m.cover_src}};
	else if (r->cover)
		a[3] = (struct addr){{r->cover}};
	if (e->m.vtt_src)
		a[4] = (struct addr){{m, "/", e->m.vtt_src}};
	if (e->m.chapters_src)
		a[5] = (struct addr){{m, "/", e->m.chapters_src}};
	const char **const to[6] = {&eo->link, &eo->enclosure, &eo->alternate,
				    &eo->image, &eo->transcript, &eo->chapters};
	addrs_join(a, to, 6, &eo->addrs);
	/*
	 * podcast:person of an item replaces the show's list in apps: the
	 * storyteller by the public byline (never for an anonymous story),
	 * then the show's people again.
	 */
	if (!e->s->anonymous && e->s->byline && *e->s->byline) {
		eo->persons = xcalloc(set->n_people + 1, sizeof *eo->persons);
		eo->persons[0] = (struct feed_person){
			.name = e->s->byline, .role = "guest", .group = "cast"};
		for (size_t k = 0; k < set->n_people; k++)
			eo->persons[k + 1] = r->people[k];
		eo->n_persons = set->n_people + 1;
	}
	return eo;
}

/* True when entry i's HTML needs its body read from the catalogue. */
static bool needs_body(const struct run *r, size_t i)
{
	const struct site_entry *e = &r->c->e[i];
	const struct entry_out *eo = r->eo[i];
	return e->on_site && !e->s->body && !eo->body && !eo->html_done;
}

/*
 * Reads the bodies of the entries r->work[0, n) whose HTML will be made
 * and whose view came without them, all in one read of the catalogue
 * (one at a time, three hundred bodies of an archive were most of an
 * edit's feeds). On one thread. SITE_AGAIN when a story left the site or
 * its body is not the one the view was keyed with since the view was
 * read.
 */
static int entries_bodies(struct run *r, size_t n, struct hearth_err *err)
{
	const char **slugs = NULL;
	size_t *at = NULL, m = 0;
	char **bodies = NULL;
	char(*sha)[65] = NULL;
	int rc = 0;

	for (size_t k = 0; k < n; k++)
		m += needs_body(r, r->work[k]);
	if (!m)
		return 0;
	slugs = xcalloc(m, sizeof *slugs);
	at = xcalloc(m, sizeof *at);
	m = 0;
	for (size_t k = 0; k < n; k++)
		if (needs_body(r, r->work[k])) {
			at[m] = r->work[k];
			slugs[m++] = r->c->e[r->work[k]].s->slug;
		}
	if (!r->lib) {
		rc = herr(err, HEARTH_EINVAL, "story '%s': no body to show", slugs[0]);
		goto end;
	}
	bodies = xcalloc(m, sizeof *bodies);
	sha = xcalloc(m, sizeof *sha);
	rc = lib_public_bodies_read(r->lib, slugs, m, bodies, sha, err);
	if (rc == HEARTH_ENOENT)
		rc = SITE_AGAIN;
	for (size_t k = 0; !rc && k < m; k++) {
		const char *want = r->c->e[at[k]].s->body_sha256;
		if (!want || strcmp(sha[k], want))
			rc = SITE_AGAIN;
	}
	for (size_t k = 0; bodies && k < m; k++) {
		if (rc)
			free(bodies[k]);
		else
			r->eo[at[k]]->body = bodies[k];
	}
end:
	free(slugs);
	free(at);
	free(bodies);
	free(sha);
	return rc;
}

/*
 * The story's HTML made as nodes and written by libxml2: for an address
 * site_html_escape cannot write as xmlNodeDump would (bytes that are not
 * UTF-8, a control character), where what libxml2 writes is the answer.
 * w: the warnings joined, or NULL.
 */
static void html_nodes(struct buf *out, const char *w, const char *body, const char *link,
		       const char *more)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr div = xmlNewDocNode(doc, NULL, BAD_CAST "div", NULL);
	xmlBufferPtr xb = xmlBufferCreate();
	xmlDocSetRootElement(doc, div);
	if (w) {
		char *t = xasprintf("Content warning: %s.", w);
		xmlNewTextChild(div, NULL, BAD_CAST "p", BAD_CAST t);
		free(t);
	}
	site_markdown_nodes(div, body);
	if (link) {
		xmlNodePtr p = xmlNewChild(div, NULL, BAD_CAST "p", NULL);
		xmlNodePtr a = xmlNewTextChild(p, NULL, BAD_CAST "a", BAD_CAST more);
		xmlSetProp(a, BAD_CAST "href", BAD_CAST link);
	}
	for (xmlNodePtr n = div->children; n; n = n->next)
		xmlNodeDump(xb, doc, n, 0, 0);
	buf_puts(out, (const char *)xmlBufferContent(xb));
	xmlBufferFree(xb);
	xmlFreeDoc(doc);
}

/*
 * The story text as HTML for content:encoded and Atom's content, only when
 * site consent allows: the content warnings first, the story (Markdown
 * through site-gen's safe rendering), then a link to its page; made once
 * per entry, however many documents hold it. NULL without site consent.
 * The body is the view's or entries_bodies'. Touches entry i alone, so
 * entries are made on several threads at once.
 */
static void entry_render(struct run *r, size_t i)
{
	const struct site_entry *e = &r->c->e[i];
	struct entry_out *eo = r->eo[i];
	const struct pub_story *s = e->s;

	entry_fill(r, i);
	if (eo->html_done)
		return;
	eo->html_done = true;
	if (!e->on_site)
		return;

	const char *body = s->body ? s->body : eo->body;
	const char *more = e->m.transcript ? "Read the story and its transcript"
					   : "Read the story on the site";
	char *w = s->warnings && s->warnings[0] ? strv_join(s->warnings, ", ") : NULL;
	struct buf hb = spare_take(r);
	bool ok = true;
	/* the bytes xmlNodeDump writes for the nodes html_nodes makes, written at once */
	if (w) {
		buf_add(&hb, "<p>Content warning: ", 20);
		site_html_escape(&hb, w, false); /* text: never refused */
		buf_add(&hb, ".</p>", 5);
	}
	site_markdown_html(&hb, body);
	if (eo->link) {
		buf_add(&hb, "<p><a href=\"", 12);
		ok = site_html_escape(&hb, eo->link, true);
		buf_add(&hb, "\">", 2);
		buf_puts(&hb, more);
		buf_add(&hb, "</a></p>", 8);
	}
	if (!ok) {
		buf_reset(&hb);
		html_nodes(&hb, w, body, eo->link, more);
	}
	free(w);
	/* exactly its size: ten thousand of them are held until the end */
	eo->html = xstrndup(hb.data ? hb.data : "", hb.len);
	/* checked once here, not again in each of the documents that hold it */
	eo->html_len = feed_text_ok(eo->html, hb.len) ? hb.len : 0;
	spare_give(r, &hb);
	xfree(&eo->body);
}

static void entries_release(struct run *r)
{
	for (size_t k = 0; k < r->n_eo; k++) {
		struct entry_out *eo = &r->eo_mem[k];
		free(eo->addrs);
		free(eo->html);
		free(eo->body);
		free(eo->persons);
	}
	free(r->eo_mem);
	r->eo_mem = NULL;
	r->n_eo = 0;
	free(r->eo);
	r->eo = NULL;
	free(r->ekey);
	r->ekey = NULL;
}

/* ---- keys ----------------------------------------------------------------- */

/* The key of what every feed shows: the program, the settings, the addresses. */
static void common_key(struct run *r)
{
	struct sha256 h;
	sha256_init(&h);
	key_str(&h, "hearth feeds 1");
	key_file_id(&h, "/proc/self/exe");
	key_settings(&h, r->c->set, false);
	key_feed_settings(&h, r->c->set);
	key_str(&h, r->c->base_url);
	key_str(&h, r->media);
	key_str(&h, r->cover);
	key_int(&h, hearth_source_date_epoch());
	key_hex(&h, r->common);
}

/* A new hash that starts with the common key and the document's path. */
static void doc_key(const struct run *r, struct sha256 *h, const char *rel)
{
	sha256_init(h);
	key_str(h, r->common);
	key_str(h, rel);
}

/*
 * True when the entry is keyed by a digest of its own (entry_key): an
 * entry with media, whose key takes more than its record's digest, or one
 * no key_entries saw. The others (every story of a text library) are keyed
 * by their record's digest straight into each document's key, without a
 * hash of each of ten thousand entries first. Any byte of the media set
 * (a field added later too) counts as media.
 */
static bool own_key(const struct site_entry *e)
{
	static const struct site_media no_media;
	static const unsigned char no_key[sizeof e->key];
	return memcmp(&e->m, &no_media, sizeof no_media) != 0 ||
	       !memcmp(e->key, no_key, sizeof no_key);
}

/*
 * The key of what an item shows of entry i: the story, its consent, its
 * renditions; made once per entry, however many documents hold it.
 * Touches entry i alone.
 */
static void entry_key(struct run *r, size_t i)
{
	const struct site_entry *e = &r->c->e[i];
	struct sha256 k;

	sha256_init(&k);
	key_entry_story(&k, e);
	key_int(&k, e->on_site);
	key_int(&k, e->on_podcast);
	key_media(&k, &e->m);
	sha256_final(&k, r->ekey[i]);
}

/* Feeds what an item shows of entry i into h: its own key, or its record's and consent. */
static void key_entry(const struct run *r, struct sha256 *h, size_t i)
{
	const struct site_entry *e = &r->c->e[i];
	unsigned char b[1 + sizeof e->key + 2];

	if (own_key(e)) {
		b[0] = 'k';
		memcpy(b + 1, r->ekey[i], sizeof r->ekey[i]);
		sha256_update(h, b, 1 + sizeof r->ekey[i]);
		return;
	}
	b[0] = 'r';
	memcpy(b + 1, e->key, sizeof e->key);
	b[1 + sizeof e->key] = e->on_site;
	b[2 + sizeof e->key] = e->on_podcast;
	sha256_update(h, b, sizeof b);
}

/* ---- archives ------------------------------------------------------------- */

/*
 * How a feed of n items (oldest first) is cut: k archives of per items
 * each, counted from the oldest, and the feed holds the rest, at least
 * per items and fewer than twice as many.
 */
static size_t archive_count(size_t n, size_t per)
{
	return n >= 2 * per ? n / per - 1 : 0;
}

/* The address of archive k of the feed whose archives are named like stem. */
static char *archive_rel(const char *dir, const char *stem, size_t k)
{
	return xasprintf("%sarchive/%s-%zu.xml", dir, stem, k);
}

/* ---- the podcast feeds ---------------------------------------------------- */

/* One podcast show: the main one or a collection's. */
struct show {
	const char *rel;          /* "feed.xml", "collections/<slug>/feed.xml" */
	const char *dir;          /* "" or "collections/<slug>/": where its archives go */
	const char *title, *description, *link;
	const char *guid;         /* its podcast:guid, or NULL */
	bool serial;
	bool newest_first;        /* the feed lists its items newest first */
	const size_t *idx;        /* entries, oldest first */
	size_t n;
	/* set by plan_show: */
	const char *medium;       /* "music" or NULL */
	char *cur;                /* its address, for its archives' "current" link */
	char guid_buf[37];
	char *mem[5];             /* what the fields above borrow: freed with the show */
};

/*
 * One document to make (its key was not the current site's): a show's
 * feed or archive, or atom.xml or one of its archives, with the items
 * idx[from, to) of its list (oldest first).
 */
struct doc {
	const struct show *sh;    /* NULL for atom.xml and its archives */
	char *rel;
	size_t from, to;
	struct feed_archive a;    /* its links: current_url borrowed, prev and next owned */
	int64_t newest;           /* its newest item's date */
	char key[65];             /* what it is made from (doc_key_make) */
};

/* Fills the channel every document of a show shares. */
static void channel_fill(const struct run *r, const struct show *sh, struct feed_channel *ch,
			 const char *medium)
{
	const struct lib_settings *s = r->c->set;
	memset(ch, 0, sizeof *ch);
	ch->title = sh->title;
	ch->description = sh->description;
	ch->link = sh->link;
	ch->language = s->language && *s->language ? s->language : "en";
	ch->author = s->author;
	ch->category = s->category;
	ch->subcategory = s->subcategory;
	ch->explicit_ = s->explicit_;
	ch->image_url = r->cover;
	ch->license = s->license;
	ch->license_url = s->license_url;
	ch->podcast_guid = sh->guid;
	ch->owner_name = s->owner_name;
	ch->owner_email = s->owner_email;
	ch->locked = s->locked;
	ch->persons = r->people;
	ch->n_persons = s->n_people;
	ch->funding_url = s->funding_url;
	ch->funding_label = s->funding_label;
	ch->social_interact_disabled = s->social_interact != NULL;
	ch->update_frequency = s->update_text;
	ch->update_rrule = s->update_rrule;
	ch->complete = s->complete;
	/* a collection's show has not moved with the library's */
	ch->new_feed_url = !strcmp(sh->rel, "feed.xml") ? s->new_feed_url : NULL;
	ch->type_serial = sh->serial;
	ch->medium = medium;
	ch->hubs = (const char *const *)s->notify_hubs;
	ch->n_hubs = strv_len(s->notify_hubs);
}

/* The item of entry i, numbered episode (0: the story's own numbers). */
static int item_fill(struct run *r, size_t i, int episode, struct feed_item *it,
		     struct hearth_err *err)
{
	const struct site_entry *e = &r->c->e[i];
	const struct entry_out *eo = entry_fill(r, i);
	const struct pub_story *ps = e->s;
	const struct site_audio *a = &e->m.audio[0];

	(void)err;
	memset(it, 0, sizeof *it);
	it->title = ps->title;
	it->description = ps->summary;
	it->content_html = eo->html;
	it->content_len = eo->html_len;
	it->link = eo->link;
	it->guid = ps->guid && *ps->guid ? ps->guid : ps->slug;
	it->author = ps->byline;
	it->pub_date = ps->published_at;
	it->enclosure_url = eo->enclosure;
	it->enclosure_length = a->size;
	it->enclosure_type = "audio/mpeg";
	it->enclosure_bitrate = eo->bitrate;
	if (eo->alternate) {
		it->alternate_url = eo->alternate;
		it->alternate_type = "audio/mp4";
		it->alternate_codecs = "mp4a.40.2"; /* AAC-LC */
		it->alternate_length = a->m4a_size;
		if (a->duration > 0)
			it->alternate_bitrate = llround((double)a->m4a_size * 8 / a->duration);
	}
	it->duration = a->duration;
	it->season = episode ? 0 : ps->season;
	it->episode = episode ? episode : ps->episode;
	it->image_url = eo->image;
	it->transcript_url = eo->transcript;
	it->transcript_type = "text/vtt";
	it->transcript_language = ps->language;
	it->chapters_url = eo->chapters;
	it->license = ps->license;
	it->warnings = ps->warnings;
	it->language = ps->language;
	it->persons = eo->persons;
	it->n_persons = eo->n_persons;
	return 0;
}

/* What a document's archive links add to its key. */
static void key_archive(struct sha256 *h, const struct feed_archive *a)
{
	key_int(h, a->is_archive);
	key_str(h, a->current_url);
	key_str(h, a->prev_archive_url);
	key_str(h, a->next_archive_url);
}

/*
 * A document's date (lastBuildDate, Atom's updated): an archive's newest
 * item, so it never changes; a feed's is SOURCE_DATE_EPOCH when set, else
 * its newest item's.
 */
static int64_t doc_date(const struct feed_archive *a, int64_t newest)
{
	int64_t sde = hearth_source_date_epoch();
	return !a->is_archive && sde >= 0 ? sde : newest;
}

/* "music" when every item of the show is music, else NULL (a podcast). */
static const char *show_medium(const struct run *r, const struct show *sh)
{
	if (!sh->n)
		return NULL;
	for (size_t k = 0; k < sh->n; k++)
		if (r->c->e[sh->idx[k]].m.audio[0].role != ROLE_MUSIC)
			return NULL;
	return "music";
}

/*
 * A show's podcast:guid: the stored one; else made from its feed URL and
 * stored when the show has episodes and the build is from the library's
 * own base_url; else made and not stored (a preview, or a show with no
 * episodes yet). Without a library nothing is stored.
 */
static int show_guid(struct run *r, const char *rel, size_t n_items, char out[37],
		     struct hearth_err *err)
{
	const struct lib_settings *s = r->c->set;
	const char *b = r->c->base_url;

	out[0] = '\0';
	if (n_items && lib_base_url_is_placeholder(b))
		return herr(err, HEARTH_EINVAL,
			    "base_url: '%s' is the placeholder 'hearth init' writes; set base_url "
			    "in hearth.yaml to the address the site will be served from (or "
			    "build a preview with --base-url)",
			    b);
	if (!strcmp(rel, "feed.xml") && s->podcast_guid && *s->podcast_guid) {
		snprintf(out, 37, "%s", s->podcast_guid);
		return 0;
	}
	if (r->lib)
		return lib_feed_guid(r->lib, b, rel, n_items && !r->preview, out, err);
	if (!lib_base_url_is_placeholder(b))
		lib_feed_guid_for(b, rel, out);
	return 0;
}

/* ---- what is made: the plan, on one thread ------------------------------ */

/*
 * Adds document rel (a new allocation, taken) with the items [from, to)
 * of sh's list (or atom.xml's when sh is NULL) and the archive links a
 * (prev and next taken) to the documents to make, unless its key is the
 * current site's copy's: then it is kept and nothing more is done.
 */
static void plan_doc(struct run *r, const struct show *sh, char *rel, size_t from, size_t to,
		     struct feed_archive a)
{
	r->docs = xrealloc(r->docs, (r->n_docs + 1) * sizeof *r->docs);
	r->docs[r->n_docs++] = (struct doc){sh, rel, from, to, a, 0, ""};
}

static void doc_free(struct doc *d)
{
	free(d->rel);
	free((char *)d->a.prev_archive_url);
	free((char *)d->a.next_archive_url);
}

/*
 * Plans the documents of a list of n items cut into archives (sh's, or
 * atom.xml's when sh is NULL): archive/<stem>-<k>.xml under dir, oldest
 * first, then the document rel itself (cur is its address).
 */
static void plan_list(struct run *r, const struct show *sh, const char *dir, const char *stem,
		      const char *rel, const char *cur, size_t n)
{
	size_t per = (size_t)(r->c->set->archive_after > 0 ? r->c->set->archive_after : 300);
	size_t k = archive_count(n, per);
	const char *b = r->c->base_url;

	for (size_t i = 1; i <= k; i++) {
		char *prev = i > 1 ? xasprintf("%s/%sarchive/%s-%zu.xml", b, dir, stem, i - 1)
				   : NULL;
		char *next = i < k ? xasprintf("%s/%sarchive/%s-%zu.xml", b, dir, stem, i + 1)
				   : NULL;
		plan_doc(r, sh, archive_rel(dir, stem, i), (i - 1) * per, i * per,
			 (struct feed_archive){true, cur, prev, next});
	}
	char *prev = k ? xasprintf("%s/%sarchive/%s-%zu.xml", b, dir, stem, k) : NULL;
	plan_doc(r, sh, xstrdup(rel), k * per, n, (struct feed_archive){false, NULL, prev, NULL});
}

/* Keeps sh (taken) until the end of the run, and plans its documents. */
static void plan_show(struct run *r, struct show *sh)
{
	r->shows = xrealloc(r->shows, (r->n_shows + 1) * sizeof *r->shows);
	r->shows[r->n_shows++] = sh;
	sh->medium = show_medium(r, sh);
	sh->cur = xasprintf("%s/%s", r->c->base_url, sh->rel);
	plan_list(r, sh, sh->dir, "feed", sh->rel, sh->cur, sh->n);
}

static void show_free(struct show *sh)
{
	if (!sh)
		return;
	for (size_t i = 0; i < sizeof sh->mem / sizeof sh->mem[0]; i++)
		free(sh->mem[i]);
	free(sh->cur);
	free(sh);
}

/* feed.xml: every episode, newest first. */
static int main_show(struct run *r, struct hearth_err *err)
{
	const struct site_ctx *c = r->c;
	const struct lib_settings *s = c->set;
	struct show *sh = xcalloc(1, sizeof *sh);
	size_t *idx = xcalloc(c->n + 1, sizeof *idx);
	size_t n = 0;
	int rc;

	/* c->e is newest first: the oldest-first list is it backwards */
	for (size_t i = c->n; i-- > 0;)
		if (is_episode(&c->e[i]))
			idx[n++] = i;
	r->items = n;
	*sh = (struct show){
		.rel = "feed.xml",
		.dir = "",
		.title = s->title,
		.description = s->description && *s->description ? s->description : s->title,
		.link = r->home,
		.newest_first = true,
		.idx = idx,
		.n = n,
		.mem = {(char *)idx},
	};
	if ((rc = show_guid(r, "feed.xml", n, sh->guid_buf, err))) {
		show_free(sh);
		return rc;
	}
	sh->guid = sh->guid_buf[0] ? sh->guid_buf : NULL;
	plan_show(r, sh);
	outline(r, s->title, "rss", "feed.xml", "");
	return 0;
}

/* collections/<slug>/feed.xml for every collection marked podcast: yes. */
static int collection_shows(struct run *r, struct hearth_err *err)
{
	const struct site_ctx *c = r->c;
	int rc = 0;

	for (size_t ci = 0; ci < c->n_colls && !rc; ci++) {
		const struct pub_collection *pc = c->colls[ci];
		size_t ne = strv_len(pc->episodes), n = 0;
		if (!pc->podcast)
			continue;
		size_t *idx = xcalloc(ne + 1, sizeof *idx);
		for (size_t k = 0; k < ne; k++) {
			const struct site_entry *e = site_ctx_find(c, pc->episodes[k]);
			if (e && is_episode(e))
				idx[n++] = (size_t)(e - c->e);
		}
		char *dir = xasprintf("collections/%s/", pc->slug);
		char *rel = xasprintf("%sfeed.xml", dir);
		char *link = xasprintf("%s/%s", c->base_url, dir);
		char *title = xasprintf("%s: %s", c->set->title, pc->title);
		struct show *sh = xcalloc(1, sizeof *sh);
		*sh = (struct show){
			.rel = rel,
			.dir = dir,
			.title = title,
			.description = pc->description && *pc->description ? pc->description
									   : title,
			.link = link,
			.serial = pc->serial,
			.newest_first = false, /* the editors' order */
			.idx = idx,
			.n = n,
			.mem = {(char *)idx, dir, rel, link, title},
		};
		if ((rc = show_guid(r, rel, n, sh->guid_buf, err))) {
			show_free(sh);
			break;
		}
		sh->guid = sh->guid_buf[0] ? sh->guid_buf : NULL;
		plan_show(r, sh);
		char *page = xasprintf("%sindex.html", dir);
		outline(r, title, "rss", rel, page);
		free(page);
	}
	return rc;
}

/* ---- atom.xml --------------------------------------------------------------- */

/* An entry of atom.xml: a story on the site, or an episode. */
static bool in_atom(const struct site_entry *e)
{
	return e->on_site;
}

/*
 * atom.xml: every story on the site and every episode, newest first, with
 * the story text where site consent allows; archived like a show. Its id
 * is urn:uuid of a GUID kept like a show's.
 */
static int atom_plan(struct run *r, struct hearth_err *err)
{
	const struct site_ctx *c = r->c;
	size_t n = 0;
	char guid[37];
	int rc;

	r->atom_idx = xcalloc(c->n + 1, sizeof *r->atom_idx);
	for (size_t i = c->n; i-- > 0;)
		if (in_atom(&c->e[i]))
			r->atom_idx[n++] = i;
	if (r->lib && !lib_base_url_is_placeholder(c->base_url))
		rc = lib_feed_guid(r->lib, c->base_url, "atom.xml", n && !r->preview, guid, err);
	else
		rc = (lib_feed_guid_for(c->base_url, "atom.xml", guid), 0);
	if (rc)
		return rc;
	r->atom_id = xasprintf("urn:uuid:%s", guid);
	r->atom_cur = xasprintf("%s/atom.xml", c->base_url);
	plan_list(r, NULL, "", "atom", "atom.xml", r->atom_cur, n);
	outline(r, c->set->title, "atom", "atom.xml", "");
	return 0;
}

/* ---- the documents: made on every core ----------------------------------- */

/* One show document: its items in the show's order. */
static int show_doc(struct run *r, const struct doc *d, struct buf *out,
		    struct hearth_err *err)
{
	const struct show *sh = d->sh;
	struct feed_item *items = xcalloc(d->to - d->from + 1, sizeof *items);
	struct feed_channel ch;
	char *self = xasprintf("%s/%s", r->c->base_url, d->rel);
	int rc = 0;

	for (size_t k = d->from; k < d->to && !rc; k++) {
		/* newest first: the last of the oldest-first list comes first */
		size_t at = sh->newest_first ? d->to - 1 - (k - d->from) : k;
		rc = item_fill(r, sh->idx[at], sh->serial ? (int)at + 1 : 0,
			       &items[k - d->from], err);
	}
	if (!rc) {
		channel_fill(r, sh, &ch, sh->medium);
		ch.feed_url = self;
		ch.archive = d->a;
		ch.last_build = doc_date(&d->a, d->newest);
		rc = feed_rss(&ch, items, d->to - d->from, out, err);
	}
	free(items);
	free(self);
	return rc;
}

/* One document of atom.xml: its entries newest first. */
static int atom_doc(struct run *r, const struct doc *d, struct buf *out,
		    struct hearth_err *err)
{
	const struct lib_settings *s = r->c->set;
	struct feed_atom_entry *en = xcalloc(d->to - d->from + 1, sizeof *en);
	char *self = xasprintf("%s/%s", r->c->base_url, d->rel);
	int rc;

	for (size_t k = d->from; k < d->to; k++) {
		size_t i = r->atom_idx[d->to - 1 - (k - d->from)]; /* newest first */
		const struct site_entry *e = &r->c->e[i];
		const struct entry_out *eo = r->eo[i];
		struct feed_atom_entry *t = &en[k - d->from];
		t->guid = e->s->guid && *e->s->guid ? e->s->guid : e->s->slug;
		t->title = e->s->title;
		t->link = eo->link;
		t->author = e->s->byline;
		t->published = e->s->published_at;
		/* publication dates, not edit times: the same bundles give the same bytes */
		t->updated = 0;
		t->summary = e->s->summary;
		t->warnings = e->s->warnings;
		t->content_html = eo->html;
		t->content_len = eo->html_len;
		if (is_episode(e)) {
			t->enclosure_url = eo->enclosure;
			t->enclosure_type = "audio/mpeg";
			t->enclosure_length = e->m.audio[0].size;
		}
	}
	struct feed_atom_feed f = {
		.id = r->atom_id,
		.title = s->title,
		.subtitle = s->description && *s->description ? s->description : NULL,
		.link = r->home,
		.feed_url = self,
		.author = s->author && *s->author ? s->author : s->title,
		.language = s->language,
		.icon_url = r->cover,
		.rights = s->license,
		.updated = doc_date(&d->a, d->newest),
		.hubs = (const char *const *)s->notify_hubs,
		.n_hubs = strv_len(s->notify_hubs),
		.archive = d->a,
	};
	rc = feed_atom(&f, en, d->to - d->from, out, err);
	free(en);
	free(self);
	return rc;
}

/* Makes document k and writes it into staging; its errors name it. */
static int doc_write(struct run *r, size_t k, struct hearth_err *err)
{
	const struct doc *d = &r->docs[k];
	struct buf out = spare_take(r);
	int rc = d->sh ? show_doc(r, d, &out, err) : atom_doc(r, d, &out, err);

	if (!rc)
		rc = site_write(r->o->staging, d->rel, out.data, out.len, err);
	if (rc && rc != SITE_AGAIN)
		herr_prefix(err, "%s", d->rel);
	spare_give(r, &out);
	return rc;
}

/* Entry k of the made documents' entries (r->work): its addresses, HTML. */
static int entry_make(struct run *r, size_t k, struct hearth_err *err)
{
	(void)err;
	entry_render(r, r->work[k]);
	return 0;
}

/* Entry k's key (r->work lists the entries with their own). */
static int entry_key_make(struct run *r, size_t k, struct hearth_err *err)
{
	(void)err;
	entry_key(r, r->work[k]);
	return 0;
}

/* Tasks 0..n-1 of one kind shared by threads, a chunk at a time. */
struct pool {
	struct run *r;
	int (*task)(struct run *r, size_t k, struct hearth_err *err);
	size_t n, chunk, next;
	pthread_mutex_t mu;
	int rc;
	size_t failed;            /* the first task (in order) that failed */
	struct hearth_err err;
};

static void *pool_worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		size_t from, to;
		pthread_mutex_lock(&p->mu);
		from = p->next;
		to = from + p->chunk < p->n ? from + p->chunk : p->n;
		p->next = to;
		/* after a failure, tasks before it still run: the first one is named */
		if (p->rc && from > p->failed)
			from = to;
		pthread_mutex_unlock(&p->mu);
		if (from >= to)
			return NULL;
		for (size_t k = from; k < to; k++) {
			struct hearth_err err = {0};
			int rc = p->task(p->r, k, &err);
			if (!rc)
				continue;
			pthread_mutex_lock(&p->mu);
			if (!p->rc || k < p->failed) {
				p->rc = rc;
				p->failed = k;
				p->err = err;
			}
			pthread_mutex_unlock(&p->mu);
			break;
		}
	}
}

/*
 * Runs task for 0..n-1 on every core (a chunk at a time), this thread
 * among them. The result is that of the first task, in order, that failed:
 * the same whichever thread ran it.
 */
static int pool_run(struct run *r, int (*task)(struct run *, size_t, struct hearth_err *),
		    size_t n, size_t chunk, struct hearth_err *err)
{
	struct pool p = {.r = r, .task = task, .n = n, .chunk = chunk};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t threads = cpus > 1 ? (size_t)cpus : 1, started = 0;
	pthread_t tid[FEEDS_THREADS];

	if (threads > FEEDS_THREADS)
		threads = FEEDS_THREADS;
	if (threads > (n + chunk - 1) / chunk)
		threads = (n + chunk - 1) / chunk;
	pthread_mutex_init(&p.mu, NULL);
	for (size_t i = 1; i < threads; i++, started++)
		if (pthread_create(&tid[started], NULL, pool_worker, &p) != 0)
			break;
	pool_worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&p.mu);
	if (p.rc)
		*err = p.err;
	return p.rc;
}

/* The key and the newest date of planned document k; on every core. */
static int doc_key_make(struct run *r, size_t k, struct hearth_err *err)
{
	struct doc *d = &r->docs[k];
	const struct show *sh = d->sh;
	const size_t *idx = sh ? sh->idx : r->atom_idx;
	struct sha256 h;

	(void)err;
	doc_key(r, &h, d->rel);
	if (sh) {
		key_str(&h, sh->title);
		key_str(&h, sh->description);
		key_str(&h, sh->link);
		key_str(&h, sh->guid);
		key_int(&h, sh->serial);
		key_str(&h, sh->medium);
	} else {
		key_str(&h, r->atom_id);
	}
	key_archive(&h, &d->a);
	for (size_t k2 = d->from; k2 < d->to; k2++) {
		const struct site_entry *e = &r->c->e[idx[k2]];
		key_entry(r, &h, idx[k2]);
		if (sh)
			key_int(&h, sh->serial ? (int64_t)k2 + 1 : 0);
		if (e->s->published_at > d->newest)
			d->newest = e->s->published_at;
	}
	key_hex(&h, d->key);
	return 0;
}

/*
 * Every planned document's key, made on every core, then (in order, on
 * this thread) each one the current site's copy was made with is kept
 * and left out of the documents to make.
 */
static int docs_keep(struct run *r, struct hearth_err *err)
{
	int rc = pool_run(r, doc_key_make, r->n_docs, 4, err);
	size_t n = 0;
	for (size_t k = 0; !rc && k < r->n_docs; k++) {
		if (r->o->keep(r->o->arg, r->docs[k].rel, r->docs[k].key))
			doc_free(&r->docs[k]);
		else
			r->docs[n++] = r->docs[k];
	}
	if (!rc)
		r->n_docs = n;
	return rc;
}

/*
 * Makes every planned document: the entries they hold first (the bodies
 * read from the catalogue on this thread, then the addresses and HTML on
 * every core), then the documents themselves on every core. Each document
 * is independent, and its bytes do not depend on the thread that made it.
 */
static int docs_write(struct run *r, struct hearth_err *err)
{
	static struct entry_out seen; /* marks an entry listed, until its own is there */
	size_t n = 0, most = 0;
	int rc;

	if (!r->n_docs)
		return 0;
	for (size_t k = 0; k < r->n_docs; k++)
		most += r->docs[k].to - r->docs[k].from;
	if (most > r->c->n)
		most = r->c->n;
	free(r->work);
	r->work = xcalloc(most + 1, sizeof *r->work);
	r->eo = xcalloc(r->c->n + 1, sizeof *r->eo);
	for (size_t k = 0; k < r->n_docs; k++) {
		const struct doc *d = &r->docs[k];
		const size_t *idx = d->sh ? d->sh->idx : r->atom_idx;
		for (size_t j = d->from; j < d->to; j++) {
			size_t i = idx[j];
			if (r->eo[i])
				continue;
			r->eo[i] = &seen;
			r->work[n++] = i;
		}
	}
	r->eo_mem = xcalloc(n + 1, sizeof *r->eo_mem);
	r->n_eo = n;
	for (size_t k = 0; k < n; k++)
		r->eo[r->work[k]] = &r->eo_mem[k];
	rc = entries_bodies(r, n, err);
	if (!rc)
		rc = pool_run(r, entry_make, n, 32, err);
	if (!rc)
		rc = pool_run(r, doc_write, r->n_docs, 1, err);
	return rc;
}

/* feeds.opml: every feed above. */
static int opml_write(struct run *r, struct hearth_err *err)
{
	struct buf out = BUF_INIT;
	struct sha256 h;
	char key[65];
	int rc = 0;

	doc_key(r, &h, "feeds.opml");
	for (size_t i = 0; i < r->n_opml; i++) {
		key_str(&h, r->opml[i].text);
		key_str(&h, r->opml[i].type);
		key_str(&h, r->opml[i].xml_url);
		key_str(&h, r->opml[i].html_url);
	}
	key_hex(&h, key);
	if (r->o->keep(r->o->arg, "feeds.opml", key))
		return 0;
	char *title = xasprintf("%s: every feed", r->c->set->title);
	if (!(rc = feed_opml(title, r->opml, r->n_opml, &out, err)))
		rc = site_write(r->o->staging, "feeds.opml", out.data, out.len, err);
	if (rc)
		herr_prefix(err, "feeds.opml");
	free(title);
	buf_release(&out);
	return rc;
}

/* ---- the whole ------------------------------------------------------------ */

/*
 * Before anything is written: an episode-to-be with no rendition (a story
 * with podcast consent and a sound that has no MP3) is an error, not an
 * item quietly left out.
 */
static int check_renditions(const struct site_ctx *c, struct hearth_err *err)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct site_entry *e = &c->e[i];
		if (e->on_podcast && e->s->sound && e->m.n_audio == 0)
			return herr(err, HEARTH_EINVAL,
				    "story '%s': %s: has no MP3 rendition to publish in the "
				    "feeds",
				    e->s->slug, lib_role_name(e->s->sound->role));
		if (e->m.n_audio && e->m.audio[0].size <= 0)
			return herr(err, HEARTH_EINVAL,
				    "story '%s': %s: its MP3 rendition is empty", e->s->slug,
				    lib_role_name(e->m.audio[0].role));
	}
	return 0;
}

/* True when some feed of the build will have episodes. */
static bool any_episode(const struct site_ctx *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (is_episode(&c->e[i]))
			return true;
	return false;
}

/*
 * Where the episodes' files are published: a preview's own address; else
 * podcast.media_url; else the stored media origin; else base_url, stored
 * as the origin by the first build with episodes from the library's own
 * base_url.
 */
static int media_base(struct run *r, struct hearth_err *err)
{
	const struct lib_settings *s = r->c->set;
	const char *b = r->c->base_url;

	if (r->preview) {
		r->media = xstrdup(b);
		return 0;
	}
	if (s->media_url && *s->media_url) {
		r->media = path_strip_slashes(s->media_url);
		return 0;
	}
	if (s->media_origin && *s->media_origin) {
		r->media = xstrdup(s->media_origin);
		return 0;
	}
	if (r->lib && any_episode(r->c) && !lib_base_url_is_placeholder(b))
		return lib_media_origin(r->lib, b, true, &r->media, err);
	r->media = xstrdup(b);
	return 0;
}

int pipe_feeds_precheck(const struct site_ctx *c, struct hearth_err *err)
{
	struct run r = {.c = c};
	struct feed_channel ch;
	bool episodes = false;
	int rc;

	for (size_t i = 0; i < c->n && !episodes; i++)
		episodes = c->e[i].on_podcast && c->e[i].s->sound;
	if (episodes && lib_base_url_is_placeholder(c->base_url))
		return herr(err, HEARTH_EINVAL,
			    "base_url: '%s' is the placeholder 'hearth init' writes; set base_url "
			    "in hearth.yaml to the address the site will be served from (or "
			    "build a preview with --base-url)",
			    c->base_url);
	r.home = xasprintf("%s/", c->base_url);
	r.cover = c->cover_src ? xasprintf("%s/%s", c->base_url, c->cover_src) : NULL;
	r.people = xcalloc(c->set->n_people + 1, sizeof *r.people);
	for (size_t i = 0; i < c->set->n_people; i++)
		r.people[i] = (struct feed_person){.name = c->set->people[i].name,
						   .role = c->set->people[i].role,
						   .href = c->set->people[i].href,
						   .img = c->set->people[i].img};
	char *self = xasprintf("%s/feed.xml", c->base_url);
	struct show sh = {.rel = "feed.xml", .dir = "", .title = c->set->title,
			  .description = c->set->description && *c->set->description
						 ? c->set->description
						 : c->set->title,
			  .link = r.home};
	channel_fill(&r, &sh, &ch, NULL);
	ch.feed_url = self;
	rc = feed_check_channel(&ch, episodes ? 1 : 0, err);
	free(self);
	free(r.people);
	free(r.home);
	free(r.cover);
	return rc;
}

int pipe_feeds_write(hearth_lib *lib, const struct site_ctx *c, const struct pipe_feed_out *o,
		     struct site_stats *st, struct hearth_err *err)
{
	const struct lib_settings *s = c->set;
	struct run r = {.lib = lib, .c = c, .o = o};
	int rc;

	pthread_mutex_init(&r.spare_mu, NULL);
	r.preview = !s->base_url || strcmp(c->base_url, s->base_url) != 0;
	r.home = xasprintf("%s/", c->base_url);
	r.cover = c->cover_src ? xasprintf("%s/%s", c->base_url, c->cover_src) : NULL;
	r.people = xcalloc(s->n_people + 1, sizeof *r.people);
	for (size_t i = 0; i < s->n_people; i++)
		r.people[i] = (struct feed_person){.name = s->people[i].name,
						   .role = s->people[i].role,
						   .href = s->people[i].href,
						   .img = s->people[i].img};
	if ((rc = check_renditions(c, err)) || (rc = media_base(&r, err)))
		goto end;
	common_key(&r);
	xmlInitParser(); /* before libxml2 is used on several threads */
	/* the keys of the entries with their own first, on every core: the plan reads them */
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		n += (is_episode(&c->e[i]) || in_atom(&c->e[i])) && own_key(&c->e[i]);
	if (n) {
		r.ekey = xmalloc(c->n * sizeof *r.ekey);
		r.work = xcalloc(n, sizeof *r.work);
		n = 0;
		for (size_t i = 0; i < c->n; i++)
			if ((is_episode(&c->e[i]) || in_atom(&c->e[i])) && own_key(&c->e[i]))
				r.work[n++] = i;
	}
	rc = pool_run(&r, entry_key_make, n, 64, err);
	if (!rc)
		rc = main_show(&r, err);
	if (!rc)
		rc = collection_shows(&r, err);
	if (!rc)
		rc = atom_plan(&r, err);
	if (!rc)
		rc = docs_keep(&r, err);
	if (!rc)
		rc = opml_write(&r, err);
	if (!rc)
		rc = docs_write(&r, err);
end:
	if (st)
		st->feed_items = r.items;
	entries_release(&r);
	for (size_t i = 0; i < r.n_shows; i++)
		show_free(r.shows[i]);
	free(r.shows);
	for (size_t i = 0; i < r.n_docs; i++)
		doc_free(&r.docs[i]);
	free(r.docs);
	free(r.atom_idx);
	free(r.atom_id);
	free(r.atom_cur);
	free(r.work);
	strv_free(r.strs);
	free(r.opml);
	free(r.people);
	for (size_t i = 0; i < r.n_spare; i++)
		buf_release(&r.spare[i]);
	free(r.spare);
	pthread_mutex_destroy(&r.spare_mu);
	free(r.media);
	free(r.home);
	free(r.cover);
	return rc;
}
