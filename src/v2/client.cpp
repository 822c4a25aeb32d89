// Prelude v2 on the version-neutral core: paths under /v2, the Bearer credential, request
// validation, the retry class of each operation and the mapping of replies to values and errors,
// for the 19 operations (the pagers are in pager.cpp).
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
using ding::detail::make_error;
namespace http = ding::detail::http;

/// Maps a final reply to a value or an error: 2xx decodes; anything else goes through
/// reply_error(), the rule v1 and v2 share, with the error body when it is the contract's.
template <class T>
outcome<T> interpret(http_reply& reply, const http_call& call) {
    if (reply.status >= 200 && reply.status < 300)
        return ding::detail::decode_reply<T>(reply, call, [](std::string_view body, T& value, std::string& why) {
            return decode(body, value, why);
        });
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

/// A call whose body is `request` (every v2 POST, and the DELETE of a list entry), validated
/// first. Non-idempotent: a repeat sends another code or message, counts an event twice or
/// changes account state again, so the transport retries it only when the server cannot have
/// acted on it.
template <class Request>
outcome<http_call> body_call(client_core& core, std::string_view operation, http::verb method, std::string target,
                             const Request& request) {
    if (auto why = validate(request)) return make_error(errc::invalid_argument, std::move(*why), operation);
    if (const error* e = core.configuration_error()) return *e;
    http_call call;
    call.operation = operation;
    call.method = method;
    call.target = std::move(target);
    call.idempotent = false;
    call.body = ding::detail::take_body_buffer();
    encode(request, call.body);
    return call;
}

/// A GET (a read: idempotent) of `target`, built once every check passed.
outcome<http_call> get_call(client_core& core, std::string_view operation, std::string target) {
    if (const error* e = core.configuration_error()) return *e;
    http_call call;
    call.operation = operation;
    call.method = http::verb::get;
    call.target = std::move(target);
    call.idempotent = true;
    return call;
}

/// `?name=value&...` from the set values, percent-encoded.
class query {
public:
    explicit query(std::string& target) : target_(target) {}
    void add(std::string_view name, std::string_view value) {
        target_.push_back(first_ ? '?' : '&');
        first_ = false;
        target_.append(name);
        target_.push_back('=');
        append_percent_encoded(value, target_);
    }
    void add(std::string_view name, const std::optional<std::string>& value) {
        if (value) add(name, std::string_view(*value));
    }
    void add(std::string_view name, const std::optional<std::int64_t>& value) {
        if (value) add(name, std::string_view(std::to_string(*value)));
    }
    template <class E>
        requires std::is_enum_v<E>
    void add(std::string_view name, const std::optional<E>& value) {
        if (value) add(name, to_string(*value));
    }

private:
    std::string& target_;
    bool first_ = true;
};

/// The path of a subscription configuration, `config_id` percent-encoded (validated before).
std::string subscription_path(client_core& core, std::string_view config_id) {
    std::string target = core.path("/v2/notify/management/subscriptions/");
    append_percent_encoded(config_id, target);
    return target;
}

/// `.../{config_id}/phone_numbers/%2B<digits>` (the phone number validated as E.164 before).
std::string subscription_number_path(client_core& core, std::string_view config_id, std::string_view phone_number) {
    std::string target = subscription_path(core, config_id);
    target += "/phone_numbers/%2B";
    target += phone_number.substr(1);
    return target;
}

outcome<http_call> invalid(std::string why, std::string_view operation) {
    return make_error(errc::invalid_argument, std::move(why), operation);
}

template <class T, class Request>
void start_post(std::shared_ptr<client_core> core, std::string_view operation, std::string_view path,
                const Request& request, const call_options& options, handler<T> h) noexcept {
    start<T>(
        std::move(core), [&](client_core& c) { return body_call(c, operation, http::verb::post, c.path(path), request); }, options,
        std::move(h));
}

std::string phone_list_path(client_core& core, phone_list list) {
    return core.path("/v2/verification/management/phone-numbers/") + std::string(to_string(list));
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

// ------------------------------------------------------------------ Verify management

void start_list_phone_numbers(std::shared_ptr<client_core> core, phone_list list, const call_options& options,
                              handler<list_phone_numbers_response> h) {
    constexpr std::string_view operation = "list_phone_numbers";
    start<list_phone_numbers_response>(
        std::move(core),
        [&](client_core& c) -> outcome<http_call> {
            if (auto why = validate_list(list)) return invalid(std::move(*why), operation);
            return get_call(c, operation, phone_list_path(c, list));
        },
        options, std::move(h));
}

void start_set_phone_number(std::shared_ptr<client_core> core, phone_list list, const set_phone_number_request& request,
                            const call_options& options, handler<set_phone_number_response> h) {
    constexpr std::string_view operation = "set_phone_number";
    start<set_phone_number_response>(
        std::move(core),
        [&](client_core& c) -> outcome<http_call> {
            if (auto why = validate_list(list)) return invalid(std::move(*why), operation);
            return body_call(c, operation, http::verb::post, phone_list_path(c, list), request);
        },
        options, std::move(h));
}

void start_delete_phone_number(std::shared_ptr<client_core> core, phone_list list,
                               const delete_phone_number_request& request, const call_options& options,
                               handler<delete_phone_number_response> h) {
    constexpr std::string_view operation = "delete_phone_number";
    start<delete_phone_number_response>(
        std::move(core),
        [&](client_core& c) -> outcome<http_call> {
            if (auto why = validate_list(list)) return invalid(std::move(*why), operation);
            // A DELETE with a JSON body: the transport writes Content-Type and Content-Length for
            // every non-empty body, whatever the method.
            return body_call(c, operation, http::verb::delete_, phone_list_path(c, list), request);
        },
        options, std::move(h));
}

void start_list_sender_ids(std::shared_ptr<client_core> core, const call_options& options,
                           handler<list_sender_ids_response> h) {
    constexpr std::string_view operation = "list_sender_ids";
    start<list_sender_ids_response>(
        std::move(core),
        [&](client_core& c) { return get_call(c, operation, c.path("/v2/verification/management/sender-id")); },
        options, std::move(h));
}

void start_submit_sender_id(std::shared_ptr<client_core> core, const submit_sender_id_request& request,
                            const call_options& options, handler<submit_sender_id_response> h) {
    start_post<submit_sender_id_response>(std::move(core), "submit_sender_id", "/v2/verification/management/sender-id",
                                          request, options, std::move(h));
}

// ---------------------------------------------------------------------------- Notify

void start_notify_send(std::shared_ptr<client_core> core, const notify_send_request& request,
                       const call_options& options, handler<notify_send_response> h) {
    start_post<notify_send_response>(std::move(core), "notify_send", "/v2/notify", request, options, std::move(h));
}

void start_notify_send_batch(std::shared_ptr<client_core> core, const notify_send_batch_request& request,
                             const call_options& options, handler<notify_send_batch_response> h) {
    start_post<notify_send_batch_response>(std::move(core), "notify_send_batch", "/v2/notify/batch", request, options,
                                           std::move(h));
}

void start_list_subscription_configs(std::shared_ptr<client_core> core, const list_subscription_configs_request& request,
                                     const call_options& options, handler<list_subscription_configs_response> h) {
    constexpr std::string_view operation = "list_subscription_configs";
    start<list_subscription_configs_response>(
        std::move(core),
        [&](client_core& c) -> outcome<http_call> {
            if (auto why = validate(request)) return invalid(std::move(*why), operation);
            std::string target = c.path("/v2/notify/management/subscriptions");
            query q(target);
            q.add("cursor", request.cursor);
            q.add("limit", request.limit);
            return get_call(c, operation, std::move(target));
        },
        options, std::move(h));
}

void start_get_subscription_config(std::shared_ptr<client_core> core, std::string_view config_id,
                                   const call_options& options, handler<subscription_config> h) {
    constexpr std::string_view operation = "get_subscription_config";
    start<subscription_config>(
        std::move(core),
        [&](client_core& c) -> outcome<http_call> {
            if (auto why = validate_config_id("config_id", config_id)) return invalid(std::move(*why), operation);
            return get_call(c, operation, subscription_path(c, config_id));
        },
        options, std::move(h));
}

void start_list_subscription_phone_numbers(std::shared_ptr<client_core> core,
                                           const list_subscription_phone_numbers_request& request,
                                           const call_options& options,
                                           handler<list_subscription_phone_numbers_response> h) {
    constexpr std::string_view operation = "list_subscription_phone_numbers";
    start<list_subscription_phone_numbers_response>(
        std::move(core),
        [&](client_core& c) -> outcome<http_call> {
            if (auto why = validate(request)) return invalid(std::move(*why), operation);
            std::string target = subscription_path(c, request.config_id) + "/phone_numbers";
            query q(target);
            q.add("cursor", request.cursor);
            q.add("limit", request.limit);
            q.add("state", request.state);
            return get_call(c, operation, std::move(target));
        },
        options, std::move(h));
}

void start_get_subscription_phone_number(std::shared_ptr<client_core> core, std::string_view config_id,
                                         std::string_view phone_number, const call_options& options,
                                         handler<subscription_phone_number> h) {
    constexpr std::string_view operation = "get_subscription_phone_number";
    start<subscription_phone_number>(
        std::move(core),
        [&](client_core& c) -> outcome<http_call> {
            if (auto why = validate_config_id("config_id", config_id)) return invalid(std::move(*why), operation);
            if (auto why = validate_path_phone_number("phone_number", phone_number))
                return invalid(std::move(*why), operation);
            return get_call(c, operation, subscription_number_path(c, config_id, phone_number));
        },
        options, std::move(h));
}

void start_list_subscription_phone_number_events(std::shared_ptr<client_core> core,
                                                 const list_subscription_phone_number_events_request& request,
                                                 const call_options& options,
                                                 handler<list_subscription_phone_number_events_response> h) {
    constexpr std::string_view operation = "list_subscription_phone_number_events";
    start<list_subscription_phone_number_events_response>(
        std::move(core),
        [&](client_core& c) -> outcome<http_call> {
            if (auto why = validate(request)) return invalid(std::move(*why), operation);
            std::string target = subscription_number_path(c, request.config_id, request.phone_number) + "/events";
            query q(target);
            q.add("cursor", request.cursor);
            q.add("limit", request.limit);
            return get_call(c, operation, std::move(target));
        },
        options, std::move(h));
}

// ---------------------------------------------------------------------- Transactional

void start_transactional_send(std::shared_ptr<client_core> core, const transactional_send_request& request,
                              const call_options& options, handler<transactional_send_response> h) {
    start_post<transactional_send_response>(std::move(core), "transactional_send", "/v2/transactional", request,
                                            options, std::move(h));
}

} // namespace detail

client::client(boost::asio::any_io_executor executor, const client_options& options)
    : core_(ding::detail::client_core::create(std::move(executor), options,
                                              ding::detail::api_profile{"Authorization", "Bearer "})),
      verification_(core_),
      lookup_(core_),
      watch_(core_),
      verification_management_(core_),
      notify_(core_),
      transactional_(core_) {}

client::~client() { core_->shutdown(); }

boost::asio::any_io_executor client::get_executor() const noexcept { return core_->get_executor(); }

const error* client::configuration_error() const noexcept { return core_->configuration_error(); }

pool_stats client::stats() const noexcept { return core_->stats(); }

void client::close_idle_connections() { core_->close_idle_connections(); }

void client::cancel() { core_->cancel(); }

} // namespace ding::v2
