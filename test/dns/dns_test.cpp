// DNS trouble (issue 8, rows 3 and 4; "What to build" item 5): a resolver that never answers,
// an address that silently drops SYNs and then changes, a cached answer older than
// dns_refresh_interval, and several addresses for one name. Each case runs in its own network
// and mount namespaces (see netns.hpp), where it owns /etc/hosts and the DNS server.

#include "netns.hpp"

#include <ding/ding.hpp>
#include <ding/sandbox.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

const std::string name = "api.example.test";
const std::string customer = "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71";

long long ms_since(clock_type::time_point t0) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0).count();
}

ding::create_authentication_request create_request() {
    ding::create_authentication_request r;
    r.customer_uuid = customer;
    r.phone_number = "+33612345678";
    return r;
}

/// A sandbox on its own thread, whose certificate is valid for `name`.
ding::sandbox_options sandbox_for_name() {
    ding::sandbox_options o;
    o.certificate_names = {name, "127.0.0.1", "localhost"};
    o.max_authentications_per_number = 1000000;
    return o;
}

ding::client_options options_for(const ding::sandbox& sb) {
    ding::client_options o;
    o.base_url = "https://" + name + ":" + std::to_string(sb.port()) + "/v1";
    o.api_key = sb.api_key();
    o.tls.ca_pem = sb.ca_pem();
    o.tls.use_system_trust_store = false;
    o.connect_timeout = 200ms;
    o.timeout = 1000ms;
    o.retry.max_attempts = 1;
    return o;
}

using create_result = ding::outcome<ding::create_authentication_response>;

/// One create_authentication call, run on `ioc` until it completes (bounded).
create_result call(asio::io_context& ioc, ding::client& c, std::chrono::milliseconds bound = 5s) {
    std::optional<create_result> got;
    c.otp().create_authentication_async(create_request(), [&](create_result r) { got.emplace(std::move(r)); });
    ioc.restart();
    const auto until = clock_type::now() + bound;
    while (!got && clock_type::now() < until) ioc.run_one_until(until);
    if (!got) FAIL("the call did not complete within " << bound.count() << " ms");
    return std::move(*got);
}

std::string describe(const create_result& r) { return r ? std::string("a value") : r.error().to_string(); }

void require_pool_settled(const ding::client& c) {
    const auto s = c.stats();
    INFO("in_use=" << s.in_use << " connecting=" << s.connecting << " waiting=" << s.waiting);
    REQUIRE(s.in_use == 0);
    REQUIRE(s.connecting == 0);
    REQUIRE(s.waiting == 0);
}

/// sockaddr for `ip` (v4 or v6) and `port`.
struct address {
    sockaddr_storage storage{};
    socklen_t len = 0;
    int family = AF_INET;
    address(const std::string& ip, unsigned short port) {
        if (ip.find(':') != std::string::npos) {
            auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
            a->sin6_family = AF_INET6;
            a->sin6_port = htons(port);
            ::inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr);
            len = sizeof *a;
            family = AF_INET6;
        } else {
            auto* a = reinterpret_cast<sockaddr_in*>(&storage);
            a->sin_family = AF_INET;
            a->sin_port = htons(port);
            ::inet_pton(AF_INET, ip.c_str(), &a->sin_addr);
            len = sizeof *a;
        }
    }
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

