# editor.sh - hearth editor: accounts for the console. The password comes
# from the terminal (asked twice, never echoed) or from the first line of
# standard input, never from the command line; it is stored only as an
# Argon2id hash; names follow the rules; remove and passwd end sessions;
# every change is audited; bad use is a usage error.
. "$(dirname "$0")/lib.sh"

L="$T/lib"
"$HEARTH" init "$L" >/dev/null && site_address "$L"
PW="correct horse battery"
printf '%s\n' "$PW" >"$T/pw"
printf 'short\n' >"$T/short"
printf 'another long password\n' >"$T/pw2"

ok add_from_stdin -C "$L" editor add jo <"$T/pw"
check add_says_so grep -q "editor jo added" "$OUT"
check password_not_printed ! grep -q "$PW" "$OUT" "$ERR"
check stored_as_argon2id test "$(sqlite3 "$L/hearth.db" \
	"SELECT substr(password_hash, 1, 10) FROM editors WHERE name = 'jo'")" = '$argon2id$'
check password_not_in_db ! grep -aq "$PW" "$L/hearth.db"
check password_not_in_export sh -c "'$HEARTH' -C '$L' export --private | grep -q '$PW'; test \$? -ne 0"
refuses add_twice 1 "already exists" -C "$L" editor add jo <"$T/pw"
refuses short_password 1 "at least 10 characters" -C "$L" editor add sam <"$T/short"
refuses bad_name 1 "letters, digits" -C "$L" editor add "sam smith" <"$T/pw"
refuses no_password 1 "first line of standard input" -C "$L" editor add sam </dev/null
refuses password_not_from_argv 2 "one editor name" -C "$L" editor add sam "$PW"
refuses unknown_action 2 "expected add, remove, passwd or list" -C "$L" editor rename jo
refuses no_action 2 "expected add, remove, passwd or list" -C "$L" editor
check refusals_made_nothing test "$(sqlite3 "$L/hearth.db" "SELECT count(*) FROM editors")" -eq 1

ok add_second -C "$L" editor add sam.o_k-1 <"$T/pw2"
ok list -C "$L" editor list
check list_names_both sh -c "grep -q '^jo ' '$OUT' && grep -q '^sam.o_k-1 ' '$OUT'"
check list_shows_no_hash ! grep -q 'argon2' "$OUT"

# a session, as the console makes one, ends when the password changes
sqlite3 "$L/hearth.db" "INSERT INTO sessions (token_hash, editor_id, created_at, expires_at)
	SELECT printf('%064d', 1), id, 0, 4000000000 FROM editors WHERE name = 'jo'"
ok passwd -C "$L" editor passwd jo <"$T/pw2"
check passwd_changed_hash test "$(sqlite3 "$L/hearth.db" "SELECT count(DISTINCT password_hash) FROM editors")" -eq 2
check passwd_ends_sessions test "$(sqlite3 "$L/hearth.db" "SELECT count(*) FROM sessions")" -eq 0
refuses passwd_unknown 1 "no editor 'nobody'" -C "$L" editor passwd nobody <"$T/pw"

sqlite3 "$L/hearth.db" "INSERT INTO sessions (token_hash, editor_id, created_at, expires_at)
	SELECT printf('%064d', 2), id, 0, 4000000000 FROM editors WHERE name = 'sam.o_k-1'"
ok remove -C "$L" editor remove sam.o_k-1
check removed test "$(sqlite3 "$L/hearth.db" "SELECT count(*) FROM editors")" -eq 1
check remove_ends_sessions test "$(sqlite3 "$L/hearth.db" "SELECT count(*) FROM sessions")" -eq 0
refuses remove_unknown 1 "no editor 'sam.o_k-1'" -C "$L" editor remove sam.o_k-1

# every change is in the audit log, with who made it
check audited test "$(sqlite3 "$L/hearth.db" "SELECT group_concat(action, ' ') FROM audit
	WHERE action LIKE 'editor%' ORDER BY id")" = "editor_add editor_add editor_passwd editor_remove"
check audit_has_no_password ! sh -c "sqlite3 '$L/hearth.db' 'SELECT detail FROM audit' | grep -q '$PW'"

# at a terminal: asked twice, not echoed; two different answers change nothing
cat >"$T/askpass_pty.py" <<'PY'
import os, pty, sys, time, select
hearth, lib, name, first, second = sys.argv[1:6]
pid, fd = pty.fork()
if pid == 0:
    os.execv(hearth, [hearth, "-C", lib, "editor", "add", name])
out = b""
answers = [first, second]
deadline = time.time() + 60
# a prompt says "password" once ("new password for", "the same password again")
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 1)
    if not r:
        continue
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    # answer each prompt once, when it has been shown
    if answers and out.count(b"password") > 2 - len(answers) and out.endswith(b": "):
        os.write(fd, (answers.pop(0) + "\n").encode())
if time.time() >= deadline:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
python3 "$T/askpass_pty.py" "$HEARTH" "$L" ana "tty password one" "tty password one" >"$OUT" 2>&1
check tty_add_ok test $? -eq 0
check tty_asked_twice sh -c "grep -q 'new password for ana' '$OUT' && grep -q 'the same password again' '$OUT'"
check tty_no_echo ! grep -q "tty password one" "$OUT"
python3 "$T/askpass_pty.py" "$HEARTH" "$L" bo "tty password one" "tty password two" >"$OUT" 2>&1
check tty_mismatch_refused test $? -eq 1
check tty_mismatch_says grep -q "the two passwords differ" "$OUT"
check tty_mismatch_made_nothing test "$(sqlite3 "$L/hearth.db" "SELECT count(*) FROM editors WHERE name = 'bo'")" -eq 0

ok help -C "$L" editor --help
check help_says_stdin grep -q "standard input" "$OUT"
cleanup
