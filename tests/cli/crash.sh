# crash.sh - kill -9 at random moments: `hearth import` and `hearth build`
# are killed (a fixed seed, a bounded number of rounds) and after each kill
# the catalogue must pass SQLite's integrity check and be the old or the
# new one. After the last round one build must leave no staging folder and
# no temporary file, publish no withdrawn story, and give exactly what a
# clean build gives.
. "$(dirname "$0")/lib.sh"

export SOURCE_DATE_EPOCH=1717200000
RANDOM=20240602
ROUNDS=10
C="$T/content/stories"
L="$T/lib"
mkdir -p "$C/long"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi \
	-i "anoisesrc=d=20:c=pink:a=0.2" -ac 1 -ar 44100 "$C/long/voice.flac"
bundle "$C" long "A long recording" "audio: voice.flac"
victims=()
for i in 1 2 3 4 5 6; do
	bundle "$C" "story-$i" "Story $i"
	printf 'crash-marker-%s\n' "$i" >>"$C/story-$i/story.md"
	victims+=("story-$i")
done
ok "init" init "$L" && site_address "$L"
ok "import" -C "$L" import "$T/content"
ok "first build" -C "$L" build

db() { sqlite3 "$L/hearth.db" "$1"; }
# a random pause of 0 to 1.5 seconds
pause() {
	local ms=$((RANDOM % 1500))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
}
# killed CMD...: starts hearth, kills it with SIGKILL after a random pause
killed() {
	"$HEARTH" "$@" >/dev/null 2>&1 &
	local pid=$!
	pause
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

bad_integrity=0 bad_state=0 withdrawn=()
for ((r = 1; r <= ROUNDS; r++)); do
	before=$(db "SELECT count(*) FROM stories")
	if ((r % 2)); then
		# an import of one new story with a recording
		M="$T/more-$r/stories"
		mkdir -p "$M/extra-$r"
		tone "$M/extra-$r/voice.flac" 3 $((300 + r * 20))
		bundle "$M" "extra-$r" "Extra $r" "audio: voice.flac"
		killed -C "$L" import "$T/more-$r"
		after=$(db "SELECT count(*) FROM stories")
		[ "$after" = "$before" ] || [ "$after" = "$((before + 1))" ] || {
			bad_state=1
			echo "round $r: $before stories before an import, $after after" >&2
		}
	else
		# a withdrawal, then a build that must render again and is killed
		v=${victims[0]}
		victims=("${victims[@]:1}")
		withdrawn+=("$v")
		"$HEARTH" -C "$L" withdraw "$v" >/dev/null 2>&1 || {
			bad_state=1
			echo "round $r: the withdrawal of $v failed" >&2
		}
		rm -rf "$L/cache"
		killed -C "$L" build
		after=$(db "SELECT count(*) FROM stories")
		[ "$after" = "$before" ] || bad_state=1
		[ "$(db "SELECT status FROM stories WHERE slug = '$v'")" = withdrawn ] || bad_state=1
	fi
	[ "$(db "PRAGMA integrity_check")" = ok ] || {
		bad_integrity=1
		echo "round $r: the integrity check failed" >&2
	}
done
check "the catalogue passes the integrity check after every kill" [ "$bad_integrity" -eq 0 ]
check "the catalogue is the old or the new one after every kill" [ "$bad_state" -eq 0 ]

# for the record: what the kills left
echo "left by the kills: $(find "$L" -maxdepth 1 -name '.public.*' | wc -l) staging folders," \
	"$(find "$L/cache" -name '*.tmp-*' 2>/dev/null | wc -l) temporary files in cache/" >&2
ok "a build after the kills" -C "$L" build
check "no staging folder is left" no_leftovers "$L"
check "no temporary file is left in cache/" [ -z "$(find "$L/cache" -name '*.tmp-*')" ]
check "no temporary file is left beside the catalogue" \
	[ -z "$(find "$L" -maxdepth 1 -name '*.tmp-*')" ]
leaked=""
for v in "${withdrawn[@]}"; do
	n=${v#story-}
	grep -rq "crash-marker-$n" "$L/public" && leaked="$leaked $v"
	[ -e "$L/public/stories/$v" ] && leaked="$leaked $v"
done
check "no withdrawn story is published" [ -z "$leaked" ]
ok "a clean build elsewhere" -C "$L" build -o "$T/clean"
check "the output equals a clean build's" [ "$(tree_hash "$L/public")" = "$(tree_hash "$T/clean")" ]
ok "the catalogue still reads" -C "$L" list
