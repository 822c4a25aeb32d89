#include "transport/http_client.hpp"

#include "transport/response_reader.hpp"

#include "codec/text.hpp"

#include <tuple>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <cctype>
#include <charconv>
#include <cstring>

namespace ding::detail {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);


bool is_token(std::string_view name) noexcept {
    if (name.empty()) return false;
    for (unsigned char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

errc classify(const io_failure& f, bool cancelled) noexcept {
    if (cancelled) return errc::cancelled;
    if (f.ec == boost::system::errc::not_enough_memory) return errc::internal;
    if (f.ec == beast::error::timeout) return errc::timeout;
    if (f.tls) return errc::tls; // at any stage: never retried
    if (f.ec == http::error::body_limit || f.ec == http::error::header_limit || f.ec == http::error::buffer_overflow)
        return errc::response_too_large;
    return errc::transport;
}

/// The peer ended the connection: a close without close_notify, a close_notify, or a reset.
bool closed_by_peer(const boost::system::error_code& ec) noexcept {
    return ec == asio::ssl::error::stream_truncated || ec == asio::error::eof || ec == asio::error::connection_reset;
}

const char* stage_name(io_stage s) noexcept {
    switch (s) {
    case io_stage::resolve: return "resolving";
    case io_stage::connect: return "connecting";
    case io_stage::handshake: return "the TLS handshake";
    case io_stage::write: return "sending the request";
    case io_stage::read: return "reading the response";
    }
    return "I/O";
}

std::chrono::nanoseconds since(std::chrono::steady_clock::time_point start) {
    return std::chrono::steady_clock::now() - start;
}

} // namespace

void build_header_name_table() noexcept { (void)http::string_to_field("content-length"); }

bool is_json_content_type(std::string_view value) noexcept {
    value = value.substr(0, value.find(';'));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    auto ends_with_nocase = [&](std::string_view suffix) {
        if (value.size() < suffix.size()) return false;
        const auto tail = value.substr(value.size() - suffix.size());
        for (std::size_t i = 0; i < suffix.size(); ++i) {
            const char c = tail[i];
            if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != suffix[i]) return false;
        }
        return true;
    };
    return (value.size() == 16 && ends_with_nocase("application/json")) || ends_with_nocase("+json");
}

bool should_retry(errc failure, unsigned status, bool may_have_reached_server, bool idempotent,
                  const retry_policy& policy) noexcept {
    const bool repeatable = idempotent || policy.retry_requests_that_may_have_reached_the_server;
    if (status != 0) {
        if (status == 429 || status == 502 || status == 503 || status == 504) return true;
        return status >= 500 && repeatable;
    }
    if (failure != errc::transport) return false; // timeout, cancelled, tls, too large, invalid: final
    return !may_have_reached_server || repeatable;
}

std::optional<std::string> check_retry_policy(const retry_policy& r) {
    if (r.max_attempts < 1) return "retry.max_attempts: must be at least 1";
    if (r.initial_backoff.count() < 0 || r.max_backoff.count() < 0) return "retry: backoff must not be negative";
    return std::nullopt;
}

std::chrono::milliseconds backoff_bound(const retry_policy& policy, int attempt) noexcept {
    auto bound = policy.initial_backoff;
    for (int i = 1; i < attempt && bound < policy.max_backoff; ++i)
        bound = bound > policy.max_backoff / 2 ? policy.max_backoff : bound * 2; // never overflows
    return std::min(bound, policy.max_backoff);
}

std::optional<std::chrono::milliseconds> parse_retry_after_ms(std::string_view value) noexcept {
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    std::uint64_t ms = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec != std::errc{} || end != value.data() + value.size() || ms > std::uint64_t{24} * 3600 * 365 * 1000)
        return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) noexcept {
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    if (value.front() >= '0' && value.front() <= '9') {
        std::uint64_t seconds = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (ec != std::errc{} || end != value.data() + value.size() || seconds > 24 * 3600 * 365) return std::nullopt;
        return std::chrono::seconds(seconds);
    }
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    if (value.size() != 29 || value.substr(3, 2) != ", " || value.substr(25) != " GMT") return std::nullopt;
    static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    auto number = [&](std::size_t pos, std::size_t len, int& out) {
        auto [end, ec] = std::from_chars(value.data() + pos, value.data() + pos + len, out);
        return ec == std::errc{} && end == value.data() + pos + len;
    };
    int day = 0, year = 0, hour = 0, minute = 0, second = 0;
    const auto month_pos = months.find(value.substr(8, 3));
    if (!number(5, 2, day) || month_pos == std::string_view::npos || month_pos % 3 != 0 || !number(12, 4, year) ||
        !number(17, 2, hour) || !number(20, 2, minute) || !number(23, 2, second))
        return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(year),
                                           std::chrono::month(static_cast<unsigned>(month_pos / 3 + 1)),
                                           std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    // In seconds: system_clock's nanoseconds cannot hold years before 1678 or after 2261.
    const std::chrono::sys_seconds at = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                                        std::chrono::minutes(minute) + std::chrono::seconds(second);
    const auto now_s = std::chrono::floor<std::chrono::seconds>(now);
    if (at <= now_s) return std::chrono::milliseconds(0);
    const std::chrono::seconds wait = std::min<std::chrono::seconds>(at - now_s, std::chrono::hours(24 * 365));
    return std::chrono::duration_cast<std::chrono::milliseconds>(wait);
}

