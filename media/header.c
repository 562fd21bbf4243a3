/*
 * header.c - the size a picture declares in its header, read without
 * decoding anything: the PNG IHDR, the GIF logical screen, the WebP VP8,
 * VP8L or VP8X header, the JPEG start-of-frame marker. Intake refuses a
 * picture over the pixel limit from this alone, so a small file claiming
 * a huge picture (a decompression bomb) costs no memory; decoders are
 * capped as well, in case a header lies.
 */
#include "mediaInt.h"

#include <stdio.h>
#include <string.h>

/* How much of the file is read: JPEG metadata segments come before the frame. */
#define HEAD_MAX (1024 * 1024)

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned le16(const unsigned char *p) { return (unsigned)p[1] << 8 | p[0]; }
static unsigned le24(const unsigned char *p)
{
	return (unsigned)p[2] << 16 | (unsigned)p[1] << 8 | p[0];
}
static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool png_size(const unsigned char *b, size_t n, int64_t *w, int64_t *h)
{
	if (n < 24 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) || memcmp(b + 12, "IHDR", 4))
		return false;
	*w = be32(b + 16);
	*h = be32(b + 20);
	return true;
}

static bool gif_size(const unsigned char *b, size_t n, int64_t *w, int64_t *h)
{
	if (n < 10 || (memcmp(b, "GIF87a", 6) && memcmp(b, "GIF89a", 6)))
		return false;
	*w = le16(b + 6);
	*h = le16(b + 8);
	return true;
}

static bool webp_size(const unsigned char *b, size_t n, int64_t *w, int64_t *h)
{
	if (n < 30 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WEBP", 4))
		return false;
	const unsigned char *c = b + 12;
	if (!memcmp(c, "VP8X", 4)) {
		*w = (int64_t)le24(c + 12) + 1;
		*h = (int64_t)le24(c + 15) + 1;
		return true;
	}
	if (!memcmp(c, "VP8L", 4) && c[8] == 0x2f) {
		uint32_t bits = (uint32_t)c[9] | (uint32_t)c[10] << 8 | (uint32_t)c[11] << 16 |
				(uint32_t)c[12] << 24;
		*w = (int64_t)(bits & 0x3fff) + 1;
		*h = (int64_t)((bits >> 14) & 0x3fff) + 1;
		return true;
	}
	if (!memcmp(c, "VP8 ", 4) && c[11] == 0x9d && c[12] == 0x01 && c[13] == 0x2a) {
		*w = le16(c + 14) & 0x3fff;
		*h = le16(c + 16) & 0x3fff;
		return true;
	}
	return false;
}

/* Walks the JPEG markers to the first start-of-frame (SOF0-SOF15 but DHT, JPG, DAC). */
static bool jpeg_size(const unsigned char *b, size_t n, int64_t *w, int64_t *h)
{
	size_t i = 2;
	if (n < 4 || b[0] != 0xff || b[1] != 0xd8)
		return false;
	while (i + 4 <= n) {
		if (b[i] != 0xff)
			return false;
		unsigned m = b[i + 1];
		if (m == 0xff) {        /* fill byte */
			i++;
			continue;
		}
		if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			i += 2;         /* markers without a length */
			continue;
		}
		if (m == 0xd9 || m == 0xda)
			return false;   /* end, or image data before any frame header */
		unsigned len = be16(b + i + 2);
		if (len < 2)
			return false;
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
			if (i + 9 > n || len < 7)
				return false;
			*h = be16(b + i + 5);
			*w = be16(b + i + 7);
			return true;
		}
		i += 2 + (size_t)len;
	}
	return false;
}

bool media_header_size(const char *path, int64_t *w, int64_t *h)
{
	unsigned char *b = xmalloc(HEAD_MAX);
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(b, 1, HEAD_MAX, f) : 0;
	bool ok;

	if (f)
		fclose(f);
	*w = *h = 0;
	ok = png_size(b, n, w, h) || gif_size(b, n, w, h) || webp_size(b, n, w, h) ||
	     jpeg_size(b, n, w, h);
	free(b);
	return ok && *w > 0 && *h > 0;
}
