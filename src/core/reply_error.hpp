#pragma once
// The one rule that turns a non-2xx reply into an error, for v1 and v2 alike (each version only
// decodes its own error body into api_error_fields):
// - the body is the contract's error object (JSON with a `code` or a `message`): errc::api_error,
//   whatever the status;
// - anything else (an empty body, an intermediary's HTML page, JSON of another shape):
//   errc::http_status.
// Either way retryable() depends on the status only (408, 429, 5xx), and the message is a
// sentence that says what to do where the status says it (401, 403, 404, 429, 5xx).

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
};

/// The error for a final non-2xx reply to `call`. `fields` is null when the body is not the
/// contract's error object.
error reply_error(const http_reply& reply, const http_call& call, const api_error_fields* fields);

} // namespace ding::detail
