// A deterministic simulator of calls (issue 16): the pure call state machine
// (src/core/call_state_machine.hpp) and the pool's pure bookkeeping (pool_state.hpp) under a model
// of launch.hpp's driver, with a fake connection, a virtual clock and two fake executors (the
// client's and a handler's). Random, seeded schedules interleave grants, replies, deadlines, every
// kind of stop (a cancellation of any type forwarded from the handler's executor, client::cancel(),
// ~client) and the client's context shutdown. After every step it checks that:
// - each call completes exactly once (or, with its context destroyed, is dropped and never called);
// - the pool's counts are exact (in use, connecting, waiting, idle, live connections);
// - nothing is touched after it was released (an event for a released call state is an error;
//   a stop forwarded from the caller holds the call weakly, as cancel_forwarder does);
// - nothing of the client's internals (call states, the core's last reference) is released on the
//   handler's executor.

#include "core/call_state_machine.hpp"
#include "transport/pool_state.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
namespace sm = ding::detail::call_sm;
using ding::detail::pool_limits;
using ding::detail::steady_time;

struct fake_conn {
    static inline int alive = 0;
    explicit fake_conn(int i) : id(i) { ++alive; }
    ~fake_conn() { --alive; }
    fake_conn(const fake_conn&) = delete;
    int id;
    bool clean = true;
};

using pstate = ding::detail::pool_state<fake_conn>;
using lease = ding::detail::basic_lease<fake_conn>;
using reservation = ding::detail::basic_slot_reservation<fake_conn>;

enum class where { client, handler, destroying_context };

struct fake_executor {
    std::deque<std::function<void()>> tasks;
};

/// What the caller keeps of a call: its handler's side, never part of the client's internals.
struct user_side {
    int calls_of_handler = 0;
    bool dropped = false;
    bool handler_on_client = false;
    sm::ending got = sm::ending::none;
};

struct world;

/// A call's state: the machine and what its step holds (the model of http_call_state).
struct sim_call final : pstate::waiter {
    world* w = nullptr;
    int id = 0;
    std::uint64_t generation = 0; ///< client::cancel() generation at launch
    sm::machine m;
    lease held; ///< the connection its step holds
    reservation slot;
    bool queued = false;
    bool completion_posted = false; ///< the step in progress has its completion queued already
    bool requested = false;         ///< a caller's cancellation was recorded (the atomic flag)
    steady_time deadline{};
    steady_time backoff_until{};
    user_side* user = nullptr;

    void wake() noexcept override;
};

struct world {
    std::mt19937_64 rng;
    steady_time now{std::chrono::hours(1)};
    std::unique_ptr<pstate> pool;
    fake_executor client_ex, handler_ex;
    where running = where::client;
    std::map<int, std::unique_ptr<sim_call>> live; ///< call states not released
    std::map<int, std::unique_ptr<user_side>> users;
    int next_id = 1;
    int next_conn = 1;
    int core_refs = 0; ///< the client's own reference plus one per live call state
    bool client_alive = false;
    bool closed = false;
    bool context_alive = true;
    std::uint64_t cancel_generation = 0;
    // Findings.
    std::uint64_t steps = 0, launched = 0, completed = 0, dropped = 0, stale_stops = 0;
    std::map<sm::ending, int> endings;
    std::vector<std::string> errors;

    explicit world(std::uint64_t seed) : rng(seed) { new_client(); }

    int pick(int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }
    bool chance(int percent) { return pick(100) < percent; }
    void error(const std::string& what) {
        if (errors.size() < 20) errors.push_back("step " + std::to_string(steps) + ": " + what);
    }

    void new_client() {
        pool = std::make_unique<pstate>(pool_limits{static_cast<std::size_t>(1 + pick(3)), 30s, 60s});
        client_ex.tasks.clear();
        client_alive = true;
        closed = false;
        context_alive = true;
        core_refs = 1;
    }

    void release_core_ref() {
        if (running == where::handler) error("a reference to the core released on the handler's executor");
        if (--core_refs == 0 && running == where::handler) error("the core destroyed on the handler's executor");
    }

    sim_call* find(int id) {
        auto it = live.find(id);
        return it == live.end() ? nullptr : it->second.get();
    }

