/*
 * build.c - site_build(): the whole pipeline from the library's public
 * view to a finished folder. It reads the settings and both views (site,
 * podcast), makes the media renditions and JSON chapters, writes one HTML page per story on
 * the site, per collection, the home page and 404.html through the theme,
 * writes feed.xml from the podcast view, and swaps the folder in.
 *
 * Consent decides what is made: a story only in the podcast view gets its
 * media and a feed item but no page and no link; a story only in the site
 * view gets a page whose player uses its audio. Everything is rebuilt each
 * time, so a withdrawn story leaves no trace. Nothing reads the clock: the
 * only times are the stories' own and SOURCE_DATE_EPOCH.
 */
#include "pipelineInt.h"
#include "../feeds/feeds.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Applies the theme to doc (which it frees) and writes staging/rel. */
static int write_page(site_theme *t, xmlDocPtr doc, const char *staging, const char *rel,
		      const char *root, struct hearth_err *err)
{
	struct buf html = BUF_INIT;
	int rc = site_theme_apply(t, doc, root, &html, err);
	xmlFreeDoc(doc);
	if (!rc) {
		char *dst = path_join(staging, rel);
		rc = file_write_atomic(dst, html.data, html.len, err);
		free(dst);
	}
	if (rc)
		herr_prefix(err, "page '%s'", rel);
	buf_release(&html);
	return rc;
}

static int write_pages(const struct site_ctx *c, site_theme *t, const char *staging,
		       struct site_stats *st, struct hearth_err *err)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < c->n; i++) {
		const struct site_entry *e = &c->e[i];
		if (!e->on_site)
			continue;
		char *rel = xasprintf("stories/%s/index.html", e->s->slug);
		rc = write_page(t, site_page_story(c, e), staging, rel, "../../", err);
		free(rel);
		st->stories++;
	}
	for (size_t i = 0; !rc && i < c->n_colls; i++) {
		char *rel = xasprintf("collections/%s/index.html", c->colls[i]->slug);
		rc = write_page(t, site_page_collection(c, c->colls[i]), staging, rel,
				"../../", err);
		free(rel);
		st->collections++;
	}
	if (!rc)
		rc = write_page(t, site_page_home(c), staging, "index.html", "", err);
	if (!rc) {
		/* served for any missing path, so its links must not be relative */
		char *root = xasprintf("%s/", c->base_url);
		rc = write_page(t, site_page_404(c), staging, "404.html", root, err);
		free(root);
	}
	return rc;
}

/* ---- feed ---------------------------------------------------------------- */

/* content:encoded: the warning, the summary, the byline and the page link. */
static char *item_html(const struct site_entry *e, const char *link)
{
	const struct pub_story *s = e->s;
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr div = xmlNewDocNode(doc, NULL, BAD_CAST "div", NULL);
	xmlBufferPtr xb = xmlBufferCreate();
	char *out;

	xmlDocSetRootElement(doc, div);
	if (s->warnings && s->warnings[0]) {
		char *w = strv_join(s->warnings, ", ");
		char *t = xasprintf("Content warning: %s.", w);
		xmlNewTextChild(div, NULL, BAD_CAST "p", BAD_CAST t);
		free(t);
		free(w);
	}
	if (s->summary && *s->summary)
		xmlNewTextChild(div, NULL, BAD_CAST "p", BAD_CAST s->summary);
	if (s->byline && *s->byline) {
		char *t = !strcmp(s->byline, "Anonymous") ? xstrdup("Shared anonymously.")
							   : xasprintf("By %s.", s->byline);
		xmlNewTextChild(div, NULL, BAD_CAST "p", BAD_CAST t);
		free(t);
	}
	if (link) {
		xmlNodePtr p = xmlNewChild(div, NULL, BAD_CAST "p", NULL);
		xmlNodePtr a = xmlNewTextChild(p, NULL, BAD_CAST "a",
					       BAD_CAST(e->m.transcript
							? "Read the story and its transcript"
							: "Read the story"));
		xmlSetProp(a, BAD_CAST "href", BAD_CAST link);
	}
	/* the inside of the div, without the div */
	for (xmlNodePtr n = div->children; n; n = n->next)
		xmlNodeDump(xb, doc, n, 0, 0);
	out = xstrdup((const char *)xmlBufferContent(xb));
	xmlBufferFree(xb);
	xmlFreeDoc(doc);
	return out;
}

