// ding/v2/models.hpp - request and response models of Prelude's v2 API (Verify, Lookup, Watch,
// Verify management, Notify, Transactional).
//
// The source of truth is spec/prelude-v2-openapi.yaml. Struct names are the contract's schema
// names in snake_case (CreateVerificationRequest -> create_verification_request); member names are
// the contract's property names. The contract's `Error` schema is `error_body` here, because
// `ding::error` is the SDK's error type.
//
// Rules (the same as v1's, see ding/models.hpp):
// - A property the contract marks `required` is a plain member; every other one is a
//   std::optional, omitted from the JSON when unset (never sent as null).
// - Responses: properties this SDK does not know are ignored; a required property that is
//   missing makes the body undecodable (errc::decode), since the contract promises it.
// - Enums: every enum has an `unknown` member (value 0) for a spelling this SDK does not know
//   (the vendor adds values over time). Where the contract itself spells a value `unknown`
//   (line_type, delivery_status), that spelling also maps to E::unknown.
//   An `unknown` value cannot be sent: validation refuses it before any I/O.
// - Timestamps are std::chrono::system_clock::time_point, read from RFC 3339.
//
// Every member has a default member initializer, so partial aggregate initialisation compiles
// without -Wmissing-field-initializers warnings.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ding::v2 {

// ------------------------------------------------------------------- enums

/// TargetType: kind of target.value.
enum class target_type { unknown = 0, phone_number, email_address };

/// DevicePlatform: platform of the end user's device.
enum class device_platform { unknown = 0, android, ios, ipados, tvos, web };

/// VerificationOptions.method: how to verify a phone number. `automatic` is spelled `auto` on
/// the wire (a C++ keyword).
enum class requested_method { unknown = 0, automatic, voice, message };

/// DeliveryChannel: a channel a code may be sent through (preferred_channel, channels).
enum class delivery_channel { unknown = 0, sms, rcs, whatsapp, viber, zalo, telegram };

/// AppRealm.platform: `android` (SMS Retriever API) or `web` (WebOTP API).
enum class app_realm_platform { unknown = 0, android, web };

/// VerificationStatus: outcome of a create-or-retry call (all are 200 responses, not errors).
enum class verification_status { unknown = 0, success, retry, challenged, blocked, shadow_blocked };

/// CreateVerificationResponse.method: how the target is being verified.
enum class verification_method { unknown = 0, email, message, silent, voice };

/// UsedChannel: a channel in a verification's delivery plan.
enum class used_channel { unknown = 0, rcs, silent, sms, telegram, viber, voice, whatsapp, zalo };

/// BlockReason: why a verification was blocked (with `blocked` or `shadow_blocked`).
enum class block_reason {
    unknown = 0, expired_signature, in_block_list, invalid_phone_line, invalid_phone_number,
    invalid_signature, repeated_attempts, suspicious
};

/// RiskFactor: a risk signal behind a `blocked` or `shadow_blocked` verification.
enum class risk_factor {
    unknown = 0, behavioral_pattern, device_attribute, fraud_database, location_discrepancy,
    network_fingerprint, poor_conversion_history, prefix_concentration, suspected_request_tampering,
    suspicious_ip_address, temporary_phone_number
};

/// CheckStatus: outcome of a check. A wrong code is `failure`, a value, not an error.
enum class check_status {
    unknown = 0, success, failure, expired_or_not_found, transaction_missing, transaction_mismatch
};

/// LookupFeature: extra data a lookup may ask for (the `type` query parameter).
enum class lookup_feature { unknown = 0, cnam };

/// LineType (the contract's own `unknown` maps to line_type::unknown).
enum class line_type {
    unknown = 0, calling_cards, fixed_line, isp, local_rate, mobile, other, pager, payphone,
    premium_rate, satellite, service, shared_cost, short_codes_commercial, toll_free,
    universal_access, vpn, voice_mail, voip
};

/// LookupResponse.flags items.
enum class lookup_flag { unknown = 0, ported, temporary };

