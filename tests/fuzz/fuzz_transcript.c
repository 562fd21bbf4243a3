/*
 * fuzz_transcript.c - a libFuzzer target for the transcript reader: any
 * bytes, as WebVTT or SRT, through media_transcript_mem (libavformat's
 * demuxers and Hearth's checks and cue-text cleaning), against a length of
 * audio and without one.
 *
 * Besides "no crash, no leak, no undefined behaviour" it checks one
 * property: what Hearth writes out as normalised WebVTT must read back
 * without complaint and come out the same. Anything else means the
 * published transcript could be broken for players.
 *
 * Built and run by tools/fuzz.sh (make fuzz); make check replays its
 * seeds (tests/fuzz/seeds.sh) and tests/fuzz/regress/transcript/.
 */
#include "../../media/mediaInt.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf vtt = BUF_INIT, text = BUF_INIT, again = BUF_INIT;
	struct hearth_err err;
	int rc;

	/* timed against 30 s of audio: the duration checks run too */
	media_transcript_mem((const char *)data, size, "fuzz.vtt", 30, NULL, NULL, &err);
	rc = media_transcript_mem((const char *)data, size, "fuzz.vtt", 0, &vtt, &text, &err);
	if (rc == 0 && strstr(vtt.data, "-->")) {
		/* it has cues: the normalised file must read back the same */
		if (media_transcript_mem(vtt.data, vtt.len, "normalised.vtt", 0, &again, NULL,
					 &err) != 0) {
			fprintf(stderr, "normalised WebVTT does not read back: %s\n--- output\n%s",
				err.msg, vtt.data);
			abort();
		}
		if (again.len != vtt.len || memcmp(again.data, vtt.data, vtt.len)) {
			fprintf(stderr, "normalising twice differs\n--- once\n%s--- twice\n%s",
				vtt.data, again.data);
			abort();
		}
	}
	buf_release(&vtt);
	buf_release(&text);
	buf_release(&again);
	return 0;
}