    // ---- launch ---------------------------------------------------------------------------------
    void launch() {
        auto c = std::make_unique<sim_call>();
        c->w = this;
        c->id = next_id++;
        c->generation = cancel_generation;
        c->m.max_attempts = 1 + pick(3);
        c->deadline = now + std::chrono::milliseconds(50 + pick(400));
        auto u = std::make_unique<user_side>();
        u->handler_on_client = chance(30);
        c->user = u.get();
        users[c->id] = std::move(u);
        const int id = c->id;
        live[id] = std::move(c);
        ++core_refs;
        ++launched;
        // Posted to the client's executor (launch never completes inside the initiation).
        client_ex.tasks.push_back([this, id] {
            sim_call* call = find(id);
            if (call == nullptr) return error("start of a released call");
            sm::facts f;
            f.refused = closed || call->requested || call->generation != cancel_generation || chance(3);
            drive(*call, sm::step(call->m, sm::event::start, f));
        });
    }

    // ---- the driver: carries out the machine's actions ------------------------------------------
    void feed(sim_call& c, sm::event e, const sm::facts& f = {}) { drive(c, sm::step(c.m, e, f)); }

    void drive(sim_call& c, sm::action a) {
        if (running != where::client) error("the driver ran off the client's executor");
        switch (a) {
        case sm::action::none: return;
        case sm::action::take_connection: {
            if (auto idle = pool->take_idle(now, [](fake_conn& f) { return f.clean; })) {
                c.held = lease(*pool, std::move(idle), true);
                return feed(c, sm::event::connection_granted);
            }
            if (pool->try_reserve()) {
                c.slot = reservation(*pool);
                return feed(c, sm::event::slot_granted);
            }
            return feed(c, sm::event::pool_full);
        }
        case sm::action::queue:
            pool->enqueue(c);
            c.queued = true;
            c.completion_posted = false;
            return;
        case sm::action::open_connection:
        case sm::action::write_request:
        case sm::action::wait_backoff:
            c.completion_posted = false;
            if (a == sm::action::wait_backoff) c.backoff_until = now + std::chrono::milliseconds(pick(100));
            if (a == sm::action::write_request && !c.held) error("write_request without a connection");
            if (a == sm::action::open_connection && !c.slot) error("open_connection without a slot");
            return;
        case sm::action::stop_step: return stop_step(c);
        case sm::action::deliver: return deliver(c);
        case sm::action::drop: return error("drop outside a context shutdown");
        }
    }

    /// Ends the step in progress; its completion (exactly one) follows on the client's executor.
    void stop_step(sim_call& c) {
        if (c.completion_posted) return; // already coming
        switch (c.m.current) {
        case sm::state::waiting_for_connection: post_wait_end(c); return; // timer cancelled
        case sm::state::connecting: post_completion(c, [](world& w, sim_call& call) {
            w.feed(call, sm::event::connect_failed);
        }); return;
        case sm::state::exchanging: post_completion(c, [](world& w, sim_call& call) {
            call.held.discard(); // aborted mid-exchange: never reused
            w.feed(call, sm::event::exchange_finished);
        }); return;
        case sm::state::backing_off: post_completion(c, [](world& w, sim_call& call) {
            w.feed(call, sm::event::backoff_elapsed);
        }); return;
        default: error(std::string("stop_step in ") + sm::name(c.m.current));
        }
    }

    template <class F>
    void post_completion(sim_call& c, F f) {
        c.completion_posted = true;
        const int id = c.id;
        // The pending operation holds the call's state (as the exchange's owner does).
        client_ex.tasks.push_back([this, id, f] {
            sim_call* call = find(id);
            if (call == nullptr) return error("a step's completion for a released call state");
            call->completion_posted = false;
            f(*this, *call);
        });
    }

    /// The queued wait's timer completion: what the pool granted, else why it ended.
    void post_wait_end(sim_call& c) {
        post_completion(c, [](world& w, sim_call& call) {
            call.queued = false;
            if (call.granted && !call.m.finished()) {
                call.granted = false;
                if (call.held) w.error("a granted call already held a connection");
                if (call.conn) {
                    call.held = lease(*w.pool, std::move(call.conn), true);
                    return w.feed(call, sm::event::connection_granted);
                }
                call.slot = reservation(*w.pool);
                return w.feed(call, sm::event::slot_granted);
            }
            w.pool->leave(call, w.now); // still queued: leaves, or passes on a grant
            w.feed(call, call.deadline <= w.now ? sm::event::deadline : sm::event::wait_ended);
        });
    }

