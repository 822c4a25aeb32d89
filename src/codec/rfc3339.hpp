// RFC 3339 timestamps (the contract's `format: date-time`).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace ding::detail {

/// Parses an RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|z|+HH:MM|-HH:MM)`.
///
/// - The `T` may be lowercase `t`; the offset `Z` may be lowercase `z`.
/// - The fraction may have any number of digits (at least one after `.`); up to
///   nanoseconds are kept exactly, further digits are truncated.
/// - The offset is applied exactly (`-00:00` is the same as `Z`).
/// - Fields are range-checked: month 01-12, day valid for that month and year
///   (so 02-29 only in leap years), hour 00-23, minute 00-59, second 00-60,
///   offset hours 00-23 and minutes 00-59.
/// - A leap second (`:60`) is accepted and mapped to second 59 of the same
///   minute (the fraction is kept): system_clock does not count leap seconds.
/// - Instants outside what system_clock::time_point can hold (about years
///   1678-2261 with nanosecond ticks) are rejected.
///
/// Returns false, leaving `out` unchanged, on any other input. No allocation,
/// no locale.
bool parse_rfc3339(std::string_view text, std::chrono::system_clock::time_point& out) noexcept;

/// Appends `tp` as RFC 3339 in UTC: `YYYY-MM-DDTHH:MM:SS[.frac]Z`. The fraction is
/// written only when non-zero, with trailing zeros trimmed (so `.5`, `.123`,
/// `.000000001`).
void format_rfc3339(std::chrono::system_clock::time_point tp, std::string& out);

}  // namespace ding::detail
