/// \file
/// Request and response models of the Ding API, version 1 (retired by the vendor: support ended
/// 2025-11-01, removal in April 2026; new code uses <ding/v2/models.hpp>).
//
// ding/models.hpp - request and response models of the Ding API, version 1.
//
// The source of truth is spec/ding-openapi.yaml. Member names are the
// contract's property names. Request structs carry what the caller sends;
// every member of a response struct is optional because the contract makes
// every response property optional (a client must cope with absent fields).
//
// Every member has a default member initializer, so partial aggregate
// initialisation such as `create_check_request{customer, auth}` or
// `create_authentication_request{customer, phone}` compiles without
// -Wmissing-field-initializers warnings.
//
// Enums: every enum has an `unknown` member (value 0). It stands for a value
// this SDK does not know (the API may add values), and also for the API's own
// spelling of "unknown" where the contract has one (CheckStatus `unknown`,
// delivery status `unknown`, balance update type `unknown`, LineType `Unknown`).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ding {

// ------------------------------------------------------------------- enums

/// Platform of the end user's device. Wire: IOS ANDROID WEB IPADOS TVOS.
/// Creation accepts only ios/android/web; Signals may report all five.
enum class device_type { unknown = 0, ios, android, web, ipados, tvos };

/// CreateAuthenticationResponse.status: whether a code was sent.
enum class authentication_status { unknown = 0, pending, rate_limited, spam_detected };

/// CheckStatus: outcome of a check (`unknown` is also an API spelling).
enum class check_status {
    unknown = 0, valid, invalid, without_attempt, rate_limited, already_validated, expired_auth
};

/// RetryAuthenticationResponse.status: outcome of a retry.
enum class retry_status {
    unknown = 0, approved, denied, no_attempt, rate_limited, expired_auth, already_validated
};

/// FeedbackRequest.status: whether the user finished onboarding.
enum class feedback_status { unknown = 0, onboarded, not_onboarded };

/// AttemptEvent.capability: channel used for an attempt.
enum class capability { unknown = 0, rcs, text, whatsapp, viber };

/// AttemptEvent.status: state of an attempt.
enum class attempt_status { unknown = 0, pending, delivered, failed, rate_limited, expired };

/// DeliveryStatusEvent.status: delivery state reported (`unknown` is also an API spelling).
enum class delivery_status { unknown = 0, submitted, in_transit, delivered, undeliverable };

/// BalanceUpdateEvent.balance_update_type (`unknown` is also an API spelling).
enum class balance_update_type {
    unknown = 0, authentication, attempt, attempt_pending, attempt_success,
    authentication_pending, authentication_success
};

/// LineType. Wire spelling is CamelCase (CallingCards, ..., VPN, VoiceMail, Voip);
/// the API's `Unknown` maps to line_type::unknown.
enum class line_type {
    unknown = 0, calling_cards, fixed_line, internet_service_provider, local_rate, mobile, other,
    pager, pay_phone, premium_rate, satellite, service, shared_cost, short_codes_commercial,
    toll_free, universal_access, vpn, voice_mail, voip
};

/// LookupType: optional lookup feature (`type` query parameter).
enum class lookup_type { unknown = 0, cnam };

/// ErrorCode: machine-readable reason of an HTTP 400 ErrorResponse.
enum class api_error_code {
    unknown = 0, account_invalid, app_realm_require_device_type, bad_request, blocked_number,
    duplicated_feedback_status, internal_server_error, invalid_app_realm, invalid_app_version,
    invalid_auth_uuid, invalid_device_id, invalid_device_model, invalid_feedback_status,
    invalid_line, invalid_os_version, invalid_phone_number, invalid_sender_id,
    invalid_template_id, negative_balance, no_associated_auth_found, suspended_account,
    unauthorized_sender_id, unsupported_app_realm_device_type, unsupported_region
};

