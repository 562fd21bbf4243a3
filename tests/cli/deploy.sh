# deploy.sh - `hearth deploy` publishes the built site to a folder, over
# rsync (through a stand-in for ssh that runs the command here) and to
# S3-compatible storage (s3rver on 127.0.0.1, a request log of its own),
# then, after a story is withdrawn and the site built again, deletes the
# story's files there. Media go before pages, pages before feeds, and
# deletions come last; unchanged files are not sent again (a folder's keep
# their inode and time; the object store gets no PUT); a destination that
# was never a deploy is refused; a failure stops before any deletion; the
# build lock keeps a deploy and a build apart; S3 credentials come from
# the environment only.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
S="$T/src"
W="$T/www"
R="$T/remote"
NODE_DIR="$HEARTH_ROOT/tests/browser/node_modules"
MEDIA_PROG="$(dirname "$HEARTH")/hearth-media"

ok help_lists_deploy help
check help_names_deploy grep -q "^  deploy  *publish the built site" "$OUT"
check lean_hearth_no_libcurl ! sh -c "ldd '$HEARTH' | grep -q libcurl"
check media_links_libcurl sh -c "ldd '$MEDIA_PROG' | grep -q libcurl"

# ---- a library with an audio story (media, transcript, chapters) and text -------
run init "$L" && site_address "$L"
export HEARTH_DIR="$L"
bundle "$S" voice "A told story" "audio: voice.wav
transcript: voice.vtt
chapters:
  - {start: 0, title: Opening}
  - {start: 1, title: Close}"
tone "$S/voice/voice.wav" 2
printf 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n' >"$S/voice/voice.vtt"
bundle "$S" alpha "First words"
bundle "$S" beta "Second words"
ok import_stories import "$S"
ok first_build build

# sent_order FILE: the paths a deploy printed as sent, in order, one a line
sent() { sed -n 's/^sent //p' "$1"; }
deleted() { sed -n 's/^deleted //p' "$1"; }
# in_order FILE: the lines of FILE (paths in the order they went) keep the
# order media, other files, pages (.html), feeds (.xml, .opml)
in_order() {
	awk '{ r = /^media\// ? 0 : /\.html$/ ? 2 : /\.(xml|opml)$/ ? 3 : 1;
	       if (r < last) { print "out of order: " $0; bad = 1 } last = r }
	     END { exit bad }' "$1"
}
# deleted_in_order FILE: the other way, feeds and pages before media
deleted_in_order() {
	awk '{ r = /^media\// ? 0 : /\.html$/ ? 2 : /\.(xml|opml)$/ ? 3 : 1;
	       if (NR > 1 && r > last) { print "out of order: " $0; bad = 1 } last = r }
	     END { exit bad }' "$1"
}
# stamp FILE: its inode and modification time
stamp() { stat -c '%i %Y.%y' "$1"; }
same_tree() { diff -r -x .hearth-site -x .hearth-deploy "$L/public" "$1"; }

# ---- a folder --------------------------------------------------------------------
ok folder_first_deploy deploy "$W"
cp "$OUT" "$T/first.out"
check folder_has_the_site same_tree "$W"
check folder_marked test -f "$W/.hearth-deploy"
check folder_site_marker_not_sent test ! -e "$W/.hearth-site"
check folder_reports_marking grep -q "^marked .* as a Hearth deploy" "$T/first.out"
sent "$T/first.out" >"$T/first.sent"
check folder_sent_media grep -q '^media/voice/voice.mp3$' "$T/first.sent"
check folder_media_pages_feeds_in_order in_order "$T/first.sent"

A="$W/stories/alpha/index.html"
CSS="$W/style.css"
before_a=$(stamp "$A")
before_css=$(stamp "$CSS")
ok folder_second_deploy deploy "$W"
check folder_second_sends_nothing grep -q ", 0 sent, .* 0 deleted" "$OUT"
check folder_second_no_sent_lines ! grep -q "^sent " "$OUT"
check folder_unchanged_page_kept test "$(stamp "$A")" = "$before_a"

