// The pool's bookkeeping (src/transport/pool_state.hpp) as a pure state machine: a fake
// connection, a virtual clock, no sockets and no io_context.

#include "transport/pool_state.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <random>
#include <stdexcept>

namespace {

using namespace std::chrono_literals;
using ding::detail::pool_limits;
using ding::detail::steady_time;

struct fake_conn {
    static inline int alive = 0;
    explicit fake_conn(int i) : id(i) { ++alive; }
    ~fake_conn() { --alive; }
    int id;
    bool clean = true;
};

using state = ding::detail::pool_state<fake_conn>;
using lease = ding::detail::basic_lease<fake_conn>;
using reservation = ding::detail::basic_slot_reservation<fake_conn>;

struct recording_waiter final : state::waiter {
    int woken = 0;
    void wake() noexcept override { ++woken; }
};

struct virtual_clock {
    steady_time now{std::chrono::hours(1)};
    void advance(std::chrono::milliseconds d) { now += d; }
};

void check_invariants(const state& s) {
    REQUIRE(s.occupied() <= s.limits().max_connections);
    REQUIRE(s.occupied() == s.idle() + s.in_use() + s.connecting());
    if (s.waiting() > 0) {
        REQUIRE(s.idle() == 0);
        REQUIRE(s.occupied() == s.limits().max_connections);
    }
}

auto always_clean = [](fake_conn& c) { return c.clean; };

lease open_one(state& s, int id) {
    REQUIRE(s.try_reserve());
    reservation r(s);
    return r.connected(std::make_unique<fake_conn>(id));
}

} // namespace

TEST_CASE("unit: pool state reserves at most max_connections slots", "[unit][pool]") {
    state s(pool_limits{2, 30s, 60s});
    REQUIRE(s.try_reserve());
    REQUIRE(s.try_reserve());
    REQUIRE_FALSE(s.try_reserve());
    REQUIRE(s.connecting() == 2);
    s.slot_connected();
    s.slot_returned();
    REQUIRE(s.connecting() == 0);
    REQUIRE(s.in_use() == 1);
    REQUIRE(s.opened() == 1);
    check_invariants(s);
}

TEST_CASE("unit: pool state hands a returned connection to the oldest waiter", "[unit][pool]") {
    virtual_clock clock;
    state s(pool_limits{1, 30s, 60s});
    lease a = open_one(s, 1);
    recording_waiter first, second;
    s.enqueue(first);
    s.enqueue(second);
    REQUIRE(s.waiting() == 2);
    check_invariants(s);

    a.give_back(true, clock.now);
    REQUIRE(first.woken == 1);
    REQUIRE(first.granted);
    REQUIRE(first.conn);
    REQUIRE(first.conn->id == 1);
    REQUIRE(second.woken == 0);
    REQUIRE(s.in_use() == 1); // now counted for the first waiter
    REQUIRE(s.idle() == 0);
    check_invariants(s);

    // The first waiter gives up without taking it (cancelled): it goes on to the next one.
    s.leave(first, clock.now);
    REQUIRE(second.woken == 1);
    REQUIRE(second.conn);
    REQUIRE(s.waiting() == 0);
    check_invariants(s);
    s.leave(second, clock.now);
    REQUIRE(s.idle() == 1);
    REQUIRE(s.in_use() == 0);
    check_invariants(s);
}

TEST_CASE("unit: pool state gives a freed slot to the oldest waiter, who opens the connection", "[unit][pool]") {
    virtual_clock clock;
    state s(pool_limits{1, 30s, 60s});
    lease a = open_one(s, 1);
    recording_waiter w;
    s.enqueue(w);
    a.discard(); // the connection broke
    REQUIRE(w.woken == 1);
    REQUIRE(w.granted);
    REQUIRE_FALSE(w.conn);
    REQUIRE(s.connecting() == 1); // reserved for the waiter
    check_invariants(s);
    // The waiter's frame dies before it could open: leave() gives the slot back.
    s.leave(w, clock.now);
    REQUIRE(s.connecting() == 0);
    REQUIRE(s.occupied() == 0);
}

TEST_CASE("unit: pool state reuses the most recently used idle connection and expires old ones", "[unit][pool]") {
    virtual_clock clock;
    state s(pool_limits{3, 30s, 60s});
    lease a = open_one(s, 1);
    lease b = open_one(s, 2);
    a.give_back(true, clock.now);
    clock.advance(10s);
    b.give_back(true, clock.now);
    REQUIRE(s.idle() == 2);

    auto c = s.take_idle(clock.now, always_clean);
    REQUIRE(c->id == 2); // LIFO
    s.release(std::move(c), true, clock.now);

    clock.advance(25s); // connection 1 idle for 35 s, connection 2 for 25 s
    s.sweep(clock.now);
    REQUIRE(s.idle() == 1);
    clock.advance(5s);
    REQUIRE(s.take_idle(clock.now, always_clean) == nullptr);
    REQUIRE(s.idle() == 0);
    REQUIRE(fake_conn::alive == 0);
    check_invariants(s);
}

TEST_CASE("unit: pool state never lends an idle connection that received bytes or a close", "[unit][pool]") {
    virtual_clock clock;
    state s(pool_limits{2, 30s, 60s});
    lease a = open_one(s, 1);
    lease b = open_one(s, 2);
    a.give_back(true, clock.now);
    b.give_back(true, clock.now);
    // Connection 2 (the most recent) got an unsolicited response while idle.
    int refused = 0;
    auto c = s.take_idle(clock.now, [&](fake_conn& conn) {
        if (conn.id == 2) {
            ++refused;
            return false;
        }
        return true;
    });
    REQUIRE(refused == 1);
    REQUIRE(c->id == 1);
    REQUIRE(s.occupied() == 1);
    REQUIRE(fake_conn::alive == 1);
    s.release(std::move(c), false, clock.now);
    REQUIRE(s.occupied() == 0);
}

