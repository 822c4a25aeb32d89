#include "support/test_server.hpp"

#include "sandbox/certificate.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <list>
#include <optional>
#include <stdexcept>

namespace ding::test {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

std::string reason_of(unsigned status) {
    auto r = http::obsolete_reason(static_cast<http::status>(status));
    return r.empty() ? std::string("Status") : std::string(r);
}

} // namespace

std::string recorded_request::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (iequals(n, name)) return v;
    return {};
}

std::size_t recorded_request::header_count(std::string_view name) const {
    return static_cast<std::size_t>(
        std::count_if(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); }));
}

boost::json::value recorded_request::json() const { return boost::json::parse(body); }

// ------------------------------------------------------------------------------------------------

struct session {
    explicit session(asio::any_io_executor ex, std::size_t i) : socket(ex), timer(ex), index(i) {}
    tcp::socket socket; // before being moved into the stream; see lowest()
    asio::steady_timer timer;
    std::size_t index;
    bool idle = false;   // waiting for the next request with no buffered bytes
    bool closed = false;
    tcp::socket* lowest_socket = nullptr; // the socket inside the stream that owns it

    // Ties lowest_socket to a stream's socket for the stream's lifetime.
    struct bind {
        session& s;
        bind(session& se, tcp::socket& sock) : s(se) { s.lowest_socket = &sock; }
        ~bind() { s.lowest_socket = nullptr; }
        bind(const bind&) = delete;
        bind& operator=(const bind&) = delete;
    };

    void close(bool reset = false) {
        if (closed) return;
        closed = true;
        timer.cancel();
        if (lowest_socket != nullptr && lowest_socket->is_open()) {
            boost::system::error_code ignored;
            if (reset) lowest_socket->set_option(asio::socket_base::linger(true, 0), ignored);
            lowest_socket->close(ignored);
        }
    }
};

struct test_server::state : std::enable_shared_from_this<test_server::state> {
    state(asio::io_context& ioc, server_options o) : ex(ioc.get_executor()), options(o), acceptor(ioc) {}

    asio::any_io_executor ex;
    server_options options;
    tcp::acceptor acceptor;
    std::optional<asio::ssl::context> tls;
    std::string ca;
    std::deque<reply> queue;
    std::function<reply(const recorded_request&)> responder;
    std::vector<recorded_request> requests;
    std::list<std::weak_ptr<session>> sessions;
    std::size_t accepted = 0, handshakes = 0, open = 0, max_open = 0, in_progress = 0, max_in_progress = 0;
    std::size_t live = 0;
    unsigned short port = 0;
    bool stopped = false;

    struct live_guard {
        state& s;
        explicit live_guard(state& st) : s(st) { ++s.live; }
        ~live_guard() { --s.live; }
    };

    reply next_reply(const recorded_request& req) {
        if (!queue.empty()) {
            reply r = std::move(queue.front());
            queue.pop_front();
            return r;
        }
        if (responder) return responder(req);
        return reply{};
    }

