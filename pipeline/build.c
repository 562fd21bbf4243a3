/*
 * build.c - site_build(): the whole pipeline from the library's public
 * view to a finished folder. It reads the settings and the view of both
 * channels (site, podcast) at once, without the bodies, makes the media
 * renditions and JSON chapters, writes one HTML page per story on the
 * site (reading its body only then), the pages of the list of all
 * stories and of each collection, the home page and 404.html through the
 * theme, on every core, writes feed.xml from the podcast stories, and
 * publishes them.
 *
 * Only what changed is made: every file gets the key of what it is made
 * from (keys.c), and a file whose key is the one the current site's copy
 * was made with is kept as it is (state.c); when nothing the build reads
 * has changed it ends without writing anything. A small change is patched
 * into the site in place (the new files renamed in, the old ones removed,
 * under a state that trusts none of them until it is done); a large one
 * links the kept files into the staging folder and swaps it in. A
 * withdrawn story gets no key, so nothing of it is kept: it leaves no
 * trace.
 *
 * Consent decides what is made: a story only in the podcast view gets its
 * media and a feed item but no page and no link; a story only in the site
 * view gets a page whose player uses its audio. Nothing reads the clock:
 * the only times are the stories' own and SOURCE_DATE_EPOCH.
 */
#include "pipelineInt.h"
#include "../feeds/feeds.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

/* ---- results ------------------------------------------------------------- */

static int coll_by_slug(const void *pa, const void *pb)
{
	const struct pub_collection *const *a = pa, *const *b = pb;
	return strcmp((*a)->slug, (*b)->slug);
}

void site_stats_release(struct site_stats *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_failed; i++) {
		free(st->failed[i].slug);
		free(st->failed[i].reason);
	}
	xfree(&st->failed);
	st->n_failed = 0;
}

/*
 * Takes the stories whose media failed out of the build: out of c (so no
 * page, feed item, home or collection link names them) and out of the
 * staging folder (the renditions they did get). Order is kept.
 */
static int drop_failed(struct site_ctx *c, const char *staging, struct hearth_err *err)
{
	size_t k = 0;
	int rc = 0;

	for (size_t i = 0; i < c->n; i++) {
		struct site_entry *e = &c->e[i];
		if (!e->media_failed) {
			c->e[k++] = *e;
			continue;
		}
		char *dir = xasprintf("%s/media/%s", staging, e->s->slug);
		if (!rc && path_exists(dir))
			rc = rm_rf(dir, err);
		free(dir);
		site_media_release(&e->m);
	}
	c->n = k;
	return rc;
}

/* ---- pages --------------------------------------------------------------- */

/* What the pages are written with, and what the current site was made from. */
struct out {
	site_theme *theme;
	const char *staging;
	const char *common;            /* the key of what every page shows */
	struct sha256 common_h;        /* a hash that has taken common: page_key's start */
	const struct pipe_state *old;  /* the current site's state */
	struct pipe_state *now;        /* the new site's, filled as files are placed */
	pthread_mutex_t mu;            /* for now, from the media and page threads */
	lib_body_reader *bodies;       /* the stories' bodies, when the view has none */
	pthread_mutex_t body_mu;       /* for bodies, from the page threads */
};

/* Notes rel with its key (and src, for a rendition) in the new state. */
static void note_key(struct out *o, const char *rel, const char key[65], const char *src)
{
	pthread_mutex_lock(&o->mu);
	pipe_state_note(o->now, rel, key, src);
	pthread_mutex_unlock(&o->mu);
}

/*
 * Notes rel with key (and src, for a rendition) in the new state, kept
 * from the current site when it has that file made with that key and
 * unchanged: true then, and the file is not to be made. Kept files stay
 * where they are until the end of the build (see patch_or_swap).
 */
static bool keep(struct out *o, const char *rel, const char key[65], const char *src)
{
	const struct pipe_file *was = pipe_state_match(o->old, rel, key);
	pthread_mutex_lock(&o->mu);
	if (was)
		pipe_state_note_kept(o->now, was, src);
	else
		pipe_state_note(o->now, rel, key, src);
	pthread_mutex_unlock(&o->mu);
	return was != NULL;
}

/* Finishes h into a file's key, and notes rel with it in the new state. */
static void note(struct out *o, struct sha256 *h, const char *rel, char key[65])
{
	key_hex(h, key);
	note_key(o, rel, key, NULL);
}

/*
 * A new hash that starts with what every page shows, and the page's kind:
 * a copy of one that has taken the first part already, which saves a
 * block of hashing for each of a large site's pages.
 */
static void page_key(const struct out *o, struct sha256 *h, const char *kind)
{
	*h = o->common_h;
	key_str(h, kind);
}

/*
 * Writes staging/rel from the page document doc (which it frees) through
 * the theme, the HTML made in html (the calling thread's, reused from
 * page to page). The callers first try the current site's file of the
 * same key, and make the document only when there is none.
 */
static int write_page(struct out *o, xmlDocPtr doc, const char *rel, const char *root,
		      struct buf *html, struct hearth_err *err)
{
	buf_reset(html);
	int rc = site_theme_apply(o->theme, doc, root, html, err);
	xmlFreeDoc(doc);
	if (!rc)
		rc = site_write(o->staging, rel, html->data, html->len, err);
	if (rc)
		herr_prefix(err, "page '%s'", rel);
	return rc;
}

/* ---- pages on every core ------------------------------------------------ */

/*
 * One page to make: a story's, a page of a list, the home page or
 * 404.html; a page of a theme, a tag or a contributor (T_THEME, T_TAG,
 * T_PERSON: in the order of enum site_group_kind), the index of
 * themes and tags (T_TOPICS), of contributors (T_PEOPLE), the subscribe
 * and about pages, and the search page.
 */
enum task_kind { T_STORY, T_STORIES, T_COLLECTION, T_HOME, T_404, T_THEME, T_TAG,
		 T_PERSON, T_TOPICS, T_PEOPLE, T_SUBSCRIBE, T_ABOUT,
		 T_SEARCH };

struct task {
	enum task_kind kind;
	size_t i;    /* the entry (T_STORY), the collection (T_COLLECTION) or the group */
	size_t page; /* of a list, from 1 */
};

/* The kind of group of a T_THEME, T_TAG or T_PERSON task. */
#define TASK_GROUP(t) ((enum site_group_kind)((t)->kind - T_THEME))

/*
 * The pages of a build and the threads that make them. Each thread takes
 * the next task; the first failure stops the others from starting more,
 * and the failure of the earliest task among those that failed is the one
 * reported, with its page named.
 */
struct pages {
	const struct site_ctx *c;
	struct out *o;
	struct task *t;
	struct page_note *notes; /* one per task, each written by the thread that runs it */
	size_t n, next;          /* next: taken with an atomic add */
	bool stop;               /* a task failed: start no more (atomic) */
	pthread_mutex_t mu;      /* failed, rc, err */
	size_t failed;           /* the task whose failure is reported */
	int rc;
	struct hearth_err err;
};

/*
 * What a page goes into the new state as: the current site's file, kept,
 * or its path and key, made. The threads fill a note per task, and the
 * notes go into the state in task order once they are done: on a large
 * site most pages are kept, and a lock per page was the threads' main
 * meeting point.
 */
struct page_note {
	const struct pipe_file *was; /* kept: the current site's file */
	char *rel;                   /* made: its path, owned */
	char key[65];
};

