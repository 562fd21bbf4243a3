# browser.sh - the demo site as visitors and podcast apps meet it: every page
# in headless Chromium with axe-core, the markup through the Nu Html
# Checker, and the feed through podcast-partytime. Screenshots are kept in
# build/screenshots for people to look at.
. "$(dirname "$0")/lib.sh"

B="$HEARTH_ROOT/tests/browser"
L="$T/lib"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
ok browser_demo_import -C "$L" import "$HEARTH_ROOT/content"
ok browser_demo_build -C "$L" build
P="$L/public"

node "$B/site.mjs" "$P" "$HEARTH_ROOT/build/screenshots" 2>"$T/site.err" ||
	fail browser_run "site.mjs stopped: $(tail -c 800 "$T/site.err")"

if ! java -jar "$B/node_modules/vnu-jar/build/dist/vnu.jar" --errors-only --skip-non-html \
	--format text "$P" >"$T/vnu.out" 2>&1; then
	fail nu_html_checker "$(head -c 1500 "$T/vnu.out")"
else
	pass nu_html_checker
fi

episodes=$(grep -c '<item>' "$P/feed.xml")
node "$B/feed.mjs" "$P/feed.xml" "$episodes" 2>"$T/feed.err" ||
	fail partytime_run "feed.mjs stopped: $(tail -c 800 "$T/feed.err")"
