/*
 * yaml.c - YAML documents (front matter, hearth.yaml, collections) read
 * with libyaml into a small tree of maps, sequences and scalars. Aliases
 * are refused (they allow exponential documents) and so are duplicate keys.
 * Parsing is linear in the input: children are added with a doubling
 * array and duplicate keys are found with a hash set per map.
 */
#include "core.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define MAX_DEPTH 64

void ynode_free(struct ynode *y)
{
	if (!y)
		return;
	free(y->str);
	for (size_t i = 0; i < y->n; i++) {
		if (y->keys)
			free(y->keys[i]);
		ynode_free(y->items[i]);
	}
	free(y->keys);
	free(y->items);
	free(y);
}

const struct ynode *ymap_get(const struct ynode *y, const char *key)
{
	if (!y || y->kind != Y_MAP)
		return NULL;
	for (size_t i = 0; i < y->n; i++)
		if (!strcmp(y->keys[i], key))
			return y->items[i];
	return NULL;
}

const char *ymap_str(const struct ynode *y, const char *key)
{
	const struct ynode *v = ymap_get(y, key);
	return (v && v->kind == Y_SCALAR) ? v->str : NULL;
}

int yaml_bool(const char *s)
{
	static const char *yes[] = {"yes", "true", "on", "y"};
	static const char *no[] = {"no", "false", "off", "n"};
	if (!s)
		return -1;
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}

struct parser {
	yaml_parser_t p;
	const char *name;
	int first_line;
	struct hearth_err *err;
};

static int line_of(struct parser *ps, const yaml_event_t *ev)
{
	return (int)ev->start_mark.line + 1 + ps->first_line;
}

static int next(struct parser *ps, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&ps->p, ev))
		return herr(ps->err, HEARTH_EINVAL, "%s: line %d: malformed YAML: %s",
			    ps->name, (int)ps->p.problem_mark.line + 1 + ps->first_line,
			    ps->p.problem ? ps->p.problem : "cannot parse");
	return 0;
}

static int parse_node(struct parser *ps, yaml_event_t *ev, int depth,
		      struct ynode **out);

/*
 * The keys of one map being read: an open-addressing hash set of indexes
 * into y->keys, grown to keep it at most half full, so that finding a
 * duplicate costs the same for the thousandth key as for the first.
 */
struct keyset {
	size_t *slot; /* index + 1; 0 = empty */
	size_t cap;   /* a power of two */
};

static uint64_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void keyset_grow(struct keyset *ks, const struct ynode *y)
{
	free(ks->slot);
	ks->cap = ks->cap ? ks->cap * 2 : 16;
	ks->slot = xcalloc(ks->cap, sizeof *ks->slot);
	for (size_t i = 0; i < y->n; i++) {
		size_t j = (size_t)key_hash(y->keys[i]) & (ks->cap - 1);
		while (ks->slot[j])
			j = (j + 1) & (ks->cap - 1);
		ks->slot[j] = i + 1;
	}
}

/* True when key is already among y's keys; else remembers it as index y->n. */
static bool keyset_seen(struct keyset *ks, const struct ynode *y, const char *key)
{
	if ((y->n + 1) * 2 > ks->cap)
		keyset_grow(ks, y);
	size_t j = (size_t)key_hash(key) & (ks->cap - 1);
	while (ks->slot[j]) {
		if (!strcmp(y->keys[ks->slot[j] - 1], key))
			return true;
		j = (j + 1) & (ks->cap - 1);
	}
	ks->slot[j] = y->n + 1;
	return false;
}

/* Appends an item (and its key in a map); *cap doubles, so n pushes cost O(n). */
static void node_push(struct ynode *y, size_t *cap, char *key, struct ynode *item)
{
	if (y->n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		y->items = xrealloc(y->items, *cap * sizeof *y->items);
		if (y->kind == Y_MAP)
			y->keys = xrealloc(y->keys, *cap * sizeof *y->keys);
	}
	if (y->kind == Y_MAP)
		y->keys[y->n] = key;
	y->items[y->n++] = item;
}

static int parse_children(struct parser *ps, struct ynode *y, int depth)
{
	yaml_event_t ev;
	struct keyset ks = {NULL, 0};
	size_t cap = 0;
	int rc;
	yaml_event_type_t end = y->kind == Y_MAP ? YAML_MAPPING_END_EVENT
						  : YAML_SEQUENCE_END_EVENT;
	for (;;) {
		char *key = NULL;
		struct ynode *item = NULL;
		if ((rc = next(ps, &ev)))
			goto end;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			goto end;
		}
		if (y->kind == Y_MAP) {
			if (ev.type != YAML_SCALAR_EVENT) {
				rc = herr(ps->err, HEARTH_EINVAL,
					  "%s: line %d: a key must be plain text", ps->name,
					  line_of(ps, &ev));
				yaml_event_delete(&ev);
				goto end;
			}
			key = xstrdup((const char *)ev.data.scalar.value);
			int line = line_of(ps, &ev);
			yaml_event_delete(&ev);
			if (keyset_seen(&ks, y, key)) {
				rc = herr(ps->err, HEARTH_EINVAL,
					  "%s: line %d: key '%s' appears twice", ps->name,
					  line, key);
				free(key);
				goto end;
			}
			if ((rc = next(ps, &ev))) {
				free(key);
				goto end;
			}
		}
		rc = parse_node(ps, &ev, depth + 1, &item);
		if (rc) {
			free(key);
			goto end;
		}
		node_push(y, &cap, key, item);
	}
