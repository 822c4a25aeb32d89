// v1 (Ding) request checks, run before any network I/O (v2's are in v2/validation.hpp).
// The string checks both versions share (E.164, UUID, header-safe, quoting) are in codec/text.hpp.
//
// Each validate function returns std::nullopt when the input is acceptable,
// otherwise a message that starts with the field name, e.g.
//   "phone_number: '+1' is not an E.164 number: it has fewer than 2 digits after the '+' (E.164 has 2 to 15)".
// Values are quoted in messages (escaped, shortened to 64 bytes) except the
// API key and the check code, which are never echoed. Only what the contract states is checked
// (formats uuid, phone_number, ipv4, url; enums; app_realm needing device_type).
#pragma once

#include <ding/models.hpp>

#include "codec/text.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ding::detail {

/// Dotted-quad IPv4: four decimal numbers 0-255 without leading zeros.
bool is_ipv4(std::string_view text) noexcept;

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
