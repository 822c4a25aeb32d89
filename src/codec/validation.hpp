// Client-side checks run before any network I/O.
//
// Each validate function returns std::nullopt when the input is acceptable,
// otherwise a message that starts with the field name, e.g.
//   "phone_number: '+1' is not an E.164 number (+ then 2 to 15 digits)".
// Values are quoted in messages (escaped, shortened to 64 bytes) except the
// API key and the check code, which are never echoed. Only what the contract states is checked
// (formats uuid, phone_number, ipv4, url; enums; app_realm needing device_type).
#pragma once

#include <ding/models.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ding::detail {

/// `v` quoted for an error message: printable ASCII verbatim, other bytes as \xNN, at most 64
/// bytes (then "..."). Shared by the v1 and v2 validators.
std::string quoted(std::string_view v);

/// '+' then 2 to 15 ASCII digits, the first of which is not 0.
bool is_e164(std::string_view text) noexcept;

/// 8-4-4-4-12 hexadecimal digits (either case) separated by '-'.
bool is_uuid(std::string_view text) noexcept;

/// True when every byte is printable ASCII (0x20..0x7E): no CR, LF, NUL, DEL,
/// other control characters or non-ASCII bytes. The empty string is header-safe.
bool is_header_safe(std::string_view text) noexcept;

/// Dotted-quad IPv4: four decimal numbers 0-255 without leading zeros.
bool is_ipv4(std::string_view text) noexcept;

/// The API key: non-empty, printable ASCII, no leading or trailing space.
/// The message never contains the key.
std::optional<std::string> validate_api_key(std::string_view key);

/// customer_uuid is a UUID; phone_number is E.164; device_type, if set, is
/// ios, android or web; ip, if set, is IPv4; callback_url, if set, is an
/// http:// or https:// URL; every other set string is non-empty; app_realm
/// requires device_type (the API's app_realm_require_device_type).
std::optional<std::string> validate(const create_authentication_request& request);

/// customer_uuid and authentication_uuid are UUIDs; check_code is 1 to 64
/// printable ASCII characters.
std::optional<std::string> validate(const create_check_request& request);

/// customer_uuid and authentication_uuid are UUIDs.
std::optional<std::string> validate(const retry_authentication_request& request);

/// customer_uuid is a UUID, phone_number is E.164, status is onboarded or not_onboarded.
std::optional<std::string> validate(const feedback_request& request);

/// customer_uuid is a UUID (it goes in a header), phone_number is E.164 (it
/// goes in the path), and no type is lookup_type::unknown.
std::optional<std::string> validate(const lookup_request& request);

/// The `auth_uuid` path parameter of GET /authentication/{auth_uuid}: must be
/// a UUID, which also guarantees it cannot alter the request path.
std::optional<std::string> validate_authentication_uuid(std::string_view authentication_uuid);

}  // namespace ding::detail
