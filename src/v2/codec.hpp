// JSON encoding and decoding of the v2 models (ding/v2/models.hpp, ding/v2/webhook.hpp).
//
// Both directions exist for every model: the client encodes requests and decodes responses; the
// sandbox and the tests do the opposite. One field list per struct (codec.cpp) drives both.
//
// Encoding: compact JSON, properties in the contract's order, unset optionals omitted (never
// null), strings escaped by codec/json_string.hpp (the same rule as v1), a non-finite
// double omitted, timestamps RFC 3339 in UTC.
//
// Decoding: the body must be one JSON object. Unknown properties are ignored; null counts as
// absent; a required property (a non-optional member) that is absent is an error; a wrongly
// typed value is an error; an unknown enum spelling decodes to E::unknown; integers must be
// JSON integers within range (codec/json_number.hpp); a number with a fraction or exponent is
// rounded to the nearest double (codec/json_parse.hpp) and one beyond the double range is an
// error. On failure `out` is unchanged and `why` names the field, e.g.
// "field 'options.code_size': expected integer".
#pragma once

#include <ding/v2/models.hpp>
#include <ding/v2/webhook.hpp>

#include <string>
#include <string_view>

namespace ding::v2::detail {

void encode(const create_verification_request& in, std::string& out);
void encode(const check_verification_request& in, std::string& out);
void encode(const predict_request& in, std::string& out);
void encode(const send_events_request& in, std::string& out);
void encode(const send_feedbacks_request& in, std::string& out);
void encode(const create_verification_response& in, std::string& out);
void encode(const check_verification_response& in, std::string& out);
void encode(const lookup_response& in, std::string& out);
void encode(const predict_response& in, std::string& out);
void encode(const send_events_response& in, std::string& out);
void encode(const send_feedbacks_response& in, std::string& out);
void encode(const error_body& in, std::string& out);
// Verify management, Notify, Transactional
void encode(const list_phone_numbers_response& in, std::string& out);
void encode(const set_phone_number_request& in, std::string& out);
void encode(const set_phone_number_response& in, std::string& out);
void encode(const delete_phone_number_request& in, std::string& out);
void encode(const delete_phone_number_response& in, std::string& out);
void encode(const list_sender_ids_response& in, std::string& out);
void encode(const submit_sender_id_request& in, std::string& out);
void encode(const submit_sender_id_response& in, std::string& out);
void encode(const notify_send_request& in, std::string& out);
void encode(const notify_send_response& in, std::string& out);
void encode(const notify_send_batch_request& in, std::string& out);
void encode(const notify_send_batch_response& in, std::string& out);
void encode(const subscription_config& in, std::string& out);
void encode(const list_subscription_configs_response& in, std::string& out);
void encode(const subscription_phone_number& in, std::string& out);
void encode(const list_subscription_phone_numbers_response& in, std::string& out);
void encode(const list_subscription_phone_number_events_response& in, std::string& out);
void encode(const transactional_send_request& in, std::string& out);
void encode(const transactional_send_response& in, std::string& out);
/// The envelope; the payload from the typed variant, or payload_json verbatim for
/// unknown_payload (`{}` when empty). For the sandbox and tests.
void encode(const webhook_event& in, std::string& out);

bool decode(std::string_view body, create_verification_request& out, std::string& why);
bool decode(std::string_view body, check_verification_request& out, std::string& why);
bool decode(std::string_view body, predict_request& out, std::string& why);
bool decode(std::string_view body, send_events_request& out, std::string& why);
bool decode(std::string_view body, send_feedbacks_request& out, std::string& why);
bool decode(std::string_view body, create_verification_response& out, std::string& why);
bool decode(std::string_view body, check_verification_response& out, std::string& why);
bool decode(std::string_view body, lookup_response& out, std::string& why);
bool decode(std::string_view body, predict_response& out, std::string& why);
bool decode(std::string_view body, send_events_response& out, std::string& why);
bool decode(std::string_view body, send_feedbacks_response& out, std::string& why);
bool decode(std::string_view body, error_body& out, std::string& why);
// Verify management, Notify, Transactional
bool decode(std::string_view body, list_phone_numbers_response& out, std::string& why);
bool decode(std::string_view body, set_phone_number_request& out, std::string& why);
bool decode(std::string_view body, set_phone_number_response& out, std::string& why);
bool decode(std::string_view body, delete_phone_number_request& out, std::string& why);
bool decode(std::string_view body, delete_phone_number_response& out, std::string& why);
bool decode(std::string_view body, list_sender_ids_response& out, std::string& why);
bool decode(std::string_view body, submit_sender_id_request& out, std::string& why);
bool decode(std::string_view body, submit_sender_id_response& out, std::string& why);
bool decode(std::string_view body, notify_send_request& out, std::string& why);
bool decode(std::string_view body, notify_send_response& out, std::string& why);
bool decode(std::string_view body, notify_send_batch_request& out, std::string& why);
bool decode(std::string_view body, notify_send_batch_response& out, std::string& why);
bool decode(std::string_view body, subscription_config& out, std::string& why);
bool decode(std::string_view body, list_subscription_configs_response& out, std::string& why);
bool decode(std::string_view body, subscription_phone_number& out, std::string& why);
bool decode(std::string_view body, list_subscription_phone_numbers_response& out, std::string& why);
bool decode(std::string_view body, list_subscription_phone_number_events_response& out, std::string& why);
bool decode(std::string_view body, transactional_send_request& out, std::string& why);
bool decode(std::string_view body, transactional_send_response& out, std::string& why);
/// The envelope rules of parse_webhook() (ding/v2/webhook.hpp).
bool decode(std::string_view body, webhook_event& out, std::string& why);

}  // namespace ding::v2::detail