/* What a list page shows of its entries [from, to) of l. */
static void key_list_page(struct sha256 *h, const struct site_list *l, size_t page)
{
	size_t from, to;
	site_list_range(l->n, page, &from, &to);
	key_int(h, (int64_t)l->n);
	key_int(h, (int64_t)page);
	key_int(h, (int64_t)site_list_pages(l->n));
	for (size_t i = from; i < to; i++) {
		key_listing(h, l->v[i]);
		key_listing_more(h, l->v[i]);
	}
}

/* The key of what the pages of T_THEME and later kinds show. */
static void key_more_page(const struct site_ctx *c, const struct task *t, struct sha256 *h)
{
	const struct site_groups *g = &c->groups;
	switch (t->kind) {
	case T_THEME:
	case T_TAG:
	case T_PERSON:
		key_int(h, TASK_GROUP(t));
		key_group_head(h, &g->v[TASK_GROUP(t)][t->i]);
		key_list_page(h, &g->v[TASK_GROUP(t)][t->i].l, t->page);
		break;
	case T_TOPICS:
	case T_PEOPLE:
		for (int k = 0; k < SITE_GROUP_KINDS; k++) {
			if ((k == SITE_PEOPLE) != (t->kind == T_PEOPLE))
				continue;
			key_int(h, (int64_t)g->n[k]);
			for (size_t i = 0; i < g->n[k]; i++)
				key_group_head(h, &g->v[k][i]);
		}
		break;
	case T_SUBSCRIBE:
		for (size_t i = 0; i < c->n_colls; i++) {
			if (!c->colls[i]->podcast)
				continue;
			key_collection_head(h, c->colls[i]);
			key_int(h, (int64_t)c->in_coll[i].n);
		}
		break;
	default: /* T_ABOUT: what every page shows */
		break;
	}
}

/* The one page of a task of a kind that has one path; NULL for the others. */
static const char *task_fixed_rel(const struct task *t)
{
	switch (t->kind) {
	case T_HOME:
		return "index.html";
	case T_404:
		return "404.html";
	case T_TOPICS:
		return "themes/index.html";
	case T_PEOPLE:
		return "contributors/index.html";
	case T_SUBSCRIBE:
		return "subscribe/index.html";
	case T_SEARCH:
		return "search/index.html";
	case T_ABOUT:
		return "about/index.html";
	default:
		return NULL;
	}
}

/*
 * The folder and slug of a task's list (NULL slug: none), for the kinds
 * whose path is not fixed.
 */
static void task_place(const struct site_ctx *c, const struct task *t, const char **dir,
		       const char **slug)
{
	*slug = NULL;
	switch (t->kind) {
	case T_STORY:
	case T_STORIES:
		*dir = "stories";
		if (t->kind == T_STORY)
			*slug = c->e[t->i].s->slug;
		break;
	case T_COLLECTION:
		*dir = "collections";
		*slug = c->colls[t->i]->slug;
		break;
	default: /* T_THEME, T_TAG, T_PERSON */
		*dir = site_group_dir(TASK_GROUP(t));
		*slug = c->groups.v[TASK_GROUP(t)][t->i].slug;
		break;
	}
}

/*
 * The path of the page of a task, written into b (its memory reused from
 * task to task: a large site has tens of thousands of pages); borrows b.
 * A list's is site_list_rel's; a story's page is the first of none.
 */
static const char *task_rel_in(const struct site_ctx *c, const struct task *t, struct buf *b)
{
	const char *fixed = task_fixed_rel(t), *dir, *slug;
	buf_reset(b);
	if (fixed) {
		buf_puts(b, fixed);
		return buf_cstr(b);
	}
	task_place(c, t, &dir, &slug);
	buf_puts(b, dir);
	buf_putc(b, '/');
	if (slug) {
		buf_puts(b, slug);
		buf_putc(b, '/');
	}
	site_list_tail(b, t->kind == T_STORY ? 1 : t->page);
	return buf_cstr(b);
}

/*
 * What decides the path of a task's page, into h, without the path
 * itself: the kind and the slug and page that tell its page apart from the
 * others of its kind (task_rel_in writes the path from these alone).
 */
static void key_task_rel(struct sha256 *h, const struct site_ctx *c, const struct task *t)
{
	const char *dir, *slug;
	key_int(h, t->kind);
	if (task_fixed_rel(t))
		return;
	task_place(c, t, &dir, &slug);
	if (slug)
		key_str(h, slug);
	key_int(h, (int64_t)t->page);
}

static const char *task_name(const struct task *t)
{
	static const char *names[] = {"story", "stories", "collection", "home", "404", "theme",
				      "tag", "contributor", "topics", "contributors", "subscribe",
				      "about"};
	return names[t->kind];
}

/*
 * Makes one page: its path, its key (noted in the new state), and the
 * file, linked from the current site when it has it with that key, else
 * made through the theme. Called from the page threads: it only reads c.
 */
static int run_task(const struct pages *p, const struct task *t, struct buf *rb,
		    struct buf *html, struct hearth_err *err)
{
	const struct site_ctx *c = p->c;
	struct out *o = p->o;
	struct sha256 h;
	char key[65];
	const char *rel = task_rel_in(c, t, rb);
	char *root = NULL;
	xmlDocPtr doc;
	int rc = 0;

	switch (t->kind) {
	case T_STORY:
		page_key(o, &h, "story");
		key_entry_story(&h, &c->e[t->i]);
		key_media(&h, &c->e[t->i].m);
		break;
	case T_STORIES:
		page_key(o, &h, "stories");
		key_list_page(&h, &c->on_site, t->page);
		break;
	case T_COLLECTION:
		page_key(o, &h, "collection");
		key_collection_head(&h, c->colls[t->i]);
		key_int(&h, c->colls[t->i]->podcast);
		key_list_page(&h, &c->in_coll[t->i], t->page);
		break;
	case T_HOME:
		page_key(o, &h, "home");
		key_int(&h, (int64_t)c->on_site.n);
		for (size_t i = 0; i < c->on_site.n && i < SITE_HOME_LATEST; i++)
			key_listing(&h, c->on_site.v[i]);
		for (size_t i = 0; i < c->n_colls; i++) {
			key_collection_head(&h, c->colls[i]);
			key_int(&h, (int64_t)c->in_coll[i].n);
			key_int(&h, c->colls[i]->podcast);
		}
		for (size_t i = 0; i < c->on_site.n && i < SITE_HOME_LATEST; i++)
			key_listing_more(&h, c->on_site.v[i]);
		{
			const struct site_group *shown[SITE_HOME_THEMES];
			size_t n_shown;
			site_home_themes(c, shown, &n_shown);
			key_int(&h, (int64_t)c->groups.n[SITE_THEMES]);
			for (size_t i = 0; i < n_shown; i++)
				key_group_head(&h, shown[i]);
		}
		break;
	case T_404:
		page_key(o, &h, "404");
		break;
	case T_SEARCH:
		page_key(o, &h, "search");
		pipe_search_page_key(&h, c);
		break;
	default:
		page_key(o, &h, task_name(t));
		key_more_page(c, t, &h);
		break;
	}
	key_hex(&h, key);
	struct page_note *pn = &p->notes[t - p->t];
	if ((pn->was = pipe_state_match(o->old, rel, key)))
		goto end;
	pn->rel = xstrdup(rel);
	memcpy(pn->key, key, sizeof pn->key);
	switch (t->kind) {
	case T_STORY: {
		/* the body only now, and only for as long as the page takes */
		struct site_entry e = c->e[t->i];
		struct pub_story s = *e.s;
		char *body = NULL;
		if (!s.body && (rc = pipe_body_read(o->bodies, &o->body_mu, &s, &body, err)))
			goto end;
		if (body)
			s.body = body;
		e.s = &s;
		doc = site_page_story(c, &e);
		free(body);
		break;
	}
	case T_STORIES:
		doc = site_page_stories(c, t->page);
		break;
	case T_COLLECTION:
		doc = site_page_collection(c, t->i, t->page);
		break;
	case T_HOME:
		doc = site_page_home(c);
		break;
	case T_THEME:
	case T_TAG:
	case T_PERSON:
		doc = site_page_group(c, TASK_GROUP(t), t->i, t->page);
		break;
	case T_TOPICS:
		doc = site_page_group_index(c, SITE_THEMES);
		break;
	case T_PEOPLE:
		doc = site_page_group_index(c, SITE_PEOPLE);
		break;
	case T_SUBSCRIBE:
		doc = site_page_subscribe(c);
		break;
	case T_ABOUT:
		doc = site_page_about(c);
		break;
	case T_SEARCH:
		doc = site_page_search(c);
		break;
	default:
		doc = site_page_404(c);
		break;
	}
	site_page_meta(c, doc, rel);
	/* 404.html is served for any missing path, so its links must not be relative */
	root = t->kind == T_404 ? xasprintf("%s/", c->base_url) : site_root_of(rel);
	rc = write_page(o, doc, rel, root, html, err);
end:
	free(root);
	return rc;
}

