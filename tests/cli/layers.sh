# layers.sh - the shape of the source: the files of each folder
# call each other one way only (no circles; the order is in libraryInt.h,
# mediaInt.h, siteInt.h and pipelineInt.h), the folders include each other
# one way only, and only cli/ writes to the terminal.
. "$(dirname "$0")/lib.sh"

R="$HEARTH_ROOT"
calls="$(dirname "$0")/file_calls.py"

for d in core library media site-gen feeds pipeline serve deploy; do
	if python3 "$calls" "$R/$d" >"$OUT" 2>&1; then pass "no_circles_in_$d"; else
		fail "no_circles_in_$d" "$(grep '^circle' "$OUT")"; fi
done

# the checker sees a circle when there is one
mkdir -p "$T/circle"
printf 'void a(void);\nvoid b(void);\nvoid a(void)\n{\n\tb();\n}\n' >"$T/circle/a.c"
printf 'void a(void);\nvoid b(void)\n{\n\ta();\n}\n' >"$T/circle/b.c"
check checker_finds_a_circle ! python3 "$calls" "$T/circle"

# folders, lowest first: a folder includes the headers of folders before it
# on this list (and its own), never one after it
order="core library media feeds site-gen pipeline serve deploy cli"
rank() { i=0; for d in $order; do [ "$d" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo -1; }
: >"$OUT"
for d in $order; do
	rd=$(rank "$d")
	for f in "$R/$d"/*.[ch]; do
		for inc in $(sed -n 's|^#include "\.\./\([a-z-]*\)/.*|\1|p' "$f"); do
			ri=$(rank "$inc")
			[ "$ri" -ge 0 ] && [ "$ri" -gt "$rd" ] && echo "${f#"$R"/}: includes $inc/" >>"$OUT"
		done
	done
done
if [ -s "$OUT" ]; then fail folders_include_downwards "$(head -c 600 "$OUT")"; else pass folders_include_downwards; fi

# printing outside cli/ (comments aside): only the out-of-memory line in
# core/ before abort()
grep -rnE '\b(printf|fprintf|vfprintf|fputs|puts|putchar|fputc|perror)\(|\b(stdout|stderr)\b' \
	--include='*.c' --include='*.h' "$R/core" "$R/library" "$R/media" "$R/site-gen" "$R/feeds" "$R/pipeline" "$R/serve" "$R/deploy" |
	grep -vE ':[0-9]+:[[:space:]]*(\*|/\*|//)' | grep -v 'core/util.c:.*out of memory' >"$OUT"
if [ -s "$OUT" ]; then fail only_cli_prints "$(head -c 600 "$OUT")"; else pass only_cli_prints; fi
