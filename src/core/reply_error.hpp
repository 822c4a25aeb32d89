#pragma once
// The one rule that turns a non-2xx reply into an error, for v1 and v2 alike (each version only
// decodes its own error body into api_error_fields):
// - the body is the contract's error object with its machine-readable `code` (v1's ErrorResponse,
//   v2's Error): errc::api_error, whatever the status;
// - anything else (an empty body, an intermediary's HTML page, JSON without a `code`, such as
//   {"message": "too many requests"}): errc::http_status; a `message` it holds is still kept
//   in api_message() and shown by to_string().
// Either way retryable() depends on the status only (408, 429, 5xx), and the message is a
// sentence that says what to do where the status says it (401, 403, 404, 429, 5xx).

#include "core/client_core.hpp"
#include "transport/http_client.hpp"

#include <ding/error.hpp>

#include <string>
#include <string_view>

namespace ding::detail {

/// The contract's error object, as one API version decoded it.
struct api_error_fields {
    std::string code;                              ///< verbatim (v2) or the enum's name (v1); may be empty
    api_error_code v1_code = api_error_code::unknown; ///< v1 only
    std::string message;                           ///< the server's text, verbatim
    std::string doc_url;                           ///< v1
    std::string param;                             ///< v2
    bool v1 = false;                               ///< v1 keeps api_code_string() empty (its code is api_code())
};

/// The value of a 2xx reply to `call`, decoded by `decode(body, value, why)` (each version's
/// codec), or errc::decode saying why (a body that is not the contract's JSON, or not JSON).
template <class T, class Decode>
outcome<T> decode_reply(const http_reply& reply, const http_call& call, Decode decode) {
    T value{};
    std::string why;
    if (!reply.content_type.empty()) // set only when it is not JSON
        why = "expected Content-Type application/json, got '" + reply.content_type + "'";
    else if (decode(reply.body, value, why))
        return value;
    error::details d = reply_details(reply, call.operation);
    d.message = "HTTP " + std::to_string(reply.status) + " with an unreadable body: " + why;
    d.body = bounded_body(reply.body);
    return error(errc::decode, std::move(d));
}

/// The error for a final non-2xx reply to `call`. `fields` is what the body held of the
/// contract's error object, or null when it is not JSON of that shape.
error reply_error(const http_reply& reply, const http_call& call, const api_error_fields* fields);

} // namespace ding::detail
