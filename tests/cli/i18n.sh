# i18n.sh - the site in the library's language. The theme's strings files
# have the same ids in English and French; a French library (fr-CA) gets
# French pages with <html lang="fr-CA">, French dates and sizes, and not
# one English word of the theme left; a story in English on it marks only
# its own words with lang="en", never the menus, and a French story on an
# English site the other way round. The crisis line is the library's
# setting, on every page; a language the theme does not have is English.
# The French site passes axe-core and the Nu Html Checker.
. "$(dirname "$0")/lib.sh"

TH="$HEARTH_THEME_DIR"
B="$HEARTH_ROOT/tests/browser"

# ---- the strings files: the same ids both ways, none twice -----------------
ids() { grep -o '<s id="[^"]*"' "$1" | sed 's/<s id="//; s/"$//' | sort; }
ids "$TH/strings/en.xml" >"$T/en.ids"
ids "$TH/strings/fr.xml" >"$T/fr.ids"
check strings_en_ids_in_fr test -z "$(comm -23 "$T/en.ids" "$T/fr.ids")"
check strings_fr_ids_in_en test -z "$(comm -13 "$T/en.ids" "$T/fr.ids")"
check strings_no_id_twice test -z "$(uniq -d "$T/en.ids")$(uniq -d "$T/fr.ids")"
check strings_parse xmllint --noout "$TH/strings/en.xml" "$TH/strings/fr.xml"

# ---- a French library ------------------------------------------------------
S="$T/content/stories"
mkdir -p "$S" "$T/content/collections"
LANG_FR="language: fr"
PUBLISHED=2024-05-01 bundle "$S" soir "Le récit du soir" "$LANG_FR
warnings: [deuil]
themes: [espoir]
tags: [famille]
season: 1
episode: 2
audio: voix.wav
transcript: voix.vtt
chapters:
  - {start: 0, title: Ouverture}
  - {start: 1, title: La suite}"
tone "$S/soir/voix.wav" 3
printf 'WEBVTT\n\n00:00.000 --> 00:01.500\nBonsoir à toutes et à tous\n\n00:01.500 --> 00:03.000\net merci\n' \
	>"$S/soir/voix.vtt"
PUBLISHED=2024-06-12 bundle "$S" matin "Le récit du matin" "$LANG_FR"
PUBLISHED=2024-07-20 bundle "$S" english "Told in English" "language: en"
printf 'title: Nos récits\nstories: [soir, matin, english]\n' >"$T/content/collections/nos.yaml"

L="$T/fr"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
sed -i 's/^language: en$/language: fr-CA/; s/^description: .*/description: "Des récits de vie, racontés entre pairs."/' \
	"$L/hearth.yaml"
printf 'site:\n  crisis_line: "Ligne d’écoute entre pairs, ouverte chaque nuit"\n  crisis_url: https://example.org/ecoute\n' \
	>>"$L/hearth.yaml"
ok fr_import -C "$L" import "$T/content"
ok fr_build -C "$L" build
P="$L/public"
find "$P" -name '*.html' | sort >"$T/pages"

check fr_pages_made test "$(wc -l <"$T/pages")" -ge 7
check fr_html_lang_everywhere test -z "$(xargs grep -L '<html lang="fr-CA">' <"$T/pages")"
check fr_menus grep -q '<nav aria-label="Menu principal"><ul><li><a href="index.html" aria-current="page">Accueil</a></li><li><a href="stories/index.html">Tous les récits</a>' "$P/index.html"
check fr_skip_link grep -q 'Aller au contenu principal' "$P/stories/matin/index.html"
check fr_date_first grep -q '<time datetime="2024-05-01T00:00:00Z">1er mai 2024</time>' "$P/stories/soir/index.html"
check fr_date grep -q '>12 juin 2024</time>' "$P/index.html"
check fr_count grep -q 'Les 3 récits, du plus récent au plus ancien' "$P/index.html"
check fr_collection_count grep -q '3 récits' "$P/index.html"
check fr_audio_words grep -q 'Durée : <time class="audio-length" datetime="PT3S">0:03</time> · <a href="../../media/soir/soir.mp3" download="">Télécharger le MP3 ([0-9]* ko)</a>' "$P/stories/soir/index.html"
check fr_player_words grep -q 'data-t-position="{1} sur {2}" data-t-share="Lien vers ce moment" data-t-link="Lien vers {1}"' "$P/stories/soir/index.html"
check fr_details grep -q '<dt>Épisode</dt><dd>Saison 1, épisode 2</dd>' "$P/stories/soir/index.html"
check fr_warning grep -q 'Ce récit aborde les sujets suivants' "$P/stories/soir/index.html"
check fr_transcript grep -q '<h2 id="transcript-title">Transcription</h2>' "$P/stories/soir/index.html"
check fr_not_found grep -q '<h1>Page introuvable</h1>' "$P/404.html"

