#pragma once
// A bounded pool of keep-alive connections to one host.
//
// Invariants:
// - open connections (idle + in use) + connections being opened <= max_connections.
// - A borrowed connection comes back only through release(); release(c, false) or dropping the
//   pointer discards it, so a half-read stream never reaches the next request.
// - A freed connection (or a freed slot) goes straight to the oldest waiter (FIFO).
// - No background timer: idle connections past idle_timeout are closed whenever the pool is used
//   (and by close_idle()), so io_context::run() returns once the caller's work is done.

#include "transport/connection.hpp"
#include "transport/url.hpp"

#include <ding/error.hpp>
#include <ding/options.hpp>

#include <boost/asio/steady_timer.hpp>

#include <list>
#include <memory>
#include <vector>

namespace ding::detail {

struct pool_config {
    base_url url;
    std::size_t max_connections = 16;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds idle_timeout{30000};
    tls_options tls;
};

/// A connection on loan, or why none could be had.
struct lease {
    std::unique_ptr<connection> conn;
    bool reused = false;
    errc failure = errc::internal;  ///< meaningful when !conn
    io_failure io{};                ///< the connect/handshake failure, when there was one
    std::string message;            ///< when !conn

    static lease borrowed(std::unique_ptr<connection> c, bool reused) {
        lease l;
        l.conn = std::move(c);
        l.reused = reused;
        return l;
    }
    static lease failed(errc code, io_failure io, std::string message) {
        lease l;
        l.failure = code;
        l.io = io;
        l.message = std::move(message);
        return l;
    }
};

class pool : public std::enable_shared_from_this<pool> {
public:
    /// Fails (returns false, sets why) if the TLS context cannot be set up (e.g. bad CA PEM).
    static std::shared_ptr<pool> create(asio::any_io_executor ex, pool_config config, std::string& why);
    ~pool();

    /// How a caller wants its connection.
    enum class reuse {
        for_read,   ///< an idle connection; one used within the last second is trusted unprobed
        for_post,   ///< an idle connection; probed unless it was in use a few milliseconds ago
        fresh_only, ///< a new connection (after a stale one failed)
    };

    /// A connection before `deadline`: an idle one (most recently used first), a new one if a slot is
    /// free, else after waiting in FIFO order. Honours the coroutine's cancellation.
    asio::awaitable<lease> acquire(steady_time deadline, reuse mode);

    /// An idle connection right away, or an empty lease (then use acquire()). Never waits.
    lease take_idle(reuse mode);

    /// Gives a connection back after a complete response. Not reusable: it is closed.
    void release(std::unique_ptr<connection> conn, bool reusable);

    /// Counts a connection that failed mid-request and was dropped (the slot is freed).
    void discard(std::unique_ptr<connection> conn) { release(std::move(conn), false); }

    void close_idle();
    const base_url& url() const noexcept { return config_.url; }
    pool_stats stats() const noexcept;
    void count_request() noexcept { ++stats_.requests_sent; }
    void count_retry() noexcept { ++stats_.retries; }

private:
    struct waiter {
        explicit waiter(asio::any_io_executor ex) : timer(std::move(ex)) {}
        asio::steady_timer timer;
        std::unique_ptr<connection> conn; ///< handed over by release()
        bool granted = false;             ///< a connection or a free slot was handed over
    };

    pool(asio::any_io_executor ex, pool_config config);
    asio::awaitable<lease> open_new(steady_time deadline);
    void slot_freed();
    void sweep_idle(steady_time now);
    std::size_t occupied() const noexcept { return idle_.size() + in_use_ + connecting_; }

    asio::any_io_executor ex_;
    pool_config config_;
    std::optional<asio::ssl::context> tls_context_;
    std::optional<asio::ip::tcp::resolver::results_type> endpoints_;
    std::vector<std::unique_ptr<connection>> idle_; ///< back = most recently used
    std::size_t in_use_ = 0;
    std::size_t connecting_ = 0;
    std::list<waiter*> waiters_;
    SSL_SESSION* session_ = nullptr; ///< last session for resumption (owned reference)
    std::string last_connect_error_;
    pool_stats stats_{};
};

} // namespace ding::detail
