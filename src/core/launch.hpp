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
    bool done = false; ///< on core->executor(): the coroutine completed; no stop after this
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
            asio::dispatch(ex, [st = std::move(st), type] {
                if (!st->done) st->stop(type);
            });
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
        // came back (rescued), never left (call.h), or the executor kept it, which then owns it
        // (a strand that took the function but could not schedule itself runs it later, or
        // destroys it with its context, as Asio does with any operation it holds).
    }
    // Out of memory before the handler ran: run it here, on the client's executor, rather than never.
    if (rescued) (*rescued)();
    else if (call.h) call();
}

template <class T>
struct spawn_done {
    std::shared_ptr<call_state<T>> st;

    void operator()(std::exception_ptr ep, outcome<T> r) noexcept {
        st->done = true;
        st->core->unregister_call(*st);
        if (ep) r = internal_error(ep, "");
        st->result.emplace(std::move(r));
        deliver(std::move(st));
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

    /// start_call() runs inside the initiating function: a completion must not run inline.
    bool initiating = false;
    /// call_options::retry was given: it waits in send.policy for start_call() (a copy of the
    /// whole call_options in every call state would cost 56 B per call in flight).
    bool retry_overridden = false;
    std::optional<std::chrono::milliseconds> timeout_override; ///< call_options::timeout
    http_call call;
    interpreter<T> interpret = nullptr;
    send_state send;
};

/// Ends a call on the client's executor: no stop after this, the handler runs on its own.
template <class T>
void complete(std::shared_ptr<call_state<T>> st, outcome<T> r) noexcept {
    st->done = true;
    st->core->unregister_call(*st);
    st->result.emplace(std::move(r));
    deliver(std::move(st));
}

/// complete() for an API call: a call that ends while its initiating function still runs (it was
/// refused, or invalid) has its handler posted, never run inside the initiation.
template <class T>
void complete(const std::shared_ptr<http_call_state<T>>& st, outcome<T> r) noexcept {
    if (!st->initiating) return complete<T>(std::shared_ptr<call_state<T>>(st), std::move(r));
    st->initiating = false;
    try {
        asio::post(st->core->executor(), [st, r = std::move(r)]() mutable noexcept {
            complete<T>(std::shared_ptr<call_state<T>>(std::move(st)), std::move(r));
        });
    } catch (...) {
        // Out of memory: completed here rather than never.
        complete<T>(std::shared_ptr<call_state<T>>(st), internal_error(std::current_exception(), st->call.operation));
    }
}

template <class T>
outcome<T> interpret_reply(http_call_state<T>& st, outcome<http_reply> reply) {
    if (!reply) return std::move(reply).error();
    outcome<T> result = st.interpret(*reply, st.call);
    st.core->http().connections().recycle_body(std::move(reply->body)); // the next response reuses its buffer
    return result;
}

template <class T>
void fail_internal(const std::shared_ptr<http_call_state<T>>& st, std::exception_ptr ep) noexcept {
    st->send.conn.discard(); // its state is unknown
    // Out of the pool's queue now (not when the state is freed, after the handler ran), and a
    // slot the pool reserved for it goes back.
    st->control.waiting = nullptr;
    st->send.queued.reset();
    st->send.granted_slot = slot_reservation();
    error e = internal_error(ep, st->call.operation);
    complete<T>(st, std::move(e));
}

// A call's steps (http_client.hpp), driven by plain callbacks on the client's executor. The
// common case, an idle connection ready and one attempt enough, runs without a coroutine frame
// and allocates nothing of its own beyond the call's state; so does waiting in the pool's queue
// while it is full (queue_for_connection: the wait lives in the call's state, not in coroutine
// frames, which matters with thousands of calls queued). A backoff and opening a connection run
// as a coroutine (http_client::obtain).
template <class T>
void next_attempt(const std::shared_ptr<http_call_state<T>>& st);

template <class T>
void after_attempt(const std::shared_ptr<http_call_state<T>>& st) {
    if (auto done = st->core->http().after_attempt(st->send, st->control)) {
        outcome<T> result = interpret_reply(*st, std::move(*done));
        return complete<T>(st, std::move(result));
    }
    next_attempt(st); // after a backoff
}

/// Where an exchange ends (connection::exchange_done), on the client's executor.
/// After an exchange ended (or could not start): the attempt's result, or the same attempt again.
template <class T>
void exchange_ended(const std::shared_ptr<http_call_state<T>>& st, std::optional<io_failure> failure) {
    if (!st->core->http().finish_exchange(st->send, std::move(failure), st->control))
        return next_attempt(st); // the same attempt again, on a new connection
    after_attempt(st);
}

template <class T>
void on_exchange_end(connection::exchange_args&, std::optional<io_failure> failure, std::shared_ptr<void> owner) noexcept {
    auto st = std::static_pointer_cast<http_call_state<T>>(std::move(owner));
    try {
        exchange_ended(st, std::move(failure));
    } catch (...) {
        fail_internal(st, std::current_exception());
    }
}

template <class T>
void start_exchange(const std::shared_ptr<http_call_state<T>>& st) {
    http_client& http = st->core->http();
    send_state& s = st->send;
    http.write_request(s);
    s.exchange.control = &st->control;
    s.exchange.done = &on_exchange_end<T>;
    connection& conn = *s.conn;
    if (auto refused = conn.async_exchange(s.exchange, st)) exchange_ended(st, std::move(refused));
}

/// Completion of http_client::obtain's coroutine.
template <class T>
struct obtained {
    std::shared_ptr<http_call_state<T>> st;

