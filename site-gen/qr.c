/*
 * qr.c - the QR code of the podcast feed's address on the subscribe page,
 * as inline SVG: libqrencode makes the modules, and this file draws the
 * dark ones as one path (a run of dark modules in a row is one rectangle),
 * so the code is a few kilobytes of markup whatever the address. The
 * quiet zone of four modules is part of the picture, as scanners need.
 */
#include "siteInt.h"

#include <qrencode.h>
#include <stdio.h>
#include <string.h>

#define QUIET 4

int site_qr_svg(xmlNodePtr parent, const char *text, const char *label,
		struct hearth_err *err)
{
	QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	struct buf d = BUF_INIT;
	char num[96];

	if (!qr)
		return herr(err, HEARTH_EINVAL, "'%s': cannot be made into a QR code", text);
	int w = qr->width, size = w + 2 * QUIET;
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w;) {
			if (!(qr->data[y * w + x] & 1)) {
				x++;
				continue;
			}
			int run = 1;
			while (x + run < w && (qr->data[y * w + x + run] & 1))
				run++;
			snprintf(num, sizeof num, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
			buf_puts(&d, num);
			x += run;
		}
	}
	QRcode_free(qr);

	xmlNodePtr svg = xmlNewChild(parent, NULL, BAD_CAST "svg", NULL);
	snprintf(num, sizeof num, "0 0 %d %d", size, size);
	xmlSetProp(svg, BAD_CAST "viewBox", BAD_CAST num);
	xmlSetProp(svg, BAD_CAST "role", BAD_CAST "img");
	if (label)
		xmlSetProp(svg, BAD_CAST "aria-label", BAD_CAST label);
	xmlSetProp(svg, BAD_CAST "shape-rendering", BAD_CAST "crispEdges");
	xmlNodePtr bg = xmlNewChild(svg, NULL, BAD_CAST "rect", NULL);
	xmlSetProp(bg, BAD_CAST "width", BAD_CAST "100%");
	xmlSetProp(bg, BAD_CAST "height", BAD_CAST "100%");
	xmlSetProp(bg, BAD_CAST "fill", BAD_CAST "#fff");
	xmlNodePtr path = xmlNewChild(svg, NULL, BAD_CAST "path", NULL);
	xmlSetProp(path, BAD_CAST "d", BAD_CAST(d.data ? d.data : ""));
	xmlSetProp(path, BAD_CAST "fill", BAD_CAST "#000");
	buf_release(&d);
	return 0;
}