# ---- rsync through a stand-in remote shell -------------------------------------
# it drops the options and the host, and runs the command here
cat >"$T/rsh" <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do
	case $1 in
	-l) shift 2 ;;
	-*) shift ;;
	*) shift; break ;;
	esac
done
echo "$*" >>"${RSH_LOG:?}"
exec sh -c "$*"
SH
chmod +x "$T/rsh"
export RSH_LOG="$T/rsh.log"
RSYNC_RSH="$T/rsh" run deploy "localhost:$R"
if [ "$RC" -eq 0 ]; then pass rsync_first_deploy; else
	fail rsync_first_deploy "exit $RC: $(head -c 600 "$ERR")"; fi
cp "$OUT" "$T/rsync1.out"
check rsync_through_the_remote_shell grep -q "rsync --server" "$RSH_LOG"
check rsync_has_the_site same_tree "$R"
check rsync_marked test -f "$R/.hearth-deploy"
sent "$T/rsync1.out" >"$T/rsync1.sent"
check rsync_sent_media grep -q '^media/voice/voice.mp3$' "$T/rsync1.sent"
check rsync_media_pages_feeds_in_order in_order "$T/rsync1.sent"
# the setting names the remote shell when the environment does not
cat >>"$L/hearth.yaml" <<YAML
deploy:
  rsh: $T/rsh
YAML
: >"$RSH_LOG"
ok rsync_second_deploy_by_setting deploy "localhost:$R"
check rsync_setting_used grep -q "rsync --server" "$RSH_LOG"
check rsync_second_sends_nothing grep -q ", 0 sent, .* 0 deleted" "$OUT"

# ---- S3: s3rver on loopback, every request logged in order ---------------------
S3LOG="$T/s3.log"
S3PID=
stop_s3() { [ -n "$S3PID" ] && kill "$S3PID" 2>/dev/null && wait "$S3PID" 2>/dev/null; S3PID=; }
trap 'stop_s3; [ -n "${KEEP:-}" ] || cleanup' EXIT
if [ -d "$NODE_DIR/s3rver" ]; then
	mkdir -p "$T/s3data"
	: >"$S3LOG"
	# s3rver makes continuation tokens with DES, which OpenSSL 3 keeps in
	# its legacy provider. It takes any Signature Version 4 on trust, so
	# the stand-in checks each signature itself, from the canonical request
	# as AWS defines it (the path and the query decoded and escaped again
	# strictly, the query sorted, the signed headers), before s3rver sees
	# the request; it logs every request in order. 240 s at most.
	NODE_PATH="$NODE_DIR" timeout 240 node --openssl-legacy-provider -e '
		const fs = require("fs"), crypto = require("crypto");
		const S3rver = require("s3rver");
		const [dir, log, portFile, failFile] = process.argv.slice(1);
		const esc = x => encodeURIComponent(decodeURIComponent(x)).replace(/[!*()\x27]/g,
			c => "%" + c.charCodeAt(0).toString(16).toUpperCase());
		const hmac = (k, d) => crypto.createHmac("sha256", k).update(d).digest();
		function signed_well(req) {
			const auth = req.headers.authorization;
			if (!auth) return true; /* anonymous, as the checks of this test send */
			const m = /^AWS4-HMAC-SHA256 Credential=S3RVER\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
			if (!m) return false;
			const [, date, region, signed, sig] = m;
			const names = signed.split(";");
			for (const n of ["host", "x-amz-date", "x-amz-content-sha256"])
				if (!names.includes(n)) return false;
			const [path, query = ""] = req.url.split("?");
			const pairs = query ? query.split("&").map(p => {
				const i = p.indexOf("=");
				return i < 0 ? [esc(p), ""] : [esc(p.slice(0, i)), esc(p.slice(i + 1))];
			}) : [];
			pairs.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1);
			const creq = [req.method, path.split("/").map(esc).join("/"),
				pairs.map(p => p[0] + "=" + p[1]).join("&"),
				names.map(n => n + ":" + String(req.headers[n] || "").trim()
					.replace(/\s+/g, " ") + "\n").join(""),
				signed, req.headers["x-amz-content-sha256"]].join("\n");
			const scope = date + "/" + region + "/s3/aws4_request";
			const sts = ["AWS4-HMAC-SHA256", req.headers["x-amz-date"], scope,
				crypto.createHash("sha256").update(creq).digest("hex")].join("\n");
			let k = "AWS4S3RVER";
			for (const part of [date, region, "s3", "aws4_request"]) k = hmac(k, part);
			return hmac(k, sts).toString("hex") === sig;
		}
		const s = new S3rver({address: "127.0.0.1", port: 0, directory: dir, silent: true,
			configureBuckets: [{name: "site"}]});
		s.middleware.unshift(async (ctx, next) => {
			fs.appendFileSync(log, ctx.method + " " + ctx.url + "\n");
			/* a failing store: PUTs whose path ends as failFile says */
			const failing = fs.existsSync(failFile) && fs.readFileSync(failFile, "utf8").trim();
			if (failing && ctx.method === "PUT" && ctx.path.endsWith(failing)) {
				ctx.status = 500;
				ctx.type = "application/xml";
				ctx.body = "<Error><Code>InternalError</Code><Message>" +
					"a failure for the test</Message></Error>";
				return;
			}
			if (!signed_well(ctx.req)) {
				ctx.status = 403;
				ctx.type = "application/xml";
				ctx.body = "<Error><Code>SignatureDoesNotMatch</Code><Message>" +
					"the signature does not match</Message></Error>";
				return;
			}
			await next();
		});
		s.run().then(addr => fs.writeFileSync(portFile, String(addr.port)));
	' "$T/s3data" "$S3LOG" "$T/s3port" "$T/s3fail" >"$T/s3.out" 2>&1 &
	S3PID=$!
	for _ in $(seq 100); do
		[ -s "$T/s3port" ] && break
		sleep 0.1
	done