/// A listener on ip:port that silently drops SYNs: its accept queue (backlog 0) is filled by one
/// connection that is never accepted, and Linux then drops further SYNs without answering (no
/// RST), as a dead host or a firewall does. No iptables needed.
class syn_dropper {
public:
    syn_dropper(const std::string& ip, unsigned short port) : addr_(ip, port) {
        listener_ = ::socket(addr_.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(listener_ >= 0);
        const int one = 1;
        ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        INFO("bind " << ip << ":" << port << ": " << std::strerror(errno));
        REQUIRE(::bind(listener_, addr_.get(), addr_.len) == 0);
        REQUIRE(::listen(listener_, 0) == 0);
        filler_ = ::socket(addr_.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(::connect(filler_, addr_.get(), addr_.len) == 0); // queued, never accepted
        // Check: another connect now stays pending (its SYN is dropped).
        const int probe = ::socket(addr_.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        const int r = ::connect(probe, addr_.get(), addr_.len);
        pollfd p{probe, POLLOUT, 0};
        drops_ = r != 0 && errno == EINPROGRESS && ::poll(&p, 1, 150) == 0;
        ::close(probe);
    }
    ~syn_dropper() {
        ::close(filler_);
        ::close(listener_);
    }
    syn_dropper(const syn_dropper&) = delete;
    syn_dropper& operator=(const syn_dropper&) = delete;
    /// True if the probe's SYN was dropped (else connects to it fail or succeed at once).
    bool drops() const { return drops_; }

private:
    address addr_;
    int listener_ = -1;
    int filler_ = -1;
    bool drops_ = false;
};

/// A TCP forwarder on `ioc`: listens on ip:port and relays every connection to `target`.
/// Counts the connections it accepted (the client reached this address).
class forwarder {
public:
    forwarder(asio::io_context& ioc, const std::string& ip, unsigned short port, tcp::endpoint target)
        : acceptor_(ioc, tcp::endpoint(asio::ip::make_address(ip), port)), target_(target) {
        asio::co_spawn(ioc, accept_loop(), asio::detached);
    }
    ~forwarder() { stop(); }
    void stop() {
        boost::system::error_code ec;
        acceptor_.close(ec);
        for (auto& w : sessions_)
            if (auto s = w.lock()) {
                s->a.close(ec);
                s->b.close(ec);
            }
    }
    int accepted() const { return accepted_; }

private:
    struct session {
        tcp::socket a, b;
        session(tcp::socket s) : a(std::move(s)), b(a.get_executor()) {}
    };

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, s] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            ++accepted_;
            auto sess = std::make_shared<session>(std::move(s));
            sessions_.push_back(sess);
            asio::co_spawn(acceptor_.get_executor(), relay(sess), asio::detached);
        }
    }
    static asio::awaitable<void> pump(tcp::socket& from, tcp::socket& to) {
        char buf[16384];
        for (;;) {
            auto [ec, n] = co_await from.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
            if (ec) break;
            auto [wec, w] = co_await asio::async_write(to, asio::buffer(buf, n), asio::as_tuple(asio::use_awaitable));
            if (wec) break;
        }
        boost::system::error_code ignored;
        to.shutdown(tcp::socket::shutdown_send, ignored);
    }
    asio::awaitable<void> relay(std::shared_ptr<session> s) {
        using namespace asio::experimental::awaitable_operators;
        auto [ec] = co_await s->b.async_connect(target_, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        co_await (pump(s->a, s->b) && pump(s->b, s->a));
    }

    tcp::acceptor acceptor_;
    tcp::endpoint target_;
    int accepted_ = 0;
    std::vector<std::weak_ptr<session>> sessions_;
};

} // namespace

TEST_CASE("dns: a resolver that never answers is bounded by connect_timeout and by cancellation (row 3)", "[dns]") {
    if (!dns_test::enter()) return;
    dns_test::write_hosts("127.0.0.1 localhost\n::1 localhost\n"); // `name` is only known to DNS
    dns_test::dns_queries_received();                             // start counting from here

    asio::io_context ioc;
    ding::client_options o;
    o.base_url = "https://" + name + ":8443/v1";
    o.api_key = "sandbox-api-key";
    o.connect_timeout = 200ms;
    o.timeout = 500ms;

    SECTION("the call ends with the connect timeout") {
        ding::client c(ioc.get_executor(), o);
        const auto t0 = clock_type::now();
        const auto r = call(ioc, c);
        const auto elapsed = ms_since(t0);
        INFO("completed after " << elapsed << " ms with " << describe(r));
        REQUIRE_FALSE(r.has_value());
        REQUIRE((r.error().value() == ding::errc::timeout || r.error().value() == ding::errc::transport));
        CHECK(r.error().value() == ding::errc::timeout);
        REQUIRE(elapsed < 900);
        CHECK(elapsed >= 150); // the resolve really was pending
        CHECK(dns_test::dns_queries_received() > 0); // and it asked our silent server
        require_pool_settled(c);
        CHECK(c.stats().open == 0);
        // The same again on the same client (a resolve may still be running in the background).
        const auto t1 = clock_type::now();
        const auto r2 = call(ioc, c);
        INFO("second call: " << ms_since(t1) << " ms, " << describe(r2));
        REQUIRE_FALSE(r2.has_value());
        REQUIRE(ms_since(t1) < 900);
        require_pool_settled(c);
    }

    SECTION("`op || 100 ms timer` returns at the timer") {
        o.connect_timeout = 5s; // only the timer can end it early
        o.timeout = 10s;
        ding::client c(ioc.get_executor(), o);
        std::optional<long long> elapsed;
        std::optional<create_result> op_result;
        auto race = [&]() -> asio::awaitable<void> {
            using namespace asio::experimental::awaitable_operators;
            asio::steady_timer timer(co_await asio::this_coro::executor, 100ms);
            const auto t0 = clock_type::now();
            auto op = [&]() -> asio::awaitable<void> {
                op_result.emplace(co_await c.otp().create_authentication_async(create_request(), asio::use_awaitable));
            };
            co_await (op() || timer.async_wait(asio::use_awaitable));
            elapsed = ms_since(t0);
        };
        asio::co_spawn(ioc, race(), asio::detached);
        ioc.restart();
        const auto until = clock_type::now() + 5s;
        while (!elapsed && clock_type::now() < until) ioc.run_one_until(until);
        REQUIRE(elapsed.has_value());
        INFO("op || timer returned after " << *elapsed << " ms");
        REQUIRE(*elapsed < 400);
        if (op_result) { // the operator waited for the operation: it was cancelled
            INFO(describe(*op_result));
            CHECK_FALSE(op_result->has_value());
            if (!op_result->has_value()) CHECK(op_result->error().value() == ding::errc::cancelled);
        }
        // Let the cancelled call finish its bookkeeping, then the pool is exact.
        const auto settle = clock_type::now() + 300ms;
        ioc.restart();
        while (clock_type::now() < settle && ioc.run_one_until(settle) > 0) {
        }
        require_pool_settled(c);
        CHECK(c.stats().open == 0);
    }
}

