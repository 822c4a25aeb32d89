#pragma once
// A call's life as one pure state machine (issue 16): every state a call can be in, the events
// that move it, and what the driver must do next, on one screen. No I/O, no executor, no clock.
// launch.hpp's driver (drive()) feeds it every event of a real call and carries out the action it
// returns; the unit tier's simulator (test/unit/test_call_simulator.cpp) feeds it random schedules
// with a fake connection, a virtual clock and two fake executors. Modelled on pool_state.hpp.
//
// The rules it encodes:
// - A stop (a cancellation of any type, client::cancel(), ~client) never ends a call by itself
//   while a step's I/O is in progress: the machine asks the driver to end the step (stop_step:
//   close the connection doing the I/O, cancel the timer waited on), and the step's completion,
//   which always comes exactly once, ends the call. So whatever the step holds (a connection, a
//   slot, a place in the pool's queue) goes back through that completion, exactly once.
// - Every completion tells whether a stop is visible (facts::stopped: the call's flags also see
//   client::cancel() and ~client before their dispatched stop arrives). A completion that would
//   go on (a connection granted, a backoff elapsed, a retry) ends the call instead when a stop
//   was recorded; a completion with the call's final outcome (facts::retry false) always ends it
//   with that outcome, which the transport already made `cancelled` unless a success came first.
// - The deadline ends a backoff (its timer is clamped at the deadline). During I/O the transport's
//   own deadline (the connection's watcher, the pool's wait timer) ends the step, whose completion
//   then carries the timeout as its final outcome.
// - A call that ends inside its initiating function has its delivery posted (deliver_later): a
//   completion handler never runs inside the initiation.
// - delivering: the outcome is known; the driver gives back what the step held, releases the
//   call's state on the client's executor, then dispatches the handler. Nothing of the call is
//   touched after that, and the handler's executor only ever runs the handler.
// - context_shutdown: the client's execution context is being destroyed; its pending operations
//   (the call's step) are destroyed uncalled, so the handler is dropped, never called.

#include <cstdint>

namespace ding::detail::call_sm {

/// Where a call is.
enum class state : std::uint8_t {
    validating,             ///< launched; its first step on the client's executor has not run
    preparing,              ///< synchronous steps: settling an attempt (credential, before_attempt hook), looking for a connection
    waiting_for_connection, ///< queued in the pool's FIFO while the pool is full
    connecting,             ///< opening a connection (resolve, connect, TLS), in a slot of its own or waiting for one
    exchanging,             ///< its request on a connection, the response awaited
    backing_off,            ///< between two attempts
    delivering,             ///< the outcome is known: what the step held goes back, the handler is taken out
    done,                   ///< the state is released (on the client's executor) and the handler dispatched, or dropped
};

/// What happened (fed by the driver, on the client's executor).
enum class event : std::uint8_t {
    start,               ///< the call's first step runs (facts: refused, initiating, open_only)
    attempt_prepared,    ///< the attempt's credential and hook headers are settled
    connection_granted,  ///< the pool gave it a connection: an idle one, or one handed over to its wait
    slot_granted,        ///< no idle connection, a free slot: open a new connection (also when a wait is granted a slot)
    pool_full,           ///< no idle connection and no free slot (or others queued): it must queue
    wait_ended,          ///< its queued wait ended with a connection that was not clean: look again
    connected,           ///< the connection it opened is ready (facts: open_only)
    attempt_failed,      ///< the attempt ended without an exchange (facts: retry)
    exchange_finished,   ///< the exchange ended (facts: same_attempt_again, retry)
    backoff_elapsed,     ///< the backoff's timer elapsed
    deadline,            ///< the deadline came while backing off
    outcome_ready,       ///< the final outcome is known without an attempt's end (an error out of memory, a warm-up's count, a cancelled backoff)
    cancel,              ///< a cancellation (terminal, partial or total) or client::cancel()
    client_destroyed,    ///< ~client
    context_shutdown,    ///< the client's execution context is being destroyed
    initiation_returned, ///< the initiating function that started the call returned
    delivered,           ///< the driver took the handler and the outcome out: the state is released next
};

/// What the driver does next.
enum class action : std::uint8_t {
    none,            ///< nothing (an event the state does not wait for, e.g. a stop after the end)
    prepare_attempt, ///< start attempt `attempt`: credential, before_attempt hook (feeds attempt_prepared or attempt_failed)
    take_connection, ///< ask the pool: an idle connection, else a free slot, else queue (feeds back one event)
    queue,           ///< join the pool's FIFO and wait on the call's timer (until the deadline)
    open_connection, ///< open a connection (only a new one when fresh_only), or run a warm-up
    write_request,   ///< write the request on the granted connection and read the response
    wait_backoff,    ///< wait min(backoff, deadline)
    stop_step,       ///< end the step in progress: close its connection or cancel its timer
    deliver,         ///< give back what the step held, release the state here, dispatch the handler
    deliver_later,   ///< deliver, from a function posted to the client's executor (inside the initiation)
    drop,            ///< nothing more: the context destroys the state and the handler uncalled
};

/// How the call ended (meaningful from delivering on).
enum class ending : std::uint8_t {
    none,
    reply,     ///< the outcome the driver made (a reply, a failure, a warm-up's count)
    refused,   ///< at the start, before any I/O: invalid, or the client closed / the call cancelled first
    cancelled, ///< a stop ended it between two steps
    timeout,   ///< the deadline came while backing off
    dropped,   ///< the context was destroyed: the handler never runs
};

/// What the driver knows about the event (only the fields the event uses are read).
struct facts {
    bool stopped = false;            ///< any completion: a stop is visible to the call's flags
    bool refused = false;            ///< start: the outcome is known already (invalid, closed, cancelled)
    bool initiating = false;         ///< start: the call starts inside its initiating function
    bool open_only = false;          ///< start, connected: a warm-up (connections, no exchange)
    bool same_attempt_again = false; ///< exchange_finished: a stale kept-alive connection: the same attempt on a new one
    bool retry = false;              ///< exchange_finished, attempt_failed: the retry rules give another attempt
};

struct machine {
    state current = state::validating;
    ending end = ending::none;
    /// A stop was recorded: the next completion that would go on ends the call instead.
    bool stop_recorded = false;
    /// The call started inside its initiating function, which has not returned yet.
    bool inside_initiation = false;
    /// The attempt in progress may only use a new connection (its kept-alive one was stale).
    bool fresh_only = false;
    bool open_only = false; ///< a warm-up
    int attempt = 0;        ///< the attempt in progress (1-based)