// Wire spelling of an enum value. `unknown` gives "unknown", except
// line_type::unknown which gives the API's "Unknown". An out-of-range value
// (a cast integer) gives the same as `unknown`.
std::string_view to_string(device_type) noexcept;  ///< the wire spelling; device_type::unknown and out-of-range values give "unknown"
std::string_view to_string(authentication_status) noexcept;  ///< the wire spelling; authentication_status::unknown and out-of-range values give "unknown"
std::string_view to_string(check_status) noexcept;  ///< the wire spelling; check_status::unknown and out-of-range values give "unknown"
std::string_view to_string(retry_status) noexcept;  ///< the wire spelling; retry_status::unknown and out-of-range values give "unknown"
std::string_view to_string(feedback_status) noexcept;  ///< the wire spelling; feedback_status::unknown and out-of-range values give "unknown"
std::string_view to_string(capability) noexcept;  ///< the wire spelling; capability::unknown and out-of-range values give "unknown"
std::string_view to_string(attempt_status) noexcept;  ///< the wire spelling; attempt_status::unknown and out-of-range values give "unknown"
std::string_view to_string(delivery_status) noexcept;  ///< the wire spelling; delivery_status::unknown and out-of-range values give "unknown"
std::string_view to_string(balance_update_type) noexcept;  ///< the wire spelling; balance_update_type::unknown and out-of-range values give "unknown"
std::string_view to_string(line_type) noexcept;  ///< the wire spelling; line_type::unknown and out-of-range values give "Unknown"
std::string_view to_string(lookup_type) noexcept;  ///< the wire spelling; lookup_type::unknown and out-of-range values give "unknown"
std::string_view to_string(api_error_code) noexcept;  ///< the wire spelling; api_error_code::unknown and out-of-range values give "unknown"

// Parses a wire spelling (exact, case-sensitive). Returns true and sets `out`
// when `text` is a spelling the contract lists for this enum (for check_status,
// delivery_status and balance_update_type that includes "unknown", for
// line_type "Unknown"; both give E::unknown). Otherwise returns false and sets
// out = E::unknown.
bool from_string(std::string_view text, device_type& out) noexcept;  ///< true and `out` set when `text` is a wire spelling of device_type (exact case); else false, out = unknown
bool from_string(std::string_view text, authentication_status& out) noexcept;  ///< true and `out` set when `text` is a wire spelling of authentication_status (exact case); else false, out = unknown
bool from_string(std::string_view text, check_status& out) noexcept;  ///< true and `out` set when `text` is a wire spelling of check_status (exact case); else false, out = unknown
bool from_string(std::string_view text, retry_status& out) noexcept;  ///< true and `out` set when `text` is a wire spelling of retry_status (exact case); else false, out = unknown
bool from_string(std::string_view text, feedback_status& out) noexcept;  ///< true and `out` set when `text` is a wire spelling of feedback_status (exact case); else false, out = unknown
bool from_string(std::string_view text, capability& out) noexcept;  ///< true and `out` set when `text` is a wire spelling of capability (exact case); else false, out = unknown
bool from_string(std::string_view text, attempt_status& out) noexcept;  ///< true and `out` set when `text` is a wire spelling of attempt_status (exact case); else false, out = unknown
bool from_string(std::string_view text, delivery_status& out) noexcept;  ///< true and `out` set when `text` is a wire spelling of delivery_status (exact case); else false, out = unknown
bool from_string(std::string_view text, balance_update_type& out) noexcept;  ///< true and `out` set when `text` is a wire spelling of balance_update_type (exact case); else false, out = unknown
bool from_string(std::string_view text, line_type& out) noexcept;  ///< true and `out` set when `text` is a wire spelling of line_type (exact case); else false, out = unknown
bool from_string(std::string_view text, lookup_type& out) noexcept;  ///< true and `out` set when `text` is a wire spelling of lookup_type (exact case); else false, out = unknown
bool from_string(std::string_view text, api_error_code& out) noexcept;  ///< true and `out` set when `text` is a wire spelling of api_error_code (exact case); else false, out = unknown

// ---------------------------------------------------------------- requests

