#!/usr/bin/env bash
# Install what the browser test needs from Debian's packages, when missing: Chromium, its driver, and a
# Chinese and an emoji font (so that the screenshots show what staff see). Nothing is downloaded at test time; Selenium is given the
# driver's path. Without root or apt-get this only warns: the browser test then fails with one clear line.
set -uo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then need+=(fonts-wqy-microhei); fi
dpkg-query -W -f='${Status}' fonts-noto-color-emoji 2>/dev/null | grep -q "ok installed" || need+=(fonts-noto-color-emoji)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "installing test dependencies: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "warning: not root and no sudo: cannot install ${need[*]} (the browser test will fail)" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: no apt-get: install ${need[*]} by hand (the browser test will fail)" >&2
  exit 0
fi
$SUDO apt-get update -qq >/dev/null \
  && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null \
  || echo "warning: could not install ${need[*]} (the browser test will fail)" >&2
exit 0
