/*
 * view.c - the public view as XML: one document per page, built with the
 * libxml2 tree API from the records in struct site_ctx, for the theme's
 * XSLT to turn into HTML. Every text and attribute goes in through the tree
 * API, so escaping is libxml2's job, never ours.
 *
 * Only fields of struct pub_story (and the site settings) go into these
 * documents: the public view of the library is the whole input. Markdown
 * bodies come in as XHTML nodes (markdown.c), so the theme copies a tree,
 * never a string of markup.
 *
 * The vocabulary (paths are relative to the site root; the theme puts its
 * root parameter in front):
 *
 *   <page type="home|story|stories|collection|404" base="https://...">
 *     <site collections="N"><title/> <description/> <language/> <author/>
 *       <license/> <crisis url/> <feed href="feed.xml" url="..."/> <cover src="cover.jpg"/></site>
 *       (crisis: the footer's support line and its link, site.crisis_*)
 *     <story slug href anonymous="yes|no" audio="yes|no">
 *       <title/> <summary/> <byline/> <published iso>10 May 2024</published>
 *       (the theme writes the date in the site's language from iso)
 *       <language/> <license/> <warnings><warning/></warnings>
 *       <themes><theme/></themes> <tags><tag/></tags> <season/> <episode/>
 *       (story pages only:)
 *       <audio src type role duration clock size size-human>
 *         <alternate src type size size-human/>   (the same as AAC in M4A)
 *         <waveform src peaks/>                   (SVG; peaks as JSON)
 *       </audio>
 *       <chapters><chapter start clock duration>Title</chapter></chapters>
 *       <art src alt width height>      (src: the largest JPEG)
 *         <image type="image/jpeg|image/webp" src width height/>...
 *       </art>                          (narrowest first, per type)
 *       <body>XHTML</body>
 *       <transcript src><line/></transcript>
 *     </story>
 *     home: <stories count href><story/>...</stories>   (the latest few; count:
 *             all of them; href: the list of all)
 *           <collections><collection slug href count/>...</collections>
 *     stories: <stories count href page pages><story/>...</stories> <pager/>
 *     collection: <collection slug href count page pages><title/> <description/>
 *                 <stories>...</stories></collection> <pager/>
 *     pager (only when a list has more than one page):
 *       <pager page pages size> <prev href/> <next href/>
 *         <link n href current="yes|no"/> <gap/> ... </pager>
 *   </page>
 */
#include "siteInt.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static xmlNodePtr add(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, BAD_CAST name, text ? BAD_CAST text : NULL);
}

static void set(xmlNodePtr n, const char *name, const char *value)
{
	if (value)
		xmlSetProp(n, BAD_CAST name, BAD_CAST value);
}

static void set_int(xmlNodePtr n, const char *name, int64_t v)
{
	char s[32];
	snprintf(s, sizeof s, "%" PRId64, v);
	set(n, name, s);
}

/* A text element only when the text is there. */
static void add_opt(xmlNodePtr parent, const char *name, const char *text)
{
	if (text && *text)
		add(parent, name, text);
}

/* <list><item/>...</list> for a NULL-terminated array; nothing when empty. */
static void add_list(xmlNodePtr parent, const char *list, const char *item, char **v)
{
	if (!v || !v[0])
		return;
	xmlNodePtr l = add(parent, list, NULL);
	for (; *v; v++)
		add(l, item, *v);
}

