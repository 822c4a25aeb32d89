#!/usr/bin/env bash
# Drives the installed ding-sandbox the way a user's script would (issue 19, item 4): install the
# build into a temporary prefix, start bin/ding-sandbox on a free port, and with curl and the
# openssl command line: a fault given at start applies, a fault flipped through the admin API
# applies and is cleared, the virtual clock expires a verification, the request log lists the
# requests (and no key or code), webhooks verify with the public key the tool wrote (and a
# tampered body does not), the admin API refuses requests without its token and the API keys.
#
#   drive_sandbox.sh CMAKE BUILD_DIR WORK_DIR WEBHOOK_SINK
#
# Every wait is bounded (curl --max-time, polling loops with a fixed number of rounds).
set -euo pipefail

cmake_bin=$1 build_dir=$2 work=$3 sink_bin=$4
for tool in curl openssl base64; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (tools/install-deps.sh installs it)"; exit 1; }
done

rm -rf "$work"
mkdir -p "$work"
sandbox_pid= sink_pid=
cleanup() {
    [[ -n $sandbox_pid ]] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
    [[ -n $sink_pid ]] && kill "$sink_pid" 2>/dev/null && wait "$sink_pid" 2>/dev/null
    true
}
trap cleanup EXIT

failures=0
check() {  # check "what" actual expected
    if [[ $2 == "$3" ]]; then echo "ok: $1"; else echo "FAIL: $1: got '$2', expected '$3'"; failures=$((failures + 1)); fi
}
check_contains() {  # check_contains "what" haystack needle
    if [[ $2 == *"$3"* ]]; then echo "ok: $1"; else echo "FAIL: $1: '$3' not in '$2'"; failures=$((failures + 1)); fi
}
check_absent() {  # check_absent "what" haystack needle
    if [[ $2 != *"$3"* ]]; then echo "ok: $1"; else echo "FAIL: $1: '$3' found in '$2'"; failures=$((failures + 1)); fi
}

# 1. Install, as a user would.
"$cmake_bin" --install "$build_dir" --prefix "$work/prefix" >"$work/install.log"
bin="$work/prefix/bin/ding-sandbox"
[[ -x $bin ]] || { echo "FAIL: cmake --install did not put ding-sandbox in bin/"; exit 1; }

# 2. --help names every flag, the admin endpoints and every fault kind.
help=$("$bin" --help)
for word in --port --no-tls --certificate-name --ca-out --cert-out --webhook-key-out --idle-timeout \
    --request-timeout --max-requests-per-connection --no-print-codes --api-key --v2-api-key --admin-token \
    --seed --code-length --expiry --max-retries --retry-interval --max-check-attempts \
    --max-authentications-per-number --rate-window --spam-number --blocked-number --webhook-timeout \
    --max-pending-webhooks --fault --help \
    "POST   /_sandbox/faults" "DELETE /_sandbox/faults" "GET    /_sandbox/requests" "POST   /_sandbox/clock" \
    status_429 status_500 status_502 status_503 status_504 delay close_before_response close_after_headers \
    close_mid_body malformed_json wrong_types huge_body stall; do
    check_contains "--help mentions $word" "$help" "$word"
done
set +e
"$bin" --fault no_such_kind >/dev/null 2>"$work/bad_fault.txt"
rc=$?
set -e
check "an unknown fault kind is refused with exit status 2" "$rc" 2
check_contains "the refusal lists the fault kinds" "$(cat "$work/bad_fault.txt")" "status_503, status_504"

# 3. Start it: a fault at start for the first v2 lookup, keys and token of our own.
v2_key=tool-test-v2-key v1_key=tool-test-v1-key admin=tool-test-admin-token
"$bin" --port 0 --seed 7 --ca-out "$work/ca.pem" --webhook-key-out "$work/webhook.pem" \
    --api-key "$v1_key" --v2-api-key "$v2_key" --admin-token "$admin" \
    --fault 'status_503:1:/v2/lookup/{phone_number}' >"$work/sandbox.out" 2>"$work/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 1 300); do
    grep -qx ready "$work/sandbox.out" 2>/dev/null && break
    kill -0 "$sandbox_pid" 2>/dev/null || { echo "FAIL: ding-sandbox exited: $(cat "$work/sandbox.err")"; exit 1; }
    sleep 0.1
done
grep -qx ready "$work/sandbox.out" || { echo "FAIL: ding-sandbox did not print ready within 30 s"; exit 1; }
value() { awk -v k="$1" '$1 == k { print $2; exit }' "$work/sandbox.out"; }
origin=$(value v2_base_url)
check "v1 key printed" "$(value api_key)" "$v1_key"
check "v2 key printed" "$(value v2_api_key)" "$v2_key"
check "admin token printed" "$(value admin_token)" "$admin"
check "admin_url printed" "$(value admin_url)" "$origin/_sandbox"
check "the CA file holds the printed CA" "$(sed -n '/^ca_pem$/,/END CERTIFICATE/p' "$work/sandbox.out" | tail -n +2)" "$(cat "$work/ca.pem")"
check "the webhook key file holds the printed key" \
    "$(sed -n '/^webhook_public_key_pem$/,/END PUBLIC KEY/p' "$work/sandbox.out" | tail -n +2)" "$(cat "$work/webhook.pem")"

