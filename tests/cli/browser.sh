# browser.sh - the demo site as visitors and podcast apps meet it: every page
# in headless Chromium with axe-core (every kind of page at 320 and 1280 px,
# in English and in French), the markup through the Nu Html Checker, and
# the feed through podcast-partytime. Screenshots are kept in
# build/screenshots (build/screenshots/fr for French) for people to look at.
. "$(dirname "$0")/lib.sh"

B="$HEARTH_ROOT/tests/browser"
L="$T/lib"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
ok browser_demo_import -C "$L" import "$HEARTH_ROOT/content"
ok browser_demo_build -C "$L" build
P="$L/public"

SITE_KINDS=all node "$B/site.mjs" "$P" "$HEARTH_ROOT/build/screenshots" 2>"$T/site.err" ||
	fail browser_run "site.mjs stopped: $(tail -c 800 "$T/site.err")"

# the same library in the other language of the theme: every kind of page
# again, with French menus, at both widths (the keyboard's path, the same
# markup in other words, is walked in the English run)
sed -i 's/^language: en$/language: fr/' "$L/hearth.yaml"
check browser_demo_french grep -q '^language: fr$' "$L/hearth.yaml"
PF="$L/public-fr"
ok browser_demo_build_fr -C "$L" build -o "$PF"
check browser_demo_french_pages grep -q '<html lang="fr"' "$PF/index.html"
SITE_KINDS=all SITE_KEYBOARD=no node "$B/site.mjs" "$PF" "$HEARTH_ROOT/build/screenshots/fr" kinds 2>"$T/site-fr.err" |
	sed 's/^\(PASS\|FAIL\) /\1 fr_/' ||
	fail browser_run_fr "site.mjs stopped: $(tail -c 800 "$T/site-fr.err")"


episodes=$(grep -c '<item>' "$P/feed.xml")
node "$B/feed.mjs" "$P/feed.xml" "$episodes" 2>"$T/feed.err" ||
	fail partytime_run "feed.mjs stopped: $(tail -c 800 "$T/feed.err")"

# a library of more stories than one list page holds: the home page, every
# page of the list of all stories and of a big collection, through axe-core
# and the Nu Html Checker
M="$T/many"
mkdir -p "$M/content/stories" "$M/content/collections"
for i in $(seq 1 60); do
	s=$(printf 'm%02d' "$i")
	PUBLISHED=$(date -u -d "2021-01-01 + $i days" +%F) bundle "$M/content/stories" "$s" "Story $s"
done
printf 'title: Many\nstories: [%s]\n' "$(seq -f 'm%02g' 1 55 | paste -sd, | sed 's/,/, /g')" \
	>"$M/content/collections/many.yaml"
"$HEARTH" init "$M/lib" >/dev/null && site_address "$M/lib"
ok browser_many_import -C "$M/lib" import "$M/content"
ok browser_many_build -C "$M/lib" build
check browser_many_paged test -f "$M/lib/public/stories/page/2/index.html" \
	-a -f "$M/lib/public/collections/many/page/2/index.html"
node "$B/site.mjs" "$M/lib/public" "$HEARTH_ROOT/build/screenshots" lists 2>"$T/many.err" |
	sed 's/^\(PASS\|FAIL\) /\1 many_/' ||
	fail browser_many_run "site.mjs stopped: $(tail -c 800 "$T/many.err")"
# one Java start for the demo in both languages and the library of many
if ! java -jar "$B/node_modules/vnu-jar/build/dist/vnu.jar" --errors-only --skip-non-html \
	--format text "$P" "$PF" "$M/lib/public" >"$T/vnu.out" 2>&1; then
	fail nu_html_checker "$(head -c 1500 "$T/vnu.out")"
else
	pass nu_html_checker
fi
