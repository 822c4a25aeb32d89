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
/// The envelope rules of parse_webhook() (ding/v2/webhook.hpp).
bool decode(std::string_view body, webhook_event& out, std::string& why);

}  // namespace ding::v2::detail
