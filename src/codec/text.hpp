// Text checks and message quoting that every part of the SDK uses: v1 and v2 validation, the
// core's option checks and the transport's header checks. Nothing here knows an API version.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ding::detail {

/// `v` quoted for an error message: printable ASCII verbatim, other bytes as \xNN, at most 64
/// bytes (then "...").
std::string quoted(std::string_view v);

/// '+' then 2 to 15 ASCII digits, the first of which is not 0.
bool is_e164(std::string_view text) noexcept;

/// Why `text` is not E.164, as the rule it breaks ("the country code (the first digit after
/// '+') cannot be 0"); nullptr when it is E.164. The rules are checked in this order: the '+',
/// digits only, 2 to 15 digits, a first digit that is not 0.
const char* e164_rule_broken(std::string_view text) noexcept;

/// The message for a value that is not E.164: "FIELD: 'VALUE' is not an E.164 number: RULE".
std::string e164_refusal(std::string_view field, std::string_view value);

/// 8-4-4-4-12 hexadecimal digits (either case) separated by '-'.
bool is_uuid(std::string_view text) noexcept;

/// True when every byte is printable ASCII (0x20..0x7E): no CR, LF, NUL, DEL,
/// other control characters or non-ASCII bytes. The empty string is header-safe.
bool is_header_safe(std::string_view text) noexcept;

/// The API key: non-empty, printable ASCII, no leading or trailing space.
/// The message never contains the key.
std::optional<std::string> validate_api_key(std::string_view key);

}  // namespace ding::detail