    bool finished() const noexcept { return current == state::delivering || current == state::done; }
};

namespace transition {
inline action finish(machine& m, ending e) noexcept {
    m.current = state::delivering;
    m.end = e;
    return m.inside_initiation ? action::deliver_later : action::deliver;
}
inline action next_attempt(machine& m) noexcept {
    ++m.attempt;
    m.fresh_only = false;
    m.current = state::preparing;
    return action::prepare_attempt;
}
/// An attempt ended (with or without an exchange): another one after a backoff, or the end.
inline action attempt_over(machine& m, bool retry) noexcept {
    if (!retry || m.open_only) return finish(m, ending::reply); // a warm-up is never retried
    if (m.stop_recorded) return finish(m, ending::cancelled);
    m.current = state::backing_off;
    return action::wait_backoff;
}
inline action to(machine& m, state s, action a) noexcept {
    if (m.stop_recorded) return finish(m, ending::cancelled); // a completion that would go on
    m.current = s;
    return a;
}
} // namespace transition

/// The transition function: moves `m` for `e` and says what the driver does next.
inline action step(machine& m, event e, const facts& f = {}) noexcept {
    using namespace transition;
    if (m.current == state::done) return action::none;
    switch (e) {
    case event::context_shutdown:
        // Delivering: the driver is delivering it right now, or its delivery was posted
        // (deliver_later) and is destroyed uncalled with the context.
        if (m.current == state::delivering) return action::none;
        m.current = state::done;
        m.end = ending::dropped;
        return action::drop;
    case event::initiation_returned: m.inside_initiation = false; return action::none;
    case event::cancel:
    case event::client_destroyed:
        if (m.finished()) return action::none;
        m.stop_recorded = true;
        // Synchronous steps see the stop at their next event; I/O is ended by the driver.
        return m.current == state::validating || m.current == state::preparing ? action::none : action::stop_step;
    case event::delivered:
        if (m.current == state::delivering) m.current = state::done;
        return action::none;
    default: break;
    }
    if (m.finished()) return action::none; // a late event after the end does nothing
    if (f.stopped) m.stop_recorded = true;
    if (e == event::outcome_ready) return finish(m, ending::reply);
    switch (m.current) {
    case state::validating:
        if (e != event::start) return action::none;
        m.inside_initiation = f.initiating;
        if (f.refused || m.stop_recorded) return finish(m, ending::refused);
        if (f.open_only) {
            m.open_only = true;
            m.current = state::connecting;
            return action::open_connection;
        }
        return next_attempt(m);
    case state::preparing:
        switch (e) {
        case event::attempt_prepared: return to(m, state::preparing, action::take_connection);
        case event::connection_granted: return to(m, state::exchanging, action::write_request);
        case event::slot_granted: return to(m, state::connecting, action::open_connection);
        case event::pool_full: return to(m, state::waiting_for_connection, action::queue);
        case event::attempt_failed: return attempt_over(m, f.retry);
        default: return action::none;
        }
    case state::waiting_for_connection:
        switch (e) {
        case event::connection_granted: return to(m, state::exchanging, action::write_request);
        case event::slot_granted: return to(m, state::connecting, action::open_connection);
        case event::wait_ended: return to(m, state::preparing, action::take_connection);
        case event::attempt_failed: return attempt_over(m, f.retry);
        default: return action::none;
        }
    case state::connecting:
        switch (e) {
        case event::connected:
            if (m.open_only) return finish(m, ending::reply);
            return to(m, state::exchanging, action::write_request);
        case event::attempt_failed: return attempt_over(m, f.retry);
        default: return action::none;
        }
    case state::exchanging:
        switch (e) {
        case event::exchange_finished:
            if (f.same_attempt_again) {
                if (m.stop_recorded) return finish(m, ending::cancelled);
                m.fresh_only = true; // once per attempt: the transport does not ask again
                m.current = state::connecting;
                return action::open_connection;
            }
            return attempt_over(m, f.retry);
        case event::attempt_failed: return attempt_over(m, f.retry); // the request could not be written
        default: return action::none;
        }
    case state::backing_off:
        switch (e) {
        case event::backoff_elapsed:
            if (m.stop_recorded) return finish(m, ending::cancelled);
            return next_attempt(m);
        case event::deadline: return finish(m, m.stop_recorded ? ending::cancelled : ending::timeout);
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
    case state::preparing: return "preparing";
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