static void *page_worker(void *arg)
{
	struct pages *p = arg;
	struct hearth_err err = {0};
	/* each page's path and its HTML, in memory reused from page to page */
	struct buf rel = BUF_INIT, html = BUF_INIT;

	for (;;) {
		size_t i = __atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)
				   ? p->n
				   : __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
		if (i >= p->n)
			break;
		int rc = run_task(p, &p->t[i], &rel, &html, &err);
		if (!rc)
			continue;
		pthread_mutex_lock(&p->mu);
		if (!p->rc || i < p->failed) {
			p->rc = rc;
			p->failed = i;
			p->err = err;
		}
		__atomic_store_n(&p->stop, true, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&p->mu);
	}
	buf_release(&rel);
	buf_release(&html);
	return NULL;
}

/* Every page to make, in a fixed order: stories, lists, home, 404, search. */
static struct task *plan_pages(const struct site_ctx *c, size_t *n)
{
	size_t cap = c->n + site_list_pages(c->on_site.n) + 7, k = 0;
	for (size_t i = 0; i < c->n_colls; i++)
		cap += site_list_pages(c->in_coll[i].n);
	for (int g = 0; g < SITE_GROUP_KINDS; g++)
		for (size_t i = 0; i < c->groups.n[g]; i++)
			cap += site_list_pages(c->groups.v[g][i].l.n);
	struct task *t = xcalloc(cap, sizeof *t);

	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].on_site)
			t[k++] = (struct task){T_STORY, i, 0};
	for (size_t pg = 1; pg <= site_list_pages(c->on_site.n); pg++)
		t[k++] = (struct task){T_STORIES, 0, pg};
	for (size_t i = 0; i < c->n_colls; i++)
		for (size_t pg = 1; pg <= site_list_pages(c->in_coll[i].n); pg++)
			t[k++] = (struct task){T_COLLECTION, i, pg};
	t[k++] = (struct task){T_HOME, 0, 0};
	t[k++] = (struct task){T_404, 0, 0};
	for (int g = 0; g < SITE_GROUP_KINDS; g++)
		for (size_t i = 0; i < c->groups.n[g]; i++)
			for (size_t pg = 1; pg <= site_list_pages(c->groups.v[g][i].l.n); pg++)
				t[k++] = (struct task){(enum task_kind)(T_THEME + g), i, pg};
	/* the indexes only when there is something to index */
	if (c->groups.n[SITE_THEMES] || c->groups.n[SITE_TAGS])
		t[k++] = (struct task){T_TOPICS, 0, 0};
	if (c->groups.n[SITE_PEOPLE])
		t[k++] = (struct task){T_PEOPLE, 0, 0};
	t[k++] = (struct task){T_SUBSCRIBE, 0, 0};
	t[k++] = (struct task){T_ABOUT, 0, 0};
	t[k++] = (struct task){T_SEARCH, 0, 0};
	*n = k;
	return t;
}

/* Writes staging/rel from out unless the current site has it with key h. */
static int write_small(struct out *o, struct sha256 *h, const char *rel, const struct buf *out,
		       struct hearth_err *err)
{
	char key[65];
	key_hex(h, key);
	if (keep(o, rel, key, NULL))
		return 0;
	return site_write(o->staging, rel, out->data ? out->data : "", out->len, err);
}

/*
 * sitemap.xml, every page but 404.html by its address, and robots.txt,
 * which names it. The sitemap's key is the list of pages; robots.txt's the
 * address alone.
 */
static int write_sitemap(const struct site_ctx *c, struct out *o, const struct task *t,
			 size_t n, struct hearth_err *err)
{
	struct buf b = BUF_INIT;
	struct sha256 h;
	char key[65];
	int rc = 0;

	/* the pages by what decides their paths: no path made for the key */
	page_key(o, &h, "sitemap.xml");
	for (size_t i = 0; i < n; i++)
		if (t[i].kind != T_404)
			key_task_rel(&h, c, &t[i]);
	key_hex(&h, key);
	if (!keep(o, "sitemap.xml", key, NULL)) { /* made only when its pages changed */
		char **rels = xcalloc(n + 1, sizeof *rels);
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (t[i].kind != T_404)
				rels[k++] = xstrdup(task_rel_in(c, &t[i], &b));
		buf_reset(&b);
		site_sitemap(c, rels, k, &b);
		rc = site_write(o->staging, "sitemap.xml", b.data ? b.data : "", b.len, err);
		strv_free(rels);
	}
	buf_release(&b);
	if (!rc) {
		page_key(o, &h, "robots.txt");
		site_robots(c, &b);
		rc = write_small(o, &h, "robots.txt", &b, err);
		buf_release(&b);
	}
	return rc;
}

/*
 * Places the theme's script name (the default theme's when the theme has
 * none) at the top of the site, under the key every page has: the theme's
 * files are part of it.
 */
static int place_script(struct out *o, const char *name, struct hearth_err *err)
{
	char *src = site_theme_file(o->theme, name), *dst = NULL;
	struct sha256 h;
	char key[65];
	int rc = 0;
	if (!src)
		return 0;
	page_key(o, &h, name);
	key_hex(&h, key);
	if (!keep(o, name, key, NULL)) {
		dst = path_join(o->staging, name);
		rc = site_copy(src, dst, err);
	}
	free(src);
	free(dst);
	return rc;
}

/*
 * Makes every page on jobs threads (0: all cores), all applying the one
 * compiled theme, and places style.css. The pages come out the same
 * whichever thread makes them; the state is sorted when it is saved.
 */
static int write_pages(const struct site_ctx *c, struct out *o, int jobs,
		       struct site_stats *st, struct hearth_err *err)
{
	struct pages p = {.c = c, .o = o};
	pthread_t *tid = NULL;
	size_t threads, started = 0;
	struct sha256 h;
	char key[65];
	int rc = 0;