/// PredictResponse.prediction: the verdict.
enum class prediction_verdict { unknown = 0, legitimate, suspicious };

/// PredictRiskFactor: every risk_factor value plus `account_risk_profile`.
enum class predict_risk_factor {
    unknown = 0, account_risk_profile, behavioral_pattern, device_attribute, fraud_database,
    location_discrepancy, network_fingerprint, poor_conversion_history, prefix_concentration,
    suspected_request_tampering, suspicious_ip_address, temporary_phone_number
};

/// WatchEvent.confidence, a five-step scale. The contract records that the vendor's material
/// disagrees on which way the scale points; confirm with the vendor before relying on it.
enum class event_confidence { unknown = 0, maximum, high, neutral, low, minimum };

/// Feedback.type. Wire: `verification.started`, `verification.completed`.
enum class feedback_type { unknown = 0, verification_started, verification_completed };

/// SendEventsResponse.status and SendFeedbacksResponse.status (`success` when accepted).
enum class send_status { unknown = 0, success };

/// Status of a message in a `verify.delivery_status` webhook (see ding/v2/webhook.hpp).
enum class delivery_status { unknown = 0, submitted, in_transit, delivered, undeliverable };

/// PhoneNumberListActionPath: which verification list a management call acts on (the `{action}`
/// path value: `allow` or `block`).
enum class phone_list { unknown = 0, allow, block };

/// SenderIdStatus: approval state of a sender ID.
enum class sender_id_status { unknown = 0, approved, pending, rejected };

/// MessageEncoding: SMS encoding of a Notify message. Wire: `GSM-7`, `UCS-2`.
enum class message_encoding { unknown = 0, gsm_7, ucs_2 };

/// The `preferred_channel` of Notify and Transactional sends (a smaller set than Verify's
/// delivery_channel): `sms`, `rcs` or `whatsapp`.
enum class message_channel { unknown = 0, sms, rcs, whatsapp };

/// SubscriptionSource: how a number's subscription state changed. Wire: `MO_KEYWORD`, `API`,
/// `CSV_IMPORT`, `CARRIER_DISCONNECT`.
enum class subscription_source { unknown = 0, mo_keyword, api, csv_import, carrier_disconnect };

/// SubscriptionState: `SUB` (subscribed) or `UNSUB` (opted out).
enum class subscription_state { unknown = 0, sub, unsub };

// Wire spelling of an enum value; `unknown` (or an out-of-range cast) gives "unknown".
std::string_view to_string(target_type) noexcept;
std::string_view to_string(device_platform) noexcept;
std::string_view to_string(requested_method) noexcept;
std::string_view to_string(delivery_channel) noexcept;
std::string_view to_string(app_realm_platform) noexcept;
std::string_view to_string(verification_status) noexcept;
std::string_view to_string(verification_method) noexcept;
std::string_view to_string(used_channel) noexcept;
std::string_view to_string(block_reason) noexcept;
std::string_view to_string(risk_factor) noexcept;
std::string_view to_string(check_status) noexcept;
std::string_view to_string(lookup_feature) noexcept;
std::string_view to_string(line_type) noexcept;
std::string_view to_string(lookup_flag) noexcept;
std::string_view to_string(prediction_verdict) noexcept;
std::string_view to_string(predict_risk_factor) noexcept;
std::string_view to_string(event_confidence) noexcept;
std::string_view to_string(feedback_type) noexcept;
std::string_view to_string(send_status) noexcept;
std::string_view to_string(delivery_status) noexcept;
std::string_view to_string(phone_list) noexcept;
std::string_view to_string(sender_id_status) noexcept;
std::string_view to_string(message_encoding) noexcept;
std::string_view to_string(message_channel) noexcept;
std::string_view to_string(subscription_source) noexcept;
std::string_view to_string(subscription_state) noexcept;

