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
std::string_view to_string(device_type) noexcept;
std::string_view to_string(authentication_status) noexcept;
std::string_view to_string(check_status) noexcept;
std::string_view to_string(retry_status) noexcept;
std::string_view to_string(feedback_status) noexcept;
std::string_view to_string(capability) noexcept;
std::string_view to_string(attempt_status) noexcept;
std::string_view to_string(delivery_status) noexcept;
std::string_view to_string(balance_update_type) noexcept;
std::string_view to_string(line_type) noexcept;
std::string_view to_string(lookup_type) noexcept;
std::string_view to_string(api_error_code) noexcept;

// Parses a wire spelling (exact, case-sensitive). Returns true and sets `out`
// when `text` is a spelling the contract lists for this enum (for check_status,
// delivery_status and balance_update_type that includes "unknown", for
// line_type "Unknown"; both give E::unknown). Otherwise returns false and sets
// out = E::unknown.
bool from_string(std::string_view text, device_type& out) noexcept;
bool from_string(std::string_view text, authentication_status& out) noexcept;
bool from_string(std::string_view text, check_status& out) noexcept;
bool from_string(std::string_view text, retry_status& out) noexcept;
bool from_string(std::string_view text, feedback_status& out) noexcept;
bool from_string(std::string_view text, capability& out) noexcept;
bool from_string(std::string_view text, attempt_status& out) noexcept;
bool from_string(std::string_view text, delivery_status& out) noexcept;
bool from_string(std::string_view text, balance_update_type& out) noexcept;
bool from_string(std::string_view text, line_type& out) noexcept;
bool from_string(std::string_view text, lookup_type& out) noexcept;
bool from_string(std::string_view text, api_error_code& out) noexcept;

// ---------------------------------------------------------------- requests

/// Body of `POST /authentication` (CreateAuthenticationRequest): sends a code to
/// `phone_number`. Only customer_uuid and phone_number are required; the rest
/// are optional device signals and delivery options (unset ones are not sent).
struct create_authentication_request {
    std::string customer_uuid{};
    std::string phone_number{};
    std::optional<std::string> ip{};
    std::optional<std::string> device_id{};
    std::optional<ding::device_type> device_type{};  ///< only ios, android, web are accepted
    std::optional<std::string> app_version{};
    std::optional<std::string> sender_id{};
    std::optional<std::string> callback_url{};
    std::optional<std::string> app_realm{};          ///< requires device_type
    std::optional<std::string> os_version{};
    std::optional<std::string> device_model{};
    std::optional<bool> is_returning_user{};
    std::optional<std::string> template_id{};
    std::optional<std::string> correlation_id{};
    std::optional<std::string> locale{};
    friend bool operator==(const create_authentication_request&, const create_authentication_request&) = default;
};

/// Body of `POST /check` (CreateCheckRequest): the code the user typed.
struct create_check_request {
    std::string customer_uuid{};
    std::string authentication_uuid{};
    std::string check_code{};
    friend bool operator==(const create_check_request&, const create_check_request&) = default;
};

/// Body of `POST /retry` (RetryAuthenticationRequest): send the code again.
struct retry_authentication_request {
    std::string customer_uuid{};
    std::string authentication_uuid{};
    friend bool operator==(const retry_authentication_request&, const retry_authentication_request&) = default;
};

/// Body of `POST /authentication/feedback` (FeedbackRequest): whether the
/// verified user finished onboarding. `status` is required (onboarded or not_onboarded).
struct feedback_request {
    std::string customer_uuid{};
    std::string phone_number{};
    ding::feedback_status status{};
    friend bool operator==(const feedback_request&, const feedback_request&) = default;
};

/// Input of `GET /lookup/{phone_number}`: customer_uuid travels in the
/// `customer-uuid` header, phone_number in the path, each of `types` as a
/// repeated `type` query parameter.
struct lookup_request {
    std::string customer_uuid{};
    std::string phone_number{};
    std::vector<lookup_type> types{};
    friend bool operator==(const lookup_request&, const lookup_request&) = default;
};

// --------------------------------------------------------------- responses

/// Result of `POST /authentication` (CreateAuthenticationResponse).
struct create_authentication_response {
    std::optional<std::string> authentication_uuid{};
    std::optional<authentication_status> status{};
    std::optional<std::chrono::system_clock::time_point> created_at{};
    std::optional<std::chrono::system_clock::time_point> expires_at{};
    friend bool operator==(const create_authentication_response&, const create_authentication_response&) = default;
};

