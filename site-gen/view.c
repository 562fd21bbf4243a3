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
 *     <story slug href anonymous="yes|no" audio="yes|no" lang>
 *       (lang: the story's language, only when it is not the site's)
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
 *       <transcript src timed="yes|no"><line start clock duration/></transcript>
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
#include <strings.h>
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

/*
 * True when a story in lang is in another language than the site in
 * site_lang: their primary subtags differ ("en-GB" is not another
 * language on an "en" site, nor "fr" on a "fr-CA" one).
 */
static bool other_language(const char *lang, const char *site_lang)
{
	if (!lang || !*lang)
		return false;
	if (!site_lang || !*site_lang)
		site_lang = "en";
	size_t a = strcspn(lang, "-_"), b = strcspn(site_lang, "-_");
	return a != b || strncasecmp(lang, site_lang, a) != 0;
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

/*
 * <themes><theme href>Name</theme>...</themes> (or <tags><tag/>) with
 * each term's page; nothing when empty.
 */
static void term_list(xmlNodePtr parent, enum site_group_kind k, char **v)
{
	if (!v || !v[0])
		return;
	xmlNodePtr l = add(parent, k == SITE_THEMES ? "themes" : "tags", NULL);
	for (; *v; v++) {
		char *slug = site_group_slug(*v);
		char *href = xasprintf("%s/%s/index.html", site_group_dir(k), slug);
		set(add(l, k == SITE_THEMES ? "theme" : "tag", *v), "href", href);
		free(href);
		free(slug);
	}
}

static char *story_href(const char *slug)
{
	return xasprintf("stories/%s/index.html", slug);
}

/* The parts of a story every listing shows. */
static xmlNodePtr story_node(xmlNodePtr parent, const struct site_ctx *c,
			     const struct site_entry *e)
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
	if (other_language(s->language, c->set->language))
		set(n, "lang", s->language);
	add_opt(n, "license", s->license);
	add_list(n, "warnings", "warning", s->warnings);
	term_list(n, SITE_THEMES, s->themes);
	term_list(n, SITE_TAGS, s->tags);
	if (!s->anonymous && s->byline && *s->byline) {
		char *slug = site_group_slug(s->byline);
		char *bh = xasprintf("%s/%s/index.html", site_group_dir(SITE_PEOPLE), slug);
		set(n, "byline-href", bh);
		free(bh);
		free(slug);
	}
	if (s->season > 0)
		set_int(add(n, "season", NULL), "n", s->season);
	if (s->episode > 0)
		set_int(add(n, "episode", NULL), "n", s->episode);
	return n;
}

/*
 * A time as the player's links and the theme's <time> take it: start in
 * seconds ("90", "1.5"), clock ("1:30") to show, and duration, the same
 * as ISO 8601 ("PT1.5S").
 */
