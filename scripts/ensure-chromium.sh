#!/bin/sh
# Makes sure Debian's chromium is installed, for the console's browser test (playwright-core drives
# it; no browser download). Idempotent: does nothing when /usr/bin/chromium is there. Installing
# needs root (CI machines of this kind run as root); anything else fails with what to do.
set -eu
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: $CHROMIUM is missing and this is not root: run 'apt-get install -y chromium' as root" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and there is no apt-get: install Chromium at $CHROMIUM" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get installed chromium but $CHROMIUM is not there" >&2
  exit 1
fi
echo "ensure-chromium: installed $($CHROMIUM --version 2>/dev/null || echo chromium)"
