# feedurl.sh - the feed and the site's address: descriptions reach feed
# readers as text; the podcast GUID comes from the real feed URL at the
# first podcast build and is kept, never from init's placeholder (which
# every library once shared); base_url and --base-url are URLs; the
# library's private files are its owner's alone.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content"
NS=ead4c236-bf58-58c6-a2c6-a6b28d128cb6
guid_of() { python3 -c 'import sys, uuid; print(uuid.uuid5(uuid.UUID(sys.argv[1]), sys.argv[2]))' "$NS" "$1"; }
stored_guid() { sqlite3 "$1/hearth.db" "SELECT value FROM settings WHERE key = 'podcast_guid'"; }
feed_guid() { sed -n 's|.*<podcast:guid>\(.*\)</podcast:guid>.*|\1|p' "$1"; }
SHARED=bab2ba12-9757-5da6-a770-0e70e6bcf214

# ---- private files --------------------------------------------------------------

(umask 000 && "$HEARTH" init "$L" >"$OUT" 2>"$ERR")
check init_says_private grep -q "private: hearth.db, store/ and cache/" "$OUT"
check init_says_set_base_url grep -q "set base_url" "$OUT"
mode() { stat -c %a "$1"; }
check db_private_despite_umask test "$(mode "$L/hearth.db")" = 600
check store_private_despite_umask test "$(mode "$L/store")" = 700
check cache_private_despite_umask test "$(mode "$L/cache")" = 700

