#pragma once
// launch(): the one way a call starts and completes, for every operation of v1 and v2.
// Included by the services' .cpp files only (it instantiates the coroutine per result type).

#include "core/client_core.hpp"
#include "core/recycler.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/this_coro.hpp>

#include <exception>
#include <new>

namespace ding::detail {

template <class T>
struct call_state : call_base {
    // The handler is move-constructed in place: Boost 1.81's any_completion_handler move
    // assignment recurses without end (it wraps the source as a new handler).
    call_state(std::shared_ptr<client_core> c, handler<T>&& handler) : core(std::move(c)), h(std::move(handler)) {}
    ~call_state() {
        // Only a call whose coroutine was destroyed without completing (its io_context was
        // destroyed) is still registered; that happens on the one thread destroying it.
        if (registered) core->unregister_call(*this);
    }

    std::shared_ptr<client_core> core;
    handler<T> h;
    /// The handler's associated executor; tracked as having work until the handler ran when it is
    /// not the client's own (whose work the call's pending operations count).
    asio::any_completion_executor handler_work;
    /// The handler runs on the client's own (user's) executor: handler_work is not needed.
    bool handler_on_client = false;
    /// The caller's cancellation slot, where cancel_forwarder is installed. Left installed when
    /// the call completes (see deliver()); cleared only when launch() itself fails.
    asio::cancellation_slot caller_slot;
    /// The outcome, set when the call completes; for an API call whose validation failed in the
    /// initiating function, set there and taken by start_call() (http_call_state).
    std::optional<outcome<T>> result;
};

/// Installed in the caller's cancellation slot. Runs wherever the caller emits (any thread):
/// it records the request (visible to the call's next step at once) and has the stop carried out
/// on the client's executor, where it closes the call's connection or cancels its timer.
///
/// It holds the call weakly: the caller's signal may outlive the call (and its io_context), and a
/// strong reference from there would keep the call, its handler and the work it counts alive.
template <class T>
struct cancel_forwarder {
    std::weak_ptr<call_state<T>> state;

    void operator()(asio::cancellation_type type) noexcept {
        if (type == asio::cancellation_type::none) return;
        std::shared_ptr<call_state<T>> st = state.lock();
        if (!st) return; // the call is over
        st->control.requested.store(true, std::memory_order_release);
        try {
            const asio::any_io_executor ex = st->core->executor();
            asio::dispatch(ex, [st = std::move(st), type] { st->stop(type, call_sm::event::cancel); });
        } catch (...) {
            // Out of memory: the flag alone ends the call at its next step.
        }
    }
};

inline error internal_error(std::exception_ptr ep, std::string_view operation) noexcept {
    try {
        std::string what = "unexpected exception";
        try {
            std::rethrow_exception(ep);
        } catch (const std::bad_alloc&) {
            what = "out of memory (std::bad_alloc)";
        } catch (const std::exception& e) {
            what += ": ";
            what += e.what();
        } catch (...) {
        }
        return make_error(errc::internal, std::move(what), operation);
    } catch (...) {
        return error(); // errc::internal without details: nothing could be allocated
    }
}

/// True when `ex` is an io_context executor whose context runs on this thread (the common case,
/// where work may be done at once instead of being dispatched).
template <class Executor>
bool running_here(const Executor& ex) noexcept {
    using io_executor = asio::io_context::executor_type;
    const io_executor* io = ex.template target<io_executor>();
    return io != nullptr && io->running_in_this_thread();
}

/// What a completion handler receives: only what is its own (issue 16). Built on the client's
/// executor from the call's state, which is then released there, before the handler runs.
template <class T>
struct handler_call {
    handler<T> h;
    asio::any_completion_executor work; ///< the handler's executor's work, released after it ran
    outcome<T> result;

    /// noexcept: a handler that throws ends the program where it runs (completions are
    /// noexcept, client.hpp), so an exception reaching deliver() is always the executor's.
    void operator()() noexcept {
        auto keep = std::move(work);
        std::move(h)(std::move(result));
    }
};

/// handler_call as dispatched to another executor. A dispatch that fails (out of memory) destroys
/// the function it was given without running it, and Asio moved the handler into it first: the
/// handler is then handed back through `rescue` (set only around that dispatch, on this thread)
/// instead of being lost, and runs on the client's executor rather than never.
template <class T>
struct dispatched_handler {
    static inline thread_local std::optional<handler_call<T>>* rescue = nullptr;
    handler_call<T> call;

