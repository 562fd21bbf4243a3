/*
 * invite.c - `hearth invite`: make a submission link for a peer, list the
 * invitations, revoke one. The link's token is shown once, when it is made:
 * the catalogue keeps only its hash. `--use TOKEN` spends one use the way
 * the submission form does, with the same single refusal.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTE_MAX_CHARS 1000

/*
 * --expires DATE: a date alone means through the end of that day (UTC).
 * It must lie in the future.
 */
static int parse_expires(struct cli *c, const char *s, int64_t *out)
{
	int64_t t;
	if (date_parse(s, &t) != 0)
		return cli_usage(c, "--expires: expected YYYY-MM-DD or an ISO 8601 time, got '%s'",
				 s);
	if (strlen(s) == 10)
		t += 86400;
	if (t <= hearth_now())
		return cli_usage(c, "--expires: '%s' is already past", s);
	*out = t;
	return 0;
}

static void ymd_or(int64_t t, const char *none, char out[11])
{
	if (t)
		date_ymd(t, out);
	else
		snprintf(out, 11, "%s", none);
}

static int list_invites(struct cli *c)
{
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	struct lib_invite *v = NULL;
	size_t n = 0;
	int rc;

	if ((rc = cli_open_read(c, &lib)))
		return rc;
	if (lib_invite_list(lib, &v, &n, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	if (n)
		printf("%-4s  %-10s  %-10s  %-9s  %-18s  %s\n", "id", "created", "expires",
		       "uses left", "state", "note");
	int64_t now = hearth_now();
	for (size_t i = 0; i < n; i++) {
		char created[11], expires[11], revoked[11], uses[24], state[32];
		ymd_or(v[i].created_at, "", created);
		ymd_or(v[i].expires_at, "never", expires);
		if (v[i].uses_left < 0)
			snprintf(uses, sizeof uses, "unlimited");
		else
			snprintf(uses, sizeof uses, "%lld", (long long)v[i].uses_left);
		if (v[i].revoked_at) {
			ymd_or(v[i].revoked_at, "", revoked);
			snprintf(state, sizeof state, "revoked %s", revoked);
		} else if (v[i].expires_at && v[i].expires_at <= now) {
			snprintf(state, sizeof state, "expired");
		} else if (v[i].uses_left == 0) {
			snprintf(state, sizeof state, "used up");
		} else {
			snprintf(state, sizeof state, "open");
		}
		printf("%-4lld  %-10s  %-10s  %-9s  %-18s  %s\n", (long long)v[i].id, created,
		       expires, uses, state, v[i].note ? v[i].note : "");
	}
	if (!n)
		printf("no invitations\n");
end:
	lib_invite_list_free(v, n);
	lib_close(&lib);
	return rc;
}

static int revoke_invite(struct cli *c, const char *arg)
{
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	long id;
	int rc;

	if (!cli_int(arg, &id) || id < 1)
		return cli_usage(c, "--revoke: expected an invitation id (see --list), got '%s'",
				 arg);
	if ((rc = cli_open(c, &lib)))
		return rc;
	if (lib_invite_revoke(lib, id, &err) != 0)
		rc = cli_fail_err(c, &err);
	else
		printf("invite %ld is revoked: its link no longer works\n", id);
	lib_close(&lib);
	return rc;
}

static int use_invite(struct cli *c, const char *token)
{
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	int64_t id = 0;
	int rc;

	if ((rc = cli_open(c, &lib)))
		return rc;
	if (lib_invite_use(lib, token, &id, &err) != 0)
		rc = cli_fail_err(c, &err);
	else
		printf("invite %lld accepted\n", (long long)id);
	lib_close(&lib);
	return rc;
}

static int new_invite(struct cli *c, const char *note, const char *expires,
		      const char *uses_s)
{
	struct hearth_err err = {0};
	struct lib_settings set = {0};
	hearth_lib *lib = NULL;
	char *token = NULL;
	int64_t expires_at = 0, id = 0, uses = -1;
	long u;
	int rc;

	if (uses_s) {
		if (!cli_int(uses_s, &u) || u < 1)
			return cli_usage(c, "--uses: expected a whole number of at least 1, got '%s'",
					 uses_s);
		uses = u;
	}
	if (expires && (rc = parse_expires(c, expires, &expires_at)))
		return rc;
	if (note && strlen(note) > NOTE_MAX_CHARS)
		return cli_usage(c, "--note: at most %d characters", NOTE_MAX_CHARS);
	if ((rc = cli_open(c, &lib)))
		return rc;
	if (lib_settings_load(lib, &set, &err) != 0 ||
	    lib_invite_new(lib, note, expires_at, uses, &token, &id, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	printf("%s/submit?invite=%s\n", set.base_url, token);
	fprintf(stderr, "hearth: invite: invite %lld made; this link is shown only now "
		"(hearth keeps only a hash of it)\n", (long long)id);
	if (lib_base_url_is_placeholder(set.base_url))
		fprintf(stderr, "hearth: invite: base_url in hearth.yaml is still the "
			"placeholder %s; give the peer the link on your real address\n",
			set.base_url);
end:
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	lib_settings_release(&set);
	lib_close(&lib);
	return rc;
}

int cmd_invite(struct cli *c, int argc, char **argv)
{
	const char *note = NULL, *expires = NULL, *uses = NULL, *revoke = NULL, *use = NULL;
	bool list = false, helped;
	struct cli_opt opts[] = {
		{"note", 0, true, false, &note, NULL, NULL},
		{"expires", 0, true, false, &expires, NULL, NULL},
		{"uses", 0, true, false, &uses, NULL, NULL},
		{"list", 0, false, false, NULL, NULL, &list},
		{"revoke", 0, true, false, &revoke, NULL, NULL},
		{"use", 0, true, false, &use, NULL, NULL},
		{0},
	};
	int rc = cli_no_operands(c, argc, argv, opts, &helped);
	if (rc || helped)
		return rc;
	int modes = list + !!revoke + !!use;
	if (modes > 1)
		return cli_usage(c, "--list, --revoke and --use go one at a time");
	if (modes && (note || expires || uses))
		return cli_usage(c, "--note, --expires and --uses are for a new invitation");
	if (list)
		return list_invites(c);
	if (revoke)
		return revoke_invite(c, revoke);
	if (use)
		return use_invite(c, use);
	return new_invite(c, note, expires, uses);
}
