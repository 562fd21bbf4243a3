/*
 * fuzz_orient.c - a libFuzzer target for the EXIF orientation reader:
 * any bytes as a TIFF block (media_exif_orientation), and as a PNG file
 * whose eXIf chunk is found by walking its chunks (media_image_orientation
 * for a PNG decoder), and a small picture turned the way the result says
 * (media_orient).
 *
 * Besides "no crash, no leak, no undefined behaviour" it checks that the
 * orientation is always 1 to 8 and that a turned picture has the size the
 * orientation implies, with every pixel from the source.
 *
 * Built and run by tools/fuzz.sh (make fuzz); make check replays its
 * seeds (tests/fuzz/seeds.sh) and tests/fuzz/regress/orient/.
 */
#include "../../media/mediaInt.h"
#include "fuzz.h"

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static const char *png_path(void)
{
	static char *path;
	if (!path) {
		const char *tmp = getenv("TMPDIR");
		path = xasprintf("%s/hearth-fuzz-orient-%ld.png", tmp && *tmp ? tmp : "/tmp",
				 (long)getpid());
	}
	return path;
}

/* A w x h RGB24 picture whose every pixel holds its own position, turned by o. */
static void turn(int w, int h, int o)
{
	AVFrame *in = av_frame_alloc(), *out = NULL;
	if (!in)
		abort();
	in->format = AV_PIX_FMT_RGB24;
	in->width = w;
	in->height = h;
	if (av_frame_get_buffer(in, 0) < 0)
		abort();
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint8_t *p = in->data[0] + y * in->linesize[0] + 3 * x;
			p[0] = (uint8_t)x;
			p[1] = (uint8_t)y;
			p[2] = 0xAA;
		}
	out = media_orient(in, o);
	if (!out)
		abort();
	int ow = o >= 5 && o <= 8 ? h : w, oh = o >= 5 && o <= 8 ? w : h;
	if (out->width != ow || out->height != oh)
		abort();
	for (int y = 0; y < oh; y++)
		for (int x = 0; x < ow; x++) {
			const uint8_t *p = out->data[0] + y * out->linesize[0] + 3 * x;
			if (p[0] >= w || p[1] >= h || p[2] != 0xAA)
				abort();
		}
	av_frame_free(&out);
	av_frame_free(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int o = media_exif_orientation(data, size);
	if (o < 1 || o > 8)
		abort();

	/* as a PNG file: the chunk walk and the eXIf chunk */
	FILE *f = fopen(png_path(), "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	AVFrame *frame = av_frame_alloc();
	AVCodecContext *dec = avcodec_alloc_context3(NULL);
	if (!frame || !dec)
		abort();
	dec->codec_id = AV_CODEC_ID_PNG;
	int po = media_image_orientation(frame, dec, png_path());
	if (po < 1 || po > 8)
		abort();
	av_frame_free(&frame);
	avcodec_free_context(&dec);

	/* the turn itself, on a picture sized by the first bytes */
	int w = size > 0 ? data[0] % 7 + 1 : 1, h = size > 1 ? data[1] % 7 + 1 : 1;
	turn(w, h, po);
	turn(h, w, o);
	return 0;
}
