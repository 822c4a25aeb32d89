// Embedding the SDK in an Asio server: a small Beast HTTP server whose coroutine handlers await
// OTP calls, all on one thread.
//
//   POST /login/start   {"phone_number": "+33612345678"}            -> {"authentication_uuid": "..."}
//   POST /login/verify  {"authentication_uuid": "...", "code": "..."} -> {"status": "valid"}
//
// Usage: login_server [port=8080]   serves until Ctrl-C, against an embedded sandbox
//        login_server --self-test    starts on an ephemeral port, signs one user in through HTTP, exits

#include <ding/ding.hpp>
#include <ding/sandbox.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using asio::ip::tcp;

namespace {

constexpr auto no_throw = asio::as_tuple(asio::use_awaitable);
const std::string customer_uuid = "cf2edc1c-7fc6-48fb-86da-b7508c6b7b71";

struct answer {
    http::status status;
    json::object body;
};

std::string field(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

answer from_error(const ding::error& e) {
    // Invalid input is the end user's fault (400); anything else is ours or Ding's (502).
    const bool user_fault = e.code() == ding::errc::invalid_argument || e.code() == ding::errc::api_error;
    return {user_fault ? http::status::bad_request : http::status::bad_gateway,
            {{"error", std::string(e.code() == ding::errc::api_error ? ding::to_string(e.api_code()) : "otp_failed")}}};
}

asio::awaitable<answer> route(ding::client& client, const http::request<http::string_body>& req) {
    if (req.method() != http::verb::post) co_return answer{http::status::method_not_allowed, {{"error", "use POST"}}};
    boost::system::error_code ec;
    json::value parsed = json::parse(req.body(), ec);
    if (ec || !parsed.is_object()) co_return answer{http::status::bad_request, {{"error", "body must be a JSON object"}}};
    const auto& body = parsed.get_object();

    if (req.target() == "/login/start") {
        ding::create_authentication_request start;
        start.customer_uuid = customer_uuid;
        start.phone_number = field(body, "phone_number");
        auto sent = co_await client.otp().create_authentication_async(start);
        if (!sent) co_return from_error(sent.error());
        co_return answer{http::status::ok, {{"authentication_uuid", sent->authentication_uuid.value_or("")}}};
    }
    if (req.target() == "/login/verify") {
        ding::create_check_request check;
        check.customer_uuid = customer_uuid;
        check.authentication_uuid = field(body, "authentication_uuid");
        check.check_code = field(body, "code");
        auto checked = co_await client.otp().check_async(check);
        if (!checked) co_return from_error(checked.error());
        const auto status = checked->status.value_or(ding::check_status::unknown);
        co_return answer{status == ding::check_status::valid ? http::status::ok : http::status::unauthorized,
                         {{"status", std::string(ding::to_string(status))}}};
    }
    co_return answer{http::status::not_found, {{"error", "no such route"}}};
}

asio::awaitable<void> serve_connection(ding::client& client, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (int served = 0; served < 1000; ++served) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(16 * 1024);
        stream.expires_after(std::chrono::seconds(30));
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, no_throw);
        if (ec) break;
        auto& req = parser.get();
        answer a = co_await route(client, req);
        http::response<http::string_body> res{a.status, req.version()};
        res.set(http::field::content_type, "application/json");
        res.keep_alive(req.keep_alive());
        res.body() = json::serialize(a.body);
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(stream, res, no_throw);
        if (wec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> accept_loop(ding::client& client, tcp::acceptor& acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(no_throw);
        if (ec) co_return; // closed
        asio::co_spawn(acceptor.get_executor(), serve_connection(client, std::move(socket)), asio::detached);
    }
}

// The self-test plays the browser: two HTTP calls to our own server.
asio::awaitable<json::value> post(tcp::endpoint to, std::string target, std::string body) {
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(std::chrono::seconds(10));
    auto [cec] = co_await stream.async_connect(to, no_throw);
    if (cec) co_return json::value{};
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, req, no_throw);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    auto [rec, rn] = co_await http::async_read(stream, buffer, res, no_throw);
    if (wec || rec) co_return json::value{};
    boost::system::error_code ec;
    co_return json::parse(res.body(), ec);
}

asio::awaitable<bool> self_test(tcp::endpoint server, ding::sandbox& sandbox) {
    // Named arguments, not temporaries inside the co_await expression (g++ 12, docs/getting-started.md).
    const std::string start_path = "/login/start";
    const std::string start_body = R"({"phone_number":"+33612345678"})";
    auto started = co_await post(server, start_path, start_body);
    const auto* uuid = started.is_object() ? started.get_object().if_contains("authentication_uuid") : nullptr;
    if (uuid == nullptr || !uuid->is_string()) co_return false;
    std::string id(uuid->get_string());
    json::object verify{{"authentication_uuid", id}, {"code", sandbox.code_for(id).value_or("")}};
    const std::string verify_path = "/login/verify";
    const std::string verify_body = json::serialize(verify);
    auto verified = co_await post(server, verify_path, verify_body);
    std::cout << "self-test: start -> " << json::serialize(started) << ", verify -> " << json::serialize(verified) << '\n';
    const auto* status = verified.is_object() ? verified.get_object().if_contains("status") : nullptr;
    co_return status != nullptr && status->is_string() && status->get_string() == "valid";
}

} // namespace

int main(int argc, char** argv) {
    const bool testing = argc > 1 && std::string(argv[1]) == "--self-test";
    const auto port = static_cast<unsigned short>(!testing && argc > 1 ? std::atoi(argv[1]) : (testing ? 0 : 8080));

    asio::io_context ioc;
    ding::sandbox sandbox(ioc.get_executor());
    ding::client_options opts;
    opts.base_url = sandbox.base_url();
    opts.api_key = sandbox.api_key();
    opts.tls.ca_pem = sandbox.ca_pem();
    ding::client client(ioc.get_executor(), opts);

    boost::system::error_code ec;
    tcp::acceptor acceptor(ioc);
    const tcp::endpoint where(asio::ip::make_address("127.0.0.1"), port);
    if (acceptor.open(where.protocol(), ec); !ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(where, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::cerr << "cannot listen on 127.0.0.1:" << port << ": " << ec.message() << '\n';
        return 1;
    }
    std::cout << "login server on http://127.0.0.1:" << acceptor.local_endpoint().port() << " (Ding: " << opts.base_url << ")\n";
    asio::co_spawn(ioc, accept_loop(client, acceptor), asio::detached);

    int exit_code = 0;
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    auto shut_down = [&] {
        signals.cancel();
        acceptor.close();
        sandbox.stop();
        client.close_idle_connections();
        ioc.stop(); // open keep-alive connections of HTTP clients do not keep us alive
    };
    signals.async_wait([&](boost::system::error_code e, int) { if (!e) shut_down(); });
    if (testing) {
        asio::co_spawn(ioc, self_test(acceptor.local_endpoint(), sandbox), [&](std::exception_ptr e, bool ok) {
            exit_code = ok && !e ? 0 : 1;
            shut_down();
        });
    }
    ioc.run();
    return exit_code;
}
