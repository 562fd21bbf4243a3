# locks.sh - one build at a time, builds that see the catalogue change under
# them, commands that wait for a writer instead of failing, a read-only
# library, and the files a deploy keeps in the output folder.
#
# Nothing here needs a race to be won: where a check needs a build to be
# under way, the test waits (bounded) until it is, and when the build ended
# first the invariants are still checked.
. "$(dirname "$0")/lib.sh"

C="$T/content/stories"
L="$T/lib"
mkdir -p "$C"
# a recording long enough that a build takes a few seconds
mkdir -p "$C/long"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi \
	-i "anoisesrc=d=25:c=pink:a=0.2" -ac 1 -ar 44100 "$C/long/voice.flac"
bundle "$C" long "A long recording" "audio: voice.flac"
bundle "$C" quiet "Quiet story"
bundle "$C" doomed "Doomed story"
printf 'doomed-marker-7f3a\n' >>"$C/doomed/story.md"
ok "init" init "$L" && site_address "$L"
ok "import" -C "$L" import "$T/content"

gen() { sqlite3 "$L/hearth.db" "SELECT value FROM settings WHERE key = 'generation'"; }

# wait_for SECONDS COMMAND...: polls until COMMAND succeeds; false on timeout
wait_for() {
	local limit=$(($1 * 10))
	shift
	for ((i = 0; i < limit; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
lock_held() { ! flock -n "$L/.build.lock" true; }
staging_exists() { compgen -G "$L/.public.new-*" >/dev/null; }

# ---- the generation ---------------------------------------------------------

g0=$(gen)
ok "list reads" -C "$L" list
check "a read leaves the generation" [ "$(gen)" = "$g0" ]
ok "an unchanged import" -C "$L" import "$T/content"
check "an unchanged import leaves the generation" [ "$(gen)" = "$g0" ]
ok "consent" -C "$L" consent quiet --site yes --podcast no --by Jo
check "a change raises the generation" [ "$(gen)" -gt "$g0" ]

ok "first build" -C "$L" build
check "the doomed story is on the site" grep -rq doomed-marker-7f3a "$L/public"

# ---- a withdrawal while a build runs, and a second build meanwhile ---------

# a new rendition makes the build slow again: drop the cache
rm -rf "$L/cache"
"$HEARTH" -C "$L" build >"$T/b1.out" 2>"$T/b1.err" &
b1=$!
wait_for 60 staging_exists
ok "withdraw during a build" -C "$L" withdraw doomed
run -C "$L" build --no-wait
if kill -0 "$b1" 2>/dev/null || [ "$RC" -ne 0 ]; then
	check "--no-wait fails while another build runs" [ "$RC" -eq 1 ]
	check "--no-wait names the holder" \
		grep -Eq "^hearth: build: another build is running: started by [^ ]+ \(pid $b1\)" "$ERR"
else
	pass "--no-wait fails while another build runs (the first build ended first)"
	pass "--no-wait names the holder (the first build ended first)"
fi
"$HEARTH" -C "$L" build >"$T/b2.out" 2>"$T/b2.err" &
b2=$!
wait "$b1"
r1=$?
wait "$b2"
r2=$?
check "the build around the withdrawal succeeds" [ "$r1" -eq 0 ]
check "the second build succeeds" [ "$r2" -eq 0 ]
check "the withdrawn story is not published" ! grep -rq doomed-marker-7f3a "$L/public"
check "its page is gone" [ ! -e "$L/public/stories/doomed" ]
if grep -q "built again" "$T/b1.out"; then
	pass "the build saw the change and built again"
else
	pass "the build saw the change and built again (it swapped before the withdrawal; the second build removed the story)"
fi
check "the lock is free after the builds" flock -n "$L/.build.lock" true

# ---- a build that waits for another -----------------------------------------

: >"$T/w.err"
# another build holds the lock (as the lock file says) until the second one
# has said that it waits
{
	flock 9
	echo "4242 jo 1717320120" >&9
	wait_for 30 grep -q "waiting for the build" "$T/w.err"
} 9<>"$L/.build.lock" &
holder=$!
wait_for 20 lock_held
run -C "$L" build --no-wait
check "--no-wait fails at once" [ "$RC" -eq 1 ]
check "and names the holder" \
	grep -Eq "^hearth: build: another build is running: started by jo \(pid 4242\) at " "$ERR"
"$HEARTH" -C "$L" build >"$T/w.out" 2>"$T/w.err"
check "the waiting build succeeds" [ $? -eq 0 ]
check "it says for whom it waited" \
	grep -Eq "^hearth: build: waiting for the build started by jo \(pid 4242\) at [0-9-]+ [0-9:]+\.\.\.$" "$T/w.err"
wait "$holder"

# ---- commands wait for a writer ---------------------------------------------

# another process holds the write lock until the withdrawal has said it waits
hold() {
	{
		echo "BEGIN IMMEDIATE;"
		echo "INSERT OR REPLACE INTO settings (key, value) VALUES ('held', '1');"
		echo ".print locked"
		wait_for 30 grep -q locked "$T/hold.out"
		wait_for 30 grep -q waiting "$T/wd.err"
		echo "COMMIT;"
	} | sqlite3 "$L/hearth.db" >"$T/hold.out" 2>&1
}
: >"$T/wd.err"
hold &
h=$!
wait_for 20 grep -q locked "$T/hold.out"
ok "list while another writes" -C "$L" list
check "list does not wait for a writer" ! grep -q waiting "$ERR"
"$HEARTH" -C "$L" withdraw quiet >"$T/wd.out" 2>"$T/wd.err"
check "withdraw while another writes succeeds" [ $? -eq 0 ]
check "withdraw says it waits" \
	grep -Eq "^hearth: withdraw: waiting for another hearth to finish writing" "$T/wd.err"
wait "$h"
ok "the withdrawal is recorded" -C "$L" show quiet
check "show gives the new status" grep -q withdrawn "$OUT"

# ---- a read-only library ----------------------------------------------------

"$HEARTH" -C "$L" list >"$T/list.rw"
"$HEARTH" -C "$L" show long >"$T/show.rw"
"$HEARTH" -C "$L" export --private >"$T/export.rw"
RO=$(mktemp -d /tmp/hearth-ro.XXXXXX)
chmod 755 "$RO"
cp -R "$L" "$RO/lib"
as_reader() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
	chown -R nobody "$RO/lib"
	as_reader() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
fi
chmod -R a-w "$RO/lib"
touch "$T/ro.stamp"
check "the copy cannot be written" ! as_reader touch "$RO/lib/x"
as_reader "$HEARTH" -C "$RO/lib" list >"$T/list.ro" 2>"$T/ro.err"
check "list works on a read-only library" cmp "$T/list.rw" "$T/list.ro"
as_reader "$HEARTH" -C "$RO/lib" show long >"$T/show.ro" 2>>"$T/ro.err"
check "show works on a read-only library" cmp "$T/show.rw" "$T/show.ro"
as_reader "$HEARTH" -C "$RO/lib" export --private >"$T/export.ro" 2>>"$T/ro.err"
check "export works on a read-only library" cmp "$T/export.rw" "$T/export.ro"
check "nothing was written into it" [ -z "$(find "$RO/lib" -newer "$T/ro.stamp" -print -quit)" ]
as_reader "$HEARTH" -C "$RO/lib" withdraw long >/dev/null 2>"$T/ro-w.err"
check "a write on a read-only library fails" [ $? -eq 1 ]
check "and says why" grep -q "hearth: withdraw: " "$T/ro-w.err"
# the folder writable, only hearth.db read-only: -shm and -wal can be made
chmod -R u+w "$RO/lib"
chmod a-w "$RO/lib/hearth.db"
as_reader "$HEARTH" -C "$RO/lib" list >"$T/list.ro2" 2>"$T/ro.err"
check "list works on a read-only hearth.db" cmp "$T/list.rw" "$T/list.ro2"
chmod -R u+w "$RO"
rm -rf "$RO"

# ---- what a deploy keeps ----------------------------------------------------

P="$L/public"
mkdir -p "$P/.git/refs" "$P/.well-known"
echo "ref: refs/heads/main" >"$P/.git/HEAD"
echo "stories.example.org" >"$P/CNAME"
echo "contact" >"$P/.well-known/security.txt"
ok "a build beside deploy files" -C "$L" build
check ".git is kept" grep -q "refs/heads/main" "$P/.git/HEAD"
check "CNAME is kept" grep -q "stories.example.org" "$P/CNAME"
check ".well-known is kept" [ -f "$P/.well-known/security.txt" ]
echo "mine" >"$P/notes.txt"
refuses "a file hearth did not write stops the build" 1 "holds a file hearth did not write: 'notes.txt'" \
	-C "$L" build
check "the site is left as it was" test -f "$P/notes.txt" -a -f "$P/index.html"
rm "$P/notes.txt"
ok "the build goes on once it is moved" -C "$L" build

# ---- what killed builds leave -----------------------------------------------

# a kill right after the swap: the old site, deploy files and all, beside it
old="$L/.public.new-Ab12Cd"
cp -R "$P" "$old"
printf 'doomed-marker-7f3a\n' >"$old/index.html"
mv "$P/CNAME" "$old/CNAME"
mkdir -p "$L/.public.old-Zz99Yy" "$L/cache/ab"
echo x >"$L/.public.old-Zz99Yy/index.html"
echo x >"$L/cache/ab/abcdef-mp3.mp3.tmp-Q1w2E3"
echo x >"$L/hearth.yaml.tmp-a1B2c3"
ok "a build after a kill" -C "$L" build
check "no staging folder is left" no_leftovers "$L"
check "no temporary file is left" [ -z "$(find "$L" -name '*.tmp-*')" ]
check "a deploy file caught in a leftover comes back" grep -q "stories.example.org" "$P/CNAME"
check "the old site is nowhere" ! grep -rq doomed-marker-7f3a "$L" --exclude='hearth.db*'

# ---- an old site removed apart ------------------------------------------------

# A build does not wait for its old site to go: the site becomes
# ".public.gone-*" and a process of its own removes it, holding a lock on
# it meanwhile. One a remover did not finish (killed) is removed by the
# next build; one a remover holds is left to it.
left="$L/.public.gone-Qq11Ww" held="$L/.public.gone-Hh22Jj"
mkdir -p "$left/stories/x" "$held/stories/y"
echo x >"$left/stories/x/index.html"
echo y >"$held/stories/y/index.html"
flock -o "$held" sleep 60 & # -o: the lock is flock's own, not sleep's
holder=$!
wait_for 10 bash -c "! flock -n '$held' true"
# a change, so that the build is a full one and tidies
sed -i 's|^title: .*|title: "A title of its own"|' "$L/hearth.yaml"
ok "a build beside folders being removed" -C "$L" build
check "a folder a remover left is removed" wait_for 60 test ! -e "$left"
check "a folder a remover holds is left to it" test -f "$held/stories/y/index.html"
pkill -P "$holder" sleep
wait "$holder" 2>/dev/null
ok "a build once the remover is gone" -C "$L" build
check "then it is removed" wait_for 60 test ! -e "$held"

# a build that replaces the whole site hands the old one to a remover
sed -i 's|^title: .*|title: "A new title for every page"|' "$L/hearth.yaml"
ok "a build of every page" -C "$L" build
check "every page has the new title" grep -q "A new title for every page" "$P/index.html"
check "nothing is left of the old site" no_leftovers "$L"
check "no remover is left" wait_for 60 bash -c "! pgrep -f -- '[-]rf -- $L/' >/dev/null"

