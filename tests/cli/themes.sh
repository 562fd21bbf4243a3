# themes.sh - a library's own theme, as docs/themes.md shows it: the worked
# example's files are taken from the document itself and built. The
# overridden footer, string and colour are on the pages and the rest is
# the default theme's; editing the theme's string or template makes the
# pages again; --theme still wins; a theme of strings alone works; a
# theme that reads a file outside the themes, or writes one, is refused.
. "$(dirname "$0")/lib.sh"

DOC="$HEARTH_ROOT/docs/themes.md"
L="$T/lib"
mkdir -p "$T/content/stories"
bundle "$T/content/stories" one "The first story"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
ok import -C "$L" import "$T/content"

# the worked example: every block after a "<!-- file: NAME -->" line
python3 - "$DOC" "$L" "$HEARTH_THEME_DIR" <<'EOF'
import os, re, subprocess, sys
doc, lib, default = sys.argv[1:]
text = open(doc, encoding='utf-8').read()
for name, body in re.findall(r'<!-- file: ([^>]*?) -->\n```[a-z]*\n(.*?)```', text, re.S):
    if name == 'hearth.yaml (appended)':
        with open(os.path.join(lib, 'hearth.yaml'), 'a') as f:
            f.write(body)
    elif name.endswith('(from the default)'):
        cmd = body.replace('themes/default/', default.rstrip('/') + '/')
        os.makedirs(os.path.join(lib, 'themes/ours'), exist_ok=True)
        subprocess.run(cmd, shell=True, cwd=lib, check=True)
    else:
        path = os.path.join(lib, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, 'w', encoding='utf-8').write(body)
EOF
check example_files_made test -s "$L/themes/ours/page.xsl" -a -s "$L/themes/ours/strings/en.xml" \
	-a -s "$L/themes/ours/style.css"
ok example_builds -C "$L" build
P="$L/public"
check footer_overridden grep -q '<p class="thanks">Made by the volunteers of the Riverside peer circle.</p>' "$P/index.html"
check footer_keeps_crisis_line grep -q '<p class="support">If you need support now' "$P/stories/one/index.html"
check footer_old_words_gone ! grep -q "shared with the storyteller's consent" "$P/index.html"
check string_overridden grep -q '>Listen in your app</a>' "$P/stories/one/index.html"
check other_strings_default grep -q '>Home</a>' "$P/stories/one/index.html"
check colour_published grep -q -- '--link: #1d5c2e;' "$P/style.css"
check no_theme_namespace_left ! grep -q 'urn:hearth:theme' "$P/index.html"

# editing the theme makes the pages again
sed -i 's/Listen in your app/Listen wherever you like/' "$L/themes/ours/strings/en.xml"
ok string_edit_builds -C "$L" build
check string_edit_on_every_page test -z "$(grep -L 'Listen wherever you like' "$P/index.html" "$P/stories/one/index.html" "$P/404.html")"
sed -i 's/Made by the volunteers/Kept by the volunteers/' "$L/themes/ours/strings/en.xml"
sed -i 's/<p class="thanks">/<p class="thanks" id="thanks">/' "$L/themes/ours/page.xsl"
ok template_edit_builds -C "$L" build
check template_edit_published grep -q '<p class="thanks" id="thanks">Kept by the volunteers' "$P/stories/one/index.html"

# in French: the default French words, and English for what the theme has only in English
sed -i 's/^language: en$/language: fr/' "$L/hearth.yaml"
ok french_builds -C "$L" build
check french_default_words grep -q '>Flux du podcast</a>' "$P/index.html"
check french_falls_back_to_theme_english grep -q 'Kept by the volunteers' "$P/index.html"
sed -i 's/^language: fr$/language: en/' "$L/hearth.yaml"

# --theme wins over site.theme
ok option_wins -C "$L" build --theme "$HEARTH_THEME_DIR"
check option_theme_used grep -q "shared with the storyteller's consent" "$P/index.html"

# a theme of strings alone: the default templates with its words
mkdir -p "$L/themes/words/strings"
printf '<strings lang="en"><s id="nav.home">Front page</s></strings>\n' \
	>"$L/themes/words/strings/en.xml"
sed -i 's/^  theme: ours$/  theme: words/' "$L/hearth.yaml"
ok strings_only_builds -C "$L" build
check strings_only_used grep -q '>Front page</a>' "$P/index.html"

# a theme folder that is not there, or a name that is not a folder's
sed -i 's/^  theme: words$/  theme: missing/' "$L/hearth.yaml"
refuses missing_theme_refused 1 "themes/missing" -C "$L" build
sed -i 's/^  theme: missing$/  theme: ..\/up/' "$L/hearth.yaml"
refuses theme_name_checked 1 "site.theme" -C "$L" build
sed -i '/^  theme: /d' "$L/hearth.yaml"

# a theme may not read a file outside the themes, nor write one
printf '<secret>do-not-publish</secret>\n' >"$T/secret.xml"
mkdir -p "$T/reads" "$T/writes"
cat >"$T/reads/page.xsl" <<EOF
<?xml version="1.0"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="hearth:default/page.xsl"/>
  <xsl:template name="head-extra">
    <meta name="x" content="{document('$T/secret.xml')/secret}"/>
  </xsl:template>
</xsl:stylesheet>
EOF
refuses outside_read_refused 1 "secret.xml" -C "$L" build --theme "$T/reads" -o "$T/out-reads"
check outside_read_not_published ! grep -rq "do-not-publish" "$T/out-reads" "$P"
cat >"$T/writes/page.xsl" <<EOF
<?xml version="1.0"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:exsl="http://exslt.org/common" extension-element-prefixes="exsl">
  <xsl:import href="hearth:default/page.xsl"/>
  <xsl:template name="head-extra">
    <exsl:document href="$T/written.html"><p>x</p></exsl:document>
  </xsl:template>
</xsl:stylesheet>
EOF
refuses exsl_document_refused 1 "page.xsl" -C "$L" build --theme "$T/writes" -o "$T/out-writes"
sed -i 's|<exsl:document href="\([^"]*\)"><p>x</p></exsl:document>|<xsl:result-document href="\1"><p>x</p></xsl:result-document>|' \
	"$T/writes/page.xsl"
refuses result_document_refused 1 "xsl:result-document" -C "$L" build --theme "$T/writes" -o "$T/out-writes"
sed -i 's|xsl:result-document|xsl:document|g' "$T/writes/page.xsl"
refuses xsl_document_refused 1 "page.xsl" -C "$L" build --theme "$T/writes" -o "$T/out-writes"
check write_made_nothing test ! -e "$T/written.html"