# not one English word of the theme on the French site: every piece of an
# English string (between its {n}) of five characters or more that French
# says otherwise, looked for in the text of every page (not in its tags,
# nor in what the English story marks as its own)
python3 - "$TH/strings/en.xml" "$TH/strings/fr.xml" "$T/pages" >"$T/english-left" <<'EOF'
import re, sys, html
import xml.etree.ElementTree as ET
en = {s.get('id'): s.text or '' for s in ET.parse(sys.argv[1]).getroot()}
fr = {s.get('id'): s.text or '' for s in ET.parse(sys.argv[2]).getroot()}
pieces = set()
for k, v in en.items():
    if fr.get(k) == v:
        continue
    for p in re.split(r'\{\d\}', v):
        if len(p.strip()) >= 5 and re.search('[A-Za-z]', p):
            pieces.add(p)
for page in open(sys.argv[3]).read().split():
    text = open(page, encoding='utf-8').read()
    # the words of a story in English are not the theme's
    text = re.sub(r'<(\w+)[^>]* lang="en"[^>]*>.*?</\1>', ' ', text, flags=re.S)
    # addresses shown as text (a feed's, in code and in JSON-LD) are not words
    text = re.sub(r'<(script|code)\b[^>]*>.*?</\1>', ' ', text, flags=re.S)
    text = html.unescape(re.sub(r'<[^>]*>', ' ', text))
    for p in sorted(pieces):
        if re.search(r'(?<!\w)' + re.escape(p.strip()) + r'(?!\w)', text):
            print(f'{page}: {p!r}')
EOF
check fr_no_english_ui_left test ! -s "$T/english-left"
[ -s "$T/english-left" ] && head -n 5 "$T/english-left"

# the English story on the French site: its own words are marked, the page is not
E="$P/stories/english/index.html"
check en_story_page_is_french grep -q '<html lang="fr-CA">' "$E"
check en_story_title_marked grep -q '<h1 lang="en">Told in English</h1>' "$E"
check en_story_summary_marked grep -q '<p class="summary" lang="en">' "$E"
check en_story_body_marked grep -q '<div class="story-body" lang="en">' "$E"
check en_story_only_its_words test "$(grep -o 'lang="en"' "$E" | wc -l)" -eq 3
check en_story_menus_unmarked grep -q '<p class="byline">Par <a href="../../contributors/casey-example/index.html">Casey Example</a></p>' "$E"
check en_card_marked grep -q '<a href="stories/english/index.html" lang="en">Told in English</a>' "$P/index.html"
check fr_stories_unmarked ! grep -q 'lang="fr"' "$P/index.html" "$P/stories/soir/index.html"

# the crisis line: the library's own, on every page
check crisis_line_everywhere test -z "$(xargs grep -L '<p class="support"><a href="https://example.org/ecoute">Ligne d’écoute entre pairs, ouverte chaque nuit</a></p>' <"$T/pages")"

# the French site through axe-core and the Nu Html Checker
SITE_KEYBOARD=no node "$B/site.mjs" "$P" "$HEARTH_ROOT/build/screenshots/i18n" 2>"$T/site.err" |
	sed 's/^\(PASS\|FAIL\) /\1 fr_/' ||
	fail fr_browser_run "site.mjs stopped: $(tail -c 800 "$T/site.err")"
if ! java -jar "$B/node_modules/vnu-jar/build/dist/vnu.jar" --errors-only --skip-non-html \
	--format text "$P" >"$T/vnu.out" 2>&1; then
	fail fr_nu_html_checker "$(head -c 1500 "$T/vnu.out")"
else
	pass fr_nu_html_checker
fi

# ---- the other way: a French story on an English site, and a language the
# theme does not have ----------------------------------------------------------
M="$T/other"
mkdir -p "$M/stories"
bundle "$M/stories" recit "Un récit en français" "$LANG_FR"
bundle "$M/stories" plain "A plain story"
L2="$T/en"
"$HEARTH" init "$L2" >/dev/null && site_address "$L2"
ok en_import -C "$L2" import "$M"
ok en_build -C "$L2" build
F="$L2/public/stories/recit/index.html"
check en_site_lang grep -q '<html lang="en">' "$F"
check fr_story_title_marked grep -q '<h1 lang="fr">Un récit en français</h1>' "$F"
check fr_story_only_its_words test "$(grep -o 'lang="fr"' "$F" | wc -l)" -eq 3
check en_menus grep -q '>Home</a>' "$F"
check en_date grep -q '>10 May 2024</time>' "$F"
check en_default_crisis_line grep -q '<p class="support">If you need support now, contact your local crisis line or emergency services.</p>' "$F"

# the library changes language: every page is made again, in English
sed -i 's/^language: fr-CA$/language: de/' "$L/hearth.yaml"
ok de_build -C "$L" build
check de_html_lang grep -q '<html lang="de">' "$P/stories/matin/index.html"
check de_falls_back_to_english grep -q '>Home</a>' "$P/stories/matin/index.html"
check de_dates_in_english grep -q '>1 May 2024</time>' "$P/stories/soir/index.html"
