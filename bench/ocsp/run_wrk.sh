#!/usr/bin/env bash
# OCSP over HTTP: wrk against a running openpca, and against `openssl ocsp -index` as the
# reference, with the same shape of request (one SHA-1 CertID, no nonce, as RFC 5019 clients
# send them).
#
# Usage:
#   bench/ocsp/run_wrk.sh [options] [URL REQUEST.der]
#     URL          base URL of a running openpca, e.g. http://127.0.0.1:8080 (the script hits
#                  GET URL/ocsp/<url-encoded base64> and POST URL/ocsp/)
#     REQUEST.der  a DER OCSPRequest for a certificate of an OCSP-enabled CA of that server, e.g.
#                    openssl ocsp -issuer ca.pem -cert leaf.pem -no_nonce -reqout req.der
#                  (or: ocsp_bench --write-request req.der, for a bench CA only)
#     Without URL and REQUEST.der only the reference half runs.
#   Options:
#     --duration D      wrk duration (default 10s)
#     --connections C   wrk connections (default 64)
#     --wrk-threads T   wrk threads (default 1: on a 2-core machine the other core serves)
#     --key K           reference CA key: ec-p256 (default) or rsa2048
#     --ref-multi N     `openssl ocsp -multi N` responder processes (default 4). The plain
#                       single-process responder (N = 1) hangs on the connection wrk opens and
#                       closes without a request before the run: use N >= 2
#     --no-reference    skip the reference half
#     --root            also GET URL/<base64> and POST URL/ (the OcspCustomCname form)
#     --pid PID         the openpca server's process id: also report its CPU time per request
#                       (user + system, from /proc/PID/stat)
#
# Every run prints the load average first (`uptime`): the machine may be shared.
# Before each wrk run the script fetches one response with curl and prints its OCSP status
# (`openssl ocsp -respin ... -resp_text`), so that a throughput figure of error responses is
# noticed. wrk reports "Non-2xx or 3xx responses" itself. The reference responder signs every
# response (it has no cache); openpca answers repeated nonce-less requests from its cache.
#
# Needs: wrk (Debian package wrk), curl, openssl, python3 (to pick a free port).
set -euo pipefail

duration=10s
connections=64
wrk_threads=1
key=ec-p256
ref_multi=4
reference=1
root=0
server_pid=""
positional=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --wrk-threads) wrk_threads=$2; shift 2 ;;
    --key) key=$2; shift 2 ;;
    --ref-multi) ref_multi=$2; shift 2 ;;
    --no-reference) reference=0; shift ;;
    --root) root=1; shift ;;
    --pid) server_pid=$2; shift 2 ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    *) positional+=("$1"); shift ;;
  esac
