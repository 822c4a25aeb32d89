// Client-side checks of v2 requests, run before any network I/O.
//
// Each function returns std::nullopt when the request is acceptable, otherwise a message that
// starts with the field path, e.g. "target.value: '+1' is not an E.164 number: it has fewer than 2 digits after the '+' (E.164 has 2 to 15)". Values are
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
// - verify management: phone_number E.164; sender_id non-empty; the `{action}` list allow or block;
// - notify and transactional sends: template_id non-empty, `to` E.164 (each item of a batch, and at
//   least one: a malformed item refuses the whole batch before anything is sent),
//   max_auto_retries >= 0 (a count of retries), document.url non-empty, preferred_channel known;
// - list calls: limit >= 1 when set (the contract documents no maximum), cursor non-empty when
//   set, state known; a config_id that goes in the path is non-empty, not "." or "..", and has
//   no '/', '?', '#', '%' or control character, so it can never change the request path (other
//   bytes are percent-encoded); a phone number in the path is E.164.
#pragma once

#include <ding/v2/models.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ding::v2::detail {

std::optional<std::string> validate(const create_verification_request& request);
std::optional<std::string> validate(const check_verification_request& request);
std::optional<std::string> validate(const lookup_request& request);
std::optional<std::string> validate(const predict_request& request);
std::optional<std::string> validate(const send_events_request& request);
std::optional<std::string> validate(const send_feedbacks_request& request);
std::optional<std::string> validate(const set_phone_number_request& request);
std::optional<std::string> validate(const delete_phone_number_request& request);
std::optional<std::string> validate(const submit_sender_id_request& request);
std::optional<std::string> validate(const notify_send_request& request);
std::optional<std::string> validate(const notify_send_batch_request& request);
std::optional<std::string> validate(const list_subscription_configs_request& request);
std::optional<std::string> validate(const list_subscription_phone_numbers_request& request);
std::optional<std::string> validate(const list_subscription_phone_number_events_request& request);
std::optional<std::string> validate(const transactional_send_request& request);
/// The `{action}` path value: allow or block.
std::optional<std::string> validate_list(phone_list list);
/// A `{config_id}` path value (see above); `field` names it in the message.
std::optional<std::string> validate_config_id(std::string_view field, std::string_view config_id);
/// A `{phone_number}` path value: E.164.
std::optional<std::string> validate_path_phone_number(std::string_view field, std::string_view phone_number);

/// Appends `value` percent-encoded: every byte but ALPHA, DIGIT, '-', '.', '_' and '~' becomes
/// %XX (RFC 3986 unreserved characters stay), for a path segment or a query value.
void append_percent_encoded(std::string_view value, std::string& out);

}  // namespace ding::v2::detail
