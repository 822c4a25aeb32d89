#pragma once
// A call's life as one pure state machine (issue 16): every state a call can be in, the events
// that move it, and what the driver must do next, on one screen. No I/O, no executor, no clock:
// the driver (launch.hpp) carries out the actions and feeds back what happened; the unit tier's
// simulator (test/unit/test_call_simulator.cpp) drives it with a fake pool connection, a virtual
// clock and two fake executors. Modelled on Boost.Redis' exec_fsm and on pool_state.hpp.
//
// The rules it encodes:
// - A stop (a cancellation of any type, client::cancel(), ~client) or the deadline never ends a
//   call by itself while a step is in progress: it makes the driver end the step (close the
//   connection doing the I/O, cancel the timer waited on), and the step's own completion, which
//   always comes exactly once, ends the call. So whatever the step holds (a lease, a slot, a
//   place in the pool's queue) is given back by that completion, exactly once.
// - Between steps (validating, after a step's completion) a recorded stop ends the call at once.
// - A cancellation wins over a deadline that passed in the same step (the caller asked first or
//   the answer is the same: the call is over), as in http_client::finish_exchange.
// - delivering: the outcome is known; the driver releases the call's state on the client's
//   executor, then dispatches the handler. Nothing of the call is touched after that, and the
//   handler's executor only ever runs the handler.
// - context_shutdown: the client's execution context is destroyed; its pending operations (the
//   call's step) are destroyed uncalled, so the handler is dropped, never called.

#include <cstdint>

namespace ding::detail::call_sm {

/// Where a call is.
enum class state : std::uint8_t {
    validating,             ///< launched; its first step on the client's executor has not run
    waiting_for_connection, ///< queued in the pool's FIFO while the pool is full
    connecting,             ///< opening a connection in a slot of its own (resolve, connect, TLS)
    exchanging,             ///< its request on a connection, the response awaited
    backing_off,            ///< between two attempts
    delivering,             ///< the outcome is known: what the step held goes back, the handler is taken out
    done,                   ///< the state is released (on the client's executor) and the handler dispatched, or dropped
};

/// What happened (fed by the driver, on the client's executor unless said otherwise).
enum class event : std::uint8_t {
    start,              ///< the call's first step runs
    connection_granted, ///< the pool gave it a connection: an idle one, or one handed over
    slot_granted,       ///< the pool gave it a free slot (at once, or by waking its wait)
    pool_full,          ///< no idle connection and no free slot: it must queue
    wait_ended,         ///< its queued wait ended with nothing granted (its timer ended)
    connected,          ///< the connection it opened is ready
    connect_failed,     ///< opening the connection failed (facts.retryable says if another attempt may follow)
    exchange_finished,  ///< the exchange ended (facts: same_attempt_again, retryable, final)
    backoff_elapsed,    ///< the backoff's timer ended (elapsed or cancelled)
    deadline,           ///< the call's deadline passed during the current step
    cancel,             ///< a cancellation (terminal, partial or total) or client::cancel()
    client_destroyed,   ///< ~client
    context_shutdown,   ///< the client's execution context is being destroyed
    delivered,          ///< the driver took the handler and the outcome out: the state is released next
};

/// What the driver does next.
enum class action : std::uint8_t {
    none,             ///< nothing (an event the state does not wait for, e.g. a stop after the end)
    take_connection,  ///< ask the pool: an idle connection, else a free slot, else queue (feeds back one event)
    queue,            ///< join the pool's FIFO and wait on the call's timer (until the deadline)
    open_connection,  ///< open a connection in the call's slot
    write_request,    ///< prepare the attempt, write the request, read the response
    wait_backoff,     ///< wait min(backoff, deadline)
    stop_step,        ///< end the step in progress: close its connection or cancel its timer
    deliver,          ///< give back what the step held, release the state here, dispatch the handler
    drop,             ///< destroy the state and the handler uncalled (the context is going)
};

/// How the call ended (meaningful from delivering on).
enum class ending : std::uint8_t {
    none,
    reply,     ///< the last attempt's reply or failure, as finish_exchange and after_attempt made it
    refused,   ///< before any I/O: invalid, or the client was closed / the call cancelled first
    cancelled, ///< a stop during the call
    timeout,   ///< the deadline passed
    dropped,   ///< the context was destroyed: the handler never runs
};

/// What the driver knows about the event (only the fields the event uses are read).
struct facts {
    bool refused = false;            ///< start: validation failed, or a stop came before the start
    bool same_attempt_again = false; ///< exchange_finished: a stale kept-alive connection: the same attempt on a new one
    bool retryable = false;          ///< exchange_finished, connect_failed: the retry rules allow another attempt
};

struct machine {
    state current = state::validating;
    ending end = ending::none;
    /// A stop or the deadline came while a step was in progress: its completion ends the call.
    ending pending_stop = ending::none;
    int attempt = 0;      ///< the attempt in progress (1-based)
    int max_attempts = 1; ///< from the retry policy

