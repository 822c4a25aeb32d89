#pragma once
// The connection pool's bookkeeping as a pure state machine: slots, the idle list, FIFO waiters,
// idle expiry and DNS freshness. No I/O, no clock and no executor: time is passed in, and a
// waiter is woken through a virtual call, so unit tests drive it with a fake connection and a
// virtual clock. The I/O driver (pool.cpp) owns one and carries out its decisions.
//
// Invariants (checked by the unit tests after every step):
// - idle + in_use + connecting <= max_connections.
// - A waiter exists only while no slot is free and no connection idle: a freed slot or a returned
//   connection goes straight to the oldest waiter.
// - Every borrowed connection and every reserved slot is held by an RAII object (lease,
//   slot_reservation) whose destructor gives it back, so an exception, a cancellation or a
//   destroyed coroutine frame cannot leave the counts wrong.
//
// Thread model: one writer (the client's executor or strand). Counters are relaxed atomics that
// are only ever written by that writer, so stats() may be read from any thread at no cost on
// the writer's side (a relaxed load + store, no locked instruction).

#include <ding/options.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace ding::detail {

using steady_time = std::chrono::steady_clock::time_point;

/// A counter written by one thread and readable from any.
class single_writer_counter {
public:
    void add(std::size_t n = 1) noexcept { value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
    void sub(std::size_t n = 1) noexcept { value_.store(value_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }
    std::size_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::size_t> value_{0};
};

struct pool_limits {
    std::size_t max_connections = 16;
    std::chrono::milliseconds idle_timeout{30000};
    std::chrono::milliseconds dns_refresh{60000};
};

template <class Conn>
class pool_state {
public:
    /// A caller waiting for a connection. The driver derives from it; wake() must not re-enter
    /// the pool (the driver cancels a timer, the test records the call).
    class waiter {
    public:
        /// Set when the pool handed over a connection (conn non-null) or reserved a slot (conn null).
        bool granted = false;
        std::unique_ptr<Conn> conn;

    protected:
        waiter() = default;
        ~waiter() = default;
        virtual void wake() noexcept = 0;

    private:
        friend pool_state;
        waiter* prev_ = nullptr;
        waiter* next_ = nullptr;
        bool queued_ = false;
    };

    explicit pool_state(pool_limits limits) : limits_(limits) {
        idle_.reserve(limits_.max_connections); // release() then never allocates
    }
    ~pool_state() { close_idle(); }
    pool_state(const pool_state&) = delete;
    pool_state& operator=(const pool_state&) = delete;

    const pool_limits& limits() const noexcept { return limits_; }

    // ---- idle connections -------------------------------------------------------------------

    /// The most recently used idle connection that `usable` accepts, counted as in use; null if
    /// none. Expired connections and those `usable` refuses are closed (their slots go to waiters).
    template <class Usable>
    std::unique_ptr<Conn> take_idle(steady_time now, Usable&& usable) {
        sweep(now);
        while (!idle_.empty()) {
            std::unique_ptr<Conn> c = std::move(idle_.back().conn);
            idle_.pop_back();
            idle_count_.sub();
            if (!usable(*c)) {
                c.reset();
                grant_free_slot();
                continue;
            }
            in_use_.add();
            return c;
        }
        return nullptr;
    }

    /// Closes idle connections older than the idle timeout.
    void sweep(steady_time now) {
        std::size_t expired = 0; // idle_ is ordered by release time, oldest first
        while (expired < idle_.size() && elapsed(idle_[expired].since, now) >= limits_.idle_timeout) ++expired;
        if (expired == 0) return;
        idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(expired));
        idle_count_.sub(expired);
        for (std::size_t i = 0; i < expired; ++i) grant_free_slot();
    }

    void close_idle() {
        const std::size_t n = idle_.size();
        idle_.clear();
        idle_count_.sub(n);
        for (std::size_t i = 0; i < n; ++i) grant_free_slot();
    }

    /// The connections' io_context is going away: idle ones are closed now, and every connection
    /// given back from now on is closed too (a waiter destroyed with that io_context gives back
    /// what it was handed; kept, it would outlive the context's services).
    void abandon() {
        abandoned_ = true;
        close_idle();
    }

    /// Closes idle connections past the idle timeout and those `usable` refuses (closed by the
    /// peer, unsolicited bytes), so that what is left is what a caller could be given.
    template <class Usable>
    void prune_idle(steady_time now, Usable&& usable) {
        sweep(now);
        std::size_t kept = 0;
        for (std::size_t i = 0; i < idle_.size(); ++i)
            if (usable(*idle_[i].conn)) {
                if (kept != i) idle_[kept] = std::move(idle_[i]);
                ++kept;
            }
        const std::size_t dropped = idle_.size() - kept;
        if (dropped == 0) return;
        idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(kept), idle_.end());
        idle_count_.sub(dropped);
        for (std::size_t i = 0; i < dropped; ++i) grant_free_slot();
    }

