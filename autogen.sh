#!/bin/sh
# Generate ./configure from configure.ac and Makefile.am.
set -e
cd "$(dirname "$0")"
mkdir -p build-aux m4
autoreconf --install --force
# The TAP driver the tests use ships with automake, not with autoreconf.
cp "$(automake --print-libdir)/tap-driver.sh" build-aux/
