// Must NOT compile (test/packaging/CMakeLists.txt checks the compiler's error): ding::client is
// the v1 client, and v2 options derive from v1's, so they used to convert silently.
#include <ding/client.hpp>
#include <ding/v2/client.hpp>

#include <boost/asio/io_context.hpp>

int main() {
    boost::asio::io_context ioc;
    ding::v2::client_options options;
    options.api_key = "k";
    ding::client client(ioc.get_executor(), options);
}
