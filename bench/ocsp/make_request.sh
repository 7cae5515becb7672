#!/usr/bin/env bash
# Prepares an OCSP request against a running openpca, for run_wrk.sh: creates a root CA with OCSP
# enabled (EC P-256, SHA256WITHECDSA) through the AWS CLI, installs its self-signed certificate,
# issues one end-entity certificate, and writes
#   OUT/ca.pem, OUT/leaf.pem, OUT/req.der (one SHA-1 CertID, no nonce: `openssl ocsp -no_nonce`)
#
# Usage: bench/ocsp/make_request.sh DATA_DIR OUT_DIR
#   DATA_DIR  the server's --data-dir (its `endpoint` and `credentials` files are read)
# Then: bench/ocsp/run_wrk.sh "$(cat DATA_DIR/endpoint)" OUT_DIR/req.der
#
# Needs: aws (CLI), openssl.
set -euo pipefail

data=${1:?usage: $0 DATA_DIR OUT_DIR}
out=${2:?usage: $0 DATA_DIR OUT_DIR}
mkdir -p "$out"
endpoint=$(cat "$data/endpoint")
export AWS_SHARED_CREDENTIALS_FILE="$data/credentials" AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null
pca() { aws acm-pca --endpoint-url "$endpoint" --output text "$@"; }

ca_arn=$(pca create-certificate-authority --certificate-authority-type ROOT \
  --certificate-authority-configuration \
  'KeyAlgorithm=EC_prime256v1,SigningAlgorithm=SHA256WITHECDSA,Subject={CommonName=OCSP bench root}' \
  --revocation-configuration 'OcspConfiguration={Enabled=true}' \
  --query CertificateAuthorityArn)
pca get-certificate-authority-csr --certificate-authority-arn "$ca_arn" --query Csr > "$out/ca.csr"
root_cert_arn=$(pca issue-certificate --certificate-authority-arn "$ca_arn" \
  --csr "fileb://$out/ca.csr" --signing-algorithm SHA256WITHECDSA \
  --template-arn arn:aws:acm-pca:::template/RootCACertificate/V1 \
  --validity Value=10,Type=YEARS --query CertificateArn)
pca wait certificate-issued --certificate-authority-arn "$ca_arn" \
  --certificate-arn "$root_cert_arn" 2>/dev/null || true
pca get-certificate --certificate-authority-arn "$ca_arn" --certificate-arn "$root_cert_arn" \
  --query Certificate > "$out/ca.pem"
pca import-certificate-authority-certificate --certificate-authority-arn "$ca_arn" \
  --certificate "fileb://$out/ca.pem"

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$out/leaf.key" \
  -subj "/CN=leaf.example" -out "$out/leaf.csr" 2>/dev/null
leaf_arn=$(pca issue-certificate --certificate-authority-arn "$ca_arn" \
  --csr "fileb://$out/leaf.csr" --signing-algorithm SHA256WITHECDSA \
  --validity Value=30,Type=DAYS --query CertificateArn)
pca get-certificate --certificate-authority-arn "$ca_arn" --certificate-arn "$leaf_arn" \
  --query Certificate > "$out/leaf.pem"

openssl ocsp -issuer "$out/ca.pem" -cert "$out/leaf.pem" -no_nonce -reqout "$out/req.der" \
  2>/dev/null
echo "CA $ca_arn"
echo "leaf $leaf_arn"
echo "request $out/req.der ($(stat -c %s "$out/req.der") bytes)"
