/*
 * orient.c - which way up a picture is meant to be shown, and turning it
 * that way. Cameras store pixels as the sensor saw them and say in EXIF
 * (tag 0x0112, Orientation, values 1 to 8) how to turn them; browsers
 * honour that tag, so once image.c drops every metadata block the turn
 * must be in the pixels themselves.
 *
 * libavcodec 59 reads the tag for JPEG (APP1 Exif) and WebP (EXIF chunk)
 * and puts it in the frame's metadata as "Orientation". It does not read a
 * PNG's eXIf chunk, so for PNG the chunk is read here with a small parser
 * that checks every offset against the bytes it has.
 */
#include "mediaInt.h"

#include <libavutil/dict.h>
#include <libavutil/pixdesc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most of a PNG eXIf chunk that is read; real ones are a few KB. */
#define MAX_EXIF_CHUNK (1024 * 1024)

static unsigned get16(const uint8_t *p, bool le)
{
	return le ? (unsigned)p[0] | (unsigned)p[1] << 8 : (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p, bool le)
{
	return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			    (uint32_t)p[3] << 24
		  : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int media_exif_orientation(const uint8_t *tiff, size_t n)
{
	size_t pos;
	unsigned count;
	uint32_t ifd;
	bool le;

	/* some writers keep the JPEG segment's "Exif\0\0" in front */
	if (n >= 6 && !memcmp(tiff, "Exif\0\0", 6)) {
		tiff += 6;
		n -= 6;
	}
	if (n < 8)
		return 1;
	if (tiff[0] == 'I' && tiff[1] == 'I')
		le = true;
	else if (tiff[0] == 'M' && tiff[1] == 'M')
		le = false;
	else
		return 1;
	if (get16(tiff + 2, le) != 42)
		return 1;
	ifd = get32(tiff + 4, le);
	if (ifd < 8 || ifd > n - 2)
		return 1;
	count = get16(tiff + ifd, le);
	pos = (size_t)ifd + 2;
	for (unsigned i = 0; i < count && n - pos >= 12; i++, pos += 12) {
		const uint8_t *e = tiff + pos;
		if (get16(e, le) != 0x0112)
			continue;
		/* type 3 is SHORT; one value, kept in the entry itself */
		if (get16(e + 2, le) != 3 || get32(e + 4, le) != 1)
			return 1;
		unsigned v = get16(e + 8, le);
		return v >= 1 && v <= 8 ? (int)v : 1;
	}
	return 1;
}

/*
 * The orientation in a PNG's eXIf chunk, read from the file at path; 1
 * when there is none. Only chunks before the first IDAT count, as in
 * browsers.
 */
static int png_orientation(const char *path)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	uint8_t head[8], *data = NULL;
	int o = 1;
	FILE *f = fopen(path, "rb");

	if (!f)
		return 1;
	if (fread(head, 1, 8, f) != 8 || memcmp(head, sig, 8))
		goto end;
	while (fread(head, 1, 8, f) == 8) {
		uint32_t len = get32(head, false);
		if (!memcmp(head + 4, "IDAT", 4) || !memcmp(head + 4, "IEND", 4) ||
		    len > 0x7fffffff)
			break;
		if (memcmp(head + 4, "eXIf", 4)) {
			/* skip the data and the CRC */
			if (fseek(f, (long)len + 4, SEEK_CUR) != 0)
				break;
			continue;
		}
		if (len > MAX_EXIF_CHUNK)
			break;
		data = malloc(len ? len : 1);
		if (data && fread(data, 1, len, f) == len)
			o = media_exif_orientation(data, len);
		break;
	}
end:
	free(data);
	fclose(f);
	return o;
}

int media_image_orientation(const AVFrame *frame, const AVCodecContext *dec,
			    const char *path)
{
	const AVDictionaryEntry *e = av_dict_get(frame->metadata, "Orientation", NULL, 0);

	if (e && e->value) {
		/* libavcodec writes it padded ("    6") */
		char *end;
		long v = strtol(e->value, &end, 10);
		return end != e->value && v >= 1 && v <= 8 ? (int)v : 1;
	}
	if (dec && dec->codec_id == AV_CODEC_ID_PNG && path)
		return png_orientation(path);
	return 1;
}

/*
 * Where output pixel (x, y) comes from, for each orientation: the source
 * column and row as a*x + b*y + c, with c counted from the far edge when
 * its flag is set. Index 0 is unused.
 */
static const struct {
	signed char sx_x, sx_y, sx_far; /* source column: x, y, from the right */
	signed char sy_x, sy_y, sy_far; /* source row: x, y, from the bottom */
} turns[9] = {
	{0, 0, 0, 0, 0, 0},
	{1, 0, 0, 0, 1, 0},   /* 1: as stored */
	{-1, 0, 1, 0, 1, 0},  /* 2: mirrored left to right */
	{-1, 0, 1, 0, -1, 1}, /* 3: turned half way */
	{1, 0, 0, 0, -1, 1},  /* 4: mirrored top to bottom */
	{0, 1, 0, 1, 0, 0},   /* 5: transposed */
	{0, 1, 0, -1, 0, 1},  /* 6: turned a quarter clockwise */
	{0, -1, 1, -1, 0, 1}, /* 7: transversed */
	{0, -1, 1, 1, 0, 0},  /* 8: turned a quarter anticlockwise */
};

AVFrame *media_orient(const AVFrame *in, int o)
{
	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get((enum AVPixelFormat)in->format);
	int w = in->width, h = in->height, bpp;
	AVFrame *out;

	if (o < 1 || o > 8)
		o = 1;
	if (!d || (d->flags & AV_PIX_FMT_FLAG_PLANAR) || d->nb_components < 1)
		return NULL;
	bpp = av_get_bits_per_pixel(d) / 8;
	out = av_frame_alloc();
	if (!out)
		return NULL;
	out->format = in->format;
	out->width = o >= 5 ? h : w;
	out->height = o >= 5 ? w : h;
	out->color_range = in->color_range;
	if (av_frame_get_buffer(out, 0) < 0) {
		av_frame_free(&out);
		return NULL;
	}
	/* the step in the source for one step right in the output */
	ptrdiff_t step = turns[o].sx_x * bpp + turns[o].sy_x * (ptrdiff_t)in->linesize[0];
	for (int y = 0; y < out->height; y++) {
		int sx = turns[o].sx_y * y + (turns[o].sx_far ? w - 1 : 0);
		int sy = turns[o].sy_y * y + (turns[o].sy_far ? h - 1 : 0);
		ptrdiff_t at = (ptrdiff_t)sy * in->linesize[0] + (ptrdiff_t)sx * bpp;
		uint8_t *p = out->data[0] + (ptrdiff_t)y * out->linesize[0];
		for (int x = 0; x < out->width; x++, at += step, p += bpp)
			memcpy(p, in->data[0] + at, (size_t)bpp);
	}
	return out;
}
