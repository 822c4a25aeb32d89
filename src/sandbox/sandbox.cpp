#include "ding/sandbox.hpp"

#include "admin.hpp"
#include "certificate.hpp"
#include "state.hpp"
#include "webhook_signer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <charconv>
#include <deque>
#include <mutex>
#include <exception>
#include <system_error>
#include <thread>
#include <unordered_map>

namespace ding {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t body_limit = 64 * 1024;

const char* reason(unsigned status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
    }
}

void append_number(std::string& out, std::uint64_t n) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, r.ptr);
}

// Status line and headers (ending with the blank line) for `res` with a body of `length` bytes.
std::string head(const detail::sandbox_response& res, std::size_t length, bool keep_alive, bool http10) {
    std::string out;
    out.reserve(192);
    out += "HTTP/1.1 ";
    append_number(out, res.status);
    out += ' ';
    out += reason(res.status);
    out += "\r\nServer: ding-sandbox\r\nContent-Type: ";
    out += res.content_type;
    out += "\r\nContent-Length: ";
    append_number(out, length);
    out += "\r\n";
    if (!keep_alive) out += "Connection: close\r\n";
    else if (http10) out += "Connection: keep-alive\r\n";
    if (res.retry_after) {
        out += "Retry-After: ";
        append_number(out, static_cast<std::uint64_t>(*res.retry_after));
        out += "\r\n";
    }
    if (res.allow) {
        out += "Allow: ";
        out += res.allow;
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

detail::sandbox_response fault_status(const sandbox_fault& f) {
    detail::sandbox_response r;
    switch (f.kind) {
    case sandbox_fault_kind::status_429:
        r.status = 429;
        r.body = R"({"message":"too many requests"})";
        r.retry_after = f.retry_after.count();
        break;
    case sandbox_fault_kind::status_500:
        r.status = 500;
        r.body = R"({"message":"internal server error"})";
        break;
    case sandbox_fault_kind::status_502:
        r.status = 502;
        r.content_type = "text/html";
        r.body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
        break;
    case sandbox_fault_kind::status_503:
        r.status = 503;
        r.content_type = "text/plain";
        r.body = "service unavailable";
        r.retry_after = f.retry_after.count();
        break;
    default:
        r.status = 504;
        r.content_type = "text/plain";
        break;
    }
    return r;
}

}  // namespace

struct sandbox::impl : std::enable_shared_from_this<sandbox::impl> {
    struct connection_handle {
        beast::tcp_stream* tcp;
        asio::steady_timer* timer;
    };

    sandbox_options options;
    detail::sandbox_state state;
    detail::sandbox_admin admin;  // /_sandbox/...; only touched on the strand
    asio::strand<asio::any_io_executor> strand;
    std::optional<asio::ssl::context> ssl;
    std::string ca_pem;
    tcp::acceptor acceptor;
    std::uint16_t port = 0;
    std::atomic<bool> stopped{false};
    // Only touched on the strand.
    std::uint64_t next_id = 0;
    std::unordered_map<std::uint64_t, connection_handle> connections;

    // Webhooks (v2). The signing key is made on first need on keygen_thread (never on the
    // executor); the queue, the worker flag and the handles below are only touched on the strand.
    detail::webhook_signer signer;
    std::once_flag keygen_started;
    std::thread keygen_thread;
    std::atomic<bool> keygen_finished{false};
    struct queued_webhook {
        detail::callback_url url;
        std::string body;
    };
    std::deque<queued_webhook> webhook_queue;
    bool webhook_worker_running = false;
    beast::tcp_stream* webhook_stream = nullptr;  // the delivery in progress, closed by close_all
    asio::steady_timer* webhook_wait = nullptr;    // the worker waiting for the key, cancelled by close_all

    impl(asio::any_io_executor ex, sandbox_options o)
        : options(std::move(o)), state(options), admin(options.admin_token, options), strand(asio::make_strand(ex)),
          acceptor(strand) {
        if (options.tls) {
            detail::generated_certificate cert;
            std::string why;
            if (!detail::make_certificate(options.certificate_names, cert, why))
                throw std::system_error(std::make_error_code(std::errc::protocol_error),
                                        "ding::sandbox: cannot generate a certificate: " + why);
            ssl.emplace(asio::ssl::context::tls_server);
            boost::system::error_code ec;
            ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                                 asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                                 asio::ssl::context::no_tlsv1_1,
                             ec);
            if (!ec) ssl->use_certificate_chain(asio::buffer(cert.cert_chain_pem), ec);
            if (!ec) ssl->use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem, ec);
            if (ec) throw std::system_error(ec, "ding::sandbox: cannot load the generated certificate");
            ca_pem = std::move(cert.ca_pem);
        }
        const tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), options.port);
        boost::system::error_code ec;
        acceptor.open(ep.protocol(), ec);
        if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) acceptor.bind(ep, ec);
        if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec)
            throw std::system_error(ec, "ding::sandbox: cannot listen on 127.0.0.1:" + std::to_string(options.port));
        port = acceptor.local_endpoint().port();
    }

    ~impl() {
        if (keygen_thread.joinable()) keygen_thread.join();
    }

    void start_keygen() noexcept {
        try {
            std::call_once(keygen_started, [this] {
                keygen_thread = std::thread([this] {
                    (void)signer.ensure();
                    keygen_finished = true;
                });
            });
        } catch (...) {  // no thread: generate on first use by webhook_public_key_pem() or the worker
            keygen_finished = true;
        }
    }

    // On the strand: queues what a request produced and starts the worker if idle.
    void enqueue_webhooks(std::vector<detail::outgoing_webhook>& list) {
        for (auto& w : list) {
            auto url = detail::parse_callback_url(w.url);
            if (stopped || !url || url->https || !url->loopback() || webhook_queue.size() >= options.max_pending_webhooks) {
                state.on_webhook(detail::sandbox_state::webhook_result::dropped);
                continue;
            }
            webhook_queue.push_back({std::move(*url), std::move(w.body)});
        }
        if (webhook_queue.empty() || webhook_worker_running) return;
        start_keygen();
        webhook_worker_running = true;
        asio::co_spawn(strand, webhook_worker(shared_from_this()), [self = shared_from_this()](std::exception_ptr e) {
            if (e) self->webhook_worker_running = false;
        });
    }

    // Delivers the queue in order, one request at a time, each bounded by webhook_timeout.
    static asio::awaitable<void> webhook_worker(std::shared_ptr<impl> self) {
        struct done {
            impl* self;
            ~done() {
                self->webhook_worker_running = false;
                self->webhook_wait = nullptr;
            }
        } guard{self.get()};
        {
            asio::steady_timer timer(self->strand);
            self->webhook_wait = &timer;
            // Key generation takes well under a second; 60 s bounds a machine under heavy load.
            for (int i = 0; i < 6000 && !self->stopped && !self->keygen_finished && !self->signer.ready(); ++i) {
                timer.expires_after(std::chrono::milliseconds(10));
                (void)co_await timer.async_wait(use_tuple);
            }
            self->webhook_wait = nullptr;
        }
        while (!self->stopped && !self->webhook_queue.empty()) {
            queued_webhook w = std::move(self->webhook_queue.front());
            self->webhook_queue.pop_front();
            std::optional<std::string> signature = self->signer.ready() ? self->signer.sign(w.body) : std::nullopt;
            bool ok = false;
            if (signature) ok = co_await self->deliver(w.url, w.body, *signature);
            if (self->stopped) co_return;
            self->state.on_webhook(ok ? detail::sandbox_state::webhook_result::sent
                                      : detail::sandbox_state::webhook_result::failed);
        }
        if (self->stopped) self->webhook_queue.clear();
    }

    asio::awaitable<bool> deliver(const detail::callback_url& url, const std::string& body, const std::string& signature) {
        beast::tcp_stream stream(strand);
        webhook_stream = &stream;
        struct unregister {
            impl* self;
            ~unregister() { self->webhook_stream = nullptr; }
        } guard{this};
        // One deadline for the whole exchange: connect, write, read.
        stream.expires_after(options.webhook_timeout);
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(url.host == "localhost" ? "127.0.0.1" : url.host, ec);
        if (ec) co_return false;
        auto [cec] = co_await stream.async_connect(tcp::endpoint(address, url.port), use_tuple);
        if (cec || stopped) co_return false;
        http::request<http::string_body> req(http::verb::post, url.target, 11);
        std::string host = address.is_v6() ? "[" + url.host + "]" : url.host;
        host += ':';
        host += std::to_string(url.port);
        req.set(http::field::host, host);
        req.set(http::field::user_agent, "ding-sandbox");
        req.set(http::field::content_type, "application/json");
        req.set(http::field::connection, "close");
        req.set("X-Webhook-Signature", signature);
        req.body() = body;
        req.prepare_payload();
        auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
        if (wec || stopped) co_return false;
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024);
        auto [rec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
        close(stream);
        if (rec || stopped) co_return false;
        const unsigned status = parser.get().result_int();
        co_return status >= 200 && status < 300;
    }

    void start() {
        asio::co_spawn(strand, accept_loop(shared_from_this()), [](std::exception_ptr) {});
    }

    void stop() noexcept {
        if (stopped.exchange(true)) return;
        try {
            asio::dispatch(strand, [self = shared_from_this()] { self->close_all(); });
        } catch (...) {
        }
    }

    void close_all() {
        boost::system::error_code ec;
        acceptor.close(ec);
        for (auto& [id, c] : connections) {
            c.tcp->socket().shutdown(tcp::socket::shutdown_both, ec);
            c.tcp->close();
            c.timer->cancel();
        }
        if (webhook_stream) webhook_stream->close();
        if (webhook_wait) webhook_wait->cancel();
        webhook_queue.clear();
    }

    static asio::awaitable<void> accept_loop(std::shared_ptr<impl> self) {
        while (!self->stopped) {
            auto [ec, socket] = co_await self->acceptor.async_accept(use_tuple);
            if (self->stopped) co_return;
            if (ec) {
                if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) co_return;
                continue;  // e.g. EMFILE: keep accepting
            }
            self->state.on_connection();
            socket.set_option(tcp::no_delay(true), ec);
            asio::co_spawn(self->strand, run_connection(self, std::move(socket)), [](std::exception_ptr) {});
        }
    }

    static asio::awaitable<void> run_connection(std::shared_ptr<impl> self, tcp::socket socket) {
        if (self->ssl) {
            beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *self->ssl);
            co_await self->session(stream, true);
        } else {
            beast::tcp_stream stream(std::move(socket));
            co_await self->session(stream, false);
        }
    }

    template <class Stream>
    asio::awaitable<void> session(Stream& stream, bool tls) {
        beast::tcp_stream& tcp = beast::get_lowest_layer(stream);
        asio::steady_timer timer(strand);
        const std::uint64_t id = next_id++;
        connections.emplace(id, connection_handle{&tcp, &timer});
        struct unregister {
            impl* self;
            std::uint64_t id;
            ~unregister() { self->connections.erase(id); }
        } guard{this, id};
        if (stopped) co_return;

        if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
            tcp.expires_after(options.request_timeout);
            auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
            if (ec || stopped) co_return;
            state.on_handshake();
        }
        (void)tls;

        beast::flat_buffer buffer;
        std::size_t served = 0;
        for (;;) {
            if (stopped) co_return;
            tcp.expires_after(served == 0 ? options.request_timeout : options.idle_timeout);
            http::request_parser<http::string_body> parser;
            parser.body_limit(body_limit);
            auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
            if (stopped) co_return;
            if (ec) {
                if (ec == http::error::body_limit) {
                    detail::sandbox_response r;
                    r.status = 413;
                    r.body = R"({"message":"request body too large"})";
                    if (co_await write(stream, r, false, false)) co_await drain(stream);
                } else if (ec.category() == make_error_code(http::error::end_of_stream).category() && ec != http::error::end_of_stream &&
                           ec != http::error::partial_message) {
                    detail::sandbox_response r;
                    r.status = 400;
                    r.content_type = "text/plain";
                    r.body = "malformed HTTP request";
                    co_await write(stream, r, false, false);
                }
                close(tcp);
                co_return;
            }
            ++served;
            auto& req = parser.get();
            const std::string_view target(req.target().data(), req.target().size());
            const auto qpos = target.find('?');
            const std::string_view path = target.substr(0, qpos);
            const std::string_view query = qpos == std::string_view::npos ? std::string_view{} : target.substr(qpos + 1);
            const std::string_view method(req.method_string().data(), req.method_string().size());
            const detail::route_match route = detail::match_route(method, path);
            const bool last = options.max_requests_per_connection != 0 && served >= options.max_requests_per_connection;
            const bool keep_alive = req.keep_alive() && !last;
            const bool http10 = req.version() == 10;

            // The admin API (admin.hpp) answers before the API sees the request: it is neither
            // counted nor faulted nor logged.
            if (admin.enabled() && detail::sandbox_admin::is_admin_path(path)) {
                std::optional<std::string_view> authorization;
                if (auto it = req.find(http::field::authorization); it != req.end())
                    authorization = std::string_view(it->value().data(), it->value().size());
                const detail::sandbox_response res = admin.handle({method, path, query, authorization, req.body()}, state);
                if (!co_await write(stream, res, keep_alive, http10) || !keep_alive) {
                    close(tcp);
                    co_return;
                }
                continue;
            }
            std::optional<sandbox_fault> fault = state.on_request(path, route);
            // The request log entry; status nullopt: no response (the connection is closed).
            auto log = [&](std::optional<unsigned> status) {
                if (admin.enabled()) admin.record(method, path, status, fault ? &*fault : nullptr, state.now());
            };
            detail::sandbox_response res;
            bool handled = false;
            if (fault) {
                switch (fault->kind) {
                case sandbox_fault_kind::status_429:
                case sandbox_fault_kind::status_500:
                case sandbox_fault_kind::status_502:
                case sandbox_fault_kind::status_503:
                case sandbox_fault_kind::status_504:
                    res = fault_status(*fault);
                    handled = true;
                    break;
                case sandbox_fault_kind::delay: {
                    timer.expires_after(fault->delay);
                    (void)co_await timer.async_wait(use_tuple);
                    if (stopped) co_return;
                    break;
                }
                case sandbox_fault_kind::close_before_response:
                    log(std::nullopt);
                    close(tcp);
                    co_return;
                case sandbox_fault_kind::close_after_headers:
                case sandbox_fault_kind::close_mid_body: {
                    detail::sandbox_response r;
                    r.body = state.fake_body(route, false);
                    std::string wire = head(r, r.body.size(), true, false);
                    if (fault->kind == sandbox_fault_kind::close_mid_body) wire.append(r.body, 0, r.body.size() / 2);
                    log(std::nullopt);
                    tcp.expires_after(options.request_timeout);
                    co_await asio::async_write(stream, asio::buffer(wire), use_tuple);
                    close(tcp);
                    co_return;
                }
                case sandbox_fault_kind::malformed_json: {
                    std::string body = state.fake_body(route, false);
                    body.resize(body.size() / 2);
                    body += ",}";
                    res.body = std::move(body);
                    handled = true;
                    break;
                }
                case sandbox_fault_kind::wrong_types:
                    res.body = state.fake_body(route, true);
                    handled = true;
                    break;
                case sandbox_fault_kind::huge_body: {
                    std::string body;
                    const std::size_t size = std::max<std::size_t>(fault->huge_body_bytes, 16);
                    body.reserve(size);
                    body += "{\"padding\":\"";
                    body.append(size - 14, 'x');
                    body += "\"}";
                    res.body = std::move(body);
                    handled = true;
                    break;
                }
                case sandbox_fault_kind::stall: {
                    log(std::nullopt);
                    tcp.expires_never();
                    char scratch[512];
                    for (;;) {
                        auto [rec, rn] = co_await stream.async_read_some(asio::buffer(scratch), use_tuple);
                        if (rec || stopped) break;
                    }
                    close(tcp);
                    co_return;
                }
                }
            }
            if (!handled) {
                detail::sandbox_request r;
                r.method = method;
                r.path = path;
                r.query = query;
                if (auto it = req.find("x-api-key"); it != req.end())
                    r.api_key = std::string_view(it->value().data(), it->value().size());
                if (auto it = req.find("customer-uuid"); it != req.end())
                    r.customer_uuid = std::string_view(it->value().data(), it->value().size());
                if (auto it = req.find(http::field::authorization); it != req.end())
                    r.authorization = std::string_view(it->value().data(), it->value().size());
                r.body = req.body();
                res = state.handle(r, route);
                if (!res.webhooks.empty()) enqueue_webhooks(res.webhooks);
            }
            log(res.status);
            if (!co_await write(stream, res, keep_alive, http10) || !keep_alive) {
                close(tcp);
                co_return;
            }
        }
    }

    template <class Stream>
    asio::awaitable<bool> write(Stream& stream, const detail::sandbox_response& res, bool keep_alive, bool http10) {
        std::string wire = head(res, res.body.size(), keep_alive, http10);
        beast::tcp_stream& tcp = beast::get_lowest_layer(stream);
        tcp.expires_after(options.request_timeout);
        if (res.body.size() <= 16 * 1024) {
            wire += res.body;
            auto [ec, n] = co_await asio::async_write(stream, asio::buffer(wire), use_tuple);
            co_return !ec && !stopped;
        }
        auto [ec, n] = co_await asio::async_write(stream, asio::buffer(wire), use_tuple);
        if (ec || stopped) co_return false;
        auto [ec2, n2] = co_await asio::async_write(stream, asio::buffer(res.body), use_tuple);
        co_return !ec2 && !stopped;
    }

    // After a final response sent early (413): stop sending, swallow what the client is still
    // sending (bounded), so that closing does not reset the connection before it reads the answer.
    template <class Stream>
    asio::awaitable<void> drain(Stream& stream) {
        beast::tcp_stream& tcp = beast::get_lowest_layer(stream);
        boost::system::error_code ec;
        tcp.socket().shutdown(tcp::socket::shutdown_send, ec);
        tcp.expires_after(std::chrono::seconds(1));
        std::size_t total = 0;
        char scratch[4096];
        while (total < 1024 * 1024 && !stopped) {
            auto [rec, n] = co_await stream.async_read_some(asio::buffer(scratch), use_tuple);
            if (rec) break;
            total += n;
        }
    }

    static void close(beast::tcp_stream& tcp) {
        boost::system::error_code ec;
        tcp.socket().shutdown(tcp::socket::shutdown_send, ec);
        tcp.close();
    }
};

