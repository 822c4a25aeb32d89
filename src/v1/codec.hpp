// JSON encoding and decoding of the v1 models in ding/models.hpp (v2's are in v2/codec.hpp).
//
// Encoders append compact JSON to `out` (no DOM is built). Properties are
// written in the contract's order; unset optionals are omitted, never `null`.
// Strings are escaped per RFC 8259: `"` and `\` are escaped, control
// characters U+0000..U+001F are written as \u00XX, valid UTF-8 is copied
// as is, and each byte that is not part of a valid UTF-8 sequence is replaced
// by \ufffd (so the output is always valid JSON). A non-finite `amount`
// (NaN, infinity) cannot be written in JSON and is omitted.
//
// Decoders parse `body` and fill `out`. On success they return true and `out`
// is replaced entirely (fields absent from the body are nullopt). On failure
// they return false, leave `out` unchanged and set `why` to a sentence naming
// the offending field, e.g. "field 'remaining_retry': expected integer".
// Rules:
//  - the body must be a single JSON object;
//  - properties this SDK does not know are ignored;
//  - a property whose value is JSON null is treated as absent;
//  - a wrongly typed value is an error;
//  - an enum spelling this SDK does not know decodes to E::unknown (not an error);
//  - timestamps must be RFC 3339 (see rfc3339.hpp);
//  - integer fields accept only a JSON integer (no fraction, no exponent) within
//    the field type's range, checked exactly (json_number.hpp): 1.0, 1e3 and
//    -9223372036854775809 are errors; `amount` accepts any JSON number that fits a double,
//    rounded to the nearest double (json_parse.hpp); 1e400 is an error;
//  - `events`: each element must be an object with a string `type`. The four
//    kinds `attempt`, `check`, `delivery_status` and `balance_update` select
//    the variant; an element with any other `type` is SKIPPED (forward
//    compatibility: the API may add event kinds); an element without `type`
//    (or with a non-string `type`) is an error.
#pragma once

#include <ding/models.hpp>

#include "codec/json_string.hpp"  // append_json_string: the escaping described below

#include <string>

namespace ding::detail {

// ---- requests (what the SDK sends)
void encode(const create_authentication_request& in, std::string& out);
void encode(const create_check_request& in, std::string& out);
void encode(const retry_authentication_request& in, std::string& out);
void encode(const feedback_request& in, std::string& out);

// ---- responses (what the SDK reads; the encoders serve the test server and the sandbox)
void encode(const create_authentication_response& in, std::string& out);
void encode(const create_check_response& in, std::string& out);
void encode(const retry_authentication_response& in, std::string& out);
void encode(const feedback_response& in, std::string& out);
void encode(const signals& in, std::string& out);
void encode(const authentication_event& in, std::string& out);  ///< `type` tag first
void encode(const authentication_status_response& in, std::string& out);
void encode(const lookup_response& in, std::string& out);
void encode(const error_response& in, std::string& out);

bool decode(std::string_view body, create_authentication_response& out, std::string& why);
bool decode(std::string_view body, create_check_response& out, std::string& why);
bool decode(std::string_view body, retry_authentication_response& out, std::string& why);
bool decode(std::string_view body, feedback_response& out, std::string& why);
bool decode(std::string_view body, authentication_status_response& out, std::string& why);
bool decode(std::string_view body, lookup_response& out, std::string& why);
bool decode(std::string_view body, error_response& out, std::string& why);

}  // namespace ding::detail