TEST_CASE("dns: after a connect timeout to an address that drops SYNs the name is resolved again (row 4)", "[dns]") {
    if (!dns_test::enter()) return;
    ding::sandbox sb(sandbox_for_name());
    syn_dropper dead("127.0.0.2", sb.port());
    if (!dead.drops()) WARN("127.0.0.2 does not drop SYNs here: the first connect fails at once instead");
    dns_test::write_hosts("127.0.0.1 localhost\n127.0.0.2 " + name + "\n");

    asio::io_context ioc;
    ding::client c(ioc.get_executor(), options_for(sb));
    const auto t0 = clock_type::now();
    const auto first = call(ioc, c);
    INFO("first call (old address): " << ms_since(t0) << " ms, " << describe(first));
    REQUIRE_FALSE(first.has_value());
    if (dead.drops()) {
        CHECK(first.error().value() == ding::errc::timeout);
        CHECK(ms_since(t0) < 900);
    }
    require_pool_settled(c);
    CHECK(sb.stats().connections_accepted == 0);

    // The service moved: the next call on the same client reaches it.
    dns_test::write_hosts("127.0.0.1 localhost\n127.0.0.1 " + name + "\n");
    const auto second = call(ioc, c);
    INFO("second call (new address): " << describe(second));
    REQUIRE(second.has_value());
    CHECK(sb.stats().connections_accepted == 1);
    require_pool_settled(c);
}

TEST_CASE("dns: a cached answer older than dns_refresh_interval is resolved again without any failure", "[dns]") {
    if (!dns_test::enter()) return;
    ding::sandbox_options so = sandbox_for_name();
    so.max_requests_per_connection = 1; // every call opens a new connection
    ding::sandbox sb(so);
    asio::io_context ioc;
    forwarder moved(ioc, "127.0.0.2", sb.port(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), sb.port()));
    dns_test::write_hosts("127.0.0.1 localhost\n127.0.0.1 " + name + "\n");

    auto o = options_for(sb);
    o.dns_refresh_interval = 400ms;
    ding::client c(ioc.get_executor(), o);
    const auto first = call(ioc, c);
    INFO("first call: " << describe(first));
    REQUIRE(first.has_value());
    REQUIRE(moved.accepted() == 0);

    // The mapping changes; nothing fails. Once the interval has passed, a new connection goes to
    // the new address.
    dns_test::write_hosts("127.0.0.1 localhost\n127.0.0.2 " + name + "\n");
    const auto at_change = clock_type::now();
    const auto within = call(ioc, c);
    const bool within_interval = ms_since(at_change) < 300;
    INFO("call within the interval: " << describe(within));
    REQUIRE(within.has_value());
    if (within_interval) CHECK(moved.accepted() == 0); // the answer is cached for the interval
    std::this_thread::sleep_for(500ms);
    c.close_idle_connections();
    const auto after = call(ioc, c);
    INFO("call after the interval: " << describe(after));
    REQUIRE(after.has_value());
    CHECK(moved.accepted() == 1);
    CHECK(sb.stats().connections_accepted == 3);
    require_pool_settled(c);
    moved.stop();
}

TEST_CASE("dns: every address the resolver returned is tried", "[dns]") {
    if (!dns_test::enter()) return;
    ding::sandbox sb(sandbox_for_name());
    // ::1 sorts before 127.0.0.1 (RFC 6724 precedence), whatever the order of the lines.
    dns_test::write_hosts("127.0.0.1 localhost\n::1 " + name + "\n127.0.0.1 " + name + "\n");
    asio::io_context ioc;
    {
        tcp::resolver resolver(ioc);
        const auto results = resolver.resolve(name, std::to_string(sb.port()));
        REQUIRE(results.size() >= 2);
        INFO("first address: " << results.begin()->endpoint());
        REQUIRE(results.begin()->endpoint().address().is_v6()); // the dead one comes first
    }
    auto o = options_for(sb);
    o.connect_timeout = 1000ms;
    o.timeout = 2000ms;

    SECTION("the first address refuses the connection") {
        ding::client c(ioc.get_executor(), o);
        const auto r = call(ioc, c);
        INFO(describe(r));
        REQUIRE(r.has_value());
        CHECK(sb.stats().connections_accepted == 1);
        require_pool_settled(c);
    }
    SECTION("the first address drops SYNs") {
        syn_dropper dead("::1", sb.port());
        REQUIRE(dead.drops());
        ding::client c(ioc.get_executor(), o);
        const auto t0 = clock_type::now();
        const auto r = call(ioc, c);
        INFO(describe(r) << " after " << ms_since(t0) << " ms");
        REQUIRE(r.has_value()); // the second address is tried before the connect timeout ends
        CHECK(sb.stats().connections_accepted == 1);
        require_pool_settled(c);
    }
}
