#include "transport/pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace ding::detail {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// How long after its last use an idle connection is reused without the probe (one non-blocking
// peek, one syscall) for a close by the server. A read that meets a stale connection is simply sent
// again, so reads trust a connection for a second. A POST is never sent twice, so a stale
// connection would surface as an error: POSTs trust only a connection that was busy a moment ago.
// Under load connections are reused within a millisecond and skip the syscall (measured: 1 us of
// 13 us CPU per call at 64 in flight); a connection that sat quiet is always probed.
constexpr std::chrono::milliseconds trust_for_reads{1000};
constexpr std::chrono::milliseconds trust_for_posts{5};

std::string openssl_error_text() {
    const unsigned long e = ERR_get_error();
    if (e == 0) return "unknown OpenSSL error";
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    return text;
}

// Adds every certificate of a PEM text to the context's trust store.
bool add_trust_anchors(SSL_CTX* ctx, const std::string& pem, std::string& why) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    int added = 0;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        X509_STORE_add_cert(store, cert); // takes its own reference
        X509_free(cert);
        ++added;
    }
    ERR_clear_error(); // the loop ends on a "no start line" error
    if (added == 0) {
        why = "tls.ca_pem: no PEM certificate found";
        return false;
    }
    return true;
}

// OpenSSL calls this when the server issues a session (TLS 1.3: after the handshake).
// The pool keeps the newest one to offer on the next connection (resumption).
int on_new_session(SSL* ssl, SSL_SESSION* session) {
    auto* keeper = static_cast<SSL_SESSION**>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    if (keeper == nullptr) return 0;
    if (*keeper != nullptr) SSL_SESSION_free(*keeper);
    *keeper = session;
    return 1; // we keep the reference
}

bool is_cancelled(asio::cancellation_state state) {
    return state.cancelled() != asio::cancellation_type::none;
}

} // namespace

pool::pool(asio::any_io_executor ex, pool_config config) : ex_(std::move(ex)), config_(std::move(config)) {}

pool::~pool() {
    if (tls_context_) SSL_CTX_set_app_data(tls_context_->native_handle(), nullptr);
    if (session_ != nullptr) SSL_SESSION_free(session_);
}

std::shared_ptr<pool> pool::create(asio::any_io_executor ex, pool_config config, std::string& why) {
    std::shared_ptr<pool> p(new pool(std::move(ex), std::move(config)));
    if (!p->config_.url.tls) return p;

    auto& ctx = p->tls_context_.emplace(asio::ssl::context::tls_client);
    SSL_CTX* native = ctx.native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_set_app_data(native, &p->session_);
    SSL_CTX_sess_set_new_cb(native, &on_new_session);

    const auto& tls = p->config_.tls;
    if (tls.insecure_skip_verification_for_testing_only) {
        ctx.set_verify_mode(asio::ssl::verify_none);
        return p;
    }
    ctx.set_verify_mode(asio::ssl::verify_peer);
    boost::system::error_code ec;
    if (tls.use_system_trust_store) ctx.set_default_verify_paths(ec); // a missing store is not fatal
    if (!tls.ca_file.empty()) {
        ERR_clear_error();
        if (SSL_CTX_load_verify_locations(native, tls.ca_file.c_str(), nullptr) != 1) {
            why = "tls.ca_file: cannot load '" + tls.ca_file + "': " + openssl_error_text();
            return nullptr;
        }
    }
    if (!tls.ca_pem.empty() && !add_trust_anchors(native, tls.ca_pem, why)) return nullptr;
    return p;
}

void pool::sweep_idle(steady_time now) {
    // idle_ is ordered by release time: the oldest are at the front.
    std::size_t expired = 0;
    while (expired < idle_.size() && now - idle_[expired]->idle_since >= config_.idle_timeout) ++expired;
    if (expired == 0) return;
    idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(expired));
    for (std::size_t i = 0; i < expired; ++i) slot_freed();
}

void pool::slot_freed() {
    if (waiters_.empty() || occupied() >= config_.max_connections) return;
    waiter* w = waiters_.front();
    waiters_.pop_front();
    w->granted = true;
    ++connecting_; // reserved for the waiter, which opens the connection itself
    w->timer.cancel();
}

lease pool::take_idle(reuse mode) {
    const auto now = std::chrono::steady_clock::now();
    sweep_idle(now);
    const auto trusted = mode == reuse::for_post ? trust_for_posts : trust_for_reads;
    while (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        if (conn->peer_closed_or_dirty(now, trusted)) {
            slot_freed();
            continue;
        }
        ++in_use_;
        return lease::borrowed(std::move(conn), true);
    }
    return {};
}

