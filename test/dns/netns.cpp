#include "netns.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

namespace dns_test {
namespace {

constexpr int exit_no_namespace = 77; // the child could not unshare: skip (or fail in CI)
constexpr int exit_no_exec = 78;

bool in_child() {
    const char* v = std::getenv("DING_DNS_NETNS");
    return v != nullptr && std::string(v) == "1";
}

bool required_by_ci() {
    const char* v = std::getenv("CI_REQUIRE_DNS_TIER");
    return v != nullptr && std::string(v) == "1";
}

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

struct namespace_files {
    dev_t hosts_dev = 0;
    ino_t hosts_ino = 0;
    int udp = -1;
    int tcp = -1;
};

namespace_files& files() {
    static namespace_files f;
    return f;
}

void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::trunc);
    out << content;
    out.close();
    if (!out) FAIL("cannot write " << path);
}

void bind_over(const std::string& source, const char* target) {
    if (::mount(source.c_str(), target, nullptr, MS_BIND, nullptr) != 0)
        FAIL(errno_text(("bind-mount over " + std::string(target)).c_str()));
}

void loopback_up() {
    const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) FAIL(errno_text("socket"));
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(s, SIOCGIFFLAGS, &ifr) != 0) FAIL(errno_text("SIOCGIFFLAGS lo"));
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    if (::ioctl(s, SIOCSIFFLAGS, &ifr) != 0) FAIL(errno_text("SIOCSIFFLAGS lo"));
    ::close(s);
}

int bound_socket(int type) {
    const int s = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (s < 0) FAIL(errno_text("socket"));
    const int one = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(53);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(s, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) FAIL(errno_text("bind 127.0.0.1:53"));
    if (type == SOCK_STREAM && ::listen(s, 16) != 0) FAIL(errno_text("listen 127.0.0.1:53"));
    return s;
}

// Inside the new namespaces, once per process.
void set_up() {
    static bool done = false;
    if (done) return;
    loopback_up();
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) FAIL(errno_text("make / private"));

    char dir_template[] = "/tmp/ding-dns-XXXXXX";
    const char* dir = ::mkdtemp(dir_template);
    if (dir == nullptr) FAIL(errno_text("mkdtemp"));
    const std::string d = dir;
    // timeout:2 attempts:1 only bounds how long Asio's resolver thread stays blocked after the
    // test gave up (it is joined when the io_context is destroyed); the server never answers.
    write_file(d + "/resolv.conf", "nameserver 127.0.0.1\noptions timeout:2 attempts:1\n");
    write_file(d + "/hosts", "127.0.0.1 localhost\n::1 localhost\n");
    write_file(d + "/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n");
    bind_over(d + "/resolv.conf", "/etc/resolv.conf");
    bind_over(d + "/hosts", "/etc/hosts");
    bind_over(d + "/nsswitch.conf", "/etc/nsswitch.conf");
    // The mounts keep the files; their names are not needed any more.
    for (const char* f : {"/resolv.conf", "/hosts", "/nsswitch.conf"}) ::unlink((d + f).c_str());
    ::rmdir(d.c_str());

    struct stat st {};
    if (::stat("/etc/hosts", &st) != 0) FAIL(errno_text("stat /etc/hosts"));
    files().hosts_dev = st.st_dev;
    files().hosts_ino = st.st_ino;

    files().udp = bound_socket(SOCK_DGRAM);
    files().tcp = bound_socket(SOCK_STREAM);
    done = true;
}

// In the test process: runs `test_name` in a child inside new namespaces. Returns the child's
// exit status, or -1 with `why` when it could not be started.
int run_child(const std::string& test_name, std::string& why) {
    std::vector<std::string> args{"/proc/self/exe", test_name};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (char** e = environ; *e != nullptr; ++e)
        if (std::strncmp(*e, "DING_DNS_NETNS=", 15) != 0) env_storage.emplace_back(*e);
    env_storage.emplace_back("DING_DNS_NETNS=1");
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);

    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        why = errno_text("fork");
        return -1;
    }
    if (pid == 0) {
        if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) ::_exit(exit_no_namespace);
        ::execve("/proc/self/exe", argv.data(), envp.data());
        ::_exit(exit_no_exec);
    }
    // Bounded: every case ends in seconds; a hung child is killed.
    const auto bound = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    int status = 0;
    for (;;) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            why = errno_text("waitpid");
            return -1;
        }
        if (std::chrono::steady_clock::now() > bound) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            why = "the test case did not end within 90 s in its namespace (killed)";
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (WIFSIGNALED(status)) {
        why = "the test case was killed by signal " + std::to_string(WTERMSIG(status)) + " in its namespace";
        return -1;
    }
    return WEXITSTATUS(status);
}

} // namespace

bool enter() {
    if (in_child()) {
        set_up();
        return true;
    }
    const std::string name = Catch::getResultCapture().getCurrentTestName();
    std::string why;
    const int status = run_child(name, why);
    if (status == exit_no_namespace || status == exit_no_exec) {
        why = status == exit_no_namespace
                  ? "cannot create network and mount namespaces (unshare(CLONE_NEWNET | CLONE_NEWNS) needs root)"
                  : "cannot re-execute /proc/self/exe";
        if (required_by_ci()) FAIL("DNS tier required (CI_REQUIRE_DNS_TIER=1) but " << why);
        WARN("SKIPPED: " << why);
        return false;
    }
    INFO(why);
    INFO("the test case ran in a child process inside new network and mount namespaces; see its output above");
    REQUIRE(status == 0);
    return false;
}

void write_hosts(const std::string& content) {
    REQUIRE(in_child());
    struct stat st {};
    // Never the real /etc/hosts: only the file this process bind-mounted over it.
    REQUIRE(::stat("/etc/hosts", &st) == 0);
    REQUIRE(st.st_dev == files().hosts_dev);
    REQUIRE(st.st_ino == files().hosts_ino);
    write_file("/etc/hosts", content);
}

int dns_queries_received() {
    int n = 0;
    char buf[2048];
    // Counts (and drops) what arrived: the server still never answers.
    while (::recv(files().udp, buf, sizeof buf, MSG_DONTWAIT) > 0) ++n;
    return n;
}

} // namespace dns_test