steady_time deadline_after(steady_time now, std::chrono::milliseconds timeout) noexcept {
    if (timeout.count() <= 0) return now;
    // Compared in milliseconds: converting a huge millisecond count to the clock's nanoseconds
    // would itself overflow.
    const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(steady_time::max() - now);
    if (timeout >= room) return steady_time::max();
    return now + timeout;
}

bool is_reserved_header(std::string_view name, std::string_view credential_header) noexcept {
    auto same = [&](std::string_view reserved) {
        if (name.size() != reserved.size()) return false;
        for (std::size_t i = 0; i < name.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(name[i])) != std::tolower(static_cast<unsigned char>(reserved[i])))
                return false;
        return true;
    };
    for (std::string_view reserved : {"host", "content-length", "transfer-encoding", "connection", "content-type",
                                      "te", "upgrade", "trailer", "keep-alive", "proxy-connection"})
        if (same(reserved)) return true;
    return same(credential_header);
}

http_client::http_client(std::shared_ptr<pool> p, http_client_config config)
    : pool_(std::move(p)), config_(std::move(config)) {
    fixed_headers_ = "Host: " + pool_->url().host_header + "\r\nUser-Agent: " + config_.user_agent +
                     "\r\nAccept: application/json\r\n";
}

void http_client::begin(send_state& s, const http_call& call, std::chrono::milliseconds timeout,
                        const retry_policy& policy) {
    s.call = &call;
    s.started = std::chrono::steady_clock::now();
    s.deadline = deadline_after(s.started, timeout);
    s.policy = policy;
    s.max_attempts = std::max(1, policy.max_attempts);
    s.exchange.max_body = config_.max_response_body;
    s.exchange.deadline = s.deadline;
}

attempt_result http_client::failed(const send_state& s, errc code, std::string message, boost::system::error_code cause,
                                   bool reached) const {
    error::details d;
    d.message = std::move(message);
    d.cause = cause;
    d.attempts = s.number;
    d.operation = std::string(s.call->operation);
    return attempt_result{std::nullopt, error(code, std::move(d)), reached, {}, {}};
}

bool http_client::prepare_attempt(send_state& s, call_control& control) {
    const http_call& call = *s.call;
    ++s.number;
    s.result = attempt_result{};
    s.added.clear();
    auto stopped = [&] {
        s.result = failed(s, errc::cancelled, "cancelled before attempt " + std::to_string(s.number));
        return false;
    };
    if (control.stopped()) return stopped();
    // Everything that can fail is checked before the request is written.
    if (config_.auth.provider) s.provided_key = config_.auth.provider();
    const std::string& key = config_.auth.provider ? s.provided_key : config_.auth.fixed_value;
    // A fixed key was checked when the client was made; a provided one is checked every time.
    if (config_.auth.provider && (key.empty() || !is_header_safe(key))) {
        s.result = failed(s, errc::invalid_argument, "api key: empty or contains characters not allowed in a header");
        return false;
    }
    if (config_.hooks.before_attempt) {
        attempt_info info{call.operation, s.number, http::to_string(call.method), call.target, 0, since(s.started)};
        config_.hooks.before_attempt(info, s.added);
        if (control.stopped()) return stopped(); // the hook may have destroyed or cancelled the client
        for (const auto& [name, value] : s.added) {
            if (!is_token(name) || !is_header_safe(value)) {
                s.result = failed(s, errc::invalid_argument,
                                  "header added by before_attempt hook is not a valid header: '" + name + "'");
                return false;
            }
            // The SDK owns the framing and the credentials: a hook must not be able to change how
            // the request is delimited (request smuggling) or whose key it carries.
            if (is_reserved_header(name, config_.auth.header_name)) {
                s.result = failed(s, errc::invalid_argument,
                                  "header added by before_attempt hook is reserved by the SDK: '" + name + "'");
                return false;
            }
        }
    }
    return true;
}