    /// Closes the least recently used idle connection if the pool is full, so that a caller that
    /// needs a new connection (after a stale one failed) can open it.
    void make_room() {
        if (occupied() < limits_.max_connections || idle_.empty()) return;
        idle_.erase(idle_.begin());
        idle_count_.sub();
    }

    // ---- slots -----------------------------------------------------------------------------

    /// True when a caller without an idle connection must queue: no free slot, or callers queued
    /// before it (try_reserve() would fail).
    bool must_queue() const noexcept { return occupied() >= limits_.max_connections || !waiters_empty(); }
    /// True when callers are queued for a connection.
    bool has_waiters() const noexcept { return !waiters_empty(); }

    /// Reserves a slot for a new connection if one is free (then connecting counts it).
    bool try_reserve() noexcept {
        if (occupied() >= limits_.max_connections || !waiters_empty()) return false;
        connecting_.add();
        return true;
    }
    /// A reserved slot became an open connection, now in use.
    void slot_connected() noexcept {
        connecting_.sub();
        in_use_.add();
        opened_.add();
    }
    /// A reserved slot was not used (connect failed, cancelled, ...).
    void slot_returned() noexcept {
        connecting_.sub();
        grant_free_slot();
    }

    /// Gives back a borrowed connection: reusable ones go to the oldest waiter or the idle list.
    void release(std::unique_ptr<Conn> c, bool reusable, steady_time now) {
        in_use_.sub();
        if (!reusable || !c || abandoned_) {
            c.reset();
            grant_free_slot();
            return;
        }
        if (waiter* w = pop_waiter()) {
            in_use_.add();
            w->conn = std::move(c);
            w->granted = true;
            w->wake();
            return;
        }
        idle_.push_back({std::move(c), now});
        idle_count_.add();
    }

    // ---- waiters ---------------------------------------------------------------------------

    void enqueue(waiter& w) noexcept {
        w.prev_ = tail_;
        w.next_ = nullptr;
        (tail_ ? tail_->next_ : head_) = &w;
        tail_ = &w;
        w.queued_ = true;
        waiting_.add();
    }

    /// The waiter leaves (timeout, cancellation, destroyed frame). What it was granted and did
    /// not take (w.conn, or the reserved slot when `slot_taken` is false) is passed on.
    void leave(waiter& w, steady_time now, bool slot_taken = false) {
        if (w.queued_) {
            unlink(w);
            return;
        }
        if (!w.granted) return;
        w.granted = false;
        if (w.conn)
            release(std::move(w.conn), true, now);
        else if (!slot_taken)
            slot_returned();
    }

    // ---- DNS freshness ---------------------------------------------------------------------

    /// True when the cached addresses must be resolved again: never resolved, invalidated by a
    /// connect failure, or older than the refresh interval.
    bool endpoints_stale(steady_time now) const noexcept {
        return !resolved_ || elapsed(resolved_at_, now) >= limits_.dns_refresh;
    }
    void endpoints_resolved(steady_time now) noexcept {
        resolved_ = true;
        resolved_at_ = now;
    }
    void endpoints_invalid() noexcept { resolved_ = false; }

    // ---- counters --------------------------------------------------------------------------

    std::size_t occupied() const noexcept { return idle_.size() + in_use_.get() + connecting_.get(); }
    std::size_t idle() const noexcept { return idle_count_.get(); }
    std::size_t in_use() const noexcept { return in_use_.get(); }
    std::size_t connecting() const noexcept { return connecting_.get(); }
    std::size_t waiting() const noexcept { return waiting_.get(); }
    std::size_t opened() const noexcept { return opened_.get(); }

private:
    // In milliseconds: a limit of milliseconds::max() must not overflow the clock's nanoseconds.
    static std::chrono::milliseconds elapsed(steady_time since, steady_time now) noexcept {
        return std::chrono::duration_cast<std::chrono::milliseconds>(now - since);
    }