// Parses a wire spelling (exact, case-sensitive). Returns true and sets `out` for a spelling the
// contract lists (for line_type and delivery_status that includes "unknown"); otherwise returns
// false and sets out = E::unknown.
bool from_string(std::string_view text, target_type& out) noexcept;
bool from_string(std::string_view text, device_platform& out) noexcept;
bool from_string(std::string_view text, requested_method& out) noexcept;
bool from_string(std::string_view text, delivery_channel& out) noexcept;
bool from_string(std::string_view text, app_realm_platform& out) noexcept;
bool from_string(std::string_view text, verification_status& out) noexcept;
bool from_string(std::string_view text, verification_method& out) noexcept;
bool from_string(std::string_view text, used_channel& out) noexcept;
bool from_string(std::string_view text, block_reason& out) noexcept;
bool from_string(std::string_view text, risk_factor& out) noexcept;
bool from_string(std::string_view text, check_status& out) noexcept;
bool from_string(std::string_view text, lookup_feature& out) noexcept;
bool from_string(std::string_view text, line_type& out) noexcept;
bool from_string(std::string_view text, lookup_flag& out) noexcept;
bool from_string(std::string_view text, prediction_verdict& out) noexcept;
bool from_string(std::string_view text, predict_risk_factor& out) noexcept;
bool from_string(std::string_view text, event_confidence& out) noexcept;
bool from_string(std::string_view text, feedback_type& out) noexcept;
bool from_string(std::string_view text, send_status& out) noexcept;
bool from_string(std::string_view text, delivery_status& out) noexcept;
bool from_string(std::string_view text, phone_list& out) noexcept;
bool from_string(std::string_view text, sender_id_status& out) noexcept;
bool from_string(std::string_view text, message_encoding& out) noexcept;
bool from_string(std::string_view text, message_channel& out) noexcept;
bool from_string(std::string_view text, subscription_source& out) noexcept;
bool from_string(std::string_view text, subscription_state& out) noexcept;

// ------------------------------------------------------- shared request parts

/// Target: who the code (or score, event, feedback) is for. `value` is an E.164 number
/// (`+` and digits) for phone_number, an email address for email_address.
struct target {
    target_type type{};
    std::string value{};
    friend bool operator==(const target&, const target&) = default;
};

/// RequestMetadata: your data, echoed back in responses and webhooks.
struct request_metadata {
    std::optional<std::string> correlation_id{};
    friend bool operator==(const request_metadata&, const request_metadata&) = default;
};

/// Signals: facts about the end user's device and connection, for anti-fraud. All optional.
struct signals {
    std::optional<std::string> ip{};              ///< IPv4 or IPv6 (no format enforced, as the contract)
    std::optional<std::string> device_id{};
    std::optional<v2::device_platform> device_platform{};
    std::optional<std::string> device_model{};
    std::optional<std::string> os_version{};
    std::optional<std::string> app_version{};
    std::optional<std::string> user_agent{};
    std::optional<std::string> ja4_fingerprint{};
    std::optional<bool> is_trusted_user{};        ///< the vendor asks to be contacted before using it
    friend bool operator==(const signals&, const signals&) = default;
};

/// AppRealm: lets the device read the code automatically.
struct app_realm {
    app_realm_platform platform{};
    std::string value{};
    friend bool operator==(const app_realm&, const app_realm&) = default;
};

/// VerificationOptions: delivery options. `channels` excludes `preferred_channel`, and
/// `custom_code` excludes `code_size` (validation refuses both pairs).
struct verification_options {
    std::optional<std::string> template_id{};
    std::optional<std::map<std::string, std::string>> variables{};
    std::optional<std::string> locale{};                  ///< BCP 47 tag, e.g. "fr-FR"
    std::optional<std::string> sender_id{};
    std::optional<std::string> callback_url{};            ///< receives the webhooks of this verification
    std::optional<int> code_size{};                       ///< 4 to 8
    std::optional<std::string> custom_code{};
    std::optional<requested_method> method{};
    std::optional<delivery_channel> preferred_channel{};
    std::optional<std::vector<delivery_channel>> channels{};
    std::optional<std::int64_t> max_auto_fallbacks{};     ///< at least 0
    std::optional<bool> force_challenge{};
    std::optional<v2::app_realm> app_realm{};
    friend bool operator==(const verification_options&, const verification_options&) = default;
};