static void time_attrs(xmlNodePtr n, long long ms)
{
	char num[48];
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

/*
 * The transcript's plain text, one <line> per non-empty line (a cue),
 * each with its start (time_attrs) when the cues' times are known.
 */
static void transcript_node(xmlNodePtr story, const struct site_media *m)
{
	xmlNodePtr t = add(story, "transcript", NULL);
	set(t, "src", m->vtt_src);
	set(t, "timed", m->n_cues ? "yes" : "no");
	const char *p = m->transcript ? m->transcript : "";
	size_t k = 0;
	while (*p) {
		const char *q = strchr(p, '\n');
		size_t n = q ? (size_t)(q - p) : strlen(p);
		char *line = xstrndup(p, n);
		if (*str_trim(line)) {
			xmlNodePtr l = add(t, "line", line);
			if (k < m->n_cues)
				time_attrs(l, (long long)m->cue_ms[k]);
			k++;
		}
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

/* <art> with its renditions, as a story page shows it. */
static void art_node(xmlNodePtr parent, const struct site_art *a)
{
	xmlNodePtr art = add(parent, "art", NULL);
	set(art, "src", a->src);
	set(art, "alt", a->alt ? a->alt : "");
	set_int(art, "width", a->width);
	set_int(art, "height", a->height);
	image_nodes(art, "image/jpeg", a->jpeg, a->n_sizes);
	image_nodes(art, "image/webp", a->webp, a->n_sizes);
}

/*
 * The chapters of the first track: start in seconds (as in the JSON),
 * clock ("1:30") to show, and duration, the start as ISO 8601 for <time>.
 */
static void chapters_node(xmlNodePtr story, const struct pub_story *s)
{
	xmlNodePtr l = add(story, "chapters", NULL);
	for (size_t i = 0; i < s->n_chapters; i++) {
		const struct pub_chapter *ch = &s->chapters[i];
		time_attrs(add(l, "chapter", ch->title), (long long)(ch->start * 1000 + 0.5));
	}
}

static void story_jsonld(xmlNodePtr page, const struct site_ctx *c, const struct site_entry *e);
static void home_art(xmlNodePtr stories, const struct site_list *l);
static void home_themes(xmlNodePtr page, const struct site_ctx *c);
static void home_jsonld(xmlNodePtr page, const struct site_ctx *c);

xmlDocPtr site_page_story(const struct site_ctx *c, const struct site_entry *e)
{
	xmlNodePtr page;
	xmlDocPtr doc = new_page(c, "story", &page);
	xmlNodePtr n = story_node(page, c, e);
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
	for (size_t i = 0; i < m->n_art; i++)
		art_node(n, &m->art[i]);
	site_markdown_nodes(add(n, "body", NULL), e->s->body);
	if (m->vtt_src || m->transcript)
		transcript_node(n, m);
	story_jsonld(page, c, e);
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

void site_list_tail(struct buf *b, size_t page)
{
	if (page > 1)
		buf_printf(b, "page/%zu/", page);
	buf_puts(b, "index.html");
}

char *site_list_rel(const char *base, size_t page)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, base);
	buf_putc(&b, '/');
	site_list_tail(&b, page);
	return buf_detach(&b);
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
static xmlNodePtr story_list(xmlNodePtr parent, const struct site_ctx *c,
			     const struct site_list *l, size_t from, size_t to)
{
	xmlNodePtr n = add(parent, "stories", NULL);
	for (size_t i = from; i < to && i < l->n; i++)
		story_node(n, c, l->v[i]);
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
	if (coll->podcast) { /* pipeline/feeds.c writes it */
		href = xasprintf("collections/%s/feed.xml", coll->slug);
		set(n, "feed", href);
		free(href);
	}
	add(n, "title", coll->title ? coll->title : coll->slug);
	add_opt(n, "description", coll->description);
	if (page) {
		size_t from, to;
		site_list_range(l->n, page, &from, &to);
		set_int(n, "page", (int64_t)page);
		set_int(n, "pages", (int64_t)site_list_pages(l->n));
		story_list(n, c, l, from, to);
	}
	return n;
}

xmlDocPtr site_page_home(const struct site_ctx *c)
{
	xmlNodePtr page;
	xmlDocPtr doc = new_page(c, "home", &page);
	xmlNodePtr l = story_list(page, c, &c->on_site, 0, SITE_HOME_LATEST);
	set_int(l, "count", (int64_t)c->on_site.n);
	set(l, "href", "stories/index.html");
	home_art(l, &c->on_site);
	l = add(page, "collections", NULL);
	for (size_t i = 0; i < c->n_colls; i++)
		collection_node(l, c, i, 0);
	home_themes(page, c);
	home_jsonld(page, c);
	return doc;
}

xmlDocPtr site_page_stories(const struct site_ctx *c, size_t n_page)
{
	xmlNodePtr page;
	xmlDocPtr doc = new_page(c, "stories", &page);
	size_t from, to, pages = site_list_pages(c->on_site.n);
	site_list_range(c->on_site.n, n_page, &from, &to);
	xmlNodePtr l = story_list(page, c, &c->on_site, from, to);
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

/* ---- the pages a reader browses by -------------------------------------- */

const char *site_group_dir(enum site_group_kind k)
{
	return k == SITE_THEMES ? "themes" : k == SITE_TAGS ? "tags" : "contributors";
}

char *site_group_slug(const char *name)
{
	return slugify(name);
}

/*
 * Grouping. One pass over the stories, newest first, names each member's
 * group: a table by name gives the group of a name already seen (a tag
 * most stories carry is made a slug once), a table by slug joins the
 * names whose slugs are the same. A group keeps the spelling of the name
 * that first made it: the newest story's, its first name. The groups are
 * then sorted by slug once, and each group's stories, in one block of the
 * kind with the groups and their strings, are filled in the order of the
 * pass (newest first) without a sort of the members.
 */
struct grouping {
	size_t n_members, n_names, n_groups;
	uint32_t *member;       /* each member's group, in the pass's order */
	uint32_t *pos;          /* each member's story, in c->on_site */
	size_t mask;            /* the two tables' size less one */
	uint32_t *name_at;      /* 1 + an index into name and name_group, or 0 */
	const char **name;
	uint32_t *name_group;
	uint32_t *slug_at;      /* 1 + a group, or 0 */
	char **slug;            /* each group's slug (site_group_slug's) */
	const char **spelling;  /* each group's name */
	uint32_t *count;        /* each group's members */
	char *text;             /* the slugs, one after the other */
	size_t text_used, text_cap;
};

/* Room in grouping.text per member: a slug has at most 60 characters. */
#define SLUG_ROOM 64

/* The names of kind k a story carries, into one[] for a byline; NULL for none. */
static char **kind_names(const struct pub_story *s, enum site_group_kind k, char *one[2])
{
	if (k == SITE_THEMES)
		return s->themes;
	if (k == SITE_TAGS)
		return s->tags;
	/* the public byline only: never the person behind a pseudonym */
	if (s->anonymous || !s->byline || !*s->byline)
		return NULL;
	one[0] = (char *)s->byline;
	one[1] = NULL;
	return one;
}

static bool in_text(const struct grouping *w, const char *s)
{
	return s >= w->text && s < w->text + w->text_cap;
}

/* The group of a name seen for the first time: an existing one by its slug, or a new one. */
static uint32_t group_of_slug(struct grouping *w, const char *name)
{
	char *slug = site_group_slug(name);
	size_t len = strlen(slug) + 1;
	if (w->text_used + len <= w->text_cap) {
		/* kept in the scratch block: each slug's allocation is reused by the next */
		char *at = memcpy(w->text + w->text_used, slug, len);
		free(slug);
		slug = at;
		w->text_used += len;
	}
	size_t h = site_str_hash(slug) & w->mask;
	while (w->slug_at[h] && strcmp(w->slug[w->slug_at[h] - 1], slug))
		h = (h + 1) & w->mask;
	if (w->slug_at[h]) {
		if (!in_text(w, slug))
			free(slug);
		else
			w->text_used -= len;
		return w->slug_at[h] - 1;
	}
	uint32_t g = (uint32_t)w->n_groups++;
	w->slug_at[h] = g + 1;
	w->slug[g] = slug;
	w->spelling[g] = name;
	w->count[g] = 0;
	return g;
}

static uint32_t group_of(struct grouping *w, const char *name)
{
	size_t h = site_str_hash(name) & w->mask;
	while (w->name_at[h] && strcmp(w->name[w->name_at[h] - 1], name))
		h = (h + 1) & w->mask;
	if (w->name_at[h])
		return w->name_group[w->name_at[h] - 1];
	uint32_t g = group_of_slug(w, name);
	size_t i = w->n_names++;
	w->name[i] = name;
	w->name_group[i] = g;
	w->name_at[h] = (uint32_t)(i + 1);
	return g;
}

/* Aligns a size in a block up to a pointer's. */
static size_t align_ptr(size_t n)
{
	return (n + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);
}

/*
 * The groups of kind k into c->groups: one block holds the groups, then
 * their stories' arrays in slug order, then their slugs and names.
 */
static void make_groups(struct site_ctx *c, enum site_group_kind k, struct grouping *w,
			struct site_sort_key *key, struct site_sort_key *tmp, uint32_t *rank)
{
	struct site_groups *g = &c->groups;
	size_t n = w->n_groups, lists = 0, text = 0;

	for (size_t i = 0; i < n; i++) {
		key[i] = (struct site_sort_key){0, site_sort_prefix(w->slug[i]), w->slug[i], i};
		lists += w->count[i];
		text += strlen(w->slug[i]) + strlen(w->spelling[i]) + 2;
	}
	site_sort_keys(key, n, tmp);
	size_t head = align_ptr((n + 1) * sizeof(struct site_group));
	char *block = xmalloc_big(head + lists * sizeof(struct site_entry *) + text);
	struct site_group *v = (struct site_group *)(void *)block;
	const struct site_entry **list = (const struct site_entry **)(void *)(block + head);
	char *str = (char *)(list + lists);

	memset(v, 0, (n + 1) * sizeof *v);
	for (size_t r = 0; r < n; r++) {
		size_t i = key[r].i, ls = strlen(w->slug[i]) + 1, ln = strlen(w->spelling[i]) + 1;
		rank[i] = (uint32_t)r;
		v[r].slug = memcpy(str, w->slug[i], ls);
		v[r].name = memcpy(str + ls, w->spelling[i], ln);
		str += ls + ln;
		v[r].l.v = list;
		list += w->count[i];
	}
	for (size_t m = 0; m < w->n_members; m++) {
		struct site_list *l = &v[rank[w->member[m]]].l;
		const struct site_entry *e = c->on_site.v[w->pos[m]];
		/* a story naming the same term twice is on the page once */
		if (l->n && l->v[l->n - 1] == e)
			continue;
		l->v[l->n++] = e;
	}
	g->v[k] = v;
	g->n[k] = n;
}

/* The members of kind k: how many names the stories with a page carry. */
static size_t count_members(const struct site_ctx *c, enum site_group_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < c->on_site.n; i++) {
		char *one[2];
		char **names = kind_names(c->on_site.v[i]->s, k, one);
		for (size_t t = 0; names && names[t]; t++)
			n += *names[t] != '\0';
	}
	return n;
}

/* Puts each array of w at p, for up to n members; returns the end. */
static char *grouping_place(struct grouping *w, char *p, size_t n, size_t size)
{
	w->name_at = (uint32_t *)(void *)p;
	w->slug_at = w->name_at + size;
	p += align_ptr(2 * size * sizeof(uint32_t));
	w->name = (const char **)(void *)p;
	w->slug = (char **)(w->name + n);
	w->spelling = (const char **)(w->slug + n);
	p = (char *)(w->spelling + n);
	w->member = (uint32_t *)(void *)p;
	w->pos = w->member + n;
	w->name_group = w->pos + n;
	w->count = w->name_group + n;
	w->text = (char *)(w->count + n);
	w->text_used = 0;
	w->text_cap = n * SLUG_ROOM;
	return w->text + w->text_cap;
}

void site_ctx_groups(struct site_ctx *c)
{
	size_t most = 0, n[SITE_GROUP_KINDS];

	site_groups_release(&c->groups);
	for (int k = 0; k < SITE_GROUP_KINDS; k++) {
		n[k] = count_members(c, (enum site_group_kind)k);
		most = n[k] > most ? n[k] : most;
	}
	size_t size = site_table_size(most);
	/* one scratch block for every kind: the tables, the members, the sort */
	size_t table = align_ptr(2 * size * sizeof(uint32_t));
	size_t per = 3 * sizeof(char *) + 4 * sizeof(uint32_t) + SLUG_ROOM +
		     2 * sizeof(struct site_sort_key) + sizeof(uint32_t);
	char *block = xmalloc_big(table + most * per + sizeof(void *));
	struct site_sort_key *key = (struct site_sort_key *)(void *)(block + table +
		align_ptr(most * (3 * sizeof(char *) + 4 * sizeof(uint32_t) + SLUG_ROOM)));
	struct site_sort_key *tmp = key + most;
	uint32_t *rank = (uint32_t *)(tmp + most);

	for (int k = 0; k < SITE_GROUP_KINDS; k++) {
		struct grouping w = {.mask = size - 1};
		grouping_place(&w, block, most, size);
		memset(w.name_at, 0, 2 * size * sizeof(uint32_t));
		for (size_t i = 0; i < c->on_site.n; i++) {
			char *one[2];
			char **names = kind_names(c->on_site.v[i]->s, (enum site_group_kind)k, one);
			for (size_t t = 0; names && names[t]; t++) {
				if (!*names[t])
					continue;
				w.member[w.n_members] = group_of(&w, names[t]);
				w.pos[w.n_members++] = (uint32_t)i;
				w.count[w.member[w.n_members - 1]]++;
			}
		}
		make_groups(c, (enum site_group_kind)k, &w, key, tmp, rank);
		for (size_t i = 0; i < w.n_groups; i++)
			if (!in_text(&w, w.slug[i]))
				free(w.slug[i]);
	}
	free(block);
}

void site_groups_release(struct site_groups *g)
{
	for (int k = 0; k < SITE_GROUP_KINDS; k++) {
		xfree(&g->v[k]); /* the groups, their lists and strings are one block */
		g->n[k] = 0;
	}
}

static const char *group_type(enum site_group_kind k)
{
	return k == SITE_THEMES ? "theme" : k == SITE_TAGS ? "tag" : "contributor";
}

/* <group kind slug href count> <name/> for a group, without its stories. */
static xmlNodePtr group_node(xmlNodePtr parent, enum site_group_kind k,
			     const struct site_group *gr)
{
	xmlNodePtr n = add(parent, "group", NULL);
	char *href = xasprintf("%s/%s/index.html", site_group_dir(k), gr->slug);
	set(n, "kind", group_type(k));
	set(n, "slug", gr->slug);
	set(n, "href", href);
	free(href);
	set_int(n, "count", (int64_t)gr->l.n);
	add(n, "name", gr->name);
	return n;
}

xmlDocPtr site_page_group(const struct site_ctx *c, enum site_group_kind k, size_t i,
			  size_t n_page)
{
	const struct site_group *gr = &c->groups.v[k][i];
	xmlNodePtr page;
	xmlDocPtr doc = new_page(c, group_type(k), &page);
	size_t from, to, pages = site_list_pages(gr->l.n);
	if (!n_page)
		n_page = 1;
	site_list_range(gr->l.n, n_page, &from, &to);
	xmlNodePtr n = group_node(page, k, gr);
	set_int(n, "page", (int64_t)n_page);
	set_int(n, "pages", (int64_t)pages);
	story_list(n, c, &gr->l, from, to);
	char *base = xasprintf("%s/%s", site_group_dir(k), gr->slug);
	pager_node(page, base, n_page, pages);
	free(base);
	return doc;
}

/* <groups kind href> with every group of kind k; nothing when there is none. */
static void groups_node(xmlNodePtr parent, const struct site_ctx *c, enum site_group_kind k)
{
	if (!c->groups.n[k])
		return;
	xmlNodePtr l = add(parent, "groups", NULL);
	set(l, "kind", group_type(k));
	for (size_t i = 0; i < c->groups.n[k]; i++)
		group_node(l, k, &c->groups.v[k][i]);
}

xmlDocPtr site_page_group_index(const struct site_ctx *c, enum site_group_kind k)
{
	xmlNodePtr page;
	xmlDocPtr doc = new_page(c, k == SITE_PEOPLE ? "contributors" : "topics", &page);
	if (k == SITE_PEOPLE) {
		groups_node(page, c, SITE_PEOPLE);
	} else {
		groups_node(page, c, SITE_THEMES);
		groups_node(page, c, SITE_TAGS);
	}
	return doc;
}

/* For the home page: the most used themes first, then by slug. */
static _Thread_local const struct site_group *ranking;

static int by_use(const void *pa, const void *pb)
{
	const struct site_group *a = &ranking[*(const size_t *)pa],
				*b = &ranking[*(const size_t *)pb];
	if (a->l.n != b->l.n)
		return a->l.n > b->l.n ? -1 : 1;
	return strcmp(a->slug, b->slug);
}

/* The indices of the themes the home page names, in its order; *n of them. */
static size_t *home_theme_order(const struct site_ctx *c, size_t *n)
{
	size_t all = c->groups.n[SITE_THEMES];
	size_t *idx = xcalloc(all + 1, sizeof *idx);
	for (size_t i = 0; i < all; i++)
		idx[i] = i;
	ranking = c->groups.v[SITE_THEMES];
	if (all)
		qsort(idx, all, sizeof *idx, by_use);
	ranking = NULL;
	*n = all < SITE_HOME_THEMES ? all : SITE_HOME_THEMES;
	return idx;
}

static void home_themes(xmlNodePtr page, const struct site_ctx *c)
{
	size_t n;
	size_t *idx = home_theme_order(c, &n);
	if (n) {
		xmlNodePtr l = add(page, "groups", NULL);
		set(l, "kind", "theme");
		set_int(l, "total", (int64_t)c->groups.n[SITE_THEMES]);
		set(l, "href", "themes/index.html");
		for (size_t i = 0; i < n; i++)
			group_node(l, SITE_THEMES, &c->groups.v[SITE_THEMES][idx[i]]);
	}
	free(idx);
}

void site_home_themes(const struct site_ctx *c, const struct site_group **out, size_t *n)
{
	size_t *idx = home_theme_order(c, n);
	for (size_t i = 0; i < *n; i++)
		out[i] = &c->groups.v[SITE_THEMES][idx[i]];
	free(idx);
}

/* The first art of each of the latest stories, beside its listing. */
static void home_art(xmlNodePtr stories, const struct site_list *l)
{
	size_t i = 0;
	for (xmlNodePtr n = stories->children; n && i < l->n; n = n->next, i++)
		if (l->v[i]->m.n_art)
			art_node(n, &l->v[i]->m.art[0]);
}

/* ---- subscribe and about ------------------------------------------------- */

/* text with every byte outside [A-Za-z0-9-._~] as %XX; new allocation. */
static char *url_encode(const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			buf_putc(&b, (char)*p);
		} else {
			buf_putc(&b, '%');
			buf_putc(&b, hex[*p >> 4]);
			buf_putc(&b, hex[*p & 15]);
		}
	}
	return b.data ? buf_detach(&b) : xstrdup("");
}

static void app_link(xmlNodePtr parent, const char *name, char *href)
{
	set(add(parent, "app", *name ? name : NULL), "href", href);
	free(href);
}

xmlDocPtr site_page_subscribe(const struct site_ctx *c)
{
	xmlNodePtr page;
	xmlDocPtr doc = new_page(c, "subscribe", &page);
	char *url = xasprintf("%s/feed.xml", c->base_url);
	const char *bare = strstr(url, "://") ? strstr(url, "://") + 3 : url;
	char *enc = url_encode(url);
	xmlNodePtr sub = add(page, "subscribe", NULL);
	struct hearth_err ignored;

	set(sub, "feed-url", url);
	/* each app's own link, made of the feed's address alone */
	xmlNodePtr apps = add(sub, "apps", NULL);
	app_link(apps, "Apple Podcasts", xasprintf("podcast://%s", bare));
	app_link(apps, "Overcast", xasprintf("overcast://x-callback-url/add?url=%s", enc));
	app_link(apps, "Pocket Casts", xasprintf("pktc://subscribe/%s", bare));
	app_link(apps, "AntennaPod", xasprintf("antennapod-subscribe://%s", bare));
	app_link(apps, "", xasprintf("pcast://%s", bare));
	set(apps->last, "id", "other"); /* the theme names it, in the site's language */
	/* an address too long for a QR code only loses the picture; the theme labels it */
	site_qr_svg(add(sub, "qr", NULL), url, NULL, &ignored);

	xmlNodePtr feeds = add(sub, "feeds", NULL);
	for (size_t i = 0; i < c->n_colls; i++)
		if (c->colls[i]->podcast)
			collection_node(feeds, c, i, 0);
	free(enc);
	free(url);
	return doc;
}

xmlDocPtr site_page_about(const struct site_ctx *c)
{
	xmlNodePtr page;
	xmlDocPtr doc = new_page(c, "about", &page);
	const char *server = c->set->site_server_url;
	if (server && *server) { /* hearth serve's page where a peer types their code */
		size_t n = strlen(server);
		while (n && server[n - 1] == '/')
			n--;
		char *href = xasprintf("%.*s/receipt", (int)n, server);
		set(add(page, "receipts", NULL), "href", href);
		free(href);
	}
	return doc;
}

/* ---- what <head> says of a page ------------------------------------------ */

/*
 * The JSON-LD of a page as text for a <script>: every '<' written as
 * \\u003c (it only occurs inside strings), so "</script>" or "<!--" in a
 * title cannot end the script.
 */
static void add_jsonld(xmlNodePtr page, struct jw *w, struct buf *b)
{
	struct hearth_err ignored;
	if (jw_end(w, &ignored) == 0 && b->data) {
		struct buf safe = BUF_INIT;
		for (size_t i = 0; i < b->len; i++) {
			if (b->data[i] == '<')
				buf_puts(&safe, "\\u003c");
			else
				buf_putc(&safe, b->data[i]);
		}
		add(page, "jsonld", safe.data);
		buf_release(&safe);
	}
	buf_release(b);
}

static void jw_url(struct jw *w, const char *k, const struct site_ctx *c, const char *rel)
{
	char *u = xasprintf("%s/%s", c->base_url, rel);
	jw_kstr(w, k, u);
	free(u);
}

static void story_jsonld(xmlNodePtr page, const struct site_ctx *c, const struct site_entry *e)
{
	const struct pub_story *s = e->s;
	const struct site_media *m = &e->m;
	struct buf b = BUF_INIT;
	struct jw w;
	char iso[21], num[48];
	char *href = xasprintf("stories/%s/", s->slug); /* the canonical address */

	jw_init(&w, &b, false);
	jw_obj(&w);
	jw_kstr(&w, "@context", "https://schema.org");
	jw_kstr(&w, "@type", m->n_audio ? "PodcastEpisode" : "CreativeWork");
	jw_kstr(&w, "name", s->title);
	if (s->summary && *s->summary)
		jw_kstr(&w, "description", s->summary);
	jw_url(&w, "url", c, href);
	if (s->published_at) {
		date_iso(s->published_at, iso);
		jw_kstr(&w, "datePublished", iso);
	}
	if (s->language && *s->language)
		jw_kstr(&w, "inLanguage", s->language);
	if (!s->anonymous && s->byline && *s->byline) {
		jw_key(&w, "author");
		jw_obj(&w);
		jw_kstr(&w, "@type", "Person");
		jw_kstr(&w, "name", s->byline);
		jw_obj_end(&w);
	}
	if (s->license && *s->license)
		jw_kstr(&w, "license", s->license);
	if ((s->themes && s->themes[0]) || (s->tags && s->tags[0])) {
		struct buf kw = BUF_INIT;
		for (int k = 0; k < 2; k++)
			for (char **t = k ? s->tags : s->themes; t && *t; t++) {
				if (kw.len)
					buf_puts(&kw, ", ");
				buf_puts(&kw, *t);
			}
		jw_kstr(&w, "keywords", kw.data);
		buf_release(&kw);
	}
	if (m->n_art)
		jw_url(&w, "image", c, m->art[0].src);
	if (m->n_audio) {
		const struct site_audio *a = &m->audio[0];
		jw_key(&w, "associatedMedia");
		jw_obj(&w);
		jw_kstr(&w, "@type", "MediaObject");
		jw_url(&w, "contentUrl", c, a->src);
		jw_kstr(&w, "encodingFormat", "audio/mpeg");
		snprintf(num, sizeof num, "PT%lldS", (long long)(a->duration + 0.5));
		jw_kstr(&w, "duration", num);
		jw_obj_end(&w);
		jw_key(&w, "partOfSeries");
		jw_obj(&w);
		jw_kstr(&w, "@type", "PodcastSeries");
		jw_kstr(&w, "name", c->set->title);
		jw_url(&w, "url", c, "");
		jw_url(&w, "webFeed", c, "feed.xml");
		jw_obj_end(&w);
	} else {
		jw_key(&w, "isPartOf");
		jw_obj(&w);
		jw_kstr(&w, "@type", "WebSite");
		jw_kstr(&w, "name", c->set->title);
		jw_url(&w, "url", c, "");
		jw_obj_end(&w);
	}
	jw_obj_end(&w);
	free(href);
	add_jsonld(page, &w, &b);
}

static void home_jsonld(xmlNodePtr page, const struct site_ctx *c)
{
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b, false);
	jw_obj(&w);
	jw_kstr(&w, "@context", "https://schema.org");
	jw_kstr(&w, "@type", "WebSite");
	jw_kstr(&w, "name", c->set->title);
	if (c->set->description && *c->set->description)
		jw_kstr(&w, "description", c->set->description);
	jw_url(&w, "url", c, "");
	if (c->set->language && *c->set->language)
		jw_kstr(&w, "inLanguage", c->set->language);
	jw_obj_end(&w);
	add_jsonld(page, &w, &b);
}