/// Body of `POST /authentication` (CreateAuthenticationRequest): sends a code to
/// `phone_number`. Only customer_uuid and phone_number are required; the rest
/// are optional device signals and delivery options (unset ones are not sent).
struct create_authentication_request {
    std::string customer_uuid{};  ///< Customer UUID of the account (shown in the dashboard's API settings).
    std::string phone_number{};  ///< Recipient of the code, in E.164 form.
    std::optional<std::string> ip{};  ///< IPv4 address of the end user's device.
    std::optional<std::string> device_id{};  ///< Stable identifier of the end user's device (`ANDROID_ID` on Android, `identifierForVendor` on iOS).
    std::optional<ding::device_type> device_type{};  ///< only ios, android, web are accepted
    std::optional<std::string> app_version{};  ///< Version of your application.
    std::optional<std::string> sender_id{};  ///< Sender ID to show as the origin of the message.
    std::optional<std::string> callback_url{};  ///< URL that receives webhook events (such as delivery reports) for this authentication.
    std::optional<std::string> app_realm{};          ///< requires device_type
    std::optional<std::string> os_version{};  ///< Operating-system version of the end user's device.
    std::optional<std::string> device_model{};  ///< Model name of the end user's device.
    std::optional<bool> is_returning_user{};  ///< Set to true only when you have good reason to trust the user (a known, genuine returning user); it is a trust signal, not just a login flag.
    std::optional<std::string> template_id{};  ///< Identifier of the message template variant to send.
    std::optional<std::string> correlation_id{};  ///< Your own identifier for this authentication; echoed back in webhook events.
    std::optional<std::string> locale{};  ///< BCP 47 language tag for the message text. When absent, the language follows the phone number's country; an unsupported language falls back to US English (`en-US`).
    friend bool operator==(const create_authentication_request&, const create_authentication_request&) = default;
};

/// Body of `POST /check` (CreateCheckRequest): the code the user typed.
struct create_check_request {
    std::string customer_uuid{};  ///< Customer UUID of the account (shown in the dashboard's API settings).
    std::string authentication_uuid{};  ///< The `authentication_uuid` returned by `POST /authentication`.
    std::string check_code{};  ///< The code as entered by the user.
    friend bool operator==(const create_check_request&, const create_check_request&) = default;
};

/// Body of `POST /retry` (RetryAuthenticationRequest): send the code again.
struct retry_authentication_request {
    std::string customer_uuid{};  ///< Customer UUID of the account (shown in the dashboard's API settings).
    std::string authentication_uuid{};  ///< The `authentication_uuid` returned by `POST /authentication`.
    friend bool operator==(const retry_authentication_request&, const retry_authentication_request&) = default;
};

/// Body of `POST /authentication/feedback` (FeedbackRequest): whether the
/// verified user finished onboarding. `status` is required (onboarded or not_onboarded).
struct feedback_request {
    std::string customer_uuid{};  ///< Customer UUID of the account (shown in the dashboard's API settings).
    std::string phone_number{};  ///< The verified number the feedback is about, in E.164 form.
    ding::feedback_status status{};  ///< Whether the user completed onboarding (onboarded) or not (not_onboarded); required.
    friend bool operator==(const feedback_request&, const feedback_request&) = default;
};

/// Input of `GET /lookup/{phone_number}`: customer_uuid travels in the
/// `customer-uuid` header, phone_number in the path, each of `types` as a
/// repeated `type` query parameter.
struct lookup_request {
    std::string customer_uuid{};  ///< Customer UUID of the account, sent in the `customer-uuid` header.
    std::string phone_number{};  ///< The number to look up, in E.164 form (sent in the path).
    std::vector<lookup_type> types{};  ///< Optional lookup features, each sent as a `type` query parameter (lookup_type::cnam adds caller_name).
    friend bool operator==(const lookup_request&, const lookup_request&) = default;
};

// --------------------------------------------------------------- responses

/// Result of `POST /authentication` (CreateAuthenticationResponse).
struct create_authentication_response {
    std::optional<std::string> authentication_uuid{};  ///< Identifier of the new authentication; pass it to check, retry and status.
    std::optional<authentication_status> status{};  ///< Whether a code was sent (pending) or not (rate_limited, spam_detected).
    std::optional<std::chrono::system_clock::time_point> created_at{};  ///< When the authentication was created.
    std::optional<std::chrono::system_clock::time_point> expires_at{};  ///< After this instant the authentication can no longer be checked or retried.
    friend bool operator==(const create_authentication_response&, const create_authentication_response&) = default;
};

