/*
 * image.c - the web image rendition. The first frame of a source image is
 * decoded, flattened onto white when it has transparency, scaled with
 * libswscale to at most the width asked for (never up, aspect kept),
 * encoded as a baseline JPEG with FFmpeg's mjpeg encoder and written
 * atomically. Only pixels cross over: the JPEG gets no EXIF, no comment,
 * no colour profile and no thumbnail of the source.
 */
#include "mediaInt.h"

#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <string.h>

/* JPEG quality as an MPEG-style quantiser: 2 is near lossless, 31 poor. */
#define JPEG_QSCALE 3

static bool has_alpha(enum AVPixelFormat f)
{
	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f);
	return d && (d->flags & AV_PIX_FMT_FLAG_ALPHA);
}

/* A frame of w x h in format f with its buffers allocated, or NULL. */
static AVFrame *new_picture(int w, int h, enum AVPixelFormat f)
{
	AVFrame *p = av_frame_alloc();
	if (!p)
		return NULL;
	p->width = w;
	p->height = h;
	p->format = f;
	if (av_frame_get_buffer(p, 0) < 0)
		av_frame_free(&p);
	return p;
}

/*
 * Converts (and scales) src into dst with libswscale. YUV sources that say
 * they are full range (as JPEG and WebP decoders do) are read as such.
 */
static int convert(const AVFrame *src, AVFrame *dst, const char *name,
		   struct hearth_err *err)
{
	struct SwsContext *sws;
	int *inv, *tab, src_range, dst_range, bri, con, sat;

	sws = sws_getContext(src->width, src->height, (enum AVPixelFormat)src->format,
			     dst->width, dst->height, (enum AVPixelFormat)dst->format,
			     SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL,
			     NULL, NULL);
	if (!sws)
		return herr(err, HEARTH_EMEDIA, "%s: cannot convert pixels from %s", name,
			    av_get_pix_fmt_name((enum AVPixelFormat)src->format));
	if (src->color_range == AVCOL_RANGE_JPEG &&
	    sws_getColorspaceDetails(sws, &inv, &src_range, &tab, &dst_range, &bri,
				     &con, &sat) >= 0)
		sws_setColorspaceDetails(sws, inv, 1, tab, dst_range, bri, con, sat);
	sws_scale(sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
		  dst->data, dst->linesize);
	sws_freeContext(sws);
	return 0;
}

/* Blends an RGBA picture onto white, in place; alpha becomes opaque. */
static void flatten_on_white(AVFrame *p)
{
	for (int y = 0; y < p->height; y++) {
		uint8_t *px = p->data[0] + (ptrdiff_t)y * p->linesize[0];
		for (int x = 0; x < p->width; x++, px += 4) {
			unsigned a = px[3];
			for (int c = 0; c < 3; c++)
				px[c] = (uint8_t)((px[c] * a + 255 * (255 - a) + 127) / 255);
			px[3] = 255;
		}
	}
}

/* Encodes one YUVJ420P picture as JPEG; the packet goes to pkt. */
static int encode_jpeg(const AVFrame *pic, AVPacket *pkt, const char *name,
		       struct hearth_err *err)
{
	const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
	AVCodecContext *enc = NULL;
	AVFrame *f = NULL;
	int r, rc = 0;

	if (!codec)
		return herr(err, HEARTH_EMEDIA, "%s: this FFmpeg has no JPEG encoder", name);
	enc = avcodec_alloc_context3(codec);
	f = av_frame_clone(pic);
	if (!enc || !f) {
		rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", name);
		goto end;
	}
	enc->width = pic->width;
	enc->height = pic->height;
	enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
	enc->color_range = AVCOL_RANGE_JPEG;
	enc->time_base = (AVRational){1, 25};
	/* BITEXACT also keeps the encoder's name out of a JPEG comment */
	enc->flags |= AV_CODEC_FLAG_QSCALE | AV_CODEC_FLAG_BITEXACT;
	enc->global_quality = FF_QP2LAMBDA * JPEG_QSCALE;
	r = avcodec_open2(enc, codec, NULL);
	if (r < 0) {
		rc = media_averr(err, HEARTH_EMEDIA, r, name, "cannot open the JPEG encoder");
		goto end;
	}
	f->quality = enc->global_quality;
	f->pts = 0;
	r = avcodec_send_frame(enc, f);
	if (r >= 0)
		r = avcodec_send_frame(enc, NULL);
	if (r >= 0)
		r = avcodec_receive_packet(enc, pkt);
	if (r < 0)
		rc = media_averr(err, HEARTH_EMEDIA, r, name, "cannot encode the JPEG");
end:
	av_frame_free(&f);
	avcodec_free_context(&enc);
	return rc;
}

int media_image_jpeg(const char *src, const char *dst, int max_width, int *w,
		     int *h, struct hearth_err *err)
{
	struct media_in in;
	AVFrame *frame = NULL, *flat = NULL, *pic = NULL;
	AVPacket *pkt = NULL;
	const AVFrame *from;
	int ow, oh, r, rc;

	if (max_width <= 0)
		return herr(err, HEARTH_EINVAL, "%s: the image width must be positive, not %d",
			    dst, max_width);
	rc = media_in_open(&in, src, src, AVMEDIA_TYPE_VIDEO, false, err);
	if (rc)
		goto end;
	frame = av_frame_alloc();
	pkt = av_packet_alloc();
	if (!frame || !pkt) {
		rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", src);
		goto end;
	}
	r = media_in_next(&in, frame, err);
	if (r <= 0) {
		rc = r < 0 ? r : herr(err, HEARTH_EMEDIA, "%s: has no picture", src);
		goto end;
	}
	if (frame->width <= 0 || frame->height <= 0) {
		rc = herr(err, HEARTH_EMEDIA, "%s: the picture has no size", src);
		goto end;
	}

	from = frame;
	if (has_alpha((enum AVPixelFormat)frame->format)) {
		flat = new_picture(frame->width, frame->height, AV_PIX_FMT_RGBA);
		if (!flat) {
			rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", src);
			goto end;
		}
		rc = convert(frame, flat, src, err);
		if (rc)
			goto end;
		flatten_on_white(flat);
		from = flat;
	}

	ow = frame->width;
	oh = frame->height;
	if (ow > max_width) {
		oh = (int)(((int64_t)oh * max_width + ow / 2) / ow);
		oh = oh < 1 ? 1 : oh;
		ow = max_width;
	}
	pic = new_picture(ow, oh, AV_PIX_FMT_YUVJ420P);
	if (!pic) {
		rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", src);
		goto end;
	}
	pic->color_range = AVCOL_RANGE_JPEG;
	rc = convert(from, pic, src, err);
	if (!rc)
		rc = encode_jpeg(pic, pkt, src, err);
	if (!rc)
		rc = file_write_atomic(dst, pkt->data, (size_t)pkt->size, err);
	if (!rc) {
		if (w)
			*w = ow;
		if (h)
			*h = oh;
	}
end:
	av_packet_free(&pkt);
	av_frame_free(&pic);
	av_frame_free(&flat);
	av_frame_free(&frame);
	media_in_close(&in);
	return rc;
}

int render_image(const char *src, const char *dst, const struct media_job *job,
		 struct media_result *res, struct hearth_err *err)
{
	if (job->kind != MEDIA_JPEG)
		return herr(err, HEARTH_EINVAL, "%s: this kind of image is not made yet", src);
	return media_image_jpeg(src, dst, job->width, &res->width, &res->height, err);
}
