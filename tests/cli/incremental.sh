# incremental.sh - a build makes only what changed, and what it publishes is
# always exactly what a clean build makes. A library of text stories, one
# with a recording, and collections goes through a random sequence of
# changes (edits, withdrawals, collection moves, publishing, a new date, a
# new title, another theme, a body written by another writer than the
# import, which stores no hash of it); after each change the site is built and
# compared, file by file, with a clean build into another folder. A build
# with nothing changed writes nothing, and builds killed at random moments
# (or in the middle of patching the site in place) are followed by a build
# that gives the clean output. Small changes are patched into the site in
# place; one build in four is made to stage and swap the whole site.
#
# The sequence is random but repeatable: INCR_SEED sets the seed (printed),
# INCR_STEPS the number of changes (30).
. "$(dirname "$0")/lib.sh"

SEED=${INCR_SEED:-$(( $(date +%s) % 32768 ))}
STEPS=${INCR_STEPS:-30}
KILLS=6
RANDOM=$SEED
echo "incremental: seed $SEED, $STEPS steps (INCR_SEED=$SEED reproduces them)"

C="$T/content/stories"
L="$T/lib"
mkdir -p "$C" "$T/content/collections"
for i in 1 2 3 4 5 6; do
	PUBLISHED="2024-05-1$i" bundle "$C" "s$i" "Story $i"
done
for i in 1 2; do
	STATUS=approved PUBLISHED="2024-06-0$i" bundle "$C" "a$i" "Waiting $i"
done
mkdir -p "$C/voice"
tone "$C/voice/voice.flac" 2 520
PUBLISHED=2024-05-20 bundle "$C" voice "A voice" "audio: voice.flac"

ok init init "$L" && site_address "$L"
ok import -C "$L" import "$T/content"
"$HEARTH" -C "$L" collection new first --title "First" >/dev/null 2>&1
"$HEARTH" -C "$L" collection new second --title "Second" --podcast >/dev/null 2>&1
for s in s1 s2 s3; do "$HEARTH" -C "$L" collection add first "$s" >/dev/null 2>&1; done
for s in voice s4; do "$HEARTH" -C "$L" collection add second "$s" >/dev/null 2>&1; done

# a copy of the theme with one template changed
THEMES=("$HEARTH_THEME_DIR" "$T/theme2")
cp -R "$HEARTH_THEME_DIR" "$T/theme2"
sed -i 's|<footer class="site-footer">|<footer class="site-footer" data-theme="two">|' \
	"$T/theme2/page.xsl"
check theme_copy_differs ! cmp -s "$HEARTH_THEME_DIR/page.xsl" "$T/theme2/page.xsl"
theme=0

# build: the library's site with the current theme
# (one in four staged and swapped whole, the others patched when the change is small)
build() {
	local limit=
	((RANDOM % 4)) || limit=0
	HEARTH_PATCH_LIMIT=$limit "$HEARTH" -C "$L" build --theme "${THEMES[$theme]}" \
		>"$OUT" 2>"$ERR"
}
# same_as_clean: the site equals a clean build of the library into another folder
same_as_clean() {
	rm -rf "$T/clean" "$T/.hearth-build.clean"
	"$HEARTH" -C "$L" build --theme "${THEMES[$theme]}" -o "$T/clean" >/dev/null 2>&1 &&
		diff -r "$T/clean" "$L/public" >"$T/diff" 2>&1
}
# identities: every file of the site with its inode and mtime
identities() { (cd "$L/public" && find . -printf '%p %i %T@\n' | sort); }

ok first_build -C "$L" build --theme "${THEMES[$theme]}"
check first_build_is_clean same_as_clean
# the first podcast build stores the podcast's GUID: the build after it
# still has nothing to do
before=$(identities)
ok build_after_the_first -C "$L" build --theme "${THEMES[$theme]}"
check build_after_the_first_writes_nothing test "$(identities)" = "$before"

live=(s1 s2 s3 s4 s5 s6 voice) waiting=(a1 a2) gone=()
bad_build=0 bad_diff=0 bad_gone=0 kills=0 edits=0
pick() { echo $((RANDOM % $1)); }

