/*
 * pending.c - TEMPORARY: stand-ins for the page handlers (peer.c,
 * console.c) and for the library's editor sessions while they are being
 * written, so the server links and its tests run. Every one is a weak
 * symbol: the real definition, once it is linked in, takes its place.
 * The pages answer 404; the sessions find nobody. Delete this file when
 * peer.c, console.c and the library's sessions are all in.
 */
#include "serveInt.h"

#pragma weak page_submit
#pragma weak page_receipt
#pragma weak page_feedback
#pragma weak page_editor
#pragma weak lib_session_new
#pragma weak lib_session_find
#pragma weak lib_session_end

static void not_yet(struct req *r)
{
	resp_text(r, 404, "not found\n");
}

void page_submit(struct req *r)
{
	not_yet(r);
}

void page_receipt(struct req *r)
{
	not_yet(r);
}

void page_feedback(struct req *r)
{
	not_yet(r);
}

void page_editor(struct req *r)
{
	not_yet(r);
}

int lib_session_new(hearth_lib *lib, int64_t editor_id, int64_t ttl, char **token,
		    struct hearth_err *err)
{
	(void)lib;
	(void)editor_id;
	(void)ttl;
	*token = NULL;
	return herr(err, HEARTH_EIO, "editor sessions are not available yet");
}

int lib_session_find(hearth_lib *lib, const char *token, struct lib_editor *out,
		     struct hearth_err *err)
{
	(void)lib;
	(void)token;
	(void)out;
	return herr(err, HEARTH_ENOENT, "no such session");
}

int lib_session_end(hearth_lib *lib, const char *token, struct hearth_err *err)
{
	(void)lib;
	(void)token;
	(void)err;
	return 0;
}
