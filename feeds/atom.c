/*
 * atom.c - the feed for readers: Atom 1.0 (RFC 4287) with every published
 * story of every kind, text too, and the story's text where site consent
 * allows. Podcast apps read feed.xml; this one is for feed readers, so
 * audio is only a rel="enclosure" link beside the text.
 *
 * Entry ids are urn:uuid:<story GUID>, so they never change with the
 * site's address; the feed's own id is given by the caller. Summaries are
 * plain text (type="text", so no HTML escape beyond XML's) with the
 * content warnings first; content is HTML, escaped once by the XML writer
 * as type="html" asks. Everything is checked before the first byte is
 * written. Determinism: no clock, no environment.
 */
#include "feeds.h"
#include "writer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_FH "http://purl.org/syndication/history/1.0"
/* RFC 4122's namespace for URLs, for GUIDs that are not UUIDs themselves */
#define NS_UUID_URL "6ba7b811-9dad-11d1-80b4-00c04fd430c8"

static bool is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/*
 * "urn:uuid:<guid>" (lowercase); a GUID that is not a UUID (an old story's
 * slug) becomes the UUIDv5 of itself, so the id is still a valid URN and
 * still never changes.
 */
static void entry_id(const char *guid, char out[46])
{
	char u[37];
	if (is_uuid(guid)) {
		for (int i = 0; i < 36; i++)
			u[i] = (char)tolower((unsigned char)guid[i]);
		u[36] = '\0';
	} else if (uuid5(NS_UUID_URL, guid, u)) {
		u[0] = '\0'; /* cannot happen: the namespace is a UUID */
	}
	memcpy(out, "urn:uuid:", 9);
	memcpy(out + 9, u, 37);
}

static const char *entry_name(const struct feed_atom_entry *e)
{
	if (e->title && *e->title && fw_text_ok(e->title))
		return e->title;
	if (e->guid && *e->guid && fw_text_ok(e->guid))
		return e->guid;
	return "?";
}

static int check_feed(const struct feed_atom_feed *f, struct hearth_err *err)
{
	const struct {
		const char *name, *v;
		bool required;
	} k[] = {
		{"id", f->id, true},
		{"title", f->title, true},
		{"link", f->link, true},
		{"feed_url", f->feed_url, true},
		{"author", f->author, true},
		{"subtitle", f->subtitle, false},
		{"language", f->language, false},
		{"icon_url", f->icon_url, false},
		{"rights", f->rights, false},
		{"archive.current_url", f->archive.current_url, false},
		{"archive.prev_archive_url", f->archive.prev_archive_url, false},
		{"archive.next_archive_url", f->archive.next_archive_url, false},
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		if (k[i].required && (!k[i].v || !*k[i].v))
			return herr(err, HEARTH_EINVAL, "atom feed: '%s' is missing", k[i].name);
		if (!fw_text_ok(k[i].v))
			return herr(err, HEARTH_EINVAL, "atom feed: '%s' is not valid UTF-8 text",
				    k[i].name);
	}
	for (size_t i = 0; i < f->n_hubs; i++)
		if (!fw_url_ok(f->hubs[i]))
			return herr(err, HEARTH_EINVAL,
				    "notify.hubs: hub %zu is not an http:// or https:// address",
				    i + 1);
	return 0;
}

static int check_entry(const struct feed_atom_entry *e, size_t idx, struct hearth_err *err)
{
	const struct {
		const char *name, *v;
		bool required;
	} k[] = {
		{"title", e->title, true},
		{"guid", e->guid, true},
		{"link", e->link, false},
		{"author", e->author, false},
		{"summary", e->summary, false},
		/* checked already by the caller when it gives the length */
		{"content_html", e->content_len ? NULL : e->content_html, false},
		{"enclosure_url", e->enclosure_url, false},
		{"enclosure_type", e->enclosure_type, e->enclosure_url != NULL},
	};
	const char *who = entry_name(e);
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		if (k[i].required && (!k[i].v || !*k[i].v))
			return herr(err, HEARTH_EINVAL, "atom entry %zu '%s': '%s' is missing",
				    idx + 1, who, k[i].name);
		if (!fw_text_ok(k[i].v))
			return herr(err, HEARTH_EINVAL,
				    "atom entry %zu '%s': '%s' is not valid UTF-8 text", idx + 1,
				    who, k[i].name);
	}
	for (char **p = e->warnings; p && *p; p++)
		if (!fw_text_ok(*p))
			return herr(err, HEARTH_EINVAL,
				    "atom entry %zu '%s': a content warning is not valid UTF-8 "
				    "text",
				    idx + 1, who);
	if (e->published <= 0)
		return herr(err, HEARTH_EINVAL, "atom entry %zu '%s': 'published' is missing",
			    idx + 1, who);
	if (e->enclosure_url && e->enclosure_length <= 0)
		return herr(err, HEARTH_EINVAL,
			    "atom entry %zu '%s': 'enclosure_length' is missing: the audio "
			    "file's size in bytes is unknown",
			    idx + 1, who);
	/* RFC 4287 4.1.1: an entry without content needs an alternate link */
	if (!e->content_html && !(e->link && *e->link))
		return herr(err, HEARTH_EINVAL,
			    "atom entry %zu '%s': needs 'link' (its page) or 'content_html'",
			    idx + 1, who);
	return 0;
}

static int cmp_guid(const void *a, const void *b)
{
	const struct feed_atom_entry *x = *(const struct feed_atom_entry *const *)a;
	const struct feed_atom_entry *y = *(const struct feed_atom_entry *const *)b;
	int c = strcasecmp(x->guid, y->guid);
	return c ? c : (x < y ? -1 : x > y);
}

