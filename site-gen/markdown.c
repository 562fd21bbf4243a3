/*
 * markdown.c - a story's Markdown body as XHTML nodes in its page
 * document. cmark parses the body (CommonMark) and we walk its node tree,
 * making each element with libxml2's tree API, so no markup is written
 * as a string and read back: every text and attribute value goes in as
 * data, and libxml2 escapes it when the page is serialised.
 *
 * The same walk also writes the body straight as HTML text
 * (site_markdown_html), for the feeds: the bytes xmlNodeDump would write
 * for the nodes, without making them. One walk decides what a body
 * becomes, so a page and a feed cannot disagree; the unit tests compare
 * the two outputs over the whole corpus.
 *
 * The result is the tree cmark's HTML renderer would give in its safe
 * mode, read as XML, made fit for a story page:
 *   - headings move down a level (the page keeps its one h1), h6 stays;
 *   - links are marked rel="ugc nofollow"; a link whose URL is empty or
 *     unsafe (javascript:, vbscript:, file:, data: other than the images
 *     cmark's safe mode lets through) is left out and its text kept;
 *   - an image becomes its alt text: a remote one would tell a third party
 *     who reads a mental-health story, and a local one would name an
 *     original, which is never published (art goes through the assets);
 *   - raw HTML, block or inline, is left out (safe mode writes a comment
 *     in its place, which the page never showed), and so is anything a
 *     custom node would write raw;
 *   - the line breaks cmark writes between blocks stay as text, so the
 *     page's bytes are those of the render-and-parse it replaces.
 * Two things differ from reading cmark's HTML back, both where that
 * failed and fell back to the Markdown as plain paragraphs: characters
 * XML cannot hold (controls, from the text or from entities like &#1;)
 * become U+FFFD, and elements nested deeper than MAX_DEPTH are not made
 * (their content goes into the deepest element that was), which keeps the
 * theme's copy and the serialiser out of deep recursion.
 *
 * Nothing here is shared between calls: pages can be made on several
 * threads at once.
 */
#include "siteInt.h"

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

/* How deep elements nest below <body>. */
#define MAX_DEPTH 100

struct walk {
	xmlDocPtr doc;
	xmlNodePtr cur;   /* the element content goes into (nodes) */
	struct buf *html; /* the HTML written instead of nodes, or NULL */
	bool tag_open;    /* html: a start tag not yet ended by '>' or "/>" */
	const char *names[MAX_DEPTH]; /* html: the open elements, outermost first */
	int depth;        /* elements open below the body */
	int over;         /* elements not made because of MAX_DEPTH, still open */
	char last;        /* the last byte cmark's HTML would hold so far, 0 at first */
	struct buf text;  /* text waiting to go into cur */
	bool empty_text;  /* cur gets a text node even if text is empty (an empty alt) */
	struct buf attr;  /* an attribute value being made */
};

/* ---- text ---------------------------------------------------------------- */

/*
 * The length of the UTF-8 sequence at s (n bytes left) and its code point
 * in *cp, or 0 when it is not well-formed (overlong, surrogate, beyond
 * U+10FFFF, cut short).
 */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, c &= 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, c &= 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* A character XML 1.0 can hold (the line ending ones are handled apart). */
static bool xml_char(unsigned c)
{
	return c >= 0x20 ? c != 0xfffe && c != 0xffff : c == '\t' || c == '\n';
}

/*
 * Appends s to b as an XML parser would hand back the same text from
 * cmark's HTML: line endings (CR LF, CR) become LF, and in an attribute
 * value (attr) tabs and line feeds become spaces. What XML cannot hold,
 * and bytes that are not UTF-8, become U+FFFD.
 */
static void put_text(struct buf *b, const char *s, size_t n, bool attr)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, from = 0;

	while (i < n) {
		unsigned c = 0;
		size_t len = utf8_seq(p + i, n - i, &c);
		if (len && c != '\r' && xml_char(c) && !(attr && (c == '\t' || c == '\n'))) {
			i += len;
			continue;
		}
		buf_add(b, s + from, i - from);
		if (len && c == '\r') {
			buf_putc(b, attr ? ' ' : '\n');
			i += (i + 1 < n && p[i + 1] == '\n') ? 2 : 1;
		} else if (len && xml_char(c)) { /* a tab or a line feed in a value */
			buf_putc(b, ' ');
			i++;
		} else {
			buf_puts(b, "\xef\xbf\xbd");
			i += len ? len : 1;
		}
		from = i;
	}
	buf_add(b, s + from, n - from);
}

