// Phone sign-in with Prelude v2 inside an Asio server: a small Beast HTTP server whose coroutine
// handlers await Verify calls, all on one thread. The v1 version is login_server.cpp.
//
//   POST /login/start   {"phone_number": "+33612345678"}                 -> {"status": "success", "verification_id": "vrf_..."}
//   POST /login/verify  {"phone_number": "+33612345678", "code": "..."}  -> 200 {"status": "success"}, else 401
//
// Usage: login_server_v2 [port=8080]   serves until Ctrl-C, against an embedded sandbox
//        login_server_v2 --self-test    starts on an ephemeral port, signs one user in through HTTP, exits
//
// Every request to the SDK is a named variable, never a braced temporary inside a co_await
// expression: g++ 12 can destroy such a temporary twice (see docs/getting-started.md).

#include <ding/sandbox.hpp>
#include <ding/v2.hpp>

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
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace v2 = ding::v2;
using asio::ip::tcp;

namespace {

constexpr auto no_throw = asio::as_tuple(asio::use_awaitable);

struct answer {
    http::status status;
    json::object body;
};

std::string field(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

answer from_error(const ding::error& e) {
    // Input the SDK or the API refused (a malformed number, a bad code format) is the end user's
    // fault: 400 with the API's code when there is one. Anything else (network, our key, a 5xx or
    // 429 from the API) is ours or the vendor's: 502, and the details go to our log only.
    const bool user_fault = e.code() == ding::errc::invalid_argument ||
                            (e.code() == ding::errc::api_error && !e.retryable() && e.http_status() != 401);
    if (!user_fault) std::cerr << "verify call failed: " << e << '\n';
    // The API's own code when it sent one (e.g. "invalid_phone_number"), else the SDK's
    // (ding::to_string(errc), e.g. "invalid_argument" for input refused before any I/O).
    const std::string code = e.api_code_string().empty() ? std::string(ding::to_string(e.value())) : e.api_code_string();
    return {user_fault ? http::status::bad_request : http::status::bad_gateway, {{"error", code}}};
}

v2::target phone_target(std::string phone) { return {v2::target_type::phone_number, std::move(phone)}; }

asio::awaitable<answer> route(v2::client& client, const http::request<http::string_body>& req) {
    if (req.method() != http::verb::post) co_return answer{http::status::method_not_allowed, {{"error", "use POST"}}};
    boost::system::error_code ec;
    json::value parsed = json::parse(req.body(), ec);
    if (ec || !parsed.is_object()) co_return answer{http::status::bad_request, {{"error", "body must be a JSON object"}}};
    const auto& body = parsed.get_object();

    if (req.target() == "/login/start") {
        v2::create_verification_request start;
        start.target = phone_target(field(body, "phone_number"));
        auto sent = co_await client.verification().create_async(start);
        if (!sent) co_return from_error(sent.error());
        // blocked (spam, block list, too many attempts) is an answer, not an error.
        const bool code_sent = sent->status == v2::verification_status::success ||
                               sent->status == v2::verification_status::retry;
        co_return answer{code_sent ? http::status::ok : http::status::too_many_requests,
                         {{"status", std::string(v2::to_string(sent->status))}, {"verification_id", sent->id}}};
    }
    if (req.target() == "/login/verify") {
        v2::check_verification_request check;
        check.target = phone_target(field(body, "phone_number"));
        check.code = field(body, "code");
        auto checked = co_await client.verification().check_async(check);
        if (!checked) co_return from_error(checked.error());
        co_return answer{checked->status == v2::check_status::success ? http::status::ok : http::status::unauthorized,
                         {{"status", std::string(v2::to_string(checked->status))}}};
    }
    co_return answer{http::status::not_found, {{"error", "no such route"}}};
}

asio::awaitable<void> serve_connection(v2::client& client, tcp::socket socket) {
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

asio::awaitable<void> accept_loop(v2::client& client, tcp::acceptor& acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(no_throw);
        if (ec) co_return;  // closed
        asio::co_spawn(acceptor.get_executor(), serve_connection(client, std::move(socket)), asio::detached);
    }
}

// The self-test plays the browser: HTTP calls to our own server. Returns the status and the body.
asio::awaitable<std::pair<unsigned, json::value>> post(tcp::endpoint to, std::string target, std::string body) {
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(std::chrono::seconds(10));
    auto [cec] = co_await stream.async_connect(to, no_throw);
    if (cec) co_return std::pair<unsigned, json::value>{0, nullptr};
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, req, no_throw);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    auto [rec, rn] = co_await http::async_read(stream, buffer, res, no_throw);
    if (wec || rec) co_return std::pair<unsigned, json::value>{0, nullptr};
    boost::system::error_code ec;
    json::value parsed = json::parse(res.body(), ec);
    co_return std::pair<unsigned, json::value>{res.result_int(), std::move(parsed)};
}

asio::awaitable<bool> self_test(tcp::endpoint server, ding::sandbox& sandbox) {
    const std::string phone = "+33612345678";
    const std::string start_path = "/login/start";
    const std::string verify_path = "/login/verify";

    const std::string start_body = json::serialize(json::object{{"phone_number", phone}});
    auto [start_status, started] = co_await post(server, start_path, start_body);

    // A wrong code first: 401, then the right one: 200.
    const std::string code = sandbox.code_for_target(phone).value_or("");
    const std::string wrong_body = json::serialize(json::object{{"phone_number", phone}, {"code", code == "000000" ? "111111" : "000000"}});
    auto [wrong_status, wrong] = co_await post(server, verify_path, wrong_body);
    const std::string right_body = json::serialize(json::object{{"phone_number", phone}, {"code", code}});
    auto [right_status, verified] = co_await post(server, verify_path, right_body);

    // Input the API refuses is the user's fault: 400 with the reason.
    const std::string bad_body = json::serialize(json::object{{"phone_number", "not a number"}});
    auto [bad_status, refused] = co_await post(server, start_path, bad_body);

    std::cout << "self-test: start -> " << start_status << ' ' << json::serialize(started) << ", wrong code -> "
              << wrong_status << ' ' << json::serialize(wrong) << ", right code -> " << right_status << ' '
              << json::serialize(verified) << ", bad number -> " << bad_status << ' ' << json::serialize(refused)
              << '\n';
    co_return start_status == 200 && !code.empty() && wrong_status == 401 && right_status == 200 &&
        verified.is_object() && field(verified.get_object(), "status") == "success" && bad_status == 400;
}

}  // namespace

