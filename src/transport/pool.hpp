#pragma once
// The I/O driver of the connection pool: carries out pool_state's decisions (open, resolve, wait)
// with coroutines. All its members run on the client's executor (or strand).

#include "transport/connection.hpp"
#include "transport/pool_state.hpp"
#include "transport/url.hpp"

#include <ding/error.hpp>
#include <ding/outcome.hpp>
#include <ding/options.hpp>

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <vector>

namespace ding::detail {

struct pool_config {
    base_url url;
    pool_limits limits;
    std::chrono::milliseconds connect_timeout{5000};
    tls_options tls;
};

using lease = basic_lease<connection>;
using slot_reservation = basic_slot_reservation<connection>;

/// A connection on loan, or why none could be had.
struct acquired {
    lease conn;
    errc failure = errc::internal; ///< meaningful when !conn
    io_failure io{};               ///< the resolve/connect/handshake failure, when there was one
    std::string message;           ///< when !conn
};

/// Shared by a resolve in progress and the callers waiting for it, so that the resolve can end
/// in the background after they gave up (getaddrinfo cannot be interrupted).
struct resolve_job;

class pool : public std::enable_shared_from_this<pool> {
public:
    /// Fails (returns null, sets why) if the TLS context cannot be set up (e.g. bad CA PEM).
    static std::shared_ptr<pool> create(asio::any_io_executor ex, pool_config config, std::string& why);
    ~pool();

    /// An idle connection right away (most recently used first, checked for bytes or a close that
    /// arrived while it was idle), or an empty lease (then use acquire()). Never waits.
    lease take_idle();

    /// A connection before `deadline`: an idle one, a new one if a slot is free, else after waiting
    /// in FIFO order. `fresh_only` skips idle connections (after a stale one failed). Ends early
    /// when `control` is stopped (the coroutine's cancellation slot ends the wait at once).
    asio::awaitable<acquired> acquire(steady_time deadline, bool fresh_only, call_control& control);

    /// A caller queued for a connection without a coroutine frame (a call's state holds one):
    /// enqueue() queues it, the caller waits on `timer` (cancelled when the pool grants it
    /// something, expiring at the deadline), then end_wait() says what it got. Destroying it
    /// leaves the queue and passes on whatever it was granted and did not take.
    class queued_wait final : public pool_state<connection>::waiter {
    public:
        explicit queued_wait(pool& p);
        ~queued_wait();
        queued_wait(const queued_wait&) = delete;
        queued_wait& operator=(const queued_wait&) = delete;
        asio::steady_timer timer;
        steady_time since{}; ///< when it was queued (said in a timeout's message)

    private:
        void wake() noexcept override { timer.cancel(); }
        pool& pool_;
    };

    /// True when a caller that found no idle connection must queue (no free slot, or others queued).
    bool must_queue() const noexcept { return state_.must_queue(); }
    /// Queues `w` until `deadline`; the caller then waits on w.timer.
    void enqueue(queued_wait& w, steady_time deadline);
    /// What a queued wait ended with: a connection (probed like an idle one), a slot reserved for
    /// the caller to open a connection with (open_with_slot), `again` (the connection handed over
    /// was not clean: queue again), or the failure (cancelled, timed out).
    struct wait_end {
        lease conn;
        slot_reservation slot;
        bool again = false;
        std::optional<acquired> failure;
    };
    /// Call once w.timer's wait completed (with `ec`).
    wait_end end_wait(queued_wait& w, boost::system::error_code ec, call_control& control);
    /// Opens a connection in a slot end_wait() reserved.
    asio::awaitable<acquired> open_with_slot(slot_reservation slot, steady_time deadline, call_control& control) {
        return open_new(std::move(slot), deadline, control);
    }

    /// client::warm_up_async: opens connections one after another (each bounded by the connect
    /// timeout and `deadline`) until min(n, max_connections) are open or opening, and leaves the
    /// new ones idle. Completes with the number of open connections (idle or in use), or the first
    /// failure (the connections opened before it stay idle). Never takes a slot a waiting caller needs.
    asio::awaitable<outcome<std::size_t>> warm_up(std::size_t n, steady_time deadline, call_control& control);

    void close_idle();
    /// The executor's context is being destroyed: closes idle connections and drops the executor
    /// and the resolve in progress, so that nothing here outlives the context's services.
    void abandon() noexcept;
    const base_url& url() const noexcept { return config_.url; }
    std::size_t max_connections() const noexcept { return state_.limits().max_connections; }
    pool_stats stats() const noexcept;
    void count_request() noexcept { requests_sent_.add(); }

    /// A string whose capacity an earlier response body left (or an empty one): response bodies
    /// reuse their buffers instead of allocating one per call.
    std::string spare_body() noexcept {
        if (spare_bodies_.empty()) return {};
        std::string s = std::move(spare_bodies_.back());
        spare_bodies_.pop_back();
        return s;
    }
    /// Keeps a finished response body's buffer for spare_body(), within a fixed bound.
    void recycle_body(std::string&& body) noexcept {
        if (body.capacity() == 0 || body.capacity() > max_spare_body || spare_bodies_.size() == spare_bodies_.capacity())
            return;
        spare_bodies_.push_back(std::move(body)); // within the reserved capacity: never allocates
    }
    void count_retry() noexcept { retries_.add(); }

    /// Gives a connection back after a complete response (reusable) or closes it.
    void give_back(lease& l, bool reusable) { l.give_back(reusable, std::chrono::steady_clock::now()); }

private:
    pool(asio::any_io_executor ex, pool_config config);
    asio::awaitable<acquired> open_new(slot_reservation slot, steady_time deadline, call_control& control);
    asio::awaitable<std::optional<acquired>> resolve(steady_time until, call_control& control);
    std::string timed_out_waiting(const queued_wait& w) const;

    asio::any_io_executor ex_;
    exchange_deadlines deadlines_; ///< before state_: outlives every connection
    pool_config config_;
    pool_state<connection> state_;
    std::optional<asio::ssl::context> tls_context_;
    asio::ip::tcp::resolver::results_type endpoints_;
    bool host_is_ip_ = false;
    std::shared_ptr<resolve_job> resolving_; ///< the resolve in progress, if any
    SSL_SESSION* session_ = nullptr;         ///< last session for resumption (owned reference)
    std::string last_connect_error_;
    static constexpr std::size_t max_spare_body = 64 * 1024;
    std::vector<std::string> spare_bodies_; ///< reserved once: one per connection, at most 64
    single_writer_counter handshakes_, resumed_, requests_sent_, retries_;
};

} // namespace ding::detail
