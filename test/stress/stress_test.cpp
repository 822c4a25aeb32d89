// Multi-threaded stress of one thread_safe ding::client (issue 8, rows 1, 2, 6 and 8).
//
// An io_context run by 4 threads; 64 coroutines, each on a strand of its own, share one client
// (client_options::thread_safe) against the embedded sandbox, whose faults are switched on at
// random (5xx, 429, delays, closes, malformed bodies, stalls). Calls are cancelled at random:
// `op || timer.async_wait(...)` with random short expiries, short per-call timeouts, and
// client::cancel() from another thread; stats() and close_idle_connections() are called from
// other threads meanwhile. Every case is bounded by DING_STRESS_SECONDS (default 6) plus a
// bounded drain. At the end: every call completed exactly once, and the pool shows 0 in use,
// 0 waiting, 0 connecting.

#include <ding/ding.hpp>
#include <ding/sandbox.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

const std::string customer = "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71";

std::chrono::milliseconds stress_duration() {
    if (const char* s = std::getenv("DING_STRESS_SECONDS")) {
        const double v = std::atof(s);
        if (v > 0 && v < 3600) return std::chrono::milliseconds(static_cast<long long>(v * 1000));
    }
    return 6s;
}

ding::sandbox_options lenient() {
    ding::sandbox_options o;
    o.max_authentications_per_number = 100000000;
    o.max_check_attempts = 100000000;
    return o;
}

ding::client_options options_for(const ding::sandbox& sb) {
    ding::client_options o;
    o.base_url = sb.base_url();
    o.api_key = sb.api_key();
    o.tls.ca_pem = sb.ca_pem();
    o.tls.use_system_trust_store = false;
    o.thread_safe = true;
    o.timeout = 1500ms;
    o.connect_timeout = 1000ms;
    o.max_connections = 8; // fewer than the callers: many of them wait in the FIFO queue
    o.retry.initial_backoff = 5ms;
    o.retry.max_backoff = 20ms;
    return o;
}

ding::create_authentication_request create_request(unsigned n) {
    ding::create_authentication_request r;
    r.customer_uuid = customer;
    r.phone_number = "+3361234" + std::to_string(1000 + n % 9000);
    return r;
}

std::string uuid_for(unsigned i) {
    std::string digits = std::to_string(i);
    return "00000000-0000-4000-8000-" + std::string(12 - digits.size(), '0') + digits;
}

/// What every completion is checked against; shared by all threads.
struct tally {
    std::atomic<long> started{0};             ///< operations initiated
    std::atomic<long> completed{0};           ///< handlers invoked (first time)
    std::atomic<long> twice{0};               ///< handlers invoked a second time (must stay 0)
    std::atomic<long> values{0};
    std::atomic<long> cancelled{0};
    std::atomic<long> timeouts{0};
    std::atomic<long> other_errors{0};        ///< transport, http_status, decode, ... (faults)
    std::atomic<long> unexpected{0};          ///< internal / invalid_argument: never expected
    std::atomic<long> wrong_executor{0};      ///< a handler not run on the executor it was bound to
    std::atomic<long> insane_stats{0};        ///< stats() out of bounds (e.g. a wrapped-around count)
    std::atomic<long> cancels{0}, stats_calls{0}, close_idle_calls{0}, faults_injected{0};
    std::atomic<long> hook_calls{0};

    std::mutex m;
    std::string first_unexpected;   ///< the first unexpected error, for the report
    std::string first_insane_stats; ///< the first insane stats() snapshot

    template <class T>
    void classify(const ding::outcome<T>& r) {
        if (r) {
            ++values;
            return;
        }
        switch (r.error().value()) {
        case ding::errc::cancelled: ++cancelled; break;
        case ding::errc::timeout: ++timeouts; break;
        case ding::errc::internal:
        case ding::errc::invalid_argument: {
            ++unexpected;
            std::lock_guard lock(m);
            if (first_unexpected.empty()) first_unexpected = r.error().to_string();
            break;
        }
        default: ++other_errors; break;
        }
    }