/// Psd2Transaction: the transaction values of a `prelude:psd2` code.
struct psd2_transaction {
    std::string amount{};     ///< decimal string, e.g. "149.90"
    std::string currency{};   ///< ISO 4217, e.g. "EUR"
    std::string recipient{};
    friend bool operator==(const psd2_transaction&, const psd2_transaction&) = default;
};

// ----------------------------------------------------------------- requests

/// Body of `POST /v2/verification`: creates a verification, or retries the open one.
struct create_verification_request {
    v2::target target{};
    std::optional<std::string> dispatch_id{};             ///< exactly 36 characters
    std::optional<request_metadata> metadata{};
    std::optional<verification_options> options{};
    std::optional<v2::signals> signals{};
    friend bool operator==(const create_verification_request&, const create_verification_request&) = default;
};

/// Body of `POST /v2/verification/check`: the code the user typed, for `target`.
struct check_verification_request {
    v2::target target{};
    std::string code{};
    std::optional<psd2_transaction> psd2{};
    friend bool operator==(const check_verification_request&, const check_verification_request&) = default;
};

/// Input of `GET /v2/lookup/{phone_number}`: the number (E.164) and the extra data wanted
/// (sent comma-separated as `?type=cnam`).
struct lookup_request {
    std::string phone_number{};
    std::vector<lookup_feature> type{};
    friend bool operator==(const lookup_request&, const lookup_request&) = default;
};

/// Body of `POST /v2/watch/predict`.
struct predict_request {
    v2::target target{};
    std::optional<std::string> dispatch_id{};             ///< exactly 36 characters
    std::optional<request_metadata> metadata{};
    std::optional<v2::signals> signals{};
    friend bool operator==(const predict_request&, const predict_request&) = default;
};

/// WatchEvent: one product event about a user.
struct watch_event {
    v2::target target{};
    std::string label{};                                  ///< e.g. "account.banned"
    event_confidence confidence{};
    friend bool operator==(const watch_event&, const watch_event&) = default;
};

/// Body of `POST /v2/watch/event`: at most 100 events.
struct send_events_request {
    std::vector<watch_event> events{};
    friend bool operator==(const send_events_request&, const send_events_request&) = default;
};

/// Feedback: one step of a verification funnel.
struct feedback {
    v2::target target{};
    feedback_type type{};
    std::optional<request_metadata> metadata{};
    friend bool operator==(const feedback&, const feedback&) = default;
};

/// Body of `POST /v2/watch/feedback`: at most 100 items.
struct send_feedbacks_request {
    std::vector<feedback> feedbacks{};
    friend bool operator==(const send_feedbacks_request&, const send_feedbacks_request&) = default;
};

// ---------------------------------------------------------------- responses

/// SilentVerification: the URL the device must request.
struct silent_verification {
    std::string request_url{};
    friend bool operator==(const silent_verification&, const silent_verification&) = default;
};

/// ResponseMetadata: the metadata given at creation, echoed back.
struct response_metadata {
    std::optional<std::string> correlation_id{};
    friend bool operator==(const response_metadata&, const response_metadata&) = default;
};

/// Result of `POST /v2/verification`. Test `status`: `blocked` is a 200, not an error.
struct create_verification_response {
    std::string id{};                                     ///< opaque (`vrf_...`)
    verification_status status{};
    verification_method method{};
    std::optional<std::vector<used_channel>> channels{};
    std::optional<block_reason> reason{};
    std::optional<std::vector<risk_factor>> risk_factors{};
    std::optional<silent_verification> silent{};
    std::optional<response_metadata> metadata{};
    std::optional<std::string> request_id{};
    friend bool operator==(const create_verification_response&, const create_verification_response&) = default;
};

