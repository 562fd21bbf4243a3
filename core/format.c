/*
 * format.c - numbers written for people: a length of time as a clock
 * ("2:06", "1:02:03.5") and a size in SI units ("340 kB", "1.2 MB"). Pages,
 * messages and listings all use these two, so a length or a size reads the
 * same wherever it appears. Neither asks the locale.
 */
#include "core.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void fmt_clock(double seconds, int places, char out[32])
{
	long long scale = 1, units, t, frac;

	if (places < 0)
		places = 0;
	if (places > 3)
		places = 3;
	for (int i = 0; i < places; i++)
		scale *= 10;
	/* nothing negative, not a number or past a million hours */
	if (!(seconds >= 0) || seconds > 3.6e9)
		seconds = 0;
	units = llround(seconds * (double)scale);
	t = units / scale;
	frac = units % scale;
	if (t >= 3600)
		snprintf(out, 32, "%lld:%02lld:%02lld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, 32, "%lld:%02lld", t / 60, t % 60);
	if (frac)
		snprintf(out + strlen(out), 32 - strlen(out), ".%0*lld", places, frac);
}

void fmt_size(int64_t bytes, char out[32])
{
	if (bytes >= 1000000) {
		int64_t tenths = (bytes + 50000) / 100000;
		snprintf(out, 32, "%lld.%d MB", (long long)(tenths / 10), (int)(tenths % 10));
	} else {
		snprintf(out, 32, "%lld kB", (long long)((bytes > 0 ? bytes : 0) + 999) / 1000);
	}
}
