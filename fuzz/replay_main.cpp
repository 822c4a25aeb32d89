// Replays files through a fuzz target's LLVMFuzzerTestOneInput without libFuzzer, so the seed
// corpus and every committed crash input (fuzz/regressions/<target>/) stay tests of the normal
// build. Arguments: files or directories (every regular file in them, sorted; a missing directory
// is skipped). Exit status 0 when every input ran (1 when there was none); a failing check aborts.

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
#ifdef DING_FUZZ_EXPOSE_KNOWN_BUGS
    // Replaying known crashes: an abort (a failed check, a sanitizer report) becomes exit status
    // 1, which ctest's WILL_FAIL can invert (it cannot invert a death by signal).
    std::signal(SIGABRT, [](int) { _exit(1); });
#endif
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const fs::path p(argv[i]);
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (const auto& e : fs::directory_iterator(p, ec))
                if (e.is_regular_file()) files.push_back(e.path());
        } else if (fs::is_regular_file(p, ec)) {
            files.push_back(p);
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::printf("%s (%zu bytes)\n", f.string().c_str(), bytes.size());
        std::fflush(stdout);
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::printf("replayed %zu inputs\n", files.size());
    return files.empty() ? 1 : 0; // an empty corpus would prove nothing

}