/* Text for cur; the byte cmark's HTML would end with follows it. */
static void text(struct walk *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (!n)
		return;
	put_text(&w->text, s, n, false);
	w->last = s[n - 1];
}

/* Markup cmark writes that leaves no node here: only its last byte counts. */
static void markup(struct walk *w)
{
	w->last = '>';
}

/* cmark's cr(): a line feed unless its HTML is empty or ends with one. */
static void cr(struct walk *w)
{
	if (w->last && w->last != '\n')
		text(w, "\n");
}

/* html: ends the start tag waiting, as an element that holds something. */
static void end_tag(struct walk *w)
{
	if (w->tag_open)
		buf_putc(w->html, '>');
	w->tag_open = false;
}

static void flush(struct walk *w)
{
	if (!w->text.len && !w->empty_text)
		return;
	if (w->html) {
		end_tag(w);
		site_html_escape(w->html, buf_cstr(&w->text), false);
	} else {
		xmlAddChild(w->cur, xmlNewDocTextLen(w->doc, BAD_CAST buf_cstr(&w->text),
						     (int)w->text.len));
	}
	buf_reset(&w->text);
	w->empty_text = false;
}

/* ---- elements ------------------------------------------------------------ */

/*
 * Opens an element (name: a literal) in cur and enters it; false when it
 * is too deep to make. Its attributes (add_attr) come next, before any
 * content.
 */
static bool open_el(struct walk *w, const char *name)
{
	markup(w);
	if (w->depth >= MAX_DEPTH) {
		w->over++;
		return false;
	}
	flush(w);
	if (w->html) {
		end_tag(w);
		buf_putc(w->html, '<');
		buf_puts(w->html, name);
		w->tag_open = true;
		w->names[w->depth] = name;
	} else {
		xmlNodePtr el = xmlNewDocNode(w->doc, NULL, BAD_CAST name, NULL);
		xmlAddChild(w->cur, el);
		w->cur = el;
	}
	w->depth++;
	return true;
}

static void close_el(struct walk *w)
{
	markup(w);
	if (w->over) {
		w->over--;
		return;
	}
	flush(w);
	w->depth--;
	if (!w->html) {
		w->cur = w->cur->parent;
	} else if (w->tag_open) {
		buf_add(w->html, "/>", 2);
		w->tag_open = false;
	} else {
		buf_add(w->html, "</", 2);
		buf_puts(w->html, w->names[w->depth]);
		buf_putc(w->html, '>');
	}
}

/* An attribute of the element just opened (made: open_el's answer). */
static void add_attr(struct walk *w, bool made, const char *name, const char *value)
{
	if (!made)
		return;
	if (!w->html) {
		xmlNewProp(w->cur, BAD_CAST name, BAD_CAST value);
		return;
	}
	buf_putc(w->html, ' ');
	buf_puts(w->html, name);
	buf_add(w->html, "=\"", 2);
	site_html_escape(w->html, value, true);
	buf_putc(w->html, '"');
}

/* An attribute from text of the document, made as an XML parser would. */
static void set_attr(struct walk *w, bool made, const char *name, const char *prefix,
		     const char *s, size_t n)
{
	if (!made)
		return;
	buf_reset(&w->attr);
	buf_puts(&w->attr, prefix);
	put_text(&w->attr, s, n, true);
	add_attr(w, made, name, buf_cstr(&w->attr));
}

/* ---- links --------------------------------------------------------------- */

/* Whether s starts with prefix, ASCII letters in any case. */
static bool starts_nocase(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *prefix)
			return false;
	}
	return true;
}

/* The URLs cmark's safe mode empties: some schemes, and data: but images. */
static bool unsafe_url(const char *url)
{
	static const char *const images[] = {"data:image/png", "data:image/gif",
					     "data:image/jpeg", "data:image/webp"};
	static const char *const schemes[] = {"javascript:", "vbscript:", "file:", "data:"};

	for (size_t i = 0; i < sizeof images / sizeof images[0]; i++)
		if (starts_nocase(url, images[i]))
			return false;
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (starts_nocase(url, schemes[i]))
			return true;
	return false;
}