	p.t = plan_pages(c, &p.n);
	p.notes = xcalloc(p.n + 1, sizeof *p.notes);
	st->stories += c->on_site.n;
	st->collections += c->n_colls;
	jobs = pipe_cores(jobs);
	threads = (size_t)jobs < p.n ? (size_t)jobs : p.n;
	pthread_mutex_init(&p.mu, NULL);
	/* one thread works here; the others are started beside it */
	tid = xcalloc(threads + 1, sizeof *tid);
	for (size_t i = 1; i < threads; i++, started++)
		if (pthread_create(&tid[started], NULL, page_worker, &p) != 0)
			break;
	page_worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&p.mu);
	/* the threads are done: their notes go into the state, in task order */
	pthread_mutex_lock(&o->mu);
	for (size_t i = 0; i < p.n; i++) {
		struct page_note *pn = &p.notes[i];
		if (pn->was)
			pipe_state_note_kept(o->now, pn->was, NULL);
		else if (pn->rel)
			pipe_state_note(o->now, pn->rel, pn->key, NULL);
		free(pn->rel);
	}
	pthread_mutex_unlock(&o->mu);
	free(p.notes);
	if ((rc = p.rc))
		*err = p.err;
	if (!rc)
		rc = write_sitemap(c, o, p.t, p.n, err);
	if (!rc && site_theme_css(o->theme)) {
		page_key(o, &h, "style.css");
		key_hex(&h, key);
		if (!keep(o, "style.css", key, NULL)) {
			char *dst = path_join(o->staging, "style.css");
			rc = site_copy(site_theme_css(o->theme), dst, err);
			free(dst);
		}
	}
	if (!rc)
		rc = place_script(o, "player.js", err);
	free(tid);
	free(p.t);
	return rc;
}

/*
 * Notes the files written every time (the chapters JSON, the marker) in
 * the new state, under a key no build asks for: they are never linked, but
 * a build with nothing changed still sees when one was edited or removed.
 */
static void note_written(const struct site_ctx *c, struct out *o)
{
	struct sha256 h;
	char key[65];
	for (size_t i = 0; i < c->n; i++) {
		if (!c->e[i].m.chapters_src)
			continue;
		page_key(o, &h, "written each time");
		note(o, &h, c->e[i].m.chapters_src, key);
	}
	page_key(o, &h, "written each time");
	note(o, &h, SITE_MARKER, key);
}

/* Notes every other file the build wrote into staging (a transcript) the same way. */
static void note_rest(struct out *o)
{
	struct sha256 h;
	char key[65];
	page_key(o, &h, "written each time");
	key_hex(&h, key);
	pipe_state_note_rest(o->now, o->staging, key);
}

/*
 * Puts a rendition into staging: the current site's file when it was
 * placed from the same cached file (same path, size and times), else a
 * copy of its own. Called from the media threads.
 */
static int put_rendition(void *arg, const char *cached, const char *rel,
			 struct hearth_err *err)
{
	struct out *o = arg;
	char key[65];
	int rc = 0;

	key_rendition(cached, key);
	if (!keep(o, rel, key, cached)) {
		char *dst = path_join(o->staging, rel);
		rc = site_copy(cached, dst, err);
		free(dst);
	}
	return rc;
}

/* ---- feeds --------------------------------------------------------------- */

/* The feeds' way to keep a file of the current site (feeds.c). */
static bool keep_feed(void *arg, const char *rel, const char key[65])
{
	return keep(arg, rel, key, NULL);
}

/* The search index's way to note a file it found as made (search.c). */
static void kept_search(void *arg, const struct pipe_file *was)
{
	struct out *o = arg;
	pthread_mutex_lock(&o->mu);
	pipe_state_note_kept(o->now, was, NULL);
	pthread_mutex_unlock(&o->mu);
}

/* ---- the build ----------------------------------------------------------- */

/* ---- patch or swap -------------------------------------------------------- */

/*
 * Marks gone the renditions noted for the stories whose media failed:
 * kept ones too, so they are neither linked into the next site nor left in
 * it by a patch.
 */
static void forget_failed(const struct site_ctx *c, struct pipe_state *now)
{
	for (size_t i = 0; i < c->n; i++) {
		if (!c->e[i].media_failed)
			continue;
		char *prefix = xasprintf("media/%s/", c->e[i].s->slug);
		for (size_t k = 0; k < now->n; k++)
			if (str_starts(now->f[k].rel, prefix))
				now->f[k].gone = true;
		free(prefix);
	}
}

/* The names at the top of the site of the kept files of now, each once; a strv. */
static char **kept_tops(const struct pipe_state *now)
{
	char **v = NULL;
	const char *last = NULL;
	size_t last_n = 0;
	for (size_t i = 0; i < now->n; i++) {
		const struct pipe_file *f = &now->f[i];
		if (!f->kept || f->gone)
			continue;
		const char *slash = strchr(f->rel, '/');
		size_t n = slash ? (size_t)(slash - f->rel) : strlen(f->rel);
		if (last && n == last_n && !strncmp(last, f->rel, n))
			continue; /* most runs are of one name: the marker writer drops the rest */
		char *name = xstrndup(f->rel, n);
		v = strv_push(v, name);
		free(name);
		last = f->rel;
		last_n = n;
	}
	return v;
}

/*
 * What a patch does: the files made anew (in staging, borrowed from the
 * new state) and the files of the current site the next one lacks
 * (borrowed from the old state).
 */
struct patch_plan {
	char **add, **rm;
	size_t n_add, n_rm;
};

/*
 * Fewer changes than this are patched into the site in place; more are
 * staged whole and swapped in. HEARTH_PATCH_LIMIT sets it (tests only).
 */
static size_t patch_limit(size_t files)
{
	const char *env = getenv("HEARTH_PATCH_LIMIT");
	if (env && *env)
		return (size_t)strtoul(env, NULL, 10);
	return files / 10 > 64 ? files / 10 : 64;
}

/*
 * Lists in *pl what a patch of the current site (old) into the next (now)
 * would do, and says whether to patch: when old describes the site in
 * place and the files to move in and to remove are few.
 */
static bool plan_patch(const struct pipe_state *old, struct pipe_state *now,
		       struct patch_plan *pl)
{
	size_t i = 0, k = 0, files = 0;

	pipe_state_sort(now);
	pl->add = xcalloc(now->n + 1, sizeof *pl->add);
	pl->rm = xcalloc(old->n + 1, sizeof *pl->rm);
	/* both sorted by rel: one pass over their union */
	while (i < old->n || k < now->n) {
		if (k < now->n && now->f[k].gone) {
			k++;
			continue;
		}
		int cmp = i == old->n ? 1 : k == now->n ? -1 : strcmp(old->f[i].rel, now->f[k].rel);
		if (cmp < 0) {
			pl->rm[pl->n_rm++] = old->f[i].rel;
		} else {
			files++;
			if (!now->f[k].kept)
				pl->add[pl->n_add++] = now->f[k].rel;
		}
		i += cmp <= 0;
		k += cmp >= 0;
	}
	return old->n && old->has_fd && pl->n_add + pl->n_rm <= patch_limit(files);
}

