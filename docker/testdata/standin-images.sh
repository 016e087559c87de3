#!/usr/bin/env bash
# Builds stand-in images for the Docker provider's opt-in tests on a machine
# whose Docker engine cannot reach a registry. They carry the upstream
# images' ports, entrypoints and readiness signals, not the upstream
# servers: ClickHouse is moose-dev's embedded engine (chDB behind the HTTP
# interface and the native protocol), Redpanda is kfake, Temporal only listens. With network access,
# run the tests against the real images instead (leave the variables unset).
#
#   bash docker/testdata/standin-images.sh
#   export MOOSE_DEV_CLICKHOUSE_IMAGE=moose-dev-standin/clickhouse:test \
#          MOOSE_DEV_REDPANDA_IMAGE=moose-dev-standin/redpanda:test \
#          MOOSE_DEV_TEMPORAL_IMAGE=moose-dev-standin/temporal:test
#   MOOSE_DOCKER_TESTS=1 go test ./docker/ -run Docker
#
# Needs: a Docker engine, busybox (Debian's busybox-static), the chDB library
# (moose-dev setup).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
busybox=$(command -v busybox)
lib=$(cd "$root" && go run ./cmd/moose-dev setup 2>&1 | grep -o '/[^ ]*libchdb.so' | tail -1)

# rootfs DIR BINARY...: busybox, the binaries and every library they load.
rootfs() {
	local dir=$1
	shift
	mkdir -p "$dir/bin" "$dir/usr/bin" "$dir/tmp" "$dir/etc"
	cp "$busybox" "$dir/bin/busybox"
	for a in sh env grep sleep cat awk nc ls; do ln -sf busybox "$dir/bin/$a"; done
	printf '#!/bin/sh\nexec /bin/sh "$@"\n' >"$dir/bin/bash" # busybox has no bash applet
	chmod +x "$dir/bin/bash"
	ln -sf ../../bin/busybox "$dir/usr/bin/env"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
	echo 'root:x:0:' >"$dir/etc/group"
	for bin in "$@"; do
		ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' | while read -r so; do
			mkdir -p "$dir$(dirname "$so")"
			cp -L "$so" "$dir$so"
		done
	done
}

build() { # NAME DIR
	printf 'FROM scratch\nCOPY . /\nENTRYPOINT ["/entrypoint.sh"]\n' >"$2/Dockerfile"
	docker build -q -t "moose-dev-standin/$1:test" "$2"
}

(cd "$root" && go build -o "$work/moose-dev" ./cmd/moose-dev && CGO_ENABLED=0 go build -o "$work/standin" ./docker/internal/standin)

ch=$work/clickhouse
rootfs "$ch" "$work/moose-dev" "$lib"
cp "$work/moose-dev" "$ch/moose-dev"
cp "$lib" "$ch/libchdb.so"
cat >"$ch/entrypoint.sh" <<'SH'
#!/bin/sh
mkdir -p /var/lib/clickhouse
export MOOSE_DEV_CHDB_CHILD=1 MOOSE_DEV_CHDB_CHILD_LIB=/libchdb.so MOOSE_DEV_CHDB_CHILD_DATA=/var/lib/clickhouse \
	MOOSE_DEV_CHDB_CHILD_LISTEN=0.0.0.0:8123 MOOSE_DEV_CHDB_CHILD_NATIVE=0.0.0.0:9000 \
	MOOSE_DEV_CHDB_CHILD_USER="$CLICKHOUSE_USER" MOOSE_DEV_CHDB_CHILD_PASSWORD="$CLICKHOUSE_PASSWORD"
exec /moose-dev
SH
chmod +x "$ch/entrypoint.sh"
build clickhouse "$ch"

for role in redpanda temporal; do
	d=$work/$role
	rootfs "$d"
	cp "$work/standin" "$d/standin"
	printf '#!/bin/sh\nexec /standin %s\n' "$role" >"$d/entrypoint.sh"
	chmod +x "$d/entrypoint.sh"
	build "$role" "$d"
done
