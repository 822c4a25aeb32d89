/// \file
/// ding/v2/models.hpp - request and response models of Prelude's v2 API (Verify, Lookup, Watch,
/// Verify management, Notify, Transactional).
///
/// The source of truth is spec/prelude-v2-openapi.yaml. Struct names are the contract's schema
/// names in snake_case (CreateVerificationRequest -> create_verification_request); member names are
/// the contract's property names. The contract's `Error` schema is `error_body` here, because
/// `ding::error` is the SDK's error type.
///
/// Rules (the same as v1's, see ding/models.hpp):
/// - A property the contract marks `required` is a plain member; every other one is a
///   std::optional, omitted from the JSON when unset (never sent as null).
/// - Responses: properties this SDK does not know are ignored; a required property that is
///   missing makes the body undecodable (errc::decode), since the contract promises it.
/// - Enums: every enum has an `unknown` member (value 0) for a spelling this SDK does not know
///   (the vendor adds values over time). Where the contract itself spells a value `unknown`
///   (line_type, delivery_status), that spelling also maps to E::unknown.
///   An `unknown` value cannot be sent: validation refuses it before any I/O.
/// - Timestamps are std::chrono::system_clock::time_point, read from RFC 3339.
///
/// Every member has a default member initializer, so partial aggregate initialisation compiles
/// without -Wmissing-field-initializers warnings.
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
/// - phone_number: `value` is an E.164 number.
/// - email_address: `value` is an email address (email verification is enabled per account on
///   request).
enum class target_type { unknown = 0, phone_number, email_address };

/// DevicePlatform: platform of the end user's device.
/// Wire: `android`, `ios`, `ipados`, `tvos`, `web`: the operating system family of the device (web:
/// a browser).
enum class device_platform { unknown = 0, android, ios, ipados, tvos, web };

/// VerificationOptions.method: how to verify a phone number. `automatic` is spelled `auto` on
/// the wire (a C++ keyword).
/// - automatic: Prelude chooses (silent verification possible).
/// - voice: a phone call reads the code (accessible; reaches landlines).
/// - message: a message (SMS, WhatsApp, ...); never silent verification.
enum class requested_method { unknown = 0, automatic, voice, message };

/// DeliveryChannel: a channel a code may be sent through (preferred_channel, channels).
/// Wire: `sms`, `rcs`, `whatsapp`, `viber`, `zalo`, `telegram`. Each must be enabled on the account
/// and active in the destination country.
enum class delivery_channel { unknown = 0, sms, rcs, whatsapp, viber, zalo, telegram };

/// AppRealm.platform: `android` (SMS Retriever API) or `web` (WebOTP API).
enum class app_realm_platform { unknown = 0, android, web };

/// VerificationStatus: outcome of a create-or-retry call (all are 200 responses, not errors).
/// - success: a new verification window was opened.
/// - retry: the target already had an open window; a new attempt was made in it.
/// - challenged: judged suspicious; only channels other than SMS and voice are used.
/// - blocked: refused, no code sent; see create_verification_response::reason.
/// - shadow_blocked: a block rule matched but was not enforced (a dry run of anti-fraud settings).
enum class verification_status { unknown = 0, success, retry, challenged, blocked, shadow_blocked };

/// CreateVerificationResponse.method: how the target is being verified.
/// - email: a code by email.
/// - message: a code by SMS or a messaging app.
/// - silent: silent verification through the mobile network (silent_verification::request_url).
/// - voice: a code read in a phone call.
enum class verification_method { unknown = 0, email, message, silent, voice };

/// UsedChannel: a channel in a verification's delivery plan.
/// Wire: the value's name. `silent` is silent verification, `voice` a call; the others are
/// messaging channels.
enum class used_channel { unknown = 0, rcs, silent, sms, telegram, viber, voice, whatsapp, zalo };

/// BlockReason: why a verification was blocked (with `blocked` or `shadow_blocked`).
/// - expired_signature: the front-end SDK's signals are over an hour old.
/// - in_block_list: the number is on the account's block list.
/// - invalid_phone_line: the line cannot be verified (e.g. a landline).
/// - invalid_phone_number: not a real number (e.g. an unallocated range).
/// - invalid_signature: the front-end SDK's signature does not verify.
/// - repeated_attempts: too many verification attempts for this number.
/// - suspicious: anti-fraud judged the request suspicious.
enum class block_reason {
    unknown = 0, expired_signature, in_block_list, invalid_phone_line, invalid_phone_number,
    invalid_signature, repeated_attempts, suspicious
};

/// RiskFactor: a risk signal behind a `blocked` or `shadow_blocked` verification.
/// - behavioral_pattern: the number's past verifications look abusive.
/// - device_attribute: the device has traits seen in abusive traffic.
/// - fraud_database: the number is in a fraud database.
/// - location_discrepancy: the number's country and the IP location disagree.
/// - network_fingerprint: the connection has traits seen in abusive traffic.
/// - poor_conversion_history: codes sent to this number are rarely completed.
/// - prefix_concentration: the number is in a range associated with abuse.
/// - suspected_request_tampering: the front-end SDK's signature is invalid; the request looks
///   altered.
/// - suspicious_ip_address: the IP address is associated with abuse.
/// - temporary_phone_number: a disposable or temporary number.
enum class risk_factor {
    unknown = 0, behavioral_pattern, device_attribute, fraud_database, location_discrepancy,
    network_fingerprint, poor_conversion_history, prefix_concentration, suspected_request_tampering,
    suspicious_ip_address, temporary_phone_number
};

/// CheckStatus: outcome of a check. A wrong code is `failure`, a value, not an error.
/// - success: the code is right (the verification is done).
/// - failure: the code is wrong.
/// - expired_or_not_found: the window expired, or the target has no verification.
/// - transaction_missing: a `prelude:psd2` code was checked without psd2.
/// - transaction_mismatch: the psd2 values differ from those given when the code was issued.
enum class check_status {
    unknown = 0, success, failure, expired_or_not_found, transaction_missing, transaction_mismatch
};

