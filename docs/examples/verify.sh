#!/usr/bin/env bash
# Verifies one WASViking webhook delivery with bash and openssl, for a CI job
# or a request captured by hand:
#
#   WEBHOOK_SECRETS="whsec_..." ./verify.sh "$DELIVERY_ID" "$SIGNATURE_HEADER" body.json
#
# DELIVERY_ID and SIGNATURE_HEADER are the values of the Wasviking-Delivery and
# Wasviking-Signature headers; body.json contains the raw body bytes exactly as
# received. During a rotation, list both secrets separated by a space. Prints
# "valid" and exits 0, or prints "invalid" and exits 1; exits 2 on bad usage.
# VERIFY_NOW (Unix seconds) replaces the clock, to check fixed test vectors.
set -u
export LC_ALL=C
TOLERANCE_SECONDS=300

invalid() {
  echo invalid
  exit 1
}

if [ $# -ne 3 ] || [ ! -r "$3" ]; then
  echo "usage: WEBHOOK_SECRETS=\"whsec_...\" $0 DELIVERY_ID SIGNATURE_HEADER BODY_FILE" >&2
  exit 2
fi
delivery_id=$1
header=$2
body_file=$3
read -r -a secrets <<< "${WEBHOOK_SECRETS:-}"
if [ ${#secrets[@]} -eq 0 ]; then
  echo "set WEBHOOK_SECRETS to your signing secret (two, separated by a space, during a rotation)" >&2
  exit 2
fi
[ -n "$delivery_id" ] && [ -n "$header" ] && [ ${#header} -le 4096 ] || invalid

# HMAC-SHA256 (RFC 2104) from two SHA-256 passes, so the key never appears on a
# command line, where `openssl dgst -hmac` would show it to other users in ps.
# $1 is the key in hex (at most 64 bytes); the message comes on stdin.
hmac_sha256_hex() {
  local key=$1 inner_pad="" outer_pad="" escaped i byte
  while [ ${#key} -lt 128 ]; do key+="0"; done
  for ((i = 0; i < 128; i += 2)); do
    byte=$((16#${key:i:2}))
    printf -v escaped '\\x%02x' $((byte ^ 0x36))
    inner_pad+=$escaped
    printf -v escaped '\\x%02x' $((byte ^ 0x5c))
    outer_pad+=$escaped
  done
  local inner
  inner=$({ printf "$inner_pad"; cat; } | openssl dgst -sha256 -binary | od -An -v -tx1 | tr -d ' \n')
  { printf "$outer_pad"; printf "$(printf %s "$inner" | sed 's/../\\x&/g')"; } | openssl dgst -sha256 -binary | od -An -v -tx1 | tr -d ' \n'
}

# Wasviking-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]. Keep every v1: during a rotation there are two.
timestamp=""
seen_timestamp=no
candidates=()
IFS=',' read -r -a parts <<< "$header"
for part in "${parts[@]}"; do
  [[ $part == *=* ]] || continue
  name=${part%%=*}
  value=${part#*=}
  name=${name#"${name%%[![:space:]]*}"}
  name=${name%"${name##*[![:space:]]}"}
  value=${value#"${value%%[![:space:]]*}"}
  value=${value%"${value##*[![:space:]]}"}
  if [ "$name" = t ]; then
    [ $seen_timestamp = no ] || invalid
    seen_timestamp=yes
    timestamp=$value
  elif [ "$name" = v1 ] && [[ $value =~ ^[0-9a-fA-F]{64}$ ]]; then
    candidates+=("$(printf %s "$value" | tr 'A-F' 'a-f')")
  fi
  # Other names are future signature versions: skip them.
done
[[ $timestamp =~ ^[0-9]{1,12}$ ]] && [ ${#candidates[@]} -gt 0 ] || invalid

now=${VERIFY_NOW:-$(date +%s)}
age=$((now - 10#$timestamp))
[ ${age#-} -le $TOLERANCE_SECONDS ] || invalid

# bash has no constant-time comparison, so each digest is first blinded with a
# random key: how long comparing the blinded values takes reveals nothing about
# the expected digest.
blinding_key=$(openssl rand -hex 32)
blind() { printf %s "$1" | hmac_sha256_hex "$blinding_key"; }

for secret in "${secrets[@]}"; do
  if [[ $secret != whsec_* ]]; then
    echo 'a WASViking signing secret starts with "whsec_"' >&2
    exit 2
  fi
  # The key is the base64 after "whsec_", decoded; never the secret string itself.
  key_hex=$(printf %s "${secret#whsec_}" | openssl base64 -d -A 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
  if [ ${#key_hex} -lt 32 ]; then
    echo "the signing secret is not valid base64 or is truncated: copy it again" >&2
    exit 2
  fi
  expected=$({ printf '%s.%s.' "$delivery_id" "$timestamp"; cat "$body_file"; } | hmac_sha256_hex "$key_hex")
  expected_blinded=$(blind "$expected")
  for candidate in "${candidates[@]}"; do
    if [ "$(blind "$candidate")" = "$expected_blinded" ]; then
      echo valid
      exit 0
    fi
  done
done
invalid
