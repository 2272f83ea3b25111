#!/bin/sh
# The demo's "application": it prints the names and the lengths of the
# settings it received, never their values.
echo "  the application received:"
for name in APP_NAME ENVIRONMENT DEBUG LOG_LEVEL DB_PASSWORD DATABASE_URL \
    SECRET_KEY API_TOKEN; do
	len=0
	if eval "[ -n \"\${$name+x}\" ]"; then
		eval "len=\${#$name}"
		printf '    %-13s %3d characters\n' "$name" "$len"
	else
		printf '    %-13s (not set)\n' "$name"
	fi
done