/// LookupFeature: extra data a lookup may ask for (the `type` query parameter).
/// cnam: also return the caller name (CNAM; enabled per account on request).
enum class lookup_feature { unknown = 0, cnam };

/// LineType (the contract's own `unknown` maps to line_type::unknown).
/// calling_cards: prepaid calling cards; fixed_line: landline; isp: internet service provider
/// range; local_rate: non-geographic; mobile; other; pager; payphone; premium_rate: the caller pays
/// more; satellite; service: automated service; shared_cost: caller and callee share the cost;
/// short_codes_commercial; toll_free: the callee pays; universal_access; vpn: private corporate
/// network; voice_mail: voicemail or voice service; voip: VoIP range.
enum class line_type {
    unknown = 0, calling_cards, fixed_line, isp, local_rate, mobile, other, pager, payphone,
    premium_rate, satellite, service, shared_cost, short_codes_commercial, toll_free,
    universal_access, vpn, voice_mail, voip
};

/// LookupResponse.flags items.
/// - ported: the number moved from one carrier to another.
/// - temporary: probably a temporary or virtual number (verification services, burner phones).
enum class lookup_flag { unknown = 0, ported, temporary };

/// PredictResponse.prediction: the verdict.
/// - legitimate: no risk found.
/// - suspicious: risky; see predict_response::risk_factors.
enum class prediction_verdict { unknown = 0, legitimate, suspicious };

/// PredictRiskFactor: every risk_factor value plus `account_risk_profile`.
/// account_risk_profile: the target matches a risk profile derived from the outcomes reported on
/// your own account (newest vendor SDK only); the others mean what they mean in risk_factor.
enum class predict_risk_factor {
    unknown = 0, account_risk_profile, behavioral_pattern, device_attribute, fraud_database,
    location_discrepancy, network_fingerprint, poor_conversion_history, prefix_concentration,
    suspected_request_tampering, suspicious_ip_address, temporary_phone_number
};

/// WatchEvent.confidence, a five-step scale. The contract records that the vendor's material
/// disagrees on which way the scale points; confirm with the vendor before relying on it.
/// From maximum (the strongest weight) down to minimum (the weakest).
enum class event_confidence { unknown = 0, maximum, high, neutral, low, minimum };

/// Feedback.type. Wire: `verification.started`, `verification.completed`.
/// - verification_started: a challenge was issued to the user.
/// - verification_completed: the user passed it.
enum class feedback_type { unknown = 0, verification_started, verification_completed };

/// SendEventsResponse.status and SendFeedbacksResponse.status (`success` when accepted).
/// success: the events or feedbacks were accepted.
enum class send_status { unknown = 0, success };

/// Status of a message in a `verify.delivery_status` webhook (see ding/v2/webhook.hpp).
/// - submitted: handed to the carrier.
/// - in_transit: on its way.
/// - delivered: the recipient received it.
/// - undeliverable: it could not be delivered.
enum class delivery_status { unknown = 0, submitted, in_transit, delivered, undeliverable };

/// PhoneNumberListActionPath: which verification list a management call acts on (the `{action}`
/// path value: `allow` or `block`).
/// - allow: the account's allow list.
/// - block: the account's block list (their verifications answer block_reason::in_block_list).
enum class phone_list { unknown = 0, allow, block };

/// SenderIdStatus: approval state of a sender ID.
/// - approved: may be used.
/// - pending: awaiting review.
/// - rejected: refused (submit_sender_id_response::reason says why).
enum class sender_id_status { unknown = 0, approved, pending, rejected };

/// MessageEncoding: SMS encoding of a Notify message. Wire: `GSM-7`, `UCS-2`.
/// - gsm_7: standard characters, up to 160 a segment.
/// - ucs_2: Unicode (emoji included), up to 70 a segment.
enum class message_encoding { unknown = 0, gsm_7, ucs_2 };

/// The `preferred_channel` of Notify and Transactional sends (a smaller set than Verify's
/// delivery_channel): `sms`, `rcs` or `whatsapp`.
enum class message_channel { unknown = 0, sms, rcs, whatsapp };

/// SubscriptionSource: how a number's subscription state changed. Wire: `MO_KEYWORD`, `API`,
/// `CSV_IMPORT`, `CARRIER_DISCONNECT`.
/// - mo_keyword: the user sent a keyword (STOP/START).
/// - api: changed through the API.
/// - csv_import: imported from a CSV file.
/// - carrier_disconnect: unsubscribed because the carrier disconnected the number.
enum class subscription_source { unknown = 0, mo_keyword, api, csv_import, carrier_disconnect };

/// SubscriptionState: `SUB` (subscribed) or `UNSUB` (opted out).
/// - sub: may receive marketing messages.
/// - unsub: opted out.
enum class subscription_state { unknown = 0, sub, unsub };

// Wire spelling of an enum value; `unknown` (or an out-of-range cast) gives "unknown".
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(target_type) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(device_platform) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(requested_method) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(delivery_channel) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(app_realm_platform) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(verification_status) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(verification_method) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(used_channel) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(block_reason) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(risk_factor) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(check_status) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(lookup_feature) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(line_type) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(lookup_flag) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(prediction_verdict) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(predict_risk_factor) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(event_confidence) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(feedback_type) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(send_status) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(delivery_status) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(phone_list) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(sender_id_status) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(message_encoding) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(message_channel) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(subscription_source) noexcept;
/// Wire spelling of the value; "unknown" for `unknown` or a value out of range.
std::string_view to_string(subscription_state) noexcept;

