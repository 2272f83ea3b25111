#!/bin/sh
# Install what building and testing withsecrets needs on Debian or
# Ubuntu: the toolchain, libsodium, inih, and the programs the test
# suite runs (PostgreSQL's server and psql, python3 for the .env
# conformance runner).  Uses sudo when not run as root.
set -eu
if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
	build-essential autoconf automake pkg-config \
	libsodium-dev libinih-dev \
	python3 postgresql postgresql-client mandoc "$@" >/dev/null