    void check_stats(const ding::pool_stats& s, std::size_t max_connections, std::size_t max_waiting) {
        ++stats_calls;
        if (s.in_use <= max_connections && s.connecting <= max_connections && s.idle <= max_connections &&
            s.waiting <= max_waiting)
            return;
        ++insane_stats;
        std::lock_guard lock(m);
        if (first_insane_stats.empty()) {
            std::ostringstream os;
            os << "in_use=" << s.in_use << " connecting=" << s.connecting << " idle=" << s.idle
               << " waiting=" << s.waiting;
            first_insane_stats = os.str();
        }
    }

    std::string summary() const {
        std::ostringstream os;
        os << "started=" << started << " completed=" << completed << " twice=" << twice << " values=" << values
           << " cancelled=" << cancelled << " timeouts=" << timeouts << " other_errors=" << other_errors
           << " unexpected=" << unexpected << " wrong_executor=" << wrong_executor << " cancel()=" << cancels
           << " stats()=" << stats_calls << " close_idle()=" << close_idle_calls
           << " faults_injected=" << faults_injected << " hook_calls=" << hook_calls;
        return os.str();
    }
};

/// Runs one operation of the client as an awaitable whose completion is counted: `start(token)`
/// initiates it with a callback bound to `handler_ex` (the caller's strand, or another
/// io_context: row 6) and to the awaiting coroutine's cancellation slot (so that `||` and the
/// timer cancel it). The callback counts the completion (and a second one, which must never
/// happen), then resumes the coroutine on its own executor.
template <class T, class Start>
asio::awaitable<ding::outcome<T>> counted(tally& t, asio::any_io_executor handler_ex, asio::io_context* require_on,
                                          Start start) {
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(ding::outcome<T>)>(
        [&t, handler_ex, require_on, start](auto handler) mutable {
            auto slot = asio::get_associated_cancellation_slot(handler);
            auto once = std::make_shared<std::atomic<bool>>(false);
            auto callback = [&t, once, require_on,
                             h = std::move(handler)](ding::outcome<T> r) mutable {
                if (once->exchange(true)) {
                    ++t.twice;
                    return;
                }
                if (require_on != nullptr && !require_on->get_executor().running_in_this_thread()) ++t.wrong_executor;
                t.classify(r);
                ++t.completed;
                auto ex = asio::get_associated_executor(h);
                asio::dispatch(ex, [h = std::move(h), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
            };
            ++t.started;
            start(asio::bind_cancellation_slot(slot, asio::bind_executor(handler_ex, std::move(callback))));
        },
        asio::use_awaitable);
}

struct stress_config {
    int threads = 4;
    int callers = 64;
    std::chrono::milliseconds duration = stress_duration();
    /// (b): the callers run on strands of a second io_context `app` (2 threads), and their
    /// callbacks are bound (bind_executor) to those strands: handlers on another io_context than
    /// the client's (row 6), cancellation emitted there and carried to the client's strand.
    bool handlers_on_app = false;
    /// Contract probe (hidden case): the callers stay on strands of `ioc` and emit their
    /// cancellation there, while their callbacks are bound to `app`'s executor.
    bool emit_off_handler_executor = false;
    bool client_on_strand = false; ///< (b): the client given a strand as its executor (row 2)
};

/// Everything one stress run owns; its destructor stops and joins every thread it started, so a
/// failed REQUIRE cannot leave a thread touching freed state.
struct harness {
    stress_config cfg;
    ding::sandbox sb{lenient()}; // on its own thread
    asio::io_context ioc;
    asio::io_context app;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> ioc_guard{ioc.get_executor()};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> app_guard{app.get_executor()};
    std::unique_ptr<ding::client> client;
    ding::client_options options;
    tally t;
    std::atomic<bool> stop{false};
    std::atomic<int> callers_done{0};
    std::atomic<int> caller_exceptions{0};
    std::vector<std::thread> io_threads, app_threads, helpers;
    asio::strand<asio::io_context::executor_type> helper_strand{asio::make_strand(ioc)};
    clock_type::time_point until;

    explicit harness(stress_config c) : cfg(c) {
        options = options_for(sb);
        options.hooks.before_attempt = [this](const ding::attempt_info&, ding::extra_headers&) { ++t.hook_calls; };
        options.hooks.on_error = [this](const ding::attempt_info&, const ding::error&) { ++t.hook_calls; };
        if (cfg.client_on_strand)
            client = std::make_unique<ding::client>(asio::make_strand(ioc), options);
        else
            client = std::make_unique<ding::client>(ioc.get_executor(), options);
        REQUIRE(client->configuration_error() == nullptr);
    }

    ~harness() {
        stop = true;
        for (auto& th : helpers) th.join();
        client.reset();
        ioc_guard.reset();
        app_guard.reset();
        // Bounded: whatever did not finish by now is stopped (the test has failed already).
        const auto bound = clock_type::now() + 5s;
        while (!(ioc.stopped() && app.stopped()) && clock_type::now() < bound) std::this_thread::sleep_for(5ms);
        ioc.stop();
        app.stop();
        for (auto& th : io_threads) th.join();
        for (auto& th : app_threads) th.join();
        sb.stop();
    }

    asio::awaitable<void> caller(unsigned id) {
        using namespace asio::experimental::awaitable_operators;
        std::minstd_rand rng(id * 7919u + 17u);
        auto self_ex = co_await asio::this_coro::executor;
        // The callback is bound to the caller's own strand: of `ioc` (a), or of the second
        // io_context `app` (b), where the caller also emits its cancellation (the `||` timer).
        const asio::any_io_executor handler_ex =
            cfg.emit_off_handler_executor ? asio::any_io_executor(app.get_executor()) : self_ex;
        ding::client& c = *client;
        asio::io_context* on_app = cfg.handlers_on_app ? &app : nullptr;
        unsigned n = 0;
        while (clock_type::now() < until) {
            ++n;
            const unsigned op = rng() % 4;
            const unsigned how = rng() % 4; // 0: plain, 1: || timer, 2: short call timeout, 3: both
            ding::call_options co;
            if (how >= 2) co.timeout = std::chrono::milliseconds(5 + rng() % 300);
            auto call = [&]() -> asio::awaitable<void> {
                const unsigned k = id * 100000u + n;
                switch (op) {
                case 0:
                    co_await counted<ding::create_authentication_response>(
                        t, handler_ex, on_app, [&c, k, co](auto token) {
                            c.otp().create_authentication_async(create_request(k), co, std::move(token));
                        });
                    break;
                case 1:
                    co_await counted<ding::lookup_response>(t, handler_ex, on_app, [&c, co](auto token) {
                        c.lookup().lookup_async(ding::lookup_request{customer, "+33612345678", {}}, co, std::move(token));
                    });
                    break;
                case 2:
                    co_await counted<ding::authentication_status_response>(
                        t, handler_ex, on_app, [&c, k, co](auto token) {
                            c.otp().get_authentication_status_async(uuid_for(k % 1000), co, std::move(token));
                        });
                    break;
                default:
                    co_await counted<ding::create_check_response>(
                        t, handler_ex, on_app, [&c, k, co](auto token) {
                            c.otp().check_async(ding::create_check_request{customer, uuid_for(k % 1000), "123456"}, co,
                                                std::move(token));
                        });
                    break;
                }
            };
            if (how == 1 || how == 3) {
                asio::steady_timer timer(self_ex, std::chrono::milliseconds(rng() % 150));
                co_await (call() || timer.async_wait(asio::use_awaitable));
            } else {
                co_await call();
            }
        }
    }

    void start_helpers() {
        // Random client::cancel() from a thread that runs no io_context.
        helpers.emplace_back([this] {
            std::minstd_rand rng(1);
            while (!stop && clock_type::now() < until) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 300));
                client->cancel();
                ++t.cancels;
            }
        });
        // Random stats() and close_idle_connections() from another thread.
        helpers.emplace_back([this] {
            std::minstd_rand rng(2);
            while (!stop && clock_type::now() < until) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1 + rng() % 5));
                t.check_stats(client->stats(), options.max_connections, 4u * cfg.callers);
                if (rng() % 50 == 0) {
                    client->close_idle_connections();
                    ++t.close_idle_calls;
                }
            }
        });
        // The same from a strand of the io_context (a call from inside the client's threads).
        helpers.emplace_back([this] {
            std::minstd_rand rng(3);
            while (!stop && clock_type::now() < until) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 40));
                const unsigned what = rng() % 10;
                asio::post(helper_strand, [this, what] {
                    if (stop) return;
                    if (what == 0) {
                        client->cancel();
                        ++t.cancels;
                    } else if (what == 1 || what == 2) {
                        client->close_idle_connections();
                        ++t.close_idle_calls;
                    } else {
                        t.check_stats(client->stats(), options.max_connections, 4u * cfg.callers);
                    }
                });
            }
        });
        // Faults switched on at random, a few at a time.
        helpers.emplace_back([this] {
            std::minstd_rand rng(4);
            while (!stop && clock_type::now() < until) {
                std::this_thread::sleep_for(std::chrono::milliseconds(2 + rng() % 10));
                if (sb.pending_faults() >= 4) continue;
                static constexpr std::array kinds{
                    ding::sandbox_fault_kind::status_503, ding::sandbox_fault_kind::status_500,
                    ding::sandbox_fault_kind::status_502, ding::sandbox_fault_kind::status_504,
                    ding::sandbox_fault_kind::status_429, ding::sandbox_fault_kind::delay,
                    ding::sandbox_fault_kind::delay, ding::sandbox_fault_kind::close_before_response,
                    ding::sandbox_fault_kind::close_after_headers, ding::sandbox_fault_kind::close_mid_body,
                    ding::sandbox_fault_kind::malformed_json, ding::sandbox_fault_kind::stall};
                ding::sandbox_fault f(kinds[rng() % kinds.size()], 1 + static_cast<int>(rng() % 3));
                f.retry_after = 0s;
                f.delay = std::chrono::milliseconds(5 + rng() % 150);
                sb.inject(f);
                ++t.faults_injected;
            }
        });
    }

    /// Runs the whole stress and checks the invariants.
    void run() {
        for (int i = 0; i < cfg.threads; ++i) io_threads.emplace_back([this] { ioc.run(); });
        if (cfg.handlers_on_app)
            for (int i = 0; i < 2; ++i) app_threads.emplace_back([this] { app.run(); });
        until = clock_type::now() + cfg.duration;
        for (int i = 0; i < cfg.callers; ++i)
            asio::co_spawn(cfg.handlers_on_app && !cfg.emit_off_handler_executor
                               ? asio::any_io_executor(asio::make_strand(app))
                                               : asio::any_io_executor(asio::make_strand(ioc)),
                           caller(static_cast<unsigned>(i)), [this](std::exception_ptr ep) {
                if (ep) ++caller_exceptions;
                ++callers_done;
            });
        start_helpers();

        // Every caller ends (each call is bounded by the client's timeout and the retries' bound).
        const auto callers_bound = until + 15s;
        while (callers_done < cfg.callers && clock_type::now() < callers_bound) std::this_thread::sleep_for(5ms);
        stop = true;
        for (auto& th : helpers) th.join();
        helpers.clear();
        { // whatever the helpers posted onto the strand has run (the strand is FIFO)
            std::promise<void> flushed;
            asio::post(helper_strand, [&flushed] { flushed.set_value(); });
            REQUIRE(flushed.get_future().wait_for(5s) == std::future_status::ready);
        }
        INFO(t.summary());
        REQUIRE(callers_done == cfg.callers);
        REQUIRE(caller_exceptions == 0);

        // Every call completed exactly once.
        CHECK(t.twice == 0);
        REQUIRE(t.started == t.completed);
        REQUIRE(t.started > 0);
        {
            std::lock_guard lock(t.m);
            INFO("first unexpected error: " << t.first_unexpected);
            CHECK(t.unexpected == 0);
            INFO("first insane stats(): " << t.first_insane_stats);
            CHECK(t.insane_stats == 0);
        }
        CHECK(t.wrong_executor == 0);

        // The pool settles: nothing in use, waiting or connecting (bounded drain).
        ding::pool_stats s = client->stats();
        const auto drain_bound = clock_type::now() + 5s;
        while ((s.in_use != 0 || s.waiting != 0 || s.connecting != 0) && clock_type::now() < drain_bound) {
            std::this_thread::sleep_for(5ms);
            s = client->stats();
        }
        INFO("final stats: in_use=" << s.in_use << " waiting=" << s.waiting << " connecting=" << s.connecting
                                    << " idle=" << s.idle << " opened=" << s.connections_opened
                                    << " requests_sent=" << s.requests_sent << " retries=" << s.retries);
        CHECK(s.in_use == 0);
        CHECK(s.waiting == 0);
        CHECK(s.connecting == 0);

        // And the client still works after all that.
        sb.clear_faults();
        std::promise<bool> ok;
        auto fut = ok.get_future();
        client->otp().create_authentication_async(create_request(1), [&ok](ding::outcome<ding::create_authentication_response> r) {
            ok.set_value(r.has_value());
        });
        REQUIRE(fut.wait_for(5s) == std::future_status::ready);
        CHECK(fut.get());

        // Destroying the client lets both io_contexts run out of work (nothing leaked on them).
        client.reset();
        ioc_guard.reset();
        app_guard.reset();
        const auto bound = clock_type::now() + 5s;
        while (!(ioc.stopped() && (app.stopped() || !cfg.handlers_on_app)) && clock_type::now() < bound)
            std::this_thread::sleep_for(5ms);
        CHECK(ioc.stopped());
        if (cfg.handlers_on_app) CHECK(app.stopped());
        WARN("stress run: " << t.summary());
    }
};

} // namespace