/*
 * The href cmark writes for url: letters, digits and the URL punctuation
 * -_.+!*(),%#@?=;:/$&'~ as they are, every other byte as %XX.
 */
static void put_href(struct buf *b, const char *url)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c && strchr("-_.+!*(),%#@?=;:/$&'~", c))) {
			buf_putc(b, (char)c);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

static void link_enter(struct walk *w, cmark_node *node)
{
	const char *url = cmark_node_get_url(node), *title = cmark_node_get_title(node);
	if (!open_el(w, "a"))
		return;
	buf_reset(&w->attr);
	put_href(&w->attr, url);
	add_attr(w, true, "href", buf_cstr(&w->attr));
	if (title && *title)
		set_attr(w, true, "title", "", title, strlen(title));
	add_attr(w, true, "rel", "ugc nofollow");
}

/* Whether a link is made at all: an empty or unsafe one keeps only its text. */
static bool link_kept(cmark_node *node)
{
	const char *url = cmark_node_get_url(node);
	return url && *url && !unsafe_url(url);
}

/*
 * An image's alt text, as cmark writes it into alt="": the text of
 * everything inside, breaks as spaces. Leaves the iterator on the image's
 * exit.
 */
static void image_alt(struct walk *w, cmark_iter *it, cmark_node *image)
{
	cmark_event_type ev;
	buf_reset(&w->attr);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (n == image)
			break;
		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
		case CMARK_NODE_HTML_INLINE: {
			const char *s = cmark_node_get_literal(n);
			if (s)
				buf_puts(&w->attr, s);
			break;
		}
		case CMARK_NODE_LINEBREAK:
		case CMARK_NODE_SOFTBREAK:
			buf_putc(&w->attr, ' ');
			break;
		default:
			break;
		}
	}
	/* the value as an attribute holds it, then as text */
	if (w->attr.len)
		put_text(&w->text, w->attr.data, w->attr.len, true);
	w->empty_text = true;
	markup(w);
}

/* ---- cmark's memory: one arena a document ------------------------------- */

/*
 * cmark allocates each node, each string and each buffer growth apart,
 * some forty blocks for a short story, and frees them one by one: with
 * thousands of stories that was a tenth of a feed build in malloc. Its
 * blocks come instead from chunks of one arena per document, freed
 * together when the document is. cmark's allocator takes no context, so
 * the arena of the thread's current document is a thread-local. The first
 * chunk is on the walk's stack, enough for a story of several pages: a
 * chunk taken from malloc and given back for each story made the heap
 * grow and shrink, and the kernel map fresh pages, story after story.
 *
 * cmark's tree can take hundreds of bytes for one byte of Markdown: a
 * body of 2 MB of "[[" (within LIB_MAX_STORY_SIZE) took 560 MB, of lines
 * of one letter 370 MB, where 2 MB of prose takes 16 MB and 2 MB of
 * Markdown with a link, an emphasis and a code span in every line and
 * lists of one word between them 95 MB (49 bytes a byte). So the parse
 * of a body of n bytes may take at most ARENA_BASE + n * ARENA_PER_BYTE;
 * past it the allocator jumps back to the walk (cmark holds nothing but
 * the arena's memory, all dropped at once), which shows the body as plain
 * paragraphs instead. Only text of a few characters between marks comes
 * near the limit. A build's memory stays bounded by a story's size
 * whatever the story holds, and a build that could not finish could not
 * remove a withdrawn story either. What a body becomes still follows
 * from its bytes alone, so a page and its feed item agree, and an edit
 * builds what a clean build does.
 */
#define ARENA_FIRST 32768
#define ARENA_CHUNK 65536
#define ARENA_BASE ((size_t)16 << 20)
#define ARENA_PER_BYTE 64

struct chunk {
	struct chunk *prev;
	size_t used, cap;
	char *data;         /* aligned for any block */
};

struct arena {
	struct chunk *top;   /* where blocks come from (never NULL); the others before it */
	struct chunk *first; /* its data on the stack: not freed */
	void *last;          /* the newest block, which can grow in place */
	size_t taken, limit; /* bytes of chunks taken from malloc, and at most */
	jmp_buf *over;       /* where to go past the limit, or NULL for none */
};