/* fsyncs the folder dir: a rename in it is durable after. */
static int sync_dir(const char *dir, struct hearth_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;
	if (fd < 0 || fsync(fd) != 0)
		rc = herr(err, HEARTH_EIO, "cannot sync '%s': %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/*
 * The next state, written (and synced) into a temporary file on a second
 * thread while the first syncs the new files, passes the gate and patches:
 * a large site's state is megabytes, and the gate holds the catalogue's
 * write lock. Only the rename is left for after the patch.
 */
struct state_job {
	struct pipe_state *now;
	uint64_t dev, ino;
	const char *out_dir;
	char *tmp;              /* the state written, not in place yet */
	int rc;
	struct hearth_err err;
	pthread_t t;
	bool started;
};

static void *state_job_run(void *arg)
{
	struct state_job *j = arg;
	j->rc = pipe_state_write_tmp(j->now, j->dev, j->ino, j->out_dir, &j->tmp, &j->err);
	return NULL;
}

/* Starts j; when no thread can start, it runs here. */
static void state_job_start(struct state_job *j)
{
	j->started = pthread_create(&j->t, NULL, state_job_run, j) == 0;
	if (!j->started)
		state_job_run(j);
}

/* Waits for j; its result, with its error copied into err. */
static int state_job_wait(struct state_job *j, struct hearth_err *err)
{
	if (j->started)
		pthread_join(j->t, NULL);
	j->started = false;
	if (j->rc)
		*err = j->err;
	return j->rc;
}

/* Waits for j and removes what it wrote, if anything is left. */
static void state_job_end(struct state_job *j)
{
	struct hearth_err ignored;
	state_job_wait(j, &ignored);
	if (j->tmp)
		file_tmp_abort(-1, &j->tmp);
}

/*
 * Patches the files made anew into the site in place: first the list of
 * the files about to change, by which the state trusts none of them, then
 * the moves and removals and the one sync of all that was written
 * (site_patch), then the new state (next's, renamed into place), then the
 * list goes. A kill or a crash in between leaves a list by which the next
 * build remakes or removes every file the patch may have touched, one
 * moved in but not yet on the disk among them.
 */
static int patch_in(const struct pipe_state *old, struct pipe_state *now,
		    const struct patch_plan *pl, const char *staging, const char *out_dir,
		    struct state_job *next, struct site_trash *trash, struct hearth_err *err)
{
	char *parent = path_dir(out_dir);
	char *path = pipe_state_path(out_dir);
	int rc = pipe_state_untrust(old, now, out_dir, err);
	if (!rc)
		rc = sync_dir(parent, err);
	if (!rc)
		rc = site_patch(staging, out_dir, pl->add, pl->n_add, pl->rm, pl->n_rm, trash,
				err);
	if (!rc)
		rc = state_job_wait(next, err);
	if (!rc) {
		site_trash_keep(trash, path); /* the old state: megabytes to free */
		rc = file_tmp_commit(-1, &next->tmp, path, err);
	}
	/* the new state durable before the list that distrusts the old one goes */
	if (!rc)
		rc = sync_dir(parent, err);
	if (!rc) {
		/* the list goes: into the trash, or removed where it is */
		char *list = pipe_patch_list_path(out_dir);
		if (!site_trash_move(trash, list))
			pipe_state_trust(out_dir);
		free(list);
	}
	free(path);
	free(parent);
	return rc;
}


/*
 * The key of everything a build reads: the programs, the settings, the
 * address, the theme (and the default theme it falls back on), the show's
 * cover, SOURCE_DATE_EPOCH, every story of both views and every
 * collection. When it matches the current site's, and the site is as that
 * build left it, there is nothing to do.
 */
static void inputs_key(const struct site_ctx *c, const struct programs *pr, const char *themes,
		       const char *cover_path, char out[65])
{
	struct sha256 h;
	sha256_init(&h);
	key_str(&h, "hearth build inputs 3");
	key_programs(&h, pr);
	key_settings(&h, c->set, true);
	key_str(&h, c->base_url);
	key_str(&h, themes);
	key_file_id(&h, cover_path);
	key_int(&h, hearth_source_date_epoch());
	key_int(&h, (int64_t)c->n);
	for (size_t i = 0; i < c->n; i++) {
		key_entry_story(&h, &c->e[i]);
		key_int(&h, c->e[i].on_site);
		key_int(&h, c->e[i].on_podcast);
	}
	key_int(&h, (int64_t)c->n_colls);
	for (size_t i = 0; i < c->n_colls; i++)
		key_collection(&h, c->colls[i]);
	key_hex(&h, out);
}

/* The key of what every page shows: the site's settings and the theme. */
static void common_key(const struct site_ctx *c, const struct programs *pr, const char *themes,
		       char out[65])
{
	struct sha256 h;
	sha256_init(&h);
	key_str(&h, "hearth pages 3");
	key_programs(&h, pr);
	key_settings(&h, c->set, false);
	key_str(&h, c->base_url);
	key_str(&h, c->cover_src);
	key_int(&h, (int64_t)c->n_colls);
	key_str(&h, themes);
	key_hex(&h, out);
}

/* True when a story with a page came without its body (lib_public_view_all). */
static bool needs_bodies(const struct site_ctx *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].on_site && !c->e[i].s->body)
			return true;
	return false;
}


/* The quick record of this build (quick.c), when it read a catalogue. */
static void quick_note(const struct site_input *in, const struct site_read *rd,
		       const struct site_opts *opts, const struct programs *pr, const char *themes,
		       const char *cover_path, const char *out_dir, struct pipe_state *now)
{
	struct pipe_quick_in q = {
		.program = pr->media,
		.set = in->set,
		.base_url_opt = opts->base_url,
		.out_dir = out_dir,
		.themes = themes,
		.cover_path = cover_path,
	};
	now->has_quick = rd != NULL;
	if (!rd)
		return;
	pipe_quick_key(&q, now->quick);
	now->generation = rd->generation;
	now->next_due = rd->next_due;
}

/*
 * Nothing to do, but the quick record moved (a change that does not reach
 * the site, a story that came due unseen): record it, so the next build
 * is decided quickly again. A failure only costs that.
 */
static void quick_renew(const struct pipe_state *old, const struct pipe_state *now,
			const char *out_dir)
{
	struct pipe_state s = *old;
	struct hearth_err ignored;
	if (!now->has_quick || (old->has_quick && old->generation == now->generation &&
				old->next_due == now->next_due && !strcmp(old->quick, now->quick)))
		return;
	s.has_quick = true;
	memcpy(s.quick, now->quick, sizeof s.quick);
	s.generation = now->generation;
	s.next_due = now->next_due;
	pipe_state_requick(&s, out_dir, &ignored);
}

/* The output folder of a build: --out, else public/ in the library. */
static char *out_dir_of(const struct site_opts *opts, const char *lib_dir)
{
	return opts->out_dir ? path_strip_slashes(opts->out_dir)
			     : path_join(lib_dir ? lib_dir : ".", "public");
}

/* The theme of dir, compiled in language lang, into *t (NULL on an error). */
static int theme_compile(const char *dir, const char *lang, site_theme **t,
			 struct hearth_err *err)
{
	int rc = site_theme_load(dir, t, err);
	if (!rc && (rc = site_theme_language(*t, lang, NULL, err)))
		site_theme_free(t);
	return rc;
}

/*
 * The current site's state, loaded on a second thread while the first
 * reads the catalogue, and for a build that verifies, looked at (every
 * file's identity) there too: on a large site the two take about as long,
 * and neither needs the other. The files are taken in runs from a shared
 * cursor, so when the first thread comes to the state (prefetch_take)
 * before the second is done, it looks at the rest of them alongside. A
 * build that does not verify trusts the files and looks at none.
 *
 * Between the two, the second thread compiles the theme the build will
 * use (the settings name it): most of what a build does before its pages
 * that needs nothing of the catalogue, done while the first thread still
 * reads it. The first thread takes the theme when it needs it, or, when
 * it was not compiled (an error: it is compiled again there, and the
 * error is said there), compiles it itself.
 */
