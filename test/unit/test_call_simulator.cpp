// A deterministic simulator of calls (issue 16): the pure call state machine
// (src/core/call_state_machine.hpp) and the pool's pure bookkeeping (pool_state.hpp) under a model
// of launch.hpp's driver, with a fake connection, a virtual clock and two fake executors (the
// client's and a handler's). Random, seeded schedules interleave grants, replies, deadlines, every
// kind of stop (a cancellation of any type emitted on the handler's executor and forwarded to the
// client's, client::cancel(), ~client) and the client's context shutdown. After every step it
// checks that:
// - each call completes exactly once (or, with its context destroyed, is dropped and never called),
//   and never inside its initiating function;
// - the pool's counts are exact (in use, connecting, waiting, idle, live connections), compared
//   with what the live calls hold, and what a call holds matches its state;
// - nothing is touched after it was released (an event or a stop for a released call state, or a
//   step's completion after its call ended, is an error; a stop forwarded from the caller holds
//   the call weakly, as cancel_forwarder does, and the function it dispatches holds it strongly);
// - nothing of the client's internals (call states, the core's last reference) is released on the
//   handler's executor;
// - the machine's rules: a stop never ends a call by itself while a step's I/O is in progress
//   (it asks for stop_step, and exactly one completion of that step follows), a completion with a
//   stop visible never goes on, and a call that ends inside its initiating function is delivered
//   later.
//
// The driver model follows launch.hpp's driver (drive()): the start (posted, or inline inside the
// initiating function, which then feeds initiation_returned), prepare_attempt (the before_attempt
// hook, which may fail), take_connection (idle, else pool_full when the pool must queue, else a
// reserved slot), queue (the pool's FIFO, its timer ending at the deadline or at a grant),
// open_connection (in the granted slot; with fresh_only a slot of its own, waiting for one if need
// be, never an idle or handed-over connection), write_request (the exchange; a stale kept-alive
// connection asks for the same attempt again once), wait_backoff (clamped at the deadline; a
// cancelled backoff is fed as outcome_ready), stop_step, deliver and deliver_later. facts.stopped
// is set on every event it feeds. Warm-ups (start with facts.open_only) are modelled: they open
// connections into the pool one at a time and end with outcome_ready, as the real driver does
// (`connected` with open_only is checked by the directed cases only). An out-of-memory outcome
// (outcome_ready) may replace any completion, and a caller may cancel from another thread in the
// middle of a step (its flag seen at once, its stop later).
//
// A broken rule is counted, and the first of each kind is reported with its seed and step, the
// call's events and the schedule's last lines. DING_SIM_COVERAGE=1 prints every transition taken.

#include "core/call_state_machine.hpp"
#include "transport/pool_state.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
namespace sm = ding::detail::call_sm;
using ding::detail::pool_limits;
using ding::detail::steady_time;

const char* name(sm::event e) {
    switch (e) {
    case sm::event::start: return "start";
    case sm::event::attempt_prepared: return "attempt_prepared";
    case sm::event::connection_granted: return "connection_granted";
    case sm::event::slot_granted: return "slot_granted";
    case sm::event::pool_full: return "pool_full";
    case sm::event::wait_ended: return "wait_ended";
    case sm::event::connected: return "connected";
    case sm::event::attempt_failed: return "attempt_failed";
    case sm::event::exchange_finished: return "exchange_finished";
    case sm::event::backoff_elapsed: return "backoff_elapsed";
    case sm::event::deadline: return "deadline";
    case sm::event::outcome_ready: return "outcome_ready";
    case sm::event::cancel: return "cancel";
    case sm::event::client_destroyed: return "client_destroyed";
    case sm::event::context_shutdown: return "context_shutdown";
    case sm::event::initiation_returned: return "initiation_returned";
    case sm::event::delivered: return "delivered";
    }
    return "?";
}

const char* name(sm::action a) {
    switch (a) {
    case sm::action::none: return "none";
    case sm::action::prepare_attempt: return "prepare_attempt";
    case sm::action::take_connection: return "take_connection";
    case sm::action::queue: return "queue";
    case sm::action::open_connection: return "open_connection";
    case sm::action::write_request: return "write_request";
    case sm::action::wait_backoff: return "wait_backoff";
    case sm::action::stop_step: return "stop_step";
    case sm::action::deliver: return "deliver";
    case sm::action::deliver_later: return "deliver_later";
    case sm::action::drop: return "drop";
    }
    return "?";
}

const char* name(sm::ending e) {
    switch (e) {
    case sm::ending::none: return "none";
    case sm::ending::reply: return "reply";
    case sm::ending::refused: return "refused";
    case sm::ending::cancelled: return "cancelled";
    case sm::ending::timeout: return "timeout";
    case sm::ending::dropped: return "dropped";
    }
    return "?";
}

std::string describe(const sm::facts& f) {
    std::string s;
    auto add = [&](bool on, const char* what) {
        if (!on) return;
        s += s.empty() ? "{" : ",";
        s += what;
    };
    add(f.stopped, "stopped");
    add(f.refused, "refused");
    add(f.initiating, "initiating");
    add(f.open_only, "open_only");
    add(f.same_attempt_again, "same_attempt_again");
    add(f.retry, "retry");
    return s.empty() ? s : s + "}";
}

/// Events that complete something the driver did (a step, a synchronous answer, the start): every
/// one is fed with facts.stopped, and with a stop visible none of them may let the call go on.
bool is_completion(sm::event e) {
    switch (e) {
    case sm::event::cancel:
    case sm::event::client_destroyed:
    case sm::event::context_shutdown:
    case sm::event::initiation_returned:
    case sm::event::delivered: return false;
    default: return true;
    }
}

struct fake_conn {
    static inline int alive = 0;
    explicit fake_conn(int i) : id(i) { ++alive; }
    ~fake_conn() { --alive; }
    fake_conn(const fake_conn&) = delete;
    fake_conn& operator=(const fake_conn&) = delete;
    int id;
    bool clean = true;  ///< nothing unsolicited arrived while it was idle (probed before a reuse)
    bool stale = false; ///< the server closed it while it was idle, unseen: the next exchange on it fails
};

using pstate = ding::detail::pool_state<fake_conn>;
using lease = ding::detail::basic_lease<fake_conn>;
using reservation = ding::detail::basic_slot_reservation<fake_conn>;

/// The thread running: the client's executor, the handler's, a user's thread outside both (a
/// thread_safe client's cancel() or ~client), or the one destroying the client's context.
enum class where { client, handler, user, destroying_context };

/// A function queued on a fake executor, with the references it holds (released where it runs,
/// or where the context destroys it).
struct task {
    std::function<void()> run;
    int call = 0;      ///< a strong reference to this call's state (the stop a forwarder dispatched)
    bool core = false; ///< a reference to the core (client_core::on_executor's `self`)
};

struct fake_executor {
    std::deque<task> tasks;
};

/// What the caller keeps of a call: its handler's side, never part of the client's internals.
struct user_side {
    int handler_runs = 0;
    bool dropped = false;
    bool handler_on_client = false; ///< the handler's executor is the client's own
    bool has_slot = false;          ///< the caller bound a cancellation slot (cancel_forwarder installed)
    bool initiating = false;        ///< its initiating function is running
    sm::ending got = sm::ending::none;
};

/// The step in progress, whose completion (exactly one) the driver feeds to the machine.
enum class op_kind : std::uint8_t {
    none,
    wait,      ///< queued in the pool's FIFO (waiting_for_connection)
    slot_wait, ///< fresh_only: queued for a slot of its own (connecting)
    open,      ///< opening a connection in its slot (connecting)
    warm_open, ///< a warm-up opening one connection in its slot (connecting)
    exchange,  ///< its request on the connection (exchanging)
    backoff,   ///< the backoff's timer (backing_off)
};

/// How a step ended (fixed when its completion is queued).
enum class outcome_kind : std::uint8_t {
    timer,          ///< a queued wait's timer ended: granted (the pool woke it), expired or cancelled
    ok,             ///< the connection is open
    failed,         ///< the connection could not be opened
    timeout,        ///< the transport's own deadline ended the step
    aborted,        ///< stop_step closed the connection or cancelled the timer
    reply,          ///< the server's reply (or a reset, on a stale connection)
    elapsed,        ///< the backoff elapsed
    deadline_first, ///< the backoff's timer, clamped at the deadline, reached it
};

struct world;

/// A call's state (the model of http_call_state): the machine and what its step holds.
struct sim_call final : pstate::waiter {
    world* w = nullptr;
    int id = 0;
    std::uint64_t generation = 0; ///< client::cancel()'s generation when it was launched
    sm::machine m;
    int refs = 0;                 ///< strong references: the driver's (chain) and forwarded stops in flight
    bool chain = true;            ///< the driver holds it: its start, step or delivery is pending
    bool registered = false;      ///< in the core's registry (from its start to its delivery)
    bool delivery_posted = false; ///< deliver_later: its delivery is queued on the client's executor
    lease held;                   ///< the connection its step holds
    bool held_clean = false;      ///< the connection may go back to the pool reusable
    reservation slot;             ///< the slot its step holds
    bool queued = false;          ///< joined the pool's FIFO; its wait's completion has not run
    op_kind op = op_kind::none;
    bool op_posted = false; ///< the step's completion is queued already
    std::uint64_t op_serial = 0;
    bool requested = false; ///< the caller's cancellation flag (set at once where the caller emits)
    bool warm_up = false;
    int warm_left = 0;
    int max_attempts = 1; ///< the retry policy's
    steady_time deadline{};
    steady_time backoff_until{};
    user_side* user = nullptr;
    std::string trace;

    void wake() noexcept override;
};

