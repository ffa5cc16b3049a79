#!/usr/bin/env bash
# Runs the SDK compatibility suites against graph-emulator:
#   go/  msgraph-sdk-go, in-process (emulator.New on httptest, emulatortest.NewTLS) and
#        against the binary, over HTTP and over HTTPS (--tls) with the CA trusted through
#        an x509.CertPool; msgraph-sdk-go-core's PageIterator across pages (--page-size 2)
#   js/  @microsoft/microsoft-graph-client (npm, pinned by package-lock.json) against the
#        binary, over HTTP and over HTTPS: test/https.test.mjs starts the binary with
#        --tls --tls-ca FILE and runs the client in child node processes started with
#        NODE_EXTRA_CA_CERTS=FILE (Node reads it only at start), so nothing here sets it
# It builds the binary once and hands it to both suites in GRAPH_EMULATOR_BIN, installs
# what the suites need (npm ci; Go modules through the module proxy), runs both even if
# one fails, prints each step's time, and exits non-zero if anything failed.
#
# Usage: testdata/compat/run.sh            (from anywhere; needs go, node >= 20, npm)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GRAPH_EMULATOR_BIN="$work/graph-emulator"

failed=()
total_start=$SECONDS

# step NAME CMD...: runs CMD, prints its time, records a failure.
step() {
	local name=$1
	shift
	local start=$SECONDS
	echo "=== compat: $name"
	if "$@"; then
		echo "=== compat: $name: ok in $((SECONDS - start))s"
		return 0
	fi
	echo "=== compat: $name: FAILED in $((SECONDS - start))s"
	failed+=("$name")
	return 1
}

go_suite() {
	cd "$here/go" || return 1
	# -mod=mod: the nested module replaces the main module with the checkout, whose
	# requirements may have moved on since go.sum was written.
	# No separate go vet: it type-checks the whole SDK again, minutes on 2 cores, and
	# go test runs vet's high-confidence checks on the suite itself.
	go test -mod=mod -count=1 ./...
}

js_suite() {
	cd "$here/js" || return 1
	npm ci --no-audit --no-fund --loglevel=error && node --test
}

echo "=== compat: node $(node --version 2>/dev/null || echo missing), npm $(npm --version 2>/dev/null || echo missing), $(go version)"
if step "build graph-emulator" go -C "$root" build -o "$GRAPH_EMULATOR_BIN" ./cmd/graph-emulator; then
	step "go suite (msgraph-sdk-go)" go_suite
	step "js suite (@microsoft/microsoft-graph-client)" js_suite
fi

echo "=== compat: total $((SECONDS - total_start))s"
if ((${#failed[@]} > 0)); then
	printf '=== compat: FAILED: %s\n' "${failed[@]}"
	exit 1
fi
echo "=== compat: all suites passed"
