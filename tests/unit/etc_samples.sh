#!/bin/sh
# etc_samples.sh: the shipped sample apps (etc/apps.d) pass check-config
# with the built modules; a secret taken from the environment is named
# when it is missing.
. "$top_srcdir/tests/lib.sh"
LK="$top_builddir/tools/latchkey"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cp -r "$top_srcdir/etc/apps.d" "$T/apps.d"
chmod -R u+w "$T/apps.d"
cat >"$T/latchkey.conf" <<EOC
module_path = "$top_builddir/tests/moddir";
apps_dir = "apps.d";
store = { path = "$T/store"; key_file = "$T/master.key"; };
EOC
out=$(EXAMPLE_OAUTH1_CONSUMER_SECRET=kd94hf93k423kf44 "$LK" -c "$T/latchkey.conf" check-config 2>&1)
check "samples pass check-config ($out)" [ "$out" = "$T/latchkey.conf: ok" ]
for f in "$top_srcdir"/etc/apps.d/*.conf; do
	id=$(basename "$f" .conf)
	check "$id is listed" sh -c "EXAMPLE_OAUTH1_CONSUMER_SECRET=x '$LK' -c '$T/latchkey.conf' apps | grep -q '^$id '"
done
# The secret comes from the environment: unset, the sample is refused
# naming the file, the line and the variable.
out=$(env -u EXAMPLE_OAUTH1_CONSUMER_SECRET "$LK" -c "$T/latchkey.conf" check-config 2>&1); rc=$?
check "unset env secret: exit 2" [ $rc -eq 2 ]
check "unset env secret: message" [ "$out" = "latchkey: apps.d/example_oauth1.conf:13: oauth1.consumer_secret: environment variable EXAMPLE_OAUTH1_CONSUMER_SECRET is not set or empty" ]
lk_done