struct error_record {
    std::uint64_t count = 0;
    std::string first;
};

struct world {
    std::uint64_t seed;
    std::mt19937_64 rng;
    steady_time now{std::chrono::hours(1)};
    std::unique_ptr<pstate> pool;
    fake_executor client_ex, handler_ex;
    where running = where::client;
    std::map<int, std::unique_ptr<sim_call>> states; ///< call states not released
    std::map<int, std::unique_ptr<user_side>> users; ///< this client's calls, for the end-of-epoch check
    int next_id = 1;
    int next_conn = 1;
    int core_refs = 0;  ///< the client's reference, one per call state, one per queued on_executor function
    int core_tasks = 0; ///< on_executor functions queued (each holding the core)
    bool client_alive = false;
    bool closed = false;
    bool context_alive = true;
    bool thread_safe = false;
    std::uint64_t cancel_generation = 0;
    // Findings.
    std::uint64_t steps = 0, launched = 0, warm_ups = 0, inline_starts = 0, completed = 0, dropped = 0,
                  stale_stops = 0, client_cancels = 0, client_destructions = 0, context_shutdowns = 0,
                  stops_during_io = 0, concurrent_cancels = 0, out_of_memory = 0;
    std::map<sm::ending, std::uint64_t> endings;
    std::map<int, std::uint64_t> caller_cancels; ///< by type: 0 terminal, 1 partial, 2 total
    std::map<std::string, error_record> errors;
    std::map<std::string, std::uint64_t> transitions; ///< "state event{stopped} -> action", as taken
    std::map<std::string, std::uint64_t> paths;       ///< the driver's own branches, as taken
    std::deque<std::string> log; ///< the schedule's last lines, for an error's report

    explicit world(std::uint64_t s) : seed(s), rng(s) { new_client(); }

    int pick(int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }
    bool chance(int per_mille) { return pick(1000) < per_mille; }

    void note(std::string line) {
        if (log.size() == 48) log.pop_front();
        log.push_back(std::move(line));
    }

    /// Records a broken rule; `what` names the rule (errors are counted per rule, the first kept with
    /// the schedule that led to it).
    void error(const std::string& what, const sim_call* c = nullptr, const std::string& detail = {}) {
        error_record& r = errors[what];
        if (r.count++ != 0) return;
        std::string s = "seed " + std::to_string(seed) + ", step " + std::to_string(steps) + ": " + what;
        if (!detail.empty()) s += " (" + detail + ")";
        if (c != nullptr)
            s += "\n  call #" + std::to_string(c->id) + " in " + sm::name(c->m.current) + ", its events: " + c->trace;
        s += "\n  the schedule's last lines:";
        for (const auto& l : log) s += "\n    " + l;
        r.first = std::move(s);
    }

    void new_client() {
        const auto idle_timeout = std::chrono::milliseconds(chance(500) ? 30000 : 200 + pick(800));
        pool = std::make_unique<pstate>(pool_limits{static_cast<std::size_t>(1 + pick(3)), idle_timeout, 60s});
        thread_safe = chance(500);
        client_alive = true;
        closed = false;
        context_alive = true;
        core_refs = 1;
        core_tasks = 0;
        note("-- a new client (max " + std::to_string(pool->limits().max_connections) + " connections" +
             (thread_safe ? ", thread_safe" : "") + ")");
    }

    void path(const char* what) { ++paths[what]; }

    sim_call* find(int id) {
        auto it = states.find(id);
        return it == states.end() ? nullptr : it->second.get();
    }

    /// The call's flags: its caller's cancellation, client::cancel() since it was armed, ~client.
    bool stopped(const sim_call& c) const { return c.requested || c.generation != cancel_generation || closed; }

    // ---- references ------------------------------------------------------------------------------
    void release_core() {
        if (--core_refs < 0) error("the core released more often than it was held");
        // Every object of a client's internals is destroyed on the client's executor (or by the
        // thread destroying its context).
        if (core_refs == 0 && context_alive && (running == where::handler || running == where::user))
            error(running == where::handler ? "the core's last reference released on the handler's executor"
                                            : "the core's last reference released off the client's executor");
    }

    void unref(sim_call& c) {
        if (--c.refs > 0) return;
        destroy(c.id);
    }

    /// The last reference to a call's state went: it is released where this runs.
    void destroy(int id) {
        sim_call* c = find(id);
        if (c == nullptr) return error("a call state released twice");
        if (running == where::handler) error("a call state released on the handler's executor", c);
        if (running == where::user) error("a call state released off the client's executor", c);
        if (c->chain) error("a call state released while the driver holds it", c);
        if (running != where::destroying_context) {
            if (c->held || c->slot || c->queued || c->granted)
                error("a call state released while holding a pool resource", c);
            if (c->registered) error("a call state released while registered", c);
            if (c->m.current != sm::state::done) error("a call state released before its machine was done", c);
        }
        // What it still holds goes with it: a queued wait's destructor leaves the queue (passing a
        // grant on), a lease and a slot reservation give themselves back. (Only the context's
        // destruction may leave anything here; the rest is the error above, and the run goes on.)
        const std::size_t waiting = pool->waiting(), connecting = pool->connecting(), in_use = pool->in_use();
        pool->leave(*c, now);
        if (running != where::destroying_context &&
            (pool->waiting() != waiting || pool->connecting() != connecting || pool->in_use() != in_use))
            error("a call state released while still in the pool's queue", c);
        c->queued = false;
        states.erase(id);
        release_core();
    }

    void post(fake_executor& ex, task t) { ex.tasks.push_back(std::move(t)); }

    // ---- launch ------------------------------------------------------------------------------------
    void launch(bool initiating, bool warm_up) {
        if (!client_alive || states.size() >= 12) return;
        if (!context_alive && !chance(100)) return; // a few calls after the context's shutdown
        const int id = next_id++;
        auto u = std::make_unique<user_side>();
        u->handler_on_client = chance(300);
        u->has_slot = chance(700);
        user_side* user = u.get();
        users[id] = std::move(u);
        ++launched;
        if (warm_up) ++warm_ups;
        if (!context_alive) {
            // launch_task: the client's context was destroyed: the handler is dropped uncalled.
            user->dropped = true;
            ++dropped;
            note("launch #" + std::to_string(id) + " after the context's shutdown: dropped");
            return;
        }
        auto owned = std::make_unique<sim_call>();
        sim_call& c = *owned;
        c.w = this;
        c.id = id;
        c.generation = cancel_generation; // core->arm()
        c.refs = 1;                       // the driver's
        c.max_attempts = 1 + pick(3);
        c.warm_up = warm_up;
        c.warm_left = 1 + pick(3);
        c.deadline = now + std::chrono::milliseconds(50 + pick(400));
        c.user = user;
        states[id] = std::move(owned);
        ++core_refs;
        if (initiating) {
            // The initiating function runs on the client's executor: the call starts inside it.
            ++inline_starts;
            note("launch #" + std::to_string(id) + " inline (inside its initiating function)");
            const where before = running;
            running = where::client;
            user->initiating = true;
            ++c.refs; // the initiating function's own reference
            start(c, true);
            feed(c, sm::event::initiation_returned);
            user->initiating = false;
            unref(c);
            running = before;
            return;
        }
        note(std::string("launch #") + std::to_string(id) + (warm_up ? " warm-up" : "") + " (start posted)");
        if (user->has_slot && chance(20)) {
            // The caller cancels on another thread between the forwarder's installation and the
            // start's post: the stop reaches the call before its start.
            ++concurrent_cancels;
            forward_stop(c, pick(3));
        }
        post(client_ex, {[this, id] {
                             sim_call* call = find(id);
                             if (call == nullptr) return error("the start of a released call state");
                             start(*call, false);
                         },
                         0, false});
    }

    void start(sim_call& c, bool initiating) {
        c.registered = true;
        if (!initiating && chance(5)) {
            // Out of memory before the machine's start (fail_internal): the outcome is ready.
            ++out_of_memory;
            return feed(c, sm::event::outcome_ready);
        }
        sm::facts f;
        f.initiating = initiating;
        f.open_only = c.warm_up;
        f.refused = closed || stopped(c) || chance(30); // closed, stopped before, or invalid
        feed(c, sm::event::start, f);
    }

    // ---- feeding the machine -------------------------------------------------------------------------
    void trace(sim_call& c, sm::event e, const sm::facts& f, sm::state from, sm::action a) {
        ++transitions[std::string(sm::name(from)) + " " + name(e) + (f.stopped ? "{stopped}" : "") + " -> " + name(a)];
        std::string line = std::string(name(e)) + describe(f) + " " + sm::name(from) + "->" + sm::name(c.m.current) +
                           ": " + name(a);
        if (c.trace.size() > 1500) c.trace.erase(0, 500);
        c.trace += (c.trace.empty() ? "" : "; ") + line;
        note("#" + std::to_string(c.id) + " " + line);
    }

    /// The driver feeds an event (a completion, initiation_returned) and carries out the action.
    void feed(sim_call& c, sm::event e, sm::facts f = {}) {
        if (running != where::client) error("the driver ran off the client's executor", &c);
        // (initiation_returned comes from the initiating function, which holds the state itself.)
        if (!c.chain && e != sm::event::initiation_returned)
            error("an event fed to a call the driver had released", &c, name(e));
        if (is_completion(e) && c.user->has_slot && !c.requested && chance(3)) {
            // The caller cancels on another thread right now: the flag is visible at once, the stop
            // follows on the client's executor.
            ++concurrent_cancels;
            forward_stop(c, pick(3));
        }
        const bool visible = stopped(c);
        f.stopped = visible;
        const bool was_finished = c.m.finished();
        const sm::state from = c.m.current;
        const sm::action a = sm::step(c.m, e, f);
        trace(c, e, f, from, a);
        if (was_finished && a != sm::action::none) error("an event after the end was acted on", &c, name(e));
        if (is_completion(e) && visible && !was_finished && a != sm::action::deliver && a != sm::action::deliver_later)
            error("a completion with a stop visible let the call go on", &c, name(e));
        if (a == sm::action::deliver && c.user->initiating)
            error("a call ended inside its initiating function without deliver_later", &c);
        if (!is_completion(e) && a != sm::action::none) error("initiation_returned was acted on", &c);
        drive(c, a);
    }

