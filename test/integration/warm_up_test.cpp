// Issue 11: client::warm_up_async opens and handshakes connections ahead of the first call.

#include "common.hpp"

#include <boost/asio/ip/tcp.hpp>

using namespace ding::test;

namespace {

/// A TCP port on 127.0.0.1 where nothing listens (bound, then closed).
unsigned short dead_port(asio::io_context& ioc) {
    asio::ip::tcp::acceptor a(ioc, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    const auto port = a.local_endpoint().port();
    a.close();
    return port;
}

} // namespace

TEST_CASE("integration: warm_up_async opens n connections left idle, the next calls open none and handshake none") {
    fixture f;
    auto o = f.options();
    o.max_connections = 4;
    auto& client = f.make_client(o);
    auto warmed = f.run(client.warm_up_async(3));
    REQUIRE(warmed.has_value());
    CHECK(*warmed == 3);
    f.settle(); // the server's session tickets reach the idle connections
    CHECK(f.server->connections_accepted() == 3);
    CHECK(f.server->tls_handshakes() == 3);
    auto s = client.stats();
    CHECK(s.idle == 3);
    CHECK(s.open == 3);
    CHECK(s.in_use == 0);
    CHECK(s.connections_opened == 3);
    CHECK(s.handshakes == 3);

    for (int i = 0; i < 3; ++i) {
        auto r = f.run(client.otp().check_async(check_request()));
        REQUIRE(r.has_value());
    }
    s = client.stats();
    CHECK(s.connections_opened == 3); // no new connection...
    CHECK(s.handshakes == 3);         // ...and no handshake
    CHECK(f.server->connections_accepted() == 3);
    CHECK(f.server->tls_handshakes() == 3);
    CHECK(s.idle == 3);

    // Connections already open count towards n: a second warm-up opens only what is missing.
    auto again = f.run(client.warm_up_async(4));
    REQUIRE(again.has_value());
    CHECK(*again == 4);
    CHECK(client.stats().connections_opened == 4);
}

TEST_CASE("integration: warm_up_async is bounded by max_connections, and n == 0 opens nothing") {
    fixture f;
    auto o = f.options();
    o.max_connections = 2;
    auto& client = f.make_client(o);
    auto none = f.run(client.warm_up_async(0));
    REQUIRE(none.has_value());
    CHECK(*none == 0);
    CHECK(f.server->connections_accepted() == 0);
    auto warmed = f.run(client.warm_up_async(10));
    REQUIRE(warmed.has_value());
    CHECK(*warmed == 2);
    CHECK(client.stats().idle == 2);
    CHECK(f.server->connections_accepted() == 2);
}

TEST_CASE("integration: warm_up_async with a callback completes on the client's executor, not inside the call") {
    fixture f;
    auto& client = f.make_client();
    std::optional<ding::outcome<std::size_t>> got;
    client.warm_up_async(1, [&](ding::outcome<std::size_t> r) { got.emplace(std::move(r)); });
    CHECK_FALSE(got.has_value());
    f.run_until([&] { return got.has_value(); });
    REQUIRE(got->has_value());
    CHECK(**got == 1);
}

TEST_CASE("integration: warm_up_async against a dead port completes with an error, promptly") {
    fixture f;
    auto o = f.options();
    o.base_url = "https://127.0.0.1:" + std::to_string(dead_port(f.ioc)) + "/v1";
    auto& client = f.make_client(o);
    const auto start = std::chrono::steady_clock::now();
    auto r = f.run(client.warm_up_async(2));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::transport);
    CHECK(r.error().operation() == "warm_up");
    CHECK(ms_since(start) < 2000);
    const auto s = client.stats();
    CHECK(s.open == 0);
    CHECK(s.connecting == 0);
}

TEST_CASE("integration: warm_up_async with invalid options completes with invalid_argument") {
    fixture f;
    auto o = f.options();
    o.max_connections = 0;
    auto& client = f.make_client(o);
    auto r = f.run(client.warm_up_async(1));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::invalid_argument);
}

TEST_CASE("integration: cancelling warm_up_async during a stalled handshake completes promptly with cancelled") {
    fixture f;
    // Accepts TCP connections and never answers: the TLS handshake stalls.
    asio::ip::tcp::acceptor silent(f.ioc, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    std::vector<std::shared_ptr<asio::ip::tcp::socket>> held;
    std::function<void()> accept = [&] {
        auto sock = std::make_shared<asio::ip::tcp::socket>(f.ioc);
        silent.async_accept(*sock, [&, sock](boost::system::error_code ec) {
            if (ec) return;
            held.push_back(sock);
            accept();
        });
    };
    accept();
    auto o = f.options();
    o.base_url = "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/v1";
    o.connect_timeout = 5s;
    auto& client = f.make_client(o);
    const auto start = std::chrono::steady_clock::now();
    auto r = f.run(cancel_after(client.warm_up_async(2), 100ms));
    const auto took = ms_since(start);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::cancelled);
    CHECK(took < 1000);
    const auto s = client.stats();
    CHECK(s.open == 0);
    CHECK(s.connecting == 0);
    CHECK(s.idle == 0);
    silent.close();
    held.clear();
}

TEST_CASE("integration: client::cancel() ends a warm-up in progress") {
    fixture f;
    asio::ip::tcp::acceptor silent(f.ioc, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    asio::ip::tcp::socket held(f.ioc);
    silent.async_accept(held, [](boost::system::error_code) {});
    auto o = f.options();
    o.base_url = "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/v1";
    auto& client = f.make_client(o);
    std::optional<ding::outcome<std::size_t>> got;
    client.warm_up_async(1, [&](ding::outcome<std::size_t> r) { got.emplace(std::move(r)); });
    f.settle(50ms);
    CHECK_FALSE(got.has_value());
    client.cancel();
    f.run_until([&] { return got.has_value(); }, 1s);
    REQUIRE_FALSE(got->has_value());
    CHECK(got->error().code() == ding::errc::cancelled);
    CHECK(client.stats().open == 0);
    silent.close();
    boost::system::error_code ignored;
    held.close(ignored);
}
