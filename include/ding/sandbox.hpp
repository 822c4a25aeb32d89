// ding::sandbox: a local, stateful Ding API server for tests, CI and offline development.
//
// It speaks the HTTP contract of spec/ding-openapi.yaml (base path /v1) and, beside it on the
// same port, Prelude's v2 contract of spec/prelude-v2-openapi.yaml (all 19 operations, paths
// under /v2; see "Verify v2" and "Verify management, Notify and Transactional" below) over
// HTTPS with a
// certificate it generates at start (or plain HTTP), keeps authentications in memory with the
// same state machine as the real service, runs on a virtual clock that tests can advance, and
// can be told to misbehave on purpose (see sandbox_fault). Link ding::sandbox; ding::ding does
// not depend on it.
//
//     boost::asio::io_context ioc;
//     ding::sandbox sandbox(ioc.get_executor());   // listening now on 127.0.0.1:<ephemeral>
//     ding::client_options o;
//     o.base_url = sandbox.base_url();
//     o.api_key = sandbox.api_key();
//     o.tls.ca_pem = sandbox.ca_pem();
//
// Errors: the constructors throw std::system_error when the certificate cannot be generated or
// the listening socket cannot be opened/bound (this is a test tool: failing loudly is the point).
// Nothing else in this interface throws except std::bad_alloc.
//
// Verify v2 (the same port, paths /v2/...; base URL v2_base_url(), key v2_api_key()):
// - Every /v2 request needs "Authorization: Bearer <v2_api_key>"; otherwise 401 with the
//   contract's error body {"code","message"}: code missing_api_token (no Authorization header),
//   invalid_bearer_token (not the Bearer scheme) or invalid_api_key (another key). The v1
//   x-api-key is not accepted on /v2 and the v2 key not on /v1.
// - Invalid input is a 400 {"code","message","param"} (param: the JSON path of the field, e.g.
//   "options.code_size"): invalid_request (not JSON, unknown or missing property, wrong type or
//   enum value, channels with preferred_channel, more than 100 events/feedbacks, dispatch_id not
//   36 characters), invalid_phone_number (a phone target that is not a dialable E.164 number:
//   '+', 7 to 15 digits, no leading 0), invalid_email_address, invalid_code_size (outside 4..8),
//   invalid_custom_code (empty, over 32 characters), custom_size_conflict (custom_code with
//   code_size), invalid_callback_url (not an absolute http:// or https:// URL).
// - POST /v2/verification, for a target (phone number or email address) in this order:
//   * on the block list (blocked_numbers at start; see "Verify management" below): status
//     blocked, reason in_block_list; else in spam_numbers and not on the allow list: blocked,
//     reason suspicious, risk_factors [fraud_database]. No code, no verification, no webhook.
//   * an open verification (created less than `expiry` ago, not yet checked successfully, fewer
//     than max_check_attempts wrong codes): status retry with the same id and a new code (the
//     previous one stops matching; a custom_code stays), while at most max_retries retries have
//     been made; the next repeat answers blocked, reason repeated_attempts, same id, no code.
//     Retries do not extend the window. options.channels is ignored on a retry.
//   * otherwise a new verification (a new `vrf_` id): status success, or challenged with
//     options.force_challenge (then sms and voice are left out of the plan); but blocked,
//     reason repeated_attempts, when max_authentications_per_number verifications were opened
//     for the target within rate_window.
//   method: voice with options.method voice, email for email targets, message otherwise (never
//   silent). channels: options.channels, or [preferred_channel, sms], or [sms]; [voice] for
//   voice; absent for email. Attempt n uses channels[(n - 1) % size]. metadata is echoed.
//   Codes have options.code_size digits (default code_length) or are options.custom_code.
// - POST /v2/verification/check: success (the code of the open verification; it is then closed),
//   failure (wrong code; counts toward max_check_attempts, after which the verification is
//   closed), expired_or_not_found (no verification, window over, already closed; no id). For a
//   verification made with template_id "prelude:psd2": no psd2 gives transaction_missing, psd2
//   values other than options.variables' amount/currency/recipient give transaction_mismatch
//   (neither counts as an attempt).
// - GET /v2/lookup/{phone_number} (`+` literal or %2B; ?type=cnam adds caller_name): derived
//   from the number alone, the same facts as v1's lookup (country, carrier, line type mobile,
//   fixed_line or voip, flags ported/temporary; original_network_info when ported).
// - POST /v2/watch/predict: suspicious with [fraud_database] for spam_numbers and
//   blocked_numbers, [temporary_phone_number] for numbers lookup flags temporary, else
//   legitimate. POST /v2/watch/event and /v2/watch/feedback validate and answer success.
// - Webhooks: a create with options.callback_url (the latest one given for the verification)
//   makes the sandbox POST, for a new verification, verify.authentication, verify.attempt and
//   verify.delivery_status, and for a retry verify.attempt and verify.delivery_status, as
//   {"id":"evt_...","type":...,"created_at":RFC 3339 (virtual clock),"payload":{...}} with
//   Content-Type application/json and "X-Webhook-Signature: rsassa-pss-sha256=<unpadded
//   base64url>", RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt over the raw body,
//   signed with an RSA 2048 key of this sandbox (webhook_public_key_pem()). Payloads carry
//   verification_id, target, metadata, price {amount, currency}, time; attempts also id
//   (`att_...`), channel, delivery_status (submitted), carrier_information {mcc, mnc} for
//   phone numbers; delivery status reports id (the attempt's), status delivered, channel,
//   carrier_information. Delivery is asynchronous on the sandbox's executor, one request at a
//   time in order, only to http:// URLs on 127.0.0.1, localhost or [::1] (others are counted
//   as dropped), each bounded by webhook_timeout, without retries; a 2xx answer counts as
//   sent, anything else as failed (sandbox_stats). stop() abandons what is queued.
// - Faults (inject) apply to /v2 paths as to /v1: "/v2/verification" or the template
//   "/v2/lookup/{phone_number}"; faulted requests change no state and send no webhook. The
//   operations below too, by exact path or template (e.g. "/v2/notify",
//   "/v2/verification/management/phone-numbers/{action}",
//   "/v2/notify/management/subscriptions/{config_id}/phone_numbers"); the made-up bodies of
//   malformed_json, wrong_types and the close_* faults have the route's success shape.
//
// Verify management, Notify and Transactional (the same port and key; errors as above: 400
// invalid_request with param for a body or query that breaks the contract, 401 for auth, 405
// with Allow for another method):
// - Allow and block lists, GET|POST|DELETE /v2/verification/management/phone-numbers/{action}
//   (action allow or block, else 400 invalid_request, param "action"). They start as
//   allowed_numbers and blocked_numbers (created_at: the sandbox's start) and are listed in the
//   order numbers were added, each {phone_number, created_at}. POST and DELETE both take a
//   JSON body {"phone_number"} (an E.164 number, else 400 invalid_phone_number; a DELETE
//   without a body is 400 invalid_request) and are idempotent: adding a listed number keeps its created_at,
//   removing an absent one succeeds; both answer {"phone_number"}. The lists are separate: a
//   number on both counts as blocked. POST /v2/verification: a number on the block list
//   answers blocked, reason in_block_list; a number on the allow list (and not on the block
//   list) is never blocked: spam_numbers, max_retries and max_authentications_per_number do not
//   apply to it. Watch predict: block list suspicious, allow list legitimate.
// - Sender IDs, GET|POST /v2/verification/management/sender-id. approved_sender_ids are
//   approved from the start. POST {"sender_id"} (1 to 64 characters, else 400
//   invalid_sender_id) records a new name as pending; sender_id_review later on the virtual
//   clock (advance_clock) it is approved, or rejected if the name is in rejected_sender_ids
//   (default: "Rejected"). POST of a known name changes nothing and answers its status now
//   (with a `reason` when rejected). GET lists {sender_id, status} in submission order.
// - POST /v2/notify and the deprecated POST /v2/transactional: the contract's request schema
//   (unknown properties refused; to an E.164 number, else 400 invalid_phone_number; template_id
//   non-empty, else invalid_template_id; callback_url as for verification; expires_at and
//   schedule_at RFC 3339, document.url https://). `from`, when given, must be a sender ID that
//   is approved now, else 400 invalid_sender_id, param "from". A number that unsubscribed
//   (its state is UNSUB in any subscription configuration; see unsubscribed_numbers) is
//   refused: 400 {"code":"recipient_unsubscribed","param":"to"} (the vendor documents no code
//   for this: the sandbox's choice). No operation of the contract opts a number out, so a
//   test makes a number unsubscribed by listing it in sandbox_options::unsubscribed_numbers
//   (default +15005550011), or uses a seeded UNSUB number (below). Success: id (msg_... / tx_...), created_at (virtual
//   clock), expires_at (the request's, else schedule_at or created_at plus 24 hours),
//   template_id, to, variables ({} when none) and the request's callback_url, correlation_id,
//   from, schedule_at; notify adds encoding (GSM-7, or UCS-2 when a variable holds non-ASCII
//   text) and estimated_segment_count 1 for SMS (no preferred_channel, or sms). No webhook is
//   sent (the contract defines none); nothing else is recorded.
// - POST /v2/notify/batch: the same checks for the shared fields (a failure is the request's
//   400); `to` is an array of 0 to 1000 strings. Each recipient gets a result in order:
//   success with a message {id, created_at, expires_at, to, ...}, or success false with error
//   {code, message}: invalid_phone_number for a number that is not E.164,
//   recipient_unsubscribed for an unsubscribed one. total_count, success_count, error_count,
//   request_id, template_id and variables are always present.
// - Subscriptions (reads only; seeded at start, the same in every sandbox, never changed by a
//   request): 4 configurations, cfg_01k8sandbx0000000000000001 to ...0004 ("Marketing US",
//   "Marketing FR", "Alerts UK", "Promotions DE"; the last has no phone numbers and no
//   mo_phone_numbers); "Marketing US" holds +12065550101 to +12065550106 plus every number of
//   unsubscribed_numbers (7 numbers by default, 3 of them UNSUB: +12065550103, +12065550105,
//   +15005550011), "Marketing FR" +33612340001 to 3 (+33612340002 UNSUB), "Alerts UK"
//   +447700900101 and 2: 12 numbers and 20 events by default. Each number has 1 to 4 events (+15005550011: 4, +12065550104: 3),
//   most recent first; a number's state, source, reason and updated_at are its latest
//   event's. GET .../subscriptions/{config_id} and .../phone_numbers/{phone_number}: 404
//   not_found for an unknown configuration or a number not in it; 400 invalid_phone_number
//   for a number that is not E.164 (`+` literal or %2B).
// - Pagination of the three lists (configurations by id, phone numbers by number, events most
//   recent first): `limit` (default 20; an integer of at least 1, else 400 invalid_request,
//   param "limit"; above 100 gives 100) and `cursor` (the previous page's next_cursor).
//   next_cursor is present exactly when more items follow, so no page after the first is
//   empty. Cursors are opaque (base64url) and bound to their list, configuration, number and
//   `state` filter (SUB or UNSUB, phone numbers only; else 400 param "state"): anything else,
//   or an empty cursor, is 400 invalid_request, param "cursor". Other query parameters are
//   ignored.
//
// Threads: every member function may be called from any thread. With the executor constructor
// the sandbox does its I/O on that executor (through a strand), so somebody must run it; with
// the options-only constructor it runs its own io_context on its own thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ding {