    void deliver(sim_call& c) {
        // What the step held goes back (RAII in the real driver): a connection after a complete
        // reply is given back reusable, anything else closed; a slot and a queue place are passed on.
        if (c.queued) {
            pool->leave(c, now);
            c.queued = false;
        }
        if (c.held) {
            const bool reusable = c.m.end == sm::ending::reply && chance(80);
            c.held.give_back(reusable, now);
        }
        c.slot = reservation();
        user_side* u = c.user;
        const sm::ending got = c.m.end;
        feed(c, sm::event::delivered);
        if (c.m.current != sm::state::done) error("delivered did not end the call");
        release(c.id);
        ++completed;
        ++endings[got];
        // The handler gets only what is its own: its side and the outcome.
        auto run_handler = [this, u, got] {
            ++u->calls_of_handler;
            u->got = got;
            if (u->dropped) error("a dropped call's handler ran");
        };
        if (u->handler_on_client) {
            run_handler(); // dispatch from the client's executor to itself runs inline
        } else {
            handler_ex.tasks.push_back(run_handler);
        }
    }

    /// Releases a call's state (and its reference to the core) where the driver runs.
    void release(int id) {
        auto it = live.find(id);
        if (it == live.end()) return error("released twice");
        if (it->second->pstate::waiter::granted || it->second->held || it->second->slot)
            error("released while holding a pool resource");
        live.erase(it);
        release_core_ref();
    }

    // ---- the outside world ----------------------------------------------------------------------
    sim_call* random_call(sm::state in) {
        std::vector<sim_call*> v;
        for (auto& [id, c] : live)
            if (c->m.current == in && !c->completion_posted) v.push_back(c.get());
        return v.empty() ? nullptr : v[static_cast<std::size_t>(pick(static_cast<int>(v.size())))];
    }

    void server_replies() {
        sim_call* c = random_call(sm::state::exchanging);
        if (c == nullptr) return;
        const int kind = pick(10);
        post_completion(*c, [kind](world& w, sim_call& call) {
            sm::facts f;
            if (kind == 0 && call.held.reused()) {
                f.same_attempt_again = true; // a stale kept-alive connection: closed
                call.held.discard();
            } else if (kind <= 2) {
                f.retryable = true; // a 503: the connection is still good
                call.held.give_back(true, w.now);
            }
            w.feed(call, sm::event::exchange_finished, f);
        });
    }

    void connect_ends() {
        sim_call* c = random_call(sm::state::connecting);
        if (c == nullptr) return;
        const bool ok = chance(85);
        post_completion(*c, [ok, this](world& w, sim_call& call) {
            if (ok) {
                call.held = call.slot.connected(std::make_unique<fake_conn>(next_conn++));
                return w.feed(call, sm::event::connected);
            }
            call.slot = reservation(); // the slot goes back (to the next waiter)
            sm::facts f;
            f.retryable = true;
            w.feed(call, sm::event::connect_failed, f);
        });
    }

    void advance_clock() {
        now += std::chrono::milliseconds(1 + pick(120));
        // Timers that expired: their completions (or the deadline watcher's) go to the client's executor.
        std::vector<int> ids;
        for (auto& [id, c] : live) ids.push_back(id);
        for (int id : ids) {
            sim_call* c = find(id);
            if (c == nullptr || c->completion_posted) continue;
            switch (c->m.current) {
            case sm::state::waiting_for_connection:
                if (c->deadline <= now) post_wait_end(*c);
                break;
            case sm::state::backing_off:
                if (c->deadline <= now)
                    post_completion(*c, [](world& w, sim_call& call) { w.feed(call, sm::event::deadline); });
                else if (c->backoff_until <= now)
                    post_completion(*c, [](world& w, sim_call& call) { w.feed(call, sm::event::backoff_elapsed); });
                break;
            case sm::state::exchanging:
            case sm::state::connecting:
                if (c->deadline <= now) {
                    // The deadline watcher's completion: stops the step, whose completion follows.
                    client_ex.tasks.push_back([this, id] {
                        if (sim_call* call = find(id)) feed(*call, sm::event::deadline);
                    });
                }
                break;
            default: break;
            }
        }
        // An idle connection the server closed meanwhile.
        if (chance(20)) {
            pool->prune_idle(now, [this](fake_conn&) { return !chance(30); });
        }
    }

