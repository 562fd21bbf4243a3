/*
 * image.c - the image renditions: web images as JPEG or WebP at most a
 * given width, and the square podcast cover as JPEG. All three take one
 * path:
 *
 *   decode the first frame of the source;
 *   read which way up it is meant to be (EXIF orientation, orient.c);
 *   for a cover, cut the centre square out of the source;
 *   flatten transparency onto white;
 *   scale with libswscale into packed RGB at the size asked for, in the
 *     stored orientation (web images are never scaled up);
 *   turn the pixels upright (orient.c);
 *   convert to YUV 4:2:0 and encode: mjpeg (baseline, quantiser 3) or
 *     libwebp (lossy, quality 75), and write the file atomically.
 *
 * Only pixels cross over. The encoder's packet is written as it is, with
 * no muxer, so no EXIF, GPS, XMP, IPTC, ICC profile, comment or thumbnail
 * of the source can reach the output: a JPEG holds exactly a JFIF header
 * (72 dpi), its tables, one frame and one scan; a WebP exactly RIFF, WEBP
 * and one VP8 chunk. Pixels are taken as sRGB: an ICC profile is dropped,
 * not applied. Grey sources come out with three components.
 */
#include "mediaInt.h"

#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <string.h>

/* JPEG quality as an MPEG-style quantiser: 2 is near lossless, 31 poor. */
#define JPEG_QSCALE 3
/* libwebp's lossy quality, 0 to 100 */
#define WEBP_QUALITY "75"
/* The largest cover side media_render makes when asked. */
#define MAX_COVER_SIDE 8192

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

/*
 * Makes next (NULL: it could not be allocated) from *cur with convert(),
 * and lets *cur go: on success *cur is next, on failure next is freed.
 */
static int next_picture(AVFrame **cur, AVFrame *next, const char *name,
			struct hearth_err *err)
{
	int rc = next ? convert(*cur, next, name, err)
		      : herr(err, HEARTH_EMEDIA, "%s: out of memory", name);
	if (rc) {
		av_frame_free(&next);
		return rc;
	}
	av_frame_free(cur);
	*cur = next;
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

/*
 * Sets the density of mjpeg's JFIF header to 72 dots per inch (it writes
 * only the pixel aspect), as podcast directories ask of artwork. Touches
 * nothing unless the packet starts with exactly that header.
 */
static void jfif_72dpi(uint8_t *p, int n)
{
	if (n >= 18 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff && p[3] == 0xe0 &&
	    p[4] == 0 && p[5] == 16 && !memcmp(p + 6, "JFIF", 5)) {
		p[13] = 1; /* dots per inch */
		p[14] = 0;
		p[15] = 72;
		p[16] = 0;
		p[17] = 72;
	}
}

/*
 * Encodes one picture with codec (already in the pixel format the encoder
 * wants) and puts the one packet into pkt. qscale > 0 sets a fixed
 * quantiser; opts are the encoder's private options.
 */
static int encode(const AVCodec *codec, const AVFrame *pic, int qscale,
		  AVDictionary **opts, AVPacket *pkt, const char *name,
		  struct hearth_err *err)
{
	AVCodecContext *enc = avcodec_alloc_context3(codec);
	AVFrame *f = av_frame_clone(pic);
	int r, rc = 0;

	if (!enc || !f) {
		rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", name);
		goto end;
	}
	enc->width = pic->width;
	enc->height = pic->height;
	enc->pix_fmt = (enum AVPixelFormat)pic->format;
	enc->color_range = pic->color_range;
	enc->sample_aspect_ratio = (AVRational){1, 1};
	enc->time_base = (AVRational){1, 25};
	/* BITEXACT also keeps the encoder's name out of a JPEG comment */
	enc->flags |= AV_CODEC_FLAG_BITEXACT;
	if (qscale > 0) {
		enc->flags |= AV_CODEC_FLAG_QSCALE;
		enc->global_quality = FF_QP2LAMBDA * qscale;
	}
	r = avcodec_open2(enc, codec, opts);
	if (r < 0) {
		rc = media_averr(err, HEARTH_EMEDIA, r, name, "cannot open the image encoder");
		goto end;
	}
	f->quality = enc->global_quality;
	f->pts = 0;
	r = avcodec_send_frame(enc, f);
	if (r >= 0)
		r = avcodec_send_frame(enc, NULL);
	if (r >= 0)
		r = avcodec_receive_packet(enc, pkt);
	if (r >= 0)
		r = av_packet_make_writable(pkt);
	if (r < 0)
		rc = media_averr(err, HEARTH_EMEDIA, r, name, "cannot encode the image");
end:
	av_frame_free(&f);
	avcodec_free_context(&enc);
	return rc;
}

static int encode_jpeg(const AVFrame *pic, AVPacket *pkt, const char *name,
		       struct hearth_err *err)
{
	const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
	int rc;

	if (!codec)
		return herr(err, HEARTH_EMEDIA, "%s: this FFmpeg has no JPEG encoder", name);
	rc = encode(codec, pic, JPEG_QSCALE, NULL, pkt, name, err);
	if (!rc)
		jfif_72dpi(pkt->data, pkt->size);
	return rc;
}

static int encode_webp(const AVFrame *pic, AVPacket *pkt, const char *name,
		       struct hearth_err *err)
{
	const AVCodec *codec = avcodec_find_encoder_by_name("libwebp");
	AVDictionary *opts = NULL;
	int rc;

