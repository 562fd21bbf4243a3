# install.sh - an installed hearth finds hearth-media under PREFIX/libexec
# and its theme under PREFIX/share without being told, whatever the prefix
# was, laid out as `make install` lays it out.
. "$(dirname "$0")/lib.sh"

I="$T/prefix"
mkdir -p "$I/bin" "$I/libexec" "$I/share/hearth/themes"
cp "$HEARTH" "$I/bin/hearth"
cp "$(dirname "$HEARTH")/hearth-media" "$I/libexec/hearth-media"
cp -R "$HEARTH_ROOT/themes/default" "$I/share/hearth/themes/default"
"$I/bin/hearth" init "$T/lib" >/dev/null && site_address "$T/lib"
mkdir -p "$T/c"
bundle "$T/c" one "One story"
"$I/bin/hearth" -C "$T/lib" import "$T/c/one" >/dev/null
env -u HEARTH_THEME_DIR "$I/bin/hearth" -C "$T/lib" build >"$OUT" 2>"$ERR"
check installed_finds_theme test $? -eq 0
check installed_builds_page test -s "$T/lib/public/stories/one/index.html"
rm -rf "$I/share"
env -u HEARTH_THEME_DIR "$I/bin/hearth" -C "$T/lib" build >"$OUT" 2>"$ERR"
check no_theme_is_clear_error grep -q "theme" "$ERR"

# the Makefile's install rule puts both programs and the theme there
make -s -C "$HEARTH_ROOT" -n install PREFIX=/opt/h DESTDIR="$T/dest" >"$T/rules" 2>/dev/null
check install_rule_lean grep -q "bin/hearth" "$T/rules"
check install_rule_media grep -q "/opt/h/libexec/hearth-media" "$T/rules"
