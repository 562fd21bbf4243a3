/* siteInt.h - renditions.c's name for pipelineInt.h, until its include line follows it. */
#include "pipelineInt.h"
