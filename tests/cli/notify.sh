# notify.sh - `hearth notify` tells WebSub hubs and the Podcast Index that
# feeds changed, against a local HTTP server on 127.0.0.1 that records
# every request (tests/cli/notify_server.py); no request leaves the
# machine. One publish per feed per hub and one pubnotify per podcast
# feed; nothing when nothing changed; only the changed feeds after an
# edit; --all and --dry-run; a failing hub is named, makes the command
# fail and is tried again next time; plain http only to loopback, no
# redirect to http; a place that does not answer is given up; the
# notify step of a build; libcurl only in hearth-media.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content"
S="$C/stories"
LOG="$T/requests.log"
BASE="https://stories.example.net"
MEDIA="$(dirname "$HEARTH")/hearth-media"

ok help_lists_notify help
check help_names_notify grep -q "^  notify  *tell podcast apps" "$OUT"
ok notify_help notify --help
check notify_help_usage grep -q "^usage: hearth notify" "$OUT"
check lean_hearth_no_libcurl ! sh -c "ldd '$HEARTH' | grep -q libcurl"
check media_links_libcurl sh -c "ldd '$MEDIA' | grep -q libcurl"

# the stand-in for the hubs and the index, on a free port, for 240 s at most
python3 "$HEARTH_ROOT/tests/cli/notify_server.py" "$LOG" "$T/port" 240 \
	>"$T/server.out" 2>&1 &
NPID=$!
trap 'kill "$NPID" 2>/dev/null; wait "$NPID" 2>/dev/null; [ -n "${KEEP:-}" ] || cleanup' EXIT
for _ in $(seq 100); do
	[ -s "$T/port" ] && break
	sleep 0.1
done
NPORT=$(cat "$T/port" 2>/dev/null)
check server_listening test -n "$NPORT"
H="http://127.0.0.1:$NPORT"
: >"$LOG"

# settings: the two hubs and the index on the local server
"$HEARTH" init "$L" >/dev/null && site_address "$L" "$BASE"
# notify_settings HUBS AFTER_BUILD: in the library's settings and in those
# an import of the content folder brings
notify_settings() {
	for y in "$L/hearth.yaml" "$C/hearth.yaml"; do
		sed -i '/^notify:/,$d' "$y"
		cat >>"$y" <<YAML
notify:
  hubs: [$1]
  podcastindex: yes
  podcastindex_url: "$H/pubnotify"
  after_build: $2
YAML
	done
}
mkdir -p "$S" "$C/collections"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "testsrc=size=1400x1400" \
	-frames:v 1 "$C/cover.jpg"
cat >"$C/hearth.yaml" <<YAML
title: Notify test
base_url: "$BASE"
language: en
author: The editors
podcast:
  category: Health & Fitness
  image: cover.jpg
  owner: {name: The editors, email: editors@stories.example.net}
YAML
for s in one two three; do
	mkdir -p "$S/$s"
	tone "$S/$s/voice.wav" 1
	bundle "$S" "$s" "Story $s" "audio: voice.wav"
done
printf 'title: A show\nstories: [one, two]\npodcast: yes\n' >"$C/collections/show.yaml"
ok import -C "$L" import "$C"
notify_settings "\"$H/hub\", \"$H/hub2\"" no
ok build -C "$L" build
P="$L/public"

# the feeds the site has, and the podcasts among them
feeds() { (cd "$P" && ls feed.xml atom.xml collections/*/feed.xml 2>/dev/null); }
podcasts() { (cd "$P" && ls feed.xml collections/*/feed.xml 2>/dev/null); }
check site_has_every_feed test -s "$P/feed.xml" -a -s "$P/atom.xml" -a -s "$P/collections/show/feed.xml"