    /// A stop (cancel, client::cancel(), ~client) for a call state that is alive.
    void feed_stop(sim_call& c, sm::event e) {
        if (running != where::client) error("a stop fed off the client's executor", &c);
        const bool was_finished = c.m.finished();
        const sm::state from = c.m.current;
        sm::facts f;
        f.stopped = stopped(c);
        const sm::action a = sm::step(c.m, e, f);
        trace(c, e, f, from, a);
        if (was_finished) {
            ++stale_stops; // the call is over
            if (a != sm::action::none) error("a stop after the end was acted on", &c);
            return;
        }
        const bool synchronous = from == sm::state::validating || from == sm::state::preparing;
        if (a != (synchronous ? sm::action::none : sm::action::stop_step))
            error("a stop was not answered by none (between steps) or stop_step (during I/O)", &c, name(a));
        if (c.m.finished()) return error("a stop ended a call by itself", &c);
        if (a == sm::action::stop_step) ++stops_during_io;
        drive(c, a);
    }

    // ---- the driver: carries out the machine's actions -----------------------------------------------
    void begin(sim_call& c, op_kind k) {
        if (c.op != op_kind::none) error("a step began while another was in progress", &c);
        c.op = k;
        c.op_posted = false;
        ++c.op_serial;
    }

    bool may_retry(const sim_call& c) const { return c.m.attempt < c.max_attempts; }

    void drive(sim_call& c, sm::action a) {
        switch (a) {
        case sm::action::none: return;
        case sm::action::prepare_attempt: return prepare_attempt(c);
        case sm::action::take_connection: return take_connection(c);
        case sm::action::queue:
            if (c.held || c.slot || c.queued) error("queue while holding a pool resource", &c);
            if (!pool->must_queue()) error("queue while the pool need not queue", &c);
            pool->enqueue(c);
            c.queued = true;
            return begin(c, op_kind::wait);
        case sm::action::open_connection: return open_connection(c);
        case sm::action::write_request: return write_request(c);
        case sm::action::wait_backoff:
            if (c.held || c.slot || c.queued) error("a backoff while holding a pool resource", &c);
            if (c.m.attempt >= c.max_attempts) error("a backoff with no attempt left", &c);
            c.backoff_until = now + std::chrono::milliseconds(pick(150));
            return begin(c, op_kind::backoff);
        case sm::action::stop_step: return stop_step(c);
        case sm::action::deliver: return deliver(c);
        case sm::action::deliver_later: {
            // Posted to the client's executor: the handler never runs inside the initiation.
            c.delivery_posted = true;
            path("deliver_later");
            const int id = c.id;
            post(client_ex, {[this, id] {
                                 sim_call* call = find(id);
                                 if (call == nullptr) return error("a posted delivery for a released call state");
                                 deliver(*call);
                             },
                             0, false});
            return;
        }
        case sm::action::drop: return error("drop outside a context shutdown", &c);
        }
    }

    void prepare_attempt(sim_call& c) {
        if (c.held || c.slot || c.queued) error("an attempt prepared while holding a pool resource", &c);
        if (c.m.attempt < 1 || c.m.attempt > c.max_attempts) error("an attempt beyond the policy's", &c);
        if (c.m.fresh_only) error("fresh_only carried into a new attempt", &c);
        if (chance(5)) {
            ++out_of_memory;
            return feed(c, sm::event::outcome_ready);
        }
        if (chance(50)) {
            // The before_attempt hook failed: after_attempt decides whether another attempt follows.
            sm::facts f;
            f.retry = may_retry(c) && chance(500);
            return feed(c, sm::event::attempt_failed, f);
        }
        feed(c, sm::event::attempt_prepared);
    }

    void take_connection(sim_call& c) {
        if (c.held || c.slot || c.queued) error("take_connection while holding a pool resource", &c);
        if (auto idle = pool->take_idle(now, [](fake_conn& f) { return f.clean; })) {
            c.held = lease(*pool, std::move(idle), true);
            c.held_clean = true;
            return feed(c, sm::event::connection_granted);
        }
        if (pool->must_queue()) return feed(c, sm::event::pool_full);
        if (!pool->try_reserve()) error("no slot although the pool need not queue", &c);
        else c.slot = reservation(*pool);
        feed(c, sm::event::slot_granted);
    }

    void open_connection(sim_call& c) {
        if (c.held || c.queued) error("open_connection while holding a connection or queued", &c);
        if (c.warm_up) {
            if (c.slot) error("a warm-up started holding a slot", &c);
            return warm_next(c);
        }
        if (c.slot) return begin(c, op_kind::open);
        // The same attempt on a new connection (a stale one failed): a slot of its own.
        if (!c.m.fresh_only) error("open_connection without a slot, not fresh_only", &c);
        acquire_fresh(c);
    }

    /// fresh_only: never an idle connection; a free slot (closing the least recently used idle
    /// connection if the pool is full), else a place in the queue until one is granted.
    void acquire_fresh(sim_call& c) {
        if (stopped(c)) {
            sm::facts f; // "cancelled before a connection was taken": a final outcome
            return feed(c, sm::event::attempt_failed, f);
        }
        pool->sweep(now);
        pool->make_room();
        if (pool->try_reserve()) {
            c.slot = reservation(*pool);
            return begin(c, op_kind::open);
        }
        pool->enqueue(c);
        c.queued = true;
        path("fresh_only: queued for a slot of its own");
        begin(c, op_kind::slot_wait);
    }

    /// A warm-up opens its connections one at a time into the pool and ends with outcome_ready.
    void warm_next(sim_call& c) {
        if (c.warm_left > 0 && !stopped(c) && c.deadline > now) {
            pool->sweep(now);
            if (pool->try_reserve()) {
                c.slot = reservation(*pool);
                return begin(c, op_kind::warm_open);
            }
        }
        feed(c, sm::event::outcome_ready); // the count of connections opened
    }

    void write_request(sim_call& c) {
        if (!c.held) return error("write_request without a connection", &c);
        if (c.slot || c.queued) error("write_request while holding a slot or queued", &c);
        if (c.m.fresh_only && c.held.reused()) error("fresh_only used a kept-alive connection", &c);
        if (chance(20)) {
            // The request could not be written (the connection refused it at once).
            path("the request could not be written");
            c.held.discard();
            sm::facts f;
            f.retry = may_retry(c) && chance(500);
            return feed(c, sm::event::attempt_failed, f);
        }
        begin(c, op_kind::exchange);
    }

    /// Ends the step in progress; its completion (exactly one) follows on the client's executor.
    void stop_step(sim_call& c) {
        if (c.op == op_kind::none) return error("stop_step with no step in progress", &c);
        if (c.op_posted) return; // its completion is queued already
        post_completion(c, outcome_kind::aborted);
    }

    void post_completion(sim_call& c, outcome_kind how) {
        c.op_posted = true;
        const int id = c.id;
        const std::uint64_t serial = c.op_serial;
        post(client_ex, {[this, id, serial, how] { complete(id, serial, how); }, 0, false});
    }

    /// A step's completion, on the client's executor.
    void complete(int id, std::uint64_t serial, outcome_kind how) {
        sim_call* cp = find(id);
        if (cp == nullptr) return error("a step's completion for a released call state");
        sim_call& c = *cp;
        if (!c.chain) return error("a step's completion after its call ended", &c);
        if (c.op == op_kind::none || c.op_serial != serial) return error("a second completion of one step", &c);
        const op_kind k = c.op;
        c.op = op_kind::none;
        c.op_posted = false;
        if (chance(3)) {
            // Out of memory in the completion (fail_internal): what the step holds is given back
            // by the delivery, the connection closed (its state is unknown).
            ++out_of_memory;
            c.held_clean = false;
            return feed(c, sm::event::outcome_ready);
        }
        switch (k) {
        case op_kind::none: return;
        case op_kind::wait: return wait_completed(c);
        case op_kind::slot_wait: return slot_wait_completed(c);
        case op_kind::open: {
            sm::facts f;
            if (how == outcome_kind::ok) {
                c.held = c.slot.connected(std::make_unique<fake_conn>(next_conn++));
                c.held_clean = true;
                return feed(c, sm::event::connected);
            }
            c.slot = reservation(); // the slot goes back (to the oldest waiter)
            // A failure may be retried; a timeout is final; after a stop the transport may say
            // either (the machine then ends the call cancelled).
            f.retry = how == outcome_kind::failed ? may_retry(c) && chance(600)
                      : how == outcome_kind::aborted ? may_retry(c) && chance(500)
                                                     : false;
            return feed(c, sm::event::attempt_failed, f);
        }
        case op_kind::warm_open:
            if (how == outcome_kind::ok) {
                lease opened = c.slot.connected(std::make_unique<fake_conn>(next_conn++));
                opened->stale = chance(150);
                opened.give_back(true, now); // into the pool (or to its oldest waiter)
                path("a warm-up opened a connection");
                --c.warm_left;
                return warm_next(c);
            }
            c.slot = reservation();
            return feed(c, sm::event::outcome_ready);
        case op_kind::exchange: return exchange_completed(c, how);
        case op_kind::backoff:
            if (how == outcome_kind::aborted) return feed(c, sm::event::outcome_ready); // "cancelled while waiting to retry"
            return feed(c, how == outcome_kind::deadline_first ? sm::event::deadline : sm::event::backoff_elapsed);
        }
    }

