# search.sh - the search index as a build writes it and a reader uses it:
# what it holds (words of titles, bodies, themes; accents folded), that a
# story without site consent is never in it, that a withdrawn story leaves
# it at the next build, that an edit rewrites only the shards the story is
# in (a word it loses leaves the index), that files of the index altered
# by hand are made again by a build that verifies (--verify), that an
# incremental build equals a clean one,
# and the search page in Chromium (tests/browser/search.mjs).
. "$(dirname "$0")/lib.sh"

C="$T/content"
L="$T/lib"
P="$L/public"
mkdir -p "$C/stories"

# index.py PUBLIC TERM: the slugs of the stories the index gives for TERM,
# one a line, best first (the weights alone); "shards PUBLIC SLUG": the
# shard files that hold the story
cat >"$T/index.py" <<'EOF'
import json, os, sys, unicodedata

def varint(b, p):
    v = s = 0
    while True:
        x = b[p]; p += 1
        v |= (x & 0x7f) << s; s += 7
        if not x & 0x80:
            return v, p

def shard(path):
    b = open(path, 'rb').read(); p = 0; out = {}
    while p < len(b):
        n, p = varint(b, p); term = b[p:p + n].decode(); p += n
        df, p = varint(b, p); ids = []; i = 0
        for _ in range(df):
            d, p = varint(b, p); i += d; ids.append((i, b[p])); p += 1
        out[term] = ids
    return out

pub, what, arg = sys.argv[1:4]
meta = json.load(open(os.path.join(pub, 'search/meta.json')))
recs = {}
for f in os.listdir(os.path.join(pub, 'search/d')):
    for r in json.load(open(os.path.join(pub, 'search/d', f))):
        recs[r[0]] = r
tdir = os.path.join(pub, 'search/t')
shards = {f: shard(os.path.join(tdir, f)) for f in sorted(os.listdir(tdir))}
slug = lambda i: recs[i][2].split('/')[1]
if what == 'term':
    for terms in shards.values():
        for i, w in sorted(terms.get(arg, []), key=lambda x: (-x[1], x[0])):
            print(slug(i))
elif what == 'shards':
    for f, terms in shards.items():
        if any(slug(i) == arg for ids in terms.values() for i, _ in ids):
            print(f)
EOF
find_term() { python3 "$T/index.py" "$P" term "$1"; }

B="$(printf 'themes: [Grief, Hope]\ntags: [walking]\nwarnings: [Self-harm]')"
bundle "$C/stories" river "The river at dusk" "$B"
echo "Quillfeather evenings by the water, a lantern in my hand." >>"$C/stories/river/story.md"
bundle "$C/stories" garden "The garden table" 'themes: [Hope]'
echo "Marigolds on the table." >>"$C/stories/garden/story.md"
bundle "$C/stories" cafe "Café crème" 'themes: [Work]'
echo "A naïve façade, and what was behind it." >>"$C/stories/cafe/story.md"
mkdir -p "$C/stories/painting"
picture "$C/stories/painting/sketch.png" 640x480
bundle "$C/stories" painting "Colours of a lantern" \
	"$(printf 'themes: [Hope]\nart: [{file: sketch.png, alt: Coloured bars}]')"
SITE=no PODCAST=yes bundle "$C/stories" private "Only on the podcast"
echo "Zanzibarite is a word only this story has." >>"$C/stories/private/story.md"
bundle "$C/stories" gone "Soon withdrawn"
echo "Xylophonist, the word of the story that leaves." >>"$C/stories/gone/story.md"
# enough stories for many shards: an edit then touches only some of them
for i in $(seq 101 224); do bundle "$C/stories" "f$i" "Story f$i"; done

"$HEARTH" init "$L" >/dev/null && site_address "$L"
ok search_import -C "$L" import "$C"
"$HEARTH" -C "$L" collection new picks --title Picks >/dev/null 2>&1
ok search_build -C "$L" build
check search_page test -f "$P/search/index.html" -a -f "$P/search/search.js" \
	-a -f "$P/search/meta.json"