# sent NAME EXPECTED...: the requests since the last call are exactly
# EXPECTED, each "PATH@REL" (REL the feed's path in the site), in any order,
# each well formed: a form POST hub.mode=publish&hub.url=<feed>, or a GET
# with url=<feed>
SEEN=0
sent() {
	local name=$1
	shift
	tail -n +"$((SEEN + 1))" "$LOG" >"$T/new"
	SEEN=$(wc -l <"$LOG")
	if python3 - "$T/new" "$BASE" "$@" >"$T/why" 2>&1 <<'PY'; then pass "$name"; else
import json, sys, urllib.parse
new, base, want = sys.argv[1], sys.argv[2], sorted(sys.argv[3:])
got = []
for line in open(new):
    r = json.loads(line)
    if r["method"] == "POST":
        form = urllib.parse.parse_qs(r["body"], strict_parsing=True)
        assert r["type"] == "application/x-www-form-urlencoded", r
        assert form.get("hub.mode") == ["publish"], r
        (url,) = form["hub.url"]
    else:
        assert r["method"] == "GET", r
        (url,) = urllib.parse.parse_qs(r["query"], strict_parsing=True)["url"]
    assert url.startswith(base + "/"), r
    got.append(r["path"] + "@" + url[len(base) + 1:])
got.sort()
if got != want:
    sys.exit("sent %s, expected %s" % (got, want))
PY
		fail "$name" "$(head -c 900 "$T/why")"; fi
}
# every PATH REL for the feeds named: each feed to both hubs, podcasts to the index too
expect() {
	for f in "$@"; do
		echo "/hub@$f"
		echo "/hub2@$f"
		case "$f" in atom.xml) ;; *) echo "/pubnotify@$f" ;; esac
	done
}

# a dry run says what it would send, and sends nothing
ok dry_run -C "$L" notify --dry-run
check dry_run_lists_requests test "$(grep -c '^would ' "$OUT")" -eq "$(expect $(feeds) | wc -l)"
check dry_run_names_form grep -q "^would POST $H/hub hub.mode=publish&hub.url=https%3A%2F%2Fstories.example.net%2Ffeed.xml$" "$OUT"
check dry_run_names_index grep -q "^would GET $H/pubnotify?url=https%3A%2F%2Fstories.example.net%2Ffeed.xml$" "$OUT"
sent dry_run_sends_nothing
check dry_run_records_nothing test ! -e "$L/.hearth-notified.public"

# the first notify: every feed, to both hubs; the podcasts to the index
ok first_notify -C "$L" notify
# shellcheck disable=SC2046
sent first_notify_sends_each_feed $(expect $(feeds))
check first_notify_says grep -q "told hub $H/hub: $BASE/feed.xml changed (202)" "$OUT"
check record_beside_output test -s "$L/.hearth-notified.public"

# nothing changed: nothing sent
ok second_notify -C "$L" notify
sent second_notify_sends_nothing
check second_notify_says grep -q "none changed since the last notify: nothing sent" "$OUT"
# the record beside the site does not disturb a build with nothing to do
# (one build first: the first after a build with new settings may still go
# to hearth-media, which renews the quick record)
run -C "$L" build
ok notify_before_quick -C "$L" notify
quick build_after_notify_is_quick

# an edit of a story outside the collection: only the feeds it changes
before=$(cd "$P" && for f in $(feeds); do sha256sum "$f"; done)
sed -i 's/^title: Story three/title: Story three, retold/' "$S/three/story.md"
ok reimport -C "$L" import "$C"
ok rebuild -C "$L" build
changed=$(cd "$P" && for f in $(feeds); do sha256sum "$f"; done | diff - <(echo "$before") |
	sed -n 's/^< [0-9a-f]*  //p')