    /// A caller's cancellation: emitted on the handler's executor; the forwarder sets the flag and
    /// carries the stop to the client's executor, holding the call weakly.
    void caller_cancels() {
        if (live.empty()) return;
        auto it = live.begin();
        std::advance(it, pick(static_cast<int>(live.size())));
        const int id = it->first;
        handler_ex.tasks.push_back([this, id] {
            if (sim_call* c = find(id)) c->requested = true; // the atomic flag (weak lock succeeded)
            client_ex.tasks.push_back([this, id] {
                sim_call* c = find(id);
                if (c == nullptr) {
                    ++stale_stops; // the call is over: the weak reference is empty
                    return;
                }
                feed(*c, sm::event::cancel);
            });
        });
    }

    void client_cancel() {
        ++cancel_generation;
        const std::uint64_t before = cancel_generation;
        client_ex.tasks.push_back([this, before] {
            std::vector<int> ids;
            for (auto& [id, c] : live)
                if (c->generation < before) ids.push_back(id);
            for (int id : ids)
                if (sim_call* c = find(id)) feed(*c, sm::event::cancel);
        });
    }

    void destroy_client() {
        if (!client_alive) return;
        client_alive = false;
        closed = true;
        // ~client on the client's thread: stop_all, and the client's own reference goes there.
        std::vector<int> ids;
        for (auto& [id, c] : live) ids.push_back(id);
        for (int id : ids)
            if (sim_call* c = find(id)) feed(*c, sm::event::client_destroyed);
        release_core_ref();
    }

    void context_shutdown() {
        running = where::destroying_context;
        context_alive = false;
        pool->abandon();
        // The context's pending operations are destroyed uncalled: every call not delivered is
        // dropped (its state released here, on the thread destroying the context).
        std::vector<int> ids;
        for (auto& [id, c] : live) ids.push_back(id);
        for (int id : ids) {
            sim_call* c = find(id);
            if (sm::step(c->m, sm::event::context_shutdown) != sm::action::drop) error("context_shutdown did not drop");
            if (c->queued) pool->leave(*c, now);
            c->queued = false;
            c->held = lease();
            c->slot = reservation();
            c->granted = false;
            c->conn.reset();
            c->user->dropped = true;
            ++dropped;
            live.erase(id);
            --core_refs;
        }
        // Handlers queued on the client's own executor are destroyed with it.
        client_ex.tasks.clear();
        if (client_alive) {
            client_alive = false;
            --core_refs; // the client object outlives the context; its reference is inert now
        }
        running = where::client;
    }

    // ---- checks -----------------------------------------------------------------------------------
    void check() {
        std::size_t leases = 0, slots = 0, queued = 0, granted_conns = 0, granted_slots = 0;
        for (auto& [id, c] : live) {
            if (c->m.finished()) error("a finished call is still live");
            leases += c->held ? 1 : 0;
            slots += c->slot ? 1 : 0;
            queued += c->queued && !c->granted ? 1 : 0;
            if (c->granted) (c->conn ? granted_conns : granted_slots) += 1;
        }
        if (!context_alive) return; // the pool was abandoned with the context
        std::ostringstream why;
        if (pool->in_use() != leases + granted_conns) why << " in_use " << pool->in_use() << " != " << leases + granted_conns;
        if (pool->connecting() != slots + granted_slots)
            why << " connecting " << pool->connecting() << " != " << slots + granted_slots;
        if (pool->waiting() != queued) why << " waiting " << pool->waiting() << " != " << queued;
        if (pool->occupied() > pool->limits().max_connections) why << " over the limit";
        if (static_cast<std::size_t>(fake_conn::alive) != pool->idle() + pool->in_use())
            why << " live connections " << fake_conn::alive << " != " << pool->idle() + pool->in_use();
        if (!why.str().empty()) error("pool counts:" + why.str());
        for (auto& [id, u] : users)
            if (u->calls_of_handler > 1) error("call " + std::to_string(id) + " completed twice");
        if (core_refs != static_cast<int>(live.size()) + (client_alive ? 1 : 0)) error("core reference count");
    }

    /// The epoch is over when nothing is pending anywhere: every call completed exactly once or dropped.
    bool quiescent() const { return live.empty() && client_ex.tasks.empty() && handler_ex.tasks.empty(); }

    void end_epoch_checks() {
        for (auto& [id, u] : users) {
            if (u->dropped ? u->calls_of_handler != 0 : u->calls_of_handler != 1)
                error("call " + std::to_string(id) + " ran its handler " + std::to_string(u->calls_of_handler) +
                      " times (dropped: " + (u->dropped ? "yes" : "no") + ")");
        }
        users.clear();
        if (core_refs != 0) error("the core outlived its client and calls");
        pool.reset();
        if (fake_conn::alive != 0) error("connections leaked");
    }

