# consent.sh - consent gates everything: a story that is submitted,
# rejected, approved but unpublished, scheduled for later, withdrawn, or
# lacking consent for a channel never appears in that channel's output;
# after withdraw and a rebuild no output file mentions it.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content/stories"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
mkdir -p "$C"
for s in both site-only podcast-only submitted rejected approved future; do
	mkdir -p "$C/$s"
	tone "$C/$s/voice.flac" 1 $((300 + ${#s} * 20))
done
bundle "$C" both "Marker BOTHCHANNELS" "audio: voice.flac"
SITE=no bundle "$C" podcast-only "Marker PODCASTONLY" "audio: voice.flac"
PODCAST=no bundle "$C" site-only "Marker SITEONLY" "audio: voice.flac"
STATUS=submitted bundle "$C" submitted "Marker SUBMITTEDSTORY" "audio: voice.flac"
STATUS=rejected bundle "$C" rejected "Marker REJECTEDSTORY" "audio: voice.flac"
STATUS=approved bundle "$C" approved "Marker APPROVEDSTORY" "audio: voice.flac"
PUBLISHED=2099-01-01 bundle "$C" future "Marker FUTURESTORY" "audio: voice.flac"

ok import_all -C "$L" import "$T/content"
ok build_site -C "$L" build
P="$L/public"
check feed_exists test -f "$P/feed.xml"
check home_exists test -f "$P/index.html"

# in_site MARKER / in_feed MARKER: does any page, or the feed, mention it
# (media files are not pages: a podcast-only story's MP3 is published for the feed)
in_site() { grep -rlq --include='*.html' "$1" "$P"; }
in_feed() { grep -q "$1" "$P/feed.xml"; }

check both_on_site in_site BOTHCHANNELS
check both_in_feed in_feed BOTHCHANNELS
check site_only_on_site in_site SITEONLY
check site_only_not_in_feed ! in_feed SITEONLY
check podcast_only_in_feed in_feed PODCASTONLY
check podcast_only_not_on_site ! in_site PODCASTONLY
check podcast_only_has_no_page test ! -e "$P/stories/podcast-only"
for m in SUBMITTEDSTORY REJECTEDSTORY APPROVEDSTORY FUTURESTORY; do
	check "unpublished_${m}_nowhere" ! grep -rq "$m" "$P"
done
for s in submitted rejected approved future; do
	check "unpublished_${s}_no_files" test -z "$(find "$P" -path "*$s*")"
done

ok withdraw_both -C "$L" withdraw both --reason "asked by the storyteller"
ok rebuild_after_withdraw -C "$L" build
check withdrawn_title_gone ! grep -rq BOTHCHANNELS "$P"
check withdrawn_slug_gone ! grep -rqw "both" "$P" --include='*.xml'
check withdrawn_files_gone test -z "$(find "$P" -name '*both*')"
check withdrawn_no_page test ! -e "$P/stories/both"
check others_still_there in_site SITEONLY

# a re-import of the withdrawn story's unchanged bundle does not bring it back
ok reimport_after_withdraw -C "$L" import "$T/content"
ok rebuild_after_reimport -C "$L" build
check withdrawal_wins_over_reimport ! grep -rq BOTHCHANNELS "$P"
