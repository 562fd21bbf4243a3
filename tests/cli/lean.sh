# lean.sh - hearth is two programs: the text commands start without the
# media libraries (FFmpeg, libebur128, libxslt, libmicrohttpd, libmagic),
# and a command that needs them runs hearth-media, found beside hearth.
# Checked with ldd and with the dynamic loader's own report (LD_DEBUG=libs)
# of every library each run loads.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content/stories"
HEAVY='lib(av[a-z]*|swresample|swscale|ebur128|xslt|exslt|microhttpd|magic)\.so'

# loads NAME ARGS...: runs hearth with LD_DEBUG=libs; the libraries it
# loaded are left in $T/loaded, its status in RC
loads() {
	shift
	LD_DEBUG=libs LD_DEBUG_OUTPUT="$T/ld" "$HEARTH" "$@" >"$OUT" 2>"$ERR"
	RC=$?
	cat "$T"/ld.* 2>/dev/null | grep -o 'calling init: [^ ]*' | sed 's/.*: //' |
		sort -u >"$T/loaded"
	rm -f "$T"/ld.*
}

# lean NAME ARGS...: hearth ARGS succeeds and loads none of the media libraries
lean() {
	local name=$1
	loads "$@"
	if [ "$RC" -ne 0 ]; then
		fail "$name" "exit $RC: $(head -c 600 "$ERR")"
	elif [ ! -s "$T/loaded" ]; then
		fail "$name" "the loader reported nothing (LD_DEBUG unsupported?)"
	elif grep -Eq "$HEAVY" "$T/loaded"; then
		fail "$name" "loaded $(grep -E "$HEAVY" "$T/loaded" | tr '\n' ' ')"
	else
		pass "$name"
	fi
}

# the programs themselves
MEDIA="$(dirname "$HEARTH")/hearth-media"
check media_program_beside test -x "$MEDIA"
check lean_links_no_ffmpeg ! sh -c "ldd '$HEARTH' | grep -Eq '$HEAVY'"
check media_links_ffmpeg sh -c "ldd '$MEDIA' | grep -q libavcodec"

# a library with a picture, so a build makes renditions a withdrawal drops
lean init init "$L"
site_address "$L"
mkdir -p "$C/one" "$C/two"
picture "$C/one/art.png"
bundle "$C" one "Marker ONESTORY" "art: [{file: art.png, alt: A test pattern}]"
bundle "$C" two "Marker TWOSTORY"

# media commands run through the lean program: they go to hearth-media
loads import -C "$L" import "$T/content"
check import_through_lean test "$RC" -eq 0
check import_ran_media_program grep -q libavcodec "$T/loaded"
check import_imported grep -q "imported 2 stories" "$OUT"
loads build -C "$L" build
check build_through_lean test "$RC" -eq 0
check build_wrote_page test -s "$L/public/stories/one/index.html"
check build_made_renditions sh -c "find '$L/cache' -type f -name '*-*' | grep -q ."
# a build with nothing to do is decided without hearth-media
lean build_nothing_to_do -C "$L" build
check build_nothing_to_do_says_built grep -q "^built 2 stories" "$OUT"
for cmd in import submit build serve gc erase; do
	loads help_$cmd "$cmd" --help
	if [ "$RC" -eq 0 ] && grep -q "^usage: hearth $cmd" "$OUT"; then
		pass "help_through_lean_$cmd"
	else
		fail "help_through_lean_$cmd" "exit $RC: $(head -c 300 "$OUT$ERR")"
	fi
done

# the text commands, each a real run
lean help_plain --help
check help_lists_build grep -q "build" "$OUT"
lean help_cmd help
lean help_one help list
lean list -C "$L" list
check list_shows_both grep -q "Marker TWOSTORY" "$OUT"
lean list_json -C "$L" list --json
lean show -C "$L" show one
lean show_json -C "$L" show one --json
lean export -C "$L" export
lean backup -C "$L" backup "$T/copy.db"
lean collection_new -C "$L" collection new picks --title Picks
lean collection_add -C "$L" collection add picks two
lean collection_list -C "$L" collection list
lean consent -C "$L" consent two --site yes --podcast no --by Jo
lean invite -C "$L" invite --note "for a peer"
lean invite_list -C "$L" invite --list
printf 'a long enough password\n' >"$T/pw"
LD_DEBUG=libs LD_DEBUG_OUTPUT="$T/ld" "$HEARTH" -C "$L" editor add robin <"$T/pw" >"$OUT" 2>"$ERR"
RC=$?
check editor_add test "$RC" -eq 0
check editor_add_lean ! sh -c "cat '$T'/ld.* | grep -Eq 'calling init: .*$HEAVY'"
rm -f "$T"/ld.*
lean editor_list -C "$L" editor list
bundle "$C" three "Marker THREESTORY"
STATUS=submitted bundle "$C" three "Marker THREESTORY"
"$HEARTH" -C "$L" import "$C/three" >/dev/null 2>&1
lean review -C "$L" review three --approve
lean publish -C "$L" publish three
# withdraw drops the story's renditions from cache/ at once, still lean
lean withdraw -C "$L" withdraw one --reason "asked"
# (the show's cover, which is no story's, stays)
cover_sha=$(sha256sum "$L/cover.jpg" | cut -c1-64)
check withdraw_purged_cache ! sh -c "find '$L/cache' -type f -name '*-*' ! -name '$cover_sha-*' | grep -q ."
check withdraw_counts grep -Eq "\([1-9][0-9]* cached renditions? deleted\)" "$OUT"

# without hearth-media beside it (nor installed), a media command says so
mkdir -p "$T/alone"
cp "$HEARTH" "$T/alone/hearth"
if [ -x /usr/local/libexec/hearth/hearth-media ]; then
	pass "missing_media_program_is_clear (an installed copy answers)"
else
	"$T/alone/hearth" -C "$L" build >"$OUT" 2>"$ERR"
	RC=$?
	check missing_media_exit test "$RC" -eq 1
	check missing_media_is_clear grep -q "^hearth: build: this command needs the program hearth-media" "$ERR"
	"$T/alone/hearth" -C "$L" list >"$OUT" 2>"$ERR"
	check alone_lists test $? -eq 0
fi