check search_page_has_input grep -q '<input type="search"' "$P/search/index.html"
check search_page_links_themes grep -q 'href="../themes/grief/index.html"' "$P/search/index.html"
check search_page_links_tags grep -q 'href="../tags/walking/index.html"' "$P/search/index.html"
check search_many_shards [ "$(ls "$P/search/t" | wc -l)" -ge 16 ]

check finds_body_word [ "$(find_term quillfeather)" = river ]
check finds_title_word [ "$(find_term marigolds)" = garden ]
check finds_theme_word [ "$(find_term grief)" = river ]
check folds_accents [ "$(find_term facade)" = cafe ]
check theme_filter [ "$(find_term theme:grief)" = river ]
check kind_filter [ "$(find_term kind:art)" = painting ]
check warning_filter [ "$(find_term warn:self-harm)" = river ]
check title_ranks_first [ "$(find_term lantern | head -1)" = painting ]
check story_number [ "$(find_term f150)" = f150 ]
# consent: a story the site view lacks is in no file of the index
check no_consent_not_indexed [ -z "$(find_term zanzibarite)" ]
check no_consent_no_trace ! grep -rqiE 'zanzibarite|only on the podcast|"stories/private/' "$P/search"
check withdrawn_first_there [ "$(find_term xylophonist)" = gone ]

# an edit rewrites only the shards the story is in (before or after)
python3 "$T/index.py" "$P" shards river >"$T/river.before"
(cd "$P/search/t" && stat -c '%n %i' *) | sort >"$T/ino.before"
sed -i 's|^title: .*|title: The river at dusk, zebrawort|' "$C/stories/river/story.md"
ok search_edit_import -C "$L" import "$C/stories/river"
ok search_edit_build -C "$L" build
python3 "$T/index.py" "$P" shards river >"$T/river.after"
(cd "$P/search/t" && stat -c '%n %i' *) | sort >"$T/ino.after"
changed=$(join "$T/ino.before" "$T/ino.after" | awk '$2 != $3 {print $1}')
touched=$(sort -u "$T/river.before" "$T/river.after")
outside=$(comm -23 <(printf '%s\n' $changed | sort) <(printf '%s\n' $touched))
check edit_finds_new_word [ "$(find_term zebrawort)" = river ]
check edit_rewrites_some_shards [ -n "$changed" ]
check edit_only_its_shards [ -z "$outside" ]
check edit_keeps_other_shards [ "$(join "$T/ino.before" "$T/ino.after" | awk '$2 == $3' | wc -l)" -gt 0 ]

# a build whose change the index does not hold keeps every file of it
(cd "$P/search" && find . -type f -printf '%p %i\n' | sort) >"$T/all.before"
"$HEARTH" -C "$L" collection add picks garden >/dev/null 2>&1
ok search_other_build -C "$L" build
check other_build_made_pages grep -q 'garden' "$P/collections/picks/index.html"
(cd "$P/search" && find . -type f -printf '%p %i\n' | sort) >"$T/all.after"
check unchanged_index_kept cmp -s "$T/all.before" "$T/all.after"

# withdrawal: the story leaves the index at the next build
ok search_withdraw -C "$L" withdraw gone
ok search_withdrawn_build -C "$L" build
check withdrawn_not_found [ -z "$(find_term xylophonist)" ]
check withdrawn_no_trace ! grep -rqiE 'xylophonist|soon withdrawn|"stories/gone/' "$P/search"
check withdrawn_no_shard [ -z "$(python3 "$T/index.py" "$P" shards gone)" ]

