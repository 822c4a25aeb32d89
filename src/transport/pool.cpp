#include "transport/pool.hpp"

#include "transport/http_client.hpp"

#include <tuple>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>

#include <algorithm>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace ding::detail {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

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

acquired failed(errc code, io_failure io, std::string message) {
    acquired a;
    a.failure = code;
    a.io = io;
    a.message = std::move(message);
    return a;
}

error warm_up_failure(errc code, std::string message, boost::system::error_code cause) {
    error::details d;
    d.message = std::move(message);
    d.cause = cause;
    d.operation = "warm_up";
    return error(code, std::move(d));
}

acquired got(lease l) {
    acquired a;
    a.conn = std::move(l);
    return a;
}

} // namespace

struct resolve_job {
    bool done = false;
    boost::system::error_code ec;
    asio::ip::tcp::resolver::results_type results;
    std::vector<asio::steady_timer*> waiting; ///< timers of the callers waiting for this resolve
};

// A call waiting in the pool's FIFO queue (queue_for_connection, acquire); woken by cancelling its timer.
pool::queued_wait::queued_wait(pool& p) : timer(p.ex_), pool_(p) {}

pool::queued_wait::~queued_wait() { pool_.state_.leave(*this, std::chrono::steady_clock::now()); }

void pool::enqueue(queued_wait& w, steady_time deadline) {
    w.timer.expires_at(deadline);
    w.since = std::chrono::steady_clock::now();
    state_.enqueue(w);
}

std::string pool::timed_out_waiting(const queued_wait& w) const {
    // Said as what happened: the call's time went in the pool's queue, not on the network.
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - w.since);
    std::string message = "timed out after waiting " + std::to_string(waited.count()) +
                          " ms for a pooled connection (max_connections=" +
                          std::to_string(state_.limits().max_connections) + ", all in use)";
    if (!last_connect_error_.empty()) message += "; last connection error: " + last_connect_error_;
    return message;
}

pool::wait_end pool::end_wait(queued_wait& w, boost::system::error_code ec, call_control& control) {
    wait_end end;
    if (!control.stopped() && w.granted) {
        w.granted = false;
        if (!w.conn) {
            end.slot = slot_reservation(state_); // reserved for this caller by the pool
            return end;
        }
        // Handed over straight from the call that finished with it: probed like an idle one (a
        // stray response behind the last one must not become this call's answer).
        lease handed(state_, std::move(w.conn), true);
        if (handed->clean_for_reuse()) end.conn = std::move(handed);
        else end.again = true; // `handed` is discarded: its slot goes on as if freed
        return end;
    }
    // Still queued (or granted something a stop makes it give up): leave, passing it on.
    state_.leave(w, std::chrono::steady_clock::now());
    if (control.stopped() || ec) end.failure = failed(errc::cancelled, {}, "cancelled while waiting for a connection");
    else end.failure = failed(errc::timeout, {}, timed_out_waiting(w));
    return end;
}

pool::pool(asio::any_io_executor ex, pool_config config)
    : ex_(std::move(ex)), deadlines_(ex_), config_(std::move(config)), state_(config_.limits) {
    spare_bodies_.reserve(std::min<std::size_t>(config_.limits.max_connections, 64));
}

pool::~pool() {
    state_.close_idle();
    if (tls_context_) SSL_CTX_set_app_data(tls_context_->native_handle(), nullptr);
    if (session_ != nullptr) SSL_SESSION_free(session_);
}

