// Client-side checks of v2 requests, run before any network I/O.
//
// Each function returns std::nullopt when the request is acceptable, otherwise a message that
// starts with the field path, e.g. "target.value: '+1' is not an E.164 number (...)". Values are
// quoted (printable ASCII, other bytes as \xNN, at most 64 bytes); the check code and the custom
// code are never echoed. Only what the contract states is checked:
// - target: type phone_number or email_address; value E.164 for a phone number, a plausible
//   address (one '@', something on each side, no spaces or control bytes) for an email;
// - dispatch_id: exactly 36 characters (DispatchId);
// - options: code_size 4..8, max_auto_fallbacks >= 0, channels XOR preferred_channel,
//   custom_code XOR code_size, custom_code and app_realm.value non-empty (an empty string
//   cannot be a code or a realm);
// - every enum value set by the caller is a real value (not E::unknown), since `unknown` has no
//   wire spelling;
// - check: code non-empty; psd2 amount, currency and recipient non-empty;
// - lookup: phone_number E.164 (it goes in the path);
// - events and feedbacks: at most 100 items (maxItems); each event's label non-empty.
#pragma once

#include <ding/v2/models.hpp>

#include <optional>
#include <string>

namespace ding::v2::detail {

std::optional<std::string> validate(const create_verification_request& request);
std::optional<std::string> validate(const check_verification_request& request);
std::optional<std::string> validate(const lookup_request& request);
std::optional<std::string> validate(const predict_request& request);
std::optional<std::string> validate(const send_events_request& request);
std::optional<std::string> validate(const send_feedbacks_request& request);

}  // namespace ding::v2::detail