struct sandbox_options {
    // TCP port on 127.0.0.1; 0 picks a free (ephemeral) port.
    std::uint16_t port = 0;
    // HTTPS with a generated certificate (true) or plain HTTP (false).
    bool tls = true;
    // The only x-api-key value accepted. Not a secret.
    std::string api_key = "sandbox-api-key";
    // Digits in each generated code.
    std::size_t code_length = 6;
    // Lifetime of an authentication: after created_at + expiry, check and retry give expired_auth.
    std::chrono::seconds expiry = std::chrono::minutes(10);
    // Retries (re-sends) allowed per authentication; then retry gives rate_limited.
    int max_retries = 3;
    // Minimum wait between two sends of one authentication; an earlier retry is denied.
    std::chrono::seconds retry_interval = std::chrono::seconds(30);
    // Wrong codes accepted per authentication; any check after that gives rate_limited.
    int max_check_attempts = 5;
    // At most this many codes are sent to one number per rate_window; further creates give rate_limited.
    int max_authentications_per_number = 5;
    std::chrono::seconds rate_window = std::chrono::hours(1);
    // Numbers whose authentications are flagged spam_detected (no code is sent).
    std::set<std::string> spam_numbers{"+15005550009"};
    // Seed of the generator of codes and UUIDs; unset = random. Same seed, same sequence.
    std::optional<std::uint64_t> seed;
    // A keep-alive connection with no request for this long is closed.
    std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
    // Bound on the TLS handshake, on reading the first request of a connection and on each write.
    std::chrono::milliseconds request_timeout = std::chrono::seconds(10);
    // Requests served per connection before it is closed (the last response carries
    // "Connection: close"); 0 = unlimited.
    std::size_t max_requests_per_connection = 0;
    // Print "code <authentication_uuid> <phone_number> <code>" to stdout for every code sent.
    bool print_codes = false;
    // Verify v2 (see the top of this file). The only Bearer token accepted on /v2 paths.
    std::string v2_api_key = "sandbox-v2-api-key";
    // Numbers on the account's block list: v2 create answers blocked / in_block_list.
    std::set<std::string> blocked_numbers{"+15005550010"};
    // Bound on one webhook delivery: connect, write, and read the receiver's answer.
    std::chrono::milliseconds webhook_timeout = std::chrono::seconds(5);
    // Webhooks queued beyond this many are dropped (counted in sandbox_stats::webhooks_dropped).
    std::size_t max_pending_webhooks = 1024;
    // Names in the generated server certificate: IP addresses become IP SANs, others DNS SANs.
    std::vector<std::string> certificate_names{"127.0.0.1", "localhost"};
    // Verify management and Notify (see the top of this file).
    // Numbers on the verification allow list at start (blocked_numbers seeds the block list).
    std::set<std::string> allowed_numbers{};
    // Sender IDs approved from the start (listed first, in this set's order).
    std::set<std::string> approved_sender_ids{"Sandbox"};
    // A submitted sender ID stays pending this long on the virtual clock, then becomes approved,
    // or rejected when its name is in rejected_sender_ids.
    std::chrono::seconds sender_id_review = std::chrono::hours(1);
    std::set<std::string> rejected_sender_ids{"Rejected"};
    // Numbers that unsubscribed (state UNSUB after a STOP keyword) in the first seeded
    // subscription configuration: Notify and Transactional sends to them fail.
    std::set<std::string> unsubscribed_numbers{"+15005550011"};
};

