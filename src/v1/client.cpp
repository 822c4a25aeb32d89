// Ding API v1 on the version-neutral core: paths, the x-api-key header, request validation and
// the mapping of replies to values and errors.

#include <ding/client.hpp>

#include "core/launch.hpp"
#include "core/reply_error.hpp"
#include "v1/codec.hpp"
#include "v1/validation.hpp"

namespace ding {
namespace detail {
namespace {

/// Maps a final reply to a value or an error: 2xx decodes; anything else goes through
/// reply_error(), the rule v1 and v2 share, with the ErrorResponse when the body is one.
template <class T>
outcome<T> interpret(http_reply& reply, const http_call& call) {
    if (reply.status >= 200 && reply.status < 300)
        return decode_reply<T>(reply, call, [](std::string_view body, T& value, std::string& why) {
            return decode(body, value, why);
        });
    if (reply.content_type.empty()) { // an intermediary's HTML page is not the API's error object
        error_response body;
        std::string why;
        if (decode(reply.body, body, why) && (body.code || body.message)) {
            api_error_fields f;
            f.v1 = true;
            if (body.code) { // a code this SDK does not know is still the contract's error object
                f.v1_code = *body.code;
                f.code = std::string(to_string(*body.code));
            }
            f.message = body.message.value_or("");
            f.doc_url = body.doc_url.value_or("");
            return reply_error(reply, call, &f);
        }
    }
    return reply_error(reply, call, nullptr);
}

outcome<http_call> post_call(client_core& core, std::string_view operation, std::string_view suffix,
                             encoded_body body) {
    if (!body) return std::move(body).error();
    if (const error* e = core.configuration_error()) return *e;
    http_call call;
    call.operation = operation;
    call.method = http::verb::post;
    call.target = core.path(suffix);
    call.body = std::move(*body);
    return call;
}

// Validation and encoding, in the initiating function. Out of memory completes the call (with
// errc::internal) instead of throwing.
template <class Request>
encoded_body prepare_post(std::string_view operation, const Request& request) noexcept {
    try {
        if (auto why = validate(request)) return make_error(errc::invalid_argument, std::move(*why), operation);
        std::string body = take_body_buffer();
        encode(request, body);
        return body;
    } catch (...) {
        return internal_error(std::current_exception(), operation);
    }
}

// Builds the call in the initiating function (validation before any I/O), then launches it.
// Building may run out of memory: that, too, completes the call instead of throwing.
template <class T, class Build>
void start(std::shared_ptr<client_core> core, Build&& build, const call_options& options, handler<T> h) noexcept {
    outcome<http_call> call = error();
    try {
        call = build(*core);
    } catch (...) {
        call = internal_error(std::current_exception(), "");
    }
    launch<T>(core, std::move(call), options, std::move(h), &interpret<T>);
}

} // namespace

encoded_body prepare(const create_authentication_request& request) noexcept { return prepare_post("create_authentication", request); }

void start_create_authentication(std::shared_ptr<client_core> core, encoded_body body, const call_options& options,
          handler<create_authentication_response> h) {
    start<create_authentication_response>(
        std::move(core), [&](client_core& c) { return post_call(c, "create_authentication", "/authentication", std::move(body)); }, options,
        std::move(h));
}

encoded_body prepare(const create_check_request& request) noexcept { return prepare_post("check", request); }

void start_check(std::shared_ptr<client_core> core, encoded_body body, const call_options& options,
          handler<create_check_response> h) {
    start<create_check_response>(
        std::move(core), [&](client_core& c) { return post_call(c, "check", "/check", std::move(body)); }, options,
        std::move(h));
}

encoded_body prepare(const retry_authentication_request& request) noexcept { return prepare_post("retry", request); }

void start_retry(std::shared_ptr<client_core> core, encoded_body body, const call_options& options,
          handler<retry_authentication_response> h) {
    start<retry_authentication_response>(
        std::move(core), [&](client_core& c) { return post_call(c, "retry", "/retry", std::move(body)); }, options,
        std::move(h));
}

encoded_body prepare(const feedback_request& request) noexcept { return prepare_post("feedback", request); }

void start_feedback(std::shared_ptr<client_core> core, encoded_body body, const call_options& options,
          handler<feedback_response> h) {
    start<feedback_response>(
        std::move(core), [&](client_core& c) { return post_call(c, "feedback", "/authentication/feedback", std::move(body)); }, options,
        std::move(h));
}

void start_get_authentication_status(std::shared_ptr<client_core> core, const std::string& authentication_uuid,
                                     const call_options& options, handler<authentication_status_response> h) {
    constexpr std::string_view operation = "get_authentication_status";
    start<authentication_status_response>(
        std::move(core),
        [&](client_core& c) -> outcome<http_call> {
            if (auto why = validate_authentication_uuid(authentication_uuid))
                return make_error(errc::invalid_argument, std::move(*why), operation);
            if (const error* e = c.configuration_error()) return *e;
            http_call call;
            call.operation = operation;
            call.target = c.path("/authentication/") + authentication_uuid; // a UUID: no path characters
            call.idempotent = true;
            return call;
        },
        options, std::move(h));
}

void start_lookup(std::shared_ptr<client_core> core, const lookup_request& request, const call_options& options,
                  handler<lookup_response> h) {
    constexpr std::string_view operation = "lookup";
    start<lookup_response>(
        std::move(core),
        [&](client_core& c) -> outcome<http_call> {
            if (auto why = validate(request)) return make_error(errc::invalid_argument, std::move(*why), operation);
            if (const error* e = c.configuration_error()) return *e;
            http_call call;
            call.operation = operation;
            // E.164 is '+' and digits; the '+' is percent-encoded as the contract recommends.
            call.target = c.path("/lookup/%2B") + request.phone_number.substr(1);
            char separator = '?';
            for (lookup_type type : request.types) {
                call.target += separator;
                call.target += "type=";
                call.target += to_string(type);
                separator = '&';
            }
            call.headers.emplace_back("customer-uuid", request.customer_uuid);
            call.idempotent = true;
            return call;
        },
        options, std::move(h));
}

void start_warm_up(std::shared_ptr<client_core> core, std::size_t n, handler<std::size_t> h) {
    launch_task<std::size_t, call_state<std::size_t>>(
        core, std::move(h), [](call_state<std::size_t>&) {},
        [n](const std::shared_ptr<call_state<std::size_t>>& st) {
            asio::co_spawn(st->core->executor(), run_warm_up(st, n), spawn_done<std::size_t>{st});
        });
}

} // namespace detail

client::client(boost::asio::any_io_executor executor, const client_options& options)
    : core_(detail::client_core::create(std::move(executor), options, detail::api_profile{"x-api-key", ""})),
      otp_(core_),
      lookup_(core_) {}

client::~client() { core_->shutdown(); }

boost::asio::any_io_executor client::get_executor() const noexcept { return core_->get_executor(); }

const error* client::configuration_error() const noexcept { return core_->configuration_error(); }

pool_stats client::stats() const noexcept { return core_->stats(); }

void client::close_idle_connections() { core_->close_idle_connections(); }

void client::cancel() { core_->cancel(); }

} // namespace ding
