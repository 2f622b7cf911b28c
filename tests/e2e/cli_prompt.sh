#!/bin/sh
# cli_prompt.sh: `latchkey connect` on a terminal (a tmux pane): missing
# fields are prompted by their label, typed non-secret values echo,
# secret ones do not (the typed password never appears in the pane), and
# the connection is made. tmux runs on a private socket, killed at the end.
. "$top_srcdir/tests/e2e/cli_env.sh"
command -v tmux >/dev/null || { not_ok "tmux is needed (apt-get install tmux)"; lk_done; }
SOCK="$T/tmux.sock"
tmx() { tmux -S "$SOCK" "$@"; }
prompt_cleanup() { tmx kill-server 2>/dev/null; cli_cleanup; }
trap prompt_cleanup EXIT

# wait_for TEXT: poll the pane until it shows TEXT (10 s at most);
# capture-pane drops trailing blanks, so "Username:" not "Username: "
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		tmx capture-pane -p -t "$S" | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "pane never showed '$1':"; tmx capture-pane -p -t "$S"
	return 1
}

# run_in_pane COMMAND...: a new session $S running the command, which
# then prints its exit status and waits to be read. Sessions are kept
# until the end (killing the last one would stop the server under us).
n=0
run_in_pane() {
	n=$((n + 1))
	S=lk$n
	tmx new-session -d -s "$S" -x 150 -y 40 \
		"env LATCHKEY_CONFIG='$LATCHKEY_CONFIG' $* ; echo EXIT=\$?; sleep 60"
}

run_in_pane "'$LK'" connect plain
check "prompts for the username by its label" wait_for "Username:"
tmx send-keys -t "$S" "alice" Enter
check "prompts for the password" wait_for "Password:"
tmx send-keys -t "$S" "wonderland" Enter
check "connect finishes" wait_for "EXIT="
pane=$(tmx capture-pane -p -t "$S")
check "connected, exit 0" has "$pane" '^EXIT=0$'
check "connected message" has "$pane" '^connected Plain ('
check "the username echoed" has "$pane" '^Username: alice$'
check "the password did not echo" lacks "$pane" wonderland
check "the password line stays empty" has "$pane" '^Password: *$'
check "stored" [ "$(json_get "$("$LK" --json connections plain)" 'len(d["data"])')" = 1 ]

# an app field declared secret (apikey's api_key), given nothing else
run_in_pane "'$LK'" connect acme
check "prompts for the API key" wait_for "API key:"
tmx send-keys -t "$S" "key-456" Enter
check "apikey connect finishes" wait_for "EXIT="
pane=$(tmx capture-pane -p -t "$S")
check "apikey connected, exit 0" has "$pane" '^EXIT=0$'
check "labelled from the test response" has "$pane" '^connected Acme Globex ('
check "the key did not echo" lacks "$pane" key-456

# a field given with -f is not asked for; a wrong password is exit 1
run_in_pane "'$LK'" connect plain -f username=alice
check "asks only for the password" wait_for "Password:"
tmx send-keys -t "$S" "not-the-password" Enter
check "failed connect finishes" wait_for "EXIT="
pane=$(tmx capture-pane -p -t "$S")
check "not asked for the username" lacks "$pane" "Username:"
check "wrong password: exit 1" has "$pane" '^EXIT=1$'
check "the wrong password did not echo" lacks "$pane" not-the-password
check "still one plain connection" [ "$(json_get "$("$LK" --json connections plain)" 'len(d["data"])')" = 1 ]

# without a terminal, no prompt: exit 2 naming the field
out=$("$LK" connect acme </dev/null 2>&1); rc=$?
check "no terminal: exit 2" [ $rc -eq 2 ]
check "no terminal: the field is named" [ "$out" = "latchkey: missing field 'api_key' (give it with -f api_key=VALUE)" ]
lk_done