/*
 * The thread's current arena and its first chunk: static, not on the
 * walk's stack, so that they hold their values after the jump back.
 */
static _Thread_local struct arena *cur_arena;
static _Thread_local struct arena walk_arena;
static _Thread_local struct chunk walk_first;

/* A block's size is kept just before it. */
#define HEAD sizeof(max_align_t)
/* A chunk taken from malloc: its header, then its data. */
#define CHUNK_HEAD ((sizeof(struct chunk) + HEAD - 1) / HEAD * HEAD)

static void *arena_alloc(struct arena *a, size_t size)
{
	size_t need = HEAD + (size + HEAD - 1) / HEAD * HEAD;
	struct chunk *c = a->top;
	if (size > SIZE_MAX / 2)
		abort();
	if (c->cap - c->used < need) {
		size_t cap = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;
		if (a->over && cap > a->limit - a->taken)
			longjmp(*a->over, 1);
		a->taken += cap;
		c = xmalloc(CHUNK_HEAD + cap);
		c->data = (char *)c + CHUNK_HEAD;
		c->cap = cap;
		c->used = 0;
		/* a large block in a chunk of its own stays below the current one */
		if (cap != ARENA_CHUNK) {
			c->prev = a->top->prev;
			a->top->prev = c;
		} else {
			c->prev = a->top;
			a->top = c;
		}
	}
	char *p = c->data + c->used;
	c->used += need;
	*(size_t *)(void *)p = size;
	a->last = p + HEAD;
	return p + HEAD;
}

static void *arena_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / 2 / size)
		abort();
	void *p = arena_alloc(cur_arena, n * size);
	memset(p, 0, n * size);
	return p;
}

static void *arena_realloc(void *old, size_t size)
{
	struct arena *a = cur_arena;
	if (!old)
		return arena_alloc(a, size);
	size_t was = *(size_t *)(void *)((char *)old - HEAD);
	struct chunk *c = a->top;
	size_t need = (size + HEAD - 1) / HEAD * HEAD, had = (was + HEAD - 1) / HEAD * HEAD;
	/* the newest block of the current chunk grows where it is */
	if (old == a->last && (char *)old + had == c->data + c->used &&
	    need >= had && c->cap - c->used >= need - had) {
		c->used += need - had;
		*(size_t *)(void *)((char *)old - HEAD) = size;
		return old;
	}
	void *p = arena_alloc(a, size);
	memcpy(p, old, was < size ? was : size);
	return p;
}

static void arena_free(void *p)
{
	(void)p; /* the whole arena goes at once */
}

static void arena_release(struct arena *a)
{
	for (struct chunk *c = a->top, *prev; c; c = prev) {
		prev = c->prev;
		if (c != a->first)
			free(c);
	}
	a->top = NULL;
	a->last = NULL;
}

static cmark_mem arena_mem = {arena_calloc, arena_realloc, arena_free};

/*
 * Makes the thread's walk arena current, its first chunk data (size
 * bytes), for a body of len bytes.
 */
static struct arena *arena_start(char *data, size_t size, size_t len, jmp_buf *over)
{
	size_t limit = len < (SIZE_MAX - ARENA_BASE) / ARENA_PER_BYTE
			       ? ARENA_BASE + len * ARENA_PER_BYTE
			       : SIZE_MAX;
	walk_first = (struct chunk){.cap = size, .data = data};
	walk_arena = (struct arena){
		.top = &walk_first, .first = &walk_first, .limit = limit, .over = over};
	cur_arena = &walk_arena;
	return cur_arena;
}

static void arena_end(void)
{
	cur_arena = NULL;
	arena_release(&walk_arena);
}

/* ---- the walk ------------------------------------------------------------ */

/* Whether a paragraph is written without <p>: in a tight list's item. */
static bool tight_paragraph(cmark_node *p)
{
	cmark_node *item = cmark_node_parent(p);
	cmark_node *list = item ? cmark_node_parent(item) : NULL;
	return list && cmark_node_get_type(list) == CMARK_NODE_LIST &&
	       cmark_node_get_list_tight(list);
}

