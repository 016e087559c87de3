#!/usr/bin/env bash
# Capture upstream's infrastructure map for TypeScript corpus projects.
#
#   parser/testdata/ts/capture.sh [ARCHIVE.txtar ...]    (default: every *.txtar beside this script)
#
# For each archive: unpack its files into a fresh directory, add what the upstream CLI needs that the
# archive lacks (moose.config.toml, package.json, tsconfig.json with moose-lib's and typia's compiler
# plugins), hard-link the oracle's node_modules, run `moose check --write-infra-map` and store the result
# back into the archive:
#   upstream.json      .moose/infrastructure_map.json, keys sorted, indented (only when upstream succeeded)
#   upstream.err       exit status and the first 40 lines of upstream's output (only when it failed); when
#                      upstream failed to compile, also the compiler's diagnostics, after a marker line
#                      saying capture.sh added them (upstream prints none)
#   upstream.unloaded  the paths of upstream's "Unloaded Files" warning, one a line, as printed (upstream lists
#                      five and then says "and N more": that is the last line) (only when printed)
#
# The oracle is the real moose-cli/moose-lib 0.6.533 installed in $ORACLE (default ~/oracle) as
# shared/spec/typescript.md describes. KEEP=1 keeps each project directory and prints its path.
#
# Each project runs in the fixed directory /tmp/moose-ts-corpus/<archive name>, because upstream writes the
# absolute path of the main file into the map (ingest APIs' data_model.abs_file_path): it is
# /tmp/moose-ts-corpus/<archive name>/app/index.ts in every upstream.json. Do not run two captures at once.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
oracle=${ORACLE:-$HOME/oracle}
txtar="python3 $here/txtar.py"

if [[ ! -x $oracle/node_modules/.bin/moose ]]; then
	echo "capture.sh: no upstream CLI in $oracle/node_modules (see shared/spec/typescript.md, the oracle)" >&2
	exit 2
fi

