/* export.c - `hearth export`: the whole catalogue as JSON. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_export(struct cli *c, int argc, char **argv)
{
	bool json = false, priv = false, helped;
	struct cli_opt opts[] = {
		{"json", 0, false, false, NULL, NULL, &json},
		{"private", 0, false, false, NULL, NULL, &priv},
		{0},
	};
	struct hearth_err err = {0};
	struct buf b = BUF_INIT;
	hearth_lib *lib = NULL;
	int rc = cli_no_operands(c, argc, argv, opts, &helped);
	if (rc || helped)
		return rc;
	(void)json; /* JSON is the only format; the flag is accepted for clarity */
	if ((rc = cli_open_read(c, &lib)))
		return rc;
	if (lib_export_json(lib, priv, &b, &err) != 0)
		rc = cli_fail_err(c, &err);
	else
		fputs(buf_cstr(&b), stdout);
	buf_release(&b);
	lib_close(&lib);
	return rc;
}