/// Result of `POST /check` (CreateCheckResponse); a wrong code is status invalid.
struct create_check_response {
    std::optional<std::string> authentication_uuid{};  ///< The authentication that was checked.
    std::optional<check_status> status{};  ///< Outcome of the check; a wrong code is check_status::invalid, not an error.
    friend bool operator==(const create_check_response&, const create_check_response&) = default;
};

/// Result of `POST /retry` (RetryAuthenticationResponse).
struct retry_authentication_response {
    std::optional<std::string> authentication_uuid{};  ///< The authentication that was retried.
    std::optional<retry_status> status{};  ///< Outcome of the retry (approved: a new code was sent).
    std::optional<std::chrono::system_clock::time_point> created_at{};  ///< Creation timestamp returned with the retry result.
    std::optional<std::chrono::system_clock::time_point> next_retry_at{};  ///< Earliest instant at which another retry may be made.
    std::optional<std::int64_t> remaining_retry{};  ///< How many more retries are allowed for this authentication.
    friend bool operator==(const retry_authentication_response&, const retry_authentication_response&) = default;
};

/// Result of `POST /authentication/feedback` (FeedbackResponse).
struct feedback_response {
    std::optional<std::string> uuid{};  ///< Identifier of the stored feedback.
    friend bool operator==(const feedback_response&, const feedback_response&) = default;
};

/// Device and user signals recorded when an authentication was created (Signals).
struct signals {
    std::optional<std::string> ip{};  ///< IPv4 address of the end user's device.
    std::optional<std::string> device_id{};  ///< Stable identifier of the end user's device.
    std::optional<ding::device_type> device_type{};  ///< Platform of the end user's device. Note that this list is longer than the one accepted on creation.
    std::optional<std::string> app_version{};  ///< Version of your application.
    std::optional<std::string> app_realm{};  ///< Android SMS Retriever app hash.
    std::optional<std::string> os_version{};  ///< Operating-system version of the device.
    std::optional<std::string> device_model{};  ///< Model name of the device.
    std::optional<bool> is_returning_user{};  ///< The trust signal given at creation.
    friend bool operator==(const signals&, const signals&) = default;
};

/// Authentication event `type: attempt` (AttemptEvent): a message carrying the code was sent.
struct attempt_event {
    std::optional<std::string> id{};  ///< Identifier of the attempt; delivery reports refer to it as `attempt_id`.
    std::optional<std::string> content{};  ///< Text of the message sent.
    std::optional<std::string> sender_id{};  ///< Sender ID the message was sent from.
    std::optional<ding::capability> capability{};  ///< Channel used for the attempt.
    std::optional<std::int64_t> attempt_number{};  ///< Sequence number of the attempt within the authentication.
    std::optional<attempt_status> status{};  ///< State of the attempt.
    std::optional<std::chrono::system_clock::time_point> created_at{};  ///< When the event was recorded.
    friend bool operator==(const attempt_event&, const attempt_event&) = default;
    friend auto operator<=>(const attempt_event&, const attempt_event&) = default;  ///< see authentication_event
};

/// Authentication event `type: check` (CheckEvent): a code was checked.
struct check_event {
    std::optional<std::string> id{};  ///< Identifier of the check.
    std::optional<std::string> code{};  ///< The code that was submitted.
    std::optional<check_status> status{};  ///< Outcome of that check.
    std::optional<std::chrono::system_clock::time_point> created_at{};  ///< When the event was recorded.
    friend bool operator==(const check_event&, const check_event&) = default;
    friend auto operator<=>(const check_event&, const check_event&) = default;  ///< see authentication_event
};

