# feeds_bad.sh - a podcast build the directories would refuse is refused
# first: no show image, no owner email, init's placeholder address, a
# category Apple does not know, a language that is not a BCP 47 tag, a
# licence that is not SPDX (and has no address), a summary past Apple's
# limit, a serial show's settings in a collection file that make no
# sense. Each is an error naming the setting, or the story and the field,
# and the site already published stays exactly as it was.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
C="$T/content"
P="$L/public"

"$HEARTH" init "$L" >/dev/null
site_address "$L"
mkdir -p "$C"
tone "$T/voice.flac" 1
bundle "$C" spoken "Spoken" "audio: voice.flac"
cp "$T/voice.flac" "$C/spoken/"
ok import -C "$L" import "$C/spoken"
ok good_build -C "$L" build
cp "$L/hearth.yaml" "$T/good.yaml"
published=$(tree_hash "$P")

# bad NAME PATTERN SED: the settings changed by SED refuse the build with a
# message matching PATTERN, and the published site is untouched
bad() {
	cp "$T/good.yaml" "$L/hearth.yaml"
	sed -i "$3" "$L/hearth.yaml"
	refuses "$1" 1 "$2" -C "$L" build
	check "$1_site_untouched" test "$(tree_hash "$P")" = "$published"
}

bad no_show_image "podcast\.image: is missing" '/^  image: /d'
bad no_owner_email "podcast\.owner\.email: is missing" 's/^  owner: .*/  owner: {name: The editors}/'
bad placeholder_address "base_url: 'https://example\.org' is the placeholder" \
	's|^base_url: .*|base_url: "https://example.org"|'
bad unknown_category "podcast\.category.*Health & Fitness" 's/^  category: .*/  category: Health/'
bad unknown_subcategory "podcast\.subcategory" 's/^  subcategory: .*/  subcategory: Therapy/'
bad not_a_language "language" 's/^language: .*/language: english/'
bad not_a_licence "podcast\.license" 's/^  license: .*/  license: whatever/'
bad licence_url_not_https "podcast\.license_url" \
	's|^  license: .*|  license: Our own\n  license_url: http://example.net/licence|'
bad malformed_owner_email "podcast\.owner\.email" 's/email: editors@example.net/email: editors/'
bad malformed_rrule "podcast\.update_frequency\.rrule" \
	'/^podcast:$/a\  update_frequency: {text: Weekly, rrule: every week}'
bad zero_archive "feeds\.archive_after" '$a feeds:\n  archive_after: 0'
cp "$T/good.yaml" "$L/hearth.yaml"

# a summary past Apple's 4000 bytes once escaped as HTML (900 characters,
# within the library's own limit, but each '&' is five bytes): the story and the field
python3 - "$C/spoken/story.md" <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
open(sys.argv[1], "w").write(re.sub(r"(?m)^summary: .*$", 'summary: "' + "&" * 900 + '"', text))
PYEOF
ok import_long_summary -C "$L" import "$C/spoken"
refuses long_summary 1 "Spoken.*description|description.*Spoken" -C "$L" build
check long_summary_site_untouched test "$(tree_hash "$P")" = "$published"

# a collection's type is serial or episodic, and the message says which line
mkdir -p "$T/c2/collections"
printf 'title: Saga\ntype: sequential\npodcast: yes\nstories: [spoken]\n' >"$T/c2/collections/saga.yaml"
refuses bad_collection_type 1 "saga\.yaml: line 2: type: expected serial or episodic" \
	-C "$L" import "$T/c2"
check site_still_untouched test "$(tree_hash "$P")" = "$published"