/*
 * The feed's podcast:guid. A build from the library's own base_url that
 * writes episodes stores it the first time (the library refuses init's
 * placeholder address then); a preview (--base-url elsewhere) or a feed
 * without episodes uses the stored one or a GUID made on the spot, and
 * stores nothing. Without a library (lib NULL) nothing is stored either.
 */
static int podcast_guid(hearth_lib *lib, const struct site_ctx *c, size_t n_items,
			char out[37], struct hearth_err *err)
{
	const struct lib_settings *s = c->set;
	bool preview = !s->base_url || strcmp(c->base_url, s->base_url) != 0;

	out[0] = '\0';
	if (n_items && lib_base_url_is_placeholder(c->base_url))
		return herr(err, HEARTH_EINVAL,
			    "base_url: '%s' is the placeholder 'hearth init' writes; set base_url "
			    "in hearth.yaml to the address the site will be served from (or "
			    "build a preview with --base-url)",
			    c->base_url);
	if (s->podcast_guid && *s->podcast_guid) {
		snprintf(out, 37, "%s", s->podcast_guid);
		return 0;
	}
	if (lib)
		return lib_podcast_guid(lib, c->base_url, n_items && !preview, out, err);
	if (!lib_base_url_is_placeholder(c->base_url))
		lib_podcast_guid_for(c->base_url, out);
	return 0;
}

/* True when the podcast view has a story with sound: the feed will have episodes. */
static bool has_episodes(const struct site_ctx *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].on_podcast && c->e[i].s->sound)
			return true;
	return false;
}

/* The URLs and HTML one feed item points into. */
struct item_strings {
	char *link, *enclosure, *alternate, *image, *transcript, *chapters, *html;
};

static void item_fill(const struct site_ctx *c, const struct site_entry *e,
		      const char *cover, struct feed_item *it, struct item_strings *o)
{
	const struct pub_story *ps = e->s;
	const char *b = c->base_url;

	if (e->on_site)
		o->link = xasprintf("%s/stories/%s/", b, ps->slug);
	o->enclosure = xasprintf("%s/%s", b, e->m.audio[0].src);
	if (e->m.audio[0].m4a_src)
		o->alternate = xasprintf("%s/%s", b, e->m.audio[0].m4a_src);
	/* the episode's own cover when its art is big enough, else the show's */
	if (e->m.cover_src)
		o->image = xasprintf("%s/%s", b, e->m.cover_src);
	else if (cover)
		o->image = xstrdup(cover);
	if (e->m.vtt_src)
		o->transcript = xasprintf("%s/%s", b, e->m.vtt_src);
	if (e->m.chapters_src)
		o->chapters = xasprintf("%s/%s", b, e->m.chapters_src);
	o->html = item_html(e, o->link);

	it->title = ps->title;
	it->description = ps->summary;
	it->content_html = o->html;
	it->link = o->link;
	it->guid = ps->guid && *ps->guid ? ps->guid : ps->slug;
	it->author = ps->byline;
	it->pub_date = ps->published_at;
	it->enclosure_url = o->enclosure;
	it->enclosure_length = e->m.audio[0].size;
	it->enclosure_type = "audio/mpeg";
	if (o->alternate) {
		const struct site_audio *a = &e->m.audio[0];
		it->alternate_url = o->alternate;
		it->alternate_type = "audio/mp4";
		it->alternate_codecs = "mp4a.40.2"; /* AAC-LC */
		it->alternate_length = a->m4a_size;
		if (a->duration > 0)
			it->alternate_bitrate = llround((double)a->m4a_size * 8 / a->duration);
	}
	it->duration = e->m.audio[0].duration;
	it->season = ps->season;
	it->episode = ps->episode;
	it->image_url = o->image;
	it->transcript_url = o->transcript;
	it->transcript_type = "text/vtt";
	it->chapters_url = o->chapters;
	it->license = ps->license;
	it->warnings = ps->warnings;
	it->language = ps->language;
}

/*
 * feed.xml: one item per story of the podcast view that has audio, newest
 * first. lastBuildDate is SOURCE_DATE_EPOCH when set, else the newest time
 * among the items, so an unchanged library gives the same bytes.
 */
static int write_feed(hearth_lib *lib, const struct site_ctx *c, const char *staging,
		      struct site_stats *st, struct hearth_err *err)
{
	const struct lib_settings *s = c->set;
	struct feed_item *items = xcalloc(c->n + 1, sizeof *items);
	struct item_strings *own = xcalloc(c->n + 1, sizeof *own);
	size_t n = 0;
	int64_t newest = 0;
	char guid[37];
	struct buf out = BUF_INIT;
	char *feed_url = xasprintf("%s/feed.xml", c->base_url);
	char *home = xasprintf("%s/", c->base_url);
	char *cover = c->cover_src ? xasprintf("%s/%s", c->base_url, c->cover_src) : NULL;
	int rc;