asio::awaitable<lease> pool::acquire(steady_time deadline, reuse mode) {
    auto keep_alive = shared_from_this();
    if (mode == reuse::fresh_only) {
        sweep_idle(std::chrono::steady_clock::now());
        // Make room for a new connection at the cost of the least recently used idle one.
        if (occupied() >= config_.max_connections && !idle_.empty()) idle_.erase(idle_.begin());
    } else if (lease idle = take_idle(mode); idle.conn) {
        co_return idle;
    }

    if (occupied() < config_.max_connections) {
        ++connecting_;
        co_return co_await open_new(deadline);
    }

    waiter w(ex_);
    w.timer.expires_at(deadline);
    auto position = waiters_.insert(waiters_.end(), &w);
    struct unlink_on_exit { // also runs if the coroutine frame is destroyed while suspended
        pool& p;
        waiter& w;
        std::list<waiter*>::iterator position;
        ~unlink_on_exit() {
            if (!w.granted) p.waiters_.erase(position);
        }
    } unlink{*this, w, position};

    auto [ec] = co_await w.timer.async_wait(use_tuple);
    const bool cancelled = is_cancelled(co_await asio::this_coro::cancellation_state);
    if (w.granted) {
        if (cancelled) { // the handover raced with the cancellation: give it on, stay side-effect free
            if (w.conn)
                release(std::move(w.conn), true);
            else {
                --connecting_;
                slot_freed();
            }
            co_return lease::failed(errc::cancelled, {}, "cancelled while waiting for a connection");
        }
        if (w.conn) co_return lease::borrowed(std::move(w.conn), true);
        co_return co_await open_new(deadline);
    }
    if (cancelled || ec) co_return lease::failed(errc::cancelled, {}, "cancelled while waiting for a connection");
    std::string message = "timed out waiting for a free connection (max_connections=" +
                          std::to_string(config_.max_connections) + ")";
    if (!last_connect_error_.empty()) message += "; last connection error: " + last_connect_error_;
    co_return lease::failed(errc::timeout, {}, std::move(message));
}

asio::awaitable<lease> pool::open_new(steady_time deadline) {
    // connecting_ was incremented by the caller; every path below gives the slot back or turns it
    // into an in-use connection.
    const auto connect_deadline = std::min(deadline, std::chrono::steady_clock::now() + config_.connect_timeout);
    const std::string where = config_.url.host_header;
    auto fail = [&](errc code, io_failure io, std::string message) {
        --connecting_;
        last_connect_error_ = message;
        slot_freed();
        return lease::failed(code, io, std::move(message));
    };

    if (!endpoints_) {
        const std::string port = std::to_string(config_.url.port);
        boost::system::error_code addr_ec;
        const auto address = asio::ip::make_address(config_.url.host, addr_ec);
        if (!addr_ec) {
            endpoints_ = asio::ip::tcp::resolver::results_type::create(asio::ip::tcp::endpoint(address, config_.url.port),
                                                                      config_.url.host, port);
        } else {
            using namespace asio::experimental::awaitable_operators;
            asio::ip::tcp::resolver resolver(ex_);
            asio::steady_timer timer(ex_, connect_deadline);
            auto result = co_await (resolver.async_resolve(config_.url.host, port, use_tuple) ||
                                    timer.async_wait(use_tuple));
            const bool cancelled = is_cancelled(co_await asio::this_coro::cancellation_state);
            if (cancelled) co_return fail(errc::cancelled, io_failure{io_stage::resolve, {}}, "cancelled while resolving " + where);
            if (result.index() == 1) co_return fail(errc::timeout, io_failure{io_stage::resolve, {}}, "timed out resolving " + where);
            auto [ec, endpoints] = std::get<0>(std::move(result));
            if (ec) co_return fail(errc::transport, {io_stage::resolve, ec}, "cannot resolve " + where + ": " + ec.message());
            endpoints_ = std::move(endpoints);
        }
    }

    auto conn = std::make_unique<connection>(ex_, tls_context_ ? &*tls_context_ : nullptr);
    const bool verify = !config_.tls.insecure_skip_verification_for_testing_only;
    auto failure = co_await conn->open(*endpoints_, config_.url.host, verify, session_, connect_deadline);
    if (failure) {
        const bool cancelled = is_cancelled(co_await asio::this_coro::cancellation_state);
        const char* stage = failure->stage == io_stage::handshake ? "TLS handshake with " : "connect to ";
        if (cancelled) co_return fail(errc::cancelled, *failure, std::string("cancelled during ") + stage + where);
        if (failure->ec == beast::error::timeout)
            co_return fail(errc::timeout, *failure, std::string("timed out during ") + stage + where);
        if (failure->stage == io_stage::connect) {
            endpoints_.reset(); // resolve again next time: the address may have changed
            co_return fail(errc::transport, *failure, "cannot connect to " + where + ": " + failure->ec.message());
        }
        std::string detail = failure->ec.message();
        if (SSL* ssl = conn->native_ssl(); ssl != nullptr && SSL_get_verify_result(ssl) != X509_V_OK)
            detail += " (" + std::string(X509_verify_cert_error_string(SSL_get_verify_result(ssl))) + ")";
        co_return fail(errc::tls, *failure, "TLS handshake with " + where + " failed: " + detail);
    }
    --connecting_;
    ++in_use_;
    ++stats_.connections_opened;
    if (conn->tls()) {
        ++stats_.handshakes;
        if (conn->session_resumed()) ++stats_.resumed_handshakes;
    }
    co_return lease::borrowed(std::move(conn), false);
}

void pool::release(std::unique_ptr<connection> conn, bool reusable) {
    --in_use_;
    if (!reusable || !conn) {
        conn.reset();
        slot_freed();
        return;
    }
    conn->idle_since = std::chrono::steady_clock::now();
    if (!waiters_.empty()) { // straight to the oldest waiter
        waiter* w = waiters_.front();
        waiters_.pop_front();
        w->conn = std::move(conn);
        w->granted = true;
        ++in_use_;
        w->timer.cancel();
        return;
    }
    idle_.push_back(std::move(conn));
}

void pool::close_idle() {
    const auto n = idle_.size();
    idle_.clear();
    for (std::size_t i = 0; i < n; ++i) slot_freed();
}

pool_stats pool::stats() const noexcept {
    pool_stats s = stats_;
    s.idle = idle_.size();
    s.in_use = in_use_;
    s.open = idle_.size() + in_use_;
    s.connecting = connecting_;
    s.waiting = waiters_.size();
    return s;
}

} // namespace ding::detail