    void operator()(std::exception_ptr ep, next_step next) noexcept {
        if (ep) return fail_internal(st, ep);
        try {
            switch (next) {
            case next_step::exchange: return start_exchange(st);
            case next_step::attempt_failed: return after_attempt(st);
            case next_step::call_failed: return complete<T>(st, std::move(*st->send.call_error));
            }
        } catch (...) {
            fail_internal(st, std::current_exception());
        }
    }
};

template <class T>
void queue_for_connection(const std::shared_ptr<http_call_state<T>>& st);

template <class T>
void next_attempt(const std::shared_ptr<http_call_state<T>>& st) {
    http_client& http = st->core->http();
    send_state& s = st->send;
    if (!s.wait && !s.fresh_only && !s.granted_slot) {
        s.conn = http.connections().take_idle();
        if (!s.conn && http.connections().must_queue()) return queue_for_connection(st);
    }
    if (!s.conn) {
        // A backoff, or a connection to open.
        asio::co_spawn(st->core->executor(), http.obtain(s, st->control), obtained<T>{st});
        return;
    }
    if (!s.prepared && !http.prepare_attempt(s, st->control)) {
        http.connections().give_back(s.conn, true); // unused: still clean
        return after_attempt(st);
    }
    start_exchange(st);
}

/// Where a queued wait for a connection ends (its timer's completion), on the client's executor.
template <class T>
struct waited_for_connection {
    std::shared_ptr<http_call_state<T>> st;

    void operator()(boost::system::error_code ec) noexcept {
        try {
            switch (st->core->http().end_wait(st->send, ec, st->control)) {
            case http_client::wait_outcome::exchange: return start_exchange(st);
            case http_client::wait_outcome::open: [[fallthrough]];
            case http_client::wait_outcome::again: return next_attempt(st);
            case http_client::wait_outcome::attempt_failed: return after_attempt(st);
            }
        } catch (...) {
            fail_internal(st, std::current_exception());
        }
    }
};

template <class T>
void queue_for_connection(const std::shared_ptr<http_call_state<T>>& st) {
    send_state& s = st->send;
    if (!st->core->http().queue_for_connection(s, st->control)) return after_attempt(st);
    s.queued->timer.async_wait(waited_for_connection<T>{st});
}

/// The start of every API call, on the client's executor (posted there by launch()).
template <class T>
void start_call(const std::shared_ptr<http_call_state<T>>& st) noexcept {
    try {
        client_core& core = *st->core;
        core.register_call(*st);
        const std::string_view operation = st->call.operation;
        if (auto refused = refuse_start(core, *st, operation)) return complete<T>(st, std::move(*refused));
        if (st->result) {
            // Validation failed in the initiating function (launch()).
            outcome<T> rejected = std::move(*st->result);
            st->result.reset();
            return complete<T>(st, std::move(rejected));
        }
        if (st->timeout_override && st->timeout_override->count() <= 0)
            return complete<T>(st, make_error(errc::invalid_argument, "call_options.timeout: must be positive", operation));
        if (st->retry_overridden) {
            if (auto bad = check_retry_policy(st->send.policy))
                return complete<T>(st, make_error(errc::invalid_argument, "call_options." + *bad, operation));
        }
        const retry_policy policy = st->retry_overridden ? st->send.policy : core.options().retry;
        core.http().begin(st->send, st->call, st->timeout_override.value_or(core.options().timeout), policy);
        next_attempt(st);
    } catch (...) {
        fail_internal(st, std::current_exception());
    }
}

/// Opens up to `n` connections (client::warm_up_async).
inline asio::awaitable<outcome<std::size_t>> run_warm_up(std::shared_ptr<call_state<std::size_t>> st, std::size_t n) {
    client_core& core = *st->core;
    core.register_call(*st);
    if (auto refused = refuse_start(core, *st, "warm_up")) co_return std::move(*refused);
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
            st->done = true;
            st->result.emplace(internal_error(ep, ""));
            deliver<T>(std::move(st));
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
                st->initiating = true;
                start_call<T>(st);
                st->initiating = false;
                return;
            }
            asio::post(ex, [st]() noexcept { start_call<T>(st); });
        });
}

} // namespace ding::detail
