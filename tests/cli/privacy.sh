# privacy.sh - private stays private: unique markers planted in every
# private field never appear in any output file.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
mkdir -p "$C/stories/pseudo" "$C/stories/anon"
tone "$C/stories/pseudo/realname-zzprivfile.flac" 1
picture "$C/stories/anon/art.png"
cat >"$C/stories/pseudo/story.md" <<'MD'
---
title: A pseudonymous story
summary: Told under another name.
status: in_review
contributor:
  name: ZZPRIVNAME1
  pseudonym: Sparrow
  attribution: pseudonym
  contact: zzprivcontact1@example.org
consent: {site: yes, podcast: yes, given: 2024-05-09, recorded_by: ZZPRIVRECORDER1, note: "ZZPRIVNOTE1"}
audio: realname-zzprivfile.flac
---
A story told by Sparrow.
MD
cat >"$C/stories/anon/story.md" <<'MD'
---
title: An anonymous story
summary: Told with no name.
status: approved
contributor:
  name: ZZPRIVNAME2
  pseudonym: ZZPRIVPSEUDO2
  attribution: anonymous
  contact: zzprivcontact2@example.org
consent: {site: yes, podcast: yes, given: 2024-05-09, recorded_by: ZZPRIVRECORDER2, note: "ZZPRIVNOTE2"}
art: [{file: art.png, alt: "Coloured bars"}]
---
A story told by someone who chose no name.
MD
ok import_private -C "$L" import "$C"
ok review_note -C "$L" review pseudo --request-changes "ZZPRIVREVIEW1"
run -C "$L" review anon --start
run -C "$L" review anon --request-changes "ZZPRIVREVIEW2"
run -C "$L" review anon --approve
ok publish_anon -C "$L" publish anon --at 2024-05-11
# the pseudonymous story's re-review: approve, then publish
run -C "$L" review pseudo --approve
ok publish_pseudo -C "$L" publish pseudo --at 2024-05-12
ok consent_note_recorded -C "$L" consent anon --site yes --podcast yes --by ZZPRIVRECORDER3 --note ZZPRIVNOTE3
ok build_private -C "$L" build
P="$L/public"
check pseudonym_shown grep -rq Sparrow "$P"
check anonymous_shown grep -rqi "anonymous" "$P/stories/anon"
for m in ZZPRIVNAME1 zzprivcontact1 ZZPRIVRECORDER1 ZZPRIVNOTE1 ZZPRIVREVIEW1 zzprivfile \
	 ZZPRIVNAME2 ZZPRIVPSEUDO2 zzprivcontact2 ZZPRIVRECORDER2 ZZPRIVNOTE2 ZZPRIVREVIEW2 \
	 ZZPRIVRECORDER3 ZZPRIVNOTE3; do
	if grep -rqi "$m" "$P"; then
		fail "private_$m" "found in $(grep -rli "$m" "$P" | head -3 | tr '\n' ' ')"
	else
		pass "private_$m"
	fi
done
# media files are renditions: no tag of the original survives, no original is published
check no_original_published test -z "$(find "$P" -name '*.flac' -o -name '*.png')"
ok export_public -C "$L" export
check export_hides_private ! grep -Eq "ZZPRIV|zzpriv" "$OUT"
ok export_private -C "$L" export --private
check export_private_has_them grep -q ZZPRIVNAME1 "$OUT"