// Parses a wire spelling (exact, case-sensitive). Returns true and sets `out` for a spelling the
// contract lists (for line_type and delivery_status that includes "unknown"); otherwise returns
// false and sets out = E::unknown.
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = target_type::unknown.
bool from_string(std::string_view text, target_type& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = device_platform::unknown.
bool from_string(std::string_view text, device_platform& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = requested_method::unknown.
bool from_string(std::string_view text, requested_method& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = delivery_channel::unknown.
bool from_string(std::string_view text, delivery_channel& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = app_realm_platform::unknown.
bool from_string(std::string_view text, app_realm_platform& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = verification_status::unknown.
bool from_string(std::string_view text, verification_status& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = verification_method::unknown.
bool from_string(std::string_view text, verification_method& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = used_channel::unknown.
bool from_string(std::string_view text, used_channel& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = block_reason::unknown.
bool from_string(std::string_view text, block_reason& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = risk_factor::unknown.
bool from_string(std::string_view text, risk_factor& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = check_status::unknown.
bool from_string(std::string_view text, check_status& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = lookup_feature::unknown.
bool from_string(std::string_view text, lookup_feature& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = line_type::unknown.
bool from_string(std::string_view text, line_type& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = lookup_flag::unknown.
bool from_string(std::string_view text, lookup_flag& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = prediction_verdict::unknown.
bool from_string(std::string_view text, prediction_verdict& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = predict_risk_factor::unknown.
bool from_string(std::string_view text, predict_risk_factor& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = event_confidence::unknown.
bool from_string(std::string_view text, event_confidence& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = feedback_type::unknown.
bool from_string(std::string_view text, feedback_type& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = send_status::unknown.
bool from_string(std::string_view text, send_status& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = delivery_status::unknown.
bool from_string(std::string_view text, delivery_status& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = phone_list::unknown.
bool from_string(std::string_view text, phone_list& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = sender_id_status::unknown.
bool from_string(std::string_view text, sender_id_status& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = message_encoding::unknown.
bool from_string(std::string_view text, message_encoding& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = message_channel::unknown.
bool from_string(std::string_view text, message_channel& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = subscription_source::unknown.
bool from_string(std::string_view text, subscription_source& out) noexcept;
/// Parses a wire spelling (exact, case-sensitive): true and `out` set for a spelling the
/// contract lists, else false and `out` = subscription_state::unknown.
bool from_string(std::string_view text, subscription_state& out) noexcept;

// ------------------------------------------------------- shared request parts

/// Target: who the code (or score, event, feedback) is for. `value` is an E.164 number
/// (`+` and digits) for phone_number, an email address for email_address.
struct target {
    /// Whether `value` is a phone number or an email address (not `unknown`: refused before any
    /// I/O).
    target_type type{};
    /// The phone number in E.164 (`+` and digits), or the email address.
    std::string value{};
    friend bool operator==(const target&, const target&) = default;
};

/// RequestMetadata: your data, echoed back in responses and webhooks.
struct request_metadata {
    /// Your identifier for this verification, prediction or feedback, echoed back in the response
    /// and in webhooks; not sent when unset.
    std::optional<std::string> correlation_id{};
    friend bool operator==(const request_metadata&, const request_metadata&) = default;
};

/// Signals: facts about the end user's device and connection, for anti-fraud. All optional.
struct signals {
    std::optional<std::string> ip{};              ///< IPv4 or IPv6 (no format enforced, as the contract)
    /// A stable per-device identifier (`ANDROID_ID` on Android, `identifierForVendor` on iOS).
    std::optional<std::string> device_id{};
    /// The device's platform (not `unknown`).
    std::optional<v2::device_platform> device_platform{};
    /// The device's model, as the device reports it.
    std::optional<std::string> device_model{};
    /// The version of the device's operating system.
    std::optional<std::string> os_version{};
    /// The version of your application.
    std::optional<std::string> app_version{};
    /// The device's user agent; device_platform, device_model and os_version, when also sent, take
    /// precedence over it.
    std::optional<std::string> user_agent{};
    /// The JA4 TLS fingerprint of the end user's connection: send it when you terminate TLS
    /// yourself (Prelude's front-end SDKs derive it themselves).
    std::optional<std::string> ja4_fingerprint{};
    std::optional<bool> is_trusted_user{};        ///< the vendor asks to be contacted before using it
    friend bool operator==(const signals&, const signals&) = default;
};

/// AppRealm: lets the device read the code automatically.
struct app_realm {
    /// `android` (SMS Retriever API) or `web` (WebOTP API); not `unknown`.
    app_realm_platform platform{};
    /// For android, the app's 11-character SMS Retriever hash; for web, the origin domain (e.g.
    /// "www.example.com").
    std::string value{};
    friend bool operator==(const app_realm&, const app_realm&) = default;
};

/// VerificationOptions: delivery options. `channels` excludes `preferred_channel`, and
/// `custom_code` excludes `code_size` (validation refuses both pairs).
struct verification_options {
    /// A verification template (message text and use-case settings); "prelude:psd2" issues payment
    /// confirmation codes (then check with psd2_transaction).
    std::optional<std::string> template_id{};
    /// Values substituted into the template, by variable name.
    std::optional<std::map<std::string, std::string>> variables{};
    std::optional<std::string> locale{};                  ///< BCP 47 tag, e.g. "fr-FR"
    /// The sender ID to send from; it must have been enabled by Prelude.
    std::optional<std::string> sender_id{};
    std::optional<std::string> callback_url{};            ///< receives the webhooks of this verification
    std::optional<int> code_size{};                       ///< 4 to 8
    /// A code of your choice instead of a generated one (enabled per account on request); excludes
    /// code_size.
    std::optional<std::string> custom_code{};
    /// How to verify a phone number: automatic (Prelude chooses, may use silent verification),
    /// voice (a phone call reads the code; reaches landlines) or message (SMS, WhatsApp, ..., never
    /// silent). Unset: the server's default.
    std::optional<requested_method> method{};
    /// The channel tried first (and preferred on retries while it has untried routes); excludes
    /// channels.
    std::optional<delivery_channel> preferred_channel{};
    /// The only channels this verification may use, in order (retries included); fixed at creation,
    /// ignored on a retry; excludes preferred_channel. Each must be enabled on the account.
    std::optional<std::vector<delivery_channel>> channels{};
    std::optional<std::int64_t> max_auto_fallbacks{};     ///< at least 0
    /// When true, only channels other than SMS and voice are used and the response's status is
    /// `challenged` (enabled per account on request).
    std::optional<bool> force_challenge{};
    /// Lets the device read the code automatically (Android SMS Retriever, WebOTP).
    std::optional<v2::app_realm> app_realm{};
    friend bool operator==(const verification_options&, const verification_options&) = default;
};

/// Psd2Transaction: the transaction values of a `prelude:psd2` code.
struct psd2_transaction {
    std::string amount{};     ///< decimal string, e.g. "149.90"
    std::string currency{};   ///< ISO 4217, e.g. "EUR"
    /// The payee's name as shown to the payer.
    std::string recipient{};
    friend bool operator==(const psd2_transaction&, const psd2_transaction&) = default;
};

// ----------------------------------------------------------------- requests

/// Body of `POST /v2/verification`: creates a verification, or retries the open one.
struct create_verification_request {
    /// The phone number or email address to verify (required).
    v2::target target{};
    std::optional<std::string> dispatch_id{};             ///< exactly 36 characters
    /// Your data, echoed back in the response and in webhooks.
    std::optional<request_metadata> metadata{};
    /// Delivery options; the server's defaults when unset.
    std::optional<verification_options> options{};
    /// Device and connection facts for anti-fraud.
    std::optional<v2::signals> signals{};
    friend bool operator==(const create_verification_request&, const create_verification_request&) = default;
};

/// Body of `POST /v2/verification/check`: the code the user typed, for `target`.
struct check_verification_request {
    /// The target the code was sent to (as given to create).
    v2::target target{};
    /// The code as the user typed it; must not be empty. Never echoed in an error.
    std::string code{};
    /// The transaction values, required for a code issued with template "prelude:psd2" and equal to
    /// those given at issue (else check_status::transaction_missing or transaction_mismatch).
    std::optional<psd2_transaction> psd2{};
    friend bool operator==(const check_verification_request&, const check_verification_request&) = default;
};

/// Input of `GET /v2/lookup/{phone_number}`: the number (E.164) and the extra data wanted
/// (sent comma-separated as `?type=cnam`).
struct lookup_request {
    /// The number to look up, E.164 (it goes in the path).
    std::string phone_number{};
    /// Extra data to ask for (none when empty); `cnam` adds lookup_response::caller_name where the
    /// account has it enabled.
    std::vector<lookup_feature> type{};
    friend bool operator==(const lookup_request&, const lookup_request&) = default;
};

/// Body of `POST /v2/watch/predict`.
struct predict_request {
    /// The signup target to score: a phone number or an email address.
    v2::target target{};
    std::optional<std::string> dispatch_id{};             ///< exactly 36 characters
    /// Your data (correlation_id), echoed back.
    std::optional<request_metadata> metadata{};
    /// Device and connection facts for anti-fraud (send what you have).
    std::optional<v2::signals> signals{};
    friend bool operator==(const predict_request&, const predict_request&) = default;
};

/// WatchEvent: one product event about a user.
struct watch_event {
    /// The user the event is about.
    v2::target target{};
    std::string label{};                                  ///< e.g. "account.banned"
    /// The event's weight on a five-step scale (see event_confidence for the vendor's conflicting
    /// readings).
    event_confidence confidence{};
    friend bool operator==(const watch_event&, const watch_event&) = default;
};

/// Body of `POST /v2/watch/event`: at most 100 events.
struct send_events_request {
    /// The events to report, at most 100 (more is refused before any I/O).
    std::vector<watch_event> events{};
    friend bool operator==(const send_events_request&, const send_events_request&) = default;
};

/// Feedback: one step of a verification funnel.
struct feedback {
    /// The user who went through the funnel step.
    v2::target target{};
    /// The step: verification_started (a challenge was issued) or verification_completed (the user
    /// passed it).
    feedback_type type{};
    /// Your data (correlation_id).
    std::optional<request_metadata> metadata{};
    friend bool operator==(const feedback&, const feedback&) = default;
};

/// Body of `POST /v2/watch/feedback`: at most 100 items.
struct send_feedbacks_request {
    /// The funnel steps to report, at most 100 (more is refused before any I/O).
    std::vector<feedback> feedbacks{};
    friend bool operator==(const send_feedbacks_request&, const send_feedbacks_request&) = default;
};

// ---------------------------------------------------------------- responses

/// SilentVerification: the URL the device must request.
struct silent_verification {
    /// The URL the end user's device must request to carry out the silent verification.
    std::string request_url{};
    friend bool operator==(const silent_verification&, const silent_verification&) = default;
};

/// ResponseMetadata: the metadata given at creation, echoed back.
struct response_metadata {
    /// Your identifier, as sent at creation; absent when none was sent.
    std::optional<std::string> correlation_id{};
    friend bool operator==(const response_metadata&, const response_metadata&) = default;
};

/// Result of `POST /v2/verification`. Test `status`: `blocked` is a 200, not an error.
struct create_verification_response {
    std::string id{};                                     ///< opaque (`vrf_...`)
    /// What the call did: success (a new window), retry (a new attempt in the open window),
    /// challenged, blocked or shadow_blocked (all 200 responses).
    verification_status status{};
    /// How the target is being verified (email, message, silent or voice).
    verification_method method{};
    /// The channels Prelude plans to use, in order; absent when the server sent none.
    std::optional<std::vector<used_channel>> channels{};
    /// Why it was blocked; only with `blocked` or `shadow_blocked`.
    std::optional<block_reason> reason{};
    /// The risk signals behind a `blocked` or `shadow_blocked` decision, when anti-fraud identified
    /// some.
    std::optional<std::vector<risk_factor>> risk_factors{};
    /// Present for a silent verification: the URL the device must request.
    std::optional<silent_verification> silent{};
    /// The request's metadata, echoed back.
    std::optional<response_metadata> metadata{};
    /// Prelude's identifier of this request (quote it to the vendor's support); absent when the
    /// server sent none.
    std::optional<std::string> request_id{};
    friend bool operator==(const create_verification_response&, const create_verification_response&) = default;
};

/// Result of `POST /v2/verification/check`.
struct check_verification_response {
    /// The outcome: success, failure (wrong code), expired_or_not_found, transaction_missing or
    /// transaction_mismatch (all values, not errors).
    check_status status{};
    /// The verification that was checked; absent when none was found (expired_or_not_found).
    std::optional<std::string> id{};
    /// The metadata given at creation, echoed back.
    std::optional<response_metadata> metadata{};
    /// Prelude's identifier of this request (quote it to the vendor's support); absent when the
    /// server sent none.
    std::optional<std::string> request_id{};
    friend bool operator==(const check_verification_response&, const check_verification_response&) = default;
};

/// NetworkInfo: a carrier of the number.
struct network_info {
    /// The carrier's name.
    std::optional<std::string> carrier_name{};
    /// Mobile country code (three digits, as a string).
    std::optional<std::string> mcc{};
    /// Mobile network code (two or three digits, as a string).
    std::optional<std::string> mnc{};
    friend bool operator==(const network_info&, const network_info&) = default;
};

/// Result of `GET /v2/lookup/{phone_number}`; every property is optional.
struct lookup_response {
    /// The number looked up, E.164.
    std::optional<std::string> phone_number{};
    /// ISO 3166-1 alpha-2 country of the number (e.g. "FR").
    std::optional<std::string> country_code{};
    /// The kind of line (mobile, fixed_line, voip, ...).
    std::optional<v2::line_type> line_type{};
    /// The current carrier of the number.
    std::optional<v2::network_info> network_info{};
    /// The carrier the number range was first assigned to (differs from network_info when ported).
    std::optional<v2::network_info> original_network_info{};
    /// Facts about the number: ported (moved to another carrier), temporary (probably disposable or
    /// virtual).
    std::optional<std::vector<lookup_flag>> flags{};
    /// The caller ID name (CNAM); only when asked with lookup_feature::cnam on an account where it
    /// is enabled.
    std::optional<std::string> caller_name{};
    friend bool operator==(const lookup_response&, const lookup_response&) = default;
};

/// Result of `POST /v2/watch/predict`.
struct predict_response {
    std::string id{};                                     ///< opaque (`prd_...`)
    /// The verdict: legitimate or suspicious.
    prediction_verdict prediction{};
    /// The risk signals behind a `suspicious` verdict, when anti-fraud identified some.
    std::optional<std::vector<predict_risk_factor>> risk_factors{};
    /// Prelude's identifier of this request (quote it to the vendor's support).
    std::string request_id{};
    friend bool operator==(const predict_response&, const predict_response&) = default;
};

/// Result of `POST /v2/watch/event`.
struct send_events_response {
    /// send_status::success when the events were accepted.
    send_status status{};
    /// Prelude's identifier of this request (quote it to the vendor's support).
    std::string request_id{};
    friend bool operator==(const send_events_response&, const send_events_response&) = default;
};

/// Result of `POST /v2/watch/feedback`.
struct send_feedbacks_response {
    /// send_status::success when the feedbacks were accepted.
    send_status status{};
    /// Prelude's identifier of this request (quote it to the vendor's support).
    std::string request_id{};
    friend bool operator==(const send_feedbacks_response&, const send_feedbacks_response&) = default;
};

/// The contract's `Error` body. `code` is an open list of strings (not v1's api_error_code);
/// `message` is for people. Surfaced through ding::error::api_code_string(), api_message() and
/// api_param().
struct error_body {
    /// Machine-readable reason (e.g. "invalid_phone_number", "invalid_api_key"); an open list, so
    /// compare strings. Absent when the body has none.
    std::optional<std::string> code{};
    /// Explanation for people; do not parse it.
    std::optional<std::string> message{};
    /// The request parameter the error is about, when there is one (its format is not documented).
    std::optional<std::string> param{};
    friend bool operator==(const error_body&, const error_body&) = default;
};


// ====================================================== Verify management
// GET|POST|DELETE /v2/verification/management/phone-numbers/{action}, GET|POST .../sender-id.

/// ListedPhoneNumber: one entry of the allow list or the block list.
struct listed_phone_number {
    /// When the number was added to the list (read from RFC 3339).
    std::chrono::system_clock::time_point created_at{};
    std::string phone_number{};                           ///< E.164
    friend bool operator==(const listed_phone_number&, const listed_phone_number&) = default;
};

/// Result of `GET /v2/verification/management/phone-numbers/{action}` (not paginated).
struct list_phone_numbers_response {
    /// Every number on the list (the whole list, no pages).
    std::vector<listed_phone_number> phone_numbers{};
    friend bool operator==(const list_phone_numbers_response&, const list_phone_numbers_response&) = default;
};

/// Body of `POST /v2/verification/management/phone-numbers/{action}`: the E.164 number to add.
struct set_phone_number_request {
    /// The number to add, E.164.
    std::string phone_number{};
    friend bool operator==(const set_phone_number_request&, const set_phone_number_request&) = default;
};

/// Result of `POST /v2/verification/management/phone-numbers/{action}`.
struct set_phone_number_response {
    /// The number that was added, E.164.
    std::string phone_number{};
    friend bool operator==(const set_phone_number_response&, const set_phone_number_response&) = default;
};

/// Body of `DELETE /v2/verification/management/phone-numbers/{action}` (a DELETE with a JSON
/// body, as the contract says): the E.164 number to remove.
struct delete_phone_number_request {
    /// The number to remove, E.164.
    std::string phone_number{};
    friend bool operator==(const delete_phone_number_request&, const delete_phone_number_request&) = default;
};

/// Result of `DELETE /v2/verification/management/phone-numbers/{action}`.
struct delete_phone_number_response {
    /// The number that was removed, E.164.
    std::string phone_number{};
    friend bool operator==(const delete_phone_number_response&, const delete_phone_number_response&) = default;
};

/// SenderIdEntry: one sender ID of the account (both properties optional in the contract).
struct sender_id_entry {
    /// The name presented as sender; absent if the server omitted it.
    std::optional<std::string> sender_id{};
    /// Its approval state; absent if the server omitted it.
    std::optional<sender_id_status> status{};
    friend bool operator==(const sender_id_entry&, const sender_id_entry&) = default;
};

/// Result of `GET /v2/verification/management/sender-id` (not paginated).
struct list_sender_ids_response {
    /// The account's sender IDs; absent if the server omitted the list.
    std::optional<std::vector<sender_id_entry>> sender_ids{};
    friend bool operator==(const list_sender_ids_response&, const list_sender_ids_response&) = default;
};

/// Body of `POST /v2/verification/management/sender-id`.
struct submit_sender_id_request {
    /// The sender ID to submit for approval (the contract documents no length or character rules).
    std::string sender_id{};
    friend bool operator==(const submit_sender_id_request&, const submit_sender_id_request&) = default;
};

/// Result of `POST /v2/verification/management/sender-id`; `reason` when rejected.
struct submit_sender_id_response {
    /// The sender ID that was submitted.
    std::string sender_id{};
    /// Its approval state now.
    sender_id_status status{};
    /// Why it was rejected; only with sender_id_status::rejected.
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
    /// The template to send, as configured with Prelude (required).
    std::string template_id{};
    std::string to{};                                     ///< E.164
    /// The URL that receives this message's delivery webhooks.
    std::optional<std::string> callback_url{};
    /// Your identifier for the message, returned in the response and in webhooks.
    std::optional<std::string> correlation_id{};
    /// A media attachment for WhatsApp templates with a media header.
    std::optional<message_document> document{};
    /// The message is not sent after this instant (sent as RFC 3339 in UTC).
    std::optional<std::chrono::system_clock::time_point> expires_at{};
    /// The sender ID; it must be approved for the account.
    std::optional<std::string> from{};
    std::optional<std::string> locale{};                  ///< BCP 47
    std::optional<std::int64_t> max_auto_retries{};       ///< at least 0
    /// The channel tried first; when it is unavailable, the others are used.
    std::optional<message_channel> preferred_channel{};
    /// Sends later, at this instant (sent as RFC 3339 in UTC); marketing messages may be moved to
    /// fit local time windows.
    std::optional<std::chrono::system_clock::time_point> schedule_at{};
    /// The template's variables, by name.
    std::optional<message_variables> variables{};
    friend bool operator==(const notify_send_request&, const notify_send_request&) = default;
};

/// Result of `POST /v2/notify`.
struct notify_send_response {
    std::string id{};                                     ///< opaque (`msg_...`)
    /// When the message was created (read from RFC 3339).
    std::chrono::system_clock::time_point created_at{};
    /// After this instant the message is not sent (read from RFC 3339).
    std::chrono::system_clock::time_point expires_at{};
    /// The template used.
    std::string template_id{};
    /// The recipient, E.164.
    std::string to{};
    /// The variables used.
    message_variables variables{};
    /// The URL that receives the delivery webhooks, when one was given.
    std::optional<std::string> callback_url{};
    /// Your identifier, when one was given.
    std::optional<std::string> correlation_id{};
    /// SMS encoding (GSM-7: 160 characters a segment; UCS-2, Unicode: 70); only for SMS.
    std::optional<message_encoding> encoding{};
    /// Estimated SMS segments (not contractual: the provider decides after sending); only for SMS.
    std::optional<std::int64_t> estimated_segment_count{};
    /// The sender ID used, when there is one.
    std::optional<std::string> from{};
    /// When the message will actually be sent (may differ from the request's for marketing
    /// messages); absent for an immediate send.
    std::optional<std::chrono::system_clock::time_point> schedule_at{};
    friend bool operator==(const notify_send_response&, const notify_send_response&) = default;
};

/// Body of `POST /v2/notify/batch`: the fields of notify_send_request with `to` a list.
struct notify_send_batch_request {
    /// The template to send, as configured with Prelude (required).
    std::string template_id{};
    std::vector<std::string> to{};                        ///< E.164 each, at least one
    /// The URL that receives the delivery webhooks of every message.
    std::optional<std::string> callback_url{};
    /// Your identifier for the batch's messages.
    std::optional<std::string> correlation_id{};
    /// A media attachment for WhatsApp templates with a media header.
    std::optional<message_document> document{};
    /// No message is sent after this instant (sent as RFC 3339 in UTC).
    std::optional<std::chrono::system_clock::time_point> expires_at{};
    /// The sender ID; it must be approved for the account.
    std::optional<std::string> from{};
    /// BCP 47 language of the messages; the number's country decides when unset.
    std::optional<std::string> locale{};
    /// At least 0: automatic retries across channels per recipient after the first attempt (2: up
    /// to 3 attempts); the account's default when unset.
    std::optional<std::int64_t> max_auto_retries{};
    /// The channel tried first; when it is unavailable, the others are used.
    std::optional<message_channel> preferred_channel{};
    /// Sends later, at this instant (sent as RFC 3339 in UTC); marketing messages may be moved to
    /// fit local time windows.
    std::optional<std::chrono::system_clock::time_point> schedule_at{};
    /// The template's variables, by name, the same for every recipient.
    std::optional<message_variables> variables{};
    friend bool operator==(const notify_send_batch_request&, const notify_send_batch_request&) = default;
};

/// NotifyBatchResultError: why one recipient of a batch failed.
struct notify_batch_result_error {
    /// Machine-readable reason (an open list, e.g. "invalid_phone_number"); absent if the server
    /// omitted it.
    std::optional<std::string> code{};
    /// Explanation for people; do not parse it.
    std::optional<std::string> message{};
    friend bool operator==(const notify_batch_result_error&, const notify_batch_result_error&) = default;
};

/// NotifyBatchResultMessage: the message sent to one recipient of a batch (every field optional).
struct notify_batch_result_message {
    /// The message identifier (opaque).
    std::optional<std::string> id{};
    /// Your identifier, when one was given.
    std::optional<std::string> correlation_id{};
    /// When the message was created (read from RFC 3339).
    std::optional<std::chrono::system_clock::time_point> created_at{};
    /// SMS encoding (GSM-7 or UCS-2); only for SMS.
    std::optional<message_encoding> encoding{};
    /// Estimated SMS segments (not contractual); only for SMS.
    std::optional<std::int64_t> estimated_segment_count{};
    /// After this instant the message is not sent (read from RFC 3339).
    std::optional<std::chrono::system_clock::time_point> expires_at{};
    /// The sender ID used, when there is one.
    std::optional<std::string> from{};
    /// The locale used, when there is one.
    std::optional<std::string> locale{};
    /// When the message will actually be sent; absent for an immediate send.
    std::optional<std::chrono::system_clock::time_point> schedule_at{};
    /// The recipient, E.164.
    std::optional<std::string> to{};
    friend bool operator==(const notify_batch_result_message&, const notify_batch_result_message&) = default;
};

/// NotifyBatchResult: one recipient's outcome. A failed recipient is a value (`success` false,
/// `error` set), not an error of the call.
struct notify_batch_result {
    /// The recipient, E.164, as given in the request.
    std::string phone_number{};
    /// Whether the message to this recipient was accepted for delivery.
    bool success{};
    /// Why it failed; present only when success is false.
    std::optional<notify_batch_result_error> error{};
    /// The message created; present only when success is true.
    std::optional<notify_batch_result_message> message{};
    friend bool operator==(const notify_batch_result&, const notify_batch_result&) = default;
};

/// Result of `POST /v2/notify/batch`: one result per recipient.
struct notify_send_batch_response {
    /// How many recipients failed.
    std::int64_t error_count{};
    /// One result per recipient.
    std::vector<notify_batch_result> results{};
    /// How many messages were accepted.
    std::int64_t success_count{};
    /// How many recipients the request had.
    std::int64_t total_count{};
    /// The callback URL of the batch, when one was given.
    std::optional<std::string> callback_url{};
    /// Prelude's identifier of this request (quote it to the vendor's support); absent when the
    /// server sent none.
    std::optional<std::string> request_id{};
    /// The template used.
    std::optional<std::string> template_id{};
    /// The variables used.
    std::optional<message_variables> variables{};
    friend bool operator==(const notify_send_batch_response&, const notify_send_batch_response&) = default;
};

/// SubscriptionMessages: texts sent on START, STOP and HELP (all optional).
struct subscription_messages {
    /// Text sent when a user asks for help (HELP); absent when not configured.
    std::optional<std::string> help_message{};
    /// Text sent when a user subscribes (START); absent when not configured.
    std::optional<std::string> start_message{};
    /// Text sent when a user unsubscribes (STOP); absent when not configured.
    std::optional<std::string> stop_message{};
    friend bool operator==(const subscription_messages&, const subscription_messages&) = default;
};

/// MoPhoneNumber: a number receiving inbound messages (E.164 or a short code).
struct mo_phone_number {
    std::string country_code{};                           ///< ISO 3166-1 alpha-2
    /// The number, E.164 for a long code, or the short code.
    std::string phone_number{};
    friend bool operator==(const mo_phone_number&, const mo_phone_number&) = default;
};

/// SubscriptionConfig: a subscription management configuration.
struct subscription_config {
    std::string id{};                                     ///< `cfg_...`
    /// The URL called when a number's subscription state changes.
    std::string callback_url{};
    /// When the configuration was created (read from RFC 3339).
    std::chrono::system_clock::time_point created_at{};
    /// The texts sent on START, STOP and HELP.
    subscription_messages messages{};
    /// The configuration's human-readable name.
    std::string name{};
    /// When the configuration was last changed (read from RFC 3339).
    std::chrono::system_clock::time_point updated_at{};
    /// The numbers that receive inbound (opt-in/opt-out) messages; absent when there are none.
    std::optional<std::vector<mo_phone_number>> mo_phone_numbers{};
    friend bool operator==(const subscription_config&, const subscription_config&) = default;
};

/// Input of `GET /v2/notify/management/subscriptions` (one page): `cursor` is the previous
/// page's next_cursor (absent for the first page), `limit` at least 1 if set.
struct list_subscription_configs_request {
    /// The previous page's next_cursor (not empty when set); unset for the first page.
    std::optional<std::string> cursor{};
    /// Items per page, at least 1; the server's default when unset.
    std::optional<std::int64_t> limit{};
    friend bool operator==(const list_subscription_configs_request&, const list_subscription_configs_request&) = default;
};

/// Result of `GET /v2/notify/management/subscriptions`: one page; no next_cursor on the last.
struct list_subscription_configs_response {
    /// The configurations of this page.
    std::vector<subscription_config> configs{};
    /// The cursor of the next page (opaque); absent on the last page.
    std::optional<std::string> next_cursor{};
    friend bool operator==(const list_subscription_configs_response&, const list_subscription_configs_response&) = default;
};

/// SubscriptionPhoneNumber: the subscription state of a number in a configuration.
struct subscription_phone_number {
    /// The subscription configuration (`cfg_...`).
    std::string config_id{};
    /// The number, E.164.
    std::string phone_number{};
    /// How the state last changed (mo_keyword, api, csv_import, carrier_disconnect).
    subscription_source source{};
    /// The current state: sub (subscribed) or unsub (opted out).
    subscription_state state{};
    /// When the state last changed (read from RFC 3339).
    std::chrono::system_clock::time_point updated_at{};
    std::optional<std::string> reason{};                  ///< e.g. the keyword sent ("STOP")
    friend bool operator==(const subscription_phone_number&, const subscription_phone_number&) = default;
};

/// Input of `GET /v2/notify/management/subscriptions/{config_id}/phone_numbers` (one page).
/// `config_id` goes in the path (it must not contain '/', '?', '%' or a control character).
struct list_subscription_phone_numbers_request {
    /// The subscription configuration whose numbers are listed (required; it goes in the path).
    std::string config_id{};
    /// The previous page's next_cursor (not empty when set); unset for the first page.
    std::optional<std::string> cursor{};
    std::optional<std::int64_t> limit{};                  ///< at least 1 if set
    std::optional<subscription_state> state{};            ///< filter; both states when unset
    friend bool operator==(const list_subscription_phone_numbers_request&,
                           const list_subscription_phone_numbers_request&) = default;
};

/// Result of `GET .../subscriptions/{config_id}/phone_numbers`: one page.
struct list_subscription_phone_numbers_response {
    /// The numbers of this page with their state.
    std::vector<subscription_phone_number> phone_numbers{};
    /// The cursor of the next page (opaque); absent on the last page.
    std::optional<std::string> next_cursor{};
    friend bool operator==(const list_subscription_phone_numbers_response&,
                           const list_subscription_phone_numbers_response&) = default;
};

/// SubscriptionEvent: one change of a number's subscription state.
struct subscription_event {
    /// The subscription configuration (`cfg_...`).
    std::string config_id{};
    /// The number, E.164.
    std::string phone_number{};
    /// How the state changed (mo_keyword, api, csv_import, carrier_disconnect).
    subscription_source source{};
    subscription_state state{};                           ///< the state after the event
    /// When the change happened (read from RFC 3339).
    std::chrono::system_clock::time_point timestamp{};
    /// Context of the change, e.g. the keyword sent ("STOP"); absent when there is none.
    std::optional<std::string> reason{};
    friend bool operator==(const subscription_event&, const subscription_event&) = default;
};

/// Input of `GET .../subscriptions/{config_id}/phone_numbers/{phone_number}/events` (one page).
/// `phone_number` must be E.164 (it goes in the path).
struct list_subscription_phone_number_events_request {
    /// The subscription configuration (required; it goes in the path).
    std::string config_id{};
    /// The number whose history is listed, E.164 (it goes in the path).
    std::string phone_number{};
    /// The previous page's next_cursor (not empty when set); unset for the first page.
    std::optional<std::string> cursor{};
    std::optional<std::int64_t> limit{};                  ///< at least 1 if set
    friend bool operator==(const list_subscription_phone_number_events_request&,
                           const list_subscription_phone_number_events_request&) = default;
};

/// Result of `GET .../{phone_number}/events`: one page, most recent first.
struct list_subscription_phone_number_events_response {
    /// The events of this page, most recent first.
    std::vector<subscription_event> events{};
    /// The cursor of the next page (opaque); absent on the last page.
    std::optional<std::string> next_cursor{};
    friend bool operator==(const list_subscription_phone_number_events_response&,
                           const list_subscription_phone_number_events_response&) = default;
};

// ========================================================== Transactional

/// Body of the deprecated `POST /v2/transactional`. Unlike notify_send_request, `expires_at` is
/// a string here because the contract types it so (an RFC 3339 date-time is the safe value),
/// and there is no `schedule_at`.
struct transactional_send_request {
    /// The template to send (required).
    std::string template_id{};
    std::string to{};                                     ///< E.164
    /// The URL that receives this message's webhooks.
    std::optional<std::string> callback_url{};
    /// Your identifier for the message, returned in the response and in webhooks.
    std::optional<std::string> correlation_id{};
    /// A media attachment for WhatsApp templates with a media header.
    std::optional<message_document> document{};
    /// The message is not sent after this time: a string sent as given, not empty when set (an
    /// RFC 3339 date-time is the safe value).
    std::optional<std::string> expires_at{};
    /// The sender ID.
    std::optional<std::string> from{};
    /// BCP 47 language of the message; the number's country decides when unset, the template's
    /// default when the language does not exist.
    std::optional<std::string> locale{};
    std::optional<std::int64_t> max_auto_retries{};       ///< at least 0
    /// The channel tried first when the template is configured for it; unset: WhatsApp first when
    /// the template has it, SMS as fallback.
    std::optional<message_channel> preferred_channel{};
    /// The template's variables, by name.
    std::optional<message_variables> variables{};
    friend bool operator==(const transactional_send_request&, const transactional_send_request&) = default;
};

/// Result of the deprecated `POST /v2/transactional`.
struct transactional_send_response {
    /// The message identifier (opaque).
    std::string id{};
    /// When the message was created (read from RFC 3339).
    std::chrono::system_clock::time_point created_at{};
    /// After this instant the message is not sent (read from RFC 3339).
    std::chrono::system_clock::time_point expires_at{};
    /// The template used.
    std::string template_id{};
    /// The recipient.
    std::string to{};
    /// The variables used.
    message_variables variables{};
    /// The callback URL, when one was given.
    std::optional<std::string> callback_url{};
    /// Your identifier, when one was given.
    std::optional<std::string> correlation_id{};
    /// The sender ID used, when there is one.
    std::optional<std::string> from{};
    friend bool operator==(const transactional_send_response&, const transactional_send_response&) = default;
};

}  // namespace ding::v2