/* "10 May 2024"; out needs 32 bytes. */
static void human_date(int64_t t, char out[32])
{
	static const char *months[] = {"January", "February", "March",     "April",
				       "May",     "June",     "July",      "August",
				       "September", "October", "November", "December"};
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(out, 32, "%d %s %d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
}

/* ---- pages --------------------------------------------------------------- */

static xmlDocPtr new_page(const struct site_ctx *c, const char *type, xmlNodePtr *root)
{
	const struct lib_settings *s = c->set;
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr page = xmlNewDocNode(doc, NULL, BAD_CAST "page", NULL);
	xmlDocSetRootElement(doc, page);
	set(page, "type", type);
	set(page, "base", c->base_url);

	xmlNodePtr site = add(page, "site", NULL);
	set_int(site, "collections", (int64_t)c->n_colls);
	add(site, "title", s->title ? s->title : "");
	add_opt(site, "description", s->description);
	add(site, "language", s->language && *s->language ? s->language : "en");
	add_opt(site, "author", s->author);
	add_opt(site, "license", s->license);
	if ((s->site_crisis_line && *s->site_crisis_line) || s->site_crisis_url)
		set(add(site, "crisis", s->site_crisis_line), "url", s->site_crisis_url);
	xmlNodePtr feed = add(site, "feed", NULL);
	set(feed, "href", "feed.xml");
	char *url = xasprintf("%s/feed.xml", c->base_url);
	set(feed, "url", url);
	free(url);
	if (c->cover_src)
		set(add(site, "cover", NULL), "src", c->cover_src);
	*root = page;
	return doc;
}

static char *story_href(const char *slug)
{
	return xasprintf("stories/%s/index.html", slug);
}

/* The parts of a story every listing shows. */
static xmlNodePtr story_node(xmlNodePtr parent, const struct site_entry *e)
{
	const struct pub_story *s = e->s;
	char iso[21], human[32];
	xmlNodePtr n = add(parent, "story", NULL);
	char *href = story_href(s->slug);

	set(n, "slug", s->slug);
	set(n, "href", href);
	free(href);
	set(n, "anonymous", s->byline && !strcmp(s->byline, "Anonymous") ? "yes" : "no");
	set(n, "audio", e->m.n_audio ? "yes" : "no");
	add(n, "title", s->title ? s->title : "");
	add_opt(n, "summary", s->summary);
	add_opt(n, "byline", s->byline);
	if (s->published_at) {
		date_iso(s->published_at, iso);
		human_date(s->published_at, human);
		set(add(n, "published", human), "iso", iso);
	}
	add_opt(n, "language", s->language);
	add_opt(n, "license", s->license);
	add_list(n, "warnings", "warning", s->warnings);
	add_list(n, "themes", "theme", s->themes);
	add_list(n, "tags", "tag", s->tags);
	if (s->season > 0)
		set_int(add(n, "season", NULL), "n", s->season);
	if (s->episode > 0)
		set_int(add(n, "episode", NULL), "n", s->episode);
	return n;
}

/* The transcript's plain text, one <line> per non-empty line. */
static void transcript_node(xmlNodePtr story, const struct site_media *m)
{
	xmlNodePtr t = add(story, "transcript", NULL);
	set(t, "src", m->vtt_src);
	const char *p = m->transcript ? m->transcript : "";
	while (*p) {
		const char *q = strchr(p, '\n');
		size_t n = q ? (size_t)(q - p) : strlen(p);
		char *line = xstrndup(p, n);
		if (*str_trim(line))
			add(t, "line", line);
		free(line);
		if (!q)
			break;
		p = q + 1;
	}
}

/* <image type src width height/> for each rendition of a piece of art. */
static void image_nodes(xmlNodePtr art, const char *type, const struct site_image *v,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i].src)
			continue;
		xmlNodePtr im = add(art, "image", NULL);
		set(im, "type", type);
		set(im, "src", v[i].src);
		set_int(im, "width", v[i].width);
		set_int(im, "height", v[i].height);
	}
}

/*
 * The chapters of the first track: start in seconds (as in the JSON),
 * clock ("1:30") to show, and duration, the start as ISO 8601 for <time>.
 */
static void chapters_node(xmlNodePtr story, const struct pub_story *s)
{
	xmlNodePtr l = add(story, "chapters", NULL);
	char num[48];
	for (size_t i = 0; i < s->n_chapters; i++) {
		const struct pub_chapter *ch = &s->chapters[i];
		long long ms = (long long)(ch->start * 1000 + 0.5);
		xmlNodePtr n = add(l, "chapter", ch->title);
		if (ms % 1000)
			snprintf(num, sizeof num, "%lld.%03lld", ms / 1000, ms % 1000);
		else
			snprintf(num, sizeof num, "%lld", ms / 1000);
		set(n, "start", num);
		fmt_clock((double)(ms / 1000), 0, num);
		set(n, "clock", num);
		if (ms % 1000)
			snprintf(num, sizeof num, "PT%lld.%03lldS", ms / 1000, ms % 1000);
		else
			snprintf(num, sizeof num, "PT%lldS", ms / 1000);
		set(n, "duration", num);
	}
}