TEST_CASE("stress: 64 strands on 4 threads share one thread_safe client under faults and random cancellation",
          "[stress]") {
    harness h(stress_config{});
    h.run();
}

TEST_CASE("stress: callers and their handlers on another io_context and the client given a strand as its executor",
          "[stress]") {
    stress_config cfg;
    cfg.handlers_on_app = true;
    cfg.client_on_strand = true;
    harness h(cfg);
    h.run();
}

// A caller emits its cancellation on its own strand of `ioc` while the operation's callback is
// bound (bind_executor) to another io_context. The SDK never touches the caller's slot after
// launching (the forwarder it leaves there holds the call weakly), so the emit cannot race with the
// completion: ThreadSanitizer reported a race here while deliver() cleared the slot.
TEST_CASE("stress: handlers bound to another io_context while callers emit cancellation on their own strand",
          "[stress]") {
    stress_config cfg;
    cfg.handlers_on_app = true;
    cfg.client_on_strand = true;
    cfg.emit_off_handler_executor = true;
    harness h(cfg);
    h.run();
}

TEST_CASE("stress: the thread_safe client destroyed from a foreign thread with 64 calls in flight", "[stress]") {
    const int rounds = GENERATE(1, 2, 3);
    ding::sandbox sb(lenient());
    // First attempts of GETs meet a 503 (retried after a backoff), then every request is delayed:
    // when the client is destroyed, calls are waiting for a connection, in a backoff, or in an
    // exchange.
    {
        ding::sandbox_fault f(ding::sandbox_fault_kind::status_503, 24);
        f.retry_after = 0s;
        sb.inject(f);
        ding::sandbox_fault d(ding::sandbox_fault_kind::delay, 100000);
        d.delay = std::chrono::milliseconds(100 + 50 * rounds);
        sb.inject(d);
    }
    asio::io_context ioc;
    auto guard = std::make_optional(asio::make_work_guard(ioc));
    std::vector<std::thread> io_threads;
    for (int i = 0; i < 4; ++i) io_threads.emplace_back([&] { ioc.run(); });
    struct joiner { // however the test ends
        asio::io_context& ioc;
        std::vector<std::thread>& threads;
        ~joiner() {
            ioc.stop();
            for (auto& th : threads) th.join();
        }
    } join_on_exit{ioc, io_threads};

    std::atomic<bool> destroyed{false};
    std::atomic<long> hooks_after_destruction{0}, hooks_before{0};
    auto o = options_for(sb);
    o.timeout = 5s;
    o.max_connections = 16;
    o.retry.max_attempts = 5;
    o.retry.initial_backoff = 300ms;
    o.retry.max_backoff = 600ms;
    o.retry.retry_requests_that_may_have_reached_the_server = true; // the POSTs would be re-sent too
    auto count_hook = [&] { (destroyed ? hooks_after_destruction : hooks_before)++; };
    o.hooks.before_attempt = [count_hook](const ding::attempt_info&, ding::extra_headers&) { count_hook(); };
    o.hooks.after_response = [count_hook](const ding::attempt_info&) { count_hook(); };
    o.hooks.on_error = [count_hook](const ding::attempt_info&, const ding::error&) { count_hook(); };
    auto c = std::make_unique<ding::client>(ioc.get_executor(), o);

    constexpr int n = 64;
    tally t;
    for (int i = 0; i < n; ++i) {
        auto strand = asio::make_strand(ioc);
        auto on_done = [&t](auto r) {
            t.classify(r);
            ++t.completed;
        };
        ++t.started;
        if (i % 2 == 0)
            c->lookup().lookup_async(ding::lookup_request{customer, "+33612345678", {}}, asio::bind_executor(strand, on_done));
        else
            c->otp().create_authentication_async(create_request(static_cast<unsigned>(i)), asio::bind_executor(strand, on_done));
    }
    // Wait until calls are in every stage: some on the server, some waiting for a connection.
    const auto ready_bound = clock_type::now() + 5s;
    while (!(sb.stats().requests_total >= 24 && c->stats().waiting > 0) && clock_type::now() < ready_bound)
        std::this_thread::sleep_for(1ms);
    const auto before = c->stats();
    const long completed_before = t.completed;
    INFO("at destruction: in_use=" << before.in_use << " waiting=" << before.waiting
                                   << " retries=" << before.retries << " completed=" << completed_before);
    CHECK(t.completed < n);

    std::thread([&] {
        c.reset();
        destroyed = true;
    }).join();
    // What the server sees after this: only requests already written before ~client returned.
    std::this_thread::sleep_for(150ms);
    const auto requests_at_destruction = sb.stats().requests_total;

    const auto done_bound = clock_type::now() + 3s;
    while (t.completed < n && clock_type::now() < done_bound) std::this_thread::sleep_for(2ms);
    std::this_thread::sleep_for(600ms); // a retry would have had its backoff by now
    INFO(t.summary());
    REQUIRE(t.completed == n);
    CHECK(t.unexpected == 0);
    // Each call either had its value before the destruction or ended with cancelled.
    CHECK(t.values + t.cancelled == n);
    CHECK(hooks_after_destruction == 0);
    CHECK(sb.stats().requests_total == requests_at_destruction);
    WARN("destroyed with in_use=" << before.in_use << " waiting=" << before.waiting << " retries so far="
                                  << before.retries << ", " << completed_before << " of " << n
                                  << " completed; then " << t.summary());

    guard.reset();
    const auto drain_bound = clock_type::now() + 5s;
    while (!ioc.stopped() && clock_type::now() < drain_bound) std::this_thread::sleep_for(5ms);
    CHECK(ioc.stopped()); // nothing of the client is left on the io_context
    sb.stop();
}
