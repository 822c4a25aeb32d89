// ding-probe-cost: what the reuse check of an idle connection costs per call (issue 9, item 3).
// Every call that reuses a pooled connection makes one non-blocking recv(MSG_PEEK) on it (bytes
// or a close that arrived while it was idle make it unusable), and every response that leaves a
// connection reusable is acknowledged at once with one setsockopt(TCP_QUICKACK). This measures
// both system calls on an idle loopback TCP connection, the state they meet in steady state.
// Usage: ding-probe-cost [iterations]   (default 1,000,000)

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

int connected_pair(int& server_side) {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 1) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        return -1;
    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
    server_side = ::accept(listener, nullptr, nullptr);
    ::close(listener);
    return server_side < 0 ? -1 : client;
}

template <class F>
double ns_per_call(long n, F&& f) {
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) f();
    const auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    return ns / static_cast<double>(n);
}

} // namespace

int main(int argc, char** argv) {
    const long n = argc > 1 ? std::atol(argv[1]) : 1000000;
    if (n <= 0) return 2;
    int server = -1;
    const int fd = connected_pair(server);
    if (fd < 0) {
        std::perror("loopback connection");
        return 1;
    }
    long unexpected = 0;
    const double peek = ns_per_call(n, [&] {
        char byte;
        const auto r = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) ++unexpected;
    });
    const double quickack = ns_per_call(n, [&] {
        const int on = 1;
        if (::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on) != 0) ++unexpected;
    });
    std::printf("reuse probe recv(MSG_PEEK|MSG_DONTWAIT): %.0f ns per call\n", peek);
    std::printf("setsockopt(TCP_QUICKACK): %.0f ns per call\n", quickack);
    std::printf("together: %.0f ns per call (%ld iterations each, %ld unexpected results)\n", peek + quickack, n,
                unexpected);
    std::printf("json: {\"probe_ns\":%.1f,\"quickack_ns\":%.1f,\"iterations\":%ld}\n", peek, quickack, n);
    ::close(fd);
    ::close(server);
    return unexpected == 0 ? 0 : 1;
}
