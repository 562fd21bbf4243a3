/*
 * opml.c - feeds.opml: an OPML 2.0 list of every feed a library publishes
 * (the podcast, each collection's show, the Atom feed for readers), so a
 * listener can subscribe to everything at once. No dates in the head: the
 * same list gives the same bytes.
 */
#include "feeds.h"
#include "writer.h"

#include <string.h>

static const char *outline_name(const struct feed_outline *o)
{
	if (o->text && *o->text && fw_text_ok(o->text))
		return o->text;
	if (o->xml_url && fw_text_ok(o->xml_url))
		return o->xml_url;
	return "?";
}

static int check_outline(const struct feed_outline *o, size_t idx, struct hearth_err *err)
{
	const struct {
		const char *name, *v;
		bool required;
	} k[] = {
		{"text", o->text, true},
		{"type", o->type, true},
		{"xml_url", o->xml_url, true},
		{"title", o->title, false},
		{"html_url", o->html_url, false},
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		if (k[i].required && (!k[i].v || !*k[i].v))
			return herr(err, HEARTH_EINVAL, "opml outline %zu '%s': '%s' is missing",
				    idx + 1, outline_name(o), k[i].name);
		if (!fw_text_ok(k[i].v))
			return herr(err, HEARTH_EINVAL,
				    "opml outline %zu '%s': '%s' is not valid UTF-8 text", idx + 1,
				    outline_name(o), k[i].name);
	}
	if (strcmp(o->type, "rss") && strcmp(o->type, "atom"))
		return herr(err, HEARTH_EINVAL,
			    "opml outline %zu '%s': 'type' is '%s', not rss or atom", idx + 1,
			    outline_name(o), o->type);
	return 0;
}

int feed_opml(const char *title, const struct feed_outline *o, size_t n,
	      struct buf *out, struct hearth_err *err)
{
	struct fw w = {0};
	int rc = 0;

	if (!title || !*title || !fw_text_ok(title))
		return herr(err, HEARTH_EINVAL, "opml: 'title' is missing or not valid text");
	for (size_t i = 0; !rc && i < n; i++)
		rc = check_outline(&o[i], i, err);
	if (rc)
		return rc;
	if ((rc = fw_open(&w, out, err)))
		goto end;
	fw_start(&w, "opml");
	fw_attr(&w, "version", "2.0");
	fw_start(&w, "head");
	fw_elem(&w, "title", title);
	fw_end(&w);
	fw_start(&w, "body");
	for (size_t i = 0; i < n; i++) {
		fw_start(&w, "outline");
		fw_attr(&w, "type", o[i].type);
		fw_attr(&w, "text", o[i].text);
		fw_attr(&w, "title", o[i].title && *o[i].title ? o[i].title : o[i].text);
		fw_attr(&w, "xmlUrl", o[i].xml_url);
		fw_attr(&w, "htmlUrl", o[i].html_url);
		fw_end(&w);
	}
	fw_end(&w); /* body */
	fw_end(&w); /* opml */
end:
	if (fw_close(&w, rc != 0, err) && !rc)
		rc = HEARTH_EIO;
	return rc;
}
