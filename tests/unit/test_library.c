/* test_library.c - the catalogue. */
#include "../../library/library.h"
#include "t.h"

static void init_open(void)
{
	struct hearth_err err;
	hearth_lib *lib = NULL;
	char *dir = path_join(t_tmpdir(), "lib1");
	CHECK_OK(lib_init(dir, &err), &err);
	CHECK_OK(lib_open(dir, &lib, &err), &err);
	lib_close(&lib);
	free(dir);
}

int main(void)
{
	RUN(init_open);
	return 0;
}