    void run_one(fake_executor& ex, where w) {
        if (ex.tasks.empty()) return;
        auto task = std::move(ex.tasks.front());
        ex.tasks.pop_front();
        running = w;
        task();
        running = where::client;
    }

    void random_step() {
        ++steps;
        const int r = pick(1000);
        if (r < 300) run_one(client_ex, where::client);
        else if (r < 420) run_one(handler_ex, where::handler);
        else if (r < 540) server_replies();
        else if (r < 610) connect_ends();
        else if (r < 700) advance_clock();
        else if (r < 820) {
            if (client_alive && live.size() < 12) launch();
        } else if (r < 900) caller_cancels();
        else if (r < 915) client_cancel();
        else if (r < 921) {
            if (client_alive) destroy_client();
        } else if (r < 924) {
            if (context_alive) context_shutdown();
        } else {
            run_one(client_ex, where::client);
        }
        check();
        // A destroyed client (or context) whose calls all ended: the next client starts.
        if ((!client_alive || !context_alive) && quiescent()) {
            end_epoch_checks();
            new_client();
        } else if (!client_alive && live.empty() && context_alive) {
            // Nothing in flight: drain what is queued (stale stops, handlers) so the epoch ends.
        }
    }
};

void sim_call::wake() noexcept {
    // The pool granted this queued call something: its timer is cancelled, and the wait's
    // completion (which takes what was granted) follows on the client's executor.
    if (!completion_posted) w->post_wait_end(*this);
}

struct run_result {
    std::uint64_t steps, launched, completed, dropped, stale_stops;
    std::map<sm::ending, int> endings;
    std::vector<std::string> errors;
};

run_result simulate(std::uint64_t seed, std::uint64_t steps) {
    world w(seed);
    for (std::uint64_t i = 0; i < steps && w.errors.empty(); ++i) w.random_step();
    // Drain: no more random events, every pending completion and handler runs, deadlines pass.
    w.destroy_client();
    for (int guard = 0; guard < 100000 && !w.quiescent(); ++guard) {
        if (!w.client_ex.tasks.empty()) w.run_one(w.client_ex, where::client);
        else if (!w.handler_ex.tasks.empty()) w.run_one(w.handler_ex, where::handler);
        else {
            w.server_replies();
            w.connect_ends();
            w.advance_clock();
        }
        w.check();
    }
    if (!w.quiescent()) w.error("the calls did not all end after the drain");
    w.end_epoch_checks();
    return {w.steps, w.launched, w.completed, w.dropped, w.stale_stops, w.endings, w.errors};
}

} // namespace

TEST_CASE("unit: call state machine: a stop during a step ends the call only through that step's completion", "[unit][call]") {
    sm::machine m;
    m.max_attempts = 3;
    REQUIRE(sm::step(m, sm::event::start) == sm::action::take_connection);
    REQUIRE(sm::step(m, sm::event::pool_full) == sm::action::queue);
    REQUIRE(m.current == sm::state::waiting_for_connection);
    REQUIRE(sm::step(m, sm::event::cancel) == sm::action::stop_step);
    REQUIRE_FALSE(m.finished());
    REQUIRE(sm::step(m, sm::event::cancel) == sm::action::stop_step); // a second stop: the same completion ends it
    // The pool granted a connection before the wait's completion ran: it goes back, the call is cancelled.
    REQUIRE(sm::step(m, sm::event::connection_granted) == sm::action::deliver);
    REQUIRE(m.end == sm::ending::cancelled);
    REQUIRE(sm::step(m, sm::event::cancel) == sm::action::none);
    REQUIRE(sm::step(m, sm::event::delivered) == sm::action::none);
    REQUIRE(m.current == sm::state::done);
    REQUIRE(sm::step(m, sm::event::context_shutdown) == sm::action::none);
}