xmlDocPtr site_page_story(const struct site_ctx *c, const struct site_entry *e)
{
	xmlNodePtr page;
	xmlDocPtr doc = new_page(c, "story", &page);
	xmlNodePtr n = story_node(page, e);
	const struct site_media *m = &e->m;
	char num[32];

	for (size_t i = 0; i < m->n_audio; i++) {
		const struct site_audio *a = &m->audio[i];
		xmlNodePtr au = add(n, "audio", NULL);
		set(au, "src", a->src);
		set(au, "type", "audio/mpeg");
		set(au, "role", lib_role_name(a->role));
		set_int(au, "duration", (int64_t)(a->duration + 0.5));
		fmt_clock(a->duration, 0, num);
		set(au, "clock", num);
		set_int(au, "size", a->size);
		fmt_size(a->size, num);
		set(au, "size-human", num);
		if (a->m4a_src) {
			xmlNodePtr alt = add(au, "alternate", NULL);
			set(alt, "src", a->m4a_src);
			set(alt, "type", "audio/mp4");
			set_int(alt, "size", a->m4a_size);
			fmt_size(a->m4a_size, num);
			set(alt, "size-human", num);
		}
		if (a->waveform_src) {
			xmlNodePtr w = add(au, "waveform", NULL);
			set(w, "src", a->waveform_src);
			set(w, "peaks", a->peaks_src);
		}
	}
	if (m->n_audio && e->s->n_chapters)
		chapters_node(n, e->s);
	for (size_t i = 0; i < m->n_art; i++) {
		const struct site_art *a = &m->art[i];
		xmlNodePtr art = add(n, "art", NULL);
		set(art, "src", a->src);
		set(art, "alt", a->alt ? a->alt : "");
		set_int(art, "width", a->width);
		set_int(art, "height", a->height);
		image_nodes(art, "image/jpeg", a->jpeg, a->n_sizes);
		image_nodes(art, "image/webp", a->webp, a->n_sizes);
	}
	site_markdown_nodes(add(n, "body", NULL), e->s->body);
	if (m->vtt_src || m->transcript)
		transcript_node(n, m);
	return doc;
}

/* ---- lists of stories in pages ------------------------------------------ */

size_t site_list_pages(size_t n)
{
	return n ? (n + SITE_PER_PAGE - 1) / SITE_PER_PAGE : 1;
}

void site_list_range(size_t n, size_t page, size_t *from, size_t *to)
{
	size_t a = page > 0 ? (page - 1) * SITE_PER_PAGE : 0;
	*from = a < n ? a : n;
	*to = n - *from < SITE_PER_PAGE ? n : *from + SITE_PER_PAGE;
}

char *site_list_rel(const char *base, size_t page)
{
	if (page <= 1)
		return xasprintf("%s/index.html", base);
	return xasprintf("%s/page/%zu/index.html", base, page);
}

char *site_root_of(const char *rel)
{
	struct buf b = BUF_INIT;
	for (const char *p = rel; *p; p++)
		if (*p == '/')
			buf_puts(&b, "../");
	if (!b.data)
		return xstrdup("");
	return buf_detach(&b);
}

/*
 * <pager page pages> for a list of more than one page: <prev href/>,
 * <next href/>, and <link n href current="yes|no"/> for the first and
 * last pages and the two either side of this one, with <gap/> where
 * pages are left out.
 */