// What an injected fault makes the sandbox do with a request it has read.
enum class sandbox_fault_kind {
    status_429,             // 429 with Retry-After: retry_after seconds, JSON body
    status_500,             // 500 with a JSON body
    status_502,             // 502 with an HTML body (like a proxy)
    status_503,             // 503 with Retry-After and a text body
    status_504,             // 504 with an empty body
    delay,                  // wait `delay`, then answer normally (the request does take effect)
    close_before_response,  // close the connection without answering
    close_after_headers,    // send a 200's headers (with Content-Length), then close
    close_mid_body,         // send the headers and half of the body, then close
    malformed_json,         // 200, application/json, but the body is not valid JSON
    wrong_types,            // 200, valid JSON with the route's property names but wrong value types
    huge_body,              // 200, application/json body of huge_body_bytes bytes
    stall,                  // never answer (until the client closes or stop())
};

// A fault applies to the next `count` requests that match `path` (exact request path without
// query, e.g. "/v1/check", or a route template such as "/v1/authentication/{auth_uuid}" or
// "/v1/lookup/{phone_number}"; nullopt = any). Faults are queued: a request consumes one count
// of the oldest matching fault. Apart from `delay`, a faulted request changes no state.
struct sandbox_fault {
    sandbox_fault() = default;
    sandbox_fault(sandbox_fault_kind k, int n = 1, std::optional<std::string> only_path = std::nullopt)
        : kind(k), count(n), path(std::move(only_path)) {}