if [[ $# -eq 0 ]]; then
	set -- "$here"/*.txtar
fi

default_config() {
	cat <<'TOML'
language = "Typescript"

[typescript_config]
package_manager = "npm"

[redpanda_config]
broker = "localhost:19092"
message_timeout_ms = 1000
retention_ms = 30000
replication_factor = 1

[clickhouse_config]
db_name = "local"
user = "panda"
password = "pandapass"
use_ssl = false
host = "localhost"
host_port = 18123
native_port = 9000

[http_server_config]
host = "localhost"
port = 4000
management_port = 5001

[redis_config]
url = "redis://127.0.0.1:6379"
key_prefix = "MS"

[git_config]
main_branch_name = "main"

[temporal_config]
db_user = "temporal"
db_password = "temporal"
db_port = 5432
temporal_port = 7233
temporal_version = "1.22.3"
admin_tools_version = "1.22.3"
ui_version = "2.21.3"
ui_port = 8080
ui_cors_origins = "http://localhost:3000"
config_path = "config/dynamicconfig/development-sql.yaml"
postgresql_version = "13"

[supported_old_versions]

[watcher_config]
ignore_patterns = []

[features]
olap = true
streaming_engine = true
workflows = true
apis = true
TOML
}

default_package() {
	cat <<'JSON'
{
  "name": "corpus-project",
  "version": "0.0",
  "scripts": {
    "moose": "moose-cli",
    "dev": "moose-cli dev"
  },
  "dependencies": {
    "@514labs/moose-lib": "0.6.533",
    "typia": "^9.6.1",
    "ts-patch": "^3.3.0",
    "tsconfig-paths": "^4.2.0"
  },
  "devDependencies": {
    "@514labs/moose-cli": "0.6.533",
    "@types/node": "^20.12.12"
  }
}
JSON
}

# with_plugins FILE: write FILE's tsconfig (or a default one) with both compiler plugins present.
with_plugins() {
	python3 - "$1" <<'PY'
import json, os, sys
path = sys.argv[1]
cfg = {"compilerOptions": {"outDir": "dist", "esModuleInterop": True, "strictNullChecks": True}}
if os.path.exists(path):
    with open(path, encoding="utf-8") as f:
        cfg = json.load(f)
opts = cfg.setdefault("compilerOptions", {})
plugins = opts.setdefault("plugins", [])
for t in ("./node_modules/@514labs/moose-lib/dist/compilerPlugin.js", "typia/lib/transform"):
    if not any(p.get("transform") == t for p in plugins):
        plugins.append({"transform": t})
with open(path, "w", encoding="utf-8") as f:
    json.dump(cfg, f, indent=2)
    f.write("\n")
PY
}

status=0
for archive in "$@"; do
	archive=$(cd "$(dirname "$archive")" && pwd)/$(basename "$archive")
	name=$(basename "$archive" .txtar)
	work=$(mktemp -d "/tmp/ts-capture-$name.XXXXXX")
	proj=/tmp/moose-ts-corpus/$name
	out=$work/out
	rm -rf "$proj"
	mkdir -p "$proj" "$out"
	$txtar unpack "$archive" "$proj"
	[[ -f $proj/moose.config.toml ]] || default_config >"$proj/moose.config.toml"
	[[ -f $proj/package.json ]] || default_package >"$proj/package.json"
	with_plugins "$proj/tsconfig.json"
	cp -al "$oracle/node_modules" "$proj/node_modules"

	start=$(date +%s.%N)
	set +e
	(
		cd "$proj"
		export MOOSE_TELEMETRY__ENABLED=false PATH=$proj/node_modules/.bin:$PATH
		unset RUST_BACKTRACE
		rm -rf dist .moose
		timeout 600 moose check --write-infra-map
	) >"$work/log" 2>&1 </dev/null
	rc=$?
	set -e
	end=$(date +%s.%N)

	# Upstream colours its output; keep plain text, with the project path made stable.
	# Process and thread ids vary from run to run: replace them too.
	sed -e 's/\x1b\[[0-9;]*m//g' -e "s#$proj#<project>#g" \
		-e 's/\(pid: \)[0-9][0-9]*/\1<pid>/' -e "s/\(thread '[^']*' (\)[0-9][0-9]*)/\1<tid>)/" \
		"$work/log" >"$work/plain"

	map=$proj/.moose/infrastructure_map.json
	if [[ $rc -eq 0 && -s $map ]]; then
		python3 -m json.tool --sort-keys --indent 2 "$map" >"$out/upstream.json"
		result="ok"
	else
		{
			echo "exit status: $rc"
			head -n 40 "$work/plain"
			# Upstream hides the compiler's diagnostics; ask the compiler for them, marked as ours.
			if grep -q "Failed to compile TypeScript" "$work/plain"; then
				# The options upstream's moose-tspc forces (its tsconfig.moose-build.json), without emitting.
				cat >"$proj/tsconfig.capture-check.json" <<-'JSON'
					{"extends": "./tsconfig.json",
					 "compilerOptions": {"experimentalDecorators": true, "esModuleInterop": true,
					  "verbatimModuleSyntax": false, "module": "CommonJS", "moduleResolution": "Node",
					  "skipLibCheck": true, "allowSyntheticDefaultImports": true, "noEmit": true}}
				JSON
				(cd "$proj" && PATH=$proj/node_modules/.bin:$PATH tspc -p tsconfig.capture-check.json 2>&1) |
					sed -e "s#$proj#<project>#g" | { grep -v '^node_modules/' || true; } | head -n 20 >"$work/tsc" || true
				if [[ -s $work/tsc ]]; then
					echo "--- capture.sh: tspc --noEmit diagnostics, upstream's forced options (upstream prints none of these) ---"
					cat "$work/tsc"
				fi
			fi
		} >"$out/upstream.err"
		result="FAILED ($rc)"
	fi
	python3 - "$work/plain" "$out/upstream.unloaded" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
paths = []
for m in re.finditer(r"that weren't loaded: (.*?)\. These files", text, re.S):
    listed = m.group(1)
    more = re.search(r" (and \d+ more)$", listed)
    if more:
        listed = listed[: more.start()]
    paths += [p.strip() for p in listed.split(",") if p.strip()]
    if more:
        paths.append(more.group(1))  # upstream lists five files, then "and N more"
if paths:
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write("".join(p + "\n" for p in paths))
PY
	$txtar store "$archive" "$out"
	printf '%-40s %-12s %5.1fs%s\n' "$name" "$result" "$(awk "BEGIN{print $end - $start}")" \
		"$([[ -f $out/upstream.unloaded ]] && echo " unloaded: $(paste -sd' ' "$out/upstream.unloaded")")"
	rm -rf "$work"
	if [[ ${KEEP:-} == 1 ]]; then
		echo "  kept $proj"
	else
		rm -rf "$proj"
	fi
done
exit $status