void site_page_meta(const struct site_ctx *c, xmlDocPtr doc, const char *rel)
{
	xmlNodePtr page = xmlDocGetRootElement(doc);
	/* the address of a folder's index.html is the folder's */
	size_t n = strlen(rel);
	char *url;
	if (!strcmp(rel, "index.html"))
		url = xasprintf("%s/", c->base_url);
	else if (str_ends(rel, "/index.html"))
		url = xasprintf("%s/%.*s", c->base_url, (int)(n - strlen("index.html")), rel);
	else
		url = xasprintf("%s/%s", c->base_url, rel);
	set(page, "path", rel);
	set(page, "url", url);
	free(url);
}

/* ---- sitemap.xml and robots.txt ------------------------------------------ */

static void xml_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&apos;"); break;
		default: buf_putc(b, *s); break;
		}
	}
}

void site_sitemap(const struct site_ctx *c, char *const *rels, size_t n, struct buf *out)
{
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(rels[i]);
		buf_puts(out, "<url><loc>");
		xml_text(out, c->base_url);
		buf_putc(out, '/');
		/* the folder, as the pages' canonical links name it */
		char *rel = !strcmp(rels[i], "index.html") ? xstrdup("")
			    : str_ends(rels[i], "/index.html")
				? xstrndup(rels[i], len - strlen("index.html"))
				: xstrdup(rels[i]);
		xml_text(out, rel);
		free(rel);
		buf_puts(out, "</loc></url>\n");
	}
	buf_puts(out, "</urlset>\n");
}

void site_robots(const struct site_ctx *c, struct buf *out)
{
	buf_puts(out, "User-agent: *\nAllow: /\n\nSitemap: ");
	buf_puts(out, c->base_url);
	buf_puts(out, "/sitemap.xml\n");
}
