// Ding API v1 on top of the generic transport: paths, the x-api-key header, request validation
// and the mapping of replies to values and errors.

#include <ding/client.hpp>
#include <ding/version.hpp>

#include "codec/json_codec.hpp"
#include "codec/validation.hpp"
#include "transport/http_client.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/this_coro.hpp>

namespace ding {
namespace detail {

class client_impl : public std::enable_shared_from_this<client_impl> {
public:
    client_impl(asio::any_io_executor executor, client_options opts) : ex(std::move(executor)), options(std::move(opts)) {
        std::string why = check_options();
        if (why.empty()) {
            pool_config pc{*url, options.max_connections, options.connect_timeout, options.idle_timeout, options.tls};
            connections = pool::create(ex, std::move(pc), why);
        }
        if (!why.empty()) {
            error::details d;
            d.message = "invalid client_options: " + why;
            config_error = error(errc::invalid_argument, std::move(d));
            return;
        }
        http_client_config hc;
        hc.auth = credentials{"x-api-key", "", options.api_key, options.api_key_provider};
        hc.hooks = options.hooks;
        hc.user_agent = "ding-cpp/" DING_VERSION_STRING;
        if (!options.user_agent_suffix.empty()) hc.user_agent += " " + options.user_agent_suffix;
        hc.max_response_body = options.max_response_body;
        http.emplace(connections, std::move(hc));
    }

    std::string check_options() {
        std::string why;
        url = parse_base_url(options.base_url, why);
        if (!url) return why;
        if (!options.api_key_provider) {
            if (auto bad = validate_api_key(options.api_key)) return *bad;
        }
        if (!is_header_safe(options.user_agent_suffix)) return "user_agent_suffix: contains control characters";
        if (options.timeout.count() <= 0) return "timeout: must be positive";
        if (options.connect_timeout.count() <= 0) return "connect_timeout: must be positive";
        if (options.max_connections == 0) return "max_connections: must be at least 1";
        if (options.max_response_body == 0) return "max_response_body: must be positive";
        if (auto bad = check_retry(options.retry)) return *bad;
        return {};
    }

    static std::optional<std::string> check_retry(const retry_policy& r) {
        if (r.max_attempts < 1) return "retry.max_attempts: must be at least 1";
        if (r.initial_backoff.count() < 0 || r.max_backoff.count() < 0) return "retry: backoff must not be negative";
        return std::nullopt;
    }

    std::string path(std::string_view suffix) const { return url->base_path + std::string(suffix); }

