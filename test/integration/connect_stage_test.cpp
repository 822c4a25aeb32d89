// Cancellation and timeout while the TCP connect itself is pending. A loopback listener with a
// backlog of 0 whose accept queue is already full makes Linux drop further SYNs, so a new connect
// stays in SYN_SENT: a deterministic "connect in progress".

#include "common.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

using namespace ding::test;

namespace {

struct full_listener {
    asio::io_context& ioc;
    asio::ip::tcp::acceptor acceptor{ioc};
    std::vector<asio::ip::tcp::socket> fillers;

    explicit full_listener(asio::io_context& io) : ioc(io) {
        const asio::ip::tcp::endpoint any(asio::ip::make_address("127.0.0.1"), 0);
        acceptor.open(any.protocol());
        acceptor.bind(any);
        acceptor.listen(0);
        // Fill the accept queue (never accepted) until a connect no longer completes at once.
        // Raw non-blocking connect(2): Asio's synchronous connect would wait for it forever.
        const auto target = acceptor.local_endpoint();
        for (int i = 0; i < 8; ++i) {
            asio::ip::tcp::socket s(ioc);
            s.open(asio::ip::tcp::v4());
            s.non_blocking(true);
            const int rc = ::connect(s.native_handle(), target.data(), static_cast<socklen_t>(target.size()));
            fillers.push_back(std::move(s));
            if (rc != 0 && errno == EINPROGRESS) {
                ::pollfd p{fillers.back().native_handle(), POLLOUT, 0};
                if (::poll(&p, 1, 50) == 0) break; // still pending after 50 ms: the queue is full
            }
        }
    }
    /// Options of a client aimed at this listener.
    ding::client_options client_options(std::chrono::milliseconds connect_timeout) const {
        ding::client_options o;
        o.api_key = secret_api_key;
        o.base_url = "https://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/v1";
        o.connect_timeout = connect_timeout;
        o.retry.max_attempts = 1;
        return o;
    }
};

} // namespace

TEST_CASE("integration: cancellation while the TCP connect is pending completes promptly with cancelled") {
    asio::io_context ioc;
    full_listener listener(ioc);
    ding::client client(ioc.get_executor(), listener.client_options(std::chrono::seconds(5)));

    const auto start = std::chrono::steady_clock::now();
    auto r = run(ioc, cancel_after(client.otp().check_async(check_request()), 100ms));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::cancelled);
    CHECK(r.error().message().find("connect") != std::string::npos);
    CHECK(ms_since(start) < 2000);
    CHECK(client.stats().connecting == 0);
    CHECK(client.stats().open == 0);
    CHECK(free_of_key(r.error()));
}

TEST_CASE("integration: a TCP connect that does not complete within connect_timeout is a timeout") {
    asio::io_context ioc;
    full_listener listener(ioc);
    ding::client client(ioc.get_executor(), listener.client_options(150ms));

    const auto start = std::chrono::steady_clock::now();
    auto r = run(ioc, client.otp().check_async(check_request()));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ding::errc::timeout);
    CHECK(r.error().message().find("connect") != std::string::npos);
    CHECK(ms_since(start) >= 140);
    CHECK(ms_since(start) < 2000);
    CHECK(client.stats().connecting == 0);
}