    /// A queued wait's timer ended: what the pool granted, else its timeout or cancellation.
    void wait_completed(sim_call& c) {
        c.queued = false;
        if (c.granted) {
            c.granted = false;
            if (c.conn) {
                lease handed(*pool, std::move(c.conn), true);
                if (!handed->clean) {
                    path("a handed-over connection not clean");
                    handed.discard(); // its slot goes on as if freed
                    return feed(c, sm::event::wait_ended);
                }
                c.held = std::move(handed);
                c.held_clean = true;
                return feed(c, sm::event::connection_granted);
            }
            c.slot = reservation(*pool); // reserved for it by the pool
            return feed(c, sm::event::slot_granted);
        }
        pool->leave(c, now);
        feed(c, sm::event::attempt_failed); // a timeout or a cancellation: never retried
    }

    /// fresh_only's wait for a slot of its own ended.
    void slot_wait_completed(sim_call& c) {
        c.queued = false;
        if (c.granted) {
            c.granted = false;
            if (c.conn) {
                // A handed-over connection is a kept-alive one: not for this attempt. Passed on.
                lease handed(*pool, std::move(c.conn), true);
                handed.give_back(true, now);
                path("fresh_only: a handed-over connection passed on");
                return acquire_fresh(c);
            }
            c.slot = reservation(*pool);
            path("fresh_only: granted a slot");
            return begin(c, op_kind::open);
        }
        pool->leave(c, now);
        feed(c, sm::event::attempt_failed);
    }

    void exchange_completed(sim_call& c, outcome_kind how) {
        sm::facts f;
        if (how == outcome_kind::timeout) {
            c.held.discard();
            return feed(c, sm::event::exchange_finished, f); // the timeout: final
        }
        if (how == outcome_kind::aborted) {
            c.held.discard(); // closed mid-exchange: never reused
            f.retry = may_retry(c) && chance(300);
            return feed(c, sm::event::exchange_finished, f);
        }
        if (c.held->stale) {
            // The server had closed the kept-alive connection: the same attempt on a new one, once.
            f.same_attempt_again = c.held.reused() && !c.m.fresh_only;
            if (f.same_attempt_again) path("a stale connection: the same attempt again");
            if (!f.same_attempt_again) f.retry = may_retry(c) && chance(500);
            c.held.discard();
            return feed(c, sm::event::exchange_finished, f);
        }
        const int kind = pick(10);
        if (kind < 7) { // a reply: the call's outcome
            keep_or_close(c);
        } else if (kind < 9) { // a 503: retried by the rules, the connection still good
            keep_or_close(c);
            f.retry = may_retry(c);
        } else { // a transport failure after the response started
            c.held.discard();
            f.retry = may_retry(c) && chance(500);
        }
        feed(c, sm::event::exchange_finished, f);
    }

    /// After a complete response: kept alive (maybe closed by the server later, unseen) or closed.
    void keep_or_close(sim_call& c) {
        if (chance(150)) return c.held.discard();
        c.held->stale = chance(200);
        c.held->clean = !chance(50);
        c.held.give_back(true, now);
    }

    void deliver(sim_call& c) {
        if (c.m.current != sm::state::delivering) error("deliver in a state other than delivering", &c);
        if (c.op != op_kind::none) error("delivered while its step's I/O was in progress", &c);
        c.delivery_posted = false;
        // What the step held goes back: a place in the queue (a grant not taken is passed on), a
        // connection (reusable if it is clean), a reserved slot.
        if (c.queued) {
            pool->leave(c, now);
            c.queued = false;
        }
        if (c.held) {
            if (c.held_clean) c.held.give_back(true, now);
            else c.held.discard();
        }
        c.slot = reservation();
        c.registered = false; // unregistered
        const sm::state from = c.m.current;
        sm::facts f;
        f.stopped = stopped(c);
        const sm::action a = sm::step(c.m, sm::event::delivered, f);
        trace(c, sm::event::delivered, f, from, a);
        if (a != sm::action::none || c.m.current != sm::state::done) error("delivered did not end the call", &c);
        user_side* u = c.user;
        const sm::ending got = c.m.end;
        ++completed;
        ++endings[got];
        c.chain = false;
        if (c.refs > 1) path("a delivered call state kept by a stop in flight");
        unref(c); // the state goes here, on the client's executor (or with the last forwarded stop)
        // The handler gets only what is its own: its side and the outcome.
        if (u->handler_on_client) run_handler(u, got); // dispatched to the executor running: inline
        else post(handler_ex, {[this, u, got] { run_handler(u, got); }, 0, false});
    }

    void run_handler(user_side* u, sm::ending got) {
        if (u->dropped) error("a dropped call's handler ran");
        if (u->initiating) error("a handler ran inside its initiating function");
        if (++u->handler_runs > 1) error("a call completed twice");
        u->got = got;
        // The handler starts the next call: inside its initiating function when it runs on the
        // client's executor.
        if (chance(200)) launch(running == where::client, false);
    }

    // ---- the outside world -----------------------------------------------------------------------------
    sim_call* random_call(std::initializer_list<op_kind> in) {
        std::vector<sim_call*> v;
        for (auto& [id, c] : states)
            for (op_kind k : in)
                if (c->op == k && !c->op_posted) v.push_back(c.get());
        return v.empty() ? nullptr : v[static_cast<std::size_t>(pick(static_cast<int>(v.size())))];
    }

    void server_replies() {
        if (sim_call* c = random_call({op_kind::exchange})) post_completion(*c, outcome_kind::reply);
    }

    void connect_ends() {
        if (sim_call* c = random_call({op_kind::open, op_kind::warm_open}))
            post_completion(*c, chance(850) ? outcome_kind::ok : outcome_kind::failed);
    }

    void advance_clock() {
        now += std::chrono::milliseconds(1 + pick(120));
        note("clock +");
        // Timers that expired: their completions go to the client's executor.
        for (auto& [id, cp] : states) {
            sim_call& c = *cp;
            if (c.op == op_kind::none || c.op_posted) continue;
            switch (c.op) {
            case op_kind::wait:
            case op_kind::slot_wait:
                if (c.deadline <= now) post_completion(c, outcome_kind::timer);
                break;
            case op_kind::open:
            case op_kind::warm_open:
            case op_kind::exchange:
                if (c.deadline <= now) post_completion(c, outcome_kind::timeout); // the transport's own timer
                break;
            case op_kind::backoff: {
                const bool deadline_first = c.backoff_until >= c.deadline;
                if ((deadline_first ? c.deadline : c.backoff_until) <= now)
                    post_completion(c, deadline_first ? outcome_kind::deadline_first : outcome_kind::elapsed);
                break;
            }
            case op_kind::none: break;
            }
        }
        // Idle connections the server closed meanwhile (some seen by the probe, some not), or that expired.
        if (chance(200)) pool->prune_idle(now, [this](fake_conn& f) { return !(f.stale && chance(500)); });
    }

    /// The caller's cancellation, emitted on the handler's executor: cancel_forwarder holds the call
    /// weakly, sets its flag and dispatches the stop to the client's executor.
    void caller_emits_cancel() {
        std::vector<int> ids;
        for (auto& [id, u] : users)
            if (u->has_slot) ids.push_back(id);
        if (ids.empty()) return;
        const int id = ids[static_cast<std::size_t>(pick(static_cast<int>(ids.size())))];
        const int type = pick(3);
        note("the caller of #" + std::to_string(id) + " emits a cancellation");
        post(handler_ex, {[this, id, type] {
                              ++caller_cancels[type];
                              sim_call* c = find(id); // the weak reference's lock
                              if (c == nullptr) {
                                  path("a cancellation after the call state was released");
                                  ++stale_stops; // the call is over
                                  return;
                              }
                              forward_stop(*c, type);
                          },
                          0, false});
    }

    /// cancel_forwarder after a successful lock: the flag at once, the stop on the client's executor
    /// by a function holding the call's state.
    void forward_stop(sim_call& c, int /*type*/) {
        c.requested = true;
        ++c.refs;
        const int id = c.id;
        post(client_ex, {[this, id] {
                             sim_call* call = find(id);
                             if (call == nullptr) return error("a forwarded stop for a released call state");
                             feed_stop(*call, sm::event::cancel);
                         },
                         id, false});
    }

    /// client_core::stop_all on the client's executor.
    void stop_all(std::uint64_t before, sm::event e) {
        std::vector<int> ids;
        for (auto& [id, c] : states)
            if (c->registered && c->generation < before) ids.push_back(id);
        for (int id : ids)
            if (sim_call* c = find(id)) feed_stop(*c, e);
    }

    /// client_core::on_executor: inline on the client's thread; with thread_safe, from another
    /// thread, dispatched onto the strand holding the core.
    void on_executor(bool from_user_thread, std::function<void()> f) {
        if (!context_alive) return; // nothing left to act on
        if (!from_user_thread) {
            const where before = running;
            running = where::client;
            f();
            running = before;
            return;
        }
        ++core_refs;
        ++core_tasks;
        post(client_ex, {std::move(f), 0, true});
    }

    void client_cancel() {
        if (!client_alive) return;
        ++client_cancels;
        const bool foreign = thread_safe && chance(500);
        note(std::string("client::cancel()") + (foreign ? " from a user thread" : ""));
        const std::uint64_t before = ++cancel_generation; // visible at once
        on_executor(foreign, [this, before] { stop_all(before, sm::event::cancel); });
    }

