// One owner, one thread (issue 16): a client's internals are only touched and destroyed on the
// client's executor. These cases are in the TSan tier (label `tsan`): under
// tools/run-tests.sh --tsan a release of the internals on a handler's thread is reported there.

#include "robustness_common.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <functional>
#include <future>
#include <thread>
#include <vector>

using namespace robustness;

namespace {

// Defect 1 of issue 16. Thread A runs the client's io_context alone and is the only thread that
// makes, calls and destroys the client; every handler is bound to io_context B (thread B). The
// server stalls, A is busy for a while (a handler doing real work) and then destroys the client:
// the calls end, and their handlers run on B. The last references to the client's core are the
// calls' states: released on B (inside the delivery), the core, the pool and its deadline timer
// state went on B while A still ran the timer's completion. They must be released on A.
void stall_then_destroy_from_a(const ding::sandbox& sb, bool thread_safe, std::chrono::milliseconds busy) {
    constexpr int calls = 4;
    asio::io_context a;
    asio::io_context b;
    auto keep_b = asio::make_work_guard(b);
    std::thread tb([&] { b.run_for(20s); });
    std::atomic<int> done{0};
    std::atomic<int> ended_as_expected{0};
    const std::uint64_t requests_before = sb.stats().requests_total;
    std::thread ta([&] {
        ding::client_options o = options_for(sb);
        o.thread_safe = thread_safe;
        auto c = std::make_unique<ding::client>(a.get_executor(), o);
        ding::call_options per_call;
        per_call.timeout = 300ms;
        for (int i = 0; i < calls; ++i)
            c->otp().create_authentication_async(
                create_request(), per_call,
                asio::bind_executor(b, [&](ding::outcome<ding::create_authentication_response> r) {
                    if (!r && (r.error().value() == ding::errc::cancelled || r.error().value() == ding::errc::timeout))
                        ++ended_as_expected;
                    ++done;
                }));
        // Once the server has read every request (the exchanges are in flight, under the pool's
        // deadline timer), A is busy, then destroys the client.
        asio::steady_timer poll(a);
        const auto give_up = std::chrono::steady_clock::now() + 5s;
        std::function<void()> wait_for_requests = [&] {
            if (sb.stats().requests_total < requests_before + calls && std::chrono::steady_clock::now() < give_up) {
                poll.expires_after(2ms);
                poll.async_wait([&](boost::system::error_code) { wait_for_requests(); });
                return;
            }
            std::this_thread::sleep_for(busy); // A busy: the exchange deadline may pass meanwhile
            c.reset();                         // on A, as the rules say
        };
        wait_for_requests();
        a.run_for(10s);
    });
    ta.join();
    keep_b.reset();
    tb.join();
    REQUIRE(done.load() == calls);
    REQUIRE(ended_as_expected.load() == calls);
}

} // namespace

TEST_CASE("robustness: a client destroyed on its own thread while its calls' handlers run on another io_context "
          "releases its internals on its own thread") {
    ding::sandbox sb(lenient());
    for (int round = 0; round < 10; ++round) {
        sb.inject(ding::sandbox_fault(ding::sandbox_fault_kind::stall, 4));
        const bool thread_safe = round % 2 == 1;
        // Around the 300 ms call timeout: before it, at it and after it (the deadline timer's
        // completion then waits on A behind the busy handler).
        const auto busy = std::chrono::milliseconds(240 + 25 * round);
        INFO("round " << round << " thread_safe " << thread_safe << " busy " << busy.count() << " ms");
        stall_then_destroy_from_a(sb, thread_safe, busy);
        sb.clear_faults();
    }
}

