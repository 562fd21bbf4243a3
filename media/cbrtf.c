/*
 * cbrtf.c - the cube root FFmpeg's AAC encoder asks for, answered quickly.
 *
 * To price a quantisation, FFmpeg 5.1's AAC encoder (aaccoder.c, the
 * escape codebook) takes cbrtf() of each quantised value, an integer
 * from 0 to 8191, for every band and scale it tries. glibc's cbrtf goes
 * through frexpf and ldexpf each time, and on speech it was about a
 * seventh of an M4A rendition's processor time, on the encoder's thread,
 * the longest of a podcast build.
 *
 * This file defines cbrtf in the program. A symbol the executable
 * defines comes first in the dynamic linker's search, so libavcodec's
 * calls (and those of any other library that asks for cbrtf) come here
 * instead of to libm. The integers the encoder asks about come from a
 * table made once, on first use; any other value takes two Halley steps
 * in double precision from a guess read off its bits. Both ways give
 * cbrt() in double precision rounded to float, checked once over every
 * positive finite float (tests/unit/test_audio.c checks one in 1,021):
 * correctly rounded, where glibc's cbrtf is a last
 * place off for 865 of the 8,192 integers. The difference is far below
 * what moves the encoder: the bench's ten minutes of speech make the same
 * M4A to the byte either way.
 */
#include "mediaInt.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define TABLE 8192 /* the encoder's values: av_clip_uintp2(q, 13) */

/*
 * The table, filled once under table_once. table_ready says it is filled
 * without a call into the C library: cbrtf runs tens of millions of times
 * in a long recording, and pthread_once is a call each time.
 */
static float table[TABLE];
static atomic_bool table_ready;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

/*
 * The cube root of x, from a guess within a few percent (a third of the
 * exponent and the mantissa together, on the double's bits) and two
 * Halley steps, each tripling the correct digits: 1e-12 or better, far
 * below half a float's last place.
 */
static float root(float x)
{
	double a = fabs((double)x), t;
	uint64_t u;

	if (!(a > 0) || a == INFINITY) /* 0, -0, infinities, NaN: as they are */
		return x + x;
	memcpy(&u, &a, sizeof u);
	u = u / 3 + UINT64_C(0x2a9f7893782da1ce);
	memcpy(&t, &u, sizeof t);
	for (int i = 0; i < 2; i++) {
		double t3 = t * t * t;
		t = t * (t3 + 2 * a) / (2 * t3 + a);
	}
	return (float)copysign(t, (double)x);
}

static void table_fill(void)
{
	for (int i = 0; i < TABLE; i++)
		table[i] = root((float)i);
	atomic_store_explicit(&table_ready, true, memory_order_release);
}

float cbrtf(float x)
{
	if (x > 0 && x < TABLE && x == (float)(int)x) { /* not -0: its root is -0 */
		if (!atomic_load_explicit(&table_ready, memory_order_acquire))
			pthread_once(&table_once, table_fill);
		return table[(int)x];
	}
	return root(x);
}
