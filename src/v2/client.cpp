// Prelude v2 on the version-neutral core: paths under /v2, the Bearer credential, request
// validation, the retry class of each operation and the mapping of replies to values and errors.
// Nothing of v1 travels on these requests (no x-api-key, no customer-uuid).

#include <ding/v2/client.hpp>

#include "core/launch.hpp"
#include "core/reply_error.hpp"
#include "v2/codec.hpp"
#include "v2/validation.hpp"

namespace ding::v2 {
namespace detail {
namespace {

using ding::detail::http_call;
using ding::detail::http_reply;
using ding::detail::bounded_body;
using ding::detail::make_error;
using ding::detail::reply_details;
namespace http = ding::detail::http;

/// Maps a final reply to a value or an error: 2xx decodes; anything else goes through
/// reply_error(), the rule v1 and v2 share, with the error body when it is the contract's.
template <class T>
outcome<T> interpret(http_reply& reply, const http_call& call) {
    if (reply.status >= 200 && reply.status < 300) {
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
    if (reply.content_type.empty()) { // an intermediary's HTML page is not the API's error object
        error_body body;
        std::string why;
        if (decode(reply.body, body, why) && (body.code || body.message)) {
            ding::detail::api_error_fields f;
            f.code = body.code.value_or("");
            f.message = body.message.value_or("");
            f.param = body.param.value_or("");
            return ding::detail::reply_error(reply, call, &f);
        }
    }
    return ding::detail::reply_error(reply, call, nullptr);
}

/// Every v2 POST: non-idempotent (a repeat sends another code or counts an event twice), so the
/// transport retries it only when the server cannot have acted on it.
template <class Request>
outcome<http_call> post_call(client_core& core, std::string_view operation, std::string_view path,
                             const Request& request) {
    if (auto why = validate(request)) return make_error(errc::invalid_argument, std::move(*why), operation);
    if (const error* e = core.configuration_error()) return *e;
    http_call call;
    call.operation = operation;
    call.method = http::verb::post;
    call.target = core.path(path);
    call.idempotent = false;
    call.body = ding::detail::take_body_buffer();
    encode(request, call.body);
    return call;
}

// Builds the call in the initiating function (validation before any I/O), then launches it.
// Building may run out of memory: that, too, completes the call instead of throwing.
template <class T, class Build>
void start(std::shared_ptr<client_core> core, Build&& build, const call_options& options, handler<T> h) noexcept {
    outcome<http_call> call = error();
    try {
        call = build(*core);
    } catch (...) {
        call = ding::detail::internal_error(std::current_exception(), "");
    }
    ding::detail::launch<T>(core, std::move(call), options, std::move(h), &interpret<T>);
}

template <class T, class Request>
void start_post(std::shared_ptr<client_core> core, std::string_view operation, std::string_view path,
                const Request& request, const call_options& options, handler<T> h) noexcept {
    start<T>(
        std::move(core), [&](client_core& c) { return post_call(c, operation, path, request); }, options,
        std::move(h));
}

} // namespace

void start_create_verification(std::shared_ptr<client_core> core, const create_verification_request& request,
                               const call_options& options, handler<create_verification_response> h) {
    start_post<create_verification_response>(std::move(core), "create_verification", "/v2/verification", request,
                                             options, std::move(h));
}

void start_check_verification(std::shared_ptr<client_core> core, const check_verification_request& request,
                              const call_options& options, handler<check_verification_response> h) {
    start_post<check_verification_response>(std::move(core), "check_verification", "/v2/verification/check",
                                            request, options, std::move(h));
}

void start_predict(std::shared_ptr<client_core> core, const predict_request& request, const call_options& options,
                   handler<predict_response> h) {
    start_post<predict_response>(std::move(core), "predict", "/v2/watch/predict", request, options, std::move(h));
}

void start_send_events(std::shared_ptr<client_core> core, const send_events_request& request,
                       const call_options& options, handler<send_events_response> h) {
    start_post<send_events_response>(std::move(core), "send_events", "/v2/watch/event", request, options,
                                     std::move(h));
}

void start_send_feedbacks(std::shared_ptr<client_core> core, const send_feedbacks_request& request,
                          const call_options& options, handler<send_feedbacks_response> h) {
    start_post<send_feedbacks_response>(std::move(core), "send_feedbacks", "/v2/watch/feedback", request, options,
                                        std::move(h));
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
            // E.164 is '+' and digits; the '+' is percent-encoded, which the contract allows and
            // which no intermediary can mistake for a space.
            call.target = c.path("/v2/lookup/%2B") + request.phone_number.substr(1);
            // Several features go comma-separated in one parameter, as the contract says.
            for (std::size_t i = 0; i < request.type.size(); ++i) {
                call.target += i == 0 ? "?type=" : ",";
                call.target += to_string(request.type[i]);
            }
            call.idempotent = true; // a read
            return call;
        },
        options, std::move(h));
}

} // namespace detail

client::client(boost::asio::any_io_executor executor, const client_options& options)
    : core_(ding::detail::client_core::create(std::move(executor), options,
                                              ding::detail::api_profile{"Authorization", "Bearer "})),
      verification_(core_),
      lookup_(core_),
      watch_(core_) {}

client::~client() { core_->shutdown(); }

boost::asio::any_io_executor client::get_executor() const noexcept { return core_->get_executor(); }

const error* client::configuration_error() const noexcept { return core_->configuration_error(); }

pool_stats client::stats() const noexcept { return core_->stats(); }

void client::close_idle_connections() { core_->close_idle_connections(); }

void client::cancel() { core_->cancel(); }

} // namespace ding::v2