/// Result of `POST /v2/verification/check`.
struct check_verification_response {
    check_status status{};
    std::optional<std::string> id{};
    std::optional<response_metadata> metadata{};
    std::optional<std::string> request_id{};
    friend bool operator==(const check_verification_response&, const check_verification_response&) = default;
};

/// NetworkInfo: a carrier of the number.
struct network_info {
    std::optional<std::string> carrier_name{};
    std::optional<std::string> mcc{};
    std::optional<std::string> mnc{};
    friend bool operator==(const network_info&, const network_info&) = default;
};

/// Result of `GET /v2/lookup/{phone_number}`; every property is optional.
struct lookup_response {
    std::optional<std::string> phone_number{};
    std::optional<std::string> country_code{};
    std::optional<v2::line_type> line_type{};
    std::optional<v2::network_info> network_info{};
    std::optional<v2::network_info> original_network_info{};
    std::optional<std::vector<lookup_flag>> flags{};
    std::optional<std::string> caller_name{};
    friend bool operator==(const lookup_response&, const lookup_response&) = default;
};

/// Result of `POST /v2/watch/predict`.
struct predict_response {
    std::string id{};                                     ///< opaque (`prd_...`)
    prediction_verdict prediction{};
    std::optional<std::vector<predict_risk_factor>> risk_factors{};
    std::string request_id{};
    friend bool operator==(const predict_response&, const predict_response&) = default;
};

/// Result of `POST /v2/watch/event`.
struct send_events_response {
    send_status status{};
    std::string request_id{};
    friend bool operator==(const send_events_response&, const send_events_response&) = default;
};

/// Result of `POST /v2/watch/feedback`.
struct send_feedbacks_response {
    send_status status{};
    std::string request_id{};
    friend bool operator==(const send_feedbacks_response&, const send_feedbacks_response&) = default;
};

/// The contract's `Error` body. `code` is an open list of strings (not v1's api_error_code);
/// `message` is for people. Surfaced through ding::error::api_code_string(), api_message() and
/// api_param().
struct error_body {
    std::optional<std::string> code{};
    std::optional<std::string> message{};
    std::optional<std::string> param{};
    friend bool operator==(const error_body&, const error_body&) = default;
};


// ====================================================== Verify management
// GET|POST|DELETE /v2/verification/management/phone-numbers/{action}, GET|POST .../sender-id.

/// ListedPhoneNumber: one entry of the allow list or the block list.
struct listed_phone_number {
    std::chrono::system_clock::time_point created_at{};
    std::string phone_number{};                           ///< E.164
    friend bool operator==(const listed_phone_number&, const listed_phone_number&) = default;
};

/// Result of `GET /v2/verification/management/phone-numbers/{action}` (not paginated).
struct list_phone_numbers_response {
    std::vector<listed_phone_number> phone_numbers{};
    friend bool operator==(const list_phone_numbers_response&, const list_phone_numbers_response&) = default;
};

/// Body of `POST /v2/verification/management/phone-numbers/{action}`: the E.164 number to add.
struct set_phone_number_request {
    std::string phone_number{};
    friend bool operator==(const set_phone_number_request&, const set_phone_number_request&) = default;
};

/// Result of `POST /v2/verification/management/phone-numbers/{action}`.
struct set_phone_number_response {
    std::string phone_number{};
    friend bool operator==(const set_phone_number_response&, const set_phone_number_response&) = default;
};

/// Body of `DELETE /v2/verification/management/phone-numbers/{action}` (a DELETE with a JSON
/// body, as the contract says): the E.164 number to remove.
struct delete_phone_number_request {
    std::string phone_number{};
    friend bool operator==(const delete_phone_number_request&, const delete_phone_number_request&) = default;
};