    void destroy_client() {
        if (!client_alive) return;
        ++client_destructions;
        const bool foreign = thread_safe && chance(500);
        note(std::string("~client") + (foreign ? " from a user thread" : ""));
        const where before = running;
        running = foreign ? where::user : where::client;
        client_alive = false;
        closed = true; // visible at once
        on_executor(foreign, [this] {
            stop_all(~std::uint64_t{0}, sm::event::client_destroyed);
            pool->close_idle();
        });
        release_core(); // the client's own reference, on the destroying thread
        running = before;
    }

    void context_shutdown() {
        if (!context_alive) return;
        ++context_shutdowns;
        note("the client's context is destroyed");
        running = where::destroying_context;
        context_alive = false;
        closed = true;
        pool->abandon();
        // The core feeds context_shutdown to every registered call.
        std::vector<int> ids;
        for (auto& [id, c] : states) ids.push_back(id);
        for (int id : ids) {
            sim_call& c = *find(id);
            if (!c.registered) continue;
            if (c.delivery_posted) path("a posted delivery dropped with its context");
            const sm::state from = c.m.current;
            const sm::action a = sm::step(c.m, sm::event::context_shutdown);
            trace(c, sm::event::context_shutdown, {}, from, a);
            if (a == sm::action::drop ? c.m.current != sm::state::done
                                      : !(a == sm::action::none && from == sm::state::delivering && c.delivery_posted))
                error("context_shutdown did not drop a call in flight", &c, name(a));
        }
        // The context's pending operations and queued functions are destroyed uncalled, with every
        // reference they hold: each call still with the driver is dropped, its handler never called.
        for (int id : ids) {
            sim_call* c = find(id);
            if (c == nullptr || !c->chain) continue;
            c->chain = false;
            c->op = op_kind::none;
            // Its pending step is destroyed: a queued wait leaves the queue (passing a grant on), a
            // connection and a slot go back (to a pool that closes whatever it is given back now).
            if (c->queued || c->granted) pool->leave(*c, now);
            c->queued = false;
            c->held = lease();
            c->slot = reservation();
            c->user->dropped = true;
            ++dropped;
            unref(*c);
        }
        while (!client_ex.tasks.empty()) {
            task t = std::move(client_ex.tasks.front());
            client_ex.tasks.pop_front();
            release_task(t);
        }
        running = where::client;
        if (!states.empty()) error("a call state outlived its context");
    }

    /// A task ran or was destroyed: the references it held go where this runs.
    void release_task(task& t) {
        if (t.call != 0) {
            if (sim_call* c = find(t.call)) unref(*c);
            else error("a queued function's call state was released under it");
        }
        if (t.core) {
            --core_tasks;
            release_core();
        }
        t.run = nullptr;
    }

    void run_one(fake_executor& ex, where w) {
        if (ex.tasks.empty()) return;
        task t = std::move(ex.tasks.front());
        ex.tasks.pop_front();
        const where before = running;
        running = w;
        t.run();
        release_task(t);
        running = before;
    }

    // ---- checks -------------------------------------------------------------------------------------------
    void check() {
        std::size_t leases = 0, slots = 0, queued = 0, granted_conns = 0, granted_slots = 0;
        for (auto& [id, cp] : states) {
            sim_call& c = *cp;
            leases += c.held ? 1 : 0;
            slots += c.slot ? 1 : 0;
            queued += c.queued && !c.granted ? 1 : 0;
            if (c.granted) (c.conn ? granted_conns : granted_slots) += 1;
            if (!c.chain) { // delivered, held only by a forwarded stop in flight
                if (c.m.current != sm::state::done || c.held || c.slot || c.queued || c.granted || c.registered)
                    error("a delivered call state still holds something", &c);
                continue;
            }
            const bool holds_nothing = !c.held && !c.slot && !c.queued;
            bool ok = false;
            switch (c.m.current) {
            case sm::state::validating: ok = holds_nothing && c.op == op_kind::none && !c.registered; break;
            case sm::state::preparing: ok = false; break; // synchronous: never seen between two events
            case sm::state::waiting_for_connection: ok = c.op == op_kind::wait && c.queued && !c.held && !c.slot; break;
            case sm::state::connecting:
                ok = !c.held && (((c.op == op_kind::open || c.op == op_kind::warm_open) && c.slot && !c.queued) ||
                                 (c.op == op_kind::slot_wait && c.queued && !c.slot));
                break;
            case sm::state::exchanging: ok = c.op == op_kind::exchange && c.held && !c.slot && !c.queued; break;
            case sm::state::backing_off: ok = c.op == op_kind::backoff && holds_nothing; break;
            case sm::state::delivering: ok = c.delivery_posted && c.op == op_kind::none; break;
            case sm::state::done: ok = false; break;
            }
            if (!ok) error("what a call holds does not match its state", &c);
        }
        std::string why;
        auto differ = [&](const char* what, std::size_t pool_says, std::size_t calls_hold) {
            if (pool_says != calls_hold)
                why += std::string(" ") + what + " " + std::to_string(pool_says) + " != " + std::to_string(calls_hold);
        };
        differ("in_use", pool->in_use(), leases + granted_conns);
        differ("connecting", pool->connecting(), slots + granted_slots);
        differ("waiting", pool->waiting(), queued);
        differ("live connections", static_cast<std::size_t>(fake_conn::alive), pool->idle() + pool->in_use());
        if (pool->occupied() > pool->limits().max_connections) why += " over the limit";
        if (pool->waiting() > 0 && (pool->idle() > 0 || pool->occupied() < pool->limits().max_connections))
            why += " a waiter while a connection is idle or a slot free";
        if (!why.empty()) error("the pool's counts differ from what the calls hold", nullptr, why);
        if (core_refs != static_cast<int>(states.size()) + (client_alive ? 1 : 0) + core_tasks)
            error("the core's reference count differs from its holders");
    }

    /// The epoch is over when nothing is pending anywhere.
    bool quiescent() const { return states.empty() && client_ex.tasks.empty() && handler_ex.tasks.empty(); }

    void end_epoch() {
        if (!states.empty()) return error("call states outlived the epoch");
        for (auto& [id, u] : users)
            if (u->dropped ? u->handler_runs != 0 : u->handler_runs != 1)
                error("a call did not complete exactly once", nullptr,
                      "#" + std::to_string(id) + " ran its handler " + std::to_string(u->handler_runs) +
                          " times, dropped: " + (u->dropped ? "yes" : "no"));
        users.clear();
        if (core_refs != 0) error("the core outlived its client and calls");
        pool.reset();
        if (fake_conn::alive != 0) error("connections leaked");
        fake_conn::alive = 0;
    }

    void random_step() {
        ++steps;
        const int r = pick(1000);
        if (r < 300) run_one(client_ex, where::client);
        else if (r < 410) run_one(handler_ex, where::handler);
        else if (r < 520) server_replies();
        else if (r < 590) connect_ends();
        else if (r < 680) advance_clock();
        else if (r < 750) launch(false, false);
        else if (r < 790) launch(true, false); // from the client's thread: the start runs inside the initiation
        else if (r < 800) launch(false, true); // a warm-up
        else if (r < 880) caller_emits_cancel();
        else if (r < 895) client_cancel();
        else if (r < 901) destroy_client();
        else if (r < 904) context_shutdown();
        else run_one(client_ex, where::client);
        check();
        if (!client_alive && quiescent()) {
            end_epoch();
            new_client();
        }
    }
};

void sim_call::wake() noexcept {
    // The pool granted this queued call a connection or a slot: its timer is cancelled, and the
    // wait's completion (which takes what was granted) follows on the client's executor.
    if (op != op_kind::wait && op != op_kind::slot_wait) w->error("the pool woke a call that is not waiting", this);
    if (!op_posted) w->post_completion(*this, outcome_kind::timer);
}

struct run_result {
    std::uint64_t steps = 0, launched = 0, warm_ups = 0, inline_starts = 0, completed = 0, dropped = 0,
                  stale_stops = 0, stops_during_io = 0, client_cancels = 0, client_destructions = 0,
                  context_shutdowns = 0, concurrent_cancels = 0, out_of_memory = 0;
    std::map<sm::ending, std::uint64_t> endings;
    std::map<int, std::uint64_t> caller_cancels;
    std::map<std::string, error_record> errors;
    std::map<std::string, std::uint64_t> transitions, paths;
};

run_result simulate(std::uint64_t seed, std::uint64_t steps) {
    fake_conn::alive = 0;
    world w(seed);
    for (std::uint64_t i = 0; i < steps; ++i) w.random_step();
    // Then on until a client has calls in flight, so that the drain starts busy.
    for (int guard = 0; guard < 100000 && !(w.client_alive && w.context_alive && w.states.size() >= 6); ++guard)
        w.random_step();
    // Drain: ~client, then every pending completion and handler runs, deadlines pass.
    w.note("-- drain");
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
    w.end_epoch();
    run_result r;
    r.steps = w.steps;
    r.launched = w.launched;
    r.warm_ups = w.warm_ups;
    r.inline_starts = w.inline_starts;
    r.completed = w.completed;
    r.dropped = w.dropped;
    r.stale_stops = w.stale_stops;
    r.stops_during_io = w.stops_during_io;
    r.client_cancels = w.client_cancels;
    r.client_destructions = w.client_destructions;
    r.context_shutdowns = w.context_shutdowns;
    r.concurrent_cancels = w.concurrent_cancels;
    r.out_of_memory = w.out_of_memory;
    r.endings = w.endings;
    r.caller_cancels = w.caller_cancels;
    r.errors = w.errors;
    r.transitions = w.transitions;
    r.paths = w.paths;
    return r;
}