mkdir -p "$C"
tone "$T/voice.flac" 2
bundle "$C" spoken "Spoken" "audio: voice.flac
warnings: [\"<img src=x>\"]"
cp "$T/voice.flac" "$C/spoken/"
sed -i 's|^summary: .*|summary: "<img src=x> \&amp; the rest"|' "$C/spoken/story.md"
(umask 000 && "$HEARTH" -C "$L" import "$C/spoken" >"$OUT" 2>"$ERR")
check imported "$HEARTH" -C "$L" show spoken
objects=$(find "$L/store" -type f | wc -l)
check store_has_objects test "$objects" -gt 0
check store_objects_private test -z "$(find "$L/store" -type f ! -perm 400)"
podcast_settings "$L" # the owner and image, with init's placeholder address

# ---- the placeholder makes no podcast --------------------------------------------

refuses placeholder_podcast_build_refused 1 "base_url: 'https://example.org' is the placeholder.*set base_url in hearth.yaml" \
	-C "$L" build
check placeholder_stores_no_guid test -z "$(stored_guid "$L")"

# a preview under another address builds, and stores nothing
ok preview_builds -C "$L" build --base-url http://localhost:8000 -o "$T/preview"
check preview_feed_guid test "$(feed_guid "$T/preview/feed.xml")" = "$(guid_of localhost:8000/feed.xml)"
check preview_stores_no_guid test -z "$(stored_guid "$L")"
check preview_feed_not_shared_guid ! grep -q "$SHARED" "$T/preview/feed.xml"

# a site with no episodes may keep the placeholder
L2="$T/site-only"
"$HEARTH" init "$L2" >/dev/null
PODCAST=no bundle "$C" written "Written"
ok site_only_import -C "$L2" import "$C/written"
ok site_only_builds_with_placeholder -C "$L2" build
check site_only_no_shared_guid ! grep -q "$SHARED" "$L2/public/feed.xml"
check site_only_stores_no_guid test -z "$(stored_guid "$L2")"

# ---- the first real podcast build stores the GUID of the real feed URL -----------

site_address "$L" https://stories.example.net
ok real_build -C "$L" build
# storing the GUID is the build's own bookkeeping, not a change under it
check real_build_builds_once ! grep -q "built again" "$OUT"
want=$(guid_of stories.example.net/feed.xml)
check real_guid_stored test "$(stored_guid "$L")" = "$want"
check real_guid_in_feed test "$(feed_guid "$L/public/feed.xml")" = "$want"
check public_world_readable test "$(mode "$L/public/feed.xml")" = 644
site_address "$L" https://moved.example.net
ok moved_build -C "$L" build
check guid_kept_after_move test "$(feed_guid "$L/public/feed.xml")" = "$want"
ok preview_after_store -C "$L" build --base-url http://localhost:9000 -o "$T/preview2"
check preview_uses_stored_guid test "$(feed_guid "$T/preview2/feed.xml")" = "$want"

# ---- migration 3 forgets the GUID every library shared ---------------------------

L3="$T/old"
"$HEARTH" init "$L3" >/dev/null && site_address "$L3" https://old.example.net
ok old_import -C "$L3" import "$C/spoken"
sqlite3 "$L3/hearth.db" "INSERT INTO settings (key, value) VALUES ('podcast_guid', '$SHARED');
	ALTER TABLE collections DROP COLUMN type; DROP TABLE bundles_seen; DROP INDEX stories_list; DROP INDEX stories_receipt; ALTER TABLE stories DROP COLUMN receipt_hash; ALTER TABLE stories DROP COLUMN version; ALTER TABLE stories DROP COLUMN approved_version; ALTER TABLE stories DROP COLUMN confirmed_version; ALTER TABLE stories DROP COLUMN peer_confirms; ALTER TABLE stories DROP COLUMN via; ALTER TABLE stories DROP COLUMN erasure_requested_at; DROP INDEX stories_view; DROP TRIGGER stories_body_changed; ALTER TABLE stories DROP COLUMN body_sha256; DROP TABLE messages; DROP TABLE revision_assets; DROP TABLE revision_terms; DROP TABLE revisions; DROP TABLE feedback; DROP TABLE sessions; DROP TABLE editors; DROP TABLE invites; PRAGMA user_version = 2;"
ok old_library_opens -C "$L3" list
check shared_guid_forgotten test -z "$(stored_guid "$L3")"
ok old_library_builds -C "$L3" build
check old_library_real_guid test "$(stored_guid "$L3")" = "$(guid_of old.example.net/feed.xml)"

# ---- descriptions are text to feed readers ---------------------------------------

for py in python3 /usr/bin/python3; do
	"$py" -c 'import feedparser' 2>/dev/null && break
done
"$py" - "$L/public/feed.xml" >"$T/fp.out" 2>&1 <<'PY'
import html, sys
import feedparser
e = feedparser.parse(sys.argv[1]).entries[0]
# feedparser hands on HTML: shown, it must read as the characters written
shown = html.unescape(e.summary)
print("summary:", e.summary)
assert "<img" not in e.summary, "markup in the summary"
assert "Content warning: <img src=x>." in shown, shown
assert "<img src=x> &amp; the rest" in shown, shown
PY
check feedparser_reads_description_as_text grep -q "^summary: Content warning: &lt;img src=x&gt;" "$T/fp.out"
[ -s "$T/fp.out" ] && grep -q Error "$T/fp.out" && sed 's/^/    /' "$T/fp.out"
check feedparser_no_markup ! grep -q "Error" "$T/fp.out"

# ---- addresses are URLs -----------------------------------------------------------

for bad in "https://" "http://[::1" "https://exa mple.net" 'https://example.net/"x' \
	"https://user:pass@example.net" "https://example.net/<x>" "https://example.net/?a=1"; do
	refuses "base_url_flag_refused_$(echo "$bad" | tr -c 'a-z0-9' _)" 2 "--base-url" \
		-C "$L" build --base-url "$bad" -o "$T/nope"
done
check bad_flag_builds_nothing test ! -e "$T/nope"
refuses base_url_flag_names_problem 2 "IPv6 address is not closed" \
	-C "$L" build --base-url "http://[::1" -o "$T/nope"
site_address "$L" "https://user:pass@stories.example.net"
refuses base_url_setting_refused 1 "hearth.yaml: line [0-9]+: base_url: .*password" -C "$L" build
site_address "$L" "https://"
refuses base_url_setting_no_host 1 "base_url: 'https://': the address has no host name" -C "$L" build
