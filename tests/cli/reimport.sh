# reimport.sh - the catalogue owns consent and workflow: a bundle's consent
# block, status, date and attribution count at the first import only. A
# re-import updates the content, keeps consent, never publishes a rejected
# story or revives a withdrawn one, never names a contributor more openly,
# and says what it changed and kept. Editors move dates and take stories
# off the schedule without touching consent; the guid never changes.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content/stories"
P="$L/public"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
mkdir -p "$C"
for s in morning-song turned-down gone named later spring; do
	mkdir -p "$C/$s"
	tone "$C/$s/voice.flac" 1 $((300 + ${#s} * 20))
done
bundle "$C" morning-song "Marker MORNINGSONG" "audio: voice.flac"
STATUS=rejected bundle "$C" turned-down "Marker TURNEDDOWN" "audio: voice.flac"
bundle "$C" gone "Marker GONESTORY" "audio: voice.flac"
bundle "$C" named "Marker NAMEDSTORY" "audio: voice.flac"
sed -i 's/^contributor: .*/contributor: {name: Zq Realname, pseudonym: Wren, attribution: pseudonym}/' \
	"$C/named/story.md"

# json SLUG EXPR: a Python condition on `hearth show SLUG --json` (as d)
json() {
	"$HEARTH" -C "$L" show "$1" --json >"$T/show.json" 2>/dev/null &&
		python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" \
			"$T/show.json"
}
in_feed() { grep -q "$1" "$P/feed.xml"; }
in_site() { grep -rlq --include='*.html' "$1" "$P"; }

# the first import takes the bundle's consent and status
ok first_import -C "$L" import "$T/content"
check first_import_says_new grep -q "^morning-song: new: status published (since 2024-05-10); consent recorded by Jo on 2024-05-09 (site yes, podcast yes), from the bundle$" "$OUT"
check first_import_rejected_as_bundle json turned-down "d['status'] == 'rejected'"
check first_import_consent_from_bundle json morning-song "d['consent']['site'] and d['consent']['podcast']"
ok first_build -C "$L" build
check episode_in_feed_at_first in_feed MORNINGSONG

# consent narrowed by the editor, then an edited bundle re-imported
ok consent_podcast_off -C "$L" consent morning-song --site yes --podcast no --by Jo
sed -i 's/^The body of .*/NEWWORDS a corrected telling./' "$C/morning-song/story.md"
ok reimport_edited -C "$L" import "$T/content"
check reimport_counts_one grep -q "1 new or changed" "$OUT"
check reimport_says_consent_kept grep -Eq "^morning-song: updated text; kept consent recorded by Jo on [0-9-]+ \(site yes, podcast no\); the bundle's consent block is ignored$" "$OUT"
check consent_stays_off json morning-song "d['consent']['site'] and not d['consent']['podcast']"
check reimport_audited json morning-song "'kept consent recorded by Jo' in d['history'][-1]['detail']"
ok build_after_reimport -C "$L" build
check episode_not_in_feed ! in_feed MORNINGSONG
check episode_not_in_feed_by_slug ! grep -q "morning-song" "$P/feed.xml"
check page_text_updated grep -q NEWWORDS "$P/stories/morning-song/index.html"

# a rejected story whose bundle now says published stays rejected
STATUS=published bundle "$C" turned-down "Marker TURNEDDOWN again" "audio: voice.flac"
ok reimport_rejected -C "$L" import "$T/content"
check reimport_says_status_kept grep -q "^turned-down: kept status rejected; the bundle says published$" "$OUT"
check rejected_stays_rejected json turned-down "d['status'] == 'rejected'"

# a withdrawn story stays withdrawn with consent off
ok withdraw_gone -C "$L" withdraw gone --reason "asked by the storyteller"
sed -i 's/^The body of .*/GONEWORDS edited after the withdrawal./' "$C/gone/story.md"
ok reimport_withdrawn -C "$L" import "$T/content"
check reimport_says_withdrawn_kept grep -q "^gone: kept status withdrawn with consent off; the bundle says published" "$OUT"
check withdrawn_stays_withdrawn json gone "d['status'] == 'withdrawn' and not d['consent']['site'] and not d['consent']['podcast'] and d['consent']['withdrawn_at']"

# attribution: a bundle cannot name a contributor more openly
sed -i 's/attribution: pseudonym}/attribution: name}/' "$C/named/story.md"
ok reimport_wider_attribution -C "$L" import "$T/content"
check reimport_says_attribution_kept grep -q "^named: kept attribution pseudonym; the bundle says name$" "$OUT"
check attribution_kept json named "d['contributor']['attribution'] == 'pseudonym'"

ok build_after_all -C "$L" build
check rejected_not_on_site ! grep -rq TURNEDDOWN "$P"
check withdrawn_not_on_site ! grep -rq "GONESTORY\|GONEWORDS" "$P"
check byline_is_pseudonym grep -q Wren "$P/stories/named/index.html"
check real_name_never_public ! grep -rq "Realname" "$P"

# an unchanged bundle: nothing written, nothing said per story
ok reimport_unchanged -C "$L" import "$T/content"
check unchanged_counts_zero grep -q "0 new or changed" "$OUT"
check unchanged_says_nothing_per_story test "$(grep -c ': ' "$OUT")" -eq 0

# publish --at on a scheduled story moves its date; --unschedule takes it
# off the schedule; published again it keeps its date and guid
STATUS=approved bundle "$C" later "Marker LATERSTORY" "audio: voice.flac"
ok import_later -C "$L" import "$C/later"
ok schedule_later -C "$L" publish later --at 2099-01-01
ok reschedule_later -C "$L" publish later --at 2098-06-01
check reschedule_says_dates grep -q "moved from 2099-01-01T00:00:00Z to 2098-06-01T00:00:00Z" "$OUT"
check rescheduled_date json later "d['status'] == 'published' and d['published_at'].startswith('2098-06-01')"
check reschedule_audited json later "d['history'][-1]['action'] == 'reschedule' and '2099-01-01' in d['history'][-1]['detail'] and '2098-06-01' in d['history'][-1]['detail']"
"$HEARTH" -C "$L" show later --json >"$T/later1.json"
ok unschedule_later -C "$L" publish later --unschedule
check unschedule_says_consent_kept grep -q "consent is unchanged" "$OUT"
check unscheduled_is_approved json later "d['status'] == 'approved' and d['consent']['site'] and d['consent']['podcast'] and not d['consent']['withdrawn_at']"
check unschedule_audited json later "d['history'][-1]['action'] == 'unschedule'"
refuses unschedule_twice 1 "is approved; only a published story whose date is still to come" \
	-C "$L" publish later --unschedule
ok build_unscheduled -C "$L" build
check unscheduled_not_on_site ! grep -rq LATERSTORY "$P"
ok republish_later -C "$L" publish later
check republish_keeps_date json later "d['status'] == 'published' and d['published_at'].startswith('2098-06-01')"
check republish_keeps_guid python3 -c "
import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
assert a['guid'] == b['guid'] and a['published_at'] == b['published_at']" "$T/later1.json" "$T/show.json"

# a live story: its date may be corrected (the feed follows, same guid),
# never moved into the future, never taken off the schedule
"$HEARTH" -C "$L" show named --json >"$T/named.json"
ok correct_live_date -C "$L" publish named --at 2024-04-01
ok build_after_correction -C "$L" build
check feed_date_and_guid python3 -c "
import json, sys, xml.etree.ElementTree as ET
guid = json.load(open(sys.argv[1]))['guid']
items = [i for i in ET.parse(sys.argv[2]).iter('item') if 'NAMEDSTORY' in i.findtext('title')]
assert len(items) == 1, items
assert items[0].findtext('guid') == guid, items[0].findtext('guid')
assert items[0].findtext('pubDate').startswith('Mon, 01 Apr 2024'), items[0].findtext('pubDate')
" "$T/named.json" "$P/feed.xml"
refuses live_date_not_into_future 1 "has been live since 2024-04-01T00:00:00Z; its date cannot move into the future" \
	-C "$L" publish named --at 2099-01-01
refuses live_not_unscheduled 1 "has been live since .*withdraw it" -C "$L" publish named --unschedule
check live_still_published json named "d['status'] == 'published' and d['published_at'].startswith('2024-04-01')"
refuses publish_twice_names_date 1 "already published \(live since 2024-04-01T00:00:00Z\)" \
	-C "$L" publish named
refuses at_and_unschedule 2 "do not go together" -C "$L" publish named --at 2024-01-01 --unschedule

# a date that has come: unscheduled while in the future, published again
# later, the story goes live on its first date with the same guid
STATUS=approved bundle "$C" spring "Marker SPRINGSTORY" "audio: voice.flac"
ok import_spring -C "$L" import "$C/spring"
export SOURCE_DATE_EPOCH=1704067200 # 2024-01-01
ok schedule_spring -C "$L" publish spring --at 2024-03-01
ok unschedule_spring -C "$L" publish spring --unschedule
unset SOURCE_DATE_EPOCH
ok republish_spring -C "$L" publish spring
check republish_says_date grep -q "spring is published at 2024-03-01T00:00:00Z" "$OUT"
ok build_spring -C "$L" build
"$HEARTH" -C "$L" show spring --json >"$T/spring.json"
check spring_live_on_first_date python3 -c "
import json, sys, xml.etree.ElementTree as ET
guid = json.load(open(sys.argv[1]))['guid']
items = [i for i in ET.parse(sys.argv[2]).iter('item') if i.findtext('guid') == guid]
assert len(items) == 1, items
assert items[0].findtext('pubDate').startswith('Fri, 01 Mar 2024'), items[0].findtext('pubDate')
" "$T/spring.json" "$P/feed.xml"

# an unchanged bundle is not read again: same size, mtime, ctime and inode
# for story.md and every file it names, and nothing is opened; a touched
# file is hashed again and found unchanged; a changed one is imported
L2="$T/lib2"
C2="$T/content2/stories"
"$HEARTH" init "$L2" >/dev/null && site_address "$L2"
mkdir -p "$C2/still" "$C2/other"
picture "$C2/still/art.png"
bundle "$C2" still "Marker STILLSTORY" "art: [{file: art.png, alt: A test pattern}]"
bundle "$C2" other "Marker OTHERSTORY"
# files changed within the clock tick an import reads them are read again
# next time (they could change again unseen): let the tick pass
sleep 0.1
ok seen_first_import -C "$L2" import "$T/content2"
# opened PATTERN: the last traced import opened a file matching PATTERN
opened() { grep -E "open(at)?\(.*$1" "$T/trace" | grep -vq ENOENT; }
# (LeakSanitizer cannot run under ptrace: the traced runs go without it)
traced_import() {
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -e trace=open,openat \
		-o "$T/trace" "$HEARTH" -C "$L2" import "$T/content2" >"$OUT" 2>"$ERR"
	RC=$?
}
traced_import
check skip_unchanged_ok test "$RC" -eq 0
check skip_unchanged_says grep -q "0 new or changed, 2 unchanged" "$OUT"
check skip_reads_no_story_md ! opened "stories/(still|other)/story.md"
check skip_reads_no_named_file ! opened "still/art.png"
touch "$C2/still/story.md" "$C2/still/art.png"
sleep 0.1
traced_import
check touched_is_unchanged grep -q "0 new or changed, 2 unchanged" "$OUT"
check touched_is_read_again opened "stories/still/story.md"
check touched_file_hashed_again opened "still/art.png"
check touched_other_not_read ! opened "stories/other/story.md"
traced_import
check touched_then_skipped ! opened "stories/still/story.md"
sed -i 's/^The body of .*/CHANGEDWORDS in the same bundle./' "$C2/other/story.md"
sleep 0.1
traced_import
check changed_is_imported grep -q "1 new or changed, 1 unchanged" "$OUT"
check changed_text_in_catalogue sh -c "'$HEARTH' -C '$L2' show other --json | grep -q CHANGEDWORDS"
picture "$C2/still/art.png" 160x120
sleep 0.1
traced_import
check changed_file_is_imported grep -q "1 new or changed, 1 unchanged" "$OUT"
# the same bundle copied elsewhere (new inodes) is read, and is the same story
cp -R "$T/content2" "$T/content3"
ok copy_is_read -C "$L2" import "$T/content3"
check copy_is_unchanged grep -q "0 new or changed, 2 unchanged" "$OUT"
