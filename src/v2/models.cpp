// Wire spellings of the enums in ding/v2/models.hpp (tables: codec/enum_table.hpp).
#include <ding/v2/models.hpp>

#include "codec/enum_table.hpp"

namespace ding::v2 {
namespace {

using ding::detail::make_table;

constexpr auto target_types = make_table<target_type, false>("unknown", "phone_number", "email_address");
constexpr auto device_platforms =
    make_table<device_platform, false>("unknown", "android", "ios", "ipados", "tvos", "web");
constexpr auto requested_methods = make_table<requested_method, false>("unknown", "auto", "voice", "message");
constexpr auto delivery_channels =
    make_table<delivery_channel, false>("unknown", "sms", "rcs", "whatsapp", "viber", "zalo", "telegram");
constexpr auto app_realm_platforms = make_table<app_realm_platform, false>("unknown", "android", "web");
constexpr auto verification_statuses = make_table<verification_status, false>(
    "unknown", "success", "retry", "challenged", "blocked", "shadow_blocked");
constexpr auto verification_methods =
    make_table<verification_method, false>("unknown", "email", "message", "silent", "voice");
constexpr auto used_channels = make_table<used_channel, false>(
    "unknown", "rcs", "silent", "sms", "telegram", "viber", "voice", "whatsapp", "zalo");
constexpr auto block_reasons = make_table<block_reason, false>(
    "unknown", "expired_signature", "in_block_list", "invalid_phone_line", "invalid_phone_number",
    "invalid_signature", "repeated_attempts", "suspicious");
constexpr auto risk_factors = make_table<risk_factor, false>(
    "unknown", "behavioral_pattern", "device_attribute", "fraud_database", "location_discrepancy",
    "network_fingerprint", "poor_conversion_history", "prefix_concentration", "suspected_request_tampering",
    "suspicious_ip_address", "temporary_phone_number");
constexpr auto check_statuses = make_table<check_status, false>(
    "unknown", "success", "failure", "expired_or_not_found", "transaction_missing", "transaction_mismatch");
constexpr auto lookup_features = make_table<lookup_feature, false>("unknown", "cnam");
// LineType lists `unknown` itself: it maps to line_type::unknown.
constexpr auto line_types = make_table<line_type, true>(
    "unknown", "calling_cards", "fixed_line", "isp", "local_rate", "mobile", "other", "pager", "payphone",
    "premium_rate", "satellite", "service", "shared_cost", "short_codes_commercial", "toll_free",
    "universal_access", "vpn", "voice_mail", "voip");
constexpr auto lookup_flags = make_table<lookup_flag, false>("unknown", "ported", "temporary");
constexpr auto prediction_verdicts = make_table<prediction_verdict, false>("unknown", "legitimate", "suspicious");
constexpr auto predict_risk_factors = make_table<predict_risk_factor, false>(
    "unknown", "account_risk_profile", "behavioral_pattern", "device_attribute", "fraud_database",
    "location_discrepancy", "network_fingerprint", "poor_conversion_history", "prefix_concentration",
    "suspected_request_tampering", "suspicious_ip_address", "temporary_phone_number");
constexpr auto event_confidences =
    make_table<event_confidence, false>("unknown", "maximum", "high", "neutral", "low", "minimum");
constexpr auto feedback_types =
    make_table<feedback_type, false>("unknown", "verification.started", "verification.completed");
constexpr auto send_statuses = make_table<send_status, false>("unknown", "success");
// The vendor's delivery statuses include `unknown`: it maps to delivery_status::unknown.
constexpr auto delivery_statuses =
    make_table<delivery_status, true>("unknown", "submitted", "in_transit", "delivered", "undeliverable");
constexpr auto phone_lists = make_table<phone_list, false>("unknown", "allow", "block");
constexpr auto sender_id_statuses = make_table<sender_id_status, false>("unknown", "approved", "pending", "rejected");
constexpr auto message_encodings = make_table<message_encoding, false>("unknown", "GSM-7", "UCS-2");
constexpr auto message_channels = make_table<message_channel, false>("unknown", "sms", "rcs", "whatsapp");
constexpr auto subscription_sources = make_table<subscription_source, false>(
    "unknown", "MO_KEYWORD", "API", "CSV_IMPORT", "CARRIER_DISCONNECT");
constexpr auto subscription_states = make_table<subscription_state, false>("unknown", "SUB", "UNSUB");

// One spelling per enumerator.
template <class E, class Table>
constexpr bool complete(const Table& t, E last) {
    return t.names.size() == static_cast<std::size_t>(last) + 1;
}
static_assert(complete(target_types, target_type::email_address));
static_assert(complete(device_platforms, device_platform::web));
static_assert(complete(requested_methods, requested_method::message));
static_assert(complete(delivery_channels, delivery_channel::telegram));
static_assert(complete(app_realm_platforms, app_realm_platform::web));
static_assert(complete(verification_statuses, verification_status::shadow_blocked));
static_assert(complete(verification_methods, verification_method::voice));
static_assert(complete(used_channels, used_channel::zalo));
static_assert(complete(block_reasons, block_reason::suspicious));
static_assert(complete(risk_factors, risk_factor::temporary_phone_number));
static_assert(complete(check_statuses, check_status::transaction_mismatch));
static_assert(complete(lookup_features, lookup_feature::cnam));
static_assert(complete(line_types, line_type::voip));
static_assert(complete(lookup_flags, lookup_flag::temporary));
static_assert(complete(prediction_verdicts, prediction_verdict::suspicious));
static_assert(complete(predict_risk_factors, predict_risk_factor::temporary_phone_number));
static_assert(complete(event_confidences, event_confidence::minimum));
static_assert(complete(feedback_types, feedback_type::verification_completed));
static_assert(complete(send_statuses, send_status::success));
static_assert(complete(delivery_statuses, delivery_status::undeliverable));
static_assert(complete(phone_lists, phone_list::block));
static_assert(complete(sender_id_statuses, sender_id_status::rejected));
static_assert(complete(message_encodings, message_encoding::ucs_2));
static_assert(complete(message_channels, message_channel::whatsapp));
static_assert(complete(subscription_sources, subscription_source::carrier_disconnect));
static_assert(complete(subscription_states, subscription_state::unsub));
static_assert(requested_methods.name(requested_method::automatic) == "auto");

}  // namespace

#define DING_V2_ENUM_STRINGS(E, table)                                                           \
    std::string_view to_string(E e) noexcept { return table.name(e); }                           \
    bool from_string(std::string_view text, E& out) noexcept { return table.parse(text, out); }

DING_V2_ENUM_STRINGS(target_type, target_types)
DING_V2_ENUM_STRINGS(device_platform, device_platforms)
DING_V2_ENUM_STRINGS(requested_method, requested_methods)
DING_V2_ENUM_STRINGS(delivery_channel, delivery_channels)
DING_V2_ENUM_STRINGS(app_realm_platform, app_realm_platforms)
DING_V2_ENUM_STRINGS(verification_status, verification_statuses)
DING_V2_ENUM_STRINGS(verification_method, verification_methods)
DING_V2_ENUM_STRINGS(used_channel, used_channels)
DING_V2_ENUM_STRINGS(block_reason, block_reasons)
DING_V2_ENUM_STRINGS(risk_factor, risk_factors)
DING_V2_ENUM_STRINGS(check_status, check_statuses)
DING_V2_ENUM_STRINGS(lookup_feature, lookup_features)
DING_V2_ENUM_STRINGS(line_type, line_types)
DING_V2_ENUM_STRINGS(lookup_flag, lookup_flags)
DING_V2_ENUM_STRINGS(prediction_verdict, prediction_verdicts)
DING_V2_ENUM_STRINGS(predict_risk_factor, predict_risk_factors)
DING_V2_ENUM_STRINGS(event_confidence, event_confidences)
DING_V2_ENUM_STRINGS(feedback_type, feedback_types)
DING_V2_ENUM_STRINGS(send_status, send_statuses)
DING_V2_ENUM_STRINGS(delivery_status, delivery_statuses)
DING_V2_ENUM_STRINGS(phone_list, phone_lists)
DING_V2_ENUM_STRINGS(sender_id_status, sender_id_statuses)
DING_V2_ENUM_STRINGS(message_encoding, message_encodings)
DING_V2_ENUM_STRINGS(message_channel, message_channels)
DING_V2_ENUM_STRINGS(subscription_source, subscription_sources)
DING_V2_ENUM_STRINGS(subscription_state, subscription_states)

#undef DING_V2_ENUM_STRINGS

}  // namespace ding::v2