fi
S3PORT=$(cat "$T/s3port" 2>/dev/null)
check s3rver_listening test -n "$S3PORT"
SB="http://127.0.0.1:$S3PORT/site"
cat >>"$L/hearth.yaml" <<YAML
  s3_endpoint: http://127.0.0.1:$S3PORT
  s3_region: us-east-1
YAML

unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
refuses s3_without_credentials 1 "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" \
	deploy s3://site/www
check s3_without_credentials_no_request ! grep -q . "$S3LOG"
# a wrong secret is refused by the store, and the message says what the
# store said
AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=wrong run deploy s3://site/www
if [ "$RC" -eq 1 ] && grep -q "SignatureDoesNotMatch" "$ERR"; then pass s3_bad_signature_refused
else fail s3_bad_signature_refused "exit $RC: $(head -c 600 "$ERR")"; fi
check s3_bad_signature_puts_nothing ! grep -q '^PUT ' "$S3LOG"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER

# puts: the keys PUT since line N of the log, in order (prefix taken off)
puts() { tail -n +"$(($1 + 1))" "$S3LOG" | sed -n 's|^PUT /site/www/||p'; }
deletes() { tail -n +"$(($1 + 1))" "$S3LOG" | sed -n 's|^DELETE /site/www/||p'; }
lines() { wc -l <"$S3LOG"; }

n0=$(lines)
ok s3_first_deploy deploy s3://site/www
puts "$n0" | grep -v '^\.hearth-deploy$' >"$T/s3first.puts"
check s3_marker_put_first test "$(puts "$n0" | head -n 1)" = .hearth-deploy
check s3_every_file_put test "$(wc -l <"$T/s3first.puts")" -eq \
	"$(cd "$L/public" && find . -type f ! -name '.*' | wc -l)"
