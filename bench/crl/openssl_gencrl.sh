#!/usr/bin/env bash
# Reference for crl_bench: times `openssl ca -gencrl` on an index.txt of N revoked certificates,
# under /usr/bin/time -v (wall time and peak RSS).
#
# Usage: bench/crl/openssl_gencrl.sh N [rsa2048|ec-p256]
#
# The index holds N "R" lines like crl_bench's store: 16-octet random serials (about half with the
# top bit set), revocation dates spread over the past year, reason codes cycling through those
# `openssl ca` accepts without extra arguments (it has no privilegeWithdrawn or aACompromise, and
# certificateHold needs a hold instruction). The CRL gets the same extensions (authority key
# identifier, CRL number) and nextUpdate 7 days out. Everything lives in a temporary directory
# (about 200 MB for N = 1,000,000) that is removed on exit.
set -euo pipefail

count=${1:?usage: $0 N [rsa2048|ec-p256]}
key=${2:-rsa2048}
case "$key" in
  rsa2048) newkey=(-newkey rsa:2048) ;;
  ec-p256) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
  *) echo "$0: key must be rsa2048 or ec-p256" >&2; exit 2 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/openpca-gencrl-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

openssl req -x509 "${newkey[@]}" -nodes -sha256 -days 3650 -keyout ca.key -out ca.pem \
  -subj "/O=openpca bench/CN=CRL bench root" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

/usr/bin/python3 - "$count" > index.txt <<'EOF'
import os, sys, time
n = int(sys.argv[1])
now = 1_700_000_000
reasons = ["unspecified", "keyCompromise", "CACompromise", "affiliationChanged", "superseded",
           "cessationOfOperation"]
expiry = time.strftime("%y%m%d%H%M%SZ", time.gmtime(now + 365 * 86400))
out = sys.stdout
for i in range(n):
    revoked = time.strftime("%y%m%d%H%M%SZ", time.gmtime(now - 365 * 86400 + i * 31_536_000 // n))
    serial = os.urandom(16).hex().upper()
    if serial.startswith("00"):
        serial = "01" + serial[2:]
    out.write(f"R\t{expiry}\t{revoked},{reasons[i % len(reasons)]}\t{serial}\tunknown\t/CN=leaf\n")
EOF
echo "unique_subject = no" > index.txt.attr
echo 1000 > crlnumber
mkdir newcerts
cat > ca.cnf <<'EOF'
[ ca ]
default_ca = bench

[ bench ]
dir              = .
database         = ./index.txt
new_certs_dir    = ./newcerts
certificate      = ./ca.pem
private_key      = ./ca.key
crlnumber        = ./crlnumber
default_md       = sha256
default_crl_days = 7
unique_subject   = no
crl_extensions   = crl_ext

[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF

/usr/bin/time -v openssl ca -gencrl -config ca.cnf -out crl.pem 2> time.txt >/dev/null || {
  cat time.txt >&2
  exit 1
}
openssl crl -in crl.pem -outform DER -out crl.der

wall=$(sed -n 's/^[[:space:]]*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' time.txt)
rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' time.txt)
der_bytes=$(stat -c %s crl.der)
echo "tool: openssl ca -gencrl ($(openssl version | cut -d' ' -f1-2))"
echo "key: $key"
echo "revoked: $count"
echo "index_txt_bytes: $(stat -c %s index.txt)"
echo "wall: $wall"
echo "peak_rss_kib: $rss"
echo "crl_der_bytes: $der_bytes"
awk -v r="$rss" -v d="$der_bytes" 'BEGIN { printf "peak_rss_over_crl: %.2f\n", r * 1024 / d }'