	if (!codec)
		return herr(err, HEARTH_EMEDIA,
			    "%s: this FFmpeg has no WebP encoder (libavcodec built without libwebp)",
			    name);
	av_dict_set(&opts, "quality", WEBP_QUALITY, 0);
	av_dict_set(&opts, "lossless", "0", 0);
	rc = encode(codec, pic, 0, &opts, pkt, name, err);
	av_dict_free(&opts);
	return rc;
}

/* v * num / den rounded, at least 1. */
static int scale_to(int v, int num, int den)
{
	int64_t r = ((int64_t)v * num + den / 2) / den;
	return r < 1 ? 1 : (int)r;
}

/*
 * Cuts the centre square out of frame (in place: only its pointers move),
 * and returns the side. Subsampled chroma may start half a sample off,
 * which no one can see.
 */
static int crop_square(AVFrame *frame)
{
	int s = frame->width < frame->height ? frame->width : frame->height;
	frame->crop_left = (size_t)(frame->width - s) / 2;
	frame->crop_right = (size_t)(frame->width - s) - frame->crop_left;
	frame->crop_top = (size_t)(frame->height - s) / 2;
	frame->crop_bottom = (size_t)(frame->height - s) - frame->crop_top;
	if (av_frame_apply_cropping(frame, AV_FRAME_CROP_UNALIGNED) < 0)
		return 0;
	return frame->width;
}

int render_image(const char *src, const char *dst, const struct media_job *job,
		 struct media_result *res, struct hearth_err *err)
{
	struct media_in in;
	AVFrame *frame = NULL, *cur = NULL, *next;
	AVPacket *pkt = NULL;
	bool cover = job->kind == MEDIA_COVER, webp = job->kind == MEDIA_WEBP;
	int o, sw, sh, ow, oh, r, rc;

	memset(&in, 0, sizeof in);
	if (job->kind != MEDIA_JPEG && !webp && !cover)
		return herr(err, HEARTH_EINVAL, "%s: not a kind of image rendition", dst);
	if (cover ? job->width < 0 || job->width > MAX_COVER_SIDE : job->width <= 0)
		return herr(err, HEARTH_EINVAL, "%s: the image %s must be %s, not %d", dst,
			    cover ? "side" : "width",
			    cover ? "between 1 and 8192 pixels (0: the default)" : "positive",
			    job->width);
	rc = media_in_open(&in, src, src, AVMEDIA_TYPE_VIDEO, false, 0, err);
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

	/* the output's size as shown (ow x oh) and as stored before turning (sw x sh) */
	o = media_image_orientation(frame, in.dec, src);
	/* only the first picture is wanted: the decoder's buffers go now, not at the end */
	media_in_close(&in);
	if (cover) {
		int side = job->width;
		if (!side) {
			side = media_cover_side(frame->width, frame->height);
			side = side ? side : MEDIA_COVER_MIN;
		}
		if (!crop_square(frame)) {
			rc = herr(err, HEARTH_EMEDIA, "%s: cannot cut the picture square", src);
			goto end;
		}
		sw = sh = ow = oh = side;
	} else {
		int dw = o >= 5 ? frame->height : frame->width;
		int dh = o >= 5 ? frame->width : frame->height;
		ow = dw < job->width ? dw : job->width;
		oh = ow == dw ? dh : scale_to(dh, ow, dw);
		sw = o >= 5 ? oh : ow;
		sh = o >= 5 ? ow : oh;
	}

	/*
	 * Each picture is let go as soon as the next is made from it, and a
	 * step that would only copy is skipped: a large source's pictures
	 * are megabytes each, and during a podcast build this runs beside
	 * the audio encoders.
	 */
	cur = frame;
	frame = NULL;
	if (has_alpha((enum AVPixelFormat)cur->format)) {
		next = new_picture(cur->width, cur->height, AV_PIX_FMT_RGBA);
		if ((rc = next_picture(&cur, next, src, err)))
			goto end;
		flatten_on_white(cur);
	}
	if (o != 1 || cur->format != AV_PIX_FMT_RGB24 || cur->width != sw || cur->height != sh) {
		next = new_picture(sw, sh, AV_PIX_FMT_RGB24);
		if ((rc = next_picture(&cur, next, src, err)))
			goto end;
	}
	if (o != 1) {
		next = media_orient(cur, o);
		if (!next) {
			rc = herr(err, HEARTH_EMEDIA, "%s: out of memory", src);
			goto end;
		}
		av_frame_free(&cur);
		cur = next;
	}
	next = new_picture(ow, oh, webp ? AV_PIX_FMT_YUV420P : AV_PIX_FMT_YUVJ420P);
	if (next)
		next->color_range = webp ? AVCOL_RANGE_MPEG : AVCOL_RANGE_JPEG;
	if ((rc = next_picture(&cur, next, src, err)))
		goto end;
	rc = webp ? encode_webp(cur, pkt, src, err) : encode_jpeg(cur, pkt, src, err);
	if (!rc)
		rc = file_write_atomic(dst, pkt->data, (size_t)pkt->size, err);
	if (!rc) {
		res->width = ow;
		res->height = oh;
	}
end:
	av_packet_free(&pkt);
	av_frame_free(&cur);
	av_frame_free(&frame);
	media_in_close(&in);
	return rc;
}
