/*
 * status.c - the catalogue's small tables and the rules that read only
 * them: workflow statuses and which may follow which, how a contributor is
 * named (attribution, its default and the public byline), and the roles of
 * a story's files. Their names are what the catalogue, bundles and exports
 * hold; within the program they are enums. Nothing here touches SQLite:
 * every other file of library/ may call this one, and it calls none.
 *
 *   submitted         -> in_review | rejected
 *   in_review         -> changes_requested | approved | rejected
 *   changes_requested -> in_review | rejected
 *   approved          -> published | in_review | rejected
 *   any of the above, and published -> withdrawn
 *   withdrawn, rejected: final
 */
#include "libraryInt.h"

#include <string.h>

/* ---- statuses ---------------------------------------------------------- */

static const char *const status_names[ST_COUNT] = {
	"submitted", "in_review", "changes_requested", "approved",
	"published", "withdrawn", "rejected",
};

#define BIT(s) (1u << (s))
static const unsigned moves[ST_COUNT] = {
	[ST_SUBMITTED] = BIT(ST_IN_REVIEW) | BIT(ST_REJECTED) | BIT(ST_WITHDRAWN),
	[ST_IN_REVIEW] = BIT(ST_CHANGES_REQUESTED) | BIT(ST_APPROVED) | BIT(ST_REJECTED) |
			 BIT(ST_WITHDRAWN),
	[ST_CHANGES_REQUESTED] = BIT(ST_IN_REVIEW) | BIT(ST_REJECTED) | BIT(ST_WITHDRAWN),
	[ST_APPROVED] = BIT(ST_PUBLISHED) | BIT(ST_IN_REVIEW) | BIT(ST_REJECTED) |
			BIT(ST_WITHDRAWN),
	[ST_PUBLISHED] = BIT(ST_WITHDRAWN),
	[ST_WITHDRAWN] = 0,
	[ST_REJECTED] = 0,
};

/* The index of name among the n names, or -1. */
static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; name && i < n; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

const char *lib_status_name(enum lib_status s)
{
	return (unsigned)s < ST_COUNT ? status_names[s] : "unknown";
}

int lib_status_parse(const char *name, enum lib_status *out)
{
	int i = name_index(status_names, ST_COUNT, name);
	if (i < 0)
		return HEARTH_EINVAL;
	*out = (enum lib_status)i;
	return 0;
}

bool lib_status_can_move(enum lib_status from, enum lib_status to)
{
	if ((unsigned)from >= ST_COUNT || (unsigned)to >= ST_COUNT)
		return false;
	return (moves[from] & BIT(to)) != 0;
}

/* ---- attribution ------------------------------------------------------- */

static const char *const attribution_names[] = {"name", "pseudonym", "anonymous"};

const char *lib_attribution_name(enum lib_attribution a)
{
	return (unsigned)a <= ATTR_ANONYMOUS ? attribution_names[a] : "anonymous";
}

int lib_attribution_parse(const char *name, enum lib_attribution *out)
{
	int i = name_index(attribution_names, ATTR_ANONYMOUS + 1, name);
	if (i < 0)
		return HEARTH_EINVAL;
	*out = (enum lib_attribution)i;
	return 0;
}

int lib_attribution_settle(const char *given, const char *name, const char *pseudonym,
			   enum lib_attribution *out, struct hearth_err *err)
{
	bool has_name = name && *name, has_pseudonym = pseudonym && *pseudonym;

	if (!given || !*given) {
		*out = has_pseudonym ? ATTR_PSEUDONYM : ATTR_ANONYMOUS;
		return 0;
	}
	if (lib_attribution_parse(given, out))
		return herr(err, HEARTH_EINVAL,
			    "expected name, pseudonym or anonymous, not '%s'", given);
	if (*out == ATTR_NAME && !has_name)
		return herr(err, HEARTH_EINVAL, "is 'name' but no name is given");
	if (*out == ATTR_PSEUDONYM && !has_pseudonym)
		return herr(err, HEARTH_EINVAL, "is 'pseudonym' but no pseudonym is given");
	return 0;
}

const char *lib_byline(enum lib_attribution attribution, const char *name,
		       const char *pseudonym)
{
	switch (attribution) {
	case ATTR_NAME:
		return name && *name ? name : "Anonymous";
	case ATTR_PSEUDONYM:
		return pseudonym && *pseudonym ? pseudonym : "Anonymous";
	case ATTR_ANONYMOUS:
	default:
		return "Anonymous";
	}
}

/* ---- roles ------------------------------------------------------------- */

static const char *const role_names[ROLE_COUNT] = {"audio", "music", "art", "transcript"};

const char *lib_role_name(enum lib_role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "";
}

int lib_role_parse(const char *name, enum lib_role *out)
{
	int i = name_index(role_names, ROLE_COUNT, name);
	if (i < 0)
		return HEARTH_EINVAL;
	*out = (enum lib_role)i;
	return 0;
}
