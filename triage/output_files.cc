// SPDX-License-Identifier: Apache-2.0
#include "triage/output_files.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace hvfuzz::triage {

bool WriteNewFile(const std::string& path, std::string_view content, std::string* error) {
  // O_EXCL: the create fails when the file exists, so nothing is ever overwritten.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = path + ": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return ::close(fd) == 0;
}

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

bool CopyNewFile(const std::string& from, const std::string& to, bool* same, std::string* error) {
  *same = false;
  std::string bytes;
  if (!ReadWholeFile(from, &bytes)) {
    *error = from + ": cannot read";
    return false;
  }
  std::string existing;
  if (std::filesystem::exists(to)) {
    if (ReadWholeFile(to, &existing) && existing == bytes) {
      *same = true;
      return true;
    }
    *error = to + ": exists with other content (not overwritten)";
    return false;
  }
  return WriteNewFile(to, bytes, error);
}

bool HaveDot() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string_view rest(path);
  while (true) {
    const size_t colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    if (!dir.empty() && ::access((dir + "/dot").c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

bool RenderDotToSvg(const std::string& dot_path, const std::string& svg_path) {
  if (std::filesystem::exists(svg_path)) return false;
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) ::dup2(null, 2);
    ::execlp("dot", "dot", "-Tsvg", dot_path.c_str(), "-o", svg_path.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace hvfuzz::triage