check s3_media_pages_feeds_in_order in_order "$T/s3first.puts"
# content_type KEY: what the store answers for the object
content_type() {
	curl -s -o /dev/null -D - "$SB/www/$1" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Tt]ype: //p'
}
header_of() { curl -s -o /dev/null -D - "$SB/www/$1" | tr -d '\r' | grep -i "^$2: " | cut -d' ' -f2-; }
check s3_feed_is_rss test "$(content_type feed.xml)" = "application/rss+xml"
check s3_atom_is_atom test "$(content_type atom.xml)" = "application/atom+xml"
check s3_mp3_is_audio_mpeg test "$(content_type media/voice/voice.mp3)" = "audio/mpeg"
check s3_m4a_is_audio_mp4 test "$(content_type media/voice/voice.m4a)" = "audio/mp4"
check s3_vtt_is_text_vtt grep -q "^text/vtt" <(content_type media/voice/voice.vtt)
check s3_chapters_type test "$(content_type media/voice/voice.chapters.json)" = \
	"application/json+chapters"
check s3_page_is_html grep -q "^text/html" <(content_type stories/alpha/index.html)
check s3_page_no_cache test "$(header_of stories/alpha/index.html cache-control)" = "no-cache"
check s3_media_short_cache test "$(header_of media/voice/voice.mp3 cache-control)" = \
	"public, max-age=300"
curl -s "$SB/www/media/voice/voice.mp3" -o "$T/got.mp3"
check s3_object_bytes cmp "$T/got.mp3" "$L/public/media/voice/voice.mp3"

# a second deploy sends nothing, its listing read two objects a page
# (continuation tokens signed as they must be), with a session token
n1=$(lines)
AWS_SESSION_TOKEN="a/session+token=" HEARTH_DEPLOY_LIST_MAX=2 run deploy s3://site/www
if [ "$RC" -eq 0 ]; then pass s3_second_deploy; else
	fail s3_second_deploy "exit $RC: $(head -c 600 "$ERR")"; fi
check s3_second_no_put test -z "$(puts "$n1")"
check s3_second_no_delete test -z "$(deletes "$n1")"
check s3_listing_paginated test "$(tail -n +"$((n1 + 1))" "$S3LOG" | grep -c 'continuation-token=')" -ge 3

# a prefix holding objects of someone else's is refused, then forced
curl -s -X PUT --data-binary keep -o /dev/null "$SB/other/theirs.txt"
n2=$(lines)
refuses s3_foreign_prefix_refused 1 "never a Hearth deploy" deploy s3://site/other
check s3_refusal_puts_nothing test -z "$(tail -n +"$((n2 + 1))" "$S3LOG" | grep '^PUT ')"
ok s3_foreign_prefix_forced deploy --force s3://site/other
check s3_forced_deletes_theirs grep -q "^DELETE /site/other/theirs.txt" "$S3LOG"

# ---- withdraw the audio story, build, deploy everywhere again -------------------
ok withdraw_voice withdraw voice --reason "asked to"
ok build_after_withdrawal build
check withdrawn_gone_from_public test ! -e "$L/public/media/voice"

ok folder_deploy_after_withdrawal deploy "$W"
cp "$OUT" "$T/w.out"
check folder_story_page_gone test ! -e "$W/stories/voice"
check folder_story_media_gone test ! -e "$W/media/voice"
check folder_same_as_site same_tree "$W"
check folder_unchanged_page_kept_after_withdrawal test "$(stamp "$A")" = "$before_a"
check folder_unchanged_css_kept test "$(stamp "$CSS")" = "$before_css"
# every sent line before the first deleted line; pages deleted before media
check folder_sends_before_deletions awk '/^deleted /{d=1} /^sent /&&d{exit 1}' "$T/w.out"
deleted "$T/w.out" >"$T/w.del"
check folder_deleted_the_media grep -q '^media/voice/voice.mp3$' "$T/w.del"
check folder_page_deleted_before_media deleted_in_order "$T/w.del"

unset RSYNC_RSH
ok rsync_deploy_after_withdrawal deploy "localhost:$R"
check rsync_story_gone test ! -e "$R/stories/voice/index.html"
check rsync_media_gone test ! -e "$R/media/voice/voice.mp3"
check rsync_same_as_site same_tree "$R"
check rsync_reports_deletions grep -q "^deleted media/voice/voice.mp3" "$OUT"

