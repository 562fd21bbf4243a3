# install.sh - an installed hearth finds its theme under PREFIX/share
# without being told, whatever the prefix was.
. "$(dirname "$0")/lib.sh"

I="$T/prefix"
mkdir -p "$I/bin" "$I/share/hearth/themes"
cp "$HEARTH" "$I/bin/hearth"
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
