// Must NOT compile (test/packaging/CMakeLists.txt checks the compiler's error): ding::v2::client
// takes ding::v2::client_options only.
#include <ding/client.hpp>
#include <ding/v2/client.hpp>

#include <boost/asio/io_context.hpp>

int main() {
    boost::asio::io_context ioc;
    ding::client_options options;
    options.api_key = "k";
    ding::v2::client client(ioc.get_executor(), options);
}