TEST_CASE("unit: pool state leases and reservations give back what they hold however they end", "[unit][pool]") {
    virtual_clock clock;
    state s(pool_limits{1, 30s, 60s});
    SECTION("a lease destroyed by an exception frees the slot") {
        try {
            lease a = open_one(s, 1);
            throw std::runtime_error("bad_alloc stand-in");
        } catch (const std::runtime_error&) {
        }
        REQUIRE(s.occupied() == 0);
        REQUIRE(fake_conn::alive == 0);
    }
    SECTION("a reservation destroyed before the connect finished returns the slot to a waiter") {
        recording_waiter w;
        {
            REQUIRE(s.try_reserve());
            reservation r(s);
            s.enqueue(w);
        }
        REQUIRE(w.granted);
        REQUIRE(s.connecting() == 1);
        s.leave(w, clock.now, /*slot_taken=*/true);
        reservation taken_over(s); // the waiter now owns the slot
        REQUIRE(s.connecting() == 1);
    }
    SECTION("a moved lease releases once") {
        lease a = open_one(s, 1);
        lease b = std::move(a);
        REQUIRE_FALSE(a);
        b.give_back(true, clock.now);
        REQUIRE(s.idle() == 1);
        REQUIRE(s.in_use() == 0);
    }
    check_invariants(s);
}

TEST_CASE("unit: pool state makes room for a fresh connection at the cost of the oldest idle one", "[unit][pool]") {
    virtual_clock clock;
    state s(pool_limits{2, 30s, 60s});
    lease a = open_one(s, 1);
    lease b = open_one(s, 2);
    a.give_back(true, clock.now);
    clock.advance(1s);
    b.give_back(true, clock.now);
    REQUIRE_FALSE(s.try_reserve());
    s.make_room();
    REQUIRE(s.idle() == 1);
    REQUIRE(s.try_reserve());
    auto c = s.take_idle(clock.now, always_clean);
    REQUIRE(c->id == 2); // the older one went
    s.slot_returned();
    s.release(std::move(c), false, clock.now);
}

TEST_CASE("unit: pool state says when the addresses must be resolved again", "[unit][pool][dns]") {
    virtual_clock clock;
    state s(pool_limits{1, 30s, 60s});
    REQUIRE(s.endpoints_stale(clock.now)); // never resolved
    s.endpoints_resolved(clock.now);
    REQUIRE_FALSE(s.endpoints_stale(clock.now));
    clock.advance(59s);
    REQUIRE_FALSE(s.endpoints_stale(clock.now));
    clock.advance(1s);
    REQUIRE(s.endpoints_stale(clock.now)); // older than dns_refresh
    s.endpoints_resolved(clock.now);
    s.endpoints_invalid(); // a connect failed (timeouts included)
    REQUIRE(s.endpoints_stale(clock.now));
}

TEST_CASE("unit: pool state keeps exact counts through 20000 random steps", "[unit][pool]") {
    virtual_clock clock;
    state s(pool_limits{4, 5s, 60s});
    std::mt19937 rng(12345);
    std::deque<lease> leases;
    std::deque<std::unique_ptr<recording_waiter>> waiters;
    int next_id = 0;
    for (int step = 0; step < 20000; ++step) {
        clock.advance(std::chrono::milliseconds(rng() % 400));
        switch (rng() % 6) {
        case 0: // a caller wants a connection
            if (auto c = s.take_idle(clock.now, [&](fake_conn&) { return rng() % 10 != 0; }))
                leases.emplace_back(s, std::move(c), true);
            else if (s.try_reserve()) {
                reservation r(s);
                if (rng() % 5 != 0) leases.push_back(r.connected(std::make_unique<fake_conn>(++next_id)));
            } else {
                waiters.push_back(std::make_unique<recording_waiter>());
                s.enqueue(*waiters.back());
            }
            break;
        case 1: // a response completed
        case 2:
            if (!leases.empty()) {
                leases.front().give_back(rng() % 4 != 0, clock.now);
                leases.pop_front();
            }
            break;
        case 3: // a call failed mid-request
            if (!leases.empty()) leases.pop_back();
            break;
        case 4: // a waiter wakes: takes what it was granted, or gives up
            if (!waiters.empty()) {
                auto w = std::move(waiters.front());
                waiters.pop_front();
                if (w->granted && w->conn) {
                    w->granted = false;
                    leases.emplace_back(s, std::move(w->conn), true);
                } else if (w->granted && rng() % 2 == 0) {
                    w->granted = false;
                    reservation r(s);
                    s.leave(*w, clock.now, true);
                    leases.push_back(r.connected(std::make_unique<fake_conn>(++next_id)));
                } else {
                    s.leave(*w, clock.now);
                }
            }
            break;
        case 5:
            s.sweep(clock.now);
            break;
        }
        check_invariants(s);
        // Connections handed to a waiter are counted in use, like those in a lease.
        REQUIRE(static_cast<std::size_t>(fake_conn::alive) == s.idle() + s.in_use());
    }
    leases.clear();
    for (auto& w : waiters) s.leave(*w, clock.now);
    waiters.clear();
    s.close_idle();
    REQUIRE(s.occupied() == 0);
    REQUIRE(s.waiting() == 0);
    REQUIRE(fake_conn::alive == 0);
}
