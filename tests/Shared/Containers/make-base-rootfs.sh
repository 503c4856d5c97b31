#!/usr/bin/env bash
# Writes to stdout a tar of a minimal root file system that runs .NET and ASP.NET Core apps: this machine's .NET
# runtimes and the shared libraries they (and the apps' native libraries) load. No base image can be pulled here,
# so the container tests `docker import` this as their stand-in for mcr.microsoft.com/dotnet/aspnet.
# Usage: make-base-rootfs.sh [extra native library or folder...]
set -euo pipefail
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
rootfs="$(mktemp -d)"
chmod 755 "$rootfs"
trap 'rm -rf "$rootfs"' EXIT

mkdir -p "$rootfs/usr/share/dotnet" "$rootfs/usr/bin" "$rootfs/tmp" "$rootfs/etc"
chmod 1777 "$rootfs/tmp"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$rootfs/usr/share/dotnet/"
mkdir -p "$rootfs/usr/share/dotnet/shared"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$rootfs/usr/share/dotnet/shared/"
ln -s /usr/share/dotnet/dotnet "$rootfs/usr/bin/dotnet"
printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1654:1654:app:/app:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:1654:\n' > "$rootfs/etc/group"

# Every ELF file's shared-library closure, plus the libraries .NET opens by name at run time (OpenSSL, zlib). Only
# system libraries are taken: an app brings its own native libraries.
libraries() {
  find "$rootfs/usr/share/dotnet" "$@" -type f \( -name '*.so*' -o -name dotnet \) -print0 | xargs -0 ldd 2>/dev/null \
    | awk '/=> \// { print $3 } /^[ \t]*\/lib/ { print $1 }' | grep -E '^/(usr/)?lib(64)?/'
  for name in libssl.so.3 libcrypto.so.3 libz.so.1; do
    ldconfig -p | awk -v n="$name" '$1 == n && /x86-64/ { print $NF; exit }'
  done
}
# usr-merged like Debian and Ubuntu: /lib and /lib64 are links into /usr, each library stored once under its real
# path with its soname beside it as a link.
mkdir -p "$rootfs/usr/lib/x86_64-linux-gnu" "$rootfs/usr/lib64"
ln -s usr/lib "$rootfs/lib"
ln -s usr/lib64 "$rootfs/lib64"
ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$rootfs/usr/lib64/ld-linux-x86-64.so.2"
for library in $(libraries "$@" | sort -u); do
  real="$(readlink -f "$library")"
  cp -n "$real" "$rootfs$real"
  [ "$(basename "$library")" = "$(basename "$real")" ] || ln -sf "$(basename "$real")" "$rootfs$(dirname "$real")/$(basename "$library")"
done
tar -C "$rootfs" --numeric-owner -cf - .