static void code_block(struct walk *w, cmark_node *node)
{
	const char *info = cmark_node_get_fence_info(node);
	cr(w);
	open_el(w, "pre");
	bool code = open_el(w, "code");
	if (info && *info) {
		size_t n = strcspn(info, " \t\n\v\f\r");
		set_attr(w, code, "class", "language-", info, n);
	}
	text(w, cmark_node_get_literal(node));
	close_el(w);
	close_el(w);
	text(w, "\n");
}

static void list_enter(struct walk *w, cmark_node *node)
{
	cr(w);
	if (cmark_node_get_list_type(node) != CMARK_ORDERED_LIST) {
		open_el(w, "ul");
	} else {
		bool ol = open_el(w, "ol");
		int start = cmark_node_get_list_start(node);
		if (start != 1) {
			char num[16];
			snprintf(num, sizeof num, "%d", start);
			add_attr(w, ol, "start", num);
		}
	}
	text(w, "\n");
}

static void heading_enter(struct walk *w, cmark_node *node)
{
	static const char *const names[] = {"h2", "h3", "h4", "h5", "h6"};
	int level = cmark_node_get_heading_level(node) + 1;
	cr(w);
	open_el(w, names[(level < 2 ? 2 : level > 6 ? 6 : level) - 2]);
}

/* One step of the walk: what cmark's HTML renderer writes for it. */
static void step(struct walk *w, cmark_iter *it, cmark_event_type ev, cmark_node *node)
{
	bool enter = ev == CMARK_EVENT_ENTER;

	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_BLOCK_QUOTE:
		cr(w);
		if (enter)
			open_el(w, "blockquote");
		else
			close_el(w);
		text(w, "\n");
		break;
	case CMARK_NODE_LIST:
		if (enter) {
			list_enter(w, node);
		} else {
			close_el(w);
			text(w, "\n");
		}
		break;
	case CMARK_NODE_ITEM:
		if (enter) {
			cr(w);
			open_el(w, "li");
		} else {
			close_el(w);
			text(w, "\n");
		}
		break;
	case CMARK_NODE_HEADING:
		if (enter) {
			heading_enter(w, node);
		} else {
			close_el(w);
			text(w, "\n");
		}
		break;
	case CMARK_NODE_CODE_BLOCK:
		code_block(w, node);
		break;
	case CMARK_NODE_HTML_BLOCK:
	case CMARK_NODE_CUSTOM_BLOCK:
		/* left out; the line feeds around it stay */
		cr(w);
		markup(w);
		cr(w);
		break;
	case CMARK_NODE_THEMATIC_BREAK:
		cr(w);
		open_el(w, "hr");
		close_el(w);
		text(w, "\n");
		break;
	case CMARK_NODE_PARAGRAPH:
		if (tight_paragraph(node))
			break;
		if (enter) {
			cr(w);
			open_el(w, "p");
		} else {
			close_el(w);
			text(w, "\n");
		}
		break;
	case CMARK_NODE_TEXT:
		text(w, cmark_node_get_literal(node));
		break;
	case CMARK_NODE_LINEBREAK:
		open_el(w, "br");
		close_el(w);
		text(w, "\n");
		break;
	case CMARK_NODE_SOFTBREAK:
		text(w, "\n");
		break;
	case CMARK_NODE_CODE:
		open_el(w, "code");
		text(w, cmark_node_get_literal(node));
		close_el(w);
		break;
	case CMARK_NODE_HTML_INLINE:
	case CMARK_NODE_CUSTOM_INLINE:
		markup(w);
		break;
	case CMARK_NODE_STRONG:
	case CMARK_NODE_EMPH:
		if (enter)
			open_el(w, cmark_node_get_type(node) == CMARK_NODE_STRONG ? "strong" : "em");
		else
			close_el(w);
		break;
	case CMARK_NODE_LINK:
		if (!link_kept(node))
			markup(w);
		else if (enter)
			link_enter(w, node);
		else
			close_el(w);
		break;
	case CMARK_NODE_IMAGE:
		if (enter)
			image_alt(w, it, node);
		break;
	default: /* the document */
		break;
	}
}

/*
 * The Markdown as it is, for a body cmark could not parse within its
 * arena's limit: a paragraph for each run of lines between blank ones,
 * each line without the white space at its ends, no markup read.
 */