for ((step = 1; step <= STEPS; step++)); do
	what=$(pick 10)
	case $what in
	0 | 1) # an edit: the bundle changes and is imported again
		s=${live[$(pick ${#live[@]})]}
		[ -n "$s" ] && [ -d "$C/$s" ] && {
			printf '\nEdited at step %d.\n' "$step" >>"$C/$s/story.md"
			sed -i "s|^title: .*|title: Story $s, edit $step|" "$C/$s/story.md"
			"$HEARTH" -C "$L" import "$C/$s" >/dev/null 2>&1 || bad_build=1
			edits=$((edits + 1))
		} ;;
	2) # a withdrawal: gone from every page, the feed and the media
		if ((${#live[@]} > 2)); then
			k=$(pick ${#live[@]})
			s=${live[$k]}
			"$HEARTH" -C "$L" withdraw "$s" >/dev/null 2>&1 || bad_build=1
			gone+=("$s")
			live=("${live[@]:0:$k}" "${live[@]:$((k + 1))}")
		fi ;;
	3) # a collection changes
		s=${live[$(pick ${#live[@]})]}
		case $(pick 3) in
		0) "$HEARTH" -C "$L" collection add first "$s" >/dev/null 2>&1 ;;
		1) "$HEARTH" -C "$L" collection remove first "$s" >/dev/null 2>&1 ;;
		2) "$HEARTH" -C "$L" collection move second "$s" 1 >/dev/null 2>&1 ;;
		esac ;;
	4) # a waiting story is published, or a live one gets another date
		if ((${#waiting[@]})); then
			s=${waiting[0]}
			waiting=("${waiting[@]:1}")
			"$HEARTH" -C "$L" publish "$s" --at 2024-07-0$((1 + $(pick 9))) >/dev/null 2>&1 ||
				bad_build=1
			live+=("$s")
		else
			s=${live[$(pick ${#live[@]})]}
			"$HEARTH" -C "$L" publish "$s" --at "2024-04-$((10 + $(pick 18)))" >/dev/null 2>&1
		fi ;;
	5) # the site's title
		sed -i "s|^title: .*|title: \"Stories, step $step\"|" "$L/hearth.yaml" ;;
	6) # the other theme
		theme=$((1 - theme)) ;;
	7) # nothing changed: the build writes nothing
		before=$(identities)
		build || bad_build=1
		[ "$(identities)" = "$before" ] || {
			echo "step $step: a build with nothing changed rewrote files" >&2
			bad_build=1
		} ;;
	8) # a build killed at a random moment
		if ((kills < KILLS)); then
			kills=$((kills + 1))
			if ((kills % 2)); then
				"$HEARTH" -C "$L" build --theme "${THEMES[$theme]}" >/dev/null 2>&1 &
				pid=$!
				ms=$(pick 800)
				sleep "0.$(printf '%03d' "$ms")"
				kill -9 "$pid" 2>/dev/null
				wait "$pid" 2>/dev/null
			else # an edit, and a kill in the middle of its patch
				s=${live[$(pick ${#live[@]})]}
				sed -i "s|^title: .*|title: Story $s, killed at $step|" "$C/$s/story.md"
				"$HEARTH" -C "$L" import "$C/$s" >/dev/null 2>&1 || bad_build=1
				HEARTH_TEST_PATCH_KILL=$((1 + $(pick 4))) "$HEARTH" -C "$L" build \
					--theme "${THEMES[$theme]}" >/dev/null 2>&1 &
				wait $! 2>/dev/null
			fi
		fi ;;
	9) # a body written as an editor writes it, not by an import: no stored hash
		s=${live[$(pick ${#live[@]})]}
		sqlite3 "$L/hearth.db" "UPDATE stories SET body = body || 'Written at step $step.'
			WHERE slug = '$s'; UPDATE settings SET value = value + 1
			WHERE key = 'generation'" || bad_build=1 ;;
	esac
	build || {
		bad_build=1
		echo "step $step: the build failed: $(head -c 300 "$ERR")" >&2
	}
	same_as_clean || {
		bad_diff=1
		echo "step $step (change $what): the site differs from a clean build:" >&2
		head -c 1500 "$T/diff" >&2
	}
	for s in "${gone[@]}"; do
		if [ -e "$L/public/stories/$s" ] || [ -e "$L/public/media/$s" ] ||
			grep -rqs "/$s/" "$L/public/feed.xml" "$L/public/index.html" \
				"$L/public/stories/index.html" "$L/public/collections"; then
			bad_gone=1
			echo "step $step: withdrawn story $s is still in the site" >&2
		fi
	done
done

check every_build_worked [ "$bad_build" -eq 0 ]
check every_build_equals_a_clean_build [ "$bad_diff" -eq 0 ]
check no_withdrawn_story_survives_a_build [ "$bad_gone" -eq 0 ]

# ---- what a build with nothing changed does ---------------------------------

ok settle -C "$L" build --theme "${THEMES[$theme]}"
before=$(identities)
ok noop_build -C "$L" build --theme "${THEMES[$theme]}"
check noop_writes_nothing [ "$(identities)" = "$before" ]
check noop_still_reports grep -q "^built " "$OUT"

# ---- one edit: its page and the lists that show it, the rest linked ---------

s=${live[0]}
index_before=$(stat -c %i "$L/public/404.html")
printf '\nOne more line.\n' >>"$C/$s/story.md"
ok edit_import -C "$L" import "$C/$s"
ok edit_build -C "$L" build --theme "${THEMES[$theme]}"
check edited_page_is_new grep -q "One more line" "$L/public/stories/$s/index.html"
check unchanged_page_is_the_same_file [ "$(stat -c %i "$L/public/404.html")" = "$index_before" ]
check edit_equals_clean same_as_clean

# ---- files of the site changed by hand: taken as made, until --verify -------

# a build takes the files it made as they are: one edited by hand stays so
echo "changed by hand" >>"$L/public/404.html"
ok build_after_hand_edit -C "$L" build --theme "${THEMES[$theme]}"
check hand_edit_taken_as_made grep -q "changed by hand" "$L/public/404.html"
# a build that verifies makes again a file edited or removed by hand, and
# removes one put there by hand, deep in the site (one at the top stops a
# build: locks.sh)
rm -f "$L/public/stories/$s/index.html"
mkdir -p "$L/public/stories/by-hand"
echo "put there by hand" >"$L/public/stories/by-hand/index.html"
echo "put there by hand" >"$L/public/stories/notes.txt"
ok verify_build -C "$L" build --verify --theme "${THEMES[$theme]}"
check verify_undoes_every_hand_change same_as_clean
check verify_says_no_second_round ! grep -q "built again" "$OUT"
before=$(identities)
ok build_after_verify -C "$L" build --theme "${THEMES[$theme]}"
check build_after_verify_writes_nothing [ "$(identities)" = "$before" ]
# a file removed by hand that a build staging the whole site would keep:
# it cannot be linked, so the build looks at every file and makes it
rm -f "$L/public/404.html"
printf '\nAnd one more.\n' >>"$C/$s/story.md"
ok relook_import -C "$L" import "$C/$s"
HEARTH_PATCH_LIMIT=0 "$HEARTH" -C "$L" build --theme "${THEMES[$theme]}" >"$OUT" 2>"$ERR"
check relook_build_works [ $? -eq 0 ]
check relook_makes_the_removed_file test -s "$L/public/404.html"
check relook_equals_clean same_as_clean
check relook_says_no_second_round ! grep -q "built again" "$OUT"

# ---- a state that does not describe the site is not trusted -----------------

cp "$L/.hearth-build.public" "$T/state.saved"
rm -rf "$L/public"
ok build_without_site -C "$L" build --theme "${THEMES[$theme]}"
check rebuilt_whole same_as_clean
cp "$T/state.saved" "$L/.hearth-build.public"
ok build_with_foreign_state -C "$L" build --theme "${THEMES[$theme]}"
check foreign_state_ignored same_as_clean