# Without --admin-token, a random token is made and printed.
"$bin" --port 0 --no-tls >"$work/random.out" 2>&1 &
random_pid=$!
for _ in $(seq 1 300); do grep -qx ready "$work/random.out" 2>/dev/null && break; sleep 0.1; done
random_token=$(awk '$1 == "admin_token" { print $2 }' "$work/random.out")
kill "$random_pid" && wait "$random_pid" || true
check "a random admin token is printed when none is given" "${#random_token}" 36

c() { curl --silent --show-error --max-time 10 --cacert "$work/ca.pem" "$@"; }
status() { c --output /dev/null --write-out '%{http_code}' "$@"; }
v2=(-H "Authorization: Bearer $v2_key")
adm=(-H "Authorization: Bearer $admin")
json=(-H "Content-Type: application/json")

# 4. The fault given at start applies once, then the lookup answers.
check "start-up fault: first lookup is a 503" "$(status "${v2[@]}" "$origin/v2/lookup/+33612345678")" 503
check "start-up fault used up: second lookup is a 200" "$(status "${v2[@]}" "$origin/v2/lookup/+33612345678")" 200

# 5. The admin API refuses requests without its token, and the API keys never open it.
check "admin without a token: 401" "$(status "$origin/_sandbox/requests")" 401
check "admin with the v2 key as Bearer: 401" "$(status "${v2[@]}" "$origin/_sandbox/requests")" 401
check "admin with the v1 x-api-key: 401" "$(status -H "x-api-key: $v1_key" "$origin/_sandbox/requests")" 401
check "admin with a wrong token: 401" "$(status -H "Authorization: Bearer ${admin}x" -X DELETE "$origin/_sandbox/faults")" 401
check "a refused DELETE cleared nothing (no fault was pending)" "$(c "${adm[@]}" "$origin/_sandbox/faults")" '{"pending_faults":0}'
check "the admin token does not open the v2 API: 401" \
    "$(status "${adm[@]}" "${json[@]}" -d '{"target":{"type":"phone_number","value":"+33612345670"}}' "$origin/v2/verification")" 401
check "no admin endpoint under the API's paths: /v2/_sandbox/faults is the v2 API's 404" \
    "$(status "${v2[@]}" "$origin/v2/_sandbox/faults")" 404
check_absent "/v2/_sandbox/faults with the admin token is not the admin API" \
    "$(c "${adm[@]}" "$origin/v2/_sandbox/faults")" pending_faults
check "no admin endpoint under /v1 either" "$(status "${adm[@]}" "$origin/v1/_sandbox/requests")" 404

# 6. Flip a fault at run time, see it apply, clear one.
check "POST /_sandbox/faults" \
    "$(c "${adm[@]}" "${json[@]}" -d '{"kind": "status_429", "count": 1, "path": "/v2/verification", "retry_after": 2}' "$origin/_sandbox/faults")" \
    '{"pending_faults":1}'
headers=$(c -D - --output /dev/null "${v2[@]}" "${json[@]}" \
    -d '{"target":{"type":"phone_number","value":"+33612345678"}}' "$origin/v2/verification")
check_contains "the flipped fault applies: 429" "$headers" "HTTP/1.1 429"
check_contains "with its Retry-After" "$headers" "Retry-After: 2"
check "a bad fault kind is a 400" "$(status "${adm[@]}" "${json[@]}" -d '{"kind": "status_999"}' "$origin/_sandbox/faults")" 400
check "an unknown field is a 400" "$(status "${adm[@]}" "${json[@]}" -d '{"kind": "stall", "cout": 2}' "$origin/_sandbox/faults")" 400
c "${adm[@]}" "${json[@]}" -d '{"kind": "status_500", "count": 3}' "$origin/_sandbox/faults" >/dev/null
check "DELETE /_sandbox/faults clears them" "$(c "${adm[@]}" -X DELETE "$origin/_sandbox/faults")" '{"pending_faults":0}'
check "after DELETE the API answers normally" "$(status "${v2[@]}" "$origin/v2/lookup/+33612345678")" 200

# 7. A verification with a webhook receiver, its code from the tool's output, then the clock.
"$sink_bin" "$work" 3 60 >"$work/sink.out" &
sink_pid=$!
for _ in $(seq 1 100); do grep -q '^port ' "$work/sink.out" 2>/dev/null && break; sleep 0.1; done
sink_port=$(awk '$1 == "port" { print $2 }' "$work/sink.out")
[[ -n $sink_port ]] || { echo "FAIL: the webhook sink did not start"; exit 1; }
target=+33612345679
created=$(c "${v2[@]}" "${json[@]}" \
    -d "{\"target\":{\"type\":\"phone_number\",\"value\":\"$target\"},\"options\":{\"callback_url\":\"http://127.0.0.1:$sink_port/hook\"}}" \
    "$origin/v2/verification")