check edit_changed_main_feed sh -c "echo '$changed' | grep -qx feed.xml"
ok notify_after_edit -C "$L" notify
# shellcheck disable=SC2046
sent only_changed_feeds_sent $(expect $changed)
for f in $(cd "$P" && ls collections/*/feed.xml 2>/dev/null); do
	check "unchanged_not_sent_${f//\//_}" ! grep -q "$f" "$T/new"
done

# --all: every feed again
ok notify_all -C "$L" notify --all
# shellcheck disable=SC2046
sent all_sends_every_feed $(expect $(feeds))

# a failing hub: named, exit 1, the others still told; tried again next time
echo /hub2 >"$LOG.fail"
sed -i 's/^title: Story three, retold/title: Story three, told again/' "$S/three/story.md"
run -C "$L" import "$C"
run -C "$L" build
site_before=$(tree_hash "$P")
lib_before=$(snapshot "$L")
refuses failing_hub_fails 1 "hub $H/hub2: $BASE/feed.xml: answered 500" -C "$L" notify
check failing_hub_counted grep -q "failed" "$OUT"
check failing_hub_others_told grep -q "told hub $H/hub: $BASE/feed.xml changed" "$OUT"
check failing_hub_site_untouched test "$(tree_hash "$P")" = "$site_before"
check failing_hub_catalogue_untouched test "$(snapshot "$L")" = "$lib_before"
tail -n +"$((SEEN + 1))" "$LOG" >"$T/new"
SEEN=$(wc -l <"$LOG")
check failing_hub_was_asked grep -q '"path": "/hub2"' "$T/new"
rm -f "$LOG.fail"
ok retry_after_failure -C "$L" notify
# shellcheck disable=SC2046
sent retry_sends_only_the_failed $(expect $changed | grep '^/hub2@')
ok retry_then_quiet -C "$L" notify
sent retry_then_nothing

# addresses: https only, http only to loopback; no redirect to http
notify_settings '"http://hub.example.com/"' no
refuses http_hub_refused 1 "https is required" -C "$L" notify --all
notify_settings '"ftp://127.0.0.1/hub"' no
refuses ftp_hub_refused 1 "not an http or https address|must start with http" -C "$L" notify --all
notify_settings '"https://user:secret@hub.example.com/"' no
refuses hub_credentials_refused 1 "password" -C "$L" notify --all
sent refused_addresses_send_nothing
notify_settings "\"$H/redirect-http\"" no
refuses redirect_to_http_refused 1 "redirected where it may not go" -C "$L" notify --all
tail -n +"$((SEEN + 1))" "$LOG" >"$T/new"
SEEN=$(wc -l <"$LOG")
check redirect_not_followed ! grep -q '"path": "/hub"' "$T/new"
# a place that does not answer in time: named, and not asked again in the run
notify_settings "\"$H/slow\"" no
refuses slow_hub_times_out 1 "no answer within 1 s" -C "$L" notify --all --timeout 1
check slow_hub_given_up grep -q "not sent: it did not answer an earlier request" "$ERR"
tail -n +"$((SEEN + 1))" "$LOG" >"$T/new"
SEEN=$(wc -l <"$LOG")
check slow_hub_asked_once test "$(grep -c '"path": "/slow"' "$T/new")" -eq 1
refuses bad_timeout 2 "--timeout" -C "$L" notify --timeout 0

# nothing configured: nothing to tell, and that is fine (notify.podcastindex
# is on by default: the test turns it off, so nothing leaves the machine)
sed -i '/^notify:/,$d' "$L/hearth.yaml" "$C/hearth.yaml"
printf 'notify:\n  hubs: []\n  podcastindex: no\n' >>"$L/hearth.yaml"
ok nothing_configured -C "$L" notify
check nothing_configured_says grep -q "nothing to tell" "$OUT"
sent nothing_configured_sends_nothing

# notify.after_build: a build that publishes tells the apps; a failure is a warning
notify_settings "\"$H/hub\", \"$H/hub2\"" yes
ok build_with_after_build -C "$L" build
sent after_build_nothing_changed_nothing_sent
sed -i 's/^title: Story two/title: Story two, retold/' "$S/two/story.md"
run -C "$L" import "$C"
echo /hub >"$LOG.fail"
ok after_build_failure_is_warning -C "$L" build
check after_build_warns grep -q "warning: hub $H/hub: .*answered 500" "$ERR"
check after_build_told_hub2 grep -q "told hub $H/hub2:" "$OUT"
rm -f "$LOG.fail"
ok after_build_then_notify_retries -C "$L" notify
check after_build_retry_told_hub grep -q "told hub $H/hub: " "$OUT"
check after_build_retry_not_hub2 ! grep -q "told hub $H/hub2: " "$OUT"
