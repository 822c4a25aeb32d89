// A user's translation unit that still uses Asio names deprecated since Boost 1.66 (io_service,
// io_service::work, io_context::post, io_context::reset) next to the SDK's public headers, and
// links ding::ding. It compiles only if linking the SDK does not define BOOST_ASIO_NO_DEPRECATED
// for its users (issue 19, item 3); it then makes a v1 and a v2 call that fail validation.
#include <ding/ding.hpp>
#include <ding/v2.hpp>

#include <boost/asio/io_service.hpp>

#include <cstdio>
#include <optional>

int main() {
    boost::asio::io_service ios;                                        // deprecated typedef
    std::optional<boost::asio::io_service::work> work(std::in_place, ios);  // deprecated class
    int posted = 0;
    ios.post([&] { ++posted; });                                        // deprecated member

    ding::client_options options;
    options.api_key = "deprecated-asio-test";
    ding::client client(ios.get_executor(), options);
    ding::v2::client_options v2_options;
    v2_options.api_key = "deprecated-asio-test";
    ding::v2::client v2_client(ios.get_executor(), v2_options);
    int refused = 0;
    client.otp().get_authentication_status_async("not-a-uuid", [&](ding::outcome<ding::authentication_status_response> r) {
        refused += !r && r.error().code() == ding::errc::invalid_argument;
    });
    v2_client.lookup().lookup_async("not-a-number", [&](ding::outcome<ding::v2::lookup_response> r) {
        refused += !r && r.error().code() == ding::errc::invalid_argument;
        work.reset();
    });
    ios.run();
    ios.reset();                                                        // deprecated member
    const bool ok = posted == 1 && refused == 2;
    std::printf("deprecated_asio: %s\n", ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}