# the store fails the new home page: the deploy stops before any deletion,
# exits 1 and says a second run finishes; the second run does
echo "/www/index.html" >"$T/s3fail"
n3=$(lines)
refuses s3_failed_put_exits_1 1 "InternalError.*|run the same deploy again" \
	deploy s3://site/www
check s3_failed_put_names_the_file grep -q "PUT www/index.html: HTTP 500" "$ERR"
check s3_failed_put_says_rerun grep -q "nothing was deleted; run the same deploy again" "$ERR"
check s3_failed_put_deletes_nothing test -z "$(deletes "$n3")"
check s3_failed_put_story_still_there test "$(curl -s -o /dev/null -w '%{http_code}' \
	"$SB/www/media/voice/voice.mp3")" = 200
rm -f "$T/s3fail"
n3=$(lines)
ok s3_deploy_after_withdrawal deploy s3://site/www
deletes "$n3" >"$T/s3.del"
check s3_story_objects_deleted grep -q '^media/voice/voice.mp3$' "$T/s3.del"
check s3_story_page_deleted grep -q '^stories/voice/index.html$' "$T/s3.del"
check s3_media_gone_from_store test "$(curl -s -o /dev/null -w '%{http_code}' \
	"$SB/www/media/voice/voice.mp3")" = 404
check s3_marker_kept test "$(curl -s -o /dev/null -w '%{http_code}' "$SB/www/.hearth-deploy")" = 200
# every PUT of this deploy before its first DELETE
check s3_puts_before_deletes sh -c "tail -n +$((n3 + 1)) '$S3LOG' |
	awk '/^DELETE /{d=1} /^PUT /&&d{exit 1}'"
check s3_page_deleted_before_media deleted_in_order "$T/s3.del"
stop_s3

# ---- refusals and failures ---------------------------------------------------------
mkdir -p "$T/theirs/.well-known"
echo keep >"$T/theirs/notes.txt"
echo acme >"$T/theirs/.well-known/token"
refuses folder_foreign_refused 1 "never a Hearth deploy" deploy "$T/theirs"
check folder_refusal_keeps_files test -f "$T/theirs/notes.txt"
ok folder_foreign_forced deploy --force "$T/theirs"
check folder_forced_deletes_theirs test ! -e "$T/theirs/notes.txt"
check folder_dot_names_never_deleted test -f "$T/theirs/.well-known/token"
refuses folder_library_refused 1 "holds the site" deploy "$L"
refuses folder_inside_site_refused 1 "inside it" deploy "$L/public/copy"
refuses no_destination 2 "expected a destination" deploy
refuses bad_bucket 2 "bucket name" deploy s3://A_B/x

# a failure while sending (a file where the site needs a folder) stops
# before any deletion; a second run, once it is fixed, finishes
mkdir -p "$T/fail"
ok fail_first_deploy deploy "$T/fail"
echo stale >"$T/fail/stale.html"
rm -rf "$T/fail/stories"
echo "a file" >"$T/fail/stories"
refuses failed_send_exits_1 1 "run the same deploy again" deploy "$T/fail"
check failed_send_deletes_nothing test -f "$T/fail/stale.html"
rm -f "$T/fail/stories"
ok rerun_finishes deploy "$T/fail"
check rerun_deleted_stale test ! -e "$T/fail/stale.html"
check rerun_same_as_site same_tree "$T/fail"

# the build lock: while a build holds it, --no-wait fails at once, naming it
flock "$L/.build.lock" -c "echo held >'$T/held'; sleep 20" &
FPID=$!
for _ in $(seq 100); do
	[ -s "$T/held" ] && break
	sleep 0.1
done
refuses deploy_while_build_runs 1 "another build is running" deploy --no-wait "$W"
kill "$FPID" 2>/dev/null
wait "$FPID" 2>/dev/null
ok deploy_after_build_lock deploy "$W"
