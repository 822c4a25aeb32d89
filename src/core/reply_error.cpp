#include "core/reply_error.hpp"

#include "core/client_core.hpp"

namespace ding::detail {
namespace {

/// What the status asks the caller to do, or "" where it says nothing more than its number.
std::string_view advice(unsigned status) {
    switch (status) {
    case 401: return "check the API key (v1 keys go in x-api-key, v2 keys are Bearer tokens)";
    case 403: return "the API key is valid but may not do this: check the account's permissions";
    case 408: return "the server timed out waiting for the request; it is retried as the retry table says";
    case 429: return "too many requests: slow down (retryable: see retry_policy)";
    default: return status >= 500 ? "the server failed; retryable (see retry_policy)" : "";
    }
}

} // namespace

error reply_error(const http_reply& reply, const http_call& call, const api_error_fields* fields) {
    error::details d = reply_details(reply, call.operation);
    d.body = bounded_body(reply.body);
    std::string& m = d.message;
    m = "HTTP " + std::to_string(reply.status);
    if (reply.status == 404) {
        // The path (never the query: it can hold values) names what was asked for; a v2 client
        // pointed at a v1 base URL, or the reverse, shows up here.
        const std::string_view target = call.target;
        const std::string_view path = target.substr(0, target.find('?'));
        m += " for ";
        m += std::string_view(http::to_string(call.method));
        m += ' ';
        m += path;
        m += ": the server has no such endpoint; check client_options::base_url (v2: https://api.prelude.dev, "
             "v1: https://api.ding.live/v1)";
    }
    const bool api_error = fields != nullptr && !fields->code.empty();
    if (fields != nullptr) {
        d.api_code = fields->v1_code;
        if (!fields->v1) d.api_code_string = fields->code;
        d.api_message = fields->message;
        d.doc_url = fields->doc_url;
        d.api_param = fields->param;
    }
    if (api_error) {
        if (reply.status != 404) m += ": the API refused the request";
        m += " with code '" + fields->code + "'";
        if (!fields->param.empty()) m += " about '" + fields->param + "'";
    } else if (reply.status != 404) {
        m += " from the server";
        if (reply.body.empty()) m += " with an empty body";
        else if (!reply.content_type.empty()) m += " with a " + reply.content_type + " body, not the API's JSON";
        else if (fields == nullptr) m += ", not the API's error object";
    }
    if (const std::string_view hint = advice(reply.status); !hint.empty()) {
        m += ": ";
        m += hint;
    }
    if (fields != nullptr && !fields->message.empty()) m += " (the server's message is in api_message())";
    return error(api_error ? errc::api_error : errc::http_status, std::move(d));
}

} // namespace ding::detail