/* Two entries with one id would be one story to a reader: refused, both named. */
static int check_unique_ids(const struct feed_atom_entry *e, size_t n, struct hearth_err *err)
{
	const struct feed_atom_entry **v;
	int rc = 0;

	if (n < 2)
		return 0;
	v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = &e[i];
	qsort(v, n, sizeof *v, cmp_guid);
	for (size_t i = 1; i < n; i++)
		if (!strcasecmp(v[i - 1]->guid, v[i]->guid)) {
			rc = herr(err, HEARTH_EINVAL,
				  "atom entries %zu '%s' and %zu '%s': 'guid' %s is the same",
				  (size_t)(v[i - 1] - e) + 1, entry_name(v[i - 1]),
				  (size_t)(v[i] - e) + 1, entry_name(v[i]), v[i]->guid);
			break;
		}
	free(v);
	return rc;
}

static void link(struct fw *w, const char *rel, const char *type, const char *href)
{
	if (!href)
		return;
	fw_start(w, "link");
	fw_attr(w, "rel", rel);
	fw_attr(w, "type", type);
	fw_attr(w, "href", href);
	fw_end(w);
}

static void date_elem(struct fw *w, const char *name, int64_t t)
{
	char d[21];
	date_iso(t, d);
	fw_elem(w, name, d);
}

static void author(struct fw *w, const char *name)
{
	fw_start(w, "author");
	fw_elem(w, "name", name);
	fw_end(w);
}

/* The summary as readers see it: the warnings first, as plain text. */
static char *summary_text(const struct feed_atom_entry *e)
{
	struct buf b = BUF_INIT;
	if (e->warnings && e->warnings[0]) {
		buf_puts(&b, "Content warning: ");
		for (size_t i = 0; e->warnings[i]; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", e->warnings[i]);
		buf_puts(&b, ". ");
	}
	if (e->summary)
		buf_puts(&b, e->summary);
	buf_puts(&b, "");
	return buf_detach(&b);
}

static void write_entry(struct fw *w, const struct feed_atom_entry *e)
{
	char id[46];
	char *summary = summary_text(e);

	entry_id(e->guid, id);
	fw_start(w, "entry");
	fw_elem(w, "id", id);
	fw_elem(w, "title", e->title);
	date_elem(w, "published", e->published);
	date_elem(w, "updated", e->updated > 0 ? e->updated : e->published);
	if (e->author && *e->author)
		author(w, e->author);
	link(w, "alternate", "text/html", e->link);
	if (e->enclosure_url) {
		fw_start(w, "link");
		fw_attr(w, "rel", "enclosure");
		fw_attr(w, "type", e->enclosure_type);
		fw_attr_int(w, "length", e->enclosure_length);
		fw_attr(w, "href", e->enclosure_url);
		fw_end(w);
	}
	if (*summary)
		fw_elem(w, "summary", summary);
	free(summary);
	if (e->content_html) {
		fw_start(w, "content");
		fw_attr(w, "type", "html");
		/* as CDATA, like content:encoded: the HTML copied, not escaped */
		if (e->content_len)
			fw_cdata_checked(w, e->content_html, e->content_len);
		else
			fw_cdata(w, e->content_html);
		fw_end(w);
	}
	fw_end(w);
}

int feed_atom(const struct feed_atom_feed *f, const struct feed_atom_entry *e, size_t n,
	      struct buf *out, struct hearth_err *err)
{
	struct fw w = {0};
	int64_t updated = f->updated;
	int rc = check_feed(f, err);

	for (size_t i = 0; !rc && i < n; i++)
		rc = check_entry(&e[i], i, err);
	if (!rc)
		rc = check_unique_ids(e, n, err);
	if (rc)
		return rc;
	for (size_t i = 0; !f->updated && i < n; i++) {
		int64_t t = e[i].updated > 0 ? e[i].updated : e[i].published;
		if (t > updated)
			updated = t;
	}
	if ((rc = fw_open(&w, out, err)))
		goto end;
	fw_start(&w, "feed");
	fw_attr(&w, "xmlns", NS_ATOM);
	if (f->archive.is_archive)
		fw_attr(&w, "xmlns:fh", NS_FH);
	if (f->language && *f->language)
		fw_attr(&w, "xml:lang", f->language);
	fw_elem(&w, "id", f->id);
	fw_elem(&w, "title", f->title);
	fw_elem(&w, "subtitle", f->subtitle);
	date_elem(&w, "updated", updated);
	author(&w, f->author);
	link(&w, "alternate", "text/html", f->link);
	link(&w, "self", "application/atom+xml", f->feed_url);
	for (size_t i = 0; i < f->n_hubs; i++)
		link(&w, "hub", NULL, f->hubs[i]);
	if (f->archive.is_archive) {
		fw_start(&w, "fh:archive");
		fw_end(&w);
	}
	link(&w, "current", "application/atom+xml", f->archive.current_url);
	link(&w, "prev-archive", "application/atom+xml", f->archive.prev_archive_url);
	link(&w, "next-archive", "application/atom+xml", f->archive.next_archive_url);
	fw_start(&w, "generator");
	fw_text(&w, "Hearth");
	fw_end(&w);
	fw_elem(&w, "logo", f->icon_url);
	fw_elem(&w, "rights", f->rights);
	for (size_t i = 0; i < n; i++)
		write_entry(&w, &e[i]);
	fw_end(&w); /* feed */
end:
	if (fw_close(&w, rc != 0, err) && !rc)
		rc = HEARTH_EIO;
	return rc;
}