    explicit dispatched_handler(handler_call<T>&& c) noexcept : call(std::move(c)) {}
    dispatched_handler(dispatched_handler&&) noexcept = default;
    ~dispatched_handler() {
        if (call.h && rescue != nullptr) {
            try {
                rescue->emplace(std::move(call));
            } catch (...) {
            }
        }
    }
    void operator()() noexcept {
        rescue = nullptr; // running: the dispatch succeeded (it may run it inline)
        call();
    }
};

/// Points dispatched_handler<T>::rescue at `slot` for one dispatch (nested ones restore it).
template <class T>
struct rescue_scope {
    std::optional<handler_call<T>>* outer;
    explicit rescue_scope(std::optional<handler_call<T>>* slot) noexcept : outer(dispatched_handler<T>::rescue) {
        dispatched_handler<T>::rescue = slot;
    }
    ~rescue_scope() { dispatched_handler<T>::rescue = outer; }
    rescue_scope(const rescue_scope&) = delete;
    rescue_scope& operator=(const rescue_scope&) = delete;
};

/// Runs the handler on its own executor with st->result. Never throws: if the executor cannot
/// take the function (out of memory), it runs here.
///
/// The one rule (client_core.hpp): the call's state holds the client's internals (the last
/// reference to the core may be among them), so it is released here, on the client's executor,
/// before the handler is dispatched; the handler's thread only ever destroys the handler, its
/// outcome and its own executor's work guard.
template <class T>
void deliver(std::shared_ptr<call_state<T>> st) noexcept {
    // The caller's slot is not cleared here: the caller may emit on an executor other than the
    // handler's, and clearing would race with that emit. The forwarder left in the slot holds
    // the call weakly and does nothing once the call is over; the caller's next operation on
    // that slot (or the signal's destruction) replaces it on the caller's side.
    (void)call_sm::step(st->sm, call_sm::event::delivered);
    const bool on_client = st->handler_on_client;
    handler_call<T> call{std::move(st->h), std::move(st->handler_work), std::move(*st->result)};
    // Copies of the executors to run the handler on: they stay valid after the state (and maybe
    // the core) is gone. The handler's own is empty when it is the client's (nothing tracked).
    asio::any_io_executor client_ex;
    asio::any_completion_executor handler_ex;
    if (on_client) client_ex = st->core->get_executor();
    else handler_ex = call.work;
    st.reset(); // here, on the client's executor
    // The handler runs on its executor: at once when that is an io_context executor running on
    // this thread (as asio::dispatch would, without wrapping the function for a type-erased
    // executor: a heap allocation per call), else dispatched. Only a failure to hand the function
    // over (out of memory) falls back to running it here; an exception from the handler itself
    // ends the program (completions are noexcept, client.hpp).
    std::optional<handler_call<T>> rescued;
    auto run_on = [&](const auto& ex) {
        if (running_here(ex)) return call();
        const rescue_scope<T> scope(&rescued);
        asio::dispatch(ex, dispatched_handler<T>(std::move(call)));
    };
    try {
        if (on_client)
            run_on(client_ex);
        else
            run_on(handler_ex);
    } catch (...) {
        // Only the executor can have thrown (the handler's invocation is noexcept): the function
        // came back (rescued), never left (call.h), or the executor kept it, which then owns it.
        // Boost.Asio 1.81's strand that took the function but could not schedule itself stays
        // locked: the handler is destroyed with its context, uncalled (docs/errors.md).
    }
    // Out of memory before the handler ran: run it here, on the client's executor, rather than never.
    if (rescued) (*rescued)();
    else if (call.h) call();
}

/// The call's outcome is known (the machine said deliver): what its step held goes back, it
/// leaves the registry, its state is released here and the handler dispatched (deliver()).
template <class T>
void finish_call(std::shared_ptr<call_state<T>> st) noexcept {
    st->core->unregister_call(*st);
    deliver(std::move(st));
}

/// Completion of a warm-up's coroutine (run_warm_up).
template <class T>
struct spawn_done {
    std::shared_ptr<call_state<T>> st;

    void operator()(std::exception_ptr ep, outcome<T> r) noexcept {
        if (ep) r = internal_error(ep, "");
        st->result.emplace(std::move(r));
        (void)call_sm::step(st->sm, call_sm::event::outcome_ready);
        finish_call(std::move(st));
    }
};

/// The checks every call makes first, on the client's executor: nullptr if it may go on.
inline std::optional<error> refuse_start(client_core& core, call_base& call, std::string_view operation) {
    if (core.closed()) return make_error(errc::cancelled, "the client was destroyed before the call started", operation);
    if (call.control.stopped()) return make_error(errc::cancelled, "cancelled before the call started", operation);
    if (const error* e = core.configuration_error()) return *e;
    return std::nullopt;
}

/// A call of the API: the generic call state plus the request and where its attempts stand.
template <class T>
struct http_call_state final : call_state<T> {
    using call_state<T>::call_state;

