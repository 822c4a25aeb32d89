// A webhook receiver for test/tool/drive_sandbox.sh: listens on 127.0.0.1 (a free port, printed
// as "port N"), accepts N requests one after another, writes each body to DIR/webhook_<i>.body
// and its X-Webhook-Signature header to DIR/webhook_<i>.sig, answers 200, and exits.
// The whole run is bounded by SECONDS (SIGALRM ends the process), so a missing webhook fails the
// script instead of hanging it.
//
//   ding_tool_webhook_sink DIR N SECONDS
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fputs("usage: ding_tool_webhook_sink DIR N SECONDS\n", stderr);
        return 2;
    }
    const std::string dir = argv[1];
    const int count = std::atoi(argv[2]);
    const int seconds = std::atoi(argv[3]);
    if (count < 1 || count > 100 || seconds < 1 || seconds > 600) return 2;
    ::alarm(static_cast<unsigned>(seconds));
    try {
        asio::io_context ioc;
        tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
        std::printf("port %u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
        std::fflush(stdout);
        for (int i = 1; i <= count; ++i) {
            tcp::socket socket = acceptor.accept();
            boost::beast::flat_buffer buffer;
            http::request_parser<http::string_body> parser;
            parser.body_limit(64 * 1024);
            http::read(socket, buffer, parser);
            const auto& req = parser.get();
            std::string signature;
            if (auto it = req.find("X-Webhook-Signature"); it != req.end()) signature = std::string(it->value());
            std::ofstream(dir + "/webhook_" + std::to_string(i) + ".body", std::ios::binary) << req.body();
            std::ofstream(dir + "/webhook_" + std::to_string(i) + ".sig", std::ios::binary) << signature;
            http::response<http::string_body> res(http::status::ok, 11);
            res.set(http::field::connection, "close");
            res.prepare_payload();
            http::write(socket, res);
            boost::system::error_code ec;
            socket.shutdown(tcp::socket::shutdown_both, ec);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "webhook_sink: %s\n", e.what());
        return 1;
    }
    return 0;
}
