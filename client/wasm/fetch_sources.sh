#!/bin/sh
# Debian's source packages of the booth's C dependencies (libsodium, GMP,
# protobuf-c), for client/wasm/CMakeLists.txt: unpacked, with Debian's
# patches, under DIR. apt-get reads a private copy of the machine's own
# Debian sources, turned into deb-src, kept under DIR with its own lists:
# the system's apt configuration is not changed.
#   fetch_sources.sh DIR PACKAGE...
set -eu
mkdir -p "$1"
dir=$(cd "$1" && pwd)
shift
apt_dir="$dir/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/sourceparts"

# The machine's Debian sources, as deb-src.
: >"$apt_dir/sourceparts/vybar-src.sources"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	grep -q '^URIs:.*debian' "$f" || continue
	sed -e 's/^Types:.*/Types: deb-src/' "$f" >>"$apt_dir/sourceparts/vybar-src.sources"
	echo >>"$apt_dir/sourceparts/vybar-src.sources"
done
if [ -f /etc/apt/sources.list ]; then
	sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list >"$apt_dir/sourceparts/vybar-src.list"
fi

touch "$apt_dir/sources.list"
opts="-o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=$apt_dir/sourceparts
 -o Dir::State::Lists=$apt_dir/lists -o Dir::Cache::Archives=$apt_dir/archives
 -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get -qq $opts update
cd "$dir"
for p in "$@"; do
	# shellcheck disable=SC2086
	ls -d "$p"-*/ >/dev/null 2>&1 || apt-get -qq $opts source "$p"
done