    ~http_call_state() { recycle_body_buffer(std::move(call.body)); }

    /// call_options::retry was given: it waits in send.policy for start_call() (a copy of the
    /// whole call_options in every call state would cost 56 B per call in flight).
    bool retry_overridden = false;
    std::optional<std::chrono::milliseconds> timeout_override; ///< call_options::timeout
    http_call call;
    interpreter<T> interpret = nullptr;
    send_state send;
};

// ---------------------------------------------------------------------------------------------
// The driver of an API call: drive() feeds each event to the call's state machine
// (call_state_machine.hpp) and carries out the action it returns. Synchronous actions (preparing
// an attempt, asking the pool) feed their event back at once; asynchronous ones (a queued wait,
// opening a connection, the exchange, a backoff) end in a completion that calls drive() again.
// Everything runs on the client's executor. The common case (an idle connection, one attempt)
// runs without a coroutine frame and allocates nothing beyond the call's state; so does a wait
// in the pool's queue (its timer lives in the call's state). Opening a connection and a backoff
// are coroutines (http_client::open_connection, back_off).

template <class T>
void drive(const std::shared_ptr<http_call_state<T>>& st, call_sm::event e, call_sm::facts f = {}) noexcept;

/// After an attempt that ended (with or without an exchange): the call's final outcome (kept in
/// st.result), or another attempt after a backoff (facts.retry).
template <class T>
void judge_attempt(http_call_state<T>& st, call_sm::facts& f) {
    http_client& http = st.core->http();
    std::optional<outcome<http_reply>> done = http.after_attempt(st.send, st.control);
    if (!done) {
        f.retry = true;
        return;
    }
    if (!*done) {
        st.result.emplace(std::move(*done).error());
        return;
    }
    outcome<T> result = st.interpret(**done, st.call);
    http.connections().recycle_body(std::move((*done)->body)); // the next response reuses its buffer
    st.result.emplace(std::move(result));
}

/// The event an exchange's end makes (connection::exchange_done, or a refusal to start one).
template <class T>
call_sm::event exchange_end(http_call_state<T>& st, std::optional<io_failure> failure, call_sm::facts& f) {
    f = {};
    if (!st.core->http().finish_exchange(st.send, std::move(failure), st.control, st.sm.fresh_only))
        f.same_attempt_again = true; // a stale kept-alive connection: the same attempt on a new one
    else
        judge_attempt(st, f);
    return call_sm::event::exchange_finished;
}

template <class T>
void on_exchange_end(connection::exchange_args&, std::optional<io_failure> failure, std::shared_ptr<void> owner) noexcept;

/// Where a queued wait for a connection ends (its timer's completion).
template <class T>
struct waited_for_connection {
    std::shared_ptr<http_call_state<T>> st;
    void operator()(boost::system::error_code ec) noexcept;
};

/// Completion of http_client::open_connection's coroutine.
template <class T>
struct opened {
    std::shared_ptr<http_call_state<T>> st;
    void operator()(std::exception_ptr ep, bool ready) noexcept;
};

/// Completion of http_client::back_off's coroutine.
template <class T>
struct backed_off {
    std::shared_ptr<http_call_state<T>> st;
    void operator()(std::exception_ptr ep, backoff_end end) noexcept;
};

/// Carries out one action; returns the next event when the action is synchronous, nullopt when
/// a completion will call drive() later (or the call is over).
template <class T>
std::optional<call_sm::event> carry_out(const std::shared_ptr<http_call_state<T>>& st, call_sm::action a,
                                        call_sm::facts& f) {
    using call_sm::action;
    using call_sm::event;
    http_call_state<T>& c = *st;
    http_client& http = c.core->http();
    send_state& s = c.send;
    f = {};
    switch (a) {
    case action::none:
    case action::drop: return std::nullopt;
    case action::prepare_attempt:
        if (http.prepare_attempt(s, c.control)) return event::attempt_prepared;
        judge_attempt(c, f);
        return event::attempt_failed;
    case action::take_connection:
        s.conn = http.connections().take_idle();
        if (s.conn) return event::connection_granted;
        return http.connections().must_queue() ? event::pool_full : event::slot_granted;
    case action::queue:
        if (!http.queue_for_connection(s, c.control)) {
            judge_attempt(c, f);
            return event::attempt_failed;
        }
        s.queued->timer.async_wait(waited_for_connection<T>{st});
        return std::nullopt;
    case action::open_connection:
        asio::co_spawn(c.core->executor(), http.open_connection(s, c.sm.fresh_only, c.control), opened<T>{st});
        return std::nullopt;
    case action::write_request: {
        http.write_request(s);
        s.exchange.control = &c.control;
        s.exchange.done = &on_exchange_end<T>;
        if (auto refused = s.conn->async_exchange(s.exchange, st)) return exchange_end(c, std::move(refused), f);
        return std::nullopt;
    }
    case action::wait_backoff:
        asio::co_spawn(c.core->executor(), http.back_off(s, c.control), backed_off<T>{st});
        return std::nullopt;
    case action::stop_step: c.control.interrupt(); return std::nullopt;
    case action::deliver:
    case action::deliver_later: {
        // What the step held goes back now, not when the state is freed (after the handler ran):
        // an unused connection, a slot the pool reserved for it, its place in the queue.
        c.control.waiting = nullptr;
        if (s.conn) {
            // Granted, never written to (an exchange gives its connection back or closes it,
            // and a failed step discards it): clean, as the pool handed it over.
            try {
                http.connections().give_back(s.conn, true);
            } catch (...) {
                s.conn.discard();
            }
        }
        s.queued.reset();
        s.granted_slot = slot_reservation();
        if (!c.result) {
            // A stop ended it between two steps. Out of memory for the message: the code alone.
            try {
                c.result.emplace(http.stopped_error(s));
            } catch (...) {
                c.result.emplace(internal_error(std::current_exception(), c.call.operation));
            }
        }
        if (a == action::deliver) {
            finish_call<T>(st);
            return std::nullopt;
        }
        try {
            asio::post(c.core->executor(), [st]() noexcept { finish_call<T>(st); });
        } catch (...) {
            finish_call<T>(st); // out of memory: delivered here rather than never
        }
        return std::nullopt;
    }
    }
    return std::nullopt;
}

template <class T>
void drive(const std::shared_ptr<http_call_state<T>>& st, call_sm::event e, call_sm::facts f) noexcept {
    try {
        for (;;) {
            // Every event says whether a stop is visible: the caller's flag, client::cancel() or
            // ~client may be seen before their dispatched stop arrives.
            f.stopped = st->control.stopped();
            const call_sm::action a = call_sm::step(st->sm, e, f);
            const std::optional<call_sm::event> next = carry_out(st, a, f);
            if (!next) return;
            e = *next;
        }
    } catch (...) {
        // Out of memory (or another exception) in a step: the call ends with errc::internal. Its
        // connection's state is unknown: it is discarded, not given back.
        st->send.conn.discard();
        st->result.emplace(internal_error(std::current_exception(), st->call.operation));
        if (st->sm.current == call_sm::state::delivering) return finish_call<T>(st); // it threw before delivering
        call_sm::facts none;
        try {
            // outcome_ready → deliver: only noexcept steps follow.
            (void)carry_out(st, call_sm::step(st->sm, call_sm::event::outcome_ready, none), none);
        } catch (...) {
        }
    }
}

template <class T>
void on_exchange_end(connection::exchange_args&, std::optional<io_failure> failure, std::shared_ptr<void> owner) noexcept {
    auto st = std::static_pointer_cast<http_call_state<T>>(std::move(owner));
    call_sm::facts f;
    call_sm::event e = call_sm::event::outcome_ready;
    try {
        e = exchange_end(*st, std::move(failure), f);
    } catch (...) {
        st->send.conn.discard();
        st->result.emplace(internal_error(std::current_exception(), st->call.operation));
    }
    drive(st, e, f);
}

template <class T>
void waited_for_connection<T>::operator()(boost::system::error_code ec) noexcept {
    call_sm::facts f;
    call_sm::event e = call_sm::event::outcome_ready;
    try {
        switch (st->core->http().end_wait(st->send, ec, st->control)) {
        case http_client::wait_outcome::exchange: e = call_sm::event::connection_granted; break;
        case http_client::wait_outcome::open: e = call_sm::event::slot_granted; break;
        case http_client::wait_outcome::again: e = call_sm::event::wait_ended; break;
        case http_client::wait_outcome::attempt_failed:
            judge_attempt(*st, f);
            e = call_sm::event::attempt_failed;
            break;
        }
    } catch (...) {
        st->result.emplace(internal_error(std::current_exception(), st->call.operation));
    }
    drive(st, e, f);
}

template <class T>
void opened<T>::operator()(std::exception_ptr ep, bool ready) noexcept {
    call_sm::facts f;
    call_sm::event e = call_sm::event::outcome_ready;
    if (ep) {
        st->result.emplace(internal_error(ep, st->call.operation));
    } else if (ready) {
        e = call_sm::event::connected;
    } else {
        try {
            judge_attempt(*st, f);
            e = call_sm::event::attempt_failed;
        } catch (...) {
            st->result.emplace(internal_error(std::current_exception(), st->call.operation));
        }
    }
    drive(st, e, f);
}

template <class T>
void backed_off<T>::operator()(std::exception_ptr ep, backoff_end end) noexcept {
    call_sm::event e = call_sm::event::outcome_ready;
    if (ep)
        st->result.emplace(internal_error(ep, st->call.operation));
    else if (end == backoff_end::elapsed)
        e = call_sm::event::backoff_elapsed;
    else {
        st->result.emplace(std::move(*st->send.call_error));
        if (end == backoff_end::deadline) e = call_sm::event::deadline;
    }
    drive(st, e);
}

/// The start of every API call, on the client's executor: posted there by launch(), or run inside
/// the initiating function when this thread runs the client's io_context (`initiating`).
template <class T>
void start_call(const std::shared_ptr<http_call_state<T>>& st, bool initiating) noexcept {
    call_sm::facts f;
    f.initiating = initiating;
    try {
        client_core& core = *st->core;
        core.register_call(*st);
        const std::string_view operation = st->call.operation;
        // A result already there: validation failed in the initiating function (launch()).
        std::optional<error> refused;
        if (!st->result) refused = refuse_start(core, *st, operation);
        if (!st->result && !refused && st->timeout_override && st->timeout_override->count() <= 0)
            refused = make_error(errc::invalid_argument, "call_options.timeout: must be positive", operation);
        if (!st->result && !refused && st->retry_overridden) {
            if (auto bad = check_retry_policy(st->send.policy))
                refused = make_error(errc::invalid_argument, "call_options." + *bad, operation);
        }
        if (refused) st->result.emplace(std::move(*refused));
        if (st->result) {
            f.refused = true;
        } else {
            const retry_policy policy = st->retry_overridden ? st->send.policy : core.options().retry;
            core.http().begin(st->send, st->call, st->timeout_override.value_or(core.options().timeout), policy);
        }
    } catch (...) {
        st->result.emplace(internal_error(std::current_exception(), st->call.operation));
        f.refused = true;
    }
    drive(st, call_sm::event::start, f);
}

/// Opens up to `n` connections (client::warm_up_async).
inline asio::awaitable<outcome<std::size_t>> run_warm_up(std::shared_ptr<call_state<std::size_t>> st, std::size_t n) {
    client_core& core = *st->core;
    core.register_call(*st);
    if (auto refused = refuse_start(core, *st, "warm_up")) co_return std::move(*refused);
    call_sm::facts f;
    f.open_only = true;
    f.stopped = st->control.stopped();
    if (call_sm::step(st->sm, call_sm::event::start, f) != call_sm::action::open_connection)
        co_return make_error(errc::cancelled, "cancelled before the call started", "warm_up");
    co_return co_await core.http().connections().warm_up(
        n, deadline_after(std::chrono::steady_clock::now(), core.options().timeout), st->control);
}

/// Starts one call: makes its State (a call_state<T>), registered for cancel() by the work,
/// forwarding the caller's cancellation, completing on the handler's executor; then `prepare(st)`
/// fills it and `start(st)` hands it to the client's executor (its completion never runs inside
/// this function).
template <class T, class State, class Prepare, class Start>
void launch_task(const std::shared_ptr<client_core>& core, handler<T> h, Prepare prepare, Start start) noexcept {
    if (!core->executor()) {
        // The client's execution context was destroyed: nothing can run on it, and the handler's
        // executor (by default, that context's) may be gone too. The handler is dropped uncalled,
        // as Asio drops the operations of a destroyed context.
        return;
    }
    std::shared_ptr<State> st;
    try {
        // The handler's executor counts as having work until the handler ran. When it is the
        // client's own executor, the call's pending operations already count (from the start to
        // the delivery, which runs on it), so nothing is tracked; and then the erased handler is
        // not asked for its executor at all (that builds an any_completion_executor: measured,
        // one heap allocation per call).
        const bool on_client = h.default_executor() || (h.io_executor() != nullptr && *h.io_executor() == core->get_executor());
        asio::any_completion_executor work;
        if (!on_client) {
            // any_completion_handler builds its executor without throwing: out of memory, it is empty.
            const asio::any_completion_executor handler_ex = asio::get_associated_executor(h.get(), core->get_executor());
            if (!handler_ex) throw std::bad_alloc();
            // Compared as io_context executors (the common case): building an
            // any_completion_executor from the client's executor to compare with would itself allocate.
            using io_executor = asio::io_context::executor_type;
            const io_executor* theirs = handler_ex.template target<io_executor>();
            const asio::any_io_executor client_ex = core->get_executor(); // target() points into it
            const io_executor* mine = client_ex.template target<io_executor>();
            work = handler_ex;
            if (theirs == nullptr || mine == nullptr || !(*theirs == *mine))
                work = asio::prefer(handler_ex, asio::execution::outstanding_work.tracked);
        }
        asio::cancellation_slot slot = asio::get_associated_cancellation_slot(h.get());
        // h is untouched if this throws.
        st = std::allocate_shared<State>(per_thread_recycler<State>(), core, std::move(h));
        core->arm(st->control);
        st->handler_work = std::move(work);
        st->handler_on_client = on_client;
        prepare(*st);
        st->caller_slot = slot;
        if (st->caller_slot.is_connected()) st->caller_slot.template emplace<cancel_forwarder<T>>(st);
        start(st);
    } catch (...) {
        // Out of memory before the call could start: complete it with errc::internal, still
        // never inside this function when the executor can take a function.
        const auto ep = std::current_exception();
        if (st && st->h) {
            if (st->caller_slot.is_connected()) st->caller_slot.clear();
            call_sm::facts f;
            f.refused = true;
            f.initiating = true; // this is the initiating function: the delivery is posted
            (void)call_sm::step(st->sm, call_sm::event::start, f); // deliver_later
            st->result.emplace(internal_error(ep, ""));
            try {
                asio::post(core->executor(), [st]() noexcept { deliver<T>(st); });
            } catch (...) {
                deliver<T>(std::move(st)); // out of memory again: here rather than never
            }
            return;
        }
        try {
            // Posted to the client's executor (a handler's executor need not support post), from
            // there dispatched to the handler's own.
            asio::post(core->executor(), [h = std::move(h), e = internal_error(ep, ""), ex = core->get_executor()]() mutable {
                const asio::any_completion_executor handler_ex = asio::get_associated_executor(h.get(), ex);
                if (handler_ex) {
                    try {
                        // The function owns the handler: the dispatch may queue it and return,
                        // and this lambda (with anything it captured) is destroyed right after.
                        asio::dispatch(handler_ex, [h = std::move(h), e = std::move(e)]() mutable noexcept {
                            std::move(h)(std::move(e));
                        });
                        return;
                    } catch (...) {
                    }
                }
                if (h) std::move(h)(std::move(e)); // out of memory again: here, on the client's executor
            });
        } catch (...) {
            // Nothing can be allocated at all: the handler is destroyed uncalled (a coroutine
            // awaiting it is destroyed with it), which is all that is left to do.
        }
    }
}

template <class T>
void launch(const std::shared_ptr<client_core>& core, outcome<http_call> call, const call_options& overrides,
            handler<T> h, interpreter<T> interpret) noexcept {
    launch_task<T, http_call_state<T>>(
        core, std::move(h),
        [&](http_call_state<T>& st) {
            if (call)
                st.call = std::move(*call); // the encoded body moves; nothing is copied
            else
                st.result.emplace(std::move(call).error()); // the outcome, known before the start
            st.timeout_override = overrides.timeout;
            if (overrides.retry) {
                st.send.policy = *overrides.retry;
                st.retry_overridden = true;
            }
            st.interpret = interpret;
        },
        [](const std::shared_ptr<http_call_state<T>>& st) {
            // Started at once when this thread runs the client's io_context (the call is then
            // on its executor already; complete() keeps the handler out of the initiation);
            // posted otherwise.
            const asio::any_io_executor& ex = st->core->executor();
            if (running_here(ex)) {
                start_call<T>(st, true);
                (void)call_sm::step(st->sm, call_sm::event::initiation_returned);
                return;
            }
            asio::post(ex, [st]() noexcept { start_call<T>(st, false); });
        });
}

} // namespace ding::detail
