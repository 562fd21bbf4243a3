# chapters.sh - transcripts and chapters from bundle to site: a transcript
# checked against its audio at import, chapters from the front matter and
# from the audio file, the JSON chapters and the feed's podcast:chapters.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
S="$T/src"
run init "$L"
export HEARTH_DIR="$L"

# ---- transcripts: checked against the audio at import ----------------------
bundle "$S" long-cue "A cue too long" "audio: voice.wav
transcript: voice.vtt"
tone "$S/long-cue/voice.wav" 3
printf 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n\n00:01.000 --> 00:09.500\nand goodbye\n' \
	>"$S/long-cue/voice.vtt"
refuses transcript_past_audio_refused_at_import 1 \
	"voice\.vtt: cue 2 \(00:00:01\.000\): ends at 00:00:09\.500, after the end of the audio \(00:00:03\.000\)" \
	import "$S/long-cue"
run list
check transcript_refusal_imports_nothing ! grep -q long-cue "$OUT"

printf 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n\n00:01.000 --> 00:03.000\nand goodbye\n' \
	>"$S/long-cue/voice.vtt"
ok transcript_inside_audio_imports import "$S/long-cue"

tone "$T/short.wav" 2
printf '1\n00:00:00,000 --> 00:00:05,000\nToo long\n' >"$T/peer.srt"
printf 'A story.\n' >"$T/peer.md"
refuses transcript_past_audio_refused_at_submit 1 "peer\.srt: cue 1 \(00:00:00\.000\): ends at" \
	submit --title "A peer's story" "$T/peer.md" "$T/short.wav" "$T/peer.srt"