static void plain(struct walk *w, const char *s)
{
	bool open = false;
	while (*s) {
		const char *nl = strchr(s, '\n');
		const char *a = s, *b = nl ? nl : s + strlen(s);
		s = nl ? nl + 1 : b;
		while (a < b && (*a == ' ' || *a == '\t' || *a == '\r'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
			b--;
		if (a == b && open) { /* a blank line ends a paragraph */
			close_el(w);
			text(w, "\n");
			open = false;
		} else if (a != b) {
			if (open) {
				put_text(&w->text, "\n", 1, false);
			} else {
				cr(w);
				open_el(w, "p");
				open = true;
			}
			put_text(&w->text, a, (size_t)(b - a), false);
		}
	}
	if (open) {
		close_el(w);
		text(w, "\n");
	}
}

/* The walk of markdown's tree into w's nodes or HTML. */
static void walk(struct walk *w, const char *markdown)
{
	if (!markdown || !*markdown)
		return;
	_Alignas(max_align_t) char first_data[ARENA_FIRST];
	size_t len = strlen(markdown);
	jmp_buf over;
	struct arena *arena = arena_start(first_data, sizeof first_data, len, &over);
	if (setjmp(over)) {
		/* past the arena's limit in cmark: nothing of its tree was walked yet */
		arena_end();
		w->text = (struct buf)BUF_INIT;
		plain(w, markdown);
		flush(w);
		buf_release(&w->text);
		return;
	}
	cmark_parser *parser = cmark_parser_new_with_mem(CMARK_OPT_DEFAULT, &arena_mem);
	cmark_parser_feed(parser, markdown, len);
	cmark_node *doc = cmark_parser_finish(parser);
	cmark_parser_free(parser);
	/* the walk takes little beside the tree (strings of its nodes), and no jump may cut it */
	arena->over = NULL;
	if (!doc) {
		arena_end();
		return;
	}
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;

	w->text = (struct buf)BUF_INIT;
	w->attr = (struct buf)BUF_INIT;
	while (it && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
		step(w, it, ev, cmark_iter_get_node(it));
	flush(w);
	buf_release(&w->text);
	buf_release(&w->attr);
	cmark_iter_free(it);
	cmark_node_free(doc);
	arena_end();
}

void site_markdown_nodes(xmlNodePtr parent, const char *markdown)
{
	struct walk w = {.doc = parent->doc, .cur = parent};
	walk(&w, markdown);
}

void site_markdown_html(struct buf *out, const char *markdown)
{
	struct walk w = {.html = out};
	walk(&w, markdown);
}

bool site_html_escape(struct buf *b, const char *s, bool attr)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;

	for (;;) {
		size_t n = strcspn((const char *)p,
				   attr ? "&<>\"\n\r\t\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
					  "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a"
					  "\x1b\x1c\x1d\x1e\x1f"
					: "&<>\r");
		if (attr) {
			size_t k = 0;
			while (k < n && p[k] < 0x80)
				k++;
			n = k;
		}
		buf_add(b, p, n);
		p += n;
		switch (*p) {
		case '\0': return true;
		case '&': buf_add(b, "&amp;", 5); break;
		case '<': buf_add(b, "&lt;", 4); break;
		case '>': buf_add(b, "&gt;", 4); break;
		case '"': buf_add(b, "&quot;", 6); break;
		case '\n': buf_add(b, "&#10;", 5); break;
		case '\r': buf_add(b, "&#13;", 5); break;
		case '\t': buf_add(b, "&#9;", 4); break;
		default: {
			unsigned cp = 0;
			size_t len = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
						: (*p & 0xf8) == 0xf0 ? 4 : 0;
			char ref[16], *q = ref + sizeof ref;
			if (!len || !text_valid((const char *)p, len))
				return false; /* a control character, or not UTF-8 */
			cp = *p & (0x7f >> len);
			for (size_t i = 1; i < len; i++)
				cp = cp << 6 | (p[i] & 0x3f);
			*--q = ';';
			do
				*--q = hex[cp & 15];
			while (cp >>= 4);
			buf_add(b, "&#x", 3);
			buf_add(b, q, (size_t)(ref + sizeof ref - q));
			p += len;
			continue;
		}
		}
		p++;
	}
}
