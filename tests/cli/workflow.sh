# workflow.sh - a peer submits, an editor reviews and publishes, the peer
# withdraws: every move is audited, illegal moves name the current state.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
"$HEARTH" init "$L" >/dev/null
printf 'I found people who understood.\n\nThat changed everything.\n' >"$T/story.md"
tone "$T/voice.wav" 2
picture "$T/drawing.png"

ok submit_story -C "$L" submit "$T/story.md" "$T/voice.wav" "$T/drawing.png" \
	--title "Finding people" --summary "On belonging." --name "Robin Real" \
	--pseudonym Wren --contact robin@example.org --consent site,podcast \
	--warning "hospital stay" --alt "A test pattern of coloured bars"
check submit_names_slug grep -q "finding-people" "$OUT"
ok submit_same_title_again -C "$L" submit "$T/story.md" --title "Finding people" --consent none
check second_slug_is_unique grep -q "finding-people-2" "$OUT"
refuses submit_picture_needs_alt 2 "alt" -C "$L" submit "$T/drawing.png" --title "No alt"
refuses submit_needs_title 2 "title" -C "$L" submit "$T/story.md"
refuses submit_bad_attribution 2 "attribution" -C "$L" submit "$T/story.md" --title X --attribution famous

ok list_shows_submitted -C "$L" list --status submitted
check list_has_both test "$(wc -l <"$OUT")" -eq 2
ok list_json -C "$L" list --json
check list_json_parses python3 -c "import json,sys; d=json.load(open('$OUT')); assert len(d)==2 and d[0]['status']=='submitted'"

refuses publish_before_review 1 "is submitted" -C "$L" publish finding-people
ok review_start -C "$L" review finding-people --start
ok review_request_changes -C "$L" review finding-people --request-changes "PRIVATE-NOTE please add a summary"
refuses changes_then_publish 1 "changes_requested" -C "$L" publish finding-people
ok review_approve -C "$L" review finding-people --approve
ok publish_approved -C "$L" publish finding-people --at 2024-06-01
ok show_story -C "$L" show finding-people
check show_has_history grep -q "publish" "$OUT"
check show_has_files grep -q "audio/x-wav\|audio/wav" "$OUT"
ok show_json -C "$L" show finding-people --json
check show_json_has_history python3 -c "
import json; d=json.load(open('$OUT'))
acts=[h['action'] for h in d['history']]
assert d['status']=='published', d['status']
assert len(acts)>=5, acts
assert d['consent']['site'] and d['consent']['podcast']
"
refuses reject_published 1 "is published" -C "$L" review finding-people --reject "too late"
refuses review_needs_one_action 2 "choose one" -C "$L" review finding-people

# a story without consent cannot be published
ok review_second -C "$L" review finding-people-2 --approve
refuses publish_without_consent 1 "consent" -C "$L" publish finding-people-2
ok record_consent -C "$L" consent finding-people-2 --site yes --by "Editor Jo"
ok publish_after_consent -C "$L" publish finding-people-2

ok withdraw_story -C "$L" withdraw finding-people --reason "PRIVATE-REASON changed mind"
ok show_withdrawn -C "$L" show finding-people --json
check withdrawn_has_no_consent python3 -c "
import json; d=json.load(open('$OUT'))
assert d['status']=='withdrawn' and not d['consent']['site'] and not d['consent']['podcast']
assert d['consent']['withdrawn_at']
"
refuses withdraw_twice 1 "withdrawn" -C "$L" withdraw finding-people
refuses republish_withdrawn 1 "withdrawn" -C "$L" publish finding-people

# collections
ok collection_new -C "$L" collection new belonging --title "Belonging" --podcast
ok collection_add -C "$L" collection add belonging finding-people-2
ok collection_add_second -C "$L" collection add belonging finding-people --at 1
ok collection_show -C "$L" collection show belonging
check collection_order test "$(sed -n 's/^  1\. //p' "$OUT")" = finding-people
ok collection_move -C "$L" collection move belonging finding-people 2
ok collection_show_again -C "$L" collection show belonging
check collection_moved test "$(sed -n 's/^  2\. //p' "$OUT")" = finding-people
refuses collection_move_out_of_range 1 "position 9 is out of range.*1 to 2" \
	-C "$L" collection move belonging finding-people 9
ok collection_remove -C "$L" collection remove belonging finding-people
refuses collection_unknown_story 1 "nosuch" -C "$L" collection add belonging nosuch
refuses collection_bad_verb 2 "unknown action" -C "$L" collection frobnicate
ok collection_list -C "$L" collection list
check collection_listed grep -q belonging "$OUT"
