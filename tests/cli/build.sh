# build.sh - `hearth build` as an editor meets it: progress on a terminal
# and silence otherwise, a rebuild that takes everything from the cache,
# a failed build that leaves the previous site whole, and usage errors.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content/stories"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
mkdir -p "$C/one" "$C/two"
tone "$C/one/voice.flac" 2
tone "$C/two/voice.flac" 2 523
bundle "$C" one "Story one" "audio: voice.flac"
bundle "$C" two "Story two" "audio: voice.flac"
"$HEARTH" -C "$L" import "$T/content" >/dev/null

# on a terminal: files done and time left, on one rewritten line
script -qec "'$HEARTH' -C '$L' build -j 2" "$T/typescript" >/dev/null 2>&1
check progress_on_terminal grep -q "hearth: media [0-9]* of [0-9]*" "$T/typescript"
check progress_says_done grep -q "done in" "$T/typescript"
check terminal_build_worked test -s "$L/public/feed.xml"

# not on a terminal: nothing but errors
rm -rf "$L/cache"
ok quiet_build -C "$L" build -j 1
check no_progress_when_not_a_terminal test ! -s "$ERR"
check says_what_was_made grep -q "media: [1-9][0-9]* made, 0 from the cache" "$OUT"

# a rebuild of an unchanged library does no media work
before=$(tree_hash "$L/public")
ok rebuild_from_cache -C "$L" build
check rebuild_makes_nothing grep -q "media: 0 made" "$OUT"
check rebuild_same_bytes test "$(tree_hash "$L/public")" = "$before"

# a failed build leaves the previous site whole
mkdir -p "$T/broken"
echo "<not-xslt" >"$T/broken/page.xsl"
refuses broken_theme_refused 1 "page.xsl" -C "$L" build --theme "$T/broken"
check old_site_kept test "$(tree_hash "$L/public")" = "$before"
check no_staging_left no_leftovers "$L"

# a folder that is not a Hearth site is never replaced
mkdir -p "$T/mine"
echo "precious" >"$T/mine/notes.txt"
refuses foreign_folder_refused 1 "mine" -C "$L" build -o "$T/mine"
check foreign_folder_untouched grep -q precious "$T/mine/notes.txt"

refuses bad_jobs_is_usage 2 "-j" -C "$L" build -j 0
refuses bad_base_url_is_usage 2 "base-url" -C "$L" build --base-url ftp://x
ok other_base_url -C "$L" build --base-url https://elsewhere.example -o "$T/out"
check base_url_in_feed grep -q "https://elsewhere.example/media/one/one.mp3" "$T/out/feed.xml"

# pages are made on several threads: the same bytes as on one
ok one_thread_pages -C "$L" build -j 1 -o "$T/one"
ok two_thread_pages -C "$L" build -j 2 -o "$T/two"
check threads_same_pages diff -r "$T/one" "$T/two"

# a page that fails stops the build, and the message names it
mkdir -p "$T/fails"
cat >"$T/fails/page.xsl" <<XSL
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="$HEARTH_THEME_DIR/page.xsl"/>
  <xsl:template name="story-body">
    <xsl:if test="@slug = 'two'">
      <xsl:message terminate="yes">cannot show this story</xsl:message>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
XSL
before=$(tree_hash "$L/public")
refuses failing_page_stops_the_build 1 "stories/two/index.html" -C "$L" build -j 2 --theme "$T/fails"
check failing_page_says_why grep -q "cannot show this story" "$ERR"
check failing_page_keeps_the_site test "$(tree_hash "$L/public")" = "$before"