# a word that leaves a story leaves the index, from whichever shard it was
# in; a chunk of the index altered by hand, which the edit does not touch,
# is taken as made, and made again by a build that verifies
chunk=$(grep -L '"stories/garden/' "$P"/search/d/*.json | head -1)
cp "$chunk" "$T/chunk.before"
printf ' ' >>"$chunk"
sed -i 's|^Marigolds on the table.|Sunflowers on the table.|' "$C/stories/garden/story.md"
ok search_word_import -C "$L" import "$C/stories/garden"
ok search_word_build -C "$L" build
check word_left_index [ -z "$(find_term marigolds)" ]
check word_came_index [ "$(find_term sunflowers)" = garden ]
check altered_chunk_taken_as_made ! cmp -s "$chunk" "$T/chunk.before"
ok search_verify_build -C "$L" build --verify
check altered_chunk_made_again cmp -s "$chunk" "$T/chunk.before"
# a shard altered by hand that the next edit does not touch is made again
# by a build that verifies
python3 "$T/index.py" "$P" shards cafe >"$T/cafe.shards"
shard=$(ls "$P"/search/t/*.bin | grep -v -F -f "$T/cafe.shards" | head -1)
printf '\001' >>"$shard"
echo "A third line of plain words." >>"$C/stories/cafe/story.md"
ok search_shard_import -C "$L" import "$C/stories/cafe"
ok search_shard_build -C "$L" build --verify
# (the index is read whole: a shard left as altered would not parse)
check altered_shard_made_again [ "$(find_term third | head -1)" = cafe ]

# the site built step by step is the site a clean build makes, byte for byte
"$HEARTH" -C "$L" build -o "$T/clean" >/dev/null 2>&1
if diff -r "$T/clean" "$P" >"$T/diff" 2>&1; then pass incremental_equals_clean; else
	fail incremental_equals_clean "$(head -c 600 "$T/diff")"; fi
# a clean build of this many stories reads the bodies for the index on a
# thread of its own (-j 2) and walks the folders it wrote on two: one
# thread (-j 1) makes the same site, and both a site whose state takes
# the next build as having nothing to do
"$HEARTH" -C "$L" build -j 1 -o "$T/one" >/dev/null 2>&1
"$HEARTH" -C "$L" build -j 2 -o "$T/two" >/dev/null 2>&1
if diff -r "$T/one" "$T/two" >"$T/diff" 2>&1 && diff -r "$T/clean" "$T/two" >>"$T/diff" 2>&1
then pass index_same_on_one_thread; else
	fail index_same_on_one_thread "$(head -c 600 "$T/diff")"; fi
check two_threads_found_words [ "$(python3 "$T/index.py" "$T/two" term quillfeather)" = river ]
quick nothing_to_do_after_one_thread -j 2 -o "$T/one"
quick nothing_to_do_after_two -j 2 -o "$T/two"

# the page in Chromium: searching, filters, hiding by warning, axe, screenshots
node "$HEARTH_ROOT/tests/browser/search.mjs" "$P" "$HEARTH_ROOT/build/screenshots" \
	2>"$T/browser.err" || fail search_browser_run "search.mjs stopped: $(tail -c 800 "$T/browser.err")"

# a story of more distinct words than the index takes from one story
# (30,000): its first words and its filters are found, the words past the
# limit are not, and no other story loses a word (a transcript of 2.3
# million made-up words took the build 340 MB more and the index 27 MB)
W="$T/words"
mkdir -p "$W/content/stories"
bundle "$W/content/stories" lexicon "A lexicon" 'tags: [wordy]'
python3 -c "print(' '.join('lexa%05d' % i for i in range(30500)))" >>"$W/content/stories/lexicon/story.md"
bundle "$W/content/stories" plain "Plain words" 'tags: [wordy]'
echo "Lexa30499 is a word this story has too." >>"$W/content/stories/plain/story.md"
"$HEARTH" init "$W/lib" >/dev/null && site_address "$W/lib"
ok many_words_import -C "$W/lib" import "$W/content"
ok many_words_build -C "$W/lib" build
words_term() { python3 "$T/index.py" "$W/lib/public" term "$1"; }
check many_words_first_found [ "$(words_term lexa00000)" = lexicon ]
check many_words_limit_found [ "$(words_term lexa29980)" = lexicon ]
check many_words_past_limit_left_out [ -z "$(words_term lexa29999)" ]
check many_words_other_story_keeps_its_word [ "$(words_term lexa30499)" = plain ]
check many_words_filter_kept [ "$(words_term tag:wordy | sort | tr '\n' ' ')" = "lexicon plain " ]
