# boundary.sh - the privacy boundary is the compiler's: output code
# (site-gen/, feeds/) sees the library only through library/public.h, so
# naming a private field of a story on the way to output does not compile,
# and no file there includes a header that declares the editor's records.
. "$(dirname "$0")/lib.sh"

R="$HEARTH_ROOT"
CC=${CC:-cc}
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -fsyntax-only -I$R $(pkg-config --cflags libxml-2.0 libxslt 2>/dev/null || echo -I/usr/include/libxml2)"

# snippet NAME BODY: a C file including every header output code includes
snippet() {
	cat >"$T/$1.c" <<C
#include "site-gen/site.h"
#include "site-gen/siteInt.h"
#include "feeds/feeds.h"
int probe(void);
int probe(void)
{
$2
}
C
}

snippet private '	struct lib_story s = {0};
	return s.contact != 0 || s.name != 0;'
check private_story_fields_do_not_compile ! $CC $CFLAGS "$T/private.c"

snippet asset '	struct lib_asset a = {0};
	return a.filename != 0;'
check private_asset_fields_do_not_compile ! $CC $CFLAGS "$T/asset.c"

snippet intake '	return media_intake(0, "x", "x", 0, 0, 0);'
check intake_calls_do_not_compile ! $CC $CFLAGS -Werror=implicit-function-declaration "$T/intake.c"

snippet public '	struct pub_story p = {0};
	const struct pub_asset *s = p.sound;
	return (p.byline != 0) + (s ? (int)s->role : ROLE_AUDIO) + (int)sizeof(struct pub_collection);'
check public_records_compile $CC $CFLAGS "$T/public.c"

# and by the include lines themselves, in every file of site-gen/ and feeds/,
# and of deploy/, which publishes the built files and reads no record
includes_private() {
	grep -lE '#include[[:space:]]+"[^"]*(library/library\.h|library/libraryInt\.h|media/intake\.h|media/mediaInt\.h)"' \
		"$R"/site-gen/*.[ch] "$R"/feeds/*.[ch] "$R"/deploy/*.[ch]
}
check output_code_includes_no_private_header ! includes_private
check output_code_includes_public_h grep -q '#include "../library/public.h"' "$R/site-gen/site.h"