std::shared_ptr<pool> pool::create(asio::any_io_executor ex, pool_config config, std::string& why) {
    std::shared_ptr<pool> p(new pool(std::move(ex), std::move(config)));
    boost::system::error_code addr_ec;
    const auto address = asio::ip::make_address(p->config_.url.host, addr_ec);
    p->host_is_ip_ = !addr_ec;
    if (p->host_is_ip_) // an IP literal: nothing to resolve, ever
        p->endpoints_ = asio::ip::tcp::resolver::results_type::create(
            asio::ip::tcp::endpoint(address, p->config_.url.port), p->config_.url.host, std::to_string(p->config_.url.port));
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

lease pool::take_idle() {
    auto conn = state_.take_idle(std::chrono::steady_clock::now(), [](connection& c) { return c.clean_for_reuse(); });
    if (!conn) return {};
    return lease(state_, std::move(conn), true);
}

asio::awaitable<acquired> pool::acquire(steady_time deadline, bool fresh_only, call_control& control) {
    for (;;) { // again while a connection handed over turns out not clean
        if (control.stopped()) co_return failed(errc::cancelled, {}, "cancelled before a connection was taken");
        if (fresh_only) {
            state_.sweep(std::chrono::steady_clock::now());
            state_.make_room(); // at the cost of the least recently used idle connection
        } else if (lease idle = take_idle()) {
            co_return got(std::move(idle));
        }
        if (state_.try_reserve()) co_return co_await open_new(slot_reservation(state_), deadline, control);

        // The same queued wait a call uses without a coroutine (launch.hpp); destroying this frame
        // while it waits leaves the queue, passing on what it was granted.
        queued_wait w(*this);
        enqueue(w, deadline);
        boost::system::error_code ec;
        {
            step_guard<asio::steady_timer> in_wait(control.waiting, &w.timer);
            std::tie(ec) = co_await w.timer.async_wait(use_tuple);
        }
        wait_end end = end_wait(w, ec, control);
        if (end.failure) co_return std::move(*end.failure);
        if (end.conn) co_return got(std::move(end.conn));
        if (end.slot) co_return co_await open_new(std::move(end.slot), deadline, control);
    }
}

asio::awaitable<std::optional<acquired>> pool::resolve(steady_time until, call_control& control) {
    const std::string& where = config_.url.host_header;
    if (!resolving_) {
        // getaddrinfo runs on Asio's resolver thread and cannot be interrupted: callers wait for
        // it with their own deadline and cancellation; the resolve may finish in the background,
        // and then still refreshes the cache for the next caller.
        auto job = std::make_shared<resolve_job>();
        resolving_ = job;
        auto resolver = std::make_shared<asio::ip::tcp::resolver>(ex_);
        resolver->async_resolve(
            config_.url.host, std::to_string(config_.url.port),
            [job, resolver, weak = weak_from_this()](boost::system::error_code ec,
                                                     asio::ip::tcp::resolver::results_type results) {
                job->done = true;
                job->ec = ec;
                if (auto self = weak.lock(); self && self->resolving_ == job) {
                    self->resolving_.reset();
                    if (!ec && !results.empty()) {
                        self->endpoints_ = results;
                        self->state_.endpoints_resolved(std::chrono::steady_clock::now());
                    }
                }
                job->results = std::move(results);
                for (auto* timer : job->waiting) timer->cancel();
            });
    }
    std::shared_ptr<resolve_job> job = resolving_;
    asio::steady_timer timer(ex_, until);
    job->waiting.push_back(&timer);
    struct unregister { // however the frame ends
        resolve_job& job;
        asio::steady_timer* timer;
        ~unregister() { std::erase(job.waiting, timer); }
    } unregister_on_exit{*job, &timer};
    {
        step_guard<asio::steady_timer> in_wait(control.waiting, &timer);
        co_await timer.async_wait(use_tuple);
    }
    if (control.stopped())
        co_return failed(errc::cancelled, io_failure{io_stage::resolve, {}}, "cancelled while resolving " + where);
    if (!job->done)
        co_return failed(errc::timeout, io_failure{io_stage::resolve, beast::error::timeout},
                         "timed out resolving " + where);
    if (job->ec)
        co_return failed(errc::transport, io_failure{io_stage::resolve, job->ec},
                         "cannot resolve " + where + ": " + job->ec.message());
    if (job->results.empty())
        co_return failed(errc::transport, io_failure{io_stage::resolve, {}}, "no address found for " + where);
    co_return std::nullopt;
}

asio::awaitable<acquired> pool::open_new(slot_reservation slot, steady_time deadline, call_control& control) {
    // `slot` gives itself back on every path that does not end in an open connection.
    auto keep_alive = shared_from_this();
    const auto now = std::chrono::steady_clock::now();
    const steady_time connect_deadline = std::min(deadline, deadline_after(now, config_.connect_timeout));
    const std::string& where = config_.url.host_header;
    auto fail = [&](errc code, io_failure io, std::string message) {
        last_connect_error_ = message;
        return failed(code, io, std::move(message));
    };

    if (!host_is_ip_ && (endpoints_.empty() || state_.endpoints_stale(now))) {
        if (auto failure = co_await resolve(connect_deadline, control)) {
            last_connect_error_ = failure->message;
            co_return std::move(*failure);
        }
        if (endpoints_.empty()) co_return fail(errc::transport, {io_stage::resolve, {}}, "no address found for " + where);
    }

    auto conn = std::make_unique<connection>(ex_, tls_context_ ? &*tls_context_ : nullptr, deadlines_);
    const bool verify = !config_.tls.insecure_skip_verification_for_testing_only;
    const auto endpoints = endpoints_; // the cache may be refreshed while this connection opens
    session_ref session;
    if (session_ != nullptr && SSL_SESSION_up_ref(session_) == 1) session.reset(session_);
    auto failure =
        co_await conn->open(endpoints, config_.url.host, verify, std::move(session), connect_deadline, control);
    if (failure) {
        if (failure->stage == io_stage::connect && !host_is_ip_)
            state_.endpoints_invalid(); // resolve again next time, timeouts included: the address may have changed
        const char* stage = failure->stage == io_stage::handshake ? "TLS handshake with " : "connect to ";
        if (control.stopped()) co_return fail(errc::cancelled, *failure, std::string("cancelled during ") + stage + where);
        if (failure->ec == beast::error::timeout)
            co_return fail(errc::timeout, *failure, std::string("timed out during ") + stage + where);
        if (failure->stage == io_stage::connect)
            co_return fail(errc::transport, *failure, "cannot connect to " + where + ": " + failure->ec.message());
        std::string detail = failure->ec.message();
        if (SSL* ssl = conn->native_ssl(); ssl != nullptr && SSL_get_verify_result(ssl) != X509_V_OK)
            detail += " (" + std::string(X509_verify_cert_error_string(SSL_get_verify_result(ssl))) + ")";
        co_return fail(errc::tls, *failure, "TLS handshake with " + where + " failed: " + detail);
    }
    if (conn->tls()) {
        handshakes_.add();
        if (conn->session_resumed()) resumed_.add();
    }
    co_return got(slot.connected(std::move(conn)));
}

asio::awaitable<outcome<std::size_t>> pool::warm_up(std::size_t n, steady_time deadline, call_control& control) {
    auto keep_alive = shared_from_this();
    const std::size_t target = std::min(n, state_.limits().max_connections);
    build_header_name_table();
    // Idle connections the server closed meanwhile do not count as warm.
    state_.prune_idle(std::chrono::steady_clock::now(), [](connection& c) { return c.process_arrived_records(); });
    // One at a time: the call's stop reaches the one connection it is opening (call_control::io),
    // and a login endpoint needs a handful of connections, not a burst.
    while (state_.occupied() < target) {
        if (control.stopped()) co_return warm_up_failure(errc::cancelled, "cancelled while warming up the pool", {});
        if (!state_.try_reserve()) break; // callers are queued for connections: the slots are theirs
        acquired a = co_await open_new(slot_reservation(state_), deadline, control);
        if (!a.conn) co_return warm_up_failure(a.failure, std::move(a.message), a.io.ec);
        // The server's session tickets follow each handshake. Only the last connection waits for
        // its own (those of the earlier ones arrive meanwhile and are processed below), so that the
        // waits add up to one, and not while a caller is queued for a connection.
        bool reusable = true;
        if (state_.occupied() >= target && !state_.has_waiters())
            reusable = co_await a.conn->take_session_tickets(deadline, control);
        give_back(a.conn, reusable);
        if (control.stopped()) co_return warm_up_failure(errc::cancelled, "cancelled while warming up the pool", {});
        if (!reusable) // a server that does this to every connection would otherwise be tried forever
            co_return warm_up_failure(errc::transport,
                                      "the server sent data, an alert or a close right after the TLS handshake with " +
                                          config_.url.host_header,
                                      {});
    }
    // The earlier connections' tickets (and anything else that arrived on them) are processed now.
    state_.prune_idle(std::chrono::steady_clock::now(), [](connection& c) { return c.process_arrived_records(); });
    co_return state_.idle() + state_.in_use();
}

void pool::close_idle() { state_.close_idle(); }

void pool::abandon() noexcept {
    state_.abandon();
    deadlines_.abandon();
    resolving_.reset();
    ex_ = asio::any_io_executor();
}

pool_stats pool::stats() const noexcept {
    pool_stats s;
    s.idle = state_.idle();
    s.in_use = state_.in_use();
    s.open = s.idle + s.in_use;
    s.connecting = state_.connecting();
    s.waiting = state_.waiting();
    s.connections_opened = state_.opened();
    s.handshakes = handshakes_.get();
    s.resumed_handshakes = resumed_.get();
    s.requests_sent = requests_sent_.get();
    s.retries = retries_.get();
    return s;
}

} // namespace ding::detail