    struct idle_entry {
        std::unique_ptr<Conn> conn;
        steady_time since;
    };

    bool waiters_empty() const noexcept { return head_ == nullptr; }

    waiter* pop_waiter() noexcept {
        waiter* w = head_;
        if (w != nullptr) unlink(*w);
        return w;
    }

    void unlink(waiter& w) noexcept {
        (w.prev_ ? w.prev_->next_ : head_) = w.next_;
        (w.next_ ? w.next_->prev_ : tail_) = w.prev_;
        w.prev_ = w.next_ = nullptr;
        w.queued_ = false;
        waiting_.sub();
    }

    // A slot became free: it goes to the oldest waiter, which opens the connection itself.
    void grant_free_slot() noexcept {
        if (head_ == nullptr || occupied() >= limits_.max_connections) return;
        waiter* w = pop_waiter();
        connecting_.add();
        w->granted = true;
        w->wake();
    }

    pool_limits limits_;
    std::vector<idle_entry> idle_; ///< back = most recently used
    waiter* head_ = nullptr;       ///< oldest waiter
    waiter* tail_ = nullptr;
    single_writer_counter idle_count_, in_use_, connecting_, waiting_, opened_;
    bool resolved_ = false;
    bool abandoned_ = false;
    steady_time resolved_at_{};
};

/// A borrowed connection. Destroying it without give_back() discards the connection (a
/// half-read stream never reaches the next request) and frees its slot.
template <class Conn>
class basic_lease {
public:
    basic_lease() = default;
    basic_lease(pool_state<Conn>& p, std::unique_ptr<Conn> c, bool reused) noexcept
        : pool_(&p), conn_(std::move(c)), reused_(reused) {}
    basic_lease(basic_lease&& o) noexcept
        : pool_(std::exchange(o.pool_, nullptr)), conn_(std::move(o.conn_)), reused_(o.reused_) {}
    basic_lease& operator=(basic_lease&& o) noexcept {
        if (this != &o) {
            discard();
            pool_ = std::exchange(o.pool_, nullptr);
            conn_ = std::move(o.conn_);
            reused_ = o.reused_;
        }
        return *this;
    }
    ~basic_lease() { discard(); }

    explicit operator bool() const noexcept { return conn_ != nullptr; }
    Conn* operator->() const noexcept { return conn_.get(); }
    Conn& operator*() const noexcept { return *conn_; }
    Conn* get() const noexcept { return conn_.get(); }
    bool reused() const noexcept { return reused_; }

    /// Returns the connection after a complete response; `reusable` false closes it.
    void give_back(bool reusable, steady_time now) {
        if (!conn_) return;
        auto* p = std::exchange(pool_, nullptr);
        p->release(std::move(conn_), reusable, now);
    }
    void discard() noexcept {
        if (!conn_) return;
        auto* p = std::exchange(pool_, nullptr);
        conn_.reset();
        // release(null) only frees the slot: it cannot allocate or throw.
        p->release(nullptr, false, steady_time{});
    }

private:
    pool_state<Conn>* pool_ = nullptr;
    std::unique_ptr<Conn> conn_;
    bool reused_ = false;
};

/// A reserved slot for a connection being opened. Destroying it without connected() gives the
/// slot back (to the oldest waiter).
template <class Conn>
class basic_slot_reservation {
public:
    basic_slot_reservation() = default;
    explicit basic_slot_reservation(pool_state<Conn>& p) noexcept : pool_(&p) {}
    basic_slot_reservation(basic_slot_reservation&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)) {}
    basic_slot_reservation& operator=(basic_slot_reservation&& o) noexcept {
        if (this != &o) {
            if (pool_) pool_->slot_returned();
            pool_ = std::exchange(o.pool_, nullptr);
        }
        return *this;
    }
    ~basic_slot_reservation() {
        if (pool_) pool_->slot_returned();
    }
    explicit operator bool() const noexcept { return pool_ != nullptr; }

    /// The connection is open: the slot becomes an in-use connection held by the returned lease.
    basic_lease<Conn> connected(std::unique_ptr<Conn> c) noexcept {
        auto* p = std::exchange(pool_, nullptr);
        p->slot_connected();
        return basic_lease<Conn>(*p, std::move(c), false);
    }

private:
    pool_state<Conn>* pool_ = nullptr;
};

} // namespace ding::detail