    asio::awaitable<void> accept_loop() {
        auto self = shared_from_this();
        live_guard guard(*this);
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
            if (ec || stopped) co_return;
            auto s = std::make_shared<session>(ex, accepted++);
            s->socket = std::move(socket);
            ++open;
            max_open = std::max(max_open, open);
            sessions.push_back(s);
            asio::co_spawn(ex, serve(s), asio::detached);
        }
    }

    asio::awaitable<void> serve(std::shared_ptr<session> s) {
        auto self = shared_from_this();
        live_guard guard(*this);
        struct on_exit {
            state& st;
            session& s;
            ~on_exit() { // the stream (declared later) is already destroyed, and its socket closed
                s.closed = true;
                s.timer.cancel();
                --st.open;
            }
        } closer{*this, *s};

        if (options.tls == tls_mode::none) {
            beast::tcp_stream stream(std::move(s->socket));
            session::bind bound(*s, stream.socket());
            if (stopped) co_return;
            co_await exchange_loop(*s, stream);
            co_return;
        }
        if (options.tls == tls_mode::silent) {
            tcp::socket sock(std::move(s->socket));
            session::bind bound(*s, sock);
            if (stopped) co_return;
            co_await drain(sock);
            co_return;
        }
        asio::ssl::stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(s->socket)), *tls);
        session::bind bound(*s, stream.next_layer().socket());
        if (stopped) co_return;
        auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
        if (hec) co_return; // e.g. the client refused the certificate
        ++handshakes;
        co_await exchange_loop(*s, stream);
    }

    // Reads (and discards) until the peer closes or the socket is closed.
    template <class Stream>
    asio::awaitable<void> drain(Stream& stream) {
        char buf[512];
        for (;;) {
            auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), use_tuple);
            if (ec) co_return;
        }
    }

    template <class Stream>
    asio::awaitable<void> exchange_loop(session& s, Stream& stream) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(16 * 1024 * 1024);
            s.idle = buffer.size() == 0;
            auto [rec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
            s.idle = false;
            if (rec || stopped) co_return;

            auto& msg = parser.get();
            recorded_request req;
            req.method = std::string(msg.method_string());
            req.target = std::string(msg.target());
            for (const auto& field : msg) req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
            req.body = msg.body();
            req.connection = s.index;
            req.received = std::chrono::steady_clock::now();
            requests.push_back(req);
            ++in_progress;
            max_in_progress = std::max(max_in_progress, in_progress);
            struct done {
                std::size_t& n;
                ~done() { --n; }
            } progress{in_progress};

            reply r = next_reply(requests.back());
            if (!co_await answer(s, stream, r)) co_return;
            if (!r.keep_alive || !msg.keep_alive()) co_return;
        }
    }

    std::string head(const reply& r, std::size_t content_length) const {
        std::string h = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_of(r.status) + "\r\n";
        if (!r.content_type.empty()) h += "Content-Type: " + r.content_type + "\r\n";
        for (const auto& [n, v] : r.headers) h += n + ": " + v + "\r\n";
        h += "Content-Length: " + std::to_string(content_length) + "\r\n\r\n";
        return h;
    }

    template <class Stream>
    asio::awaitable<bool> write_raw(Stream& stream, std::string data) {
        auto [ec, n] = co_await asio::async_write(stream, asio::buffer(data), use_tuple);
        co_return !ec;
    }

    // Sends the end of the stream before the close: TLS close_notify (then waits for the client's
    // or for its close); nothing for plain TCP, whose close is the end.
    asio::awaitable<void> end_of_stream(beast::tcp_stream&) { co_return; }
    asio::awaitable<void> end_of_stream(asio::ssl::stream<beast::tcp_stream>& stream) {
        auto [ec] = co_await stream.async_shutdown(use_tuple);
        (void)ec; // the client may close without answering: that is fine here
    }

    // Waits `d` on the session's timer; false when the session or the server was closed meanwhile.
    asio::awaitable<bool> wait(session& s, std::chrono::milliseconds d) {
        s.timer.expires_after(d);
        auto [ec] = co_await s.timer.async_wait(use_tuple);
        co_return !ec && !stopped && !s.closed;
    }

    // Returns true if the connection may carry the next request.
    template <class Stream>
    asio::awaitable<bool> answer(session& s, Stream& stream, const reply& r) {
        switch (r.how) {
        case behaviour::delay: {
            s.timer.expires_after(r.delay);
            auto [ec] = co_await s.timer.async_wait(use_tuple);
            if (ec || stopped || s.closed) co_return false;
            break;
        }
        case behaviour::close_before_response:
            s.close();
            co_return false;
        case behaviour::reset_before_response:
            s.close(true);
            co_return false;
        case behaviour::close_after_headers:
            co_await write_raw(stream, head(r, r.body.size()));
            s.close();
            co_return false;
        case behaviour::close_mid_body:
        case behaviour::reset_mid_body:
            co_await write_raw(stream, head(r, r.body.size()) + r.body.substr(0, r.body.size() / 2));
            s.close(r.how == behaviour::reset_mid_body);
            co_return false;
        case behaviour::content_length_longer_then_close:
            co_await write_raw(stream, head(r, r.body.size() + 100) + r.body);
            s.close();
            co_return false;
        case behaviour::headers_never_finish:
            co_await write_raw(stream, "HTTP/1.1 200 OK\r\nContent-Type: applic");
            co_await drain(stream);
            co_return false;
        case behaviour::stall:
            co_await drain(stream);
            co_return false;
        case behaviour::continue_then_response:
            co_return co_await write_raw(stream, "HTTP/1.1 100 Continue\r\n\r\n" + head(r, r.body.size()) + r.body) &&
                !stopped;
        case behaviour::early_hints_then_response: {
            if (!co_await write_raw(stream, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"))
                co_return false;
            if (!co_await wait(s, r.delay)) co_return false;
            co_return co_await write_raw(stream, head(r, r.body.size()) + r.body) && !stopped;
        }
        case behaviour::switching_protocols:
            co_await write_raw(stream, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n" +
                                           head(r, r.body.size()) + r.body);
            co_await drain(stream);
            co_return false;
        case behaviour::http10_keep_alive_chunked: {
            std::string bytes = "HTTP/1.0 " + std::to_string(r.status) + " " + reason_of(r.status) + "\r\n";
            if (!r.content_type.empty()) bytes += "Content-Type: " + r.content_type + "\r\n";
            for (const auto& [n, v] : r.headers) bytes += n + ": " + v + "\r\n";
            char size[20];
            std::snprintf(size, sizeof size, "%zx", r.body.size());
            bytes += "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n";
            if (!r.body.empty()) bytes += std::string(size) + "\r\n" + r.body + "\r\n";
            bytes += "0\r\n\r\n";
            co_return co_await write_raw(stream, std::move(bytes)) && !stopped;
        }
        case behaviour::http10_keep_alive: {
            std::string h = head(r, r.body.size());
            h.replace(0, 8, "HTTP/1.0");
            h.insert(h.size() - 2, "Connection: keep-alive\r\n");
            co_return co_await write_raw(stream, h + r.body) && !stopped;
        }
        case behaviour::unsolicited_after:
        case behaviour::unsolicited_408_after: {
            if (!co_await write_raw(stream, head(r, r.body.size()) + r.body)) co_return false;
            s.idle = true; // as far as the client knows, the connection is idle now
            if (!co_await wait(s, r.delay)) co_return false;
            if (r.how == behaviour::unsolicited_408_after) {
                co_await write_raw(stream, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
                s.close();
                co_return false;
            }
            co_return co_await write_raw(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                                     std::to_string(r.unsolicited_body.size()) + "\r\n\r\n" +
                                                     r.unsolicited_body) &&
                !stopped;
        }
        case behaviour::huge_header: {
            std::string h = head(r, r.body.size());
            h.insert(h.find("\r\n") + 2, "X-Huge: " + std::string(100 * 1024, 'h') + "\r\n");
            co_return co_await write_raw(stream, h + r.body) && !stopped;
        }
        case behaviour::body_until_close: {
            std::string h = head(r, r.body.size());
            const auto at = h.find("Content-Length: ");
            h.erase(at, h.find("\r\n", at) + 2 - at);
            co_await write_raw(stream, h + r.body);
            co_await end_of_stream(stream); // over TLS, close_notify: the close ends the body, it does not truncate it
            s.close();
            co_return false;
        }
        case behaviour::normal:
            break;
        }
        http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
        if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
        for (const auto& [n, v] : r.headers) res.set(n, v);
        res.body() = r.body;
        res.keep_alive(r.keep_alive);
        res.prepare_payload();
        auto [ec, n] = co_await http::async_write(stream, res, use_tuple);
        co_return !ec && !stopped;
    }

    void stop() {
        if (stopped) return;
        stopped = true;
        boost::system::error_code ignored;
        acceptor.close(ignored);
        for (auto& w : sessions)
            if (auto s = w.lock()) s->close();
        sessions.clear();
    }
};

// ------------------------------------------------------------------------------------------------

test_server::test_server(asio::io_context& ioc, server_options options)
    : state_(std::make_shared<state>(ioc, options)) {
    auto& st = *state_;
    if (options.tls != tls_mode::none && options.tls != tls_mode::silent) {
        std::vector<std::string> names{"127.0.0.1", "localhost"};
        if (options.tls == tls_mode::wrong_host) names = {"example.invalid"};
        detail::generated_certificate served;
        std::string why;
        if (!detail::make_certificate(names, served, why)) throw std::runtime_error("make_certificate: " + why);
        st.ca = served.ca_pem;
        if (options.tls == tls_mode::untrusted_ca) {
            detail::generated_certificate other;
            if (!detail::make_certificate(names, other, why)) throw std::runtime_error("make_certificate: " + why);
            st.ca = other.ca_pem; // the client trusts a CA that did not sign the served certificate
        }
        auto& ctx = st.tls.emplace(asio::ssl::context::tls_server);
        ctx.use_certificate_chain(asio::buffer(served.cert_chain_pem));
        ctx.use_private_key(asio::buffer(served.key_pem), asio::ssl::context::pem);
    }
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    st.acceptor.open(endpoint.protocol());
    st.acceptor.set_option(asio::socket_base::reuse_address(true));
    st.acceptor.bind(endpoint);
    st.acceptor.listen();
    st.port = st.acceptor.local_endpoint().port(); // kept: base_url() still works after stop()
    asio::co_spawn(st.ex, st.accept_loop(), asio::detached);
}

test_server::~test_server() { stop(); }

unsigned short test_server::port() const noexcept { return state_->port; }

std::string test_server::base_url() const {
    const char* scheme = state_->options.tls == tls_mode::none ? "http" : "https";
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port()) + "/v1";
}

const std::string& test_server::ca_pem() const noexcept { return state_->ca; }

void test_server::push(reply r) { state_->queue.push_back(std::move(r)); }
void test_server::push(std::vector<reply> rs) {
    for (auto& r : rs) state_->queue.push_back(std::move(r));
}
void test_server::set_responder(std::function<reply(const recorded_request&)> responder) {
    state_->responder = std::move(responder);
}

const std::vector<recorded_request>& test_server::requests() const noexcept { return state_->requests; }
std::size_t test_server::request_count() const noexcept { return state_->requests.size(); }
std::size_t test_server::connections_accepted() const noexcept { return state_->accepted; }
std::size_t test_server::tls_handshakes() const noexcept { return state_->handshakes; }
std::size_t test_server::open_connections() const noexcept { return state_->open; }
std::size_t test_server::max_open_connections() const noexcept { return state_->max_open; }
std::size_t test_server::max_requests_in_progress() const noexcept { return state_->max_in_progress; }
std::size_t test_server::live_coroutines() const noexcept { return state_->live; }

std::size_t test_server::close_idle_connections() {
    std::size_t n = 0;
    for (auto& w : state_->sessions) {
        auto s = w.lock();
        if (s && s->idle && !s->closed) {
            s->close();
            ++n;
        }
    }
    return n;
}

void test_server::stop() { state_->stop(); }

unsigned short unused_port(asio::io_context& ioc) {
    tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = a.local_endpoint().port();
    a.close();
    return port;
}

} // namespace ding::test