	for (size_t i = 0; i < c->n; i++) {
		const struct site_entry *e = &c->e[i];
		if (!e->on_podcast || e->m.n_audio == 0)
			continue;
		item_fill(c, e, cover, &items[n], &own[n]);
		n++;
		/* publication dates, not edit times: the same bundles give the same bytes */
		if (e->s->published_at > newest)
			newest = e->s->published_at;
	}

	if ((rc = podcast_guid(lib, c, n, guid, err)))
		goto end;
	int64_t sde = hearth_source_date_epoch();
	struct feed_channel ch = {
		.title = s->title,
		.description = s->description && *s->description ? s->description : s->title,
		.link = home,
		.feed_url = feed_url,
		.language = s->language && *s->language ? s->language : "en",
		.author = s->author,
		.category = s->category,
		.subcategory = s->subcategory,
		.explicit_ = s->explicit_,
		.image_url = cover,
		.license = s->license,
		.podcast_guid = guid[0] ? guid : NULL,
		.last_build = sde >= 0 ? sde : newest,
	};
	rc = feed_rss(&ch, items, n, &out, err);
	if (!rc) {
		char *dst = path_join(staging, "feed.xml");
		rc = file_write_atomic(dst, out.data, out.len, err);
		free(dst);
	}
end:
	if (rc)
		herr_prefix(err, "feed.xml");
	st->feed_items = n;
	for (size_t i = 0; i < n; i++) {
		free(own[i].link);
		free(own[i].enclosure);
		free(own[i].alternate);
		free(own[i].image);
		free(own[i].transcript);
		free(own[i].chapters);
		free(own[i].html);
	}
	buf_release(&out);
	free(own);
	free(items);
	free(feed_url);
	free(home);
	free(cover);
	return rc;
}

/* ---- the build ----------------------------------------------------------- */

/* A copy of s without trailing slashes. */
static char *strip_slashes(const char *s)
{
	char *r = xstrdup(s);
	size_t n = strlen(r);
	while (n > 1 && r[n - 1] == '/')
		r[--n] = '\0';
	return r;
}

static int write_marker(const char *staging, struct hearth_err *err)
{
	return site_marker_write(staging, err);
}

/* site_build_input with a gate (NULL: none); returns SITE_AGAIN from it. */
static int build_gated(hearth_lib *lib, const struct site_input *in,
		       const struct site_opts *opts, const struct site_media_ops *ops,
		       const struct site_gate *gate, struct site_stats *stats,
		       struct hearth_err *err);

int site_build_input(hearth_lib *lib, const struct site_input *in,
		     const struct site_opts *opts, const struct site_media_ops *ops,
		     struct site_stats *stats, struct hearth_err *err)
{
	return build_gated(lib, in, opts, ops, NULL, stats, err);
}

static int build_gated(hearth_lib *lib, const struct site_input *in,
		       const struct site_opts *opts, const struct site_media_ops *ops,
		       const struct site_gate *gate, struct site_stats *stats,
		       struct hearth_err *err)
{
	struct site_stats st = {0};
	struct site_ctx c = {0};
	struct pub_collection **colls = NULL;
	site_theme *theme = NULL;
	char *base = NULL, *out_dir = NULL, *theme_dir = NULL, *staging = NULL;
	char *cover_path = NULL, *css_dst = NULL, *old = NULL;
	bool gated = false;
	const char *base_src = opts->base_url ? opts->base_url : in->set->base_url;
	int rc = 0;

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
	base = strip_slashes(base_src);
	out_dir = opts->out_dir ? strip_slashes(opts->out_dir)
				: path_join(in->lib_dir ? in->lib_dir : ".", "public");
	theme_dir = opts->theme_dir ? xstrdup(opts->theme_dir) : site_default_theme();
	if (!theme_dir) {
		rc = herr(err, HEARTH_ENOENT,
			  "no theme found: set HEARTH_THEME_DIR or install hearth's themes");
		goto end;
	}
	if ((rc = site_out_check(out_dir, err)) || (rc = site_theme_load(theme_dir, &theme, err)))
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
	if ((rc = site_staging_make(out_dir, &staging, err)))
		goto end;

