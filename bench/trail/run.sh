#!/usr/bin/env bash
# validate-logs over one day of CloudTrail logs at EVENTS_PER_S (default 100) events/s.
#   bench/trail/run.sh [build_dir]
# Starts openpca on a fresh data directory, creates the trail's bucket with the CloudTrail bucket
# policy, stops it, fills the directory with one day of delivery (trail_day_gen: the real delivery
# worker over a generated history, fake clock), starts openpca again and times
# `python3 -m awscli cloudtrail validate-logs` (AWS CLI v1, AWS_ENDPOINT_URL) over that day.
set -euo pipefail
BUILD=${1:-build}
EPS=${EVENTS_PER_S:-100}
DAY=${DAY:-$(date -u -d yesterday +%Y-%m-%d)}
PY=${CLI_V1_PYTHON:-python3}
BIN=$BUILD/src/server/openpca
GEN=$BUILD/bench/trail/trail_day_gen
WORK=$(mktemp -d /tmp/openpca-trail-bench-XXXXXX)
DATA=$WORK/data
trap 'kill $PID 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

start() {
  rm -f "$DATA/endpoint"
  "$BIN" serve --listen 127.0.0.1:0 --data-dir "$DATA" >>"$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 200); do [ -s "$DATA/endpoint" ] && break; sleep 0.1; done
  EP=$(cat "$DATA/endpoint")
}
export AWS_SHARED_CREDENTIALS_FILE=$DATA/credentials AWS_CONFIG_FILE=/dev/null
export AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
start
ACCT=$(AWS_ENDPOINT_URL=$EP $PY -m awscli sts get-caller-identity --query Account --output text)
AWS_ENDPOINT_URL=$EP $PY -m awscli s3api create-bucket --bucket bench-trail >/dev/null
AWS_ENDPOINT_URL=$EP $PY -m awscli s3api put-bucket-policy --bucket bench-trail --policy "{
 \"Version\":\"2012-10-17\",\"Statement\":[
 {\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},\"Action\":\"s3:GetBucketAcl\",\"Resource\":\"arn:aws:s3:::bench-trail\"},
 {\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bench-trail/AWSLogs/$ACCT/*\",
  \"Condition\":{\"StringEquals\":{\"s3:x-amz-acl\":\"bucket-owner-full-control\"}}}]}"
kill $PID; wait $PID || true

"$GEN" "$DATA" "$ACCT" bench bench-trail "$DAY" "$EPS"
du -sh "$DATA/buckets/bench-trail"

start
ARN=arn:aws:cloudtrail:us-east-1:$ACCT:trail/bench
T0=$(date +%s%N)
AWS_ENDPOINT_URL=$EP $PY -m awscli cloudtrail validate-logs --trail-arn "$ARN" \
  --start-time "${DAY}T00:00:00Z" --end-time "${DAY}T23:59:59Z" | tail -4
T1=$(date +%s%N)
echo "validate-logs: $(( (T1 - T0) / 1000000 )) ms for one day at $EPS events/s"