    sandbox_fault_kind kind = sandbox_fault_kind::status_500;
    int count = 1;
    std::optional<std::string> path;
    std::chrono::milliseconds delay{0};               // for delay
    std::chrono::seconds retry_after{1};              // Retry-After of 429 and 503
    std::size_t huge_body_bytes = 8 * 1024 * 1024;    // for huge_body
};

struct sandbox_path_count {
    std::string path;
    std::uint64_t requests = 0;
};

struct sandbox_stats {
    std::uint64_t connections_accepted = 0;
    std::uint64_t tls_handshakes = 0;        // completed handshakes
    std::uint64_t requests_total = 0;        // requests read, faulted ones included
    std::vector<sandbox_path_count> paths;   // per request path (without query), in first-seen order
    std::vector<sandbox_path_count> routes;  // per matched route template, e.g. "/v1/lookup/{phone_number}"
    std::uint64_t webhooks_sent = 0;     // answered with a 2xx
    std::uint64_t webhooks_failed = 0;   // connect/write/read error, timeout, non-2xx, signing failure
    std::uint64_t webhooks_dropped = 0;  // not a loopback http:// URL, or the queue was full
    // Requests seen for an exact path, or for a route template (when `path` contains '{').
    std::uint64_t requests_for(std::string_view path) const noexcept;
};