// ---- directed cases: helpers ------------------------------------------------------------------------------

sm::facts facts_with(bool stopped = false, bool retry = false, bool same_attempt_again = false) {
    sm::facts f;
    f.stopped = stopped;
    f.retry = retry;
    f.same_attempt_again = same_attempt_again;
    return f;
}

/// Where a directed case puts a machine, each by the driver's own path.
enum class at {
    validating,
    preparing,
    waiting,
    connecting,
    connecting_fresh,
    exchanging,
    backing_off,
    warming_up,
    delivering,
    done
};

sm::machine machine_at(at where_to, bool initiating = false) {
    sm::machine m;
    if (where_to == at::validating) return m;
    sm::facts s;
    s.initiating = initiating;
    if (where_to == at::warming_up) {
        s.open_only = true;
        REQUIRE(sm::step(m, sm::event::start, s) == sm::action::open_connection);
        REQUIRE(m.current == sm::state::connecting);
        return m;
    }
    REQUIRE(sm::step(m, sm::event::start, s) == sm::action::prepare_attempt);
    REQUIRE(m.current == sm::state::preparing);
    REQUIRE(m.attempt == 1);
    if (where_to == at::preparing) return m;
    REQUIRE(sm::step(m, sm::event::attempt_prepared) == sm::action::take_connection);
    if (where_to == at::waiting) {
        REQUIRE(sm::step(m, sm::event::pool_full) == sm::action::queue);
        REQUIRE(m.current == sm::state::waiting_for_connection);
        return m;
    }
    if (where_to == at::connecting) {
        REQUIRE(sm::step(m, sm::event::slot_granted) == sm::action::open_connection);
        REQUIRE(m.current == sm::state::connecting);
        return m;
    }
    REQUIRE(sm::step(m, sm::event::connection_granted) == sm::action::write_request);
    REQUIRE(m.current == sm::state::exchanging);
    if (where_to == at::exchanging) return m;
    if (where_to == at::connecting_fresh) {
        REQUIRE(sm::step(m, sm::event::exchange_finished, facts_with(false, false, true)) == sm::action::open_connection);
        REQUIRE(m.current == sm::state::connecting);
        REQUIRE(m.fresh_only);
        return m;
    }
    REQUIRE(sm::step(m, sm::event::exchange_finished, facts_with(false, true)) == sm::action::wait_backoff);
    REQUIRE(m.current == sm::state::backing_off);
    if (where_to == at::backing_off) return m;
    REQUIRE(sm::step(m, sm::event::deadline) == (initiating ? sm::action::deliver_later : sm::action::deliver));
    REQUIRE(m.current == sm::state::delivering);
    if (where_to == at::delivering) return m;
    REQUIRE(sm::step(m, sm::event::delivered) == sm::action::none);
    REQUIRE(m.current == sm::state::done);
    return m;
}

const char* name(at a) {
    switch (a) {
    case at::validating: return "validating";
    case at::preparing: return "preparing";
    case at::waiting: return "waiting_for_connection";
    case at::connecting: return "connecting (in its slot)";
    case at::connecting_fresh: return "connecting (fresh_only)";
    case at::exchanging: return "exchanging";
    case at::backing_off: return "backing_off";
    case at::warming_up: return "connecting (a warm-up)";
    case at::delivering: return "delivering";
    case at::done: return "done";
    }
    return "?";
}

const sm::event all_completions[] = {
    sm::event::start,          sm::event::attempt_prepared, sm::event::connection_granted, sm::event::slot_granted,
    sm::event::pool_full,      sm::event::wait_ended,       sm::event::connected,          sm::event::attempt_failed,
    sm::event::exchange_finished, sm::event::backoff_elapsed, sm::event::deadline,
};

/// Ends a delivering machine: a late stop does nothing, delivered makes it done, then nothing moves it.
void finish_delivery(sm::machine& m) {
    REQUIRE(sm::step(m, sm::event::cancel) == sm::action::none);
    REQUIRE(sm::step(m, sm::event::client_destroyed) == sm::action::none);
    REQUIRE(sm::step(m, sm::event::context_shutdown) == sm::action::none); // being delivered: not dropped
    REQUIRE(m.current == sm::state::delivering);
    REQUIRE(sm::step(m, sm::event::delivered) == sm::action::none);
    REQUIRE(m.current == sm::state::done);
    for (sm::event e : all_completions) REQUIRE(sm::step(m, e, facts_with(false, true)) == sm::action::none);
    REQUIRE(sm::step(m, sm::event::outcome_ready) == sm::action::none);
    REQUIRE(sm::step(m, sm::event::context_shutdown) == sm::action::none);
    REQUIRE(m.current == sm::state::done);
}

} // namespace

// Failed checks print the machine's names, not the enums' bytes.
namespace Catch {
template <>
struct StringMaker<sm::action> {
    static std::string convert(sm::action a) { return name(a); }
};
template <>
struct StringMaker<sm::ending> {
    static std::string convert(sm::ending e) { return name(e); }
};
template <>
struct StringMaker<sm::state> {
    static std::string convert(sm::state s) { return sm::name(s); }
};
} // namespace Catch

TEST_CASE("unit: call state machine: a stop during each I/O step ends the call only through that step's completion",
          "[unit][call]") {
    struct completion {
        sm::event e;
        sm::facts f;
        sm::ending expected;
    };
    struct io_step {
        at where_to;
        std::vector<completion> completions;
    };
    const std::vector<io_step> steps = {
        {at::waiting,
         {{sm::event::connection_granted, {}, sm::ending::cancelled}, // the connection goes back at the delivery
          {sm::event::slot_granted, {}, sm::ending::cancelled},       // so does the slot
          {sm::event::wait_ended, {}, sm::ending::cancelled},
          {sm::event::attempt_failed, {}, sm::ending::reply}}}, // the wait's cancellation: the transport's outcome
        {at::connecting,
         {{sm::event::connected, {}, sm::ending::cancelled},
          {sm::event::attempt_failed, {}, sm::ending::reply},
          {sm::event::attempt_failed, facts_with(false, true), sm::ending::cancelled}}},
        {at::connecting_fresh,
         {{sm::event::connected, {}, sm::ending::cancelled},
          {sm::event::attempt_failed, {}, sm::ending::reply},
          {sm::event::attempt_failed, facts_with(false, true), sm::ending::cancelled}}},
        {at::exchanging,
         {{sm::event::exchange_finished, {}, sm::ending::reply}, // a success that came first, or `cancelled` made by the transport
          {sm::event::exchange_finished, facts_with(false, true), sm::ending::cancelled},
          {sm::event::exchange_finished, facts_with(false, false, true), sm::ending::cancelled},
          {sm::event::attempt_failed, {}, sm::ending::reply}}},
        {at::backing_off,
         {{sm::event::backoff_elapsed, {}, sm::ending::cancelled},
          {sm::event::deadline, {}, sm::ending::cancelled},
          {sm::event::outcome_ready, {}, sm::ending::reply}}}, // the driver's "cancelled while waiting to retry"
        {at::warming_up,
         {{sm::event::outcome_ready, {}, sm::ending::reply}, // the real driver's end of a warm-up
          {sm::event::connected, {}, sm::ending::reply},     // a warm-up's count, whatever the stop
          {sm::event::attempt_failed, {}, sm::ending::reply}}},
    };
    for (const io_step& s : steps) {
        for (const completion& c : s.completions) {
            for (bool visible : {false, true}) { // the stop's flags seen by the completion, or only the stop event
                for (sm::event stop : {sm::event::cancel, sm::event::client_destroyed}) {
                    INFO(name(s.where_to) << ", " << name(stop) << ", then " << name(c.e) << describe(c.f)
                                          << (visible ? " with facts.stopped" : ""));
                    sm::machine m = machine_at(s.where_to);
                    const sm::state in = m.current;
                    REQUIRE(sm::step(m, stop) == sm::action::stop_step);
                    REQUIRE(m.current == in);
                    REQUIRE_FALSE(m.finished());
                    // More stops: the same step is ended again, nothing else.
                    REQUIRE(sm::step(m, sm::event::cancel) == sm::action::stop_step);
                    REQUIRE(sm::step(m, sm::event::client_destroyed) == sm::action::stop_step);
                    REQUIRE(m.current == in);
                    // Another step's completion does not end it: only this step's does.
                    for (sm::event other : all_completions) {
                        bool ours = other == c.e;
                        for (const completion& o : s.completions) ours = ours || o.e == other;
                        if (ours) continue;
                        sm::machine copy = m;
                        INFO("another step's completion: " << name(other));
                        REQUIRE(sm::step(copy, other, facts_with(visible, true)) == sm::action::none);
                        REQUIRE(copy.current == in);
                    }
                    sm::facts f = c.f;
                    f.stopped = visible;
                    REQUIRE(sm::step(m, c.e, f) == sm::action::deliver);
                    REQUIRE(m.end == c.expected);
                    finish_delivery(m);
                }
            }
        }
    }
}