/// Result of `DELETE /v2/verification/management/phone-numbers/{action}`.
struct delete_phone_number_response {
    std::string phone_number{};
    friend bool operator==(const delete_phone_number_response&, const delete_phone_number_response&) = default;
};

/// SenderIdEntry: one sender ID of the account (both properties optional in the contract).
struct sender_id_entry {
    std::optional<std::string> sender_id{};
    std::optional<sender_id_status> status{};
    friend bool operator==(const sender_id_entry&, const sender_id_entry&) = default;
};

/// Result of `GET /v2/verification/management/sender-id` (not paginated).
struct list_sender_ids_response {
    std::optional<std::vector<sender_id_entry>> sender_ids{};
    friend bool operator==(const list_sender_ids_response&, const list_sender_ids_response&) = default;
};

/// Body of `POST /v2/verification/management/sender-id`.
struct submit_sender_id_request {
    std::string sender_id{};
    friend bool operator==(const submit_sender_id_request&, const submit_sender_id_request&) = default;
};

/// Result of `POST /v2/verification/management/sender-id`; `reason` when rejected.
struct submit_sender_id_response {
    std::string sender_id{};
    sender_id_status status{};
    std::optional<std::string> reason{};
    friend bool operator==(const submit_sender_id_response&, const submit_sender_id_response&) = default;
};

// ================================================================= Notify
// POST /v2/notify, POST /v2/notify/batch, GET /v2/notify/management/subscriptions/...

/// MessageDocument: a media attachment for WhatsApp templates with a media header.
struct message_document {
    std::string url{};                                    ///< HTTPS URL of the file
    std::optional<std::string> filename{};                ///< required by DOCUMENT templates
    friend bool operator==(const message_document&, const message_document&) = default;
};

/// MessageVariables: template variables by name.
using message_variables = std::map<std::string, std::string>;

/// Body of `POST /v2/notify`: one message from a template to one number. `from` is the sender
/// ID (the vendor's SDKs call it `from_`; `from` is not a C++ keyword).
struct notify_send_request {
    std::string template_id{};
    std::string to{};                                     ///< E.164
    std::optional<std::string> callback_url{};
    std::optional<std::string> correlation_id{};
    std::optional<message_document> document{};
    std::optional<std::chrono::system_clock::time_point> expires_at{};
    std::optional<std::string> from{};
    std::optional<std::string> locale{};                  ///< BCP 47
    std::optional<std::int64_t> max_auto_retries{};       ///< at least 0
    std::optional<message_channel> preferred_channel{};
    std::optional<std::chrono::system_clock::time_point> schedule_at{};
    std::optional<message_variables> variables{};
    friend bool operator==(const notify_send_request&, const notify_send_request&) = default;
};

/// Result of `POST /v2/notify`.
struct notify_send_response {
    std::string id{};                                     ///< opaque (`msg_...`)
    std::chrono::system_clock::time_point created_at{};
    std::chrono::system_clock::time_point expires_at{};
    std::string template_id{};
    std::string to{};
    message_variables variables{};
    std::optional<std::string> callback_url{};
    std::optional<std::string> correlation_id{};
    std::optional<message_encoding> encoding{};
    std::optional<std::int64_t> estimated_segment_count{};
    std::optional<std::string> from{};
    std::optional<std::chrono::system_clock::time_point> schedule_at{};
    friend bool operator==(const notify_send_response&, const notify_send_response&) = default;
};

/// Body of `POST /v2/notify/batch`: the fields of notify_send_request with `to` a list.
struct notify_send_batch_request {
    std::string template_id{};
    std::vector<std::string> to{};                        ///< E.164 each, at least one
    std::optional<std::string> callback_url{};
    std::optional<std::string> correlation_id{};
    std::optional<message_document> document{};
    std::optional<std::chrono::system_clock::time_point> expires_at{};
    std::optional<std::string> from{};
    std::optional<std::string> locale{};
    std::optional<std::int64_t> max_auto_retries{};
    std::optional<message_channel> preferred_channel{};
    std::optional<std::chrono::system_clock::time_point> schedule_at{};
    std::optional<message_variables> variables{};
    friend bool operator==(const notify_send_batch_request&, const notify_send_batch_request&) = default;
};