check_contains "verification created" "$created" '"status":"success"'
code=
for _ in $(seq 1 50); do
    code=$(awk -v t="$target" '$1 == "code" && $3 == t { print $4 }' "$work/sandbox.out" | tail -1)
    [[ -n $code ]] && break
    sleep 0.1
done
[[ -n $code ]] || { echo "FAIL: no code line for $target"; exit 1; }
before=$(c "${adm[@]}" "$origin/_sandbox/clock")
check_contains "GET /_sandbox/clock" "$before" '"now":"'
check "advance_seconds must be an integer" "$(status "${adm[@]}" "${json[@]}" -d '{"advance_seconds": "x"}' "$origin/_sandbox/clock")" 400
after=$(c "${adm[@]}" "${json[@]}" -d '{"advance_seconds": 3600}' "$origin/_sandbox/clock")
check_contains "POST /_sandbox/clock answers the new time" "$after" '"now":"'
b=$(date -u -d "$(sed 's/.*"now":"\([^"]*\)".*/\1/' <<<"$before")" +%s)
a=$(date -u -d "$(sed 's/.*"now":"\([^"]*\)".*/\1/' <<<"$after")" +%s)
if (( a - b >= 3600 && a - b < 3700 )); then echo "ok: the virtual clock moved by an hour"; else
    echo "FAIL: the clock moved by $((a - b)) s"; failures=$((failures + 1)); fi
checked=$(c "${v2[@]}" "${json[@]}" -d "{\"target\":{\"type\":\"phone_number\",\"value\":\"$target\"},\"code\":\"$code\"}" \
    "$origin/v2/verification/check")
check_contains "the right code after the clock passed the expiry: expired_or_not_found" "$checked" expired_or_not_found

# 8. The request log: the requests above, newest last, their statuses and faults, no secrets.
log=$(c "${adm[@]}" "$origin/_sandbox/requests")
check_contains "the log has the start-up 503 with its fault" "$log" '"path":"/v2/lookup/+33612345678","status":503,"fault":"status_503"'
check_contains "the log has the flipped 429" "$log" '"method":"POST","path":"/v2/verification","status":429,"fault":"status_429"'
check_contains "the log ends with the check" "$log" '"path":"/v2/verification/check","status":200,"fault":null}],"dropped":0}'
check_contains "the refused admin-token request on /v2 is an API request: logged as 401" "$log" '"status":401'
check_absent "the log holds no v2 key" "$log" "$v2_key"
check_absent "the log holds no v1 key" "$log" "$v1_key"
check_absent "the log holds no admin token" "$log" "$admin"
check_absent "the log holds no code" "$log" "$code"
check_absent "the log holds no admin request" "$log" '"path":"/_sandbox' 
last_seq=$(grep -o '"seq":[0-9]*' <<<"$log" | tail -1 | cut -d: -f2)
check "?since=<last seq> lists nothing newer" "$(c "${adm[@]}" "$origin/_sandbox/requests?since=$last_seq")" '{"requests":[],"dropped":0}'

# 9. The webhooks verify with the written public key; a tampered body does not.
wait "$sink_pid" || { echo "FAIL: the webhook sink did not receive 3 webhooks"; exit 1; }
sink_pid=
verify() {  # verify BODY_FILE SIG_FILE -> exit status of openssl
    local sig
    sig=$(sed 's/^rsassa-pss-sha256=//' "$2" | tr '_-' '/+')
    while (( ${#sig} % 4 )); do sig+='='; done
    base64 -d <<<"$sig" >"$2.bin"
    openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256 \
        -verify "$work/webhook.pem" -signature "$2.bin" "$1" >/dev/null 2>&1
}
for i in 1 2 3; do
    check_contains "webhook $i carries the scheme" "$(cat "$work/webhook_$i.sig")" "rsassa-pss-sha256="
    if verify "$work/webhook_$i.body" "$work/webhook_$i.sig"; then echo "ok: webhook $i verifies with the written key"; else
        echo "FAIL: webhook $i does not verify"; failures=$((failures + 1)); fi
done
check_contains "the first webhook is the verification's" "$(cat "$work/webhook_1.body")" '"type":"verify.authentication"'
sed 's/+33612345679/+33612345670/' "$work/webhook_1.body" >"$work/tampered.body"
if verify "$work/tampered.body" "$work/webhook_1.sig"; then echo "FAIL: a tampered webhook verifies"; failures=$((failures + 1)); else
    echo "ok: a tampered webhook does not verify"; fi

# 10. SIGTERM stops it.
kill "$sandbox_pid"
set +e
wait "$sandbox_pid"
rc=$?
set -e
sandbox_pid=
check "SIGTERM ends ding-sandbox with status 0" "$rc" 0

if (( failures )); then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