	c.set = in->set;
	c.base_url = base;
	c.cover_src = cover_path ? "cover.jpg" : NULL;
	site_ctx_entries(&c, in->site, in->n_site, in->pod, in->n_pod);
	if (in->n_colls) {
		colls = xcalloc(in->n_colls, sizeof *colls);
		memcpy(colls, in->colls, in->n_colls * sizeof *colls);
		qsort(colls, in->n_colls, sizeof *colls, coll_by_slug);
	}
	c.colls = colls;
	c.n_colls = in->n_colls;
	/* before any media work: a podcast needs a real address (see podcast_guid) */
	char early[37];
	if (has_episodes(&c) && lib_base_url_is_placeholder(base) &&
	    (rc = podcast_guid(NULL, &c, 1, early, err)))
		goto end;

	rc = site_media_run(lib, ops, &c, cover_path, staging, opts->jobs, opts, &st,
			    err);
	if (!rc)
		rc = drop_failed(&c, staging, err);
	if (!rc)
		rc = site_chapters_write(&c, staging, err);
	if (!rc)
		rc = write_pages(&c, theme, staging, &st, err);
	if (!rc && site_theme_css(theme)) {
		css_dst = path_join(staging, "style.css");
		rc = file_copy(site_theme_css(theme), css_dst, err);
	}
	if (!rc)
		rc = write_feed(lib, &c, staging, &st, err);
	if (!rc)
		rc = write_marker(staging, err);
	if (!rc)
		rc = site_out_check(out_dir, err); /* it may have changed meanwhile */
	if (!rc && gate)
		gated = (rc = gate->enter(gate->arg, err)) == 0;
	if (!rc && (rc = site_swap_in(staging, out_dir, &old, err)) == 0)
		xfree(&staging); /* it is out_dir now */
	if (gated)
		gate->leave(gate->arg);
	if (!rc)
		rc = site_swap_finish(&old, out_dir, err);
end:
	if (staging) {
		struct hearth_err ignored;
		rm_rf(staging, &ignored);
	}
	if (!rc && stats) {
		*stats = st;
		st.failed = NULL;
		st.n_failed = 0;
	}
	site_stats_release(&st);
	site_ctx_release(&c);
	site_theme_free(&theme);
	free(colls);
	free(base);
	free(out_dir);
	free(theme_dir);
	free(staging);
	free(cover_path);
	free(css_dst);
	free(old);
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
	char *out_dir = opts->out_dir ? strip_slashes(opts->out_dir)
				      : path_join(lib_dir(lib), "public");
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
	struct pub_story **site = NULL, **pod = NULL;
	struct pub_collection **colls = NULL;
	size_t n_site = 0, n_pod = 0, n_colls = 0;
	struct gen_gate g = {.lib = lib};
	int rc;

	memset(&set, 0, sizeof set);
	if ((rc = lib_settings_load(lib, &set, err)))
		return rc;
	/* the generation and both views from one snapshot of the catalogue */
	if ((rc = lib_begin_read(lib, err)))
		goto end;
	rc = lib_generation(lib, &g.gen, err);
	if (!rc)
		rc = lib_public_view(lib, CH_SITE, &site, &n_site, &colls, &n_colls, err);
	if (!rc)
		rc = lib_public_view(lib, CH_PODCAST, &pod, &n_pod, NULL, NULL, err);
	rc = lib_end(lib, rc, err);
	if (!rc) {
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
		rc = build_gated(lib, &in, opts, &site_media_default, &gate, stats, err);
	}
end:
	pub_story_list_free(site, n_site);
	pub_story_list_free(pod, n_pod);
	pub_collection_list_free(colls, n_colls);
	lib_settings_release(&set);
	return rc;
}

int site_build(hearth_lib *lib, const struct site_opts *opts, struct site_stats *stats,
	       struct hearth_err *err)
{
	struct site_opts none = {0};
	struct site_stats st = {0};
	lib_build_lock *lock = NULL;
	struct lib_store_lock *store = NULL;
	int rc, round;

	if (!opts)
		opts = &none;
	if ((rc = lib_build_lock_take(lib, !opts->no_wait, opts->waiting, opts->waiting_arg,
				      &lock, err)))
		return rc;
	/* originals the catalogue names stay in the store while they are rendered */
	if ((rc = lib_store_lock(lib, LIB_LOCK_SHARED, true, &store, err)) ||
	    (rc = tidy(lib, opts, err)))
		goto end;
	for (round = 1;; round++) {
		rc = build_once(lib, opts, &st, err);
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
	st.rounds = round;
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