TEST_CASE("unit: call state machine: retries, a stale connection, a deadline in a backoff, the context's shutdown "
          "and a delivery inside the initiation",
          "[unit][call]") {
    SECTION("a failed hook and a retryable reply back off; each backoff starts the next attempt") {
        sm::machine m = machine_at(at::preparing);
        REQUIRE(sm::step(m, sm::event::attempt_failed, facts_with(false, true)) == sm::action::wait_backoff);
        REQUIRE(m.current == sm::state::backing_off);
        REQUIRE(sm::step(m, sm::event::backoff_elapsed) == sm::action::prepare_attempt);
        REQUIRE(m.attempt == 2);
        REQUIRE(sm::step(m, sm::event::attempt_prepared) == sm::action::take_connection);
        REQUIRE(sm::step(m, sm::event::slot_granted) == sm::action::open_connection);
        REQUIRE(sm::step(m, sm::event::connected) == sm::action::write_request);
        REQUIRE(sm::step(m, sm::event::exchange_finished, facts_with(false, true)) == sm::action::wait_backoff);
        REQUIRE(sm::step(m, sm::event::backoff_elapsed) == sm::action::prepare_attempt);
        REQUIRE(m.attempt == 3);
        REQUIRE(sm::step(m, sm::event::attempt_prepared) == sm::action::take_connection);
        REQUIRE(sm::step(m, sm::event::connection_granted) == sm::action::write_request);
        // The transport says no more (the policy's last attempt): the reply is the outcome.
        REQUIRE(sm::step(m, sm::event::exchange_finished) == sm::action::deliver);
        REQUIRE(m.end == sm::ending::reply);
        finish_delivery(m);
    }
    SECTION("a queued wait: a connection not clean looks again, a timeout is never retried") {
        sm::machine m = machine_at(at::waiting);
        REQUIRE(sm::step(m, sm::event::wait_ended) == sm::action::take_connection);
        REQUIRE(m.current == sm::state::preparing);
        REQUIRE(sm::step(m, sm::event::pool_full) == sm::action::queue);
        REQUIRE(sm::step(m, sm::event::attempt_failed) == sm::action::deliver);
        REQUIRE(m.end == sm::ending::reply);
    }
    SECTION("a stale kept-alive connection: the same attempt on a new connection, once") {
        sm::machine m = machine_at(at::connecting_fresh);
        REQUIRE(m.attempt == 1);
        REQUIRE(sm::step(m, sm::event::connected) == sm::action::write_request);
        REQUIRE(m.fresh_only);
        // Failed again on the new connection: retried by the rules, and the next attempt may reuse.
        REQUIRE(sm::step(m, sm::event::exchange_finished, facts_with(false, true)) == sm::action::wait_backoff);
        REQUIRE(sm::step(m, sm::event::backoff_elapsed) == sm::action::prepare_attempt);
        REQUIRE(m.attempt == 2);
        REQUIRE_FALSE(m.fresh_only);
    }
    SECTION("the deadline in a backoff ends the call with a timeout; with a stop recorded, cancelled") {
        sm::machine m = machine_at(at::backing_off);
        REQUIRE(sm::step(m, sm::event::deadline) == sm::action::deliver);
        REQUIRE(m.end == sm::ending::timeout);
        sm::machine s = machine_at(at::backing_off);
        REQUIRE(sm::step(s, sm::event::deadline, facts_with(true)) == sm::action::deliver);
        REQUIRE(s.end == sm::ending::cancelled);
    }
    SECTION("a stop before the start refuses the call without I/O") {
        sm::machine m;
        REQUIRE(sm::step(m, sm::event::client_destroyed) == sm::action::none);
        REQUIRE(m.current == sm::state::validating);
        REQUIRE(sm::step(m, sm::event::start) == sm::action::deliver);
        REQUIRE(m.end == sm::ending::refused);
        REQUIRE(m.attempt == 0);
        sm::machine r;
        sm::facts refused;
        refused.refused = true;
        REQUIRE(sm::step(r, sm::event::start, refused) == sm::action::deliver);
        REQUIRE(r.end == sm::ending::refused);
    }
    SECTION("the context's shutdown drops a call in every state before the delivery, never one being delivered") {
        for (at a : {at::validating, at::preparing, at::waiting, at::connecting, at::connecting_fresh, at::exchanging,
                     at::backing_off, at::warming_up}) {
            INFO(name(a));
            sm::machine m = machine_at(a);
            REQUIRE(sm::step(m, sm::event::context_shutdown) == sm::action::drop);
            REQUIRE(m.current == sm::state::done);
            REQUIRE(m.end == sm::ending::dropped);
            // Its step's completion never comes; nothing moves it any more.
            for (sm::event e : all_completions) REQUIRE(sm::step(m, e, facts_with(false, true)) == sm::action::none);
            REQUIRE(sm::step(m, sm::event::outcome_ready) == sm::action::none);
            REQUIRE(sm::step(m, sm::event::cancel) == sm::action::none);
            REQUIRE(sm::step(m, sm::event::delivered) == sm::action::none);
            REQUIRE(m.end == sm::ending::dropped);
        }
        sm::machine d = machine_at(at::delivering, true); // a delivery posted by deliver_later
        REQUIRE(sm::step(d, sm::event::context_shutdown) == sm::action::none);
        REQUIRE(d.current == sm::state::delivering);
    }
    SECTION("a call that ends inside its initiating function is delivered later; after it returned, at once") {
        sm::machine m = machine_at(at::preparing, true);
        REQUIRE(m.inside_initiation);
        // The before_attempt hook failed for good, still inside the initiation.
        REQUIRE(sm::step(m, sm::event::attempt_failed) == sm::action::deliver_later);
        REQUIRE(sm::step(m, sm::event::initiation_returned) == sm::action::none);
        REQUIRE(m.current == sm::state::delivering);
        finish_delivery(m);

        sm::machine later = machine_at(at::exchanging, true);
        REQUIRE(sm::step(later, sm::event::initiation_returned) == sm::action::none);
        REQUIRE_FALSE(later.inside_initiation);
        REQUIRE(sm::step(later, sm::event::exchange_finished) == sm::action::deliver);

        sm::machine oom = machine_at(at::preparing, true);
        REQUIRE(sm::step(oom, sm::event::outcome_ready) == sm::action::deliver_later);
    }
}

TEST_CASE("unit: call state machine: a call refused at its start inside its initiating function is delivered later",
          "[unit][call]") {
    // The refusal (closed client, a stop before the start, invalid request) is the common way a call
    // ends inside its initiating function (launch.hpp's complete() posts it, as the rule says).
    sm::facts f;
    f.initiating = true;
    f.refused = true;
    sm::machine m;
    CHECK(sm::step(m, sm::event::start, f) == sm::action::deliver_later);
    CHECK(m.end == sm::ending::refused);
    sm::machine s; // the stop's flags seen by the start
    f.refused = false;
    f.stopped = true;
    CHECK(sm::step(s, sm::event::start, f) == sm::action::deliver_later);
    CHECK(s.end == sm::ending::refused);
}

TEST_CASE("unit: call state machine: a stop recorded while preparing ends the call at the next completion",
          "[unit][call]") {
    const std::vector<std::pair<sm::event, sm::facts>> next = {
        {sm::event::attempt_prepared, {}},
        {sm::event::connection_granted, {}},
        {sm::event::slot_granted, {}},
        {sm::event::pool_full, {}},
        {sm::event::attempt_failed, facts_with(false, true)},
    };
    for (const auto& [e, f] : next) {
        for (sm::event stop : {sm::event::cancel, sm::event::client_destroyed}) {
            INFO(name(stop) << " while preparing, then " << name(e) << describe(f));
            sm::machine m = machine_at(at::preparing);
            REQUIRE(sm::step(m, stop) == sm::action::none); // a synchronous step: nothing to end
            REQUIRE(m.current == sm::state::preparing);
            REQUIRE(m.stop_recorded);
            REQUIRE(sm::step(m, e, f) == sm::action::deliver);
            REQUIRE(m.end == sm::ending::cancelled);
            finish_delivery(m);
        }
    }
    // The final outcome of the attempt (a hook's failure not retried) is the outcome, stop or not.
    sm::machine m = machine_at(at::preparing);
    REQUIRE(sm::step(m, sm::event::cancel) == sm::action::none);
    REQUIRE(sm::step(m, sm::event::attempt_failed) == sm::action::deliver);
    REQUIRE(m.end == sm::ending::reply);
    // A stop recorded before the start: the start refuses.
    sm::machine v;
    REQUIRE(sm::step(v, sm::event::cancel) == sm::action::none);
    REQUIRE(sm::step(v, sm::event::start) == sm::action::deliver);
    REQUIRE(v.end == sm::ending::refused);
}