/// Result of `POST /check` (CreateCheckResponse); a wrong code is status invalid.
struct create_check_response {
    std::optional<std::string> authentication_uuid{};
    std::optional<check_status> status{};
    friend bool operator==(const create_check_response&, const create_check_response&) = default;
};

/// Result of `POST /retry` (RetryAuthenticationResponse).
struct retry_authentication_response {
    std::optional<std::string> authentication_uuid{};
    std::optional<retry_status> status{};
    std::optional<std::chrono::system_clock::time_point> created_at{};
    std::optional<std::chrono::system_clock::time_point> next_retry_at{};
    std::optional<std::int64_t> remaining_retry{};
    friend bool operator==(const retry_authentication_response&, const retry_authentication_response&) = default;
};

/// Result of `POST /authentication/feedback` (FeedbackResponse).
struct feedback_response {
    std::optional<std::string> uuid{};
    friend bool operator==(const feedback_response&, const feedback_response&) = default;
};

/// Device and user signals recorded when an authentication was created (Signals).
struct signals {
    std::optional<std::string> ip{};
    std::optional<std::string> device_id{};
    std::optional<ding::device_type> device_type{};
    std::optional<std::string> app_version{};
    std::optional<std::string> app_realm{};
    std::optional<std::string> os_version{};
    std::optional<std::string> device_model{};
    std::optional<bool> is_returning_user{};
    friend bool operator==(const signals&, const signals&) = default;
};

/// Authentication event `type: attempt` (AttemptEvent): a message carrying the code was sent.
struct attempt_event {
    std::optional<std::string> id{};
    std::optional<std::string> content{};
    std::optional<std::string> sender_id{};
    std::optional<ding::capability> capability{};
    std::optional<std::int64_t> attempt_number{};
    std::optional<attempt_status> status{};
    std::optional<std::chrono::system_clock::time_point> created_at{};
    friend bool operator==(const attempt_event&, const attempt_event&) = default;
    friend auto operator<=>(const attempt_event&, const attempt_event&) = default;  ///< see authentication_event
};

/// Authentication event `type: check` (CheckEvent): a code was checked.
struct check_event {
    std::optional<std::string> id{};
    std::optional<std::string> code{};
    std::optional<check_status> status{};
    std::optional<std::chrono::system_clock::time_point> created_at{};
    friend bool operator==(const check_event&, const check_event&) = default;
    friend auto operator<=>(const check_event&, const check_event&) = default;  ///< see authentication_event
};

/// Authentication event `type: delivery_status` (DeliveryStatusEvent): a delivery report for one attempt.
struct delivery_status_event {
    std::optional<std::string> attempt_id{};
    std::optional<std::int64_t> attempt_number{};
    std::optional<delivery_status> status{};
    std::optional<std::chrono::system_clock::time_point> originated_at{};
    std::optional<std::chrono::system_clock::time_point> created_at{};
    friend bool operator==(const delivery_status_event&, const delivery_status_event&) = default;
    friend auto operator<=>(const delivery_status_event&, const delivery_status_event&) = default;  ///< see authentication_event
};

/// Authentication event `type: balance_update` (BalanceUpdateEvent): the balance changed.
struct balance_update_event {
    std::optional<ding::balance_update_type> balance_update_type{};
    std::optional<double> amount{};
    std::optional<std::chrono::system_clock::time_point> created_at{};
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
    std::optional<std::string> uuid{};
    std::optional<std::string> phone_number{};
    std::optional<std::string> template_id{};
    std::optional<std::string> correlation_id{};
    std::optional<std::chrono::system_clock::time_point> created_at{};
    std::optional<ding::signals> signals{};
    std::optional<std::vector<authentication_event>> events{};
    friend bool operator==(const authentication_status_response&, const authentication_status_response&) = default;
};

/// Result of `GET /lookup/{phone_number}` (LookupResponse).
struct lookup_response {
    std::optional<std::string> phone_number{};
    std::optional<std::string> mcc{};
    std::optional<std::string> mnc{};
    std::optional<std::string> caller_name{};
    std::optional<std::string> carrier{};
    std::optional<std::string> country_code{};
    std::optional<bool> number_ported{};
    std::optional<bool> temporary_phone_number{};
    std::optional<ding::line_type> line_type{};
    friend bool operator==(const lookup_response&, const lookup_response&) = default;
};

/// Body of an HTTP 400 (ErrorResponse). `message` is for humans; `code` is machine-readable.
struct error_response {
    std::optional<api_error_code> code{};
    std::optional<std::string> message{};
    std::optional<std::string> doc_url{};
    friend bool operator==(const error_response&, const error_response&) = default;
};

}  // namespace ding