done
if [[ ${#positional[@]} -ne 0 && ${#positional[@]} -ne 2 ]]; then
  echo "usage: $0 [options] [URL REQUEST.der]" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/openpca-ocsp-wrk-XXXXXX")
ref_pid=""
# Stops the reference responder started by ref_start: its parent process and its children, by id.
ref_stop() {
  if [[ -n "$ref_pid" ]]; then
    local kids
    kids=$(pgrep -P "$ref_pid" || true)
    # shellcheck disable=SC2086
    kill "$ref_pid" $kids 2>/dev/null || true
    wait "$ref_pid" 2>/dev/null || true
    ref_pid=""
  fi
}
cleanup() {
  ref_stop
  rm -rf "$work"
}
trap cleanup EXIT

# base64 of the DER, with '+', '/' and '=' percent-encoded (RFC 5019 4, appendix A of RFC 6960).
get_path() {
  base64 -w0 "$1" | sed -e 's/+/%2B/g' -e 's|/|%2F|g' -e 's/=/%3D/g'
}

cat > "$work/post.lua" <<'EOF'
local f = assert(io.open(os.getenv("OCSP_REQUEST_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/ocsp-request"
EOF

# show_status LABEL -- CURL_ARGS...: one request with curl, then the OCSP status it carried.
show_status() {
  local label=$1; shift; shift
  local out="$work/probe.der"
  local http
  http=$(curl -s --max-time 5 -o "$out" -w '%{http_code} %{content_type}' "$@" || true)
  local status
  status=$(openssl ocsp -respin "$out" -resp_text -noverify 2>/dev/null |
           grep -m1 -E 'OCSP Response Status|Cert Status' | sed 's/^ *//' || true)
  echo "probe $label: HTTP $http; $status"
  openssl ocsp -respin "$out" -resp_text -noverify 2>/dev/null | grep -m1 'Cert Status' |
    sed 's/^ */probe '"$label"': /' || true
}

# cpu_ticks PID: user + system clock ticks of a process so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run_wrk PID|"" WRK_ARGS...: wrk, plus the server's CPU per request when PID is given.
run_wrk() {
  local pid=$1; shift
  echo "load: $(uptime)"
  if [[ -z "$pid" ]]; then
    wrk "$@"
    return
  fi
  local t0 t1 out n hz w0 w1
  hz=$(getconf CLK_TCK)
  w0=$(awk '{print $16 + $17}' /proc/$$/stat)  # children's CPU: wrk's, once it has been waited for
  t0=$(cpu_ticks "$pid")
  out=$(wrk "$@")
  t1=$(cpu_ticks "$pid")
  w1=$(awk '{print $16 + $17}' /proc/$$/stat)
  echo "$out"
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  awk -v t=$((t1 - t0)) -v w=$((w1 - w0)) -v hz="$hz" -v n="$n" 'BEGIN {
    printf "server CPU: %.2f s for %d requests = %.1f us/request\n", t / hz, n, t / hz * 1e6 / n
    printf "wrk CPU:    %.2f s = %.1f us/request\n", w / hz, w / hz * 1e6 / n }'
}

# bench_get / bench_post LABEL BASE_URL ROUTE REQUEST_FILE [PID]: GET BASE_URL/ROUTE/<base64>,
# POST BASE_URL/ROUTE/.
bench_get() {
  local label=$1 base=$2 route=$3 req=$4 pid=${5:-}
  local path
  path=$(get_path "$req")
  echo
  echo "=== $label: GET $base$route/<base64> ($(stat -c %s "$req")-byte request) ==="
  show_status "$label GET" -- "$base$route/$path"
  run_wrk "$pid" -t"$wrk_threads" -c"$connections" -d"$duration" --latency "$base$route/$path"
}
bench_post() {
  local label=$1 base=$2 route=$3 req=$4 pid=${5:-}
  echo
  echo "=== $label: POST $base$route/ ==="
  show_status "$label POST" -- -H 'Content-Type: application/ocsp-request' \
    --data-binary "@$req" "$base$route/"
  OCSP_REQUEST_FILE=$req run_wrk "$pid" -t"$wrk_threads" -c"$connections" -d"$duration" \
    --latency -s "$work/post.lua" "$base$route/"
}

echo "wrk: $wrk_threads thread(s), $connections connections, $duration; $(nproc) cores"

if [[ ${#positional[@]} -eq 2 ]]; then
  url=${positional[0]%/}
  bench_get openpca "$url" /ocsp "${positional[1]}" "$server_pid"
  bench_post openpca "$url" /ocsp "${positional[1]}" "$server_pid"
  if [[ $root -eq 1 ]]; then
    bench_get "openpca root" "$url" "" "${positional[1]}" "$server_pid"
    bench_post "openpca root" "$url" "" "${positional[1]}" "$server_pid"
  fi
fi

if [[ $reference -eq 1 ]]; then
  cd "$work"
  case "$key" in
    ec-p256) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
    rsa2048) newkey=(-newkey rsa:2048) ;;
    *) echo "$0: --key must be ec-p256 or rsa2048" >&2; exit 2 ;;
  esac
  openssl req -x509 "${newkey[@]}" -nodes -sha256 -days 3650 -keyout ca.key -out ca.pem \
    -subj "/O=openpca bench/CN=OCSP reference root" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key \
    -subj "/CN=leaf.example" -out leaf.csr 2>/dev/null
  serial=4A1B2C3D4E5F60718293A4B5C6D7E8F9
  openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial "0x$serial" -days 30 \
    -sha256 -out leaf.pem 2>/dev/null
  # index.txt: status, expiry (YYMMDDHHMMSSZ), revocation date (empty), serial, file, subject.
  expiry=$(date -u -d '+30 days' +%y%m%d%H%M%SZ)
  printf 'V\t%s\t\t%s\tunknown\t/CN=leaf.example\n' "$expiry" "$serial" > index.txt
  openssl ocsp -issuer ca.pem -cert leaf.pem -no_nonce -reqout ref-req.der 2>/dev/null

  multi=()
  if [[ "$ref_multi" -gt 1 ]]; then multi=(-multi "$ref_multi"); fi
  # OpenSSL 3.0's -port takes a port number and listens on every address. It answers GET /<b64>
  # and POST to any path, HTTP/1.0 without keep-alive (wrk reconnects for every request), one
  # connection at a time per process, and signs every response. -resp_no_certs: like openpca, no
  # CA certificate in `certs`. A responder process that meets a connection closed without a
  # complete request (wrk's probe connection before a run, its in-flight requests at the end)
  # stays blocked on it, so the responder is restarted for every run.
  ref_start() {
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    openssl ocsp -index index.txt -port "$port" -rsigner ca.pem -rkey ca.key -CA ca.pem \
      -nmin 60 -resp_no_certs -timeout 2 "${multi[@]}" > ref-responder.log 2>&1 &
    ref_pid=$!
    for _ in $(seq 1 50); do
      if curl -s --max-time 1 -o /dev/null "http://127.0.0.1:$port/$(get_path ref-req.der)"; then
        break
      fi
      sleep 0.1
    done
    echo
    echo "reference: openssl ocsp -index (pid $ref_pid, port $port, key $key, -multi $ref_multi)"
  }
  ref_start
  bench_get "openssl-ocsp" "http://127.0.0.1:$port" "" "$work/ref-req.der"
  ref_stop
  ref_start
  bench_post "openssl-ocsp" "http://127.0.0.1:$port" "" "$work/ref-req.der"
  ref_stop
fi
