# basics.sh - the program's surface: help, usage errors, exit codes, init.
. "$(dirname "$0")/lib.sh"

ok help_lists_commands help
for c in init import submit list show review publish withdraw consent collection build export; do
	grep -q "^  $c " "$OUT" || fail "help_lists_$c" "missing from 'hearth help'"
done
pass help_lists_every_command

for c in init import submit list show review publish withdraw consent collection build export help; do
	run "$c" --help
	if [ "$RC" -ne 0 ] || ! grep -q "usage: hearth $c" "$OUT"; then
		fail "help_$c" "'hearth $c --help' gave $RC"
	fi
done
pass every_command_has_help

run nosuchcommand
check unknown_command_is_usage_error test "$RC" -eq 2
run
check no_command_is_usage_error test "$RC" -eq 2

refuses init_unknown_option 2 "unknown option" init "$T/lib2" --bogus
run init "$T/lib"
check init_creates_library test -f "$T/lib/hearth.db" -a -f "$T/lib/hearth.yaml" -a -d "$T/lib/store"
refuses init_again_refused 1 "already|exists" init "$T/lib"
refuses unknown_option_is_usage 2 "unknown option" -C "$T/lib" list --bogus
refuses bad_status_is_usage 2 "unknown status" -C "$T/lib" list --status nope
ok list_empty_library -C "$T/lib" list
HEARTH_DIR="$T/lib" "$HEARTH" list >/dev/null 2>&1
check hearth_dir_selects_library test $? -eq 0
refuses no_library_says_init 1 "hearth init" -C "$T/none" list
refuses show_unknown_story 1 "nosuch" -C "$T/lib" show nosuch
refuses missing_slug_is_usage 2 "slug" -C "$T/lib" publish