void http_client::write_request(send_state& s) {
    // HTTP/1.1 request, serialized straight into the connection's reused buffer: sized first,
    // then copied piece by piece (one resize instead of a growth check per append).
    const http_call& call = *s.call;
    const std::string& key = config_.auth.provider ? s.provided_key : config_.auth.fixed_value;
    const std::string_view method = http::to_string(call.method);
    char length_text[24];
    const std::size_t length_size =
        static_cast<std::size_t>(std::to_chars(length_text, length_text + sizeof length_text, call.body.size()).ptr - length_text);
    constexpr std::string_view version = " HTTP/1.1\r\n", separator = ": ", eol = "\r\n";
    constexpr std::string_view json_type = "Content-Type: application/json\r\nContent-Length: ";
    const std::string& credential = config_.auth.header_name;
    std::size_t size = method.size() + 1 + call.target.size() + version.size() + fixed_headers_.size() +
                       credential.size() + separator.size() + config_.auth.value_prefix.size() + key.size() + eol.size() +
                       eol.size() + call.body.size();
    for (const auto& [name, value] : call.headers) size += name.size() + separator.size() + value.size() + eol.size();
    for (const auto& [name, value] : s.added) size += name.size() + separator.size() + value.size() + eol.size();
    if (!call.body.empty()) size += json_type.size() + length_size + eol.size();

    std::string& out = s.conn->request_buffer();
    out.resize(size);
    char* p = out.data();
    auto put = [&p](std::string_view piece) {
        if (piece.empty()) return; // an empty view's data() may be null: memcpy must not see it
        std::memcpy(p, piece.data(), piece.size());
        p += piece.size();
    };
    auto line = [&](std::string_view name, std::string_view prefix, std::string_view value) {
        put(name);
        put(separator);
        put(prefix);
        put(value);
        put(eol);
    };
    put(method);
    put(" ");
    put(call.target);
    put(version);
    put(fixed_headers_);
    line(credential, config_.auth.value_prefix, key);
    for (const auto& [name, value] : call.headers) line(name, {}, value);
    for (const auto& [name, value] : s.added) line(name, {}, value);
    if (!call.body.empty()) {
        put(json_type);
        put(std::string_view(length_text, length_size));
        put(eol);
    }
    put(eol);
    put(call.body);
    pool_->count_request();
    s.conn->set_body_buffer(pool_->spare_body());
}

bool http_client::finish_exchange(send_state& s, std::optional<io_failure> failure, call_control& control, bool fresh_only) {
    const http_call& call = *s.call;
    response_reader* reader = s.conn ? s.conn->response() : nullptr; // the connection's: read before it goes back
    if (!failure) {
        const unsigned status = reader->status();
        // RFC 9110 §15.5.9: a 408 on a reused connection means the server closed it before it
        // read our request (it answers the idle connection, not us): nothing was processed, so
        // the request goes once more on a new connection, whatever its method.
        if (status == 408 && s.conn.reused() && !fresh_only) {
            pool_->recycle_body(std::move(reader->body()));
            s.conn.discard();
            return false;
        }
        attempt_result& result = s.result;
        result.failure.reset();
        result.reply.emplace();
        result.reply->status = status;
        result.reply->content_type = std::move(reader->other_content_type());
        result.retry_after = std::move(reader->retry_after());
        result.retry_after_ms = std::move(reader->retry_after_ms());
        result.reply->body = std::move(reader->body());
        result.reply->attempts = s.number;
        result.may_have_reached_server = true;
        // RFC 9112 §9.3: reused only when the framing is certain and both sides keep it open.
        const bool persistent = reader->persistent();
        if (persistent) s.conn->acknowledge_now();
        pool_->give_back(s.conn, persistent);
        return true;
    }
    const bool reused = s.conn.reused();
    // Names the limit (header block or body) when the response was too large.
    std::string limit_message = reader != nullptr ? reader->limit_message(failure->ec) : std::string();
    s.conn.discard();
    reader = nullptr; // gone with the connection
    const bool cancelled = control.stopped();
    const errc code = classify(*failure, cancelled);
    // A kept-alive connection the server closed while it sat idle fails before any response
    // byte: the request is sent once more, on a new connection, if that cannot act twice: a
    // read, or a request whose write failed. A POST that was written may have been read by the
    // server before it closed (nothing on the wire tells the two apart), so it is not re-sent.
    const bool stale = reused && !fresh_only && code == errc::transport && !failure->response_started;
    if (stale && (call.idempotent || failure->stage == io_stage::write)) return false;
    const bool reached = failure->stage == io_stage::read;
    std::string message;
    if (code == errc::cancelled)
        message = "cancelled while " + std::string(stage_name(failure->stage));
    else if (code == errc::timeout)
        message = "timed out while " + std::string(stage_name(failure->stage));
    else if (code == errc::response_too_large && !limit_message.empty())
        message = std::move(limit_message);
    else if (code == errc::internal)
        message = "out of memory while " + std::string(stage_name(failure->stage));
    else if (code == errc::tls)
        message = "TLS failure while " + std::string(stage_name(failure->stage)) + ": " + tls_failure_text(*failure);
    else if (failure->what != nullptr)
        message = "protocol error while " + std::string(stage_name(failure->stage)) + ": " + failure->what;
    else if (failure->stage == io_stage::read && closed_by_peer(failure->ec))
        // A close without close_notify (stream_truncated) or a TCP close (eof, reset) before the
        // response was complete: said as what happened, not as OpenSSL's or Asio's term for it.
        message = failure->response_started
                      ? "the server closed the connection before the response was complete"
                      : "the server closed the connection before it sent a response";
    else
        message = "connection failed while " + std::string(stage_name(failure->stage)) + ": " + failure->ec.message();
    s.result = failed(s, code, std::move(message), failure->ec, reached);
    return true;
}