TEST_CASE("unit: call state machine: a completion with facts.stopped that would go on ends the call", "[unit][call]") {
    struct going_on {
        at where_to;
        sm::event e;
        sm::facts f;
        sm::ending expected;
    };
    const std::vector<going_on> cases = {
        {at::validating, sm::event::start, {}, sm::ending::refused},
        {at::preparing, sm::event::attempt_prepared, {}, sm::ending::cancelled},
        {at::preparing, sm::event::connection_granted, {}, sm::ending::cancelled},
        {at::preparing, sm::event::slot_granted, {}, sm::ending::cancelled},
        {at::preparing, sm::event::pool_full, {}, sm::ending::cancelled},
        {at::preparing, sm::event::attempt_failed, facts_with(false, true), sm::ending::cancelled},
        {at::waiting, sm::event::connection_granted, {}, sm::ending::cancelled},
        {at::waiting, sm::event::slot_granted, {}, sm::ending::cancelled},
        {at::waiting, sm::event::wait_ended, {}, sm::ending::cancelled},
        {at::connecting, sm::event::connected, {}, sm::ending::cancelled},
        {at::connecting, sm::event::attempt_failed, facts_with(false, true), sm::ending::cancelled},
        {at::connecting_fresh, sm::event::connected, {}, sm::ending::cancelled},
        {at::exchanging, sm::event::exchange_finished, facts_with(false, true), sm::ending::cancelled},
        {at::exchanging, sm::event::exchange_finished, facts_with(false, false, true), sm::ending::cancelled},
        {at::exchanging, sm::event::attempt_failed, facts_with(false, true), sm::ending::cancelled},
        {at::backing_off, sm::event::backoff_elapsed, {}, sm::ending::cancelled},
        {at::backing_off, sm::event::deadline, {}, sm::ending::cancelled},
    };
    for (const going_on& c : cases) {
        INFO(name(c.where_to) << ": " << name(c.e) << describe(c.f) << " with facts.stopped");
        // Without the stop, it goes on.
        sm::machine plain = machine_at(c.where_to);
        const sm::action goes_on = sm::step(plain, c.e, c.f);
        if (c.e == sm::event::deadline) {
            REQUIRE(plain.end == sm::ending::timeout); // the backoff's deadline: a timeout without the stop
        } else {
            REQUIRE_FALSE(plain.finished());
            REQUIRE(goes_on != sm::action::none);
        }
        // With it, the call ends, and no stop event ever came.
        sm::machine m = machine_at(c.where_to);
        sm::facts f = c.f;
        f.stopped = true;
        REQUIRE(sm::step(m, c.e, f) == sm::action::deliver);
        REQUIRE(m.end == c.expected);
        finish_delivery(m);
    }
    // A completion with the call's final outcome keeps that outcome.
    for (at a : {at::waiting, at::connecting, at::exchanging}) {
        INFO(name(a) << ": the final outcome with facts.stopped");
        sm::machine m = machine_at(a);
        REQUIRE(sm::step(m, a == at::exchanging ? sm::event::exchange_finished : sm::event::attempt_failed,
                         facts_with(true)) == sm::action::deliver);
        REQUIRE(m.end == sm::ending::reply);
    }
}

TEST_CASE("unit: call state machine: outcome_ready ends the call from any state before the end", "[unit][call]") {
    for (bool initiating : {false, true}) {
        for (at a : {at::validating, at::preparing, at::waiting, at::connecting, at::connecting_fresh, at::exchanging,
                     at::backing_off, at::warming_up}) {
            for (bool stopped : {false, true}) {
                INFO(name(a) << (initiating ? ", inside the initiation" : "") << (stopped ? ", with facts.stopped" : ""));
                sm::machine m = machine_at(a, initiating);
                // Inside the initiation only once the start ran (validating has not started).
                const bool later = initiating && a != at::validating;
                REQUIRE(sm::step(m, sm::event::outcome_ready, facts_with(stopped)) ==
                        (later ? sm::action::deliver_later : sm::action::deliver));
                REQUIRE(m.current == sm::state::delivering);
                REQUIRE(m.end == sm::ending::reply);
                finish_delivery(m);
            }
        }
    }
    sm::machine d = machine_at(at::delivering);
    REQUIRE(sm::step(d, sm::event::outcome_ready) == sm::action::none);
    REQUIRE(d.end == sm::ending::timeout);
    sm::machine done = machine_at(at::done);
    REQUIRE(sm::step(done, sm::event::outcome_ready) == sm::action::none);
    REQUIRE(done.end == sm::ending::timeout);
}

TEST_CASE("unit: call simulator: random schedules of grants, replies, deadlines, stops and shutdowns keep every rule",
          "[unit][call]") {
    // 4 seeds x 100,000 steps (400,000 random steps), then each drained to the end.
    run_result total;
    std::map<std::string, error_record> errors;
    for (std::uint64_t seed : {1u, 2u, 3u, 20261207u}) {
        run_result r = simulate(seed, 100000);
        total.steps += r.steps;
        total.launched += r.launched;
        total.warm_ups += r.warm_ups;
        total.inline_starts += r.inline_starts;
        total.completed += r.completed;
        total.dropped += r.dropped;
        total.stale_stops += r.stale_stops;
        total.stops_during_io += r.stops_during_io;
        total.client_cancels += r.client_cancels;
        total.client_destructions += r.client_destructions;
        total.context_shutdowns += r.context_shutdowns;
        total.concurrent_cancels += r.concurrent_cancels;
        total.out_of_memory += r.out_of_memory;
        for (auto [k, v] : r.endings) total.endings[k] += v;
        for (auto [k, v] : r.caller_cancels) total.caller_cancels[k] += v;
        for (auto& [k, v] : r.transitions) total.transitions[k] += v;
        for (auto& [k, v] : r.paths) total.paths[k] += v;
        for (auto& [what, e] : r.errors) {
            error_record& all = errors[what];
            if (all.count == 0) all.first = e.first;
            all.count += e.count;
        }
    }
    auto ended = [&](sm::ending e) { return total.endings[e]; };
    WARN("call simulator: " << total.steps << " steps, " << total.launched << " calls launched (" << total.inline_starts
                            << " inside their initiating function, " << total.warm_ups << " warm-ups), "
                            << total.completed << " completed (" << ended(sm::ending::reply) << " reply, "
                            << ended(sm::ending::cancelled) << " cancelled, " << ended(sm::ending::timeout)
                            << " timeout, " << ended(sm::ending::refused) << " refused), " << total.dropped
                            << " dropped with their context, " << total.stale_stops << " stale stops ignored; "
                            << total.stops_during_io << " stops during I/O, caller cancellations "
                            << total.caller_cancels[0] << " terminal / " << total.caller_cancels[1] << " partial / "
                            << total.caller_cancels[2] << " total (" << total.concurrent_cancels << " mid-step), "
                            << total.client_cancels << " client::cancel(), " << total.client_destructions
                            << " ~client, " << total.context_shutdowns << " context shutdowns, "
                            << total.out_of_memory << " out-of-memory outcomes");
    for (const auto& [what, e] : errors) UNSCOPED_INFO(e.count << " x " << e.first);
    REQUIRE(errors.empty());
    REQUIRE(total.steps >= 100000);
    REQUIRE(total.launched == total.completed + total.dropped);
    // Every path was taken (the schedule is not degenerate).
    for (sm::ending e : {sm::ending::reply, sm::ending::cancelled, sm::ending::timeout, sm::ending::refused}) {
        INFO(name(e));
        REQUIRE(ended(e) > 0);
    }
    REQUIRE(total.dropped > 0);
    REQUIRE(total.stale_stops > 0);
    REQUIRE(total.stops_during_io > 0);
    REQUIRE(total.context_shutdowns > 0);
    for (int type : {0, 1, 2}) REQUIRE(total.caller_cancels[type] > 0);
    // The transitions that carry the rules, each taken ("state event{stopped} -> action"), and each
    // of the driver's own branches.
    for (const char* t : {
             "validating start -> prepare_attempt",
             "validating start -> open_connection",
             "validating start -> deliver_later",
             "validating start{stopped} -> deliver",
             "validating cancel{stopped} -> none",
             "preparing attempt_prepared -> take_connection",
             "preparing connection_granted -> write_request",
             "preparing slot_granted -> open_connection",
             "preparing pool_full -> queue",
             "preparing attempt_failed -> wait_backoff",
             "preparing attempt_failed -> deliver_later",
             "waiting_for_connection connection_granted -> write_request",
             "waiting_for_connection slot_granted -> open_connection",
             "waiting_for_connection wait_ended -> take_connection",
             "waiting_for_connection attempt_failed -> deliver",
             "waiting_for_connection connection_granted{stopped} -> deliver",
             "waiting_for_connection slot_granted{stopped} -> deliver",
             "waiting_for_connection cancel{stopped} -> stop_step",
             "waiting_for_connection client_destroyed{stopped} -> stop_step",
             "waiting_for_connection context_shutdown -> drop",
             "connecting connected -> write_request",
             "connecting connected{stopped} -> deliver",
             "connecting attempt_failed -> wait_backoff",
             "connecting attempt_failed{stopped} -> deliver",
             "connecting cancel{stopped} -> stop_step",
             "connecting context_shutdown -> drop",
             "exchanging exchange_finished -> deliver",
             "exchanging exchange_finished -> open_connection",
             "exchanging exchange_finished -> wait_backoff",
             "exchanging exchange_finished{stopped} -> deliver",
             "exchanging attempt_failed -> wait_backoff",
             "exchanging cancel{stopped} -> stop_step",
             "exchanging context_shutdown -> drop",
             "backing_off backoff_elapsed -> prepare_attempt",
             "backing_off backoff_elapsed{stopped} -> deliver",
             "backing_off deadline -> deliver",
             "backing_off outcome_ready{stopped} -> deliver",
             "backing_off cancel{stopped} -> stop_step",
             "backing_off context_shutdown -> drop",
             "delivering context_shutdown -> none",
             "delivering cancel{stopped} -> none",
             "done cancel{stopped} -> none",
         }) {
        INFO("the schedules never took: " << t);
        REQUIRE(total.transitions[t] > 0);
    }
    for (const char* p : {
             "a cancellation after the call state was released",
             "a delivered call state kept by a stop in flight",
             "a handed-over connection not clean",
             "a posted delivery dropped with its context",
             "a stale connection: the same attempt again",
             "a warm-up opened a connection",
             "deliver_later",
             "fresh_only: a handed-over connection passed on",
             "fresh_only: granted a slot",
             "fresh_only: queued for a slot of its own",
             "the request could not be written",
         }) {
        INFO("the driver never took: " << p);
        REQUIRE(total.paths[p] > 0);
    }
    if (std::getenv("DING_SIM_COVERAGE") != nullptr) {
        for (const auto& [k, v] : total.transitions) std::printf("%8llu  %s\n", static_cast<unsigned long long>(v), k.c_str());
        for (const auto& [k, v] : total.paths) std::printf("%8llu  (driver) %s\n", static_cast<unsigned long long>(v), k.c_str());
    }
}
