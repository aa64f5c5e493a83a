// File: admin/process_metrics.cc
#include "admin/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace confiance::admin {
namespace {

// The fields of /proc/self/stat after the command name (which may hold
// spaces and parentheses: it ends at the last ')'), so that field N of
// proc(5) is fields[N - 3].
std::vector<std::string> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  size_t end = line.rfind(')');
  if (end == std::string::npos) return {};
  std::istringstream rest(line.substr(end + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

// The boot time in seconds since the epoch (/proc/stat "btime"); 0 if unknown.
uint64_t BootTime() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      uint64_t t = 0;
      in >> t;
      return t;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

int OpenFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n - 1;  // the descriptor opendir itself holds
}

}  // namespace

void WriteProcessMetrics(metrics::PrometheusText& out) {
  const std::vector<std::string> f = StatFields();
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const long page = ::sysconf(_SC_PAGESIZE);
  // proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24.
  if (f.size() > 21 && ticks > 0 && page > 0) {
    const double cpu = static_cast<double>(std::stoull(f[11]) + std::stoull(f[12])) / static_cast<double>(ticks);
    out.Family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
    out.Sample("process_cpu_seconds_total", {}, cpu);
    out.Family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    out.Sample("process_virtual_memory_bytes", {}, static_cast<uint64_t>(std::stoull(f[20])));
    out.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.Sample("process_resident_memory_bytes", {}, static_cast<uint64_t>(std::stoull(f[21])) * page);
    if (const uint64_t boot = BootTime(); boot != 0) {
      const double start = static_cast<double>(boot) + static_cast<double>(std::stoull(f[19])) / static_cast<double>(ticks);
      out.Family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
      out.Sample("process_start_time_seconds", {}, start);
    }
  }
  if (const int fds = OpenFds(); fds >= 0) {
    out.Family("process_open_fds", "gauge", "Number of open file descriptors.");
    out.Sample("process_open_fds", {}, static_cast<uint64_t>(fds));
  }
  if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    out.Family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    out.Sample("process_max_fds", {}, static_cast<uint64_t>(lim.rlim_cur));
  }
}

}  // namespace confiance::admin