class sandbox {
public:
    // Listens on 127.0.0.1 right away and serves on `ex` (which the caller runs).
    explicit sandbox(boost::asio::any_io_executor ex, sandbox_options options = {});
    // Listens right away and serves on its own io_context and thread; the destructor stops and joins.
    explicit sandbox(sandbox_options options = {});
    // Stops (as stop()); with the own-thread constructor also joins the thread.
    ~sandbox();

    sandbox(const sandbox&) = delete;
    sandbox& operator=(const sandbox&) = delete;

    // "https://127.0.0.1:PORT/v1" (or "http://..." without TLS).
    std::string base_url() const;
    const std::string& api_key() const noexcept;
    // PEM of the CA that signed the server certificate; empty without TLS.
    const std::string& ca_pem() const noexcept;
    std::uint16_t port() const noexcept;
    const sandbox_options& options() const noexcept;

    // Verify v2: "https://127.0.0.1:PORT" (or "http://..."), without a path: the v2 client's
    // paths start with /v2. Give it as ding::v2::client_options::base_url.
    std::string v2_base_url() const;
    // The only accepted "Authorization: Bearer" token on /v2 paths.
    const std::string& v2_api_key() const noexcept;
    // The code most recently sent to this v2 target (E.164 number or email address), whatever
    // the verification's state since; nullopt if none was ever sent.
    std::optional<std::string> code_for_target(std::string_view target) const;
    // PEM SubjectPublicKeyInfo of the RSA key that signs webhooks (for ding::v2::webhook_verifier).
    // The key is generated on first need (this call or the first callback_url), which takes a
    // few hundred milliseconds once; empty only if OpenSSL failed.
    const std::string& webhook_public_key_pem() const;

    // The code most recently sent for this authentication; nullopt if unknown or none was sent
    // (spam_detected / rate_limited at creation).
    std::optional<std::string> code_for(std::string_view authentication_uuid) const;

    // The virtual clock: system_clock::now() plus everything passed to advance_clock.
    std::chrono::system_clock::time_point now() const;
    void advance_clock(std::chrono::system_clock::duration by);

    // Closes the listener and every open connection (in-flight and stalled requests too).
    // Idempotent; safe from any thread. The closing runs on the sandbox's executor.
    void stop() noexcept;
    bool stopped() const noexcept;

    sandbox_stats stats() const;
    std::uint64_t requests_for(std::string_view path) const;

    void inject(sandbox_fault fault);
    void clear_faults();
    // Fault counts not yet consumed.
    std::size_t pending_faults() const;

    struct impl;

private:
    struct own_thread;
    std::unique_ptr<own_thread> thread_;  // only with the own-thread constructor
    std::shared_ptr<impl> impl_;
};

}  // namespace ding
