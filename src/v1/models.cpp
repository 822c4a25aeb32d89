// Wire spellings of the enums in ding/models.hpp.
//
// Each enum has one table of spellings indexed by the enum's value (index 0 is
// `unknown`). to_string() is an index into it; from_string() is a binary
// search in a copy sorted at compile time (constexpr std::sort, C++20).
#include <ding/models.hpp>

#include "codec/enum_table.hpp"

namespace ding {
namespace {

using detail::make_table;

constexpr auto device_types = make_table<device_type, false>("unknown", "IOS", "ANDROID", "WEB", "IPADOS", "TVOS");
constexpr auto authentication_statuses =
    make_table<authentication_status, false>("unknown", "pending", "rate_limited", "spam_detected");
constexpr auto check_statuses = make_table<check_status, true>(
    "unknown", "valid", "invalid", "without_attempt", "rate_limited", "already_validated", "expired_auth");
constexpr auto retry_statuses = make_table<retry_status, false>(
    "unknown", "approved", "denied", "no_attempt", "rate_limited", "expired_auth", "already_validated");
constexpr auto feedback_statuses = make_table<feedback_status, false>("unknown", "onboarded", "not_onboarded");
constexpr auto capabilities = make_table<capability, false>("unknown", "rcs", "text", "whatsapp", "viber");
constexpr auto attempt_statuses =
    make_table<attempt_status, false>("unknown", "pending", "delivered", "failed", "rate_limited", "expired");
constexpr auto delivery_statuses =
    make_table<delivery_status, true>("unknown", "submitted", "in_transit", "delivered", "undeliverable");
constexpr auto balance_update_types = make_table<balance_update_type, true>(
    "unknown", "authentication", "attempt", "attempt_pending", "attempt_success", "authentication_pending",
    "authentication_success");
constexpr auto line_types = make_table<line_type, true>(
    "Unknown", "CallingCards", "FixedLine", "InternetServiceProvider", "LocalRate", "Mobile", "Other", "Pager",
    "PayPhone", "PremiumRate", "Satellite", "Service", "SharedCost", "ShortCodesCommercial", "TollFree",
    "UniversalAccess", "VPN", "VoiceMail", "Voip");
constexpr auto lookup_types = make_table<lookup_type, false>("unknown", "cnam");
constexpr auto api_error_codes = make_table<api_error_code, false>(
    "unknown", "account_invalid", "app_realm_require_device_type", "bad_request", "blocked_number",
    "duplicated_feedback_status", "internal_server_error", "invalid_app_realm", "invalid_app_version",
    "invalid_auth_uuid", "invalid_device_id", "invalid_device_model", "invalid_feedback_status", "invalid_line",
    "invalid_os_version", "invalid_phone_number", "invalid_sender_id", "invalid_template_id", "negative_balance",
    "no_associated_auth_found", "suspended_account", "unauthorized_sender_id", "unsupported_app_realm_device_type",
    "unsupported_region");

// The tables must have one spelling per enumerator.
static_assert(device_types.names.size() == static_cast<std::size_t>(device_type::tvos) + 1);
static_assert(authentication_statuses.names.size() == static_cast<std::size_t>(authentication_status::spam_detected) + 1);
static_assert(check_statuses.names.size() == static_cast<std::size_t>(check_status::expired_auth) + 1);
static_assert(retry_statuses.names.size() == static_cast<std::size_t>(retry_status::already_validated) + 1);
static_assert(feedback_statuses.names.size() == static_cast<std::size_t>(feedback_status::not_onboarded) + 1);
static_assert(capabilities.names.size() == static_cast<std::size_t>(capability::viber) + 1);
static_assert(attempt_statuses.names.size() == static_cast<std::size_t>(attempt_status::expired) + 1);
static_assert(delivery_statuses.names.size() == static_cast<std::size_t>(delivery_status::undeliverable) + 1);
static_assert(balance_update_types.names.size() ==
              static_cast<std::size_t>(balance_update_type::authentication_success) + 1);
static_assert(line_types.names.size() == static_cast<std::size_t>(line_type::voip) + 1);
static_assert(lookup_types.names.size() == static_cast<std::size_t>(lookup_type::cnam) + 1);
static_assert(api_error_codes.names.size() == static_cast<std::size_t>(api_error_code::unsupported_region) + 1);
static_assert(line_types.name(line_type::vpn) == "VPN");
static_assert(api_error_codes.name(api_error_code::invalid_line) == "invalid_line");

}  // namespace

#define DING_ENUM_STRINGS(E, table)                                                              \
    std::string_view to_string(E e) noexcept { return table.name(e); }                           \
    bool from_string(std::string_view text, E& out) noexcept { return table.parse(text, out); }

DING_ENUM_STRINGS(device_type, device_types)
DING_ENUM_STRINGS(authentication_status, authentication_statuses)
DING_ENUM_STRINGS(check_status, check_statuses)
DING_ENUM_STRINGS(retry_status, retry_statuses)
DING_ENUM_STRINGS(feedback_status, feedback_statuses)
DING_ENUM_STRINGS(capability, capabilities)
DING_ENUM_STRINGS(attempt_status, attempt_statuses)
DING_ENUM_STRINGS(delivery_status, delivery_statuses)
DING_ENUM_STRINGS(balance_update_type, balance_update_types)
DING_ENUM_STRINGS(line_type, line_types)
DING_ENUM_STRINGS(lookup_type, lookup_types)
DING_ENUM_STRINGS(api_error_code, api_error_codes)

#undef DING_ENUM_STRINGS

}  // namespace ding