/// NotifyBatchResultError: why one recipient of a batch failed.
struct notify_batch_result_error {
    std::optional<std::string> code{};
    std::optional<std::string> message{};
    friend bool operator==(const notify_batch_result_error&, const notify_batch_result_error&) = default;
};

/// NotifyBatchResultMessage: the message sent to one recipient of a batch (every field optional).
struct notify_batch_result_message {
    std::optional<std::string> id{};
    std::optional<std::string> correlation_id{};
    std::optional<std::chrono::system_clock::time_point> created_at{};
    std::optional<message_encoding> encoding{};
    std::optional<std::int64_t> estimated_segment_count{};
    std::optional<std::chrono::system_clock::time_point> expires_at{};
    std::optional<std::string> from{};
    std::optional<std::string> locale{};
    std::optional<std::chrono::system_clock::time_point> schedule_at{};
    std::optional<std::string> to{};
    friend bool operator==(const notify_batch_result_message&, const notify_batch_result_message&) = default;
};

/// NotifyBatchResult: one recipient's outcome. A failed recipient is a value (`success` false,
/// `error` set), not an error of the call.
struct notify_batch_result {
    std::string phone_number{};
    bool success{};
    std::optional<notify_batch_result_error> error{};
    std::optional<notify_batch_result_message> message{};
    friend bool operator==(const notify_batch_result&, const notify_batch_result&) = default;
};

/// Result of `POST /v2/notify/batch`: one result per recipient.
struct notify_send_batch_response {
    std::int64_t error_count{};
    std::vector<notify_batch_result> results{};
    std::int64_t success_count{};
    std::int64_t total_count{};
    std::optional<std::string> callback_url{};
    std::optional<std::string> request_id{};
    std::optional<std::string> template_id{};
    std::optional<message_variables> variables{};
    friend bool operator==(const notify_send_batch_response&, const notify_send_batch_response&) = default;
};

/// SubscriptionMessages: texts sent on START, STOP and HELP (all optional).
struct subscription_messages {
    std::optional<std::string> help_message{};
    std::optional<std::string> start_message{};
    std::optional<std::string> stop_message{};
    friend bool operator==(const subscription_messages&, const subscription_messages&) = default;
};

/// MoPhoneNumber: a number receiving inbound messages (E.164 or a short code).
struct mo_phone_number {
    std::string country_code{};                           ///< ISO 3166-1 alpha-2
    std::string phone_number{};
    friend bool operator==(const mo_phone_number&, const mo_phone_number&) = default;
};

/// SubscriptionConfig: a subscription management configuration.
struct subscription_config {
    std::string id{};                                     ///< `cfg_...`
    std::string callback_url{};
    std::chrono::system_clock::time_point created_at{};
    subscription_messages messages{};
    std::string name{};
    std::chrono::system_clock::time_point updated_at{};
    std::optional<std::vector<mo_phone_number>> mo_phone_numbers{};
    friend bool operator==(const subscription_config&, const subscription_config&) = default;
};

/// Input of `GET /v2/notify/management/subscriptions` (one page): `cursor` is the previous
/// page's next_cursor (absent for the first page), `limit` at least 1 if set.
struct list_subscription_configs_request {
    std::optional<std::string> cursor{};
    std::optional<std::int64_t> limit{};
    friend bool operator==(const list_subscription_configs_request&, const list_subscription_configs_request&) = default;
};

/// Result of `GET /v2/notify/management/subscriptions`: one page; no next_cursor on the last.
struct list_subscription_configs_response {
    std::vector<subscription_config> configs{};
    std::optional<std::string> next_cursor{};
    friend bool operator==(const list_subscription_configs_response&, const list_subscription_configs_response&) = default;
};