TEST_CASE("unit: call state machine: retries, a stale connection, deadlines and the context's shutdown", "[unit][call]") {
    SECTION("a retryable reply backs off, then the next attempt takes a connection") {
        sm::machine m;
        m.max_attempts = 2;
        REQUIRE(sm::step(m, sm::event::start) == sm::action::take_connection);
        REQUIRE(sm::step(m, sm::event::connection_granted) == sm::action::write_request);
        sm::facts retry;
        retry.retryable = true;
        REQUIRE(sm::step(m, sm::event::exchange_finished, retry) == sm::action::wait_backoff);
        REQUIRE(sm::step(m, sm::event::backoff_elapsed) == sm::action::take_connection);
        REQUIRE(m.attempt == 2);
        REQUIRE(sm::step(m, sm::event::slot_granted) == sm::action::open_connection);
        REQUIRE(sm::step(m, sm::event::connected) == sm::action::write_request);
        REQUIRE(sm::step(m, sm::event::exchange_finished, retry) == sm::action::deliver); // no attempt left
        REQUIRE(m.end == sm::ending::reply);
    }
    SECTION("a stale kept-alive connection: the same attempt on another connection") {
        sm::machine m;
        REQUIRE(sm::step(m, sm::event::start) == sm::action::take_connection);
        REQUIRE(sm::step(m, sm::event::connection_granted) == sm::action::write_request);
        sm::facts stale;
        stale.same_attempt_again = true;
        REQUIRE(sm::step(m, sm::event::exchange_finished, stale) == sm::action::take_connection);
        REQUIRE(m.attempt == 1);
    }
    SECTION("the deadline during an exchange stops it; a cancellation before its completion wins") {
        sm::machine m;
        sm::step(m, sm::event::start);
        sm::step(m, sm::event::connection_granted);
        REQUIRE(sm::step(m, sm::event::deadline) == sm::action::stop_step);
        REQUIRE(sm::step(m, sm::event::cancel) == sm::action::stop_step);
        REQUIRE(sm::step(m, sm::event::exchange_finished) == sm::action::deliver);
        REQUIRE(m.end == sm::ending::cancelled);
    }
    SECTION("a stop before the start refuses the call without I/O") {
        sm::machine m;
        REQUIRE(sm::step(m, sm::event::client_destroyed) == sm::action::none);
        REQUIRE(sm::step(m, sm::event::start) == sm::action::deliver);
        REQUIRE(m.end == sm::ending::refused);
    }
    SECTION("the context's shutdown drops a call in any step, never one being delivered") {
        for (auto setup : {0, 1, 2}) {
            sm::machine m;
            sm::step(m, sm::event::start);
            if (setup == 1) sm::step(m, sm::event::pool_full);
            if (setup == 2) sm::step(m, sm::event::slot_granted);
            REQUIRE(sm::step(m, sm::event::context_shutdown) == sm::action::drop);
            REQUIRE(m.end == sm::ending::dropped);
            REQUIRE(sm::step(m, sm::event::exchange_finished) == sm::action::none);
        }
    }
}

TEST_CASE("unit: call simulator: random schedules of grants, replies, deadlines, stops and shutdowns keep every rule",
          "[unit][call]") {
    // 4 seeds x 30,000 steps (120,000 random steps), then each drained to the end.
    std::uint64_t total_steps = 0, launched = 0, completed = 0, dropped = 0, stale = 0;
    std::map<sm::ending, int> endings;
    for (std::uint64_t seed : {1u, 2u, 3u, 20261207u}) {
        run_result r = simulate(seed, 30000);
        INFO("seed " << seed);
        for (const auto& e : r.errors) UNSCOPED_INFO(e);
        REQUIRE(r.errors.empty());
        total_steps += r.steps;
        launched += r.launched;
        completed += r.completed;
        dropped += r.dropped;
        stale += r.stale_stops;
        for (auto [k, v] : r.endings) endings[k] += v;
    }
    REQUIRE(total_steps >= 100000);
    REQUIRE(launched == completed + dropped);
    // Every path was taken (the schedule is not degenerate).
    REQUIRE(endings[sm::ending::reply] > 0);
    REQUIRE(endings[sm::ending::cancelled] > 0);
    REQUIRE(endings[sm::ending::timeout] > 0);
    REQUIRE(endings[sm::ending::refused] > 0);
    REQUIRE(dropped > 0);
    REQUIRE(stale > 0);
    WARN("call simulator: " << total_steps << " steps, " << launched << " calls, " << completed << " completed ("
                            << endings[sm::ending::reply] << " reply, " << endings[sm::ending::cancelled] << " cancelled, "
                            << endings[sm::ending::timeout] << " timeout, " << endings[sm::ending::refused]
                            << " refused), " << dropped << " dropped with their context, " << stale
                            << " stops after the end");
}