struct prefetch {
	char *out_dir;
	struct pipe_state st;
	pthread_t t;
	bool started;           /* the thread runs: mu, cv and st are its until joined */
	bool look;              /* look at every file (a build that verifies) */
	char *theme_dir;        /* the theme to compile, or NULL */
	char *language;         /* and its language (NULL: the theme's own) */
	site_theme *theme;      /* compiled, once theme_done; NULL: not */
	bool theme_done;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool loaded;            /* st is loaded: its files may be looked at */
	size_t next;            /* the first file no thread has taken yet */
};

/* Files looked at per turn of the cursor. */
#define LOOK_RUN 256

/* Looks at runs of p's files until none is left. */
static void prefetch_look(struct prefetch *p)
{
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t from = p->next;
		p->next = from < p->st.n ? from + LOOK_RUN : from;
		pthread_mutex_unlock(&p->mu);
		if (from >= p->st.n)
			return;
		pipe_state_look(&p->st, from, from + LOOK_RUN);
	}
}

static void *prefetch_run(void *arg)
{
	struct prefetch *p = arg;
	pipe_state_load(p->out_dir, &p->st);
	pthread_mutex_lock(&p->mu);
	p->loaded = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	site_theme *t = NULL;
	struct hearth_err ignored; /* said again by the first thread, which compiles it again */
	if (p->theme_dir)
		(void)theme_compile(p->theme_dir, p->language, &t, &ignored);
	pthread_mutex_lock(&p->mu);
	p->theme = t;
	p->theme_done = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	if (p->look)
		prefetch_look(p);
	return NULL;
}

static void prefetch_start(struct prefetch *p, const struct site_opts *opts, const char *lib_dir,
			   const struct lib_settings *set)
{
	char *def = site_default_theme();
	p->out_dir = out_dir_of(opts, lib_dir);
	p->look = opts->verify;
	p->theme_dir = def ? pipe_theme_dir(opts->theme_dir, set, lib_dir, def) : NULL;
	p->language = set->language ? xstrdup(set->language) : NULL;
	free(def);
	xmlInitParser(); /* here, before a second thread uses libxml2 */
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->started = pthread_create(&p->t, NULL, prefetch_run, p) == 0;
}

/*
 * The theme of theme_dir, compiled in its language by p's thread (moved
 * out of p), or NULL: none was asked for that folder, or it did not
 * compile. Waits for it, not for the looks.
 */