/// Authentication event `type: delivery_status` (DeliveryStatusEvent): a delivery report for one attempt.
struct delivery_status_event {
    std::optional<std::string> attempt_id{};  ///< The `id` of the attempt this report is about.
    std::optional<std::int64_t> attempt_number{};  ///< The `attempt_number` of that attempt.
    std::optional<delivery_status> status{};  ///< Delivery state reported.
    std::optional<std::chrono::system_clock::time_point> originated_at{};  ///< Timestamp given by the delivery provider for this report.
    std::optional<std::chrono::system_clock::time_point> created_at{};  ///< When the event was recorded.
    friend bool operator==(const delivery_status_event&, const delivery_status_event&) = default;
    friend auto operator<=>(const delivery_status_event&, const delivery_status_event&) = default;  ///< see authentication_event
};

/// Authentication event `type: balance_update` (BalanceUpdateEvent): the balance changed.
struct balance_update_event {
    std::optional<ding::balance_update_type> balance_update_type{};  ///< What the balance change was for.
    std::optional<double> amount{};  ///< Amount of the balance change.
    std::optional<std::chrono::system_clock::time_point> created_at{};  ///< When the event was recorded.
    friend bool operator==(const balance_update_event&, const balance_update_event&) = default;
    friend auto operator<=>(const balance_update_event&, const balance_update_event&) = default;  ///< see authentication_event
};

/// One event of an authentication (AuthenticationEvent), selected by its `type` tag.
/// Events of a `type` this SDK does not know are skipped when decoding.
/// (The event structs also have a defaulted operator<=> only so that the variant's
/// relational operators are well-formed: libstdc++ instantiates them, and would fail
/// hard, when e.g. a test framework probes `std::optional<std::vector<authentication_event>>`.)
using authentication_event = std::variant<attempt_event, check_event, delivery_status_event, balance_update_event>;

/// Result of `GET /authentication/{auth_uuid}` (AuthenticationStatusResponse).
struct authentication_status_response {
    std::optional<std::string> uuid{};  ///< Identifier of the authentication (the `authentication_uuid`).
    std::optional<std::string> phone_number{};  ///< Number the codes were sent to, in E.164 form.
    std::optional<std::string> template_id{};  ///< Message template variant used, if one was given at creation.
    std::optional<std::string> correlation_id{};  ///< Your identifier, as given at creation.
    std::optional<std::chrono::system_clock::time_point> created_at{};  ///< When the authentication was created.
    std::optional<ding::signals> signals{};  ///< The device and user signals given at creation.
    std::optional<std::vector<authentication_event>> events{};  ///< Everything that happened to the authentication, in order; events of a type this SDK does not know are skipped.
    friend bool operator==(const authentication_status_response&, const authentication_status_response&) = default;
};

/// Result of `GET /lookup/{phone_number}` (LookupResponse).
struct lookup_response {
    std::optional<std::string> phone_number{};  ///< The number looked up, in E.164 form.
    std::optional<std::string> mcc{};  ///< Mobile country code of the number's network.
    std::optional<std::string> mnc{};  ///< Mobile network code of the number's network.
    std::optional<std::string> caller_name{};  ///< Caller ID name (CNAM). Present only when requested with `type=cnam` and enabled on the account.
    std::optional<std::string> carrier{};  ///< Name of the carrier serving the number.
    std::optional<std::string> country_code{};  ///< ISO 3166-1 alpha-2 country of the number.
    std::optional<bool> number_ported{};  ///< True if the number was ported from another carrier.
    std::optional<bool> temporary_phone_number{};  ///< True if the number is known as a disposable (temporary) number.
    std::optional<ding::line_type> line_type{};  ///< Kind of line (mobile, fixed line, VoIP, ...); line_type::unknown for the API's `Unknown`.
    friend bool operator==(const lookup_response&, const lookup_response&) = default;
};

/// Body of an HTTP 400 (ErrorResponse). `message` is for humans; `code` is machine-readable.
struct error_response {
    std::optional<api_error_code> code{};  ///< Machine-readable reason.
    std::optional<std::string> message{};  ///< Explanation for humans; do not parse it.
    std::optional<std::string> doc_url{};  ///< Link to the documentation of this error code.
    friend bool operator==(const error_response&, const error_response&) = default;
};

}  // namespace ding
