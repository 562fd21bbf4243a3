# pages.sh - long lists come in pages. A library with more stories than
# one page holds: the home page shows the latest few and links to the list
# of all stories; following its "next" links from the first page reaches
# every story exactly once, newest first; a big collection pages the same
# way in its own order. A withdrawn story leaves every list page, a list
# that shrinks loses its last page, an edit re-makes only the list page
# that shows the story, and every incremental build equals a clean one.
# Pages made on one thread and on several are the same bytes.
. "$(dirname "$0")/lib.sh"

N=115       # three pages of 50
BIG=60      # a collection of two pages
C="$T/content/stories"
L="$T/lib"
P="$L/public"
mkdir -p "$C" "$T/content/collections"
for i in $(seq 1 $N); do
	s=$(printf 'p%03d' "$i")
	PUBLISHED=$(date -u -d "2020-01-01 + $i days" +%F) bundle "$C" "$s" "Story $s"
done
# the collection's i-th story: the odd ones from the oldest, then the even
# ones: not the order of the dates
coll_slug() {
	local s=$(($1 * 2 - 1))
	[ "$s" -gt "$N" ] && s=$((s - N))
	printf 'p%03d\n' "$s"
}
for i in $(seq 1 $BIG); do coll_slug "$i"; done >"$T/big.want"
{
	printf 'title: Big\nstories: ['
	paste -sd, "$T/big.want" | sed 's/,/, /g' | tr -d '\n'
	printf ']\n'
} >"$T/content/collections/big.yaml"
ok init init "$L" && site_address "$L"
ok import -C "$L" import "$T/content"
ok build -C "$L" build

# the story slugs a list page links to, in order (p001 ...)
slugs_on() { grep -o 'href="[./]*stories/p[0-9]*/index.html"' "$1" | sed 's|.*stories/||; s|/index.html"||'; }
# the page its rel="next" link points to, as a path in the site; nothing on the last
next_of() {
	local href
	href=$(grep -o '<a href="[^"]*" rel="next">' "$1" | head -n 1 | sed 's|<a href="||; s|" rel="next">||')
	[ -n "$href" ] && realpath -m --relative-to="$P" "$(dirname "$1")/$href"
}
# walk: every slug on the list that starts at $1, following rel="next"; pages to $T/walked
walk() {
	local page="$P/$1" n=0
	: >"$T/walked"
	while [ -n "$page" ] && [ "$n" -lt 20 ]; do
		echo "${page#"$P"/}" >>"$T/walked"
		slugs_on "$page"
		local next
		next=$(next_of "$page") || next=
		page=${next:+$P/$next}
		n=$((n + 1))
	done
}
newest_first() { for i in $(seq "$1" -1 1); do printf 'p%03d\n' "$i"; done; }

check home_shows_the_latest_few test "$(slugs_on "$P/index.html")" = "$(newest_first $N | head -n 12)"
check home_links_all_stories grep -q 'href="stories/index.html"' "$P/index.html"
check home_says_how_many grep -q "All $N stories" "$P/index.html"
walk stories/index.html >"$T/all"
check list_has_three_pages test "$(cat "$T/walked")" = "$(printf 'stories/index.html\nstories/page/2/index.html\nstories/page/3/index.html')"
check every_story_once_newest_first test "$(cat "$T/all")" = "$(newest_first $N)"
check no_fourth_page test ! -e "$P/stories/page/4"
check page_two_has_prev grep -q '<a href="../../../stories/index.html" rel="prev">Previous page</a>' "$P/stories/page/2/index.html"
check page_two_is_current grep -q 'href="../../../stories/page/2/index.html" aria-current="page"' "$P/stories/page/2/index.html"
check page_two_head_links grep -q '<link rel="next" href="../../../stories/page/3/index.html">' "$P/stories/page/2/index.html"
check page_titles_differ grep -q '<title>All stories, page 3 of 3' "$P/stories/page/3/index.html"

walk collections/big/index.html >"$T/big"
check collection_in_its_order_once cmp -s "$T/big" "$T/big.want"
check collection_has_two_pages test "$(wc -l <"$T/walked")" -eq 2

# one thread or several: the same bytes
ok one_thread -C "$L" build -j 1 -o "$T/one"
check one_thread_same_pages diff -r "$T/one" "$P"

# same_as_clean: the site equals a clean build into another folder
same_as_clean() {
	rm -rf "$T/clean" "$T/.hearth-build.clean"
	"$HEARTH" -C "$L" build -o "$T/clean" >/dev/null 2>&1 && diff -r "$T/clean" "$P" >"$T/diff" 2>&1
}
ino() { stat -c %i "$P/$1"; }

# an edit of a story on the second page: only that list page is made again
p1=$(ino stories/index.html) p2=$(ino stories/page/2/index.html) p3=$(ino stories/page/3/index.html)
sed -i 's|^title: .*|title: Story p040, edited|' "$C/p040/story.md"
ok import_edit -C "$L" import "$C/p040"
ok build_edit -C "$L" build
check edit_shown grep -q "Story p040, edited" "$P/stories/page/2/index.html"
check edit_remakes_its_page test "$(ino stories/page/2/index.html)" != "$p2"
check other_pages_kept test "$(ino stories/index.html)" = "$p1" -a "$(ino stories/page/3/index.html)" = "$p3"
check edit_equals_clean same_as_clean

# an edit of the body alone: the story's page shows it, no list page is made again
p2=$(ino stories/page/2/index.html) home=$(ino index.html)
printf '\nA new closing line.\n' >>"$C/p030/story.md"
ok import_body -C "$L" import "$C/p030"
ok build_body -C "$L" build
check body_edit_shown grep -q "A new closing line." "$P/stories/p030/index.html"
check body_edit_keeps_lists test "$(ino stories/page/2/index.html)" = "$p2" -a "$(ino index.html)" = "$home"
check body_edit_equals_clean same_as_clean

# a withdrawn story leaves every list page
ok withdraw -C "$L" withdraw p041
ok build_withdrawn -C "$L" build
check withdrawn_page_gone test ! -e "$P/stories/p041"
check withdrawn_on_no_list ! grep -rlq 'stories/p041/' "$P/index.html" "$P/stories/index.html" \
	"$P/stories/page" "$P/collections"
walk stories/index.html >"$T/all"
check others_still_once test "$(cat "$T/all")" = "$(newest_first $N | grep -vx p041)"
walk collections/big/index.html >"$T/big"
check withdrawn_left_the_collection cmp -s "$T/big" <(grep -vx p041 "$T/big.want")
check withdrawal_equals_clean same_as_clean

# the list shrinks below three pages: the third page goes
for i in $(seq 1 15); do "$HEARTH" -C "$L" withdraw "$(printf 'p%03d' "$i")" >/dev/null 2>&1; done
ok build_shrunk -C "$L" build
check last_page_gone test ! -e "$P/stories/page/3"
check page_two_is_last ! grep -q 'rel="next"' "$P/stories/page/2/index.html"
check shrunk_equals_clean same_as_clean