end:
	free(ks.slot);
	return rc;
}

/* Builds the node that starts with ev (which it consumes). */
static int parse_node(struct parser *ps, yaml_event_t *ev, int depth,
		      struct ynode **out)
{
	struct ynode *y;
	int rc = 0;

	if (depth > MAX_DEPTH) {
		rc = herr(ps->err, HEARTH_EINVAL, "%s: line %d: nested too deeply",
			  ps->name, line_of(ps, ev));
		yaml_event_delete(ev);
		return rc;
	}
	y = xcalloc(1, sizeof *y);
	y->line = line_of(ps, ev);
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		y->kind = Y_SCALAR;
		y->str = xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		y->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		if (strlen(y->str) != ev->data.scalar.length)
			rc = herr(ps->err, HEARTH_EINVAL, "%s: line %d: a value holds a NUL byte",
				  ps->name, y->line);
		yaml_event_delete(ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		y->kind = Y_SEQ;
		yaml_event_delete(ev);
		rc = parse_children(ps, y, depth);
		break;
	case YAML_MAPPING_START_EVENT:
		y->kind = Y_MAP;
		yaml_event_delete(ev);
		rc = parse_children(ps, y, depth);
		break;
	case YAML_ALIAS_EVENT:
		rc = herr(ps->err, HEARTH_EINVAL,
			  "%s: line %d: YAML aliases (*name) are not allowed", ps->name, y->line);
		yaml_event_delete(ev);
		break;
	default:
		rc = herr(ps->err, HEARTH_EINVAL, "%s: line %d: unexpected YAML", ps->name,
			  y->line);
		yaml_event_delete(ev);
		break;
	}
	if (rc) {
		ynode_free(y);
		return rc;
	}
	*out = y;
	return 0;
}

int yaml_parse(const char *text, size_t n, const char *name, int first_line,
	       struct ynode **out, struct hearth_err *err)
{
	struct parser ps = {.name = name, .first_line = first_line, .err = err};
	yaml_event_t ev;
	struct ynode *root = NULL;
	int rc;

	*out = NULL;
	if (!text_valid(text, n))
		return herr(err, HEARTH_EINVAL, "%s: not valid UTF-8 text", name);
	yaml_parser_initialize(&ps.p);
	yaml_parser_set_input_string(&ps.p, (const unsigned char *)text, n);
	yaml_parser_set_encoding(&ps.p, YAML_UTF8_ENCODING);
	for (;;) {
		if ((rc = next(&ps, &ev)))
			break;
		if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (ev.type == YAML_DOCUMENT_END_EVENT || ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (root) {
			rc = herr(err, HEARTH_EINVAL, "%s: more than one YAML document", name);
			yaml_event_delete(&ev);
			break;
		}
		if ((rc = parse_node(&ps, &ev, 0, &root)))
			break;
	}
	yaml_parser_delete(&ps.p);
	if (rc) {
		ynode_free(root);
		return rc;
	}
	if (!root) {
		root = xcalloc(1, sizeof *root);
		root->kind = Y_MAP;
		root->line = 1 + first_line;
	} else if (root->kind == Y_SCALAR && root->str[0] == '\0') {
		root->kind = Y_MAP;
		xfree(&root->str);
	}
	*out = root;
	return 0;
}

/* The length of the line at p (without its newline) and where the next starts. */
static size_t line_len(const char *p, const char *end, const char **nextp)
{
	const char *e = memchr(p, '\n', (size_t)(end - p));
	if (!e) {
		*nextp = end;
		return (size_t)(end - p);
	}
	*nextp = e + 1;
	size_t n = (size_t)(e - p);
	if (n && p[n - 1] == '\r')
		n--;
	return n;
}

int frontmatter_split(const char *text, size_t n, const char *name,
		      const char **yaml, size_t *yaml_len, const char **body,
		      size_t *body_len, int *body_line, struct hearth_err *err)
{
	const char *end = text + n, *p = text, *nx;
	int line = 1;

	if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	size_t l = line_len(p, end, &nx);
	if (l != 3 || memcmp(p, "---", 3))
		return herr(err, HEARTH_EINVAL,
			    "%s: line 1: expected front matter starting with '---'", name);
	*yaml = nx;
	p = nx;
	while (p < end) {
		line++;
		const char *start = p;
		l = line_len(p, end, &nx);
		if ((l == 3 && (!memcmp(p, "---", 3) || !memcmp(p, "...", 3)))) {
			*yaml_len = (size_t)(start - *yaml);
			*body = nx;
			*body_len = (size_t)(end - nx);
			if (body_line)
				*body_line = line + 1;
			return 0;
		}
		p = nx;
	}
	return herr(err, HEARTH_EINVAL,
		    "%s: front matter is not closed: expected a line '---' after it", name);
}