// Defect 2 of issue 16, the documented rule (options.hpp, README): with thread_safe, the client
// may be called from any thread, but not while its execution context is being destroyed, the rule
// Asio gives for its own I/O objects. What is supported: the other threads stop calling first;
// after the io_context is gone, the client may still be called (from several threads at once) and
// destroyed: every member is then a no-op, a new call is dropped uncalled like the operations of
// a destroyed io_context, and nothing reaches into the destroyed context.
TEST_CASE("robustness: thread_safe client used from several threads, then its io_context destroyed, then called "
          "from several threads") {
    ding::sandbox sb(lenient());
    sb.inject(ding::sandbox_fault(ding::sandbox_fault_kind::stall, 6));
    auto ioc = std::make_unique<asio::io_context>();
    ding::client_options o = options_for(sb);
    o.thread_safe = true;
    o.max_connections = 2;
    auto c = std::make_unique<ding::client>(ioc->get_executor(), o);
    std::atomic<int> completions{0};
    {
        auto keep = asio::make_work_guard(*ioc);
        std::vector<std::thread> runners;
        for (int i = 0; i < 2; ++i) runners.emplace_back([&] { ioc->run_for(3s); });
        std::vector<std::thread> callers;
        for (int t = 0; t < 3; ++t)
            callers.emplace_back([&, t] {
                for (int i = 0; i < 20; ++i) {
                    c->otp().create_authentication_async(create_request(), [&](auto) { ++completions; });
                    if (i % 5 == t) c->cancel();
                    if (i % 7 == t) c->close_idle_connections();
                    (void)c->stats();
                }
            });
        for (auto& t : callers) t.join(); // the callers stop before the context goes
        keep.reset();
        ioc->stop();
        for (auto& t : runners) t.join();
    }
    ioc.reset(); // calls still queued or stalled are destroyed with their context
    std::vector<std::thread> late;
    for (int t = 0; t < 3; ++t)
        late.emplace_back([&] {
            for (int i = 0; i < 20; ++i) {
                c->cancel();
                c->close_idle_connections();
                (void)c->stats();
                c->otp().create_authentication_async(create_request(), [&](auto) { ++completions; });
            }
        });
    for (auto& t : late) t.join();
    const int before = completions.load();
    c.reset();
    REQUIRE(completions.load() == before); // nothing ran after the context was destroyed
    REQUIRE(completions.load() <= 60);
}

// Issue 16, what a handler may do with thread_safe: a handler associated with the client's own
// io_context is dispatched from inside the client's strand, so while it runs the client makes no
// progress at all, whatever the number of threads running the io_context. Blocking in it on
// another call of the same client (here a std::future) is the caller's deadlock (options.hpp).
// The wait below is bounded, so the test shows the stall instead of hanging.
TEST_CASE("robustness: with thread_safe a handler on the client's own io_context runs inside the client's strand: "
          "blocking on the same client there stalls it") {
    ding::sandbox sb(lenient());
    asio::io_context ioc;
    ding::client_options o = options_for(sb);
    o.thread_safe = true;
    ding::client c(ioc.get_executor(), o);
    std::atomic<bool> first_done{false};
    std::atomic<bool> second_ready_inside{true};
    std::future<ding::outcome<ding::create_authentication_response>> second;
    std::atomic<bool> first_ok{false};
    c.otp().create_authentication_async(create_request(), [&](ding::outcome<ding::create_authentication_response> r) {
        first_ok = r.has_value();
        second = c.otp().create_authentication_async(create_request(), asio::use_future);
        // Two threads run the io_context, the other one is free: it still cannot enter the strand.
        second_ready_inside = second.wait_for(400ms) == std::future_status::ready;
        first_done = true;
    });
    auto keep = asio::make_work_guard(ioc);
    std::vector<std::thread> runners;
    for (int i = 0; i < 2; ++i) runners.emplace_back([&] { ioc.run_for(10s); });
    const auto until = std::chrono::steady_clock::now() + 8s;
    while (!first_done && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
    // Once the handler returned, the second call runs.
    const bool second_ready_after = first_done && second.valid() && second.wait_for(8s) == std::future_status::ready;
    keep.reset();
    ioc.stop();
    for (auto& t : runners) t.join();
    REQUIRE(first_done.load());
    REQUIRE(first_ok.load());
    REQUIRE_FALSE(second_ready_inside.load());
    REQUIRE(second_ready_after);
}