/// A timeout of a call that spent time in the pool's queue says how long, and why: "timed out
/// during connect" alone sends a reader to the network when the pool was full. A timeout that
/// ended in the queue says so already (pool::timed_out_waiting).
error http_client::note_queued_time(error e, const send_state& s) const {
    if (e.value() != errc::timeout || s.queued_for <= std::chrono::steady_clock::duration::zero() ||
        e.message().find("pooled connection") != std::string::npos)
        return e;
    error::details d;
    d.message = e.message() + "; " +
                std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(s.queued_for).count()) +
                " ms of the call's time went waiting for a pooled connection (max_connections=" +
                std::to_string(pool_->max_connections()) + ", all in use)";
    d.http_status = e.http_status();
    d.body = e.body();
    d.cause = e.cause();
    d.attempts = e.attempts();
    d.operation = e.operation();
    return error(errc::timeout, std::move(d));
}

std::optional<outcome<http_reply>> http_client::after_attempt(send_state& s, call_control& control) {
    const http_call& call = *s.call;
    const int number = s.number;
    attempt_result& result = s.result;
    attempt_info info{call.operation, number, http::to_string(call.method), call.target,
                      result.reply ? static_cast<int>(result.reply->status) : 0, since(s.started)};
    // No hook runs and nothing is retried once the call was cancelled or the client is gone.
    // A success that arrived before the stop is the caller's (the server acted on it);
    // anything else ends as cancelled, as it would have a step later.
    auto end_stopped = [&]() -> outcome<http_reply> {
        if (result.reply && result.reply->status >= 200 && result.reply->status < 300) return std::move(*result.reply);
        error::details d;
        d.message = "cancelled";
        d.http_status = result.reply ? static_cast<int>(result.reply->status) : 0;
        d.attempts = number;
        d.operation = std::string(call.operation);
        if (result.failure) {
            if (result.failure->value() == errc::cancelled) return std::move(*result.failure);
            d.cause = result.failure->cause();
        }
        return error(errc::cancelled, std::move(d));
    };
    if (control.stopped()) return end_stopped();

    std::optional<std::chrono::milliseconds> wait;
    if (result.reply) {
        if (config_.hooks.after_response) config_.hooks.after_response(info);
        if (control.stopped()) return end_stopped(); // the hook cancelled or destroyed the client
        s.last_status = result.reply->status;
        if (number >= s.max_attempts || !should_retry(errc::http_status, s.last_status, true, call.idempotent, s.policy))
            return std::move(*result.reply);
        if (config_.hooks.on_error) {
            error::details d;
            d.message = "HTTP " + std::to_string(s.last_status) + ", will retry";
            d.http_status = static_cast<int>(s.last_status);
            d.attempts = number;
            d.operation = std::string(call.operation);
            config_.hooks.on_error(info, error(errc::http_status, std::move(d)));
        }
        if (s.last_status == 429 || s.last_status == 503) {
            wait = parse_retry_after_ms(result.retry_after_ms);
            if (!wait) wait = parse_retry_after(result.retry_after, std::chrono::system_clock::now());
        }
        pool_->recycle_body(std::move(result.reply->body));
    } else {
        if (config_.hooks.on_error) config_.hooks.on_error(info, *result.failure);
        if (control.stopped()) return end_stopped();
        if (number >= s.max_attempts ||
            !should_retry(result.failure->value(), 0, result.may_have_reached_server, call.idempotent, s.policy))
            return note_queued_time(std::move(*result.failure), s);
        s.last_status = 0;
    }
    if (!wait) {
        const auto bound = backoff_bound(s.policy, number).count();
        wait = std::chrono::milliseconds(bound <= 0 ? 0 : std::uniform_int_distribution<std::int64_t>(0, bound)(jitter_));
    }
    s.wait = wait;
    return std::nullopt;
}

