#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages allocrun's examples and tests use: the allocators,
# their tools, a C compiler, and what the cross-checks compare against.
set -euo pipefail
packages=(
  gcc libc6-dev binutils make file time   # compile examples and the launcher; /usr/bin/time
  libjemalloc2 libjemalloc-dev            # jemalloc + jeprof
  libgoogle-perftools4 google-perftools libgoogle-perftools-dev libtcmalloc-minimal4  # tcmalloc, libprofiler, google-pprof
  libmimalloc2.0 libmimalloc-dev          # mimalloc
  libc-devtools                           # memusage (libmemusage.so ships in libc6)
  golang-go graphviz                      # go tool pprof cross-check, Go binaries for doctor; dot
  gdb                                     # live-process dumps
  libc6-dbg                               # debug symbols for libc frames (report golden files)
  python3-minimal                         # a real Debian program for the analysis cross-check with jeprof
  chromium                                # the compare HTML report is checked in headless Chromium
  gcc-multilib musl-tools libcap2-bin     # doctor tests: 32-bit and musl programs, file capabilities
  redis-server                            # doctor test: a Debian program linked against jemalloc
  librust-jemalloc-sys-dev                # doctor test: jemalloc source, built _rjem_-prefixed like tikv-jemallocator
  jq                                      # heap-at-peak test: a real program that frees everything before exit
  tmux                                    # compare test: Ctrl-C in a real terminal
  groff-base                              # the generated man page is rendered with groff -ww
)
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ -n "${ALLOCRUN_EXTRA_PACKAGES:-}" ] && missing+=($ALLOCRUN_EXTRA_PACKAGES)
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "system packages ready"