    bool finished() const noexcept { return current == state::delivering || current == state::done; }
};

namespace detail {
inline action finish(machine& m, ending e) noexcept {
    m.current = state::delivering;
    m.end = e;
    return action::deliver;
}
/// A step completed: ends the call if a stop or the deadline came during it.
inline bool stop_pending(const machine& m) noexcept { return m.pending_stop != ending::none; }
inline void record_stop(machine& m, ending why) noexcept {
    // A cancellation wins over a deadline recorded first; a deadline never replaces a cancellation.
    if (why == ending::cancelled || m.pending_stop == ending::none) m.pending_stop = why;
}
} // namespace detail

/// The transition function: moves `m` for `e` and says what the driver does next.
inline action step(machine& m, event e, const facts& f = {}) noexcept {
    using detail::finish;
    using detail::record_stop;
    using detail::stop_pending;
    if (m.current == state::done) return action::none;
    if (e == event::context_shutdown) {
        if (m.current == state::delivering) return action::none; // the driver is delivering it right now
        m.current = state::done;
        m.end = ending::dropped;
        return action::drop;
    }
    if (m.current == state::delivering) {
        if (e == event::delivered) m.current = state::done;
        return action::none; // stops and late events after the end do nothing
    }
    const bool is_stop = e == event::cancel || e == event::client_destroyed;
    switch (m.current) {
    case state::validating:
        if (is_stop) {
            record_stop(m, ending::cancelled); // seen by the start
            return action::none;
        }
        switch (e) {
        case event::start:
            if (f.refused || stop_pending(m)) return finish(m, ending::refused);
            m.attempt = 1;
            return action::take_connection;
        // The pool's answer to take_connection (validating, or backing_off after a retry).
        case event::connection_granted: m.current = state::exchanging; return action::write_request;
        case event::slot_granted: m.current = state::connecting; return action::open_connection;
        case event::pool_full: m.current = state::waiting_for_connection; return action::queue;
        case event::deadline: return finish(m, ending::timeout);
        default: return action::none;
        }
    case state::waiting_for_connection:
        if (is_stop) {
            record_stop(m, ending::cancelled);
            return action::stop_step; // cancels the wait's timer: wait_ended or a grant follows
        }
        switch (e) {
        case event::connection_granted:
            if (stop_pending(m)) return finish(m, m.pending_stop); // the connection goes back (to the next waiter)
            m.current = state::exchanging;
            return action::write_request;
        case event::slot_granted:
            if (stop_pending(m)) return finish(m, m.pending_stop); // the slot is passed on
            m.current = state::connecting;
            return action::open_connection;
        case event::wait_ended: return finish(m, stop_pending(m) ? m.pending_stop : ending::timeout);
        case event::deadline: return finish(m, stop_pending(m) ? m.pending_stop : ending::timeout); // the timer expired: it leaves the queue
        default: return action::none;
        }
    case state::connecting:
        if (is_stop || e == event::deadline) {
            record_stop(m, is_stop ? ending::cancelled : ending::timeout);
            return action::stop_step; // closes the connection being opened: connect_failed follows
        }
        switch (e) {
        case event::connected:
            if (stop_pending(m)) return finish(m, m.pending_stop); // the new connection is discarded
            m.current = state::exchanging;
            return action::write_request;
        case event::connect_failed:
            if (stop_pending(m)) return finish(m, m.pending_stop);
            if (f.retryable && m.attempt < m.max_attempts) {
                m.current = state::backing_off;
                return action::wait_backoff;
            }
            return finish(m, ending::reply);
        default: return action::none;
        }
    case state::exchanging:
        if (is_stop || e == event::deadline) {
            record_stop(m, is_stop ? ending::cancelled : ending::timeout);
            return action::stop_step; // closes the connection: exchange_finished follows
        }
        if (e != event::exchange_finished) return action::none;
        if (stop_pending(m)) return finish(m, m.pending_stop); // a success that arrived first is decided by the driver's reply
        if (f.same_attempt_again) {
            m.current = state::validating; // looks for a connection again, same attempt
            return action::take_connection;
        }
        if (f.retryable && m.attempt < m.max_attempts) {
            m.current = state::backing_off;
            return action::wait_backoff;
        }
        return finish(m, ending::reply);
    case state::backing_off:
        if (is_stop) {
            record_stop(m, ending::cancelled);
            return action::stop_step; // cancels the backoff's timer: backoff_elapsed follows
        }
        switch (e) {
        case event::deadline: return finish(m, stop_pending(m) ? m.pending_stop : ending::timeout); // its timer is clamped at the deadline
        case event::backoff_elapsed:
            if (stop_pending(m)) return finish(m, m.pending_stop);
            ++m.attempt;
            m.current = state::validating; // the pool's answer follows
            return action::take_connection;
        default: return action::none;
        }
    case state::delivering:
    case state::done: break;
    }
    return action::none;
}

inline const char* name(state s) noexcept {
    switch (s) {
    case state::validating: return "validating";
    case state::waiting_for_connection: return "waiting_for_connection";
    case state::connecting: return "connecting";
    case state::exchanging: return "exchanging";
    case state::backing_off: return "backing_off";
    case state::delivering: return "delivering";
    case state::done: return "done";
    }
    return "?";
}

} // namespace ding::detail::call_sm