static void pager_node(xmlNodePtr parent, const char *base, size_t page, size_t pages)
{
	if (pages <= 1)
		return;
	xmlNodePtr n = add(parent, "pager", NULL);
	char *href;
	set_int(n, "page", (int64_t)page);
	set_int(n, "pages", (int64_t)pages);
	set_int(n, "size", SITE_PER_PAGE);
	if (page > 1) {
		href = site_list_rel(base, page - 1);
		set(add(n, "prev", NULL), "href", href);
		free(href);
	}
	if (page < pages) {
		href = site_list_rel(base, page + 1);
		set(add(n, "next", NULL), "href", href);
		free(href);
	}
	size_t last_shown = 0;
	for (size_t k = 1; k <= pages; k++) {
		if (k != 1 && k != pages && (k + 2 < page || k > page + 2))
			continue;
		if (last_shown && k > last_shown + 1)
			add(n, "gap", NULL);
		xmlNodePtr l = add(n, "link", NULL);
		set_int(l, "n", (int64_t)k);
		href = site_list_rel(base, k);
		set(l, "href", href);
		free(href);
		set(l, "current", k == page ? "yes" : "no");
		last_shown = k;
	}
}

/* <stories> holding list->v[from, to). */
static xmlNodePtr story_list(xmlNodePtr parent, const struct site_list *l, size_t from,
			     size_t to)
{
	xmlNodePtr n = add(parent, "stories", NULL);
	for (size_t i = from; i < to && i < l->n; i++)
		story_node(n, l->v[i]);
	return n;
}

/* A collection with its count and, for its own page, the page's stories. */
static xmlNodePtr collection_node(xmlNodePtr parent, const struct site_ctx *c, size_t i,
				  size_t page)
{
	const struct pub_collection *coll = c->colls[i];
	const struct site_list *l = &c->in_coll[i];
	xmlNodePtr n = add(parent, "collection", NULL);
	char *href = xasprintf("collections/%s/index.html", coll->slug);

	set(n, "slug", coll->slug);
	set(n, "href", href);
	free(href);
	set_int(n, "count", (int64_t)l->n);
	add(n, "title", coll->title ? coll->title : coll->slug);
	add_opt(n, "description", coll->description);
	if (page) {
		size_t from, to;
		site_list_range(l->n, page, &from, &to);
		set_int(n, "page", (int64_t)page);
		set_int(n, "pages", (int64_t)site_list_pages(l->n));
		story_list(n, l, from, to);
	}
	return n;
}

xmlDocPtr site_page_home(const struct site_ctx *c)
{
	xmlNodePtr page;
	xmlDocPtr doc = new_page(c, "home", &page);
	xmlNodePtr l = story_list(page, &c->on_site, 0, SITE_HOME_LATEST);
	set_int(l, "count", (int64_t)c->on_site.n);
	set(l, "href", "stories/index.html");
	l = add(page, "collections", NULL);
	for (size_t i = 0; i < c->n_colls; i++)
		collection_node(l, c, i, 0);
	return doc;
}

xmlDocPtr site_page_stories(const struct site_ctx *c, size_t n_page)
{
	xmlNodePtr page;
	xmlDocPtr doc = new_page(c, "stories", &page);
	size_t from, to, pages = site_list_pages(c->on_site.n);
	site_list_range(c->on_site.n, n_page, &from, &to);
	xmlNodePtr l = story_list(page, &c->on_site, from, to);
	set_int(l, "count", (int64_t)c->on_site.n);
	set(l, "href", "stories/index.html");
	set_int(l, "page", (int64_t)n_page);
	set_int(l, "pages", (int64_t)pages);
	pager_node(page, "stories", n_page, pages);
	return doc;
}

xmlDocPtr site_page_collection(const struct site_ctx *c, size_t coll, size_t n_page)
{
	xmlNodePtr page;
	xmlDocPtr doc = new_page(c, "collection", &page);
	collection_node(page, c, coll, n_page ? n_page : 1);
	char *base = xasprintf("collections/%s", c->colls[coll]->slug);
	pager_node(page, base, n_page ? n_page : 1, site_list_pages(c->in_coll[coll].n));
	free(base);
	return doc;
}

xmlDocPtr site_page_404(const struct site_ctx *c)
{
	xmlNodePtr page;
	return new_page(c, "404", &page);
}