bool http_client::queue_for_connection(send_state& s, call_control& control) {
    if (control.stopped()) {
        s.result = failed(s, errc::cancelled, "cancelled before a connection was taken");
        return false;
    }
    pool_->enqueue(s.queued.emplace(*pool_), s.deadline);
    control.waiting = &s.queued->timer; // a stop cancels the wait
    return true;
}

http_client::wait_outcome http_client::end_wait(send_state& s, boost::system::error_code ec, call_control& control) {
    control.waiting = nullptr;
    s.queued_for += std::chrono::steady_clock::now() - s.queued->since;
    pool::wait_end end = pool_->end_wait(*s.queued, ec, control);
    s.queued.reset();
    if (end.failure) {
        s.result = failed(s, end.failure->failure, std::move(end.failure->message));
        return wait_outcome::attempt_failed;
    }
    if (end.again) return wait_outcome::again;
    if (end.slot) {
        s.granted_slot = std::move(end.slot);
        return wait_outcome::open;
    }
    s.conn = std::move(end.conn);
    return wait_outcome::exchange;
}

asio::awaitable<backoff_end> http_client::back_off(send_state& s, call_control& control) {
    const http_call& call = *s.call;
    const steady_time wake = deadline_after(std::chrono::steady_clock::now(), s.wait.value_or(std::chrono::milliseconds(0)));
    s.wait.reset();
    const bool deadline_first = wake >= s.deadline;
    auto final_error = [&](errc code, std::string message) {
        error::details d;
        d.message = std::move(message);
        d.http_status = static_cast<int>(s.last_status);
        d.attempts = s.number;
        d.operation = std::string(call.operation);
        if (s.result.failure) d.cause = s.result.failure->cause();
        s.call_error.emplace(code, std::move(d));
        return code == errc::timeout ? backoff_end::deadline : backoff_end::cancelled;
    };
    if (control.stopped()) co_return final_error(errc::cancelled, "cancelled while waiting to retry");
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline_first ? s.deadline : wake);
    boost::system::error_code ec;
    {
        step_guard<asio::steady_timer> in_wait(control.waiting, &timer);
        std::tie(ec) = co_await timer.async_wait(use_tuple);
    }
    if (ec || control.stopped()) co_return final_error(errc::cancelled, "cancelled while waiting to retry");
    if (deadline_first)
        co_return final_error(errc::timeout, "deadline reached while waiting to retry after attempt " + std::to_string(s.number));
    pool_->count_retry();
    co_return backoff_end::elapsed;
}

asio::awaitable<bool> http_client::open_connection(send_state& s, bool fresh_only, call_control& control) {
    // Not `c ? co_await x : co_await y`: GCC 12 destroys the wrong temporary for it.
    acquired a;
    if (s.granted_slot) a = co_await pool_->open_with_slot(std::move(s.granted_slot), s.deadline, control);
    else a = co_await pool_->acquire(s.deadline, fresh_only, control);
    if (!a.conn) {
        s.result = failed(s, a.failure, std::move(a.message), a.io.ec);
        co_return false;
    }
    s.conn = std::move(a.conn);
    if (control.stopped()) {
        s.conn.discard();
        s.result = failed(s, errc::cancelled, "cancelled before attempt " + std::to_string(s.number));
        co_return false;
    }
    co_return true;
}

error http_client::stopped_error(const send_state& s) const {
    error::details d;
    // Between two steps: after an attempt that asked for another (s.wait is set), or before the
    // attempt in progress was sent.
    d.message = s.wait ? "cancelled while waiting to retry" : "cancelled before attempt " + std::to_string(s.number) + " was sent";
    if (s.result.failure) d.cause = s.result.failure->cause();
    d.http_status = static_cast<int>(s.last_status);
    d.attempts = s.number;
    d.operation = std::string(s.call->operation);
    return error(errc::cancelled, std::move(d));
}

} // namespace ding::detail