static site_theme *prefetch_theme(struct prefetch *p, const char *theme_dir)
{
	site_theme *t = NULL;
	if (!p || !p->theme_dir || strcmp(p->theme_dir, theme_dir))
		return NULL;
	if (p->started) {
		pthread_mutex_lock(&p->mu);
		while (!p->theme_done)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
	t = p->theme;
	p->theme = NULL;
	return t;
}

/* Waits until p's thread has loaded its state (not for the looks). */
static void prefetch_wait_loaded(struct prefetch *p)
{
	pthread_mutex_lock(&p->mu);
	while (!p->loaded)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

/*
 * The state of out_dir into *s: the one p loads (moved out of it, once
 * this thread has helped look at its files), else loaded here.
 */
static void prefetch_take(struct prefetch *p, const char *out_dir, struct pipe_state *s)
{
	if (!p || !p->started || strcmp(p->out_dir, out_dir)) {
		pipe_state_load(out_dir, s);
		return;
	}
	prefetch_wait_loaded(p);
	if (p->look)
		prefetch_look(p);
	pthread_join(p->t, NULL);
	p->started = false;
	*s = p->st;
	memset(&p->st, 0, sizeof p->st);
}

/*
 * False when the state p loads for out_dir is certain not to let a build
 * with these inputs make nothing (none, or made from other inputs, or not
 * clean): then the work that needs no state can go on while its files are
 * still being looked at. Waits for the load, not the looks.
 */
static bool prefetch_may_be_same(struct prefetch *p, const char *out_dir, const char *inputs)
{
	if (!p || !p->started || strcmp(p->out_dir, out_dir))
		return true;
	prefetch_wait_loaded(p);
	/* the looks write only the files' notes: these were set before loaded */
	return p->st.n && p->st.clean && !strcmp(p->st.inputs, inputs);
}

/* After prefetch_start: waits for p's thread if it still runs, and frees p's. */
static void prefetch_end(struct prefetch *p)
{
	if (!p->out_dir)
		return; /* never started */
	if (p->started)
		pthread_join(p->t, NULL);
	pipe_state_release(&p->st);
	site_theme_free(&p->theme); /* compiled for a build that needed none */
	xfree(&p->out_dir);
	xfree(&p->theme_dir);
	xfree(&p->language);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
}

/*
 * What a build that makes something needs before its pages, none of it
 * from the state: the theme (*theme) in the site's language, the staging
 * folder beside out_dir (*staging), and the key of what every page shows
 * (common), set in o.
 */
static int prepare(const struct site_ctx *c, struct out *o, struct prefetch *pre,
		   const char *theme_dir, const char *out_dir, const struct programs *pr,
		   const char *themes, site_theme **theme, char **staging, char common[65],
		   struct hearth_err *err)
{
	int rc = 0;
	if (!(*theme = prefetch_theme(pre, theme_dir)) &&
	    (rc = theme_compile(theme_dir, c->set->language, theme, err)))
		return rc;
	if ((rc = site_staging_make(out_dir, staging, err)))
		return rc;
	o->theme = *theme;
	o->staging = *staging;
	common_key(c, pr, themes, common);
	o->common = common;
	sha256_init(&o->common_h);
	key_str(&o->common_h, common);
	return 0;
}

/*
 * What build_gated returns when a file it was to keep from the current
 * site is not there (removed by hand): the build starts again and looks
 * at every file, as one that verifies does. Not an error.
 */
#define SITE_RELOOK 3

/*
 * site_build_input with a gate (NULL: none); returns SITE_AGAIN from it,
 * and SITE_RELOOK.
 * rd (NULL: none) is where the catalogue was read, for the quick record;
 * pre (NULL: none) the state being loaded meanwhile.
 */
static int build_gated(hearth_lib *lib, const struct site_input *in,
		       const struct site_read *rd, struct prefetch *pre,
		       const struct site_opts *opts, const struct site_media_ops *ops,
		       const struct site_gate *gate, struct site_stats *stats,
		       struct hearth_err *err);

int site_build_input(hearth_lib *lib, const struct site_input *in,
		     const struct site_opts *opts, const struct site_media_ops *ops,
		     struct site_stats *stats, struct hearth_err *err)
{
	int rc = build_gated(lib, in, NULL, NULL, opts, ops, NULL, stats, err);
	return rc == SITE_RELOOK ? SITE_AGAIN : rc;
}

static int build_gated(hearth_lib *lib, const struct site_input *in,
		       const struct site_read *rd, struct prefetch *pre,
		       const struct site_opts *opts, const struct site_media_ops *ops,
		       const struct site_gate *gate, struct site_stats *stats,
		       struct hearth_err *err)
{
	struct site_stats st = {0};
	struct site_ctx c = {0};
	struct pipe_state old = {0}, now = {0};
	struct out o = {.old = &old, .now = &now};
	struct site_put put = {put_rendition, &o};
	struct pub_collection **colls = NULL;
	site_theme *theme = NULL;
	char *base = NULL, *out_dir = NULL, *theme_dir = NULL, *def_theme = NULL;
	char *staging = NULL, *cover_path = NULL, *old_site = NULL;
	char common[65], themes[65], salt[65];
	struct patch_plan pl = {0};
	struct site_trash trash = {0};
	struct state_job next = {0};
	struct programs pr = {0};
	bool gated = false, patch = false, early = false, listed = false;
	const char *base_src = opts->base_url ? opts->base_url : in->set->base_url;
	int rc = 0;

	pthread_mutex_init(&o.mu, NULL);
	pthread_mutex_init(&o.body_mu, NULL);
	if (!base_src || !*base_src) {
		rc = herr(err, HEARTH_EINVAL,
			  "hearth.yaml: 'base_url' is missing; the feed needs the site's "
			  "address (https://...)");
		goto end;
	}
	if (url_check(base_src, err)) {
		rc = herr_prefix(err, "%s '%s'",
				 opts->base_url ? "--base-url" : "hearth.yaml: base_url", base_src);
		goto end;
	}
	if (!in->set->title || !*in->set->title) {
		rc = herr(err, HEARTH_EINVAL, "hearth.yaml: 'title' is missing");
		goto end;
	}
	base = path_strip_slashes(base_src);
	out_dir = out_dir_of(opts, in->lib_dir);
	def_theme = site_default_theme();
	theme_dir = pipe_theme_dir(opts->theme_dir, in->set, in->lib_dir, def_theme);
	if (!theme_dir) {
		rc = herr(err, HEARTH_ENOENT,
			  "no theme found: set HEARTH_THEME_DIR or install hearth's themes");
		goto end;
	}
	if ((rc = site_out_check(out_dir, err)))
		goto end;
	if (in->set->image && *in->set->image) {
		if (!path_is_safe_rel(in->set->image)) {
			rc = herr(err, HEARTH_EINVAL,
				  "hearth.yaml: podcast.image '%s' must be a path inside the library",
				  in->set->image);
			goto end;
		}
		cover_path = path_join(in->lib_dir ? in->lib_dir : ".", in->set->image);
	}

	c.set = in->set;
	c.base_url = base;
	c.cover_src = cover_path ? "cover.jpg" : NULL;
	site_ctx_entries(&c, in->site, in->n_site, in->pod, in->n_pod);
	key_entries(c.e, c.n); /* each record hashed once, for every file that shows it */
	if (in->n_colls) {
		colls = xcalloc(in->n_colls, sizeof *colls);
		memcpy(colls, in->colls, in->n_colls * sizeof *colls);
		qsort(colls, in->n_colls, sizeof *colls, coll_by_slug);
	}
	c.colls = colls;
	c.n_colls = in->n_colls;
	/* before any media work: what a podcast needs of the settings (feeds.c) */
	if ((rc = pipe_feeds_precheck(&c, err)))
		goto end;

	programs_find(&pr, NULL);
	key_themes(theme_dir, def_theme, themes); /* the theme's files read once */
	inputs_key(&c, &pr, themes, cover_path, now.inputs);
	quick_note(in, rd, opts, &pr, themes, cover_path, out_dir, &now);
	/*
	 * A build for certain (the inputs changed): what needs nothing of the
	 * state is done while the other thread looks at the site's files, the
	 * lists too when no media step can leave a story out.
	 */
	if (!prefetch_may_be_same(pre, out_dir, now.inputs)) {
		early = true;
		if ((rc = prepare(&c, &o, pre, theme_dir, out_dir, &pr, themes, &theme, &staging,
				  common, err)))
			goto end;
		if (!site_media_available()) {
			site_ctx_lists(&c);
			site_ctx_groups(&c);
			listed = true;
		}
	}
	/* nothing read has changed and the site is as it was left: nothing to do */
	prefetch_take(pre, out_dir, &old);
	old.trust = !opts->verify;
	/* room for as many files as the current site has: one allocation, not a doubling series */
	now.cap = old.n + 64;
	now.f = xmalloc_big(now.cap * sizeof *now.f);
	pipe_state_order_from(&now, &old); /* its kept files are old's, in old's order */
	if (!early && !opts->verify && old.n && old.clean && !strcmp(old.inputs, now.inputs) &&
	    pipe_state_intact(&old)) {
		quick_renew(&old, &now, out_dir);
		st.stories = old.stories;
		st.collections = old.collections;
		st.feed_items = old.feed_items;
		st.media_cached = old.media;
		goto end;
	}

	if (!early && (rc = prepare(&c, &o, pre, theme_dir, out_dir, &pr, themes, &theme, &staging,
				    common, err)))
		goto end;

	programs_salt(&pr, salt);
	rc = site_media_run(lib, ops, &c, cover_path, staging, &put, opts->jobs, opts, salt,
			    &st, err);
	if (!rc) {
		forget_failed(&c, &now);
		rc = drop_failed(&c, staging, err);
	}
	if (!rc && !listed) { /* the entries are final: the lists the pages show */
		site_ctx_lists(&c);
		site_ctx_groups(&c);
	}
	if (!rc)
		rc = site_chapters_write(&c, staging, err);
	if (!rc && lib && needs_bodies(&c))
		rc = lib_public_bodies_open(lib, &o.bodies, err);
	if (!rc)
		rc = write_pages(&c, &o, opts->jobs, &st, err);
	if (!rc) {
		struct pipe_search_out so = {staging,  out_dir,	   &old,   keep_feed, kept_search, &o,
					     o.bodies, &o.body_mu, common, theme_dir, def_theme,
					     opts->jobs};
		rc = pipe_search_write(&c, &so, err);
	}
	lib_public_bodies_close(&o.bodies); /* before the gate takes the write lock */
	if (!rc) {
		struct pipe_feed_out fo = {staging, keep_feed, &o};
		rc = pipe_feeds_write(lib, &c, &fo, &st, err);
	}
	if (!rc)
		note_written(&c, &o);
	if (!rc) {
		/* the names at the top of the next site: staging's and the kept files' */
		char **tops = kept_tops(&now);
		rc = site_marker_write(staging, tops, err);
		strv_free(tops);
	}
	if (!rc)
		note_rest(&o);
	if (!rc) {
		pipe_state_fill(&now, staging); /* the files made anew, as made */
		/* a build that verifies replaces the site whole: nothing put there by hand stays */
		patch = !opts->verify && plan_patch(&old, &now, &pl);
		/* a name at the top that comes or goes: the marker changes, swap */
		if (patch && !site_marker_same(staging, out_dir))
			patch = false;
		if (!patch && !pipe_state_link_kept(&now, &old, staging))
			rc = SITE_RELOOK; /* a kept file is not there: removed by hand */
	}
	if (!rc) {
		/* what the new site is made from, written before it is in place */
		now.clean = st.n_failed == 0;
		now.stories = st.stories;
		now.collections = st.collections;
		now.feed_items = st.feed_items;
		now.media = st.media_made + st.media_cached;
	}
	if (!rc && patch) {
		next = (struct state_job){.now = &now, .dev = old.dev, .ino = old.ino,
					  .out_dir = out_dir};
		state_job_start(&next);
	}
	/*
	 * A swap: everything written durable before it goes in. A patch syncs
	 * once, after its moves (patch_in), under the list that distrusts them.
	 */
	if (!rc && !patch)
		rc = site_sync(staging, err);
	if (!rc)
		rc = site_out_check(out_dir, err); /* it may have changed meanwhile */
	if (!rc && gate)
		gated = (rc = gate->enter(gate->arg, err)) == 0;
	if (!rc && patch) {
		site_trash_open(out_dir, &trash);
		rc = patch_in(&old, &now, &pl, staging, out_dir, &next, &trash, err);
	} else if (!rc) {
		rc = pipe_state_save(&now, staging, out_dir, err);
		if (!rc && (rc = site_swap_in(staging, out_dir, &old_site, err)) == 0) {
			xfree(&staging); /* it is out_dir now */
			pipe_state_trust(out_dir); /* a list a killed patch left is done with */
		}
	}
	if (gated)
		gate->leave(gate->arg);
	if (!rc)
		rc = site_swap_finish(&old_site, out_dir, err);
	/* a patch's staging folder is empty folders now: the trash takes them too */
	if (!rc && patch && site_trash_move(&trash, staging))
		xfree(&staging);
end:
	site_trash_close(&trash);
	state_job_end(&next); /* before now goes */
	if (staging) {
		struct hearth_err ignored;
		rm_rf(staging, &ignored);
	}
	if (!rc && stats) {
		*stats = st;
		st.failed = NULL;
		st.n_failed = 0;
	}
	pthread_mutex_destroy(&o.mu);
	pthread_mutex_destroy(&o.body_mu);
	lib_public_bodies_close(&o.bodies);
	pipe_state_release(&old);
	pipe_state_release(&now);
	programs_release(&pr);
	free(pl.add);
	free(pl.rm);
	site_stats_release(&st);
	site_groups_release(&c.groups);
	site_ctx_release(&c);
	site_theme_free(&theme);
	free(colls);
	free(base);
	free(out_dir);
	free(theme_dir);
	free(def_theme);
	free(staging);
	free(cover_path);
	free(old_site);
	return rc;
}

/* How many times a build starts again when the catalogue keeps changing. */
#define MAX_ROUNDS 4

/* The generation the build read the catalogue at, checked at the swap. */
struct gen_gate {
	hearth_lib *lib;
	int64_t gen;
};

/*
 * Takes the catalogue's write lock and compares generations: from here
 * until gate_leave (right after the swap) no change can commit, so what
 * is swapped in is the catalogue as it is at the swap.
 */
static int gate_enter(void *arg, struct hearth_err *err)
{
	struct gen_gate *g = arg;
	int64_t now = 0;
	int rc = lib_begin(g->lib, err);
	if (rc)
		return rc;
	if ((rc = lib_generation(g->lib, &now, err)) == 0 && now != g->gen)
		rc = SITE_AGAIN;
	if (rc)
		lib_rollback(g->lib);
	return rc;
}

static void gate_leave(void *arg)
{
	struct gen_gate *g = arg;
	lib_rollback(g->lib); /* nothing was written */
}

/* Removes what killed builds left behind. Under the build lock only. */
static int tidy(hearth_lib *lib, const struct site_opts *opts, struct hearth_err *err)
{
	char *out_dir = out_dir_of(opts, lib_dir(lib));
	char *cache = path_join(lib_dir(lib), "cache");
	int rc = site_out_tidy(out_dir, err);
	if (!rc)
		rc = site_tidy_temp(cache, true, err);
	if (!rc) /* hearth.yaml is written atomically too */
		rc = site_tidy_temp(lib_dir(lib), false, err);
	free(out_dir);
	free(cache);
	return rc;
}

/* One build from the catalogue as it is now; SITE_AGAIN when it changed meanwhile. */
static int build_once(hearth_lib *lib, const struct site_opts *opts,
		      struct site_stats *stats, struct hearth_err *err)
{
	struct lib_settings set;
	struct pub_story **all = NULL, **site = NULL, **pod = NULL;
	struct pub_collection **colls = NULL;
	size_t n = 0, n_site = 0, n_pod = 0, n_colls = 0;
	struct gen_gate g = {.lib = lib};
	struct site_read rd = {.next_due = -1};
	struct prefetch pre = {0};
	int64_t now = hearth_now();
	int rc;

	memset(&set, 0, sizeof set);
	if ((rc = lib_settings_load(lib, &set, err)))
		goto end;
	prefetch_start(&pre, opts, lib_dir(lib), &set);
	/* the generation and the view of both channels from one snapshot */
	if ((rc = lib_begin_read(lib, err)))
		goto end;
	rc = lib_generation(lib, &g.gen, err);
	rd.generation = g.gen;
	if (!rc) /* the clock read before the views: too early a moment at worst */
		rc = lib_next_scheduled(lib, now, &rd.next_due, err);
	if (!rc)
		rc = lib_public_view_all(lib, &all, &n, &colls, &n_colls, err);
	rc = lib_end(lib, rc, err);
	if (!rc) {
		/* each channel's stories, borrowed from the one view */
		site = xcalloc(n + 1, sizeof *site);
		pod = xcalloc(n + 1, sizeof *pod);
		for (size_t i = 0; i < n; i++) {
			if (all[i]->on_site)
				site[n_site++] = all[i];
			if (all[i]->on_podcast)
				pod[n_pod++] = all[i];
		}
		struct site_input in = {
			.lib_dir = lib_dir(lib),
			.set = &set,
			.site = site,
			.n_site = n_site,
			.pod = pod,
			.n_pod = n_pod,
			.colls = colls,
			.n_colls = n_colls,
		};
		struct site_gate gate = {gate_enter, gate_leave, &g};
		rc = build_gated(lib, &in, &rd, &pre, opts, &site_media_default, &gate, stats, err);
	}
end:
	prefetch_end(&pre);
	free(site);
	free(pod);
	pub_story_list_free(all, n);
	pub_collection_list_free(colls, n_colls);
	lib_settings_release(&set);
	return rc;
}

int site_build(hearth_lib *lib, const struct site_opts *opts, struct site_stats *stats,
	       struct hearth_err *err)
{
	struct site_opts none = {0}, how;
	struct site_stats st = {0};
	lib_build_lock *lock = NULL;
	struct lib_store_lock *store = NULL;
	int rc, round, relooks = 0;

	if (!opts)
		opts = &none;
	how = *opts;
	if ((rc = lib_build_lock_take(lib, !opts->no_wait, opts->waiting, opts->waiting_arg,
				      &lock, err)))
		return rc;
	/* originals the catalogue names stay in the store while they are rendered */
	if ((rc = lib_store_lock(lib, LIB_LOCK_SHARED, true, &store, err)) ||
	    (rc = tidy(lib, opts, err)))
		goto end;
	for (round = 1;; round++) {
		rc = build_once(lib, &how, &st, err);
		if (rc == SITE_RELOOK) { /* trust no file of the site the next time */
			how.verify = true;
			relooks++;
			rc = SITE_AGAIN;
		}
		if (rc != SITE_AGAIN)
			break;
		if (round == MAX_ROUNDS) {
			rc = herr(err, HEARTH_ESTATE,
				  "the catalogue changed while each of the last %d builds ran, "
				  "so none was published; build again when the changes are done",
				  MAX_ROUNDS);
			break;
		}
	}
	st.rounds = round - relooks; /* the rounds the catalogue's changes asked for */
	if (!rc && stats) {
		*stats = st;
		st.failed = NULL;
		st.n_failed = 0;
	}
	site_stats_release(&st);
end:
	lib_store_unlock(&store);
	lib_build_unlock(&lock);
	return rc;
}