/// SubscriptionPhoneNumber: the subscription state of a number in a configuration.
struct subscription_phone_number {
    std::string config_id{};
    std::string phone_number{};
    subscription_source source{};
    subscription_state state{};
    std::chrono::system_clock::time_point updated_at{};
    std::optional<std::string> reason{};                  ///< e.g. the keyword sent ("STOP")
    friend bool operator==(const subscription_phone_number&, const subscription_phone_number&) = default;
};

/// Input of `GET /v2/notify/management/subscriptions/{config_id}/phone_numbers` (one page).
/// `config_id` goes in the path (it must not contain '/', '?', '%' or a control character).
struct list_subscription_phone_numbers_request {
    std::string config_id{};
    std::optional<std::string> cursor{};
    std::optional<std::int64_t> limit{};                  ///< at least 1 if set
    std::optional<subscription_state> state{};            ///< filter; both states when unset
    friend bool operator==(const list_subscription_phone_numbers_request&,
                           const list_subscription_phone_numbers_request&) = default;
};

/// Result of `GET .../subscriptions/{config_id}/phone_numbers`: one page.
struct list_subscription_phone_numbers_response {
    std::vector<subscription_phone_number> phone_numbers{};
    std::optional<std::string> next_cursor{};
    friend bool operator==(const list_subscription_phone_numbers_response&,
                           const list_subscription_phone_numbers_response&) = default;
};

/// SubscriptionEvent: one change of a number's subscription state.
struct subscription_event {
    std::string config_id{};
    std::string phone_number{};
    subscription_source source{};
    subscription_state state{};                           ///< the state after the event
    std::chrono::system_clock::time_point timestamp{};
    std::optional<std::string> reason{};
    friend bool operator==(const subscription_event&, const subscription_event&) = default;
};

/// Input of `GET .../subscriptions/{config_id}/phone_numbers/{phone_number}/events` (one page).
/// `phone_number` must be E.164 (it goes in the path).
struct list_subscription_phone_number_events_request {
    std::string config_id{};
    std::string phone_number{};
    std::optional<std::string> cursor{};
    std::optional<std::int64_t> limit{};                  ///< at least 1 if set
    friend bool operator==(const list_subscription_phone_number_events_request&,
                           const list_subscription_phone_number_events_request&) = default;
};

/// Result of `GET .../{phone_number}/events`: one page, most recent first.
struct list_subscription_phone_number_events_response {
    std::vector<subscription_event> events{};
    std::optional<std::string> next_cursor{};
    friend bool operator==(const list_subscription_phone_number_events_response&,
                           const list_subscription_phone_number_events_response&) = default;
};

// ========================================================== Transactional

/// Body of the deprecated `POST /v2/transactional`. Unlike notify_send_request, `expires_at` is
/// a string here because the contract types it so (an RFC 3339 date-time is the safe value),
/// and there is no `schedule_at`.
struct transactional_send_request {
    std::string template_id{};
    std::string to{};                                     ///< E.164
    std::optional<std::string> callback_url{};
    std::optional<std::string> correlation_id{};
    std::optional<message_document> document{};
    std::optional<std::string> expires_at{};
    std::optional<std::string> from{};
    std::optional<std::string> locale{};
    std::optional<std::int64_t> max_auto_retries{};       ///< at least 0
    std::optional<message_channel> preferred_channel{};
    std::optional<message_variables> variables{};
    friend bool operator==(const transactional_send_request&, const transactional_send_request&) = default;
};

/// Result of the deprecated `POST /v2/transactional`.
struct transactional_send_response {
    std::string id{};
    std::chrono::system_clock::time_point created_at{};
    std::chrono::system_clock::time_point expires_at{};
    std::string template_id{};
    std::string to{};
    message_variables variables{};
    std::optional<std::string> callback_url{};
    std::optional<std::string> correlation_id{};
    std::optional<std::string> from{};
    friend bool operator==(const transactional_send_response&, const transactional_send_response&) = default;
};

}  // namespace ding::v2