int main(int argc, char** argv) {
    const bool testing = argc > 1 && std::string(argv[1]) == "--self-test";
    const auto port = static_cast<unsigned short>(!testing && argc > 1 ? std::atoi(argv[1]) : (testing ? 0 : 8080));

    asio::io_context ioc;
    ding::sandbox sandbox(ioc.get_executor());
    v2::client_options opts;
    opts.base_url = sandbox.v2_base_url();
    opts.api_key = sandbox.v2_api_key();
    opts.tls.ca_pem = sandbox.ca_pem();
    v2::client client(ioc.get_executor(), opts);

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
    std::cout << "login server (Prelude v2) on http://127.0.0.1:" << acceptor.local_endpoint().port()
              << " (Prelude: " << opts.base_url << ")\n";
    asio::co_spawn(ioc, accept_loop(client, acceptor), asio::detached);

    int exit_code = 0;
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    auto shut_down = [&] {
        signals.cancel();
        acceptor.close();
        sandbox.stop();
        client.close_idle_connections();
        ioc.stop();  // open keep-alive connections of HTTP clients do not keep us alive
    };
    signals.async_wait([&](boost::system::error_code e, int) {
        if (!e) shut_down();
    });
    if (testing) {
        asio::co_spawn(ioc, self_test(acceptor.local_endpoint(), sandbox), [&](std::exception_ptr e, bool ok) {
            exit_code = ok && !e ? 0 : 1;
            shut_down();
        });
    }
    ioc.run();
    return exit_code;
}