    asio::any_io_executor ex;
    client_options options;
    std::optional<base_url> url;
    std::optional<error> config_error;
    std::shared_ptr<pool> connections;
    std::optional<http_client> http;
};

namespace {

error make_error(errc code, std::string message, std::string_view operation) {
    error::details d;
    d.message = std::move(message);
    d.operation = std::string(operation);
    return error(code, std::move(d));
}

std::string bounded(const std::string& body) {
    return body.size() <= error::max_body_copy ? body : body.substr(0, error::max_body_copy);
}

/// Maps a final reply to a value or an error: 2xx decodes, 400 with an ErrorResponse is an
/// api_error, anything else is http_status. Server text stays in api_message()/body().
template <class T>
outcome<T> interpret(http_reply& reply, std::string_view operation) {
    error::details d;
    d.operation = std::string(operation);
    d.http_status = static_cast<int>(reply.status);
    d.attempts = reply.attempts;
    if (reply.status >= 200 && reply.status < 300) {
        T value{};
        std::string why;
        if (!reply.content_type.empty()) // set only when it is not JSON
            why = "expected Content-Type application/json, got '" + reply.content_type + "'";
        else if (decode(reply.body, value, why))
            return value;
        d.message = "HTTP " + std::to_string(reply.status) + " with an unreadable body: " + why;
        d.body = bounded(reply.body);
        return error(errc::decode, std::move(d));
    }
    d.body = bounded(reply.body);
    if (reply.status == 400) {
        error_response body;
        std::string why;
        if (decode(reply.body, body, why) && body.code) {
            d.api_code = *body.code;
            d.api_message = body.message.value_or("");
            d.doc_url = body.doc_url.value_or("");
            d.message = "the API rejected the request: " + std::string(to_string(*body.code));
            return error(errc::api_error, std::move(d));
        }
    }
    d.message = "HTTP " + std::to_string(reply.status) + " from the server";
    return error(errc::http_status, std::move(d));
}

template <class Response>
asio::awaitable<outcome<Response>> run(std::shared_ptr<client_impl> self, outcome<http_call> call,
                                       call_options overrides) {
    // Any kind of cancellation ends the call; no exception is used for it. Beast's I/O operations
    // (connect, handshake, read, write) honour only terminal cancellation, so whatever type the
    // caller emits is passed on to them as terminal: the call is abandoned and its connection
    // discarded either way.
    co_await asio::this_coro::reset_cancellation_state(
        asio::enable_total_cancellation(), [](asio::cancellation_type type) {
            return type == asio::cancellation_type::none ? type : asio::cancellation_type::terminal;
        });
    co_await asio::this_coro::throw_if_cancelled(false);
    if (self->config_error) co_return *self->config_error;
    if (!call) co_return call.error();
    if (overrides.timeout && overrides.timeout->count() <= 0)
        co_return make_error(errc::invalid_argument, "call_options.timeout: must be positive", call->operation);
    if (overrides.retry) {
        if (auto bad = client_impl::check_retry(*overrides.retry))
            co_return make_error(errc::invalid_argument, "call_options." + *bad, call->operation);
    }
    auto reply = co_await self->http->send(*call, overrides.timeout.value_or(self->options.timeout),
                                           overrides.retry.value_or(self->options.retry));
    if (!reply) co_return std::move(reply).error();
    co_return interpret<Response>(*reply, call->operation);
}

template <class Response>
void launch(client_impl* impl, outcome<http_call> call, const call_options& overrides, handler<Response> h) {
    auto ex = impl->ex;
    auto slot = h.get_cancellation_slot();
    asio::co_spawn(
        ex, run<Response>(impl->shared_from_this(), std::move(call), overrides),
        asio::bind_cancellation_slot(slot, [h = std::move(h), ex](std::exception_ptr ep, outcome<Response> r) mutable {
            if (ep) { // only std::bad_alloc and the like can get here
                std::string what = "unexpected exception";
                try {
                    std::rethrow_exception(ep);
                } catch (const std::exception& e) {
                    what += ": ";
                    what += e.what();
                } catch (...) {
                }
                r = make_error(errc::internal, std::move(what), "");
            }
            auto handler_ex = asio::get_associated_executor(h, ex);
            asio::dispatch(handler_ex, [h = std::move(h), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
        }));
}

template <class Request>
outcome<http_call> post_call(client_impl* impl, std::string_view operation, std::string_view suffix,
                             const Request& request) {
    if (auto why = validate(request)) return make_error(errc::invalid_argument, std::move(*why), operation);
    if (impl->config_error) return *impl->config_error;
    http_call call;
    call.operation = operation;
    call.method = http::verb::post;
    call.target = impl->path(suffix);
    encode(request, call.body);
    return call;
}

} // namespace
} // namespace detail

using detail::launch;
using detail::post_call;

void otp_service::start_create_authentication_async(const create_authentication_request& request,
                                                    const call_options& options,
                                                    detail::handler<create_authentication_response> h) {
    launch(impl_, post_call(impl_, "create_authentication", "/authentication", request), options, std::move(h));
}

void otp_service::start_check_async(const create_check_request& request, const call_options& options,
                                    detail::handler<create_check_response> h) {
    launch(impl_, post_call(impl_, "check", "/check", request), options, std::move(h));
}

void otp_service::start_retry_async(const retry_authentication_request& request, const call_options& options,
                                    detail::handler<retry_authentication_response> h) {
    launch(impl_, post_call(impl_, "retry", "/retry", request), options, std::move(h));
}

void otp_service::start_feedback_async(const feedback_request& request, const call_options& options,
                                       detail::handler<feedback_response> h) {
    launch(impl_, post_call(impl_, "feedback", "/authentication/feedback", request), options, std::move(h));
}

void otp_service::start_get_authentication_status_async(const std::string& authentication_uuid,
                                                        const call_options& options,
                                                        detail::handler<authentication_status_response> h) {
    constexpr std::string_view operation = "get_authentication_status";
    auto make = [&]() -> outcome<detail::http_call> {
        if (auto why = detail::validate_authentication_uuid(authentication_uuid))
            return detail::make_error(errc::invalid_argument, std::move(*why), operation);
        if (impl_->config_error) return *impl_->config_error;
        detail::http_call call;
        call.operation = operation;
        call.target = impl_->path("/authentication/") + authentication_uuid; // a UUID: no path characters
        call.idempotent = true;
        return call;
    };
    launch(impl_, make(), options, std::move(h));
}

void lookup_service::start_lookup_async(const lookup_request& request, const call_options& options,
                                        detail::handler<lookup_response> h) {
    constexpr std::string_view operation = "lookup";
    auto make = [&]() -> outcome<detail::http_call> {
        if (auto why = detail::validate(request)) return detail::make_error(errc::invalid_argument, std::move(*why), operation);
        if (impl_->config_error) return *impl_->config_error;
        detail::http_call call;
        call.operation = operation;
        // E.164 is '+' and digits; the '+' is percent-encoded as the contract recommends.
        call.target = impl_->path("/lookup/%2B") + request.phone_number.substr(1);
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
    };
    launch(impl_, make(), options, std::move(h));
}

client::client(boost::asio::any_io_executor executor, client_options options)
    : impl_(std::make_shared<detail::client_impl>(std::move(executor), std::move(options))),
      otp_(impl_.get()),
      lookup_(impl_.get()) {}

client::~client() {
    if (impl_->connections) impl_->connections->close_idle();
}

boost::asio::any_io_executor client::get_executor() const noexcept { return impl_->ex; }

const error* client::configuration_error() const noexcept {
    return impl_->config_error ? &*impl_->config_error : nullptr;
}

pool_stats client::stats() const noexcept { return impl_->connections ? impl_->connections->stats() : pool_stats{}; }

void client::close_idle_connections() {
    if (impl_->connections) impl_->connections->close_idle();
}

} // namespace ding
