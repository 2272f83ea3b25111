#!/usr/bin/env bash
# The environment name (SPEC §4.3, revision 2): production never starts
# on a guess.  The name and its origin are stated; a policy can name the
# default; strict layers that nothing named are warned about; testing is
# lenient; the name reaches the command when withsecrets chose it.
. "$WS_SRCDIR/tests/e2e/lib.sh"

json_field() {	# json_field NAME: a top-level string field of $T/out
	sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$T/out"
}

# ---------------------------------------------- the server layout of item 1
mkdir -p srv
printf 'APP_NAME=demo\nX=2\n' >srv/.env
printf 'ENVIRONMENT=production\nDEBUG=True\n' >srv/.env.production
printf 'X=1\n' >srv/.env.example
printf 'X=1\n' >srv/.env.sample
ws -C srv --no-config --no-default-secrets-dirs -v -- env -0
is_rc 0 "nothing names the environment: the default, development"
stderr_has "warning: unnamed-environment: srv/.env.production: not read" \
	"unnamed-environment names the strict layer that was not read"
stderr_has "environment: development (default: nothing names the environment), lenient" \
	"-v states the name and why"
stderr_has "layer: srv/.env: read" "-v lists the layers read"
stderr_has "layer: srv/.env.development: not there, skipped" "and skipped"
grep -q "unnamed-environment: srv/.env.example\|unnamed-environment: srv/.env.sample" "$T/err"
ok $((! $?)) "the example and sample files are not layers"
unset_var ENVIRONMENT "the built-in default is not exported"

printf '[withsecrets]\ndefault-environment = production\n' >srv/withsecrets.ini
ws -C srv --no-default-secrets-dirs -- env -0
is_rc 78 "default-environment = production: the production rules (DEBUG)"
stderr_has "debug: DEBUG" "the debug rule stopped it"
printf 'ENVIRONMENT=production\n' >srv/.env.production
ws -C srv --no-default-secrets-dirs -- env -0
is_rc 0 "default-environment = production: .env.production read"
is_var ENVIRONMENT production "its own ENVIRONMENT line"
ws check -C srv --no-default-secrets-dirs --format=json
is "$(json_field environment)" production "check: the environment"
is "$(json_field environment_source)" default-environment "check: environment_source"
rm srv/.env.production
ws -C srv --no-default-secrets-dirs -- env -0
is_var ENVIRONMENT production "a policy's default-environment reaches the command"
ws check -C srv --no-default-secrets-dirs
stderr_has "environment: production (default-environment of srv/withsecrets.ini), strict" \
	"check states the name and its origin"
ws explain -C srv --no-default-secrets-dirs APP_NAME
stderr_has "environment: production (default-environment of" "explain states it too"
rm srv/withsecrets.ini

# ---------------------------------------------- exported to the command
mkdir -p ex
printf 'A=1\n' >ex/.env
ws -C ex --no-config --no-default-secrets-dirs -e staging -- env -0
is_var ENVIRONMENT staging "-e staging: ENVIRONMENT=staging for the command"
ws -C ex --no-config --no-default-secrets-dirs -e staging -u ENVIRONMENT -- env -0
unset_var ENVIRONMENT "-u ENVIRONMENT still removes it"
ws WITHSECRETS_ENV=qa -C ex --no-config --no-default-secrets-dirs -- env -0
is_var ENVIRONMENT qa "WITHSECRETS_ENV=qa: exported"
unset_var WITHSECRETS_ENV "WITHSECRETS_ENV itself is not passed on"
ws ENVIRONMENT= -C ex --no-config --no-default-secrets-dirs -e staging -- env -0
is_var ENVIRONMENT staging "an empty inherited ENVIRONMENT is no value"
printf 'APP_ENV=preview\n' >>ex/.env
ws -C ex --no-config --no-default-secrets-dirs -e staging -- env -0
unset_var ENVIRONMENT "APP_ENV has a value: nothing is added"
is_var APP_ENV preview "the command's own variable stays"
printf '[withsecrets]\nexport-environment = no\n' >ex/p.ini
printf 'A=1\n' >ex/.env
ws -C ex -c ex/p.ini --no-default-secrets-dirs -e staging -- env -0
unset_var ENVIRONMENT "export-environment = no"
ws ENVIRONMENT=production -C ex --no-config --no-default-secrets-dirs -- env -0
is_var ENVIRONMENT production "a name from the command's own variable is theirs"

# ---------------------------------------------- check's environment_source
for c in "-e staging|-e" "WITHSECRETS_ENV=qa|WITHSECRETS_ENV" \
    "APP_ENV=prod|environment:APP_ENV" "|default"; do
	arg=${c%%|*} want=${c#*|}
	case $arg in
	-e*) ws check -C ex --no-config --no-default-secrets-dirs --format=json -e staging ;;
	*=*) ws "$arg" check -C ex --no-config --no-default-secrets-dirs --format=json ;;
	*) ws check -C ex --no-config --no-default-secrets-dirs --format=json ;;
	esac
	is "$(json_field environment_source)" "$want" "environment_source: $want"
done
printf 'APP_ENV=staging\n' >ex/.env.local
ws check -C ex --no-config --no-default-secrets-dirs --format=json
is "$(json_field environment_source)" "ex/.env.local:APP_ENV" "environment_source: FILE:NAME"
is "$(json_field environment)" staging "named by .env.local"
rm ex/.env.local

# ---------------------------------------------- testing is lenient
mkdir -p tst
printf 'DEBUG=true\n' >tst/.env
printf 'FROM_LOCAL=1\n' >tst/.env.local
ws -C tst --no-config --no-default-secrets-dirs -e testing -- env -0
is_rc 0 "testing is lenient (Laravel's and Flask's name)"
unset_var FROM_LOCAL ".env.local is skipped for testing, as for test"
ws -C tst --no-config --no-default-secrets-dirs -e Testing -- env -0
is_rc 0 "compared without case"

# ---------------------------------------------- default-environment checked
printf '[withsecrets]\ndefault-environment = ../etc\n' >bad.ini
ws -c bad.ini --no-default-secrets-dirs -- true
is_rc 78 "default-environment takes one name"
stderr_has "bad.ini:2: default-environment takes one environment name" "said at FILE:LINE"

done_testing