struct sandbox::own_thread {
    asio::io_context ioc{1};
    asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
    std::thread thread;
};

sandbox::sandbox(boost::asio::any_io_executor ex, sandbox_options options)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(options))) {
    impl_->start();
}

sandbox::sandbox(sandbox_options options) : thread_(std::make_unique<own_thread>()) {
    impl_ = std::make_shared<impl>(thread_->ioc.get_executor(), std::move(options));
    impl_->start();
    own_thread* t = thread_.get();
    thread_->thread = std::thread([t] {
        for (;;) {
            try {
                t->ioc.run();
                return;
            } catch (...) {
            }
        }
    });
}

sandbox::~sandbox() {
    if (impl_) impl_->stop();
    if (thread_) {
        thread_->work.reset();
        if (thread_->thread.joinable()) thread_->thread.join();
        impl_.reset();
        thread_.reset();
    }
}

std::uint64_t sandbox_stats::requests_for(std::string_view path) const noexcept {
    const auto& list = path.find('{') != std::string_view::npos ? routes : paths;
    for (const auto& p : list)
        if (p.path == path) return p.requests;
    return 0;
}

std::string sandbox::base_url() const {
    return std::string(impl_->ssl ? "https" : "http") + "://127.0.0.1:" + std::to_string(impl_->port) + "/v1";
}
const std::string& sandbox::api_key() const noexcept { return impl_->options.api_key; }
const std::string& sandbox::ca_pem() const noexcept { return impl_->ca_pem; }
std::uint16_t sandbox::port() const noexcept { return impl_->port; }
const sandbox_options& sandbox::options() const noexcept { return impl_->options; }
std::string sandbox::v2_base_url() const {
    return std::string(impl_->ssl ? "https" : "http") + "://127.0.0.1:" + std::to_string(impl_->port);
}
const std::string& sandbox::v2_api_key() const noexcept { return impl_->options.v2_api_key; }
std::optional<std::string> sandbox::code_for_target(std::string_view target) const {
    return impl_->state.code_for_target(target);
}
const std::string& sandbox::webhook_public_key_pem() const { return impl_->signer.public_key_pem(); }
std::optional<std::string> sandbox::code_for(std::string_view uuid) const { return impl_->state.code_for(uuid); }
std::chrono::system_clock::time_point sandbox::now() const { return impl_->state.now(); }
void sandbox::advance_clock(std::chrono::system_clock::duration by) { impl_->state.advance_clock(by); }
void sandbox::stop() noexcept { impl_->stop(); }
bool sandbox::stopped() const noexcept { return impl_->stopped; }
sandbox_stats sandbox::stats() const { return impl_->state.stats(); }
std::uint64_t sandbox::requests_for(std::string_view path) const { return impl_->state.requests_for(path); }
void sandbox::inject(sandbox_fault fault) { impl_->state.inject(std::move(fault)); }
void sandbox::clear_faults() { impl_->state.clear_faults(); }
std::size_t sandbox::pending_faults() const { return impl_->state.pending_faults(); }

}  // namespace ding
