/*
 * libstub.c - scaffolding until library/ lands in this branch: weak
 * stand-ins for the three library calls media/ makes (lib_dir,
 * lib_store_add, lib_store_path), so every program that links media/ still
 * links. They only refuse; the real definitions in library/ win over weak
 * ones at link time, after which this file should be deleted.
 */
#include "media.h"

__attribute__((weak)) const char *lib_dir(const hearth_lib *lib)
{
	(void)lib;
	return NULL;
}

__attribute__((weak)) int lib_store_add(hearth_lib *lib, const char *path,
					char sha_out[65], struct hearth_err *err)
{
	(void)lib;
	sha_out[0] = '\0';
	return herr(err, HEARTH_ESTATE, "cannot store '%s': the library is not built in", path);
}

__attribute__((weak)) char *lib_store_path(const hearth_lib *lib, const char *sha256)
{
	(void)lib;
	(void)sha256;
	return NULL;
}
