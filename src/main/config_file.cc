// File: main/config_file.cc
#include "main/config_file.h"

#include <toml++/toml.h>

#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace confiance {
namespace {

constexpr std::string_view kConfigFlag = "--config";

// The option name of a "--name" or "--name=value" argument; empty for any
// other argument (a value, a short option).
std::string OptionName(const std::string& arg) {
  if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) return "";
  return arg.substr(2, arg.find('=') - 2);
}

// A scalar TOML value as an option value; nullopt for anything else.
std::optional<std::string> ScalarText(const toml::node& node) {
  if (const auto* s = node.as_string()) return s->get();
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* f = node.as_floating_point()) {
    std::ostringstream text;
    text << f->get();
    return text.str();
  }
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  return std::nullopt;
}

}  // namespace

Result<std::vector<std::string>> ExpandConfigFile(const std::vector<std::string>& args,
                                                  const std::function<bool(std::string_view)>& is_option) {
  std::optional<std::string> path;
  std::set<std::string> given;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string name = OptionName(args[i]);
    if (name.empty()) continue;
    given.insert(name);
    if (name != kConfigFlag.substr(2)) continue;
    if (path) return InvalidArgumentError("--config given twice");
    if (args[i].size() > kConfigFlag.size()) {
      path = args[i].substr(kConfigFlag.size() + 1);
    } else if (i + 1 < args.size()) {
      path = args[i + 1];
    } else {
      return InvalidArgumentError("--config needs a file");
    }
  }
  if (!path) return args;

  std::ifstream in(*path);
  if (!in) return NotFoundError("config file " + *path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  toml::table root;
  try {
    root = toml::parse(text.str(), *path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "config file " << *path << ": " << e.description() << " (line " << e.source().begin.line << ")";
    return InvalidArgumentError(msg.str());
  }
  std::vector<std::string> out;
  for (const auto& [key, node] : root) {
    const std::string name(key.str());
    auto refuse = [&](const std::string& why) {
      return InvalidArgumentError("config file " + *path + ": " + name + ": " + why);
    };
    if (name == kConfigFlag.substr(2)) return refuse("a config file cannot name another");
    if (name.empty() || name.front() == '-' || !is_option(name)) {
      return refuse("no such option of `confiance server` (see --help; keys are long option names without --)");
    }
    if (given.count(name) != 0) continue;  // the command line's value wins
    if (const toml::array* list = node.as_array()) {
      for (const toml::node& item : *list) {
        std::optional<std::string> value = ScalarText(item);
        if (!value || item.is_boolean()) return refuse("an array may hold only strings and numbers");
        out.push_back("--" + name + "=" + *value);
      }
      continue;
    }
    std::optional<std::string> value = ScalarText(node);
    if (!value) return refuse("must be a string, a number, true or false, or an array of strings");
    out.push_back("--" + name + "=" + *value);
  }
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

}  // namespace confiance
