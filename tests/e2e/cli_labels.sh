#!/bin/sh
# cli_labels.sh: numbering and labels ("Plain", "Plain #2"; "GitHub #2
# alice" from a label template), numbers never reused after remove,
# owners kept apart through --owner and LATCHKEY_OWNER, show and remove.
. "$top_srcdir/tests/e2e/cli_env.sh"

# conn APP USER PASS [ARGS...]: connect, print the JSON answer
conn() {
	app=$1 user=$2 pass=$3
	shift 3
	"$LK" --json "$@" connect "$app" -f username="$user" -f password="$pass"
}
label_of() { json_get "$1" 'd["label"]'; }

a=$(conn plain alice wonderland)
b=$(conn plain alice wonderland)
c=$(conn plain alice wonderland)
check "first: Plain" [ "$(label_of "$a")" = "Plain" ]
check "second: Plain #2" [ "$(label_of "$b")" = "Plain #2" ]
check "third: Plain #3" [ "$(label_of "$c")" = "Plain #3" ]
check "numbers 1 2 3" [ "$(json_get "$a" 'd["number"]')$(json_get "$b" 'd["number"]')$(json_get "$c" 'd["number"]')" = "123" ]
# a UTF-8 account (RFC 7617) through the command
g1=$(conn github "j$(printf '\303\274')rgen" "p$(printf '\303\244')ssw$(printf '\303\266')rd")
g2=$(conn github alice wonderland)
check "template label: GitHub jürgen" [ "$(label_of "$g1")" = "GitHub j$(printf '\303\274')rgen" ]
check "template label: GitHub #2 alice" [ "$(label_of "$g2")" = "GitHub #2 alice" ]

# the text listing: by app then number, the labels as computed
out=$("$LK" connections)
check "text listing header" has "$(printf '%s\n' "$out" | head -1)" '^ID  *APP  *LABEL  *STATUS$'
check "text listing order" [ "$(printf '%s\n' "$out" | sed 1d | awk '{print $2}' | tr '\n' ' ')" = "github github plain plain plain " ]
check "text listing labels" has "$out" ' GitHub #2 alice  *active$'

# remove #2: the next connection is #4, never #2 again (ids are
# base64url: some start with '-', which must still work as an argument)
B=$(json_get "$b" 'd["id"]')
out=$("$LK" remove "$B"); rc=$?
check "remove exits 0" [ $rc -eq 0 -a "$out" = "removed $B" ]
"$LK" show "$B" >/dev/null 2>&1; rc=$?
check "a removed connection is gone: exit 2" [ $rc -eq 2 ]
for c1 in show test remove call; do
	extra=
	[ "$c1" = call ] && extra="GET $LKP_BASE/basic/user"
	out=$("$LK" "$c1" -AAAAAAAAAAAAAAAAAAAAA $extra 2>&1)
	check "$c1 takes an id starting with '-'" [ "$out" = "latchkey: connection -AAAAAAAAAAAAAAAAAAAAA: not found" ]
done
d=$(conn plain alice wonderland)
check "after remove: Plain #4" [ "$(label_of "$d")" = "Plain #4" ]
check "numbers after remove" [ "$(json_get "$("$LK" --json connections plain)" '[c["number"] for c in d["data"]]')" = "[1, 3, 4]" ]
out=$("$LK" --json remove "$(json_get "$d" 'd["id"]')")
check "remove --json" [ "$(json_get "$out" 'd["removed"]')" = "$(json_get "$d" 'd["id"]')" ]

# show: non-secret fields, "(secret)" for the password, the test response
G2=$(json_get "$g2" 'd["id"]')
out=$("$LK" show "$G2")
check "show: label" has "$out" '^label: GitHub #2 alice$'
check "show: username" has "$out" '^  username: alice$'
check "show: password hidden" has "$out" '^  password: (secret)$'
check "show: no password" lacks "$out" wonderland
check "show: test response" has "$out" '"login":[[:space:]]*"alice"'
out=$("$LK" --json show "$G2")
check "show --json" [ "$(json_get "$out" '(d["owner"], d["number"], d["status"], d["fields"], d["test"])')" = "('default', 2, 'active', {'username': 'alice', 'password': '(secret)'}, {'login': 'alice', 'id': 1})" ]

# owners: LATCHKEY_OWNER and --owner (--owner wins)
o=$(LATCHKEY_OWNER=bob conn plain alice wonderland)
check "bob's first is Plain (numbers are per owner)" [ "$(label_of "$o")" = "Plain" -a "$(json_get "$o" 'd["number"]')" = 1 ]
O=$(json_get "$o" 'd["id"]')
check "LATCHKEY_OWNER=bob sees one connection" [ "$(LATCHKEY_OWNER=bob "$LK" --json connections | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print([(c["owner"], c["label"]) for c in d])')" = "[('bob', 'Plain')]" ]
check "--owner bob sees the same" [ "$("$LK" --json --owner bob connections)" = "$(LATCHKEY_OWNER=bob "$LK" --json connections)" ]
check "--owner wins over LATCHKEY_OWNER" [ "$(LATCHKEY_OWNER=bob "$LK" --json --owner carol connections)" = '{"data":[]}' ]
check "default does not list bob's" lacks "$("$LK" --json connections)" "$O"
"$LK" show "$O" >/dev/null 2>&1; rc=$?
check "default cannot show bob's: exit 2" [ $rc -eq 2 ]
out=$("$LK" --json call "$O" GET "$LKP_BASE/basic/user"); rc=$?
check "default cannot call with bob's: exit 2" [ $rc -eq 2 -a "$(json_get "$out" 'd["error"]["code"]')" = ENOTFOUND ]
"$LK" remove "$O" >/dev/null 2>&1; rc=$?
check "default cannot remove bob's: exit 2" [ $rc -eq 2 ]
check "bob's is still there" [ "$("$LK" --owner bob show "$O" | sed -n 1p)" = "id: $O" ]
check "bob can call with it" has "$(LATCHKEY_OWNER=bob "$LK" call "$O" GET "$LKP_BASE/basic/user")" '"login"'
check "bob removes it" "$LK" --owner bob remove "$O" >/dev/null
# an owner is any string (a host's user id): encoded, never a path
odd='../../evil owner/é'
o=$(conn plain alice wonderland --owner "$odd")
check "an odd owner connects" [ "$(label_of "$o")" = "Plain" ]
check "its listing shows the owner as given" [ "$(json_get "$("$LK" --json --owner "$odd" connections)" 'd["data"][0]["owner"]')" = "$odd" ]
check "nothing written outside the store" [ -z "$(find "$T" -newer "$T/latchkey.conf" -path '*evil*' ! -path "$T/store/*")" ]
check "default still cannot see it" lacks "$("$LK" --json connections)" "$(json_get "$o" 'd["id"]')"
lk_done
